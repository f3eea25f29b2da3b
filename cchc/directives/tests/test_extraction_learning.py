"""Learning from users: what the extractor proposed and what the review confirmed are kept, the secretariat sees how
often each field was corrected, and confirmed directives are exported as labelled data.

The proposals are hand-made dictionaries in the engine's shape, so that the counts are known whatever the engine
would propose for a text.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cchc.audit.models import AuditEntry
from cchc.directives import services
from cchc.directives.models import (
    DeadlineKind,
    Directive,
    DirectiveDraft,
    DirectiveKind,
    ExtractionReview,
    ReviewedTask,
    ReviewOutcome,
)
from cchc.directives.proposals import extraction_as_dict
from cchc.directives.selectors import extraction_quality, labelled_documents
from cchc.directives.tests.test_review import extraction as review_extraction
from cchc.directives.tests.test_review import form_data
from cchc.extraction.evaluation import score_pairs, score_tasks
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData
from cchc.testing.personas import Personas
from tests.extraction import labelled

TEXT = (
    "KẾ HOẠCH\nCải cách hành chính năm 2025\n"
    "1. Sở Tư pháp chủ trì rà soát văn bản, hoàn thành trước ngày 30/11/2025.\n"
    "2. UBND xã Hòa Bình báo cáo hằng quý.\n"
    "3. Sở Tư pháp tập huấn cho cán bộ.\n"
    "4. Trung tâm Truyền thông tỉnh xây dựng chuyên mục CCHC.\n"
)
REAL = Path(labelled.DATA) / "real"


def proposed_task(section: str, lead: str, ids: list[int], content: str, **extra: Any) -> dict[str, Any]:
    task = {
        "section": section,
        "lead_unit": lead,
        "lead_unit_id": ids[0] if len(ids) == 1 else None,
        "lead_unit_ids": ids,
        "supporting_units": [],
        "supporting_unit_ids": [],
        "content": content,
        "deadline": None,
        "deadline_text": "",
        "recurrence": "",
        "period_key": "",
    }
    task.update(extra)
    return task


def proposal(personas: Personas, *, issued: str = "2025-09-09") -> dict[str, Any]:
    return {
        "reference": "12/KH-UBND",
        "date": issued,
        "issuer": "UBND tỉnh Thử Nghiệm",
        "signer": "Vũ Văn Trung",
        "subject": "Cải cách hành chính năm 2025",
        "addressees": ["Các sở, ban, ngành"],
        "kind": "kế hoạch",
        "text": TEXT,
        "warnings": [],
        "extractor": {"version": "0.1.0+abc123", "at": "2025-09-10T08:00:00+07:00"},
        "tasks": [
            proposed_task(
                "1",
                "Sở Tư pháp",
                [personas.unit_a.pk],
                "Chủ trì rà soát văn bản",
                deadline="2025-11-30",
                deadline_text="trước ngày 30/11/2025",
            ),
            proposed_task("2", "UBND xã Hòa Bình", [personas.unit_b.pk], "Báo cáo", recurrence="quarterly"),
            proposed_task("3", "Sở Tư pháp", [personas.unit_a.pk], "Tập huấn cho cán bộ"),
            proposed_task("4", "Trung tâm Truyền thông tỉnh", [], "Xây dựng chuyên mục CCHC"),
        ],
    }


def make_draft(personas: Personas, *, actor: str = "secretariat", unit: Unit | None = None, **kwargs: Any) -> Any:
    return services.draft_create(
        actor=getattr(personas, actor),
        issuing_unit=unit or personas.province,
        file=services.StoredFile(name="12-KH-UBND.txt", content=TEXT.encode()),
        extraction=proposal(personas, **kwargs),
    )


def confirm(
    personas: Personas, draft: DirectiveDraft, *, actor: str = "secretariat", file: services.StoredFile | None = None
) -> Directive:
    """The review as a user might confirm it: one proposal kept as is, one with its content edited, one with its
    lead and deadline changed, one dropped, a unit the registry lacked created, and one task added by hand."""
    tasks = [
        services.TaskData(  # proposal 1, content edited
            section="1",
            content="Chủ trì rà soát, hệ thống hóa văn bản",
            deadline_kind=DeadlineKind.DATE,
            deadline=datetime.date(2025, 11, 30),
            deadline_text="trước ngày 30/11/2025",
            units=[personas.unit_a],
            proposal_index=0,
        ),
        services.TaskData(  # proposal 2: another lead, a date instead of "hằng quý", a supporting unit
            section="2",
            content="Báo cáo",
            deadline_kind=DeadlineKind.DATE,
            deadline=datetime.date(2025, 12, 15),
            units=[personas.unit_a],
            supporting_units=[personas.unit_b],
            proposal_index=1,
        ),
        # proposal 3 dropped
        services.TaskData(  # proposal 4: the unit the registry lacked, created on confirmation; kept as proposed
            section="4",
            content="Xây dựng chuyên mục CCHC",
            deadline_kind=DeadlineKind.CONTINUOUS,
            new_unit_labels=("Trung tâm Truyền thông tỉnh",),
            proposal_index=3,
        ),
        services.TaskData(  # missed by the extractor
            section="5",
            content="Tổng hợp, báo cáo kết quả",
            deadline_kind=DeadlineKind.PERIOD,
            period_key="2025-Q4",
            units=[personas.home_affairs],
        ),
    ]
    return services.directive_create_with_tasks(
        actor=getattr(personas, actor),
        data=services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject="Cải cách hành chính năm 2025",
            issuing_unit=draft.issuing_unit,
            reference="12/KH-UBND",
            issued_on=datetime.date(2025, 9, 9),
            signer="Vũ Văn Trung",
            addressees="Các sở, ban, ngành\nUBND các xã, phường;",
            text=TEXT,
        ),
        tasks=tasks,
        new_units=[
            services.NewUnit(
                label="Trung tâm Truyền thông tỉnh",
                data=UnitData(
                    name="Trung tâm Truyền thông tỉnh", kind=UnitKind.PUBLIC_SERVICE_UNIT, code=f"VB-{draft.pk}"
                ),
                parent=draft.issuing_unit,
            )
        ],
        file=file or services.draft_file(draft),
        draft=draft,
    )


def confirm_elsewhere(personas: Personas) -> Directive:
    """A directive of the other province, giving work to its own commune, confirmed by the administrator."""
    draft = make_draft(personas, actor="admin", unit=personas.other_province)
    return services.directive_create_with_tasks(
        actor=personas.admin,
        data=services.DirectiveData(
            kind=DirectiveKind.OFFICIAL_LETTER,
            subject="Đôn đốc cải cách hành chính",
            issuing_unit=personas.other_province,
            issued_on=datetime.date(2025, 9, 9),
            text=TEXT,
        ),
        tasks=[
            services.TaskData(
                content="Rà soát thủ tục hành chính",
                deadline_kind=DeadlineKind.CONTINUOUS,
                units=[personas.other_commune],
            )
        ],
        file=services.draft_file(draft),
        draft=draft,
    )


# ---------------------------------------------------------------------------
# Storage


def test_confirming_a_review_keeps_the_proposal_and_links_each_task_to_the_proposal_it_came_from(
    personas: Personas,
) -> None:
    directive = confirm(personas, make_draft(personas))
    review = directive.extraction_review
    assert review.extractor_version == "0.1.0+abc123"
    assert review.extracted_at == datetime.datetime(2025, 9, 10, 1, 0, tzinfo=datetime.UTC)
    assert review.confirmed_by == personas.secretariat
    assert [task["section"] for task in review.proposal["tasks"]] == ["1", "2", "3", "4"]
    assert "text" not in review.proposal and "extractor" not in review.proposal
    rows = list(review.rows.order_by("position"))
    assert [(row.outcome, row.proposal_index) for row in rows] == [
        (ReviewOutcome.KEPT, 0),
        (ReviewOutcome.KEPT, 1),
        (ReviewOutcome.KEPT, 3),
        (ReviewOutcome.ADDED, None),
        (ReviewOutcome.DISCARDED, 2),
    ]
    tasks = list(directive.tasks.order_by("position"))
    assert [row.task for row in rows[:4]] == tasks and rows[4].task is None
    assert rows[1].confirmed == {
        "section": "2",
        "lead_unit": "Sở Tư pháp",
        "supporting_units": ["Xã Hòa Bình"],
        "deadline": "2025-12-15",
        "recurrence": "",
        "deadline_text": "",
        "content": "Báo cáo",
    }
    assert rows[2].confirmed["lead_unit"] == "Trung tâm Truyền thông tỉnh"
    assert rows[2].confirmed["recurrence"] == "continuous" and rows[2].confirmed["deadline"] is None
    assert rows[3].confirmed["deadline"] == "2025-12-31"  # a period falls due at its end


def test_each_corrected_field_is_marked_on_the_proposal_it_corrects(personas: Personas) -> None:
    rows = list(confirm(personas, make_draft(personas)).extraction_review.rows.order_by("position"))

    def corrected(row: ReviewedTask) -> set[str]:
        names = ("lead", "supporting", "deadline", "recurrence", "content")
        return {name for name in names if getattr(row, f"{name}_corrected")}

    assert corrected(rows[0]) == {"content"}
    assert corrected(rows[1]) == {"lead", "supporting", "deadline", "recurrence"}
    # Created from the name the extractor read: the lead was right; undated work is proposed as continuous.
    assert corrected(rows[2]) == set()


def test_a_second_confirmation_of_the_same_upload_stores_nothing_twice(personas: Personas) -> None:
    draft = make_draft(personas)
    file = services.draft_file(draft)
    confirm(personas, draft, file=file)
    with pytest.raises(ServiceError, match="đã được xác nhận"):
        confirm(personas, draft, file=file)
    assert Directive.objects.count() == 1 and ExtractionReview.objects.count() == 1
    assert ReviewedTask.objects.count() == 5


def test_a_directive_registered_without_an_upload_keeps_no_review(personas: Personas) -> None:
    services.directive_create_with_tasks(
        actor=personas.secretariat,
        data=services.DirectiveData(kind=DirectiveKind.PLAN, subject="Kế hoạch", issuing_unit=personas.province),
        tasks=[services.TaskData(content="Rà soát", deadline_kind=DeadlineKind.CONTINUOUS, units=[personas.unit_a])],
    )
    assert Directive.objects.count() == 1 and not ExtractionReview.objects.exists()


def test_the_kept_review_is_in_the_audit_trail(personas: Personas) -> None:
    review = confirm(personas, make_draft(personas)).extraction_review
    entry = AuditEntry.objects.get(object_type="directives.extractionreview", object_id=str(review.pk))
    assert entry.actor == personas.secretariat and entry.unit == personas.province
    assert entry.changes["kept"] == [None, 3] and entry.changes["discarded"] == [None, 1]
    assert entry.changes["added"] == [None, 1] and entry.changes["extractor_version"] == [None, "0.1.0+abc123"]


def test_the_review_page_links_the_confirmed_rows_to_their_proposals(personas: Personas) -> None:
    draft = services.draft_create(
        actor=personas.secretariat,
        issuing_unit=personas.province,
        file=services.StoredFile(name="176-TB-UBND.txt", content=TEXT.encode()),
        extraction=extraction_as_dict(review_extraction(personas)),
    )
    client = personas.client("secretariat")
    url = reverse("directives:draft_review", args=[draft.pk])
    data = form_data(client.get(url))
    data["tasks-0-content"] = "Chủ trì rà soát, hệ thống hóa văn bản quy phạm pháp luật"
    data.pop("tasks-1-keep")
    data.update({"names-0-action": "create", "names-0-kind": "public_service_unit", "names-0-unit": ""})
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
    assert client.post(url, data).status_code == 302
    review = ExtractionReview.objects.get()
    rows = list(review.rows.order_by("position"))
    assert [(row.outcome, row.proposal_index) for row in rows] == [
        (ReviewOutcome.KEPT, 0),
        (ReviewOutcome.KEPT, 2),
        (ReviewOutcome.ADDED, None),
        (ReviewOutcome.DISCARDED, 1),
    ]
    assert rows[0].content_corrected and not rows[0].lead_corrected and not rows[0].deadline_corrected
    assert not any(getattr(rows[1], f"{name}_corrected") for name in ("lead", "deadline", "content"))
    # Posting the same form again finds no draft: nothing is stored twice.
    assert client.post(url, data).status_code == 404
    assert ExtractionReview.objects.count() == 1 and Directive.objects.count() == 1


# ---------------------------------------------------------------------------
# Correction statistics


def test_quality_counts_corrections_per_field_missed_tasks_and_false_proposals(personas: Personas) -> None:
    confirm(personas, make_draft(personas))
    quality = extraction_quality(Directive.objects.all())
    assert (quality.proposed, quality.kept, quality.added, quality.discarded) == (4, 3, 1, 1)
    assert {row.field: row.count for row in quality.fields} == {
        "lead": 1,
        "supporting": 1,
        "deadline": 1,
        "recurrence": 1,
        "content": 1,
    }
    assert quality.corrected == 2 and quality.unchanged == 1
    assert str(quality.precision) == "75.0" and str(quality.recall) == "75.0"
    assert str(quality.fields[0].rate) == "33.3"
    (document,) = quality.documents
    assert document.directive_id == Directive.objects.get().pk and document.corrections["lead"] == 1
    assert quality.years == [2025]


def test_quality_filters_by_year_and_issuer_kind(personas: Personas) -> None:
    confirm(personas, make_draft(personas))
    confirm(personas, make_draft(personas, unit=personas.unit_a))
    everything = Directive.objects.all()
    assert len(extraction_quality(everything).documents) == 2
    assert len(extraction_quality(everything, year=2025).documents) == 2
    assert extraction_quality(everything, year=2024).documents == []
    assert extraction_quality(everything, since=datetime.date(2999, 1, 1)).documents == []
    by_department = extraction_quality(everything, issuer_kind=UnitKind.DEPARTMENT)
    assert [document.issuing_unit for document in by_department.documents] == ["Sở Tư pháp"]
    assert by_department.proposed == 4 and by_department.added == 1


def test_quality_of_nothing_confirmed_is_empty_not_an_error(personas: Personas) -> None:
    quality = extraction_quality(Directive.objects.all())
    assert quality.documents == [] and quality.precision is None and quality.fields[0].rate is None


# ---------------------------------------------------------------------------
# The page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("secretariat", 200),
        ("leader", 403),
        ("focal_a", 403),
        ("focal_b", 403),
        ("appraiser", 403),
        ("supervisor", 403),
        ("anonymous", 302),
    ],
)
def test_only_the_secretariat_and_administrators_see_the_extraction_quality(
    personas: Personas, persona: str, status: int
) -> None:
    confirm(personas, make_draft(personas))
    client = personas.client(persona)
    assert client.get(reverse("directives:extraction_quality")).status_code == status
    assert client.get(reverse("directives:extraction_quality_export")).status_code == status


def test_the_quality_page_shows_the_counts_and_links_each_directive(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    directive = confirm(personas, make_draft(personas))
    client = personas.client("secretariat")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("directives:extraction_quality"), {"year": "2025", "issuer_kind": "province"})
    body = page.content.decode()
    assert "Chất lượng trích xuất" in body
    assert reverse("directives:directive_detail", args=[directive.pk]) in body
    assert page.context["quality"].discarded == 1


def test_a_bad_filter_is_explained_not_an_error(personas: Personas) -> None:
    confirm(personas, make_draft(personas))
    page = personas.client("secretariat").get(
        reverse("directives:extraction_quality"), {"year": "hai nghìn", "issuer_kind": "x"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors and len(page.context["quality"].documents) == 1


def test_the_tracker_links_to_the_quality_page_for_the_secretariat_only(personas: Personas) -> None:
    url = reverse("directives:extraction_quality")
    assert url in personas.client("secretariat").get(reverse("directives:tracker")).content.decode()
    assert url not in personas.client("leader").get(reverse("directives:tracker")).content.decode()


def test_another_provinces_directives_are_neither_shown_nor_exported_to_the_secretariat(personas: Personas) -> None:
    confirm(personas, make_draft(personas))
    other = confirm_elsewhere(personas)
    secretariat = personas.client("secretariat")
    page = secretariat.get(reverse("directives:extraction_quality"))
    assert [document.issuing_unit for document in page.context["quality"].documents] == ["Tỉnh Thử Nghiệm"]
    archive = zipfile.ZipFile(io.BytesIO(secretariat.get(reverse("directives:extraction_quality_export")).content))
    index = json.loads(archive.read("index.json"))
    assert [entry["issuing_unit"] for entry in index["documents"]] == ["T-P"]
    admin = personas.client("admin")
    archive = zipfile.ZipFile(io.BytesIO(admin.get(reverse("directives:extraction_quality_export")).content))
    names = [entry["name"] for entry in json.loads(archive.read("index.json"))["documents"]]
    assert len(names) == 2 and any(str(other.pk) in name for name in names)


# ---------------------------------------------------------------------------
# Export as labelled data


def test_exported_documents_load_as_labelled_data_and_score_one_against_themselves(
    personas: Personas, tmp_path: Path
) -> None:
    directive = confirm(personas, make_draft(personas))
    call_command("export_labelled_directives", str(tmp_path / "out"), stdout=io.StringIO())
    (document,) = labelled.documents(tmp_path / "out")
    assert document.text == TEXT and document.split == "confirmed" and document.issuing_unit == "T-P"
    expected = document.expected
    real = json.loads(next(REAL.glob("*.expected.json")).read_text(encoding="utf-8"))
    assert set(expected) == set(real) - {"notes"}
    assert set(expected["tasks"][0]) == set(real["tasks"][0])
    assert expected["kind"] == "ke_hoach" and expected["date"] == "2025-09-09"
    assert expected["addressees"] == ["Các sở, ban, ngành", "UBND các xã, phường"]
    assert [task["section"] for task in expected["tasks"]] == ["1", "2", "4", "5"]
    assert expected["tasks"][3]["lead_unit"] == "Sở Nội vụ"
    for score in (score_tasks, score_pairs):
        assert score(expected["tasks"], expected["tasks"]).f1 == 1.0
    # What was confirmed then, whatever is edited later.
    services.task_delete(actor=personas.secretariat, task=directive.tasks.get(section="5"))
    call_command("export_labelled_directives", str(tmp_path / "again"), stdout=io.StringIO())
    assert len(labelled.documents(tmp_path / "again")[0].expected["tasks"]) == 4


def test_the_page_export_and_the_command_write_the_same_files(personas: Personas, tmp_path: Path) -> None:
    confirm(personas, make_draft(personas))
    response = personas.client("secretariat").get(reverse("directives:extraction_quality_export"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    out = tmp_path / "out"
    call_command("export_labelled_directives", str(out), stdout=io.StringIO())
    assert sorted(archive.namelist()) == sorted(path.name for path in out.iterdir())
    for name in archive.namelist():
        assert archive.read(name).decode() == (out / name).read_text(encoding="utf-8")


def test_the_command_exports_only_what_was_confirmed_since_and_what_the_user_may_see(
    personas: Personas, tmp_path: Path
) -> None:
    confirm(personas, make_draft(personas))
    confirm_elsewhere(personas)
    out = io.StringIO()
    call_command("export_labelled_directives", str(tmp_path / "later"), "--since", "2999-01-01", stdout=out)
    assert labelled.documents(tmp_path / "later") == []
    call_command("export_labelled_directives", str(tmp_path / "mine"), "--user", "thuongtruc", stdout=out)
    assert [document.issuing_unit for document in labelled.documents(tmp_path / "mine")] == ["T-P"]
    with pytest.raises(CommandError):
        call_command("export_labelled_directives", str(tmp_path / "x"), "--user", "daumoi_a", stdout=out)
    with pytest.raises(CommandError):
        call_command("export_labelled_directives", str(tmp_path / "x"), "--since", "hôm qua", stdout=out)


def test_the_statistics_and_the_export_read_a_fixed_number_of_queries_whatever_the_documents(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for _number in range(3):
        confirm(personas, make_draft(personas))
    with django_assert_max_num_queries(2):
        quality = extraction_quality(Directive.objects.all(), year=2025)
    with django_assert_max_num_queries(2):
        documents = labelled_documents(Directive.objects.all())
    assert len(quality.documents) == 3 and quality.added == 3
    assert [len(document.expected["tasks"]) for document in documents] == [4, 4, 4]


def test_the_empty_quality_page_says_where_its_figures_come_from(personas: Personas) -> None:
    page = personas.client("secretariat").get(reverse("directives:extraction_quality")).content.decode()
    assert "văn bản nhập tay không được tính" in page
