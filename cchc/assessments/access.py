"""Who may see and act on PAR INDEX rounds, sheets, scores and results.

Reading:

* A round is visible to everybody with a role in the organiser's province; a round still in preparation (stage
  "draft") only to those who manage it.
* Assessments (a unit's scoring sheet): administrators all; the secretariat every sheet inside its scope, in any
  status; a focal point only the sheets of the units in its role scope (its own unit), never another unit's; leaders
  and council members the sheets in their scope once submitted; appraisers the submitted sheets in their scope that
  contain a leaf their unit leads (they read the whole sheet for context and edit only those leaves); supervisors
  read only, and only once the round is published.

Writing:

* Self-assessment: the unit's focal point, while the sheet is open.
* Appraisal of a leaf: an appraiser (role scope covering the unit) who works in the criterion's lead unit (Membership).
* Explanation: the unit's focal point, in the explanation window.
* Round management (create, stages, deadlines, reopen a sheet): the secretariat whose scope covers the organiser.
* Council approval: a council member whose scope covers the organiser (the secretariat runs the process and records
  nothing on the council's behalf).
* Remediation plans: turning a round's gaps into a directive with tasks is registering a directive in the name of the
  round's organiser, so only those who may do that.

The stage and status checks are the sheet's own (``Assessment.is_open_for_self_assessment`` …); the services refuse
with a Vietnamese message when a sheet is locked.

Results (rankings, a unit's result, points-lost analysis, documents):

* Administrators, the secretariat (whose scope covers the organiser) and the appraisal council see a round's results
  as soon as they are computed.
* Everybody else with a role in the organiser's province (leaders, focal points, appraisers, supervisors) sees them
  once the round is published: the ranking, and the result page of units inside their role scopes or the units they
  work in (a province-wide leader or supervisor sees every unit).
* Anonymous visitors see only the public page of a published round marked public.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import (
    covers,
    get_units_for_user,
    has_role,
    is_admin,
    is_focal_point_for,
    is_manager,
    is_signed_in,
    manages,
    member_unit_ids,
    member_unit_paths,
    role_assignments,
    scope_paths,
)
from cchc.frameworks.models import Criterion
from cchc.lib import page_cache
from cchc.lib.ids import id_or_404
from cchc.lib.prepared import PreparedRead
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, subtree_condition

from .models import PUBLISHED_STAGES, Assessment, AssessmentStatus, Result, Round, Score, Stage

_SUBMITTED_STATUSES = (
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.APPRAISED,
    AssessmentStatus.EXPLAINED,
    AssessmentStatus.APPROVED,
)


# ---------------------------------------------------------------------------
# Rounds


def can_manage_round(user: Viewer, round_: Round) -> bool:
    if is_admin(user):
        return True
    return has_role(user, Role.SECRETARIAT) and manages(user, round_.organiser)


def can_create_round(user: Viewer) -> bool:
    return is_manager(user)


def get_rounds_for_user(user: Viewer) -> QuerySet[Round]:
    """Rounds the user may see."""
    if is_admin(user):
        return Round.objects.all()
    if not role_assignments(user):
        return Round.objects.none()
    rounds = Round.objects.filter(organiser__in=get_units_for_user(user))
    managed = scope_paths(user, (Role.SECRETARIAT,))
    if managed is None:
        return rounds
    return rounds.filter(~Q(stage=Stage.DRAFT) | subtree_condition(managed, "organiser"))


def get_round_for_user(user: Viewer, round_id: Any, *, manage: bool = False) -> Round:
    """A round the user may see; with ``manage``, ``PermissionDenied`` unless they may also run it."""
    pk = id_or_404(round_id)
    round_ = get_rounds_for_user(user).select_related("organiser").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    if manage and not can_manage_round(user, round_):
        raise PermissionDenied
    return round_


def can_approve_round(user: Viewer, round_: Round) -> bool:
    """A council member whose scope covers the organiser (administrators too)."""
    if is_admin(user):
        return True
    return has_role(user, Role.COUNCIL) and covers(user, (Role.COUNCIL,), round_.organiser)


def can_view_compiled_table(user: Viewer, round_: Round) -> bool:
    """The units × areas table under review: the secretariat, the council, and leaders once it is approved."""
    if can_manage_round(user, round_) or can_approve_round(user, round_):
        return True
    if round_.approved_at is not None and has_role(user, Role.LEADER):
        return covers(user, (Role.LEADER,), round_.organiser)
    return False


def can_create_remediation_tasks(user: Viewer, round_: Round) -> bool:
    """May the user turn the round's gaps into a tracked remediation plan (a directive issued by the organiser)?"""
    if not is_signed_in(user):
        return False
    return is_manager(user) and manages(user, round_.organiser)


