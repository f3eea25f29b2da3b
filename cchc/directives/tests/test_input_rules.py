"""Bounds on directive input, on the pages, the API and the services: text length, NUL characters, dates."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cchc.accounts.services import api_token_create
from cchc.directives import services
from cchc.directives.models import Directive, ProgressReport, Task
from cchc.lib.errors import ServiceError
from cchc.testing.personas import Personas

from .conftest import make_directive, make_task

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * 1_000_000


def _api(personas: Personas, name: str, method: str, url: str, body: Any) -> Any:
    user = personas.user(name)
    assert user is not None
    headers = {"Authorization": f"Bearer {api_token_create(actor=user, user=user, name='thử')[1]}"}
    send = getattr(Client(), method)
    return send(url, data=json.dumps(body), content_type="application/json", headers=headers)


def _directive_form(personas: Personas, **data: Any) -> dict[str, Any]:
    return {
        "kind": "ke_hoach",
        "reference": "142/KH-VPUBND",
        "issued_on": "2025-08-15",
        "issuing_unit": personas.province.pk,
        "subject": "Kế hoạch nâng cao Chỉ số CCHC năm 2025",
        **data,
    }


def test_a_megabyte_subject_is_refused_on_the_directive_page(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = client.post(reverse("directives:directive_create"), _directive_form(personas, subject=MEGABYTE))
    assert response.status_code in (200, 400)
    assert "1000" in response.content.decode() or "1.000" in response.content.decode()
    assert not Directive.objects.exists()


@pytest.mark.parametrize("day", ["1900-01-01", "2101-01-01", "0001-01-01"])
def test_an_issue_date_outside_1945_to_2100_is_refused_on_the_page(personas: Personas, day: str) -> None:
    client = personas.client("secretariat")
    response = client.post(reverse("directives:directive_create"), _directive_form(personas, issued_on=day))
    assert "Ngày phải nằm trong khoảng năm 1945 đến năm 2100." in response.content.decode()
    assert not Directive.objects.exists()


def test_the_directive_service_refuses_a_subject_too_long_and_a_date_out_of_range(personas: Personas) -> None:
    with pytest.raises(ServiceError) as caught:
        make_directive(personas, subject="x" * 1_001)
    assert caught.value.field == "subject"
    with pytest.raises(ServiceError) as caught:
        make_directive(personas, issued_on=datetime.date(1800, 1, 1))
    assert caught.value.field == "issued_on"


def test_a_megabyte_progress_report_is_refused_on_the_page_and_in_the_api(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive, personas.unit_a).assignments.get()
    page = personas.client("focal_a").post(
        reverse("directives:report_create", args=[assignment.pk]), {"percent": "50", "text": MEGABYTE}
    )
    assert page.status_code in (200, 400)
    url = f"/api/directives/assignments/{assignment.pk}/reports"
    response = _api(personas, "focal_a", "post", url, {"percent": 50, "text": MEGABYTE})
    assert response.status_code == 422 and "“text” dài quá 10000 ký tự" in response.json()["detail"]
    with pytest.raises(ServiceError) as caught:
        services.report_submit(actor=personas.focal_a, assignment=assignment, percent=50, text="x" * 10_001)
    assert caught.value.field == "text"
    assert not ProgressReport.objects.exists()


def test_a_megabyte_task_content_is_refused_in_the_api_and_nothing_changes(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a)
    response = _api(personas, "secretariat", "patch", f"/api/directives/tasks/{task.pk}", {"content": MEGABYTE})
    assert response.status_code == 422 and "“content” dài quá" in response.json()["detail"]
    response = _api(personas, "secretariat", "patch", f"/api/directives/tasks/{task.pk}", {"deadline": "1900-01-01"})
    assert response.status_code == 422
    assert "“deadline” phải nằm trong khoảng năm 1945 đến năm 2100." in response.json()["detail"]
    task.refresh_from_db()
    assert task.content == "Rà soát thủ tục hành chính, đề xuất phương án đơn giản hóa"


def test_a_task_patch_changes_only_the_fields_sent_and_null_clears_an_optional_one(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a)
    url = f"/api/directives/tasks/{task.pk}"
    with time_machine.travel(datetime.date(2025, 8, 2), tick=False):
        response = _api(personas, "secretariat", "patch", url, {"lead_label": "Sở Nội vụ"})
        assert response.status_code == 200, response.content
        response = _api(personas, "secretariat", "patch", url, {"section": None})
        assert response.status_code == 200, response.content
        refused = _api(personas, "secretariat", "patch", url, {"content": None})
    task = Task.objects.get(pk=task.pk)
    assert (task.section, task.lead_label, task.deadline) == ("", "Sở Nội vụ", datetime.date(2025, 9, 30))
    assert refused.status_code == 422 and "“content” không được để trống (null)." in refused.json()["detail"]


def test_an_id_too_large_for_the_database_is_a_validation_message(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a)
    response = _api(
        personas, "secretariat", "patch", f"/api/directives/tasks/{task.pk}", {"unit_ids": [99999999999999999999999]}
    )
    assert response.status_code == 422 and "“unit_ids.0”" in response.json()["detail"]


def test_a_nul_character_in_a_query_string_is_refused_with_a_vietnamese_message(personas: Personas) -> None:
    response = personas.client("secretariat").get(reverse("directives:tracker"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "ký tự NUL" in response.content.decode()
