"""The central permission helpers. Every view and API endpoint goes through these.

Rules:

* Administrators see and manage everything.
* The reform secretariat manages units, people and roles inside the subtrees
  of its role scopes (the whole system when the scope is empty) and reads the
  audit trail there.
* Every other signed-in user with a role reads the unit tree of the provinces
  (root units) in which they work or hold a role; supervisors only ever read.
* Anonymous visitors see nothing here.

Helpers named ``get_<noun>_for_user`` return querysets or objects already
limited to what the user may see, and raise ``Http404`` for objects outside
that set (so their existence is not revealed) or ``PermissionDenied`` when the
user may see but not change them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.audit.models import AuditEntry
from cchc.organisations.models import Membership, Unit, UnitQuerySet, encode_segment

from .models import ApiToken, Role, RoleAssignment, User

_CACHE_ATTR = "_cchc_role_cache"
# Roles that may change the unit tree, people and roles (within their scope).
MANAGER_ROLES = (Role.ADMIN, Role.SECRETARIAT)


def _assignments(user: Any) -> list[RoleAssignment]:
    """The user's role assignments, read once per user object (i.e. per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("scope"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_cache(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user: Any) -> set[str]:
    return {assignment.role for assignment in _assignments(user)}


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN) or bool(getattr(user, "is_superuser", False) and user.is_active)


def _scope_paths(user: Any, roles: tuple[str, ...]) -> list[str] | None:
    """Paths of the subtrees in which the user holds one of ``roles``; ``None`` means everywhere."""
    paths: list[str] = []
    for assignment in _assignments(user):
        if assignment.role not in roles:
            continue
        if assignment.scope is None:
            return None
        paths.append(assignment.scope.path)
    return paths


def _home_root_paths(user: Any) -> list[str] | None:
    """Root-unit paths of every unit the user works in or holds a role for; ``None`` means everywhere."""
    paths: list[str] = []
    for assignment in _assignments(user):
        if assignment.scope is None:
            return None
        paths.append(assignment.scope.path[: _root_width()])
    unit_paths = Membership.objects.filter(user=user).values_list("unit__path", flat=True)
    paths.extend(path[: _root_width()] for path in unit_paths)
    return paths


def _root_width() -> int:
    return len(encode_segment(0))


# ---------------------------------------------------------------------------
# Units


def can_manage_units(user: Any) -> bool:
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_units_for_user(user: Any, *, manage: bool = False) -> UnitQuerySet:
    """Units the user may read (or, with ``manage``, change)."""
    if is_admin(user):
        return Unit.objects.all()
    if manage:
        paths = _scope_paths(user, (Role.SECRETARIAT,))
    else:
        paths = _home_root_paths(user) if _assignments(user) else []
    if paths is None:
        return Unit.objects.all()
    return Unit.objects.in_subtrees(paths)


