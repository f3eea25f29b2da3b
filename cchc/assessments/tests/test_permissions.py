"""Who sees and edits which round, sheet and leaf (``cchc.assessments.access``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cchc.assessments import access, services
from cchc.assessments.models import Stage

from .conftest import Workflow, build_workflow, self_assess_all

pytestmark = pytest.mark.django_db


def _visible(wf: Workflow, name: str) -> set[str]:
    user = wf.council if name == "council" else wf.personas.user(name) or AnonymousUser()
    units = access.get_assessments_for_user(user).values_list("unit__name", flat=True)
    return set(units)


A, B = "Sở Tư pháp", "Xã Hòa Bình"


def test_while_units_self_assess_only_they_and_the_secretariat_see_their_drafts(wf: Workflow) -> None:
    expected = {
        "admin": {A, B},
        "secretariat": {A, B},
        "focal_a": {A},
        "focal_b": {B},
        "leader": set(),
        "appraiser": set(),
        "council": set(),
        "supervisor": set(),
        "anonymous": set(),
    }
    assert {name: _visible(wf, name) for name in expected} == expected


def test_a_submitted_sheet_opens_to_leaders_council_and_appraisers_of_its_leaves(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    assert _visible(wf, "leader") == {A}
    assert _visible(wf, "council") == {A}
    assert _visible(wf, "appraiser") == {A}
    assert _visible(wf, "focal_b") == {B}
    assert _visible(wf, "supervisor") == set()


def test_the_supervisor_reads_every_sheet_once_published_and_never_edits(wf: Workflow) -> None:
    wf.round.stage = Stage.PUBLISHED
    wf.round.save()
    assert _visible(wf, "supervisor") == {A, B}
    supervisor = wf.personas.supervisor
    score = wf.score(wf.a, "1.1")
    assert not access.can_edit_self_assessment(supervisor, wf.a)
    assert not access.can_appraise_score(supervisor, score)
    assert not access.can_manage_round(supervisor, wf.round)
    assert not access.can_approve_round(supervisor, wf.round)


def test_an_appraiser_edits_only_the_leaves_their_unit_leads(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    appraiser = wf.personas.appraiser
    assert access.can_appraise_score(appraiser, wf.score(wf.a, "1.1"))  # led by Sở Nội vụ
    assert not access.can_appraise_score(appraiser, wf.score(wf.a, "2.1"))  # led by Sở Tư pháp
    assert not access.can_appraise_score(wf.personas.secretariat, wf.score(wf.a, "1.1"))
    assert not access.can_appraise_score(appraiser, wf.score(wf.b, "1.1"))  # B has not submitted


def test_only_the_focal_point_of_the_unit_self_assesses(wf: Workflow) -> None:
    personas = wf.personas
    assert access.can_edit_self_assessment(personas.focal_a, wf.a)
    for name in ("focal_b", "secretariat", "leader", "appraiser", "supervisor", "admin"):
        assert not access.can_edit_self_assessment(personas.user(name) or AnonymousUser(), wf.a), name


def test_a_round_in_preparation_is_seen_only_by_those_who_run_it(personas) -> None:  # type: ignore[no-untyped-def]
    wf = build_workflow(personas, stage=Stage.DRAFT)
    for name in ("admin", "secretariat"):
        assert access.get_rounds_for_user(personas.user(name)).filter(pk=wf.round.pk).exists()
    for name in ("leader", "focal_a", "appraiser", "supervisor", "anonymous"):
        assert not access.get_rounds_for_user(personas.user(name)).filter(pk=wf.round.pk).exists(), name


def test_the_council_approves_and_the_secretariat_runs_the_round(wf: Workflow) -> None:
    assert access.can_approve_round(wf.council, wf.round)
    assert not access.can_approve_round(wf.personas.secretariat, wf.round)
    assert access.can_manage_round(wf.personas.secretariat, wf.round)
    assert not access.can_manage_round(wf.council, wf.round)
    assert not access.can_manage_round(wf.personas.leader, wf.round)
