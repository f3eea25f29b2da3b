"""The PAR INDEX demo: last year's round published with its history, this year's in self-assessment; idempotent."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
from cchc.assessments.demo import LAST_YEAR, THIS_YEAR, load_demo
from cchc.assessments.models import Assessment, AssessmentStatus, Evidence, Explanation, Result, Round, Score, Stage
from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.frameworks.demo import load_demo as load_frameworks_demo
from cchc.frameworks.models import RuleKind

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    models = (Round, Assessment, Score, Evidence, Explanation, Result, AuditEntry)
    return tuple(model.objects.count() for model in models)


def test_the_demo_shows_a_published_round_and_one_in_progress_and_loading_again_changes_nothing() -> None:
    load_province(password="cchc-demo-2025")
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())

    last = Round.objects.get(year=LAST_YEAR)
    assert last.stage == Stage.PUBLISHED and last.approved_at is not None
    assert set(last.assessments.values_list("status", flat=True)) == {AssessmentStatus.APPROVED}
    assert Result.objects.filter(assessment__round=last).count() == last.assessments.count()
    assert Score.objects.filter(assessment__round=last, appraisal_reason__gt="").exists()
    assert Explanation.objects.filter(score__assessment__round=last).exists()
    assert not Score.objects.filter(assessment__round=last, final_score=None).exists()

    current = Round.objects.get(year=THIS_YEAR)
    assert current.stage == Stage.SELF_ASSESSMENT and current.previous_round == last
    statuses = list(current.assessments.values_list("status", "is_late"))
    assert (AssessmentStatus.SUBMITTED, True) in statuses
    assert (AssessmentStatus.SUBMITTED, False) in statuses
    assert (AssessmentStatus.DRAFT, False) in statuses
    own = current.assessments.get(unit__code="PT-STP")  # the demo focal point's unit stays open
    assert own.status == AssessmentStatus.DRAFT and own.scores.exclude(self_score=None).exists()

    before = _counts()
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    assert _counts() == before


def test_the_demo_enters_what_each_rule_asks_for_and_the_focal_point_sees_it_on_the_sheet() -> None:
    load_province(password="cchc-demo-2025")
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())

    scored = Score.objects.filter(assessment__round__year=THIS_YEAR, self_score__isnull=False)
    choices = scored.filter(criterion__rule_kind__in=(RuleKind.YES_NO, RuleKind.TIMELINESS))
    rates = scored.filter(criterion__rule_kind__in=(RuleKind.BANDS, RuleKind.PROPORTIONAL))
    assert choices.exists() and rates.exists()
    assert not choices.filter(self_choice="").exists()  # a unit ticks a choice; the rule gives the points
    assert not rates.filter(self_value=None).exists()  # and types a rate for the rate rules

    own = Assessment.objects.get(round__year=THIS_YEAR, unit__code="PT-STP")
    client = Client()
    client.force_login(User.objects.get(username="daumoi"), backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("assessments:assessment_detail", args=[own.pk])).content.decode()
    assert re.search(r'<input type="radio" name="choice" value="[a-z_]+"[^>]*checked', page)
    assert "Điểm tự chấm hiện tại: <strong>" in page