# ---------------------------------------------------------------------------
# Assessments (sheets) and scores


def appraisal_lead_unit_ids(user: Viewer) -> list[int]:
    """The units whose criteria the user appraises: those they work in, when they hold the appraiser role."""
    return member_unit_ids(user) if has_role(user, Role.APPRAISER) else []


def _focal_condition(user: Viewer) -> Q:
    paths = scope_paths(user, (Role.FOCAL_POINT,))
    if paths is None:  # a focal point without a scope answers for the units they work in
        return Q(unit_id__in=member_unit_ids(user))
    return subtree_condition(paths, "unit")


def _in_scope(paths: list[str] | None) -> Q:
    """Sheets of units inside ``paths``; every sheet for ``None`` (a role without a scope)."""
    return Q() if paths is None else subtree_condition(paths, "unit")


def get_assessments_for_user(user: Viewer) -> QuerySet[Assessment]:
    """Assessments (unit scoring sheets) the user may read."""
    if is_admin(user):
        return Assessment.objects.all()
    if not role_assignments(user):
        return Assessment.objects.none()
    secretariat = scope_paths(user, (Role.SECRETARIAT,))
    if secretariat is None:
        return Assessment.objects.all()
    condition = subtree_condition(secretariat, "unit")
    if has_role(user, Role.FOCAL_POINT):
        condition |= _focal_condition(user)
    submitted = Q(status__in=_SUBMITTED_STATUSES)
    condition |= submitted & _in_scope(scope_paths(user, (Role.LEADER, Role.COUNCIL)))
    if has_role(user, Role.APPRAISER):
        led = Q(scores__criterion__lead_unit_id__in=member_unit_ids(user))
        in_scope = _in_scope(scope_paths(user, (Role.APPRAISER,)))
        condition |= Q(pk__in=Assessment.objects.filter(submitted & in_scope & led).values("pk"))
    published = Q(round__stage__in=PUBLISHED_STAGES)
    condition |= published & _in_scope(scope_paths(user, (Role.SUPERVISOR,)))
    return Assessment.objects.filter(condition)


def _within(unit: Unit, paths: list[str] | None) -> bool:
    """Does ``unit`` lie inside ``paths`` (every unit for ``None``, a role without a scope)? See :func:`_in_scope`."""
    return paths is None or unit.is_within_any(paths)


def can_read_assessment(user: Viewer, assessment: Assessment) -> bool:
    """May the user read this sheet? The rule of :func:`get_assessments_for_user`, worked out on one sheet whose unit
    and round are loaded: no query but, for an appraiser, whether the sheet holds a leaf their units lead."""
    if is_admin(user):
        return True
    if not role_assignments(user):
        return False
    unit = assessment.unit
    secretariat = scope_paths(user, (Role.SECRETARIAT,))
    if _within(unit, secretariat):
        return True
    if has_role(user, Role.FOCAL_POINT):
        focal = scope_paths(user, (Role.FOCAL_POINT,))
        if (unit.pk in member_unit_ids(user)) if focal is None else unit.is_within_any(focal):
            return True
    submitted = assessment.status in _SUBMITTED_STATUSES
    if submitted and _within(unit, scope_paths(user, (Role.LEADER, Role.COUNCIL))):
        return True
    if assessment.round.stage in PUBLISHED_STAGES and _within(unit, scope_paths(user, (Role.SUPERVISOR,))):
        return True
    if submitted and has_role(user, Role.APPRAISER) and _within(unit, scope_paths(user, (Role.APPRAISER,))):
        led = member_unit_ids(user)
        return bool(led) and assessment.scores.filter(criterion__lead_unit_id__in=led).exists()
    return False


