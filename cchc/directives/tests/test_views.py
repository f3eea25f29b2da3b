"""Workflows through HTTP: register a directive, give tasks, report with a file, accept, extend, track, export."""

from __future__ import annotations

import datetime
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cchc.directives import services
from cchc.directives.models import (
    Assignment,
    Directive,
    ExtensionRequest,
    ProgressReport,
    ReviewState,
    Status,
    Task,
)
from cchc.indicators.models import IndicatorValue
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas

from .conftest import Mailbox, make_task

SEED = Path("/work/shared/seeds/vp-ubnd-tinh-2022-ke-hoach-par-sipas.txt")
TODAY = datetime.date(2025, 9, 20)
PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def today() -> Any:
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, 0), tick=False):
        yield


def seed_text() -> bytes:
    if SEED.exists():
        return SEED.read_bytes()
    return "KẾ HOẠCH\nNâng cao Chỉ số cải cách hành chính năm 2022\n".encode()


def test_secretariat_registers_a_directive_with_its_file_then_gives_a_task_to_a_unit_and_all_communes(
    personas: Personas,
) -> None:
    client = personas.client("secretariat")
    upload = SimpleUploadedFile("ke-hoach.txt", seed_text(), content_type="text/plain")
    response = client.post(
        reverse("directives:directive_create"),
        {
            "kind": "ke_hoach",
            "reference": "142/KH-VPUBND",
            "issued_on": "2025-08-15",
            "issuing_unit": personas.province.pk,
            "signer": "Lê Thị Thanh Thủy",
            "subject": "Kế hoạch nâng cao Chỉ số CCHC và SIPAS năm 2025",
            "file": upload,
        },
    )
    directive = Directive.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "directives:task_create", args=[directive.pk]
    )
    assert directive.sha256 == hashlib.sha256(seed_text()).hexdigest() and directive.file_name == "ke-hoach.txt"

    response = client.post(
        reverse("directives:task_create", args=[directive.pk]),
        {
            "section": "III.2",
            "content": "Theo dõi, đôn đốc các đơn vị triển khai Kế hoạch",
            "units": [personas.unit_a.pk],
            "fan_out": "communes",
            "expected_output": "report",
            "deadline_kind": "period",
            "period_key": "2025-Q4",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert set(task.assignments.values_list("unit_id", flat=True)) == {personas.unit_a.pk, personas.unit_b.pk}
    assert set(task.assignments.values_list("due_date", flat=True)) == {datetime.date(2025, 12, 31)}

    page = client.get(reverse("directives:directive_detail", args=[directive.pk]))
    assert page.status_code == 200
    assert "Chưa thực hiện: 2" in page.content.decode()
    assert client.get(reverse("directives:directive_file", args=[directive.pk])).status_code == 200


def test_directive_with_a_file_of_the_wrong_kind_is_refused_with_a_message_and_nothing_saved(
    personas: Personas,
) -> None:
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = personas.client("secretariat").post(
        reverse("directives:directive_create"),
        {"kind": "cong_van", "issuing_unit": personas.province.pk, "subject": "V/v CCHC", "file": upload},
    )
    assert response.status_code == 200
    assert "Chỉ chấp nhận văn bản Word" in response.content.decode()
    assert not Directive.objects.exists()


def test_task_form_refuses_a_date_deadline_without_a_date(personas: Personas, directive: Directive) -> None:
    response = personas.client("secretariat").post(
        reverse("directives:task_create", args=[directive.pk]),
        {"content": "Việc", "units": [personas.unit_a.pk], "expected_output": "other", "deadline_kind": "date"},
    )
    assert response.status_code == 200
    assert "Hãy ghi thời hạn hoàn thành." in response.content.decode()
    assert not Task.objects.exists()


def test_focal_point_reports_with_a_file_the_secretariat_accepts_and_the_rate_is_published(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive, personas.unit_a).assignments.get()
    focal = personas.client("focal_a")
    mine = focal.get(reverse("directives:my_tasks"))
    assert mine.status_code == 200
    assert mine.context["tasks"].due_soon == (assignment.pk,)

    response = focal.post(
        reverse("directives:report_create", args=[assignment.pk]),
        {
            "percent": "100",
            "text": "Đã hoàn thành rà soát, kèm báo cáo",
            "attachments": [SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.review_state == ReviewState.PENDING
    attachment = report.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest() and attachment.file_name == "bao-cao.pdf"
    assert focal.get(reverse("directives:my_tasks")).context["tasks"].waiting == (assignment.pk,)

    secretariat = personas.client("secretariat")
    waiting = secretariat.get(reverse("directives:tracker"), {"waiting": "1"})
    assert waiting.context["table"].ids == (assignment.pk,)
    detail = secretariat.get(reverse("directives:assignment_detail", args=[assignment.pk]))
    assert detail.context["review_form"] is not None
    response = secretariat.post(reverse("directives:report_review", args=[report.pk]), {"decision": "accept"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Status.DONE_ON_TIME
    value = IndicatorValue.objects.get(
        indicator__code=services.ON_TIME_RATE, unit=personas.unit_a, period_key="2025-Q3"
    )
    assert value.value == 100
    stats = secretariat.get(reverse("directives:stats"), {"period": "2025-Q3"})
    assert [(row.unit, row.rate) for row in stats.context["rows"]] == [(personas.unit_a, 100)]


def test_report_with_a_fake_pdf_is_refused_with_a_message_and_nothing_saved(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:report_create", args=[assignment.pk]),
        {
            "percent": "50",
            "text": "Đang làm",
            "attachments": [SimpleUploadedFile("bao-cao.pdf", b"not a pdf", content_type="application/pdf")],
        },
    )
    assert response.status_code == 400
    assert "Tệp không đúng định dạng PDF" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_return_without_comment_is_refused_and_with_comment_reaches_the_unit(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    report = services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Xong")
    client = personas.client("secretariat")
    url = reverse("directives:report_review", args=[report.pk])
    assert client.post(url, {"decision": "return", "comment": ""}).status_code == 400
    assert client.post(url, {"decision": "return", "comment": "Bổ sung số liệu quý III"}).status_code == 302
    returned = personas.client("focal_a").get(reverse("directives:my_tasks")).context["tasks"].returned
    assert returned == (assignment.pk,)


def test_extension_is_requested_by_the_unit_and_approved_by_the_secretariat(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:extension_create", args=[assignment.pk]),
        {"new_due_date": "2025-10-31", "reason": "Chờ hướng dẫn của Bộ Nội vụ"},
    )
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    assert (
        personas.client("focal_a")
        .post(reverse("directives:extension_decide", args=[extension.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    response = personas.client("secretariat").post(
        reverse("directives:extension_decide", args=[extension.pk]), {"decision": "approve", "comment": "Đồng ý"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_date == datetime.date(2025, 10, 31)


def test_extension_with_an_impossible_date_gets_a_clear_message(personas: Personas, directive: Directive) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:extension_create", args=[assignment.pk]), {"new_due_date": "31/02/2025", "reason": "x"}
    )
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in response.content.decode()


def test_tracker_filters_by_status_unit_directive_and_period_and_pages_by_50(
    personas: Personas, directive: Directive, django_assert_max_num_queries: Any
) -> None:
    overdue = make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 1)).assignments.get()
    for number in range(60):
        make_task(personas, directive, personas.unit_b, deadline=datetime.date(2025, 12, 1), content=f"Việc {number}")
    client = personas.client("secretariat")
    # A first view: the rows and the filters are made, and kept under the version of the data read (one query for
    # each of the two sections).
    with django_assert_max_num_queries(17):
        page = client.get(reverse("directives:tracker"))
    assert page.context["table"].count == 61 and len(page.context["table"].ids) == 50
    assert page.context["table"].ids[0] == overdue.pk
    only_overdue = client.get(reverse("directives:tracker"), {"status": "overdue"})
    assert only_overdue.context["table"].ids == (overdue.pk,)
    assert client.get(reverse("directives:tracker"), {"unit": personas.unit_a.pk}).context["table"].count == 1
    assert client.get(reverse("directives:tracker"), {"period": "2025-Q4"}).context["table"].count == 60
    assert client.get(reverse("directives:tracker"), {"directive": directive.pk + 1}).context["table"].count == 0
    # Nonsense in the query string is ignored, never an error page.
    assert (
        client.get(reverse("directives:tracker"), {"status": "x", "period": "2025-Q9", "unit": "a"}).status_code == 200
    )
    partial = client.get(reverse("directives:tracker"), {"status": "overdue"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="tracker-table">')


def test_tracker_exports_the_filtered_view_to_excel(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 1))
    make_task(personas, directive, personas.unit_b, deadline=datetime.date(2025, 12, 1))
    response = personas.client("leader").get(reverse("directives:tracker_export"), {"status": "overdue"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined,arg-type]
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Số, ký hiệu văn bản"
    assert len(rows) == 2
    assert rows[1][3] == "Sở Tư pháp" and rows[1][8] == "Quá hạn chưa hoàn thành"


def test_bulk_reminder_from_the_tracker_emails_the_chosen_units(
    personas: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    personas.focal_a.email = "daumoi.a@example.vn"
    personas.focal_a.save()
    assignment = make_task(personas, directive, personas.unit_a).assignments.get()
    response = personas.client("secretariat").post(
        reverse("directives:tracker_remind"), {"assignment": [str(assignment.pk)], "back": "status=in_progress"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?status=in_progress")
    assert [str(message["To"]) for message in mailbox.received()] == ["daumoi.a@example.vn"]
    assert (
        personas.client("leader")
        .post(reverse("directives:tracker_remind"), {"assignment": [str(assignment.pk)]})
        .status_code
        == 403
    )


def test_publish_statistics_button_writes_the_indicator_for_the_chosen_period(
    personas: Personas, directive: Directive
) -> None:
    make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 1))
    response = personas.client("secretariat").post(reverse("directives:stats_publish"), {"period": "2025-Q3"})
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator__code=services.ON_TIME_RATE, period_key="2025-Q3")
    assert (value.unit, value.value) == (personas.unit_a, 0)
    assert personas.client("leader").post(reverse("directives:stats_publish"), {"period": "2025-Q3"}).status_code == 403


def test_directive_list_shows_what_the_user_may_see(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a)
    assert directive in personas.client("focal_a").get(reverse("directives:directive_list")).context["page"]
    assert not list(personas.client("focal_b").get(reverse("directives:directive_list")).context["page"])
    found = personas.client("secretariat").get(reverse("directives:directive_list"), {"q": "176/TB"})
    assert list(found.context["page"]) == [directive]


def test_task_page_rolls_up_the_fanned_out_assignments(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a, personas.unit_b)
    services.report_submit(
        actor=personas.focal_b, assignment=task.assignments.get(unit=personas.unit_b), percent=20, text="Bắt đầu"
    )
    page = personas.client("secretariat").get(reverse("directives:task_detail", args=[task.pk]))
    assert page.status_code == 200
    rollup = page.context["rollup"]
    assert rollup.total == 2
    assert rollup.counts == {Status.NOT_STARTED: 1, Status.IN_PROGRESS: 1}
    assert Assignment.objects.count() == 2


def test_tracker_opens_on_unfinished_work_and_shows_finished_work_on_request(
    personas: Personas, directive: Directive
) -> None:
    done = make_task(personas, directive, personas.unit_a, content="Đã xong").assignments.get()
    report = services.report_submit(actor=personas.focal_a, assignment=done, percent=100, text="Xong")
    services.report_accept(actor=personas.secretariat, report=report)
    still_open = make_task(personas, directive, personas.unit_b, content="Chưa xong").assignments.get()
    client = personas.client("secretariat")
    assert client.get(reverse("directives:tracker")).context["table"].ids == (still_open.pk,)
    everything = client.get(reverse("directives:tracker"), {"status": "all"}).context["table"].ids
    assert set(everything) == {done.pk, still_open.pk}
