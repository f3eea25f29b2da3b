"""Who may read and change questionnaires.

Every user with a role reads the published questionnaires (and the closed ones) that are shared or owned by a unit of
the provinces they work in or hold a role for; drafts are seen only by those who may change the questionnaire. The
secretariat manages the questionnaires owned by a unit inside its scope, the shared ones (the shipped templates) only
with a scope over the whole system; administrators manage everything. A secretariat makes its own copy of a shared
template to edit it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import covers, home_root_paths, is_admin, is_manager, role_assignments, scope_paths
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import subtree_condition

from .models import Questionnaire, QuestionnaireVersion, VersionState


def can_manage_questionnaires(user: Viewer) -> bool:
    """May the user create questionnaires (and so see the management pages) at all?"""
    return is_manager(user)


def can_read_questionnaires(user: Viewer) -> bool:
    return is_admin(user) or bool(role_assignments(user))


def can_manage_questionnaire(user: Viewer, questionnaire: Questionnaire) -> bool:
    """May the user change ``questionnaire`` (its drafts, versions, details)? A shared one needs a system-wide scope."""
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), questionnaire.owner)


def get_questionnaires_for_user(user: Viewer, *, manage: bool = False) -> QuerySet[Questionnaire]:
    """Questionnaires the user may read (or, with ``manage``, change)."""
    questionnaires = Questionnaire.objects.all()
    if is_admin(user):
        return questionnaires
    if manage:
        paths = scope_paths(user, (Role.SECRETARIAT,))
        if paths is None:
            return questionnaires
        return questionnaires.filter(subtree_condition(paths, "owner"))
    if not role_assignments(user):
        return questionnaires.none()
    home = home_root_paths(user)
    readable = (
        questionnaires
        if home is None
        else questionnaires.filter(Q(owner__isnull=True) | subtree_condition(home, "owner"))
    )
    released = QuestionnaireVersion.objects.filter(questionnaire=OuterRef("pk")).exclude(state=VersionState.DRAFT)
    managed = get_questionnaires_for_user(user, manage=True) if is_manager(user) else questionnaires.none()
    return readable.filter(Q(Exists(released)) | Q(pk__in=managed.values("pk")))


def get_questionnaire_for_user(user: Viewer, questionnaire_id: Any, *, manage: bool = False) -> Questionnaire:
    """One questionnaire; ``Http404`` outside what the user reads, ``PermissionDenied`` when they only read it."""
    pk = id_or_404(questionnaire_id)
    questionnaire = get_questionnaires_for_user(user).select_related("owner").filter(pk=pk).first()
    if questionnaire is None:
        raise Http404
    if manage and not can_manage_questionnaire(user, questionnaire):
        raise PermissionDenied
    return questionnaire


def get_version_for_user(user: Viewer, questionnaire: Questionnaire, number: Any) -> QuestionnaireVersion:
    """One version of a questionnaire the user reads; a draft only for those who may change it (else 404)."""
    version = questionnaire.versions.filter(number=id_or_404(number)).first()
    if version is None:
        raise Http404
    if version.state == VersionState.DRAFT and not can_manage_questionnaire(user, questionnaire):
        raise Http404
    return version