_ASSESSMENT = PreparedRead(
    Assessment, lambda pk: Assessment.objects.filter(pk=pk).select_related("round__organiser", "unit", "framework")
)


# What the sheet with its round, organiser, unit and framework is read from (``cchc.lib.page_cache``).
ASSESSMENT_READS = ("assessments", "frameworks", "organisations")


def get_assessment_for_user(user: Viewer, assessment_id: Any, *, from_cache: bool = False) -> Assessment:
    """One sheet the user may read (``Http404`` otherwise): read by its key, the rule checked on the row.

    With ``from_cache`` (the sheet's page, which only shows it) the row comes from the cache under the versions of
    the data it is read from, as the page's sections do; pages that write from it read the database."""
    key = id_or_404(assessment_id)
    if from_cache:
        assessment = page_cache.fragment(
            "assessments.sheet_row", reads=ASSESSMENT_READS, scope=key, compute=lambda: _ASSESSMENT.one(key)
        )
    else:
        assessment = _ASSESSMENT.one(key)  # its statement built once per process
    if assessment is None or not can_read_assessment(user, assessment):
        raise Http404
    return assessment


# What a score's page reads with the score (its lead unit's name, the round and the unit); an endpoint may ask for
# less (each table joined costs the building of the statement on every request).
SCORE_PAGE_RELATED = ("criterion__lead_unit", "assessment__round__organiser", "assessment__unit")
SCORE_WRITE_RELATED = ("criterion", "assessment__round", "assessment__unit")


@functools.cache
def _score_read(related: tuple[str, ...], for_update: bool) -> PreparedRead[Score]:
    """The read of a score with ``related`` (locked for ``for_update``), its statement built once per process."""

    def build(pk: Any) -> QuerySet[Score]:
        scores = Score.objects.filter(pk=pk).select_related(*related)
        return scores.select_for_update(of=("self",)) if for_update else scores

    return PreparedRead(Score, build, for_update=for_update)


def get_score_for_user(
    user: Viewer, score_id: Any, *, related: tuple[str, ...] = SCORE_PAGE_RELATED, for_update: bool = False
) -> Score:
    """One leaf's score in an assessment the user may read (``Http404`` otherwise): read by its key with ``related``
    (which must hold the sheet's unit and round), the rule checked on its sheet (:func:`can_read_assessment`).

    ``for_update``: the score's row (only it) is locked for the caller's transaction, read in the same statement, so
    that a write can hand it to its service (``locked=True``) instead of reading it once more to lock it. The lock
    is taken before the rule is checked; a caller refused ends its transaction at once, which releases it.
    """
    score = _score_read(related, for_update).one(id_or_404(score_id))
    if score is None or not can_read_assessment(user, score.assessment):
        raise Http404
    return score


def can_edit_self_assessment(user: Viewer, assessment: Assessment) -> bool:
    """The unit's focal point, while the sheet is open (draft or reopened, in the right stage)."""
    return is_focal_point_for(user, assessment.unit) and assessment.is_open_for_self_assessment()


def leads_criterion(user: Viewer, criterion: Criterion, unit: Unit) -> bool:
    """Is the user an appraiser for ``unit`` working in the unit that leads ``criterion``?"""
    if not has_role(user, Role.APPRAISER) or criterion.lead_unit_id is None:
        return False
    return covers(user, (Role.APPRAISER,), unit) and criterion.lead_unit_id in member_unit_ids(user)


def can_appraise_score(user: Viewer, score: Score) -> bool:
    """An appraiser of the leaf's lead unit, while appraisal (or settling after explanation) is open."""
    if not leads_criterion(user, score.criterion, score.assessment.unit):
        return False
    return score.assessment.is_open_for_appraisal()


