"""Input rules of the score pages and services: version checks with a message, no-op saves, bounds, ``-0``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Score, Stage
from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError

from .conftest import Workflow, self_assess_all

pytestmark = pytest.mark.django_db

RELOAD = "Biểu mẫu đã cũ hoặc bị thay đổi (phiên bản không hợp lệ); hãy tải lại trang rồi nhập lại."


def _entries(score: Score) -> int:
    return AuditEntry.objects.filter(object_type="assessments.score", object_id=str(score.pk)).count()


def _post_self(wf: Workflow, score: Score, **data: object):  # type: ignore[no-untyped-def]
    form = {"version": score.version, "points": "2,5", "note": "Đủ 4 báo cáo", "no_evidence_reason": "", **data}
    return wf.personas.client("focal_a").post(reverse("assessments:score_self", args=[score.pk]), form)


@pytest.mark.parametrize("version", ["abc", "-1", ""])
def test_a_tampered_hidden_version_shows_a_vietnamese_message(wf: Workflow, version: str) -> None:
    score = wf.score(wf.a, "1.2")
    response = _post_self(wf, score, version=version)
    assert response.status_code == 400
    assert RELOAD in response.content.decode()
    score.refresh_from_db()
    assert (score.self_score, score.version) == (None, 0)


def test_a_web_save_that_changes_nothing_keeps_the_version_and_writes_no_audit_row(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    assert _post_self(wf, score).status_code == 302
    score.refresh_from_db()
    assert (score.version, _entries(score)) == (1, 1)
    assert _post_self(wf, score).status_code == 302
    score.refresh_from_db()
    assert (score.version, _entries(score)) == (1, 1)


def test_a_no_op_self_score_leaves_another_persons_version_valid(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    focal = wf.personas.focal_a
    services.score_self_set(actor=focal, score=score, points=Decimal(1), note="Có", version=0)
    services.score_self_set(actor=focal, score=score, points=Decimal(1), note="Có", version=1)
    updated = services.score_self_set(actor=focal, score=score, points=Decimal(2), note="Có", version=1)
    assert updated.version == 2


def test_an_appraisal_that_repeats_the_same_decision_keeps_the_version(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    score = wf.score(wf.a, "1.1")
    appraiser = wf.personas.appraiser
    first = services.score_appraise(
        actor=appraiser, score=score, version=score.version, points=Decimal(1), reason="Ban hành muộn"
    )
    entries = _entries(score)
    again = services.score_appraise(
        actor=appraiser, score=score, version=first.version, points=Decimal(1), reason="Ban hành muộn"
    )
    assert again.version == first.version
    assert _entries(score) == entries


def test_a_megabyte_note_is_refused_on_the_page_with_a_message(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    response = _post_self(wf, score, note="x" * 1_000_000)
    assert response.status_code == 400
    assert "10000" in response.content.decode() or "10.000" in response.content.decode()
    score.refresh_from_db()
    assert score.self_note == ""


def test_the_self_score_service_refuses_a_note_too_long_with_its_field(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    with pytest.raises(ServiceError) as caught:
        services.score_self_set(actor=wf.personas.focal_a, score=score, points=Decimal(1), note="x" * 10_001)
    assert caught.value.field == "note" and "10.000" in caught.value.message


def test_minus_zero_typed_on_the_page_is_stored_as_zero(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    assert _post_self(wf, score, points="-0").status_code == 302
    score.refresh_from_db()
    assert score.self_score is not None and str(score.self_score) == "0.00" and not score.self_score.is_signed()


def test_a_nul_character_in_a_form_is_refused_with_a_vietnamese_message(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    response = _post_self(wf, score, note="a\x00b")
    assert response.status_code == 400
    assert "ký tự NUL" in response.content.decode()
    score.refresh_from_db()
    assert score.version == 0