def get_unit_for_user(user: Any, unit_id: Any, *, manage: bool = False) -> Unit:
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise Http404 from None
    unit = get_units_for_user(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    if manage and not get_units_for_user(user, manage=True).filter(pk=pk).exists():
        raise PermissionDenied
    return unit


def can_manage_unit(user: Any, unit: Unit | None) -> bool:
    """May the user change ``unit`` (``None``: create a root unit)?"""
    if is_admin(user):
        return True
    paths = _scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return True
    if unit is None:
        return False
    return any(unit.path.startswith(path) for path in paths)


# ---------------------------------------------------------------------------
# People and roles


def get_users_for_user(user: Any) -> QuerySet[User]:
    """People the user may manage: members of units in their management scope."""
    if is_admin(user):
        return User.objects.all()
    paths = _scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return User.objects.all()
    if not paths:
        return User.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(memberships__unit__path__startswith=path)
    return User.objects.filter(condition).distinct()


def get_user_for_user(user: Any, user_id: Any, *, manage: bool = False) -> User:
    """A person the user may see; with ``manage``, ``PermissionDenied`` unless they may also change them."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise Http404 from None
    target = get_users_for_user(user).filter(pk=pk).first()
    if target is None:
        raise Http404
    if manage and not can_change_user(user, target):
        raise PermissionDenied
    return target


def can_change_user(user: Any, target: User) -> bool:
    """May ``user`` edit, lock or set the password of ``target`` (a person from :func:`get_users_for_user`)?

    Nobody but an administrator may change a person who holds a role the actor
    could not grant themselves (an administrator, or a secretariat whose scope
    is wider), otherwise taking over that account would widen the actor's power.
    """
    if is_admin(user):
        return True
    if not has_role(user, Role.SECRETARIAT) or target.is_superuser:
        return False
    held = RoleAssignment.objects.filter(user=target).select_related("scope")
    return all(can_grant_role(user, assignment.role, assignment.scope) for assignment in held)


def grantable_roles(user: Any) -> list[tuple[str, str]]:
    """``(value, label)`` of the roles the user may grant to somebody (in some scope)."""
    if is_admin(user):
        return [(value, str(label)) for value, label in Role.choices]
    if has_role(user, Role.SECRETARIAT):
        return [(value, str(label)) for value, label in Role.choices if value != Role.ADMIN]
    return []


def can_grant_role(user: Any, role: str, scope: Unit | None) -> bool:
    """Administrators grant anything; the secretariat grants non-admin roles inside its scope."""
    if is_admin(user):
        return True
    if role == Role.ADMIN or not has_role(user, Role.SECRETARIAT):
        return False
    return can_manage_unit(user, scope)


# ---------------------------------------------------------------------------
# Personal API tokens (everybody manages their own on the profile page)


def get_token_owner_for_user(user: Any, user_id: Any, *, manage: bool = False) -> User:
    """A person whose API tokens ``user`` may list; with ``manage``, also revoke.

    Administrators and the secretariat see the tokens of the people in their scope (:func:`get_users_for_user`)
    and revoke them where they may also change the person (:func:`can_change_user`).
    """
    require(can_manage_units(user))
    return get_user_for_user(user, user_id, manage=manage)


def get_api_token_for_user(owner: User, token_id: Any) -> ApiToken:
    """One token of ``owner`` (already obtained through an access helper, or the user themselves)."""
    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        raise Http404 from None
    token = ApiToken.objects.select_related("user").filter(pk=pk, user=owner).first()
    if token is None:
        raise Http404
    return token


# ---------------------------------------------------------------------------
# Audit trail


def can_view_audit(user: Any) -> bool:
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_audit_entries_for_user(user: Any) -> QuerySet[AuditEntry]:
    if is_admin(user):
        return AuditEntry.objects.all()
    if not has_role(user, Role.SECRETARIAT):
        return AuditEntry.objects.none()
    paths = _scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return AuditEntry.objects.all()
    condition = Q()
    for path in paths:
        condition |= Q(unit_path__startswith=path)
    return AuditEntry.objects.filter(condition)


def get_audit_entry_for_user(user: Any, entry_id: Any) -> AuditEntry:
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        raise Http404 from None
    entry = get_audit_entries_for_user(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def require(condition: bool) -> None:
    """Raise ``PermissionDenied`` unless ``condition`` holds."""
    if not condition:
        raise PermissionDenied


# ---------------------------------------------------------------------------
# PAR INDEX results (rankings, a unit's result, points-lost analysis, documents)
#
# * Administrators, the secretariat (whose scope covers the organiser) and the
#   appraisal council see a round's results as soon as they are computed.
# * Everybody else with a role in the organiser's province (leaders, focal
#   points, appraisers, supervisors) sees them once the round is published:
#   the ranking, and the result page of units inside their role scopes or the
#   units they work in (a province-wide leader or supervisor sees every unit).
# * Anonymous visitors see only the public page of a published round marked public.

_PUBLISHED_STAGES = ("published", "closed")


def _round_results_exist(round_: Any) -> bool:
    from cchc.assessments.models import Result

    cached = getattr(round_, "_cchc_results_exist", None)
    if cached is None:
        cached = Result.objects.filter(assessment__round=round_).exists()
        round_._cchc_results_exist = cached
    return bool(cached)


def can_view_all_round_results(user: Any, round_: Any) -> bool:
    """May the user see every unit's result in ``round_`` (including draft results before publication)?"""
    if not _round_results_exist(round_):
        return False
    if is_admin(user):
        return True
    if has_role(user, Role.SECRETARIAT) and can_manage_unit(user, round_.organiser):
        return True
    if has_role(user, Role.COUNCIL) and _covers(user, (Role.COUNCIL,), round_.organiser):
        return True
    if round_.stage in _PUBLISHED_STAGES:
        return _covers(user, (Role.LEADER, Role.SUPERVISOR), round_.organiser)
    return False


def can_view_round_results(user: Any, round_: Any) -> bool:
    """May the user see the ranking of ``round_``?"""
    if can_view_all_round_results(user, round_):
        return True
    if round_.stage not in _PUBLISHED_STAGES or not _round_results_exist(round_):
        return False
    cache = round_.__dict__.setdefault("_cchc_results_readers", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = get_units_for_user(user).filter(pk=round_.organiser_id).exists()
    return bool(cache[key])


def result_unit_paths(user: Any, round_: Any) -> list[str] | None:
    """Subtrees of the units whose result pages the user may open in ``round_``; ``None`` means every unit."""
    if can_view_all_round_results(user, round_):
        return None
    if not can_view_round_results(user, round_):
        return []
    paths = _scope_paths(user, tuple(Role.values))
    if paths is None:
        return None
    return [*paths, *_member_unit_paths(user)]


def _member_unit_paths(user: Any) -> list[str]:
    cached = getattr(user, "_cchc_member_unit_paths", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("unit__path", flat=True))
        user._cchc_member_unit_paths = cached
    return list(cached)


def can_view_unit_result(user: Any, round_: Any, unit: Unit) -> bool:
    """May the user open ``unit``'s result page (scores, criteria below max) in ``round_``?"""
    paths = result_unit_paths(user, round_)
    return paths is None or any(unit.path.startswith(path) for path in paths)


def can_view_public_round_results(round_: Any) -> bool:
    """The anonymous public page shows a round only when it is published and marked public."""
    return bool(round_.is_public) and round_.stage in _PUBLISHED_STAGES and _round_results_exist(round_)


def get_results_round_for_user(user: Any, round_id: Any) -> Any:
    """The round whose ranking the user may see; ``Http404`` otherwise (existence not revealed)."""
    from cchc.assessments.models import Round

    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        raise Http404 from None
    round_ = Round.objects.select_related("organiser").filter(pk=pk).first()
    if round_ is None or not can_view_round_results(user, round_):
        raise Http404
    return round_


def _covers(user: Any, roles: tuple[str, ...], unit: Unit) -> bool:
    """Does one of the user's ``roles`` apply to ``unit`` (scope empty or an ancestor-or-self of it)?"""
    paths = _scope_paths(user, roles)
    if paths is None:
        return True
    return any(unit.path.startswith(path) for path in paths)


# ---------------------------------------------------------------------------
# Directives, tasks and assignments
#
# A unit sees and reports only its own assignments: the units its people work
# in (membership) and, for focal points, the subtree of their role scope. The
# secretariat manages directives and reviews reports within its scope; leaders
# and supervisors read within theirs; supervisors never change anything.

TASK_READER_ROLES = (Role.SECRETARIAT, Role.LEADER, Role.SUPERVISOR)


def _own_unit_condition(user: Any, field: str) -> Q:
    """Rows whose ``field`` (a unit relation) is one of the user's own units."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    unit_ids = list(Membership.objects.filter(user=user).values_list("unit_id", flat=True))
    condition = Q(**{f"{field}_id__in": unit_ids}) if unit_ids else Q(pk__in=[])
    for path in _scope_paths(user, (Role.FOCAL_POINT,)) or []:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def _subtree_condition(paths: list[str], field: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def can_view_task_tracker(user: Any) -> bool:
    return is_admin(user) or has_role(user, *TASK_READER_ROLES)


def can_create_directives(user: Any) -> bool:
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_directive_issuing_units_for_user(user: Any) -> UnitQuerySet:
    """Units in whose name the user may register directives."""
    return get_units_for_user(user, manage=True) if can_create_directives(user) else Unit.objects.none()


def get_assignments_for_user(user: Any) -> Any:
    """Assignments the user may read (an ``AssignmentQuerySet``)."""
    from cchc.directives.models import Assignment

    if is_admin(user):
        return Assignment.objects.all()
    paths = _scope_paths(user, TASK_READER_ROLES)
    if paths is None:
        return Assignment.objects.all()
    condition = _own_unit_condition(user, "unit")
    if paths:
        condition |= _subtree_condition(paths, "unit")
    return Assignment.objects.filter(condition)


def get_assignment_for_user(user: Any, assignment_id: Any) -> Any:
    try:
        pk = int(assignment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    assignment = (
        get_assignments_for_user(user)
        .select_related("task", "directive", "unit", "occurrence", "directive__issuing_unit")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def is_own_unit(user: Any, unit: Unit) -> bool:
    """Does the user act for ``unit`` (works in it, or is a focal point whose scope covers it)?"""
    if Membership.objects.filter(user=user, unit=unit).exists() and roles_of(user) != {Role.SUPERVISOR}:
        return True
    return any(unit.path.startswith(path) for path in _scope_paths(user, (Role.FOCAL_POINT,)) or [])


def can_report_assignment(user: Any, assignment: Any) -> bool:
    """Report progress and ask for an extension: the unit's own people only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_admin(user) or is_own_unit(user, assignment.unit)


def can_review_assignment(user: Any, assignment: Any) -> bool:
    """Accept or return a completion report, decide on extensions: the secretariat in scope."""
    if is_admin(user):
        return True
    paths = _scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return True
    return any(
        assignment.unit.path.startswith(path) or assignment.directive.issuing_unit.path.startswith(path)
        for path in paths
    )


def get_directives_for_user(user: Any) -> Any:
    """Directives the user may read: those issued in their reading scope and those giving their units work."""
    from cchc.directives.models import Assignment, Directive

    if is_admin(user):
        return Directive.objects.all()
    paths = _scope_paths(user, TASK_READER_ROLES)
    if paths is None:
        return Directive.objects.all()
    own = Assignment.objects.filter(_own_unit_condition(user, "unit")).values("directive_id")
    condition = Q(pk__in=own)
    if paths:
        condition |= _subtree_condition(paths, "issuing_unit")
    return Directive.objects.filter(condition)


def can_manage_directive(user: Any, directive: Any) -> bool:
    return can_manage_unit(user, directive.issuing_unit) and can_create_directives(user)


def get_directive_for_user(user: Any, directive_id: Any, *, manage: bool = False) -> Any:
    try:
        pk = int(directive_id)
    except (TypeError, ValueError):
        raise Http404 from None
    directive = get_directives_for_user(user).select_related("issuing_unit").filter(pk=pk).first()
    if directive is None:
        raise Http404
    if manage and not can_manage_directive(user, directive):
        raise PermissionDenied
    return directive


def get_directive_draft_for_user(user: Any, draft_id: Any) -> Any:
    """An uploaded directive awaiting review: only the person who uploaded it (or an administrator)."""
    from cchc.directives.models import DirectiveDraft

    try:
        pk = int(draft_id)
    except (TypeError, ValueError):
        raise Http404 from None
    drafts = DirectiveDraft.objects.select_related("issuing_unit")
    if not is_admin(user):
        drafts = drafts.filter(created_by=user)
    draft = drafts.filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


# ---------------------------------------------------------------------------
# Criteria frameworks (bộ tiêu chí)
#
# Every user with a role reads the frameworks of the provinces they work in or
# hold a role for, and the shared ones (no owner). The secretariat manages the
# frameworks owned by a unit inside its scope; shared frameworks only when its
# scope is the whole system; administrators manage everything.


def can_manage_frameworks(user: Any) -> bool:
    """May the user create frameworks (and so see the management pages) at all?"""
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_frameworks_for_user(user: Any, *, manage: bool = False) -> Any:
    """Frameworks the user may read (or, with ``manage``, change), as a queryset."""
    from cchc.frameworks.models import Framework

    frameworks = Framework.objects.all()
    if is_admin(user):
        return frameworks
    if manage:
        paths = _scope_paths(user, (Role.SECRETARIAT,))
        if paths is None:
            return frameworks
        condition = Q(pk__in=[])
    else:
        if not _assignments(user):
            return frameworks.none()
        paths = _home_root_paths(user)
        if paths is None:
            return frameworks
        condition = Q(owner__isnull=True)
    for path in paths:
        condition |= Q(owner__path__startswith=path)
    return frameworks.filter(condition)


def get_framework_for_user(user: Any, framework_id: Any, *, manage: bool = False) -> Any:
    """One framework; ``Http404`` outside what the user reads, ``PermissionDenied`` when they only read it."""
    try:
        pk = int(framework_id)
    except (TypeError, ValueError):
        raise Http404 from None
    framework = get_frameworks_for_user(user).select_related("owner", "based_on").filter(pk=pk).first()
    if framework is None:
        raise Http404
    if manage and not can_manage_framework(user, framework):
        raise PermissionDenied
    return framework


def can_manage_framework(user: Any, framework: Any) -> bool:
    """May the user change ``framework`` (its criteria, its details, delete it)?"""
    if is_admin(user):
        return True
    paths = _scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return True
    owner = framework.owner
    if owner is None:
        return False
    return any(owner.path.startswith(path) for path in paths)


# ---------------------------------------------------------------------------
# PAR INDEX rounds and assessments (self-assessment, appraisal, explanation, council)
#
# Reading:
# * A round is visible to everybody with a role in the organiser's province; a
#   round still in preparation (stage "draft") only to those who manage it.
# * Assessments (a unit's scoring sheet): administrators all; the secretariat
#   every sheet inside its scope, in any status; a focal point only the sheets
#   of the units in its role scope (its own unit), never another unit's; leaders
#   and council members the sheets in their scope once submitted; appraisers the
#   submitted sheets in their scope that contain a leaf their unit leads (they
#   read the whole sheet for context and edit only those leaves); supervisors
#   read only, and only once the round is published.
# Writing:
# * Self-assessment: the unit's focal point, while the sheet is open.
# * Appraisal of a leaf: an appraiser (role scope covering the unit) who works
#   in the criterion's lead unit (Membership).
# * Explanation: the unit's focal point, in the explanation window.
# * Round management (create, stages, deadlines, reopen a sheet): the
#   secretariat whose scope covers the organiser.
# * Council approval: a council member whose scope covers the organiser (the
#   secretariat runs the process and records nothing on the council's behalf).
# The stage and status rules themselves are enforced by the services, which
# answer with a Vietnamese message when a sheet is locked.

_SUBMITTED_STATUSES = ("submitted", "appraised", "explained", "approved")


def _under(paths: list[str], field: str = "unit__path") -> Q:
    """Rows whose ``field`` lies in one of the subtrees; matches nothing for an empty list."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def can_manage_round(user: Any, round_: Any) -> bool:
    if is_admin(user):
        return True
    return has_role(user, Role.SECRETARIAT) and can_manage_unit(user, round_.organiser)


def can_create_round(user: Any) -> bool:
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_rounds_for_user(user: Any) -> Any:
    """Rounds the user may see (a ``QuerySet[Round]``)."""
    from cchc.assessments.models import Round, Stage

    if is_admin(user):
        return Round.objects.all()
    if not _assignments(user):
        return Round.objects.none()
    rounds = Round.objects.filter(organiser__in=get_units_for_user(user))
    managed = _scope_paths(user, (Role.SECRETARIAT,))
    if managed is None:
        return rounds
    return rounds.filter(~Q(stage=Stage.DRAFT) | _under(managed, "organiser__path"))


def get_round_for_user(user: Any, round_id: Any, *, manage: bool = False) -> Any:
    """A round the user may see; with ``manage``, ``PermissionDenied`` unless they may also run it."""
    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        raise Http404 from None
    round_ = get_rounds_for_user(user).select_related("organiser").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    if manage and not can_manage_round(user, round_):
        raise PermissionDenied
    return round_


def _member_unit_ids(user: Any) -> list[int]:
    cached = getattr(user, "_cchc_member_unit_ids", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("unit_id", flat=True))
        user._cchc_member_unit_ids = cached
    return list(cached)


def appraisal_lead_unit_ids(user: Any) -> list[int]:
    """The units whose criteria the user appraises: those they work in, when they hold the appraiser role."""
    return _member_unit_ids(user) if has_role(user, Role.APPRAISER) else []


def _focal_condition(user: Any) -> Q:
    paths = _scope_paths(user, (Role.FOCAL_POINT,))
    if paths is None:  # a focal point without a scope answers for the units they work in
        return Q(unit_id__in=_member_unit_ids(user))
    return _under(paths)


def get_assessments_for_user(user: Any) -> Any:
    """Assessments (unit scoring sheets) the user may read (a ``QuerySet[Assessment]``)."""
    from cchc.assessments.models import Assessment

    if is_admin(user):
        return Assessment.objects.all()
    if not _assignments(user):
        return Assessment.objects.none()
    secretariat = _scope_paths(user, (Role.SECRETARIAT,))
    if secretariat is None:
        return Assessment.objects.all()
    condition = _under(secretariat)
    if has_role(user, Role.FOCAL_POINT):
        condition |= _focal_condition(user)
    submitted = Q(status__in=_SUBMITTED_STATUSES)
    readers = _scope_paths(user, (Role.LEADER, Role.COUNCIL))
    condition |= submitted & (Q() if readers is None else _under(readers))
    if has_role(user, Role.APPRAISER):
        appraisers = _scope_paths(user, (Role.APPRAISER,))
        led = Q(scores__criterion__lead_unit_id__in=_member_unit_ids(user))
        in_scope = Q() if appraisers is None else _under(appraisers)
        condition |= Q(pk__in=Assessment.objects.filter(submitted & in_scope & led).values("pk"))
    supervisors = _scope_paths(user, (Role.SUPERVISOR,))
    published = Q(round__stage__in=_PUBLISHED_STAGES)
    condition |= published & (Q() if supervisors is None else _under(supervisors))
    return Assessment.objects.filter(condition)


def get_assessment_for_user(user: Any, assessment_id: Any) -> Any:
    try:
        pk = int(assessment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    assessment = (
        get_assessments_for_user(user).select_related("round__organiser", "unit", "framework").filter(pk=pk).first()
    )
    if assessment is None:
        raise Http404
    return assessment


def get_score_for_user(user: Any, score_id: Any) -> Any:
    """One leaf's score in an assessment the user may read."""
    from cchc.assessments.models import Score

    try:
        pk = int(score_id)
    except (TypeError, ValueError):
        raise Http404 from None
    score = (
        Score.objects.filter(pk=pk, assessment__in=get_assessments_for_user(user))
        .select_related("criterion__lead_unit", "assessment__round__organiser", "assessment__unit")
        .first()
    )
    if score is None:
        raise Http404
    return score


def is_focal_point_for(user: Any, unit: Unit) -> bool:
    """Does the user answer for ``unit``'s self-assessment (focal point whose scope covers it)?"""
    if not has_role(user, Role.FOCAL_POINT):
        return False
    paths = _scope_paths(user, (Role.FOCAL_POINT,))
    if paths is None:
        return unit.pk in _member_unit_ids(user)
    return any(unit.path.startswith(path) for path in paths)


def can_edit_self_assessment(user: Any, assessment: Any) -> bool:
    """The unit's focal point, while the sheet is open (draft or reopened, in the right stage)."""
    from cchc.assessments.services import _self_assessment_open

    return is_focal_point_for(user, assessment.unit) and _self_assessment_open(assessment)


def leads_criterion(user: Any, criterion: Any, unit: Unit) -> bool:
    """Is the user an appraiser for ``unit`` working in the unit that leads ``criterion``?"""
    if not has_role(user, Role.APPRAISER) or criterion.lead_unit_id is None:
        return False
    return _covers(user, (Role.APPRAISER,), unit) and criterion.lead_unit_id in _member_unit_ids(user)


def can_appraise_score(user: Any, score: Any) -> bool:
    """An appraiser of the leaf's lead unit, while appraisal (or settling after explanation) is open."""
    from cchc.assessments.services import _require_appraisal_open
    from cchc.lib.errors import ServiceError

    if not leads_criterion(user, score.criterion, score.assessment.unit):
        return False
    try:
        _require_appraisal_open(score)
    except ServiceError:
        return False
    return True


def can_explain_score(user: Any, score: Any) -> bool:
    from cchc.assessments.services import _explanation_open

    if not is_focal_point_for(user, score.assessment.unit) or not _explanation_open(score):
        return False
    return score.appraised_score is not None and score.appraised_score != score.self_score


def can_approve_round(user: Any, round_: Any) -> bool:
    """A council member whose scope covers the organiser (administrators too)."""
    if is_admin(user):
        return True
    return has_role(user, Role.COUNCIL) and _covers(user, (Role.COUNCIL,), round_.organiser)


def can_view_compiled_table(user: Any, round_: Any) -> bool:
    """The units × areas table under review: the secretariat, the council, and leaders once it is approved."""
    if can_manage_round(user, round_) or can_approve_round(user, round_):
        return True
    if round_.approved_at is not None and has_role(user, Role.LEADER):
        return _covers(user, (Role.LEADER,), round_.organiser)
    return False


def get_own_assignments_for_user(user: Any) -> Any:
    """Assignments of the units the user acts for (their "my tasks"), whatever other roles they hold."""
    from cchc.directives.models import Assignment

    return Assignment.objects.filter(_own_unit_condition(user, "unit"))


def get_report_attachment_for_user(user: Any, attachment_id: Any) -> Any:
    """A progress report's attachment, readable by whoever may read the assignment."""
    from cchc.directives.models import ReportAttachment

    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    attachment = ReportAttachment.objects.filter(pk=pk, report__assignment__in=get_assignments_for_user(user)).first()
    if attachment is None:
        raise Http404
    return attachment


def get_progress_report_for_user(user: Any, report_id: Any) -> Any:
    """A progress report, readable by whoever may read its assignment (404 otherwise)."""
    from cchc.directives.models import ProgressReport

    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise Http404 from None
    report = ProgressReport.objects.filter(pk=pk, assignment__in=get_assignments_for_user(user)).first()
    if report is None:
        raise Http404
    return report


def get_extension_request_for_user(user: Any, extension_id: Any) -> Any:
    """An extension request, readable by whoever may read its assignment (404 otherwise)."""
    from cchc.directives.models import ExtensionRequest

    try:
        pk = int(extension_id)
    except (TypeError, ValueError):
        raise Http404 from None
    extension = ExtensionRequest.objects.filter(pk=pk, assignment__in=get_assignments_for_user(user)).first()
    if extension is None:
        raise Http404
    return extension


# ---------------------------------------------------------------------------
# Remediation plans as tracked tasks
#
# Turning a round's gaps into a directive with tasks is registering a
# directive in the name of the round's organiser: only those who may do that.


def can_create_remediation_tasks(user: Any, round_: Any) -> bool:
    """May the user turn the round's gaps into a tracked remediation plan (a directive issued by the organiser)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return can_create_directives(user) and can_manage_unit(user, round_.organiser)


# ---------------------------------------------------------------------------
# Editing, deleting and cancelling directive tasks
#
# The secretariat that manages the directive (its issuing unit within the
# secretariat's scope) edits, deletes and cancels its tasks; everyone else who
# may read the directive only reads them.


def can_manage_task(user: Any, task: Any) -> bool:
    return can_manage_directive(user, task.directive)


def get_task_for_user(user: Any, task_id: Any, *, manage: bool = False) -> Any:
    """A task of a directive the user may read (404 otherwise); ``manage`` also requires the right to change it."""
    from cchc.directives.models import Task

    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    task = Task.objects.select_related("directive__issuing_unit", "lead_unit", "parent").filter(pk=pk).first()
    if task is None or not get_directives_for_user(user).filter(pk=task.directive_id).exists():
        raise Http404
    if manage and not can_manage_task(user, task):
        raise PermissionDenied
    return task
