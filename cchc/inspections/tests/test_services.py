"""The rules of the inspection register: who may be inspected, coverage, findings given as tasks, the share
remedied, and the values published into the indicator store (each computed by hand below)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cchc.accounts.models import User
from cchc.audit.models import AuditEntry
from cchc.directives.models import Assignment, Directive
from cchc.directives.services import report_accept, report_submit
from cchc.indicators.models import IndicatorSource, IndicatorValue
from cchc.indicators.selectors import target_for
from cchc.inspections import selectors, services
from cchc.inspections.models import Finding, FindingKind, Inspection, InspectionPlan, PlanStatus
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas


def _value(code: str, unit: Unit, year: int) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(indicator__code=code, unit=unit, period_key=str(year)).first()


def _inspected(personas: Personas, plan: InspectionPlan, unit: Unit) -> Inspection:
    today = timezone.localdate()
    inspection, _created = services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=unit, planned_on=today, team="Nguyễn Văn A (Sở Nội vụ)"
    )
    if plan.status == PlanStatus.DRAFT:
        services.plan_approve(actor=personas.secretariat, plan=plan)
        plan.refresh_from_db()
    return services.inspection_update(
        actor=personas.secretariat,
        inspection=inspection,
        planned_on=today,
        team=inspection.team,
        done_on=today,
    )


def _finding(personas: Personas, inspection: Inspection, content: str) -> Finding:
    finding, _created = services.finding_create(
        actor=personas.secretariat,
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        content=content,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    return finding


def _remedy(personas: Personas, finding: Finding, focal: User) -> None:
    assert finding.task_id is not None
    assignment = Assignment.objects.get(task_id=finding.task_id)
    report = report_submit(actor=focal, assignment=assignment, percent=100, text="Đã khắc phục")
    report_accept(actor=personas.secretariat, report=report)


def test_the_units_counted_are_the_departments_and_communes_directly_under_the_organiser(
    personas: Personas,
) -> None:
    units = set(selectors.subordinate_units(personas.province))
    assert units == {personas.home_affairs, personas.unit_a, personas.unit_b}


def test_a_unit_outside_the_organisers_units_cannot_be_put_in_the_plan(
    personas: Personas, plan: InspectionPlan
) -> None:
    for unit in (personas.office_a, personas.front, personas.other_commune):
        with pytest.raises(ServiceError) as raised:
            services.inspection_add(actor=personas.secretariat, plan=plan, unit=unit, planned_on=timezone.localdate())
        assert raised.value.field == "unit"
    assert not plan.inspections.exists()


def test_a_unit_added_twice_is_in_the_plan_once(personas: Personas, plan: InspectionPlan) -> None:
    today = timezone.localdate()
    first, created = services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=personas.unit_a, planned_on=today
    )
    again, created_again = services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=personas.unit_a, planned_on=today
    )
    assert created and not created_again and first.pk == again.pk


def test_a_second_plan_for_the_same_year_is_refused(personas: Personas, plan: InspectionPlan, year: int) -> None:
    with pytest.raises(ServiceError) as raised:
        services.plan_create(actor=personas.secretariat, organiser=personas.province, year=year, title="Lần hai")
    assert raised.value.code == "already"


def test_an_inspection_of_a_draft_plan_cannot_be_recorded_as_done(personas: Personas, plan: InspectionPlan) -> None:
    today = timezone.localdate()
    inspection, _ = services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=personas.unit_a, planned_on=today
    )
    with pytest.raises(ServiceError) as raised:
        services.inspection_update(actor=personas.secretariat, inspection=inspection, planned_on=today, done_on=today)
    assert raised.value.field == "done_on"


def test_coverage_counts_inspected_units_against_the_units_under_the_organiser(
    personas: Personas, plan: InspectionPlan, year: int
) -> None:
    today = timezone.localdate()
    _inspected(personas, plan, personas.unit_a)
    services.inspection_add(actor=personas.secretariat, plan=plan, unit=personas.unit_b, planned_on=today)

    covered = selectors.coverage(personas.province, year)
    # 1 of 3 units (Sở Nội vụ, Sở Tư pháp, Xã Hòa Bình) inspected; 2 of 3 planned.
    assert (covered.inspected, covered.planned, covered.total) == (1, 2, 3)
    assert covered.rate == Decimal("33.33")
    assert covered.target == Decimal(30)
    assert covered.meets_target is True

    value = _value(selectors.COVERAGE_RATE, personas.province, year)
    assert value is not None
    assert (value.value, value.numerator, value.denominator) == (Decimal("33.33"), Decimal(1), Decimal(3))
    assert value.indicator.source == IndicatorSource.INSPECTIONS


def test_each_finding_becomes_a_task_of_the_inspected_unit_under_one_directive_per_plan(
    personas: Personas, plan: InspectionPlan
) -> None:
    inspection_a = _inspected(personas, plan, personas.unit_a)
    inspection_b = _inspected(personas, plan, personas.unit_b)
    first = _finding(personas, inspection_a, "Chưa niêm yết công khai thủ tục hành chính tại bộ phận một cửa")
    second = _finding(personas, inspection_b, "Chưa cập nhật kết quả giải quyết hồ sơ lên hệ thống")

    directive = Directive.objects.get(origin_key=services.follow_up_key(plan))
    assert first.task is not None and second.task is not None
    assert first.task.directive_id == second.task.directive_id == directive.pk
    assert directive.issuing_unit == personas.province
    assignment = Assignment.objects.get(task=first.task)
    assert assignment.unit == personas.unit_a
    assert assignment.due_date == first.deadline


def test_the_same_finding_submitted_twice_creates_one_task(personas: Personas, plan: InspectionPlan) -> None:
    inspection = _inspected(personas, plan, personas.unit_a)
    text = "Chưa ban hành kế hoạch cải cách hành chính năm"
    first = _finding(personas, inspection, text)
    again, created = services.finding_create(
        actor=personas.secretariat,
        inspection=inspection,
        kind=FindingKind.RECOMMENDATION,
        content=text,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert not created and again.pk == first.pk
    assert Assignment.objects.filter(unit=personas.unit_a).count() == 1


def test_a_finding_needs_a_deadline_not_in_the_past(personas: Personas, plan: InspectionPlan) -> None:
    inspection = _inspected(personas, plan, personas.unit_a)
    for deadline in (None, timezone.localdate() - datetime.timedelta(days=1)):
        with pytest.raises(ServiceError) as raised:
            services.finding_create(
                actor=personas.secretariat, inspection=inspection, kind="recommendation", content="X", deadline=deadline
            )
        assert raised.value.field == "deadline"
    assert not Finding.objects.exists()


def test_the_share_remedied_counts_findings_whose_task_is_accepted_as_done(
    personas: Personas, plan: InspectionPlan, year: int
) -> None:
    inspection_a = _inspected(personas, plan, personas.unit_a)
    inspection_b = _inspected(personas, plan, personas.unit_b)
    a1 = _finding(personas, inspection_a, "Tồn tại thứ nhất của Sở Tư pháp")
    _finding(personas, inspection_a, "Tồn tại thứ hai của Sở Tư pháp")
    _finding(personas, inspection_b, "Tồn tại của Xã Hòa Bình")
    _remedy(personas, a1, personas.focal_a)

    assert selectors.remedied_of_plan(plan) == selectors.Remedied(remedied=1, total=3)
    by_unit = selectors.remedied_by_unit(year, [personas.unit_a.pk, personas.unit_b.pk])
    assert by_unit[personas.unit_a.pk].rate == Decimal("50.00")
    assert by_unit[personas.unit_b.pk].rate == Decimal("0.00")

    # Acceptance happens in the task tracker; the command (or the next change) publishes the rate again.
    services.publish_year(actor=None, year=year)
    province = _value(selectors.FINDINGS_REMEDIED_RATE, personas.province, year)
    unit_a = _value(selectors.FINDINGS_REMEDIED_RATE, personas.unit_a, year)
    unit_b = _value(selectors.FINDINGS_REMEDIED_RATE, personas.unit_b, year)
    assert province is not None and unit_a is not None and unit_b is not None
    assert (province.value, province.numerator, province.denominator) == (Decimal("33.33"), 1, 3)
    assert (unit_a.value, unit_a.numerator, unit_a.denominator) == (Decimal("50.00"), 1, 2)
    assert unit_b.value == Decimal("0.00")
    assert target_for(selectors.FINDINGS_REMEDIED_RATE, personas.unit_a, year) == Decimal(100)


def test_without_findings_there_is_no_remedied_rate_rather_than_zero(
    personas: Personas, plan: InspectionPlan, year: int
) -> None:
    inspection = _inspected(personas, plan, personas.unit_a)
    finding = _finding(personas, inspection, "Một tồn tại ghi nhầm")
    assert _value(selectors.FINDINGS_REMEDIED_RATE, personas.unit_a, year) is not None
    services.finding_delete(actor=personas.secretariat, finding=finding)
    assert _value(selectors.FINDINGS_REMEDIED_RATE, personas.unit_a, year) is None
    assert not Assignment.objects.filter(unit=personas.unit_a).exists()


def test_a_closed_plan_takes_no_more_changes_and_the_closing_is_audited(
    personas: Personas, plan: InspectionPlan
) -> None:
    inspection = _inspected(personas, plan, personas.unit_a)
    services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=personas.unit_b, planned_on=timezone.localdate()
    )
    assert selectors.plan_is_incomplete(plan) == {"not_done": 1, "not_remedied": 0}
    services.plan_close(actor=personas.secretariat, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(ServiceError):
        _finding(personas, inspection, "Quá muộn")
    entry = AuditEntry.objects.filter(object_id=str(plan.pk), changes__has_key="status").latest("pk")
    assert "1 cuộc kiểm tra chưa thực hiện" in entry.reason


def test_the_default_targets_are_data_the_secretariat_may_change(personas: Personas, year: int) -> None:
    indicator = services.coverage_indicator()
    assert target_for(indicator, personas.province, year) == Decimal(30)
    assert target_for(indicator, personas.province, year + 5) == Decimal(30)
    target = indicator.targets.get()
    target.value = Decimal(40)
    target.save()
    services.coverage_indicator()  # ensuring the definition again keeps the target as it was changed
    assert target_for(indicator, personas.province, year) == Decimal(40)


def test_the_command_publishes_the_year_again_after_a_remedy_is_accepted(
    personas: Personas, plan: InspectionPlan, year: int
) -> None:
    inspection = _inspected(personas, plan, personas.unit_a)
    finding = _finding(personas, inspection, "Khắc phục rồi công bố lại")
    _remedy(personas, finding, personas.focal_a)
    stale = _value(selectors.FINDINGS_REMEDIED_RATE, personas.unit_a, year)
    assert stale is not None and stale.value == Decimal("0.00")
    out = StringIO()
    call_command("publish_registers", "--year", str(year), stdout=out)
    fresh = _value(selectors.FINDINGS_REMEDIED_RATE, personas.unit_a, year)
    assert fresh is not None and fresh.value == Decimal("100.00")
    assert str(year) in out.getvalue()


def test_a_unit_without_findings_leaves_the_plan_and_coverage_follows(
    personas: Personas, plan: InspectionPlan, year: int
) -> None:
    inspection = _inspected(personas, plan, personas.unit_a)
    assert selectors.coverage(personas.province, year).inspected == 1
    services.inspection_delete(actor=personas.secretariat, inspection=inspection)
    services.inspection_delete(actor=personas.secretariat, inspection=inspection)  # a second click does nothing
    assert selectors.coverage(personas.province, year).inspected == 0
    value = _value(selectors.COVERAGE_RATE, personas.province, year)
    assert value is not None and value.value == Decimal("0.00")
