"""Editing, deleting and cancelling tasks, and continuous tasks reporting once per period."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditEntry
from cchc.directives import reminders, services
from cchc.directives.models import (
    Assignment,
    DeadlineKind,
    Directive,
    Occurrence,
    Recurrence,
    ReviewState,
    Status,
    Task,
)
from cchc.indicators.models import Indicator, IndicatorSource, Measure
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.testing.personas import Personas

from .conftest import DUE, Mailbox, make_directive, make_task


def data_of(task: Task, **changes: Any) -> services.TaskData:
    """The task as it is, with ``changes``: what the edit form sends."""
    data = services.TaskData(
        content=task.content,
        deadline_kind=task.deadline_kind,
        units=[assignment.unit for assignment in task.assignments.select_related("unit").distinct()],
        section=task.section,
        supporting_units=list(task.supporting_units.all()),
        expected_output=task.expected_output,
        deadline=task.deadline,
        period_key=task.period_key,
        recurrence=task.recurrence,
        report_every=task.report_every,
        criteria=list(task.criteria.all()),
        indicators=list(task.indicators.all()),
        papi_dimension=task.papi_dimension,
    )
    data.units = list(dict.fromkeys(data.units))
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def edit(personas: Personas, task: Task, **changes: Any) -> Task:
    return services.task_update(
        actor=personas.secretariat, task=task, data=data_of(task, **changes), reason="Điều chỉnh"
    )


def report(personas: Personas, assignment: Assignment, percent: int = 50) -> None:
    actor = personas.focal_a if assignment.unit == personas.unit_a else personas.focal_b
    services.report_submit(actor=actor, assignment=assignment, percent=percent, text="Đang thực hiện")


# ---------------------------------------------------------------------------
# Editing


def test_editing_content_links_and_units_is_audited_old_to_new(personas: Personas, directive: Directive) -> None:
    indicator = Indicator.objects.create(
        code="papi.test", name="Chỉ số thử", source=IndicatorSource.MANUAL, measure=Measure.PERCENT
    )
    task = make_task(personas, directive, personas.unit_a)
    edit(
        personas,
        task,
        content="Nội dung mới",
        units=[personas.unit_a, personas.unit_b],
        supporting_units=[personas.home_affairs],
        indicators=[indicator],
        papi_dimension="Thủ tục hành chính công",
    )
    task.refresh_from_db()
    assert task.content == "Nội dung mới" and task.papi_dimension == "Thủ tục hành chính công"
    assert list(task.indicators.all()) == [indicator]
    assert set(task.assignments.values_list("unit", flat=True)) == {personas.unit_a.pk, personas.unit_b.pk}
    assert task.assignments.get(unit=personas.unit_b).due_date == DUE
    entry = AuditEntry.objects.filter(object_type="directives.task", action="update").get()
    assert entry.changes["content"][1] == "Nội dung mới"
    assert entry.changes["units"] == [[personas.unit_a.name], sorted([personas.unit_a.name, personas.unit_b.name])]
    assert entry.changes["indicators"] == [[], ["papi.test"]]
    assert entry.reason == "Điều chỉnh"


def test_adding_a_unit_to_a_recurring_task_gives_it_every_occurrence(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a, kind=DeadlineKind.RECURRING, recurrence="quarterly")
    edit(personas, task, units=[personas.unit_a, personas.unit_b])
    assert task.assignments.filter(unit=personas.unit_b).count() == task.occurrences.count() == 2


def test_removing_a_unit_that_reported_is_refused_and_one_that_did_not_loses_its_assignment(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a, personas.unit_b)
    report(personas, task.assignments.get(unit=personas.unit_a))
    with pytest.raises(ServiceError, match=f"Không thể bỏ đơn vị đã báo cáo tiến độ nhiệm vụ: {personas.unit_a.name}"):
        edit(personas, task, units=[personas.unit_b])
    assert task.assignments.count() == 2
    edit(personas, task, units=[personas.unit_a])
    assert list(task.assignments.values_list("unit", flat=True)) == [personas.unit_a.pk]


def test_a_new_deadline_moves_assignments_without_reports_only(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a, personas.unit_b)
    report(personas, task.assignments.get(unit=personas.unit_a))
    new_due = datetime.date(2025, 10, 31)
    edit(personas, task, deadline=new_due)
    assert task.assignments.get(unit=personas.unit_a).due_date == DUE
    moved = task.assignments.get(unit=personas.unit_b)
    assert moved.due_date == moved.original_due_date == new_due
    entry = AuditEntry.objects.filter(object_type="directives.task", action="update").get()
    assert entry.changes["deadline"] == ["2025-09-30", "2025-10-31"]


def test_changing_a_recurrence_keeps_reported_occurrences_and_regenerates_the_others(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a, kind=DeadlineKind.RECURRING, recurrence="quarterly")
    with time_machine.travel(datetime.date(2025, 9, 15), tick=False):
        report(personas, task.assignments.get(occurrence__period_key="2025-Q3"))
        edit(personas, task, recurrence=Recurrence.MONTHLY)
    keys = list(task.occurrences.values_list("period_key", flat=True))
    assert keys == ["2025-08", "2025-Q3", "2025-09", "2025-10", "2025-11", "2025-12"]
    assert task.assignments.get(occurrence__period_key="2025-Q3").reports.count() == 1
    assert not Occurrence.objects.filter(task=task, period_key="2025-Q4").exists()


def test_a_date_task_can_become_continuous_and_back(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a)
    edit(personas, task, deadline_kind=DeadlineKind.CONTINUOUS, deadline=None, report_every="")
    task.refresh_from_db()
    assert task.report_every == Recurrence.QUARTERLY and task.assignments.count() == 2
    assert not task.assignments.filter(occurrence__isnull=True).exists()
    edit(personas, task, deadline_kind=DeadlineKind.DATE, deadline=DUE, recurrence="")
    assert list(task.assignments.values_list("due_date", "occurrence")) == [(DUE, None)]
    assert not task.occurrences.exists()


def test_bad_edits_change_nothing(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a)
    with pytest.raises(ServiceError, match="Hãy chọn ít nhất một đơn vị"):
        edit(personas, task, units=[])
    with pytest.raises(ServiceError, match="Kỳ báo cáo"):
        edit(personas, task, deadline_kind=DeadlineKind.CONTINUOUS, report_every="weekly")
    with pytest.raises(ServiceError, match="Nhiệm vụ cha"):
        edit(personas, task, parent=task)
    task.refresh_from_db()
    assert task.deadline_kind == DeadlineKind.DATE and task.assignments.count() == 1
    assert not AuditEntry.objects.filter(object_type="directives.task", action="update").exists()


# ---------------------------------------------------------------------------
# Deleting and cancelling


def test_a_task_nobody_reported_on_is_deleted_with_an_audit_entry(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a)
    services.task_delete(actor=personas.secretariat, task=task, reason="Giao trùng")
    assert not Task.objects.exists() and not Assignment.objects.exists()
    entry = AuditEntry.objects.get(object_type="directives.task", action="delete")
    assert entry.reason == "Giao trùng" and entry.changes["assignments"] == [1, None]


def test_a_task_with_a_report_cannot_be_deleted_only_cancelled_with_a_reason(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a)
    report(personas, task.assignments.get())
    with pytest.raises(ServiceError, match="không thể xóa; hãy hủy nhiệm vụ") as error:
        services.task_delete(actor=personas.secretariat, task=task)
    assert error.value.code == "conflict"
    with pytest.raises(ServiceError, match="Hãy ghi lý do hủy"):
        services.task_cancel(actor=personas.secretariat, task=task, reason="  ")
    services.task_cancel(actor=personas.secretariat, task=task, reason="Không còn phù hợp")
    task.refresh_from_db()
    assert task.is_cancelled and task.cancel_reason == "Không còn phù hợp"
    assert task.assignments.get().reports.count() == 1
    with pytest.raises(ServiceError, match="đã bị hủy"):
        edit(personas, task, content="Sửa sau khi hủy")
    with pytest.raises(ServiceError, match="đã bị hủy"):
        report(personas, task.assignments.get())


def test_a_cancelled_task_leaves_statistics_reminders_and_my_tasks(personas: Personas, directive: Directive) -> None:
    kept = make_task(personas, directive, personas.unit_a, content="Giữ lại")
    dropped = make_task(personas, directive, personas.unit_a, content="Hủy bỏ")
    quarter = Period(2025, PeriodKind.QUARTER, 3)
    with time_machine.travel(datetime.date(2025, 10, 5), tick=False):
        assert services.on_time_counts(quarter)[personas.unit_a.pk] == (0, 2)
        services.task_cancel(actor=personas.secretariat, task=dropped, reason="Đã có văn bản thay thế")
        assert services.on_time_counts(quarter)[personas.unit_a.pk] == (0, 1)
        due = reminders.due_assignments(datetime.date(2025, 10, 5), reminders.Schedule(overdue_every=1))
        assert [assignment.task for assignment, _kind in due] == [kept]
        page = personas.client("focal_a").get(reverse("directives:my_tasks")).content.decode()
        tracker = personas.client("secretariat").get(reverse("directives:tracker") + "?status=all").content.decode()
        directive_page = personas.client("secretariat").get(reverse("directives:directive_detail", args=[directive.pk]))
    assert "Giữ lại" in page and "Hủy bỏ" not in page
    assert "Giữ lại" in tracker and "Hủy bỏ" not in tracker
    assert "Hủy bỏ" in directive_page.content.decode()


# ---------------------------------------------------------------------------
# Continuous tasks: one report per period


def test_continuous_task_generates_one_occurrence_per_reporting_period_due_at_its_end(
    personas: Personas,
) -> None:
    directive = make_directive(personas, horizon_end=datetime.date(2026, 6, 30))
    with time_machine.travel(datetime.date(2025, 8, 1), tick=False):
        monthly = services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=services.TaskData(
                content="Cập nhật thủ tục hành chính trên Cổng dịch vụ công",
                deadline_kind=DeadlineKind.CONTINUOUS,
                report_every=Recurrence.MONTHLY,
                units=[personas.unit_a],
            ),
        )
        yearly = make_task(personas, directive, kind=DeadlineKind.CONTINUOUS, deadline=None)
        edit(personas, yearly, report_every=Recurrence.HALF_YEARLY)
    assert monthly.occurrences.count() == 11  # August 2025 to June 2026
    assert monthly.occurrences.first().due_date == datetime.date(2025, 8, 31)  # type: ignore[union-attr]
    assert [(o.period_key, o.due_date) for o in yearly.occurrences.all()] == [
        ("2025-H2", datetime.date(2025, 12, 31)),
        ("2026-H1", datetime.date(2026, 6, 30)),
    ]


def test_continuous_period_report_waits_for_acceptance_then_is_in_time_late_or_missing(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a, kind=DeadlineKind.CONTINUOUS, deadline=None)
    q3 = task.assignments.get(occurrence__period_key="2025-Q3")
    q4 = task.assignments.get(occurrence__period_key="2025-Q4")
    with time_machine.travel(datetime.date(2025, 9, 10), tick=False):
        assert q3.status_on() == Status.NOT_STARTED
        report = services.report_submit(actor=personas.focal_a, assignment=q3, percent=100, text="Báo cáo quý III")
        q3.refresh_from_db()
        # Not done until the secretariat accepts it: the period reads "waiting for acceptance" everywhere.
        assert q3.completed_on is None and q3.review_pending
        assert Assignment.objects.with_status().get(pk=q3.pk).status == Status.IN_PROGRESS
        assert report.review_state == ReviewState.PENDING
        assert not Assignment.objects.in_status(Status.DONE_ON_TIME).filter(pk=q3.pk).exists()
    with time_machine.travel(datetime.date(2025, 10, 3), tick=False):
        assert services.on_time_counts(Period(2025, PeriodKind.QUARTER, 3))[personas.unit_a.pk] == (0, 1)
        services.report_accept(actor=personas.secretariat, report=report)
        q3.refresh_from_db()
        assert q3.status_on() == Status.DONE_ON_TIME and q3.completed_on == datetime.date(2025, 9, 10)
    with time_machine.travel(datetime.date(2026, 1, 2), tick=False):
        assert Assignment.objects.with_status().get(pk=q4.pk).status == Status.OVERDUE  # missing report
        late = services.report_submit(actor=personas.focal_a, assignment=q4, percent=100, text="Báo cáo quý IV")
        q4.refresh_from_db()
        assert q4.status_on() == Status.OVERDUE and q4.review_pending
        services.report_accept(actor=personas.secretariat, report=late)
        q4.refresh_from_db()
        assert q4.status_on() == Status.DONE_LATE and q4.completed_on == datetime.date(2026, 1, 2)
        assert services.on_time_counts(Period(2025, PeriodKind.YEAR, 1))[personas.unit_a.pk] == (1, 2)


def test_continuous_task_period_reports_are_reminded_like_recurring_ones(
    personas: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    personas.focal_a.email = "daumoi.a@example.vn"
    personas.focal_a.save(update_fields=["email"])
    make_task(personas, directive, personas.unit_a, kind=DeadlineKind.CONTINUOUS, deadline=None)
    result = reminders.send_reminders(day=datetime.date(2025, 9, 27))
    assert result.emails == 1
    message = mailbox.to("daumoi.a@example.vn")[0]
    assert "còn 3 ngày đến hạn" in message.get_content() and "30/09/2025" in message.get_content()
    assert reminders.send_reminders(day=datetime.date(2025, 9, 27)).emails == 0


# ---------------------------------------------------------------------------
# Pages


@pytest.fixture
def task(personas: Personas, directive: Directive) -> Task:
    return make_task(personas, directive, personas.unit_a)


@pytest.mark.parametrize("name", ["focal_a", "leader", "supervisor"])
def test_only_the_secretariat_may_edit_delete_or_cancel_a_task(personas: Personas, task: Task, name: str) -> None:
    client = personas.client(name)
    assert client.get(reverse("directives:task_edit", args=[task.pk])).status_code == 403
    assert client.post(reverse("directives:task_delete", args=[task.pk])).status_code == 403
    assert client.post(reverse("directives:task_cancel", args=[task.pk]), {"reason": "x"}).status_code == 403
    assert Task.objects.filter(pk=task.pk, cancelled_at__isnull=True).exists()


def test_secretariat_of_another_province_gets_404(personas: Personas) -> None:
    elsewhere = make_task(
        personas, make_directive(personas, issuing_unit=personas.other_province), personas.other_commune
    )
    client = personas.client("secretariat")
    assert client.get(reverse("directives:task_edit", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("directives:task_delete", args=[elsewhere.pk])).status_code == 404


def test_secretariat_edits_a_task_through_the_form(personas: Personas, task: Task) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:task_edit", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Sửa nhiệm vụ" in page.content.decode()
    form = {
        "section": "2.2",
        "content": "Rà soát, đơn giản hóa thủ tục",
        "units": [str(personas.unit_a.pk), str(personas.unit_b.pk)],
        "expected_output": "report",
        "deadline_kind": "continuous",
        "report_every": "half_yearly",
        "reason": "Theo ý kiến lãnh đạo",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.section == "2.2" and task.report_every == Recurrence.HALF_YEARLY
    assert task.assignments.filter(unit=personas.unit_b).count() == 1  # 2025-H2
    form["units"] = []
    response = client.post(url, form)
    assert response.status_code == 200 and "Hãy chọn ít nhất một đơn vị" in response.content.decode()


def test_secretariat_deletes_an_unreported_task_and_cancels_a_reported_one(
    personas: Personas, directive: Directive
) -> None:
    client = personas.client("secretariat")
    unreported = make_task(personas, directive, personas.unit_a)
    reported = make_task(personas, directive, personas.unit_a)
    report(personas, reported.assignments.get())
    assert client.post(reverse("directives:task_delete", args=[unreported.pk])).status_code == 302
    assert not Task.objects.filter(pk=unreported.pk).exists()
    page = client.post(reverse("directives:task_delete", args=[reported.pk]), follow=True).content.decode()
    assert "không thể xóa" in page and Task.objects.filter(pk=reported.pk).exists()
    page = client.post(
        reverse("directives:task_cancel", args=[reported.pk]), {"reason": "Không còn phù hợp"}, follow=True
    ).content.decode()
    assert "Đã hủy" in page and "Không còn phù hợp" in page


# ---------------------------------------------------------------------------
# API


def api(personas: Personas, name: str, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
    user = personas.user(name)
    assert user is not None
    _token, raw = api_token_create(actor=user, user=user, name="thử nghiệm")
    client = Client()
    call = getattr(client, method)
    return call(
        f"/api/directives{path}",
        payload or {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_api_patch_changes_only_the_fields_sent(personas: Personas, task: Task) -> None:
    response = api(
        personas,
        "secretariat",
        "patch",
        f"/tasks/{task.pk}",
        {"content": "Nội dung qua API", "unit_ids": [personas.unit_a.pk, personas.unit_b.pk], "reason": "API"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["content"] == "Nội dung qua API" and body["section"] == "2.1"
    assert body["unit_ids"] == sorted([personas.unit_a.pk, personas.unit_b.pk]) and body["deadline"] == "2025-09-30"
    bad = api(personas, "secretariat", "patch", f"/tasks/{task.pk}", {"unit_ids": [personas.other_commune.pk]})
    assert bad.status_code == 400 and "Không tìm thấy đơn vị" in bad.json()["detail"]


def test_api_patch_delete_and_cancel_follow_the_same_permissions(personas: Personas, task: Task) -> None:
    for name in ("focal_a", "leader", "supervisor"):
        assert api(personas, name, "patch", f"/tasks/{task.pk}", {"content": "x"}).status_code == 403
        assert api(personas, name, "delete", f"/tasks/{task.pk}").status_code == 403
    elsewhere = make_task(
        personas, make_directive(personas, issuing_unit=personas.other_province), personas.other_commune
    )
    assert api(personas, "secretariat", "delete", f"/tasks/{elsewhere.pk}").status_code == 404
    report(personas, task.assignments.get())
    refused = api(personas, "secretariat", "delete", f"/tasks/{task.pk}")
    assert refused.status_code == 409 and "hủy nhiệm vụ" in refused.json()["detail"]
    cancelled = api(personas, "secretariat", "post", f"/tasks/{task.pk}/cancel", {"reason": "Thay thế"})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    fresh = make_task(personas, task.directive, personas.unit_b)
    assert api(personas, "secretariat", "delete", f"/tasks/{fresh.pk}").status_code == 204
    assert not Task.objects.filter(pk=fresh.pk).exists()
