"""Rules of tasks: statuses over time, recurrence, fan-out, reports, acceptance, extensions, statistics."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.audit.models import AuditEntry
from cchc.directives import services
from cchc.directives.forms import fan_out_units
from cchc.directives.models import (
    Assignment,
    DeadlineKind,
    Directive,
    ExtensionState,
    Occurrence,
    Recurrence,
    ReviewState,
    Status,
    Task,
)
from cchc.indicators.models import IndicatorValue
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import CommuneSubtype, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.testing.personas import Personas

from .conftest import DUE, ISSUED, make_directive, make_task


def status_of(assignment: Assignment) -> Status:
    """The status as the database computes it today (the tracker's view), checked against the Python one."""
    fresh = Assignment.objects.with_status().get(pk=assignment.pk)
    assert fresh.status == fresh.status_on()
    return fresh.status


def test_assignment_goes_from_not_started_to_in_progress_to_overdue_to_done_late(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(datetime.date(2025, 9, 1), tick=False):
        task = make_task(personas, directive, personas.unit_a)
        assignment = task.assignments.get()
        assert status_of(assignment) == Status.NOT_STARTED
        services.report_submit(actor=personas.focal_a, assignment=assignment, percent=40, text="Đã rà soát 12 thủ tục")
        assert status_of(assignment) == Status.IN_PROGRESS
    with time_machine.travel(DUE + datetime.timedelta(days=1), tick=False):
        assert status_of(assignment) == Status.OVERDUE
        report = services.report_submit(
            actor=personas.focal_a, assignment=assignment, percent=100, text="Hoàn thành, đã gửi báo cáo"
        )
        assert report.review_state == ReviewState.PENDING
        assert status_of(assignment) == Status.OVERDUE
    with time_machine.travel(DUE + datetime.timedelta(days=5), tick=False):
        services.report_accept(actor=personas.secretariat, report=report)
        assignment.refresh_from_db()
        assert assignment.completed_on == DUE + datetime.timedelta(days=1)
        assert status_of(assignment) == Status.DONE_LATE


def test_completion_reported_on_time_stays_on_time_even_if_accepted_after_the_deadline(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(DUE, tick=False):
        assignment = make_task(personas, directive).assignments.get()
        report = services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Xong")
    with time_machine.travel(DUE + datetime.timedelta(days=10), tick=False):
        services.report_accept(actor=personas.secretariat, report=report, comment="Đạt yêu cầu")
        assert status_of(assignment) == Status.DONE_ON_TIME


def test_returned_report_leaves_the_assignment_open_with_the_comment(personas: Personas, directive: Directive) -> None:
    with time_machine.travel(datetime.date(2025, 9, 10), tick=False):
        assignment = make_task(personas, directive).assignments.get()
        report = services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Xong")
        with pytest.raises(ServiceError):
            services.report_return(actor=personas.secretariat, report=report, comment="  ")
        services.report_return(actor=personas.secretariat, report=report, comment="Thiếu báo cáo kèm theo")
        assignment.refresh_from_db()
        report.refresh_from_db()
        assert report.review_state == ReviewState.RETURNED
        assert not assignment.review_pending and assignment.completed_on is None
        assert status_of(assignment) == Status.IN_PROGRESS
        with pytest.raises(ServiceError):
            services.report_accept(actor=personas.secretariat, report=report)


def test_a_unit_cannot_report_twice_while_completion_waits_or_after_acceptance(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive, deadline=datetime.date(2030, 1, 1)).assignments.get()
    report = services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Xong")
    with pytest.raises(ServiceError, match="chờ"):
        services.report_submit(actor=personas.focal_a, assignment=assignment, percent=90, text="Sửa")
    services.report_accept(actor=personas.secretariat, report=report)
    with pytest.raises(ServiceError, match="đã được xác nhận"):
        services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Lại")


@pytest.mark.parametrize("percent", [-1, 101])
def test_report_percent_outside_0_to_100_is_refused(personas: Personas, directive: Directive, percent: int) -> None:
    assignment = make_task(personas, directive).assignments.get()
    with pytest.raises(ServiceError):
        services.report_submit(actor=personas.focal_a, assignment=assignment, percent=percent, text="x")
    assert not assignment.reports.exists()


def test_quarterly_task_generates_one_occurrence_per_quarter_until_the_end_of_the_year(
    personas: Personas,
) -> None:
    directive = make_directive(personas, issued_on=datetime.date(2025, 2, 10))
    task = make_task(
        personas,
        directive,
        personas.unit_a,
        personas.unit_b,
        kind=DeadlineKind.RECURRING,
        recurrence=Recurrence.QUARTERLY,
        deadline=None,
    )
    dues = list(task.occurrences.values_list("period_key", "due_date"))
    assert dues == [
        ("2025-Q1", datetime.date(2025, 3, 31)),
        ("2025-Q2", datetime.date(2025, 6, 30)),
        ("2025-Q3", datetime.date(2025, 9, 30)),
        ("2025-Q4", datetime.date(2025, 12, 31)),
    ]
    assert task.assignments.count() == 8
    assert set(task.assignments.values_list("unit_id", flat=True)) == {personas.unit_a.pk, personas.unit_b.pk}


@pytest.mark.parametrize(
    ("recurrence", "issued", "horizon", "expected"),
    [
        (Recurrence.MONTHLY, datetime.date(2022, 8, 20), None, ["2022-08", "2022-09", "2022-10", "2022-11", "2022-12"]),
        (
            Recurrence.HALF_YEARLY,
            datetime.date(2022, 3, 1),
            datetime.date(2023, 12, 31),
            ["2022-H1", "2022-H2", "2023-H1", "2023-H2"],
        ),
        (Recurrence.YEARLY, datetime.date(2021, 8, 1), datetime.date(2024, 12, 31), ["2021", "2022", "2023", "2024"]),
    ],
)
def test_recurring_tasks_follow_their_period_up_to_the_directive_horizon(
    personas: Personas,
    recurrence: str,
    issued: datetime.date,
    horizon: datetime.date | None,
    expected: list[str],
) -> None:
    directive = make_directive(personas, issued_on=issued, horizon_end=horizon)
    task = make_task(personas, directive, kind=DeadlineKind.RECURRING, recurrence=recurrence, deadline=None)
    keys = list(task.occurrences.values_list("period_key", flat=True))
    assert keys == expected
    for occurrence in task.occurrences.all():
        assert occurrence.due_date == Period.from_key(occurrence.period_key).end


def test_recurring_task_without_a_cycle_is_refused_and_nothing_is_created(
    personas: Personas, directive: Directive
) -> None:
    with pytest.raises(ServiceError, match="chu kỳ"):
        make_task(personas, directive, kind=DeadlineKind.RECURRING, recurrence="", deadline=None)
    assert not Task.objects.exists() and not Occurrence.objects.exists()


def test_period_deadline_falls_due_at_the_end_of_the_period(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, kind=DeadlineKind.PERIOD, period_key="2025-h2", deadline=None)
    assert task.period_key == "2025-H2"
    assert task.assignments.get().due_date == datetime.date(2025, 12, 31)


def test_continuous_task_reports_quarterly_by_default_with_each_report_due_at_the_quarter_end(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, kind=DeadlineKind.CONTINUOUS, deadline=None)
    assert task.recurrence == Recurrence.CONTINUOUS and task.report_every == Recurrence.QUARTERLY
    assert [(o.period_key, o.due_date) for o in task.occurrences.all()] == [
        ("2025-Q3", datetime.date(2025, 9, 30)),
        ("2025-Q4", datetime.date(2025, 12, 31)),
    ]
    assert task.assignments.count() == 2


def test_task_addressed_to_all_communes_fans_out_to_one_assignment_per_active_commune(personas: Personas) -> None:
    second = unit_create(
        actor=None,
        data=UnitData(name="Phường Đông", kind=UnitKind.COMMUNE, code="T-P-PD", subtype=CommuneSubtype.WARD),
        parent=personas.province,
    )
    unit_create(
        actor=None,
        data=UnitData(
            name="Xã Đã Sáp Nhập",
            kind=UnitKind.COMMUNE,
            code="T-P-XC",
            subtype=CommuneSubtype.COMMUNE,
            valid_to=datetime.date(2025, 6, 30),
        ),
        parent=personas.province,
    )
    directive = make_directive(personas)
    communes = fan_out_units(personas.province, "communes", ISSUED)
    assert {unit.pk for unit in communes} == {personas.unit_b.pk, second.pk}
    task = make_task(personas, directive, *communes)
    assert task.assignments.count() == 2
    assert task.lead_unit is None


def test_task_for_a_unit_closed_on_the_issue_date_is_refused(personas: Personas) -> None:
    closed = unit_create(
        actor=None,
        data=UnitData(name="Phòng Cũ", kind=UnitKind.OFFICE, code="T-P-OLD", valid_to=datetime.date(2024, 12, 31)),
        parent=personas.unit_a,
    )
    directive = make_directive(personas)
    with pytest.raises(ServiceError, match="không còn hoạt động"):
        make_task(personas, directive, closed)


def test_deadline_before_the_issue_date_is_refused(personas: Personas, directive: Directive) -> None:
    with pytest.raises(ServiceError, match="trước ngày ban hành"):
        make_task(personas, directive, deadline=ISSUED - datetime.timedelta(days=1))


def test_confirmation_with_one_bad_task_creates_nothing(personas: Personas) -> None:
    good = services.TaskData(
        content="Xây dựng kế hoạch", deadline_kind=DeadlineKind.DATE, deadline=DUE, units=[personas.unit_a]
    )
    bad = services.TaskData(content="Không có đơn vị", deadline_kind=DeadlineKind.DATE, deadline=DUE, units=[])
    data = services.DirectiveData(kind="ke_hoach", subject="Kế hoạch CCHC", issuing_unit=personas.province)
    with pytest.raises(ServiceError, match="Nhiệm vụ 2"):
        services.directive_create_with_tasks(actor=personas.secretariat, data=data, tasks=[good, bad])
    assert not Directive.objects.exists()
    assert not Task.objects.exists()
    assert not Assignment.objects.exists()
    assert not AuditEntry.objects.filter(object_type__startswith="directives.").exists()


def test_confirmation_can_create_a_unit_missing_from_the_registry(personas: Personas) -> None:
    new = services.NewUnit(
        label="Trung tâm Văn hóa, Thể thao và Truyền thông",
        data=UnitData(
            name="Trung tâm Văn hóa, Thể thao và Truyền thông", kind=UnitKind.PUBLIC_SERVICE_UNIT, code="T-P-TTVH"
        ),
        parent=personas.province,
    )
    task = services.TaskData(
        content="Xây dựng chuyên mục CCHC",
        deadline_kind=DeadlineKind.CONTINUOUS,
        new_unit_labels=(new.label,),
    )
    data = services.DirectiveData(kind="thong_bao_ket_luan", subject="Kết luận", issuing_unit=personas.province)
    directive = services.directive_create_with_tasks(
        actor=personas.secretariat, data=data, tasks=[task], new_units=[new]
    )
    assert directive.assignments.get().unit.code == "T-P-TTVH"


def test_extension_approved_moves_the_due_date_and_refusal_needs_a_reason(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(datetime.date(2025, 9, 20), tick=False):
        assignment = make_task(personas, directive).assignments.get()
        with pytest.raises(ServiceError, match="sau hạn hiện tại"):
            services.extension_request(
                actor=personas.focal_a, assignment=assignment, new_due_date=DUE, reason="Chờ số liệu"
            )
        request = services.extension_request(
            actor=personas.focal_a,
            assignment=assignment,
            new_due_date=datetime.date(2025, 10, 31),
            reason="Chờ số liệu của Cục Thống kê",
        )
        with pytest.raises(ServiceError, match="đang chờ"):
            services.extension_request(
                actor=personas.focal_a, assignment=assignment, new_due_date=datetime.date(2025, 11, 30), reason="x"
            )
        with pytest.raises(ServiceError):
            services.extension_decide(actor=personas.secretariat, request=request, approve=False)
        services.extension_decide(actor=personas.secretariat, request=request, approve=True, comment="Đồng ý")
        assignment.refresh_from_db()
        request.refresh_from_db()
        assert request.state == ExtensionState.APPROVED
        assert assignment.due_date == datetime.date(2025, 10, 31)
        assert assignment.original_due_date == DUE
    with time_machine.travel(datetime.date(2025, 10, 15), tick=False):
        assert status_of(assignment) == Status.NOT_STARTED


def test_every_change_is_in_the_audit_trail(personas: Personas, directive: Directive) -> None:
    with time_machine.travel(datetime.date(2025, 9, 1), tick=False):
        assignment = make_task(personas, directive).assignments.get()
        report = services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Xong")
        services.report_accept(actor=personas.secretariat, report=report)
    types = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert {"directives.directive", "directives.task", "directives.progressreport", "directives.assignment"} <= types
    accepted = AuditEntry.objects.get(object_type="directives.assignment")
    assert accepted.actor == personas.secretariat and accepted.unit == personas.unit_a


def test_on_time_rate_is_published_into_the_indicator_store_when_completion_is_accepted(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(datetime.date(2025, 9, 1), tick=False):
        first = make_task(personas, directive, content="Nhiệm vụ một").assignments.get()
        second = make_task(personas, directive, content="Nhiệm vụ hai").assignments.get()
        report = services.report_submit(actor=personas.focal_a, assignment=first, percent=100, text="Xong")
        services.report_accept(actor=personas.secretariat, report=report)
    quarter = Period(2025, PeriodKind.QUARTER, 3)
    value = IndicatorValue.objects.get(
        indicator__code=services.ON_TIME_RATE, unit=personas.unit_a, period_key=quarter.key
    )
    # Only the completed one counts before the deadline: 1 on time of 1 due.
    assert value.value == Decimal("100") and value.denominator == 1
    with time_machine.travel(datetime.date(2025, 10, 5), tick=False):
        assert services.stats_publish(actor=None, period=quarter) == 1
    value.refresh_from_db()
    assert value.value == Decimal("50") and (value.numerator, value.denominator) == (1, 2)
    assert second.completed_on is None
    year = IndicatorValue.objects.get(indicator__code=services.ON_TIME_RATE, unit=personas.unit_a, period_key="2025")
    assert year.value == Decimal("100")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    due_offset=st.integers(min_value=-40, max_value=40),
    report_offset=st.one_of(st.none(), st.integers(min_value=-40, max_value=40)),
    completed_offset=st.one_of(st.none(), st.integers(min_value=-40, max_value=40)),
    no_due=st.booleans(),
)
def test_tracker_status_filters_agree_with_the_status_of_each_assignment(
    personas: Personas,
    directive: Directive,
    due_offset: int,
    report_offset: int | None,
    completed_offset: int | None,
    no_due: bool,
) -> None:
    """Whatever the dates, each assignment is in exactly one status filter, the one its status says."""
    today = datetime.date(2025, 9, 15)
    task = Task.objects.filter(directive=directive).first() or make_task(personas, directive)
    Assignment.objects.filter(task=task).delete()

    def day(offset: int | None) -> datetime.date | None:
        return None if offset is None else today + datetime.timedelta(days=offset)

    assignment = Assignment.objects.create(
        task=task,
        directive=directive,
        unit=personas.unit_a,
        due_date=None if no_due else day(due_offset),
        last_report_on=day(report_offset),
        completed_on=day(completed_offset),
    )
    matching = [
        status
        for status in Status.values
        if Assignment.objects.filter(pk=assignment.pk).in_status(status, today).exists()
    ]
    annotated = Assignment.objects.with_status(today).get(pk=assignment.pk)
    assert matching == [assignment.status_on(today).value]
    assert annotated.status == assignment.status_on(today)
