"""The review page: proposed tasks beside the document; nothing exists until the user confirms, and a failed
confirmation creates nothing.

The proposals here are hand-made objects with the extraction engine's shape, so that the page is tested on
exactly what it receives whatever the engine proposes for a given document.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.directives import proposals, services
from cchc.directives.models import Assignment, Directive, DirectiveDraft, Task
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.testing.personas import Personas

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
TEXT = (
    "THÔNG BÁO\nKết luận của Chủ tịch UBND tỉnh\n"
    "(2) Sở Tư pháp: Chủ trì rà soát văn bản quy phạm pháp luật, hoàn thành trước ngày 30/11/2025.\n"
    "(3) UBND các xã: Xây dựng kế hoạch cải thiện Chỉ số CCHC, báo cáo hằng quý.\n"
    "(4) Trung tâm Truyền thông tỉnh: Xây dựng chuyên mục CCHC.\n"
)


@dataclass
class ProposedTask:
    section: str
    lead_unit: str | None
    lead_unit_id: int | None
    lead_unit_ids: list[int]
    supporting_units: list[str]
    supporting_unit_ids: list[int]
    content: str
    deadline: datetime.date | None
    deadline_text: str
    recurrence: str
    period_key: str


@dataclass
class Extraction:
    reference: str
    date: datetime.date | None
    issuer: str
    signer: str
    subject: str
    addressees: list[str]
    kind: str
    text: str
    tasks: list[ProposedTask]
    warnings: list[str] = field(default_factory=list)


def extraction(personas: Personas) -> Extraction:
    return Extraction(
        reference="176/TB-UBND",
        date=datetime.date(2025, 9, 9),
        issuer="UBND tỉnh Thử Nghiệm",
        signer="Vũ Văn Trung",
        subject="Kết luận tại Hội nghị phân tích Chỉ số CCHC năm 2024",
        addressees=["Các sở, ban, ngành", "UBND các xã, phường"],
        kind="thông báo",
        text=TEXT,
        tasks=[
            ProposedTask(
                section="(2)",
                lead_unit="Sở Tư pháp",
                lead_unit_id=personas.unit_a.pk,
                lead_unit_ids=[personas.unit_a.pk],
                supporting_units=[],
                supporting_unit_ids=[],
                content="Chủ trì rà soát văn bản quy phạm pháp luật",
                deadline=datetime.date(2025, 11, 30),
                deadline_text="trước ngày 30/11/2025",
                recurrence="",
                period_key="",
            ),
            ProposedTask(
                section="(3)",
                lead_unit="UBND các xã",
                lead_unit_id=None,
                lead_unit_ids=[personas.unit_b.pk],
                supporting_units=[],
                supporting_unit_ids=[],
                content="Xây dựng kế hoạch cải thiện Chỉ số CCHC, báo cáo hằng quý",
                deadline=None,
                deadline_text="hằng quý",
                recurrence="quarterly",
                period_key="",
            ),
            ProposedTask(
                section="(4)",
                lead_unit="Trung tâm Truyền thông tỉnh",
                lead_unit_id=None,
                lead_unit_ids=[],
                supporting_units=[],
                supporting_unit_ids=[],
                content="Xây dựng chuyên mục CCHC",
                deadline=None,
                deadline_text="",
                recurrence="",
                period_key="",
            ),
        ],
        warnings=["Không tìm thấy ngày ký ở cuối văn bản."],
    )


def long_draft(personas: Personas, *, tasks: int) -> DirectiveDraft:
    """A draft of ``tasks`` proposed tasks, read while the province has 80 more communes (84 units or more)."""
    for number in range(80):
        unit_create(
            actor=None,
            data=UnitData(name=f"Xã Thử Nghiệm {number}", kind=UnitKind.COMMUNE, code=f"T-X-{number}"),
            parent=personas.province,
        )
    proposed = extraction(personas)
    proposed.tasks = [
        ProposedTask(
            section=f"{number}.",
            lead_unit="Sở Tư pháp",
            lead_unit_id=personas.unit_a.pk,
            lead_unit_ids=[personas.unit_a.pk],
            supporting_units=[],
            supporting_unit_ids=[],
            content=f"Nhiệm vụ số {number}: rà soát thủ tục hành chính thuộc thẩm quyền",
            deadline=datetime.date(2025, 12, 31),
            deadline_text="trước ngày 31/12/2025",
            recurrence="",
            period_key="",
        )
        for number in range(1, tasks + 1)
    ]
    return services.draft_create(
        actor=personas.secretariat,
        issuing_unit=personas.province,
        file=services.StoredFile(name=f"ke-hoach-{tasks}.txt", content=TEXT.encode()),
        extraction=proposals.extraction_as_dict(proposed),
    )


@pytest.fixture
def draft(personas: Personas) -> DirectiveDraft:
    return services.draft_create(
        actor=personas.secretariat,
        issuing_unit=personas.province,
        file=services.StoredFile(name="176-TB-UBND.txt", content=TEXT.encode()),
        extraction=proposals.extraction_as_dict(extraction(personas)),
    )


def form_data(page: Any) -> dict[str, Any]:
    """What the browser would post back: every field with its initial value, as rendered."""
    data: dict[str, Any] = {}
    for form in (page.context["meta"], *page.context["tasks"].forms, *page.context["names"].forms):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value in (None, False):
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            elif isinstance(value, datetime.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(value)
    for formset in (page.context["tasks"], page.context["names"]):
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
    return data


def test_review_page_shows_the_document_beside_the_proposed_tasks(personas: Personas, draft: DirectiveDraft) -> None:
    page = personas.client("secretariat").get(reverse("directives:draft_review", args=[draft.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "(3) UBND các xã: Xây dựng kế hoạch" in re.sub(r"<[^>]+>", "", body)  # the document, its passages marked
    assert "Không tìm thấy ngày ký" in body
    forms = page.context["tasks"].forms
    assert forms[0].initial["units"] == [personas.unit_a.pk] and forms[0].initial["deadline_kind"] == "date"
    assert forms[1].initial["deadline_kind"] == "recurring" and forms[1].initial["recurrence"] == "quarterly"
    assert [form.initial["label"] for form in page.context["names"].forms] == ["Trung tâm Truyền thông tỉnh"]
    assert page.context["meta"].initial["kind"] == "thong_bao_ket_luan"
    assert not Directive.objects.exists()


def test_review_page_is_only_for_the_person_who_uploaded(personas: Personas, draft: DirectiveDraft) -> None:
    url = reverse("directives:draft_review", args=[draft.pk])
    assert personas.client("focal_a").get(url).status_code == 404
    assert personas.client("leader").get(url).status_code == 404


def test_confirming_creates_the_directive_with_edited_dropped_added_and_new_unit_tasks(
    personas: Personas, draft: DirectiveDraft
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_review", args=[draft.pk])
    data = form_data(client.get(url))
    data["tasks-0-content"] = "Chủ trì rà soát, hệ thống hóa văn bản quy phạm pháp luật"  # edited
    data.pop("tasks-1-keep")  # dropped
    data["names-0-action"] = "create"
    data["names-0-kind"] = "public_service_unit"
    data["names-0-unit"] = ""
    data.update(
        {
            "tasks-3-keep": "on",
            "tasks-3-content": "Báo cáo kết quả thực hiện Thông báo",
            "tasks-3-units": [str(personas.unit_b.pk)],
            "tasks-3-expected_output": "report",
            "tasks-3-deadline_kind": "period",
            "tasks-3-period_key": "2025-Q4",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [f.errors for f in response.context["tasks"].forms]
    directive = Directive.objects.get()
    assert directive.reference == "176/TB-UBND" and directive.issued_on == datetime.date(2025, 9, 9)
    assert directive.file_name == "176-TB-UBND.txt" and directive.text == TEXT
    contents = list(directive.tasks.order_by("position").values_list("content", flat=True))
    assert contents == [
        "Chủ trì rà soát, hệ thống hóa văn bản quy phạm pháp luật",
        "Xây dựng chuyên mục CCHC",
        "Báo cáo kết quả thực hiện Thông báo",
    ]
    created = Unit.objects.get(name="Trung tâm Truyền thông tỉnh")
    assert created.parent == personas.province
    assert Assignment.objects.filter(unit=created).values("task").distinct().count() == 1
    assert not DirectiveDraft.objects.exists()


def test_unknown_name_mapped_to_a_registry_unit_gets_that_unit(personas: Personas, draft: DirectiveDraft) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_review", args=[draft.pk])
    data = form_data(client.get(url))
    data["names-0-action"] = "map"
    data["names-0-unit"] = str(personas.front.pk)
    assert client.post(url, data).status_code == 302
    task = Task.objects.get(section="(4)")
    assert set(task.assignments.values_list("unit", flat=True)) == {personas.front.pk}
    assert Task.objects.get(section="(3)").occurrences.count() == 2  # Q3 and Q4 of 2025


def test_a_failed_confirmation_creates_nothing_and_keeps_the_draft(personas: Personas, draft: DirectiveDraft) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_review", args=[draft.pk])
    data = form_data(client.get(url))
    data["names-0-action"] = "skip"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Hãy chọn đơn vị thực hiện cho “Trung tâm Truyền thông tỉnh”" in response.content.decode()
    # A deadline before the issue date is only caught by the service, after the first task was written.
    data["names-0-action"] = "map"
    data["names-0-unit"] = str(personas.front.pk)
    data["tasks-2-deadline_kind"] = "date"
    data["tasks-2-deadline"] = "2025-01-01"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Nhiệm vụ 3" in response.content.decode()
    assert not Directive.objects.exists() and not Task.objects.exists() and not Assignment.objects.exists()
    assert DirectiveDraft.objects.filter(pk=draft.pk).exists()


def test_discarding_the_upload_creates_nothing(personas: Personas, draft: DirectiveDraft) -> None:
    url = reverse("directives:draft_discard", args=[draft.pk])
    response = personas.client("secretariat").post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not DirectiveDraft.objects.exists() and not Directive.objects.exists()


def test_discarding_a_reviewed_upload_asks_for_confirmation_first(personas: Personas, draft: DirectiveDraft) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_discard", args=[draft.pk])
    review = client.get(reverse("directives:draft_review", args=[draft.pk])).content.decode()
    assert f'action="{url}"' in review
    # The review page's button (a plain form post, no JavaScript) only shows the confirmation page.
    asked = client.post(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Hủy văn bản tải lên?" in page and 'name="confirm" value="yes"' in page
    assert reverse("directives:draft_review", args=[draft.pk]) in page
    assert client.get(url).status_code == 200
    assert DirectiveDraft.objects.filter(pk=draft.pk).exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert not DirectiveDraft.objects.exists()


def test_only_the_uploader_may_see_the_discard_confirmation(personas: Personas, draft: DirectiveDraft) -> None:
    url = reverse("directives:draft_discard", args=[draft.pk])
    assert personas.client("leader").get(url).status_code in (403, 404)
    assert personas.client("leader").post(url, {"confirm": "yes"}).status_code in (403, 404)
    assert DirectiveDraft.objects.filter(pk=draft.pk).exists()


def test_upload_refuses_an_empty_file_with_a_message(personas: Personas) -> None:
    response = personas.client("secretariat").post(
        reverse("directives:directive_upload"),
        {"issuing_unit": personas.province.pk, "file": SimpleUploadedFile("trong.txt", b"  \n")},
    )
    assert response.status_code == 200
    assert "Tệp tải lên rỗng" in response.content.decode()
    assert not DirectiveDraft.objects.exists()


def test_upload_of_a_file_the_engine_cannot_read_gives_its_message_and_keeps_nothing(personas: Personas) -> None:
    response = personas.client("secretariat").post(
        reverse("directives:directive_upload"),
        {"issuing_unit": personas.province.pk, "file": SimpleUploadedFile("hong.docx", b"PK\x03\x04 not a zip")},
    )
    assert response.status_code == 200
    assert "Tệp không đúng định dạng Word" in response.content.decode()
    assert not DirectiveDraft.objects.exists()


def test_uploading_a_seed_directive_runs_the_engine_and_confirming_creates_its_tasks(personas: Personas) -> None:
    office = unit_create(
        actor=None,
        data=UnitData(name="Văn phòng UBND tỉnh", kind=UnitKind.DEPARTMENT, code="T-P-VP"),
        parent=personas.province,
    )
    for number, name in enumerate(["Phòng Hành chính - Tổ chức", "Phòng Kiểm soát thủ tục hành chính"], start=1):
        unit_create(actor=None, data=UnitData(name=name, kind=UnitKind.OFFICE, code=f"T-P-VP-{number}"), parent=office)
    seed = SEEDS / "vp-ubnd-tinh-2022-ke-hoach-par-sipas.txt"
    client = personas.client("secretariat")
    response = client.post(
        reverse("directives:directive_upload"),
        {"issuing_unit": office.pk, "file": SimpleUploadedFile(seed.name, seed.read_bytes())},
    )
    draft = DirectiveDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("directives:draft_review", args=[draft.pk])
    assert not Directive.objects.exists()
    page = client.get(response["Location"])
    proposed = page.context["tasks"].initial_form_count()
    assert proposed >= 8
    data = form_data(page)
    data["issued_on"] = "2022-08-01"  # the plan leaves its date blank
    response = client.post(response["Location"], data)
    assert response.status_code == 302, [form.errors for form in response.context["tasks"].forms]
    directive = Directive.objects.get()
    assert directive.kind == "ke_hoach" and directive.tasks.count() == proposed
    assert directive.assignments.filter(unit__code="T-P-VP-1").exists()
    assert directive.sha256 and not DirectiveDraft.objects.exists()


def test_review_page_of_a_long_directive_shows_one_folded_row_per_task_without_unit_lists(
    personas: Personas,
) -> None:
    """38 proposed tasks among 84 units: one line per task (content, units, deadline), details folded, units searched
    for instead of listed in every task, and no inline styles (the content security policy refuses them)."""
    draft = long_draft(personas, tasks=38)
    page = personas.client("secretariat").get(reverse("directives:draft_review", args=[draft.pk]))
    body = page.content.decode()
    assert Unit.objects.count() > 84
    rows = page.context["rows"]
    assert len(rows) == 38 + 2  # the proposals and two empty rows to add a task
    assert rows[0].lead == "Sở Tư pháp" and rows[0].deadline == "31/12/2025" and rows[0].section == "1."
    assert body.count('data-testid="proposed-task"') == 40
    assert body.count("<details") == 40 and "<details open" not in body
    assert "Nhiệm vụ số 38: rà soát thủ tục hành chính" in body
    # The units of a task are a search box with its chosen units, not a list of every unit of the province.
    # (At most once: in the issuer's list of the document's own form.)
    assert body.count("Xã Thử Nghiệm 5 ") <= 1 and body.count("<option") < 40 * 20
    assert body.count("data-unit-picker") >= 2 * 40
    assert " style=" not in body


def test_a_refused_task_row_opens_with_its_message_while_the_others_stay_folded(
    personas: Personas, draft: DirectiveDraft
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_review", args=[draft.pk])
    data = form_data(client.get(url))
    data["tasks-0-content"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("<details open") == 1
    assert "Hãy ghi nội dung nhiệm vụ hoặc bỏ chọn “Giữ nhiệm vụ này”." in body
