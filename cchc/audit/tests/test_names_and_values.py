"""The audit pages name each record as people know it and show dates and numbers the Vietnamese way."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from cchc.accounts.services import api_token_create
from cchc.assessments import services as assessments
from cchc.assessments.models import Result, Score
from cchc.assessments.tests.conftest import build_workflow
from cchc.audit.models import AuditAction, AuditEntry
from cchc.audit.services import record
from cchc.directives import services as directives
from cchc.directives.models import Assignment
from cchc.directives.tests.conftest import make_directive, make_task
from cchc.testing.personas import Personas

LIST = "/audit/"


def _rows(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


def _list(personas: Personas, **params: Any) -> str:
    return _rows(personas.client("secretariat").get(LIST, params).content.decode())


def _detail(personas: Personas, entry: AuditEntry) -> str:
    return personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])).content.decode()


def _entry(personas: Personas, object_type: str, object_id: Any, object_repr: str, **changes: Any) -> AuditEntry:
    """An entry as an earlier version of the product wrote it (ids for a name, raw values)."""
    return AuditEntry.objects.create(
        action=AuditAction.UPDATE,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr,
        unit=personas.unit_a,
        unit_path=personas.unit_a.path,
        changes=changes,
        reason="Bản ghi kiểm tra",
    )


def _report(personas: Personas) -> tuple[Assignment, Any]:
    task = make_task(personas, make_directive(personas), personas.unit_a)
    assignment = Assignment.objects.get(task=task)
    report = directives.report_submit(actor=personas.focal_a, assignment=assignment, percent=50, text="Đang làm")
    return assignment, report


# ---------------------------------------------------------------------------
# Names


def test_a_score_entry_is_named_by_its_leaf_unit_and_round_on_the_list_and_the_entry_page(personas: Personas) -> None:
    wf = build_workflow(personas)
    score = wf.score(wf.a, "1.2")
    assessments.score_self_set(actor=personas.focal_a, score=score, points=Decimal("1.5"), no_evidence_reason="Lưu")
    name = f"Tiêu chí 1.2 — Sở Tư pháp ({wf.round.name})"
    assert name in _list(personas, object_type="assessments.score")
    entry = AuditEntry.objects.filter(object_type="assessments.score").latest("pk")
    assert entry.object_repr == name
    html = _detail(personas, entry)
    assert f"<dd>{name}</dd>" in html
    assert f"{wf.a.pk}/{score.criterion_id}" not in html


def test_score_entries_written_with_ids_are_named_from_the_score_itself(personas: Personas) -> None:
    wf = build_workflow(personas)
    score = wf.score(wf.a, "2.1")
    old = _entry(personas, "assessments.score", score.pk, f"{wf.a.pk}/{score.criterion_id}", final_score=["0.50", "1"])
    gone = _entry(personas, "assessments.score", 987654, "75/343")
    rows = _list(personas, object_type="assessments.score")
    assert f"Tiêu chí 2.1 — Sở Tư pháp ({wf.round.name})" in rows
    assert f"{wf.a.pk}/{score.criterion_id}" not in rows
    assert "75/343" in rows  # the score no longer exists: the stored text is all there is
    assert f"<dd>Tiêu chí 2.1 — Sở Tư pháp ({wf.round.name})</dd>" in _detail(personas, old)
    assert "<dd>75/343</dd>" in _detail(personas, gone)


def test_progress_reports_and_extension_requests_are_named_by_their_task_and_unit(personas: Personas) -> None:
    assignment, report = _report(personas)
    request = directives.extension_request(
        actor=personas.focal_a, assignment=assignment, new_due_date=datetime.date(2025, 12, 31), reason="Chờ số liệu"
    )
    _entry(personas, "directives.progressreport", report.pk, f"{assignment.pk}: 50% (01/08/2025)")
    day = f"{report.submitted_on:%d/%m/%Y}"
    rows = _list(personas, object_type="directives.progressreport")
    assert f"Báo cáo 50% ngày {day} — 2.1 Rà soát thủ tục hành chính" in rows
    assert f"{assignment.pk}: 50%" not in rows
    assert "— Sở Tư pháp" in rows
    rows = _list(personas, object_type="directives.extensionrequest")
    assert "Gia hạn đến 31/12/2025 — 2.1 Rà soát thủ tục hành chính" in rows
    assert f"{assignment.pk} →" not in rows
    entry = AuditEntry.objects.get(object_type="directives.extensionrequest", object_id=str(request.pk))
    assert "<dd>Gia hạn đến 31/12/2025 — 2.1 Rà soát" in _detail(personas, entry)


def test_a_membership_is_named_in_vietnamese(personas: Personas) -> None:
    membership = personas.focal_a.memberships.select_related("unit").get()
    assert str(membership) == f"{personas.focal_a.display_name} tại {membership.unit.name}"


def test_a_result_reads_its_index_with_a_decimal_comma(personas: Personas) -> None:
    wf = build_workflow(personas)
    result = Result(assessment=wf.a, index_value=Decimal("66.67"), total_points=0, max_points=0)
    assert str(result) == f"Sở Tư pháp — {wf.round.name}: 66,67"


def test_the_list_runs_one_query_per_record_type_whatever_the_number_of_entries(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    wf = build_workflow(personas)
    assignment, report = _report(personas)
    request = directives.extension_request(
        actor=personas.focal_a, assignment=assignment, new_due_date=datetime.date(2025, 12, 31), reason="Chờ số liệu"
    )
    scores = list(Score.objects.filter(assessment__in=[wf.a, wf.b]))

    def add_entries(count: int) -> None:
        for number in range(count):
            score = scores[number % len(scores)]
            _entry(personas, "assessments.score", score.pk, f"{score.assessment_id}/{score.criterion_id}")
            _entry(personas, "directives.progressreport", report.pk, f"{assignment.pk}: 50% (01/08/2025)")
            _entry(personas, "directives.extensionrequest", request.pk, f"{assignment.pk} → 31/12/2025")
            _entry(personas, "accounts.user", personas.focal_b.pk, personas.focal_b.display_name)

    add_entries(1)
    client = personas.client("secretariat")
    client.get(LIST, {"text": "kiểm tra"})
    with django_assert_num_queries(9) as few:  # the person and their roles come from the cache
        assert "Tiêu chí" in _rows(client.get(LIST, {"text": "kiểm tra"}).content.decode())
    add_entries(10)
    with django_assert_num_queries(len(few.captured_queries)):
        html = _rows(client.get(LIST, {"text": "kiểm tra"}).content.decode())
    assert html.count("Báo cáo 50% ngày") == 11


# ---------------------------------------------------------------------------
# Values


def test_moments_show_as_day_and_local_time_and_days_as_dd_mm_yyyy(personas: Personas) -> None:
    entry = _entry(
        personas,
        "assessments.assessment",
        1,
        "Sở Tư pháp — Chỉ số CCHC năm 2026",
        submitted_at=[None, "2026-12-06T13:37:28.994638+00:00"],
        deadline=["2026-12-01", "2026-12-15"],
    )
    html = _detail(personas, entry)
    assert "<td>06/12/2026 20:37</td>" in html  # Asia/Ho_Chi_Minh
    assert "<td>01/12/2026</td><td>15/12/2026</td>" in html
    assert "2026-12-06T" not in html


def test_an_api_token_entry_shows_its_expiry_in_local_time(personas: Personas) -> None:
    token, _key = api_token_create(actor=personas.secretariat, user=personas.secretariat, name="Máy chủ tỉnh")
    entry = AuditEntry.objects.get(object_type="accounts.apitoken", object_id=str(token.pk))
    html = _detail(personas, entry)
    assert f"<td>{timezone.localtime(token.expires_at):%d/%m/%Y %H:%M}</td>" in html
    assert "+00:00" not in html


def test_points_and_rates_use_a_decimal_comma_trimmed_like_the_scoring_pages(personas: Personas) -> None:
    score = _entry(
        personas,
        "assessments.score",
        987654,
        "Tiêu chí 1.2",
        final_score=["0.50", "1.00"],
        proposed_score=[None, "1.50"],
        self_value=["50.0000", "66.6700"],
    )
    html = _detail(personas, score)
    assert "<td>0,50</td><td>1</td>" in html
    assert "<td>—</td><td>1,50</td>" in html
    assert "<td>50</td><td>66,67</td>" in html
    assert "0.50" not in html and "1.50" not in html and "66.67" not in html


# ---------------------------------------------------------------------------
# Updates that change nothing


def test_saving_a_round_unchanged_writes_no_audit_entry(personas: Personas) -> None:
    wf = build_workflow(personas)
    fields = [field.name for field in dataclasses.fields(assessments.RoundData)]
    data = assessments.RoundData(**{name: getattr(wf.round, name) for name in fields})
    before = AuditEntry.objects.count()
    assessments.round_update(actor=personas.secretariat, round_=wf.round, data=data)
    assert AuditEntry.objects.count() == before


def test_an_update_without_changes_is_not_recorded(personas: Personas) -> None:
    assert record(actor=personas.secretariat, action=AuditAction.UPDATE, instance=personas.unit_a, changes={}) is None
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE, changes={}).exists()


def test_an_older_entry_that_changed_nothing_shows_no_empty_table(personas: Personas) -> None:
    html = _detail(personas, _entry(personas, "assessments.round", 1, "Chỉ số CCHC năm 2025"))
    assert "Không có trường nào thay đổi." in html
    assert "<table" not in html