def can_explain_score(user: Viewer, score: Score) -> bool:
    """The unit's focal point, in the explanation window, for a leaf whose appraised score differs from its own."""
    if not is_focal_point_for(user, score.assessment.unit) or not score.assessment.is_open_for_explanation():
        return False
    return score.appraised_score is not None and score.appraised_score != score.self_score


# ---------------------------------------------------------------------------
# Results


def can_view_all_round_results(user: Viewer, round_: Round) -> bool:
    """May the user see every unit's result in ``round_`` (including draft results before publication)?"""
    if not round_.results_exist:
        return False
    if is_admin(user):
        return True
    if has_role(user, Role.SECRETARIAT) and manages(user, round_.organiser):
        return True
    if has_role(user, Role.COUNCIL) and covers(user, (Role.COUNCIL,), round_.organiser):
        return True
    if round_.stage in PUBLISHED_STAGES:
        return covers(user, (Role.LEADER, Role.SUPERVISOR), round_.organiser)
    return False


def can_view_round_results(user: Viewer, round_: Round) -> bool:
    """May the user see the ranking of ``round_``?"""
    if can_view_all_round_results(user, round_):
        return True
    if round_.stage not in PUBLISHED_STAGES or not round_.results_exist:
        return False
    cache = round_.__dict__.setdefault("_cchc_results_readers", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = get_units_for_user(user).filter(pk=round_.organiser_id).exists()
    return bool(cache[key])


def result_unit_paths(user: Viewer, round_: Round) -> list[str] | None:
    """Subtrees of the units whose result pages the user may open in ``round_``; ``None`` means every unit."""
    if can_view_all_round_results(user, round_):
        return None
    if not can_view_round_results(user, round_):
        return []
    paths = scope_paths(user, tuple(Role.values))
    if paths is None:
        return None
    return [*paths, *member_unit_paths(user)]


def can_view_unit_result(user: Viewer, round_: Round, unit: Unit) -> bool:
    """May the user open ``unit``'s result page (scores, criteria below max) in ``round_``?"""
    paths = result_unit_paths(user, round_)
    return paths is None or unit.is_within_any(paths)


def can_view_public_round_results(round_: Round) -> bool:
    """The anonymous public page shows a round only when it is published and marked public."""
    return bool(round_.is_public) and round_.stage in PUBLISHED_STAGES and round_.results_exist


def _results_round(pk: Any) -> QuerySet[Round]:
    has_results = Exists(Result.objects.filter(assessment__round=OuterRef("pk")))
    # No ordering: one row by its key (the rounds' default order would add a sort to plan and run).
    return Round.objects.filter(pk=pk).select_related("organiser").annotate(has_results=has_results).order_by()


_RESULTS_ROUND = PreparedRead(Round, _results_round)
# What the round with its organiser and whether it has results is read from (``cchc.lib.page_cache``).
RESULTS_ROUND_READS = ("assessments", "organisations")


def get_results_round_for_user(user: Viewer, round_id: Any, *, from_cache: bool = False) -> Round:
    """The round whose ranking the user may see; ``Http404`` otherwise (existence not revealed).

    With ``from_cache`` (pages that only show it) the round comes from the cache under the versions of the data it
    is read from, as the page's cached sections do: any write to a round, a sheet, a result or a unit makes the next
    request read it again. Pages that write from it read the database."""
    key = id_or_404(round_id)
    if from_cache:
        round_ = page_cache.fragment(
            "assessments.results_round", reads=RESULTS_ROUND_READS, scope=key, compute=lambda: _RESULTS_ROUND.one(key)
        )
    else:
        # Whether it has results comes with the row (``Round.results_exist`` reads the annotation): one query, not
        # two, its statement built once per process.
        round_ = _RESULTS_ROUND.one(key)
    if round_ is None or not can_view_round_results(user, round_):
        raise Http404
    return round_
