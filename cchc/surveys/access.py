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
from cchc.accounts.roles import (
    covers,
    get_units_for_user,
    home_root_paths,
    is_admin,
    is_manager,
    member_unit_ids,
    role_assignments,
    scope_paths,
)
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, subtree_condition

from .models import (
    Answer,
    CollectionPoint,
    Invitation,
    InvitationCampaign,
    PendingResponse,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    VersionState,
)

# The roles that follow the collection of answers (read only, except that the secretariat also manages the links).
COLLECTION_READERS = (Role.SECRETARIAT, Role.SUPERVISOR, Role.LEADER)


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


# ---------------------------------------------------------------------------
# Collecting answers


def can_view_collection(user: Viewer) -> bool:
    """May the user follow the collection (counts by unit, channel and day) of the questionnaires they read?"""
    return is_admin(user) or any(assignment.role in COLLECTION_READERS for assignment in role_assignments(user))


def can_manage_collection(user: Viewer, unit: Unit | None = None) -> bool:
    """May the user create and pause public links (for ``unit``, when given)? The secretariat, within its scope."""
    if unit is None:
        paths = scope_paths(user, (Role.SECRETARIAT,))
        return is_admin(user) or paths is None or bool(paths)
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), unit)


def collection_units_for_user(user: Viewer) -> QuerySet[Unit]:
    """The units the user may open a public link for."""
    return get_units_for_user(user, manage=True)


def get_points_for_user(user: Viewer, questionnaire: Questionnaire) -> QuerySet[CollectionPoint]:
    """The public links of ``questionnaire`` for units inside the user's collection scope."""
    points = CollectionPoint.objects.filter(questionnaire=questionnaire).select_related("unit")
    if is_admin(user):
        return points
    paths = scope_paths(user, COLLECTION_READERS)
    if paths is None:
        return points
    return points.filter(subtree_condition(paths, "unit"))


def get_point_for_user(user: Viewer, questionnaire: Questionnaire, point_id: Any, *, manage: bool) -> CollectionPoint:
    point = get_points_for_user(user, questionnaire).filter(pk=id_or_404(point_id)).first()
    if point is None:
        raise Http404
    if manage and not can_manage_collection(user, point.unit):
        raise PermissionDenied
    return point


def get_responses_for_user(user: Viewer, questionnaire: Questionnaire) -> QuerySet[Response]:
    """The responses to ``questionnaire`` about units inside the user's collection scope (none without the role)."""
    responses = Response.objects.filter(questionnaire=questionnaire)
    if is_admin(user):
        return responses
    if not can_view_collection(user):
        return responses.none()
    paths = scope_paths(user, COLLECTION_READERS)
    if paths is None:
        return responses
    return responses.filter(subtree_condition(paths, "unit"))


def get_pending_responses_for_user(user: Viewer, questionnaire: Questionnaire) -> QuerySet[PendingResponse]:
    """The accepted responses to ``questionnaire`` still waiting in the inbox, about units inside the user's
    collection scope (as :func:`get_responses_for_user`)."""
    pending = PendingResponse.objects.filter(questionnaire=questionnaire)
    if is_admin(user):
        return pending
    if not can_view_collection(user):
        return pending.none()
    paths = scope_paths(user, COLLECTION_READERS)
    if paths is None:
        return pending
    return pending.filter(subtree_condition(paths, "collection_point__unit"))


# ---------------------------------------------------------------------------
# Invitations: the secretariat manages them within its scope; supervisors and leaders read only the counts.


def can_read_invitation_names(user: Viewer, campaign: InvitationCampaign) -> bool:
    """May the user see who was invited (names, e-mails)? Those who manage the campaign's unit."""
    return can_manage_collection(user, campaign.unit)


def get_campaigns_for_user(user: Viewer, questionnaire: Questionnaire) -> QuerySet[InvitationCampaign]:
    """The invitation campaigns of ``questionnaire`` about units inside the user's collection scope."""
    campaigns = InvitationCampaign.objects.filter(questionnaire=questionnaire).select_related("unit")
    if is_admin(user):
        return campaigns
    if not can_view_collection(user):
        return campaigns.none()
    paths = scope_paths(user, COLLECTION_READERS)
    if paths is None:
        return campaigns
    return campaigns.filter(subtree_condition(paths, "unit"))


