"""Whether a user may read one sheet is worked out on the row (``access.can_read_assessment``) by the pages and
endpoints that open one sheet or one score; it must answer exactly what the list of readable sheets
(``access.get_assessments_for_user``) answers, for every persona, sheet and moment of the round."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.assessments import access, services
from cchc.assessments.models import Assessment, Stage
from cchc.organisations.models import Membership
from cchc.testing.personas import as_dict

from .conftest import Workflow, self_assess_all

pytestmark = pytest.mark.django_db


def _readers(wf: Workflow) -> dict[str, User | None]:
    people = {**as_dict(wf.personas), "council": wf.council}
    # A focal point with no scope answers for the units they work in; an appraiser whose unit leads no criterion.
    scopeless = User.objects.create(username="daumoi_khong_pham_vi", full_name="Đầu Mối Không Phạm Vi")
    Membership.objects.create(user=scopeless, unit=wf.personas.unit_b)
    RoleAssignment.objects.create(user=scopeless, role=Role.FOCAL_POINT, scope=None)
    idle = User.objects.create(username="thamdinh_khac", full_name="Thẩm Định Không Chủ Trì")
    Membership.objects.create(user=idle, unit=wf.personas.unit_b)
    RoleAssignment.objects.create(user=idle, role=Role.APPRAISER, scope=wf.personas.province)
    return {**people, "scopeless_focal": scopeless, "idle_appraiser": idle}


def _agree(wf: Workflow, readers: dict[str, User | None], moment: str) -> None:
    for name, user in readers.items():
        listed = set(access.get_assessments_for_user(user or AnonymousUser()).values_list("pk", flat=True))
        for sheet in Assessment.objects.select_related("unit", "round").filter(round=wf.round):
            fresh = User.objects.get(pk=user.pk) if user is not None else AnonymousUser()  # nothing read before
            assert access.can_read_assessment(fresh, sheet) == (sheet.pk in listed), (moment, name, sheet.unit.code)
            if sheet.pk not in listed:
                with pytest.raises(Http404):
                    access.get_assessment_for_user(fresh, sheet.pk)
                with pytest.raises(Http404):
                    access.get_score_for_user(fresh, sheet.scores.first().pk)  # type: ignore[union-attr]
            else:
                assert access.get_assessment_for_user(fresh, sheet.pk).pk == sheet.pk


def test_reading_one_sheet_follows_the_rule_of_the_list_of_readable_sheets_through_the_round(wf: Workflow) -> None:
    readers = _readers(wf)
    _agree(wf, readers, "self-assessment")
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    _agree(wf, readers, "A submitted")
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    _agree(wf, readers, "appraisal")
    wf.round.stage = Stage.PUBLISHED
    wf.round.save()
    _agree(wf, readers, "published")
