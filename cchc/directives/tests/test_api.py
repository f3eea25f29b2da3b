"""The directives API: the same permissions and services as the pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.directives import services
from cchc.directives.extraction_registry import extract_document
from cchc.directives.models import Assignment, Directive, ProgressReport
from cchc.extraction import to_json_dict
from cchc.testing.personas import Personas

from .conftest import make_directive, make_task


def call(personas: Personas, name: str, method: str, path: str, **kwargs: Any) -> Any:
    user = personas.user(name)
    headers = {}
    if user is not None:
        _token, raw = api_token_create(actor=user, user=user, name="thử nghiệm")
        headers["Authorization"] = f"Bearer {raw}"
    client = Client()
    if method == "get":
        return client.get(f"/api/directives{path}", kwargs.get("params", {}), headers=headers)
    if "files" in kwargs:
        return client.post(f"/api/directives{path}", kwargs["files"], headers=headers)
    return client.post(
        f"/api/directives{path}", kwargs.get("json", {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def work(personas: Personas, directive: Directive) -> dict[str, Assignment]:
    with time_machine.travel(datetime.date(2025, 9, 1), tick=False):
        late = make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 10)).assignments.get()
        later = make_task(personas, directive, personas.unit_b, deadline=datetime.date(2025, 12, 10)).assignments.get()
    elsewhere = make_task(
        personas, make_directive(personas, issuing_unit=personas.other_province), personas.other_commune
    ).assignments.get()
    return {"late": late, "later": later, "elsewhere": elsewhere}


def test_assignments_are_listed_with_their_status_and_filtered(personas: Personas, work: dict[str, Assignment]) -> None:
    with time_machine.travel(datetime.date(2025, 9, 20), tick=False):
        everything = call(personas, "secretariat", "get", "/assignments").json()
        overdue = call(personas, "secretariat", "get", "/assignments", params={"status": "overdue"}).json()
        by_unit = call(personas, "secretariat", "get", "/assignments", params={"unit": personas.unit_b.pk}).json()
        by_period = call(personas, "secretariat", "get", "/assignments", params={"period": "2025-Q4"}).json()
    assert everything["count"] == 2
    assert [(row["id"], row["status"]) for row in overdue["items"]] == [(work["late"].pk, "overdue")]
    assert [row["id"] for row in by_unit["items"]] == [work["later"].pk]
    assert [row["id"] for row in by_period["items"]] == [work["later"].pk]


def test_a_focal_point_lists_only_its_units_assignments(personas: Personas, work: dict[str, Assignment]) -> None:
    items = call(personas, "focal_b", "get", "/assignments").json()["items"]
    assert [row["id"] for row in items] == [work["later"].pk]
    assert call(personas, "focal_b", "get", f"/assignments/{work['late'].pk}").status_code == 404


def test_bad_filter_values_get_a_clear_message(personas: Personas, work: dict[str, Assignment]) -> None:
    response = call(personas, "secretariat", "get", "/assignments", params={"period": "2025-Q7"})
    assert response.status_code == 400 and "Kỳ không hợp lệ" in response.json()["detail"]
    assert call(personas, "secretariat", "get", "/assignments", params={"status": "x"}).status_code == 422


def test_unit_reports_through_the_api_and_the_secretariat_accepts(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    with time_machine.travel(datetime.date(2025, 10, 1), tick=False):
        check_report_and_acceptance(personas, work["later"])


def check_report_and_acceptance(personas: Personas, assignment: Assignment) -> None:
    refused = call(
        personas, "focal_a", "post", f"/assignments/{assignment.pk}/reports", json={"percent": 100, "text": "x"}
    )
    assert refused.status_code == 404
    assert (
        call(
            personas, "supervisor", "post", f"/assignments/{assignment.pk}/reports", json={"percent": 10, "text": "x"}
        ).status_code
        == 403
    )
    created = call(
        personas, "focal_b", "post", f"/assignments/{assignment.pk}/reports", json={"percent": 100, "text": "Đã xong"}
    )
    assert created.status_code == 201 and created.json()["review_state"] == "pending"
    report = ProgressReport.objects.get()
    assert call(personas, "focal_b", "post", f"/reports/{report.pk}/accept", json={}).status_code == 403
    accepted = call(personas, "secretariat", "post", f"/reports/{report.pk}/accept", json={"comment": "Đạt"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "done_on_time"
    again = call(personas, "secretariat", "post", f"/reports/{report.pk}/accept", json={})
    assert again.status_code == 409


def test_returning_a_report_needs_a_comment(personas: Personas, work: dict[str, Assignment]) -> None:
    report = services.report_submit(actor=personas.focal_b, assignment=work["later"], percent=100, text="Xong")
    response = call(personas, "secretariat", "post", f"/reports/{report.pk}/return", json={"comment": ""})
    assert response.status_code == 400 and response.json()["field"] == "comment"
    response = call(personas, "secretariat", "post", f"/reports/{report.pk}/return", json={"comment": "Bổ sung"})
    assert response.status_code == 200 and response.json()["review_state"] == "returned"


def test_directives_and_their_tasks_are_readable(personas: Personas, work: dict[str, Assignment]) -> None:
    listed = call(personas, "leader", "get", "/").json()
    assert [row["reference"] for row in listed["items"]] == ["176/TB-UBND"]
    detail = call(personas, "leader", "get", f"/{work['late'].directive_id}").json()
    assert [task["deadline"] for task in detail["tasks"]] == ["2025-09-10", "2025-12-10"]
    tasks = call(personas, "focal_b", "get", "/tasks", params={"directive": work["late"].directive_id}).json()
    assert tasks["count"] == 2
    assert call(personas, "focal_b", "get", f"/{work['elsewhere'].directive_id}").status_code == 404
    assert call(personas, "anonymous", "get", "/").status_code == 401


def test_extract_endpoint_takes_a_file_and_creates_nothing(personas: Personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "THÔNG BÁO\nKết luận\n1. Sở Tư pháp\n- Rà soát văn bản quy phạm pháp luật, hoàn thành trước ngày 30/11/2025.\n"
    ).encode()
    upload = SimpleUploadedFile("tb.txt", text, content_type="text/plain")
    forbidden = call(personas, "focal_a", "post", "/extract", files={"file": upload})
    assert forbidden.status_code == 403
    upload = SimpleUploadedFile("tb.txt", text, content_type="text/plain")
    response = call(
        personas, "secretariat", "post", "/extract", files={"file": upload, "issuing_unit": personas.province.pk}
    )
    assert response.status_code == 200
    assert response.json() == to_json_dict(extract_document(text, "tb.txt", issuing_unit=personas.province))
    [task] = response.json()["tasks"]
    assert (task["lead_unit_ids"], task["deadline"]) == ([personas.unit_a.pk], "2025-11-30")
    assert not Directive.objects.exists()
    empty = SimpleUploadedFile("rong.txt", b"", content_type="text/plain")
    refused = call(personas, "secretariat", "post", "/extract", files={"file": empty})
    assert refused.status_code == 400 and refused.json()["detail"] == "Tệp tải lên rỗng."