def get_campaign_for_user(
    user: Viewer, questionnaire: Questionnaire, campaign_id: Any, *, manage: bool
) -> InvitationCampaign:
    """One campaign; ``Http404`` outside the user's scope, ``PermissionDenied`` to change it without the right."""
    campaign = get_campaigns_for_user(user, questionnaire).filter(pk=id_or_404(campaign_id)).first()
    if campaign is None:
        raise Http404
    if manage and not can_manage_collection(user, campaign.unit):
        raise PermissionDenied
    return campaign


# Results


def can_view_results(user: Viewer) -> bool:
    """May the user open the results pages? Everyone with a role; what they see is limited by
    :func:`get_result_responses_for_user`."""
    return can_read_questionnaires(user)


def get_result_responses_for_user(user: Viewer, questionnaire: Questionnaire) -> QuerySet[Response]:
    """The responses whose results the user reads: the secretariat, leaders and supervisors within their scope (as for
    the collection), any other role the subtrees of the units they work in."""
    if is_admin(user) or can_view_collection(user):
        return get_responses_for_user(user, questionnaire)
    if not role_assignments(user):
        return Response.objects.none()
    paths = list(Unit.objects.filter(pk__in=member_unit_ids(user)).values_list("path", flat=True))
    return Response.objects.filter(questionnaire=questionnaire).filter(subtree_condition(paths, "unit"))


def result_units_for_user(user: Viewer) -> QuerySet[Unit]:
    """The units the results filter offers: the scope of the collection readers, else the user's own subtrees."""
    if is_admin(user):
        return Unit.objects.all()
    if can_view_collection(user):
        paths = scope_paths(user, COLLECTION_READERS)
        return Unit.objects.all() if paths is None else Unit.objects.filter(subtree_condition(paths))
    if not role_assignments(user):
        return Unit.objects.none()
    paths = list(Unit.objects.filter(pk__in=member_unit_ids(user)).values_list("path", flat=True))
    return Unit.objects.filter(subtree_condition(paths))


def can_read_comments(user: Viewer) -> bool:
    """Free-text comments are listed for the secretariat (and administrators) only."""
    paths = scope_paths(user, (Role.SECRETARIAT,))
    return is_admin(user) or paths is None or bool(paths)


def get_comment_for_user(user: Viewer, questionnaire: Questionnaire, answer_id: Any) -> Answer:
    """A free-text answer (a comment) to ``questionnaire`` inside the secretariat's scope (404 otherwise)."""
    if not can_read_comments(user):
        raise PermissionDenied
    responses = get_responses_for_user(user, questionnaire)
    answer = (
        Answer.objects.filter(
            pk=id_or_404(answer_id),
            response__in=responses.values("pk"),
            question__kind__in=(QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT),
        )
        .exclude(text_value="")
        .select_related("question", "response__unit")
        .first()
    )
    if answer is None:
        raise Http404
    return answer


def get_invitation_for_user(user: Viewer, campaign: InvitationCampaign, invitation_id: Any) -> Invitation:
    """One invitation of ``campaign``, for those who manage the campaign's unit (403 otherwise, 404 when unknown)."""
    if not can_manage_collection(user, campaign.unit):
        raise PermissionDenied
    invitation = campaign.invitations.select_related("unit").filter(pk=id_or_404(invitation_id)).first()
    if invitation is None:
        raise Http404
    return invitation


def can_assign_comment_tasks(user: Viewer) -> bool:
    """May the user turn comments into tasks at all? Those who read comments and may register directives."""
    return can_read_comments(user) and is_manager(user)


def can_assign_comment_task(user: Viewer, unit: Unit, issuer: Unit) -> bool:
    """May the user give ``unit`` a task under a follow-up directive issued in the name of ``issuer``? The
    secretariat of both (as the directives app requires to manage a directive), or an administrator."""
    return is_admin(user) or (covers(user, (Role.SECRETARIAT,), unit) and covers(user, (Role.SECRETARIAT,), issuer))
