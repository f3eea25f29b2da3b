"""Who may import the procedure catalogue and dossiers, and who reads which dossiers.

Imports (catalogue, dossier exports, column presets) belong to the reform secretariat and administrators; the import
history shows an administrator or a secretariat without scope every import, a scoped secretariat the imports made by
the secretariat of its own subtrees (and its own); an import run's page and error file belong to its author. Dossiers
are read by administrators everywhere; by the secretariat, leaders and supervisors in the subtrees of their role
scopes (everywhere when a scope is empty); by everybody else in the subtrees of the units they work in or act for as a
focal point: a unit sees its own dossiers and those of the units below it, never a sibling's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.roles import is_admin, is_manager, is_signed_in, member_unit_paths, roles_of, scope_paths
from cchc.audit.models import AuditEntry
from cchc.imports.models import ImportKind, ImportRun
from cchc.lib.ids import id_or_404, parse_id
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitQuerySet, path_is_within, subtree_condition

from .models import DataImport, Dossier, DossierAggregate, ScoreItem

_WIDE_READERS = (Role.SECRETARIAT, Role.LEADER, Role.SUPERVISOR)


def can_import_dossiers(user: Viewer) -> bool:
    """May the user import dossier exports, the procedure catalogue and save column presets?"""
    return is_manager(user)


def dossier_read_paths(user: Viewer) -> list[str] | None:
    """The subtrees whose dossiers the user reads; ``None`` means everywhere, an empty list nothing."""
    if not is_signed_in(user):
        return []
    if is_admin(user):
        return None
    wide = scope_paths(user, _WIDE_READERS)
    if wide is None:
        return None
    focal = scope_paths(user, (Role.FOCAL_POINT,)) or []
    return [*wide, *focal, *member_unit_paths(user)]


def get_dossiers_for_user(user: Viewer) -> QuerySet[Dossier]:
    """The dossiers the user may read."""
    paths = dossier_read_paths(user)
    if paths is None:
        return Dossier.objects.all()
    return Dossier.objects.filter(subtree_condition(paths, "unit"))


def get_dossier_for_user(user: Viewer, dossier_id: Any) -> Dossier:
    """One dossier; ``Http404`` outside what the user reads, so its existence is not revealed."""
    pk = id_or_404(dossier_id)
    dossier = get_dossiers_for_user(user).select_related("procedure", "unit").filter(pk=pk).first()
    if dossier is None:
        raise Http404
    return dossier


def get_aggregates_for_user(user: Viewer) -> QuerySet[DossierAggregate]:
    """The aggregate report figures the user may read: those of the units whose dossiers they read."""
    paths = dossier_read_paths(user)
    if paths is None:
        return DossierAggregate.objects.all()
    return DossierAggregate.objects.filter(subtree_condition(paths, "unit"))


RUN_KINDS = (ImportKind.PROCEDURES, ImportKind.DOSSIERS, ImportKind.AGGREGATES)


def get_dossier_units_for_user(user: Viewer) -> QuerySet[Unit]:
    """The units whose dossiers the user reads (to filter the dossier list by)."""
    paths = dossier_read_paths(user)
    if paths is None:
        return Unit.objects.all()
    return Unit.objects.in_subtrees(paths)


def get_data_imports_for_user(user: Viewer) -> QuerySet[DataImport]:
    """The import history the user may read: none without the right to import."""
    if not can_import_dossiers(user) or not isinstance(user, User):
        return DataImport.objects.none()
    if is_admin(user):
        return DataImport.objects.all()
    paths = scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return DataImport.objects.all()
    colleagues = RoleAssignment.objects.filter(subtree_condition(paths, "scope"), role=Role.SECRETARIAT)
    return DataImport.objects.filter(Q(author=user) | Q(author__in=colleagues.values("user")))


def get_import_run_for_user(user: Viewer, run_id: Any) -> ImportRun:
    """An import run of this app that its author follows; a 404 for anybody else or a malformed id."""
    pk = parse_id(run_id)
    if pk is None or not isinstance(user, User) or not can_import_dossiers(user):
        raise Http404
    run = ImportRun.objects.filter(pk=pk, kind__in=RUN_KINDS, created_by=user).first()
    if run is None:
        raise Http404
    return run


def get_error_run_for_user(user: Viewer, run_id: Any) -> ImportRun:
    """An import run whose error file the user may download: their own, or one behind an import of their history."""
    pk = parse_id(run_id)
    if pk is None or not isinstance(user, User) or not can_import_dossiers(user):
        raise Http404
    runs = ImportRun.objects.filter(pk=pk, kind__in=RUN_KINDS)
    run = runs.filter(created_by=user).first()
    if run is None:
        run = runs.first()
        outcome = (run.options.get("outcome") or {}) if run is not None else {}
        linked = parse_id(outcome.get("data_import"))
        visible = linked is not None and get_data_imports_for_user(user).filter(pk=linked).exists()
        if run is None or not visible:
            raise Http404
    return run


def can_read_catalogue(user: Viewer) -> bool:
    """The procedure catalogue is public law: everybody signed in with a role (or an administrator) reads it."""
    return is_admin(user) or bool(is_signed_in(user) and roles_of(user))


# --- Service indicators (KPIs) ---------------------------------------------------------------------------------------
# The figures of a unit are read by whoever reads its dossiers (above): a unit's people see their own subtree, the
# secretariat, leaders and supervisors the subtrees of their scopes, administrators everything.


def can_view_kpis(user: Viewer) -> bool:
    """Does the user see the KPI pages (reads the dossiers of some unit)?"""
    return dossier_read_paths(user) != []


def can_manage_score_items(user: Viewer) -> bool:
    """May the user change the QĐ 766 score items (maximum points, thresholds, active)?"""
    return is_manager(user)


def get_score_item_history_for_user(user: Viewer) -> QuerySet[AuditEntry]:
    """The audit entries of the QĐ 766 score items, newest first, for whoever may change them; none for the others.

    Score items belong to no unit, so the audit trail's own rule (a scoped secretariat reads the entries of its
    subtrees) would hide them from the people who set them; they are province-wide settings, read here whole.
    """
    if not can_manage_score_items(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(object_type=ScoreItem._meta.label_lower).order_by("-at", "-pk")


def can_publish_kpis(user: Viewer) -> bool:
    """May the user publish the figures into the indicator store (for the units they read)?"""
    return is_manager(user)


def get_kpi_units_for_user(user: Viewer) -> UnitQuerySet:
    """The units whose figures the user reads."""
    paths = dossier_read_paths(user)
    if paths is None:
        return Unit.objects.all()
    return Unit.objects.in_subtrees(paths)


def kpi_root_units(user: Viewer) -> list[Unit]:
    """The highest units the user reads: the first rows of the KPI table."""
    paths = dossier_read_paths(user)
    if paths is None:
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    roots: list[str] = []
    for path in sorted(set(paths), key=len):
        if not path_is_within(path, roots):
            roots.append(path)
    return list(Unit.objects.filter(path__in=roots).order_by("path"))


def get_kpi_unit_for_user(user: Viewer, unit_id: Any) -> Unit:
    """One unit whose figures the user reads; ``Http404`` outside, so its existence is not revealed."""
    pk = id_or_404(unit_id)
    unit = get_kpi_units_for_user(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit
