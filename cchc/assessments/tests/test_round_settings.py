"""Grade bands and rescaling are set on the round by the secretariat."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.assessments.services import parse_grade_bands
from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError

from .conftest import Workflow

pytestmark = pytest.mark.django_db


def _edit(wf: Workflow, persona: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {"name": wf.round.name, "year": str(wf.round.year), "reason": "Theo quyết định của tỉnh", **extra}
    return wf.personas.client(persona).post(reverse("assessments:round_edit", args=[wf.round.pk]), data)


def test_grade_bands_are_read_from_the_text_the_secretariat_types() -> None:
    assert parse_grade_bands("Xuất sắc: 95; Tốt: 85,5; Khá: 70; Yếu: 0") == [
        {"grade": "Xuất sắc", "min": 95.0},
        {"grade": "Tốt", "min": 85.5},
        {"grade": "Khá", "min": 70.0},
        {"grade": "Yếu", "min": 0.0},
    ]
    assert parse_grade_bands("") == []


@pytest.mark.parametrize("text", ["A 90", "A: 90; B: 95", "A: 120", "A: chín mươi", "QUÁ-DÀI-TÊN: 50"])
def test_bad_grade_bands_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(ServiceError) as caught:
        parse_grade_bands(text)
    assert caught.value.field == "grade_bands"


def test_the_secretariat_sets_grade_bands_and_rescaling_and_it_is_audited(wf: Workflow) -> None:
    response = _edit(wf, "secretariat", grade_bands="A: 95; B: 85; C: 70; D: 0", rescale_without_survey="on")
    assert response.status_code == 302
    wf.round.refresh_from_db()
    assert wf.round.rescale_without_survey is True
    assert [band["grade"] for band in wf.round.grade_bands] == ["A", "B", "C", "D"]
    entry = AuditEntry.objects.filter(object_type="assessments.round").latest("id")
    assert "grade_bands" in entry.changes and "rescale_without_survey" in entry.changes


def test_bad_grade_bands_on_the_form_change_nothing(wf: Workflow) -> None:
    response = _edit(wf, "secretariat", grade_bands="A: 80; B: 90")
    assert response.status_code == 200
    assert "giảm dần" in response.content.decode()
    wf.round.refresh_from_db()
    assert wf.round.grade_bands == []


def test_a_focal_point_cannot_change_the_round_settings(wf: Workflow) -> None:
    response = _edit(wf, "focal_a", grade_bands="A: 50")
    assert response.status_code in {403, 404}
    wf.round.refresh_from_db()
    assert wf.round.grade_bands == []
