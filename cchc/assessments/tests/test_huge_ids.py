"""Ids above 2^63 in evidence forms give a validation message, not a server error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.assessments.models import Evidence
from cchc.testing.files import pdf_bytes

from .conftest import Workflow

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE])
def test_an_evidence_upload_linked_to_an_id_above_64_bits_is_refused_with_a_message(wf: Workflow, value: str) -> None:
    response = wf.personas.client("focal_a").post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": SimpleUploadedFile("ke-hoach.pdf", pdf_bytes()), "scores": [value]},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_an_evidence_reference_linked_to_an_id_above_64_bits_is_refused_with_a_message(wf: Workflow) -> None:
    response = wf.personas.client("focal_a").post(
        reverse("assessments:evidence_reference", args=[wf.a.pk]),
        {"title": "Quyết định 12", "document_number": "12/QĐ-UBND", "scores": [HUGE, wf.score(wf.a, "1.1").pk]},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_new_round_with_a_framework_id_above_64_bits_is_refused_with_a_message(wf: Workflow) -> None:
    response = wf.personas.client("secretariat").post(
        reverse("assessments:round_create"), {"name": "Kỳ thử", "year": "2026", "frameworks": [HUGE]}
    )
    assert response.status_code in {200, 400}


@pytest.mark.parametrize("name", ["assessments:assessment_detail", "assessments:results_ranking"])
def test_a_sheet_or_a_ranking_asked_for_by_an_id_above_64_bits_is_not_found(wf: Workflow, name: str) -> None:
    response = wf.personas.client("secretariat").get(reverse(name, args=[HUGE]))
    assert response.status_code == 404
