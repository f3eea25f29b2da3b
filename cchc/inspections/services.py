"""Writes of the inspection register: plans, inspections, findings (each one a task), and publication.

Every function is keyword-only, atomic and audited. A finding becomes a task of the directives app for the inspected
unit, created by the directives app's own ``task_create`` under one follow-up directive per plan ("Khắc phục tồn
tại, hạn chế sau kiểm tra …", created on first use; its ``origin_key`` makes it unique). The indicators
``inspections.coverage_rate`` and ``inspections.findings_remedied_rate`` are published again after every change, and
by ``cchc publish_registers --year`` (a finding becomes remedied when the secretariat accepts the task's completion
report in the task tracker: the nightly command brings the rate up to date). ``publish=False`` leaves the
publication to one :func:`publish_year` at the end of a bulk load (the demonstration data).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record, snapshot
from cchc.directives.models import DeadlineKind, Directive, DirectiveKind, ExpectedOutput
from cchc.directives.services import DirectiveData, DirectiveExistsError, TaskData, directive_create, task_create
from cchc.directives.services import task_delete as directives_task_delete
from cchc.indicators.models import Indicator, IndicatorSource, IndicatorValue, Measure, Target, ValueOrigin
from cchc.indicators.services import TargetData, indicator_ensure, target_create, value_publish
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize
from cchc.lib.types import Actor, ActorOrSystem
from cchc.lib.validators import check_date, check_text
from cchc.organisations.models import Unit

from . import selectors
from .models import TITLE_MAX_LENGTH, Finding, FindingKind, Inspection, InspectionPlan, PlanStatus

PLAN_FIELDS = ("title", "reference", "note", "status")
INSPECTION_FIELDS = ("planned_on", "done_on", "team", "note")
# The first year the shipped default targets hold for (kept until the secretariat sets others).
DEFAULT_TARGET_YEAR = 2020
INDICATOR_GROUP = "Kiểm tra cải cách hành chính"


# ---------------------------------------------------------------------------
# Indicator definitions and publication


def _ensure_default_target(indicator: Indicator, value: Decimal) -> None:
    if not Target.objects.filter(indicator=indicator).exists():
        target_create(
            actor=None,
            indicator=indicator,
            data=TargetData(year=DEFAULT_TARGET_YEAR, value=value, step=Decimal(0), note=_("Chỉ tiêu mặc định")),
        )


def coverage_indicator() -> Indicator:
    indicator = indicator_ensure(
        code=selectors.COVERAGE_RATE,
        name=_("Tỷ lệ cơ quan, đơn vị được kiểm tra cải cách hành chính trong năm"),
        source=IndicatorSource.INSPECTIONS,
        measure=Measure.PERCENT,
        group=INDICATOR_GROUP,
        description=_(
            "Số sở, ban, ngành và xã, phường trực thuộc đã được kiểm tra cải cách hành chính trong năm trên tổng số "
            "đơn vị trực thuộc đang hoạt động × 100; tính cho đơn vị tổ chức kiểm tra."
        ),
    )
    _ensure_default_target(indicator, selectors.DEFAULT_COVERAGE_TARGET)
    return indicator


def remedied_indicator() -> Indicator:
    indicator = indicator_ensure(
        code=selectors.FINDINGS_REMEDIED_RATE,
        name=_("Tỷ lệ kiến nghị, tồn tại sau kiểm tra cải cách hành chính được khắc phục"),
        source=IndicatorSource.INSPECTIONS,
        measure=Measure.PERCENT,
        group=INDICATOR_GROUP,
        description=_(
            "Số kiến nghị, tồn tại đã khắc phục (nhiệm vụ khắc phục được xác nhận hoàn thành) trên tổng số kiến nghị, "
            "tồn tại của các cuộc kiểm tra trong năm × 100; tính cho đơn vị được kiểm tra và đơn vị tổ chức kiểm tra."
        ),
    )
    _ensure_default_target(indicator, selectors.DEFAULT_REMEDIED_TARGET)
    return indicator


def _withdraw(actor: ActorOrSystem, indicator: Indicator, unit: Unit, period: Period) -> None:
    """Remove a computed value that no longer has data behind it (audited): no findings means no rate, not 0 %."""
    stale = IndicatorValue.objects.filter(
        indicator=indicator, unit=unit, period_key=period.key, origin=ValueOrigin.COMPUTED
    ).first()
    if stale is None:
        return
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=stale,
        changes={"value": [str(stale.value), None], "period": [period.key, None]},
        unit=unit,
    )
    stale.delete()


def _publish_rate(
    actor: ActorOrSystem, indicator: Indicator, unit: Unit, period: Period, top: int, bottom: int, note: str
) -> None:
    if not bottom:
        _withdraw(actor, indicator, unit, period)
        return
    value = Decimal(top) * 100 / Decimal(bottom)
    value_publish(
        actor=actor,
        indicator=indicator,
        unit=unit,
        period=period,
        value=value.quantize(Decimal("0.01")),
        numerator=top,
        denominator=bottom,
        note=note,
    )


@transaction.atomic
def inspections_publish(*, actor: ActorOrSystem, organiser: Unit, year: int) -> int:
    """Publish the organiser's coverage and remedied share for ``year`` and the remedied share of each unit it
    inspected; returns how many values were considered."""
    period = Period(year, PeriodKind.YEAR)
    covered = selectors.coverage(organiser, year)
    _publish_rate(
        actor,
        coverage_indicator(),
        organiser,
        period,
        covered.inspected,
        covered.total,
        _("Tính từ sổ theo dõi kiểm tra cải cách hành chính"),
    )
    indicator = remedied_indicator()
    note = _("Tính từ kiến nghị, tồn tại sau kiểm tra và nhiệm vụ khắc phục")
    whole = selectors.remedied_of_organiser(organiser, year)
    _publish_rate(actor, indicator, organiser, period, whole.remedied, whole.total, note)
    unit_ids = selectors.inspected_unit_ids(organiser, year)
    by_unit = selectors.remedied_by_unit(year, unit_ids)
    units = Unit.objects.in_bulk(unit_ids)
    for unit_id in unit_ids:
        counts = by_unit.get(unit_id, selectors.Remedied(0, 0))
        _publish_rate(actor, indicator, units[unit_id], period, counts.remedied, counts.total, note)
    return 2 + len(unit_ids)


def publish_year(*, actor: ActorOrSystem, year: int) -> int:
    """Publish the inspection indicators of every organiser with a plan in ``year``."""
    organisers = Unit.objects.filter(pk__in=InspectionPlan.objects.filter(year=year).values("organiser_id")).order_by(
        "pk"
    )
    return sum(inspections_publish(actor=actor, organiser=organiser, year=year) for organiser in organisers)


def _republish(actor: ActorOrSystem, plan: InspectionPlan) -> None:
    inspections_publish(actor=actor, organiser=plan.organiser, year=plan.year)


# ---------------------------------------------------------------------------
# Plans


def _clean_plan_text(title: str, reference: str, note: str) -> tuple[str, str, str]:
    title = normalize(title)
    if not title:
        raise ServiceError(_("Hãy ghi tên kế hoạch kiểm tra."), field="title")
    check_text(title, field="title", max_length=TITLE_MAX_LENGTH)
    reference = check_text(normalize(reference), field="reference", max_length=100)
    note = check_text((note or "").strip(), field="note")
    return title, reference, note


def _locked_plan(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update().select_related("organiser").get(pk=plan.pk)


def _require_open(plan: InspectionPlan) -> None:
    if plan.is_closed:
        raise ServiceError(_("Kế hoạch đã kết thúc; không sửa được nữa."), code="closed")


@transaction.atomic
def plan_create(
    *, actor: Actor, organiser: Unit, year: int, title: str, reference: str = "", note: str = ""
) -> InspectionPlan:
    """The yearly plan of ``organiser`` (one a year; a second submit of the same plan returns an error, not a copy)."""
    if not 2000 <= year <= 2200:
        raise ServiceError(_("Năm không hợp lệ."), field="year")
    if not organiser.is_active():
        raise ServiceError(_("Đơn vị này không còn hoạt động; hãy chọn đơn vị khác."), field="organiser")
    title, reference, note = _clean_plan_text(title, reference, note)
    if InspectionPlan.objects.filter(organiser=organiser, year=year).exists():
        raise ServiceError(
            _("%(unit)s đã có kế hoạch kiểm tra năm %(year)s.") % {"unit": organiser.name, "year": year},
            field="year",
            code="already",
        )
    try:
        with transaction.atomic():
            plan = InspectionPlan.objects.create(
                organiser=organiser,
                year=year,
                title=title,
                reference=reference,
                note=note,
                created_by=actor_user(actor),
            )
    except IntegrityError as exc:
        raise ServiceError(
            _("%(unit)s đã có kế hoạch kiểm tra năm %(year)s.") % {"unit": organiser.name, "year": year},
            field="year",
            code="already",
        ) from exc
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=plan,
        changes={"year": [None, year], **{k: [None, v] for k, v in snapshot(plan, PLAN_FIELDS).items()}},
        unit=organiser,
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor: Actor, plan: InspectionPlan, title: str, reference: str = "", note: str = ""
) -> InspectionPlan:
    plan = _locked_plan(plan)
    _require_open(plan)
    title, reference, note = _clean_plan_text(title, reference, note)
    before = snapshot(plan, PLAN_FIELDS)
    plan.title, plan.reference, plan.note = title, reference, note
    plan.save(update_fields=["title", "reference", "note"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=plan,
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
        unit=plan.organiser,
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: Actor, plan: InspectionPlan) -> InspectionPlan:
    """Put a draft plan in force: its units see their inspections, and inspections can be recorded as done."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError(_("Kế hoạch đã được ban hành."), code="already")
    if not plan.inspections.exists():
        raise ServiceError(_("Hãy thêm ít nhất một đơn vị được kiểm tra trước khi ban hành kế hoạch."))
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = PlanStatus.APPROVED
    plan.save(update_fields=["status"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=plan,
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
        unit=plan.organiser,
    )
    _republish(actor, plan)
    return plan


@transaction.atomic
def plan_close(*, actor: Actor, plan: InspectionPlan) -> InspectionPlan:
    """End the plan (irreversible): inspections and findings are kept as they are; the remedy tasks go on."""
    plan = _locked_plan(plan)
    if plan.status == PlanStatus.CLOSED:
        raise ServiceError(_("Kế hoạch đã kết thúc."), code="already")
    if plan.status != PlanStatus.APPROVED:
        raise ServiceError(_("Chỉ kết thúc được kế hoạch đang thực hiện."), code="state")
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.save(update_fields=["status", "closed_at"])
    incomplete = selectors.plan_is_incomplete(plan)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=plan,
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
        reason=_("Còn %(not_done)s cuộc kiểm tra chưa thực hiện, %(not_remedied)s kiến nghị chưa khắc phục.")
        % incomplete,
        unit=plan.organiser,
    )
    _republish(actor, plan)
    return plan


# ---------------------------------------------------------------------------
# Inspections


def _check_planned_on(plan: InspectionPlan, planned_on: datetime.date | None) -> datetime.date:
    check_date(planned_on, field="planned_on")
    if planned_on is None:
        raise ServiceError(_("Hãy chọn thời gian kiểm tra dự kiến."), field="planned_on")
    if planned_on.year != plan.year:
        raise ServiceError(
            _("Thời gian kiểm tra phải trong năm %(year)s của kế hoạch.") % {"year": plan.year}, field="planned_on"
        )
    return planned_on


@transaction.atomic
def inspection_add(
    *,
    actor: Actor,
    plan: InspectionPlan,
    unit: Unit,
    planned_on: datetime.date | None,
    team: str = "",
    note: str = "",
    publish: bool = True,
) -> tuple[Inspection, bool]:
    """Add ``unit`` to the plan; returns the inspection and whether it is new (the unit already in the plan: the
    existing one, nothing created)."""
    plan = _locked_plan(plan)
    _require_open(plan)
    existing = plan.inspections.filter(unit=unit).first()
    if existing is not None:
        return existing, False
    if not selectors.subordinate_units(plan.organiser).filter(pk=unit.pk).exists():
        raise ServiceError(
            _("Chỉ kiểm tra được sở, ban, ngành, xã, phường trực thuộc %(unit)s đang hoạt động.")
            % {"unit": plan.organiser.name},
            field="unit",
        )
    planned_on = _check_planned_on(plan, planned_on)
    team = check_text(normalize(team), field="team", max_length=TITLE_MAX_LENGTH)
    note = check_text((note or "").strip(), field="note")
    inspection = Inspection.objects.create(plan=plan, unit=unit, planned_on=planned_on, team=team, note=note)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=inspection,
        changes={"plan": [None, plan.title], "unit": [None, unit.name]}
        | {k: [None, v] for k, v in snapshot(inspection, INSPECTION_FIELDS).items()},
        unit=unit,
    )
    if publish:
        _republish(actor, plan)
    return inspection, True


def _locked_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("plan__organiser", "unit")
        .get(pk=inspection.pk)
    )


@transaction.atomic
def inspection_update(
    *,
    actor: Actor,
    inspection: Inspection,
    planned_on: datetime.date | None,
    team: str = "",
    note: str = "",
    done_on: datetime.date | None = None,
    today: datetime.date | None = None,
    publish: bool = True,
) -> Inspection:
    """Change the date, team or note of an inspection, or record the day it took place (``done_on``)."""
    inspection = _locked_inspection(inspection)
    plan = inspection.plan
    _require_open(plan)
    day = today or timezone.localdate()
    planned_on = _check_planned_on(plan, planned_on)
    check_date(done_on, field="done_on")
    if done_on is not None:
        if plan.status == PlanStatus.DRAFT:
            raise ServiceError(_("Hãy ban hành kế hoạch trước khi ghi nhận kết quả kiểm tra."), field="done_on")
        if done_on > day:
            raise ServiceError(_("Ngày kiểm tra không được sau ngày hôm nay."), field="done_on")
        if done_on.year != plan.year:
            raise ServiceError(
                _("Ngày kiểm tra phải trong năm %(year)s của kế hoạch.") % {"year": plan.year}, field="done_on"
            )
    elif inspection.findings.exists():
        raise ServiceError(_("Cuộc kiểm tra đã có kiến nghị, tồn tại; không bỏ ngày kiểm tra được."), field="done_on")
    before = snapshot(inspection, INSPECTION_FIELDS)
    inspection.planned_on = planned_on
    inspection.team = check_text(normalize(team), field="team", max_length=TITLE_MAX_LENGTH)
    inspection.note = check_text((note or "").strip(), field="note")
    inspection.done_on = done_on
    inspection.save(update_fields=list(INSPECTION_FIELDS))
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=inspection,
        changes=diff(before, snapshot(inspection, INSPECTION_FIELDS)),
        unit=inspection.unit,
    )
    if publish:
        _republish(actor, plan)
    return inspection


@transaction.atomic
def inspection_delete(*, actor: Actor, inspection: Inspection) -> None:
    """Take a unit out of the plan (only before any finding is recorded)."""
    found = Inspection.objects.filter(pk=inspection.pk).select_related("plan__organiser", "unit").first()
    if found is None:
        return  # already removed (a second click)
    inspection = _locked_inspection(found)
    _require_open(inspection.plan)
    if inspection.findings.exists():
        raise ServiceError(_("Cuộc kiểm tra đã có kiến nghị, tồn tại; không xóa được."))
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=inspection,
        changes={"plan": [inspection.plan.title, None], "unit": [inspection.unit.name, None]},
        unit=inspection.unit,
    )
    plan = inspection.plan
    inspection.delete()
    _republish(actor, plan)


# ---------------------------------------------------------------------------
# Findings, each one a task


def follow_up_key(plan: InspectionPlan) -> str:
    return f"inspection-plan:{plan.pk}"


def follow_up_directive(*, actor: Actor, plan: InspectionPlan) -> Directive:
    """The directive grouping the remedy tasks of ``plan`` (created on first use, once)."""
    key = follow_up_key(plan)
    existing = Directive.objects.filter(origin_key=key).first()
    if existing is not None:
        return existing
    data = DirectiveData(
        kind=DirectiveKind.OTHER,
        subject=_("Khắc phục kiến nghị, tồn tại sau kiểm tra cải cách hành chính: %(title)s") % {"title": plan.title},
        issuing_unit=plan.organiser,
        reference=plan.reference,
        note=_("Lập tự động khi ghi nhận kiến nghị, tồn tại sau kiểm tra."),
        origin_key=key,
    )
    try:
        with transaction.atomic():
            return directive_create(actor=actor, data=data, reason=_("Giao việc từ kết quả kiểm tra"))
    except DirectiveExistsError as exists:
        return exists.directive


@transaction.atomic
def finding_create(
    *,
    actor: Actor,
    inspection: Inspection,
    kind: str,
    content: str,
    deadline: datetime.date | None,
    today: datetime.date | None = None,
    publish: bool = True,
) -> tuple[Finding, bool]:
    """Record a finding of a done inspection and give its remedy to the inspected unit as a task due on ``deadline``.

    Returns the finding and whether it is new: the same text recorded again for the same inspection (a double
    submit) returns the first one and creates nothing.
    """
    inspection = _locked_inspection(inspection)
    plan = inspection.plan
    _require_open(plan)
    if not inspection.is_done:
        raise ServiceError(_("Hãy ghi ngày kiểm tra trước khi ghi kiến nghị, tồn tại."))
    if kind not in FindingKind.values:
        raise ServiceError(_("Hãy chọn loại kiến nghị, tồn tại."), field="kind")
    content = (content or "").strip()
    check_text(content, field="content")
    if not content:
        raise ServiceError(_("Hãy ghi nội dung kiến nghị, tồn tại."), field="content")
    existing = inspection.findings.filter(content=content).first()
    if existing is not None:
        return existing, False
    day = today or timezone.localdate()
    check_date(deadline, field="deadline")
    if deadline is None:
        raise ServiceError(_("Hãy chọn thời hạn khắc phục."), field="deadline")
    if deadline < day:
        raise ServiceError(_("Thời hạn khắc phục không được trước ngày hôm nay."), field="deadline")
    finding = Finding.objects.create(
        inspection=inspection, kind=kind, content=content, deadline=deadline, created_by=actor_user(actor)
    )
    finding = finding_task_create(actor=actor, finding=finding)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=finding,
        changes={
            "kind": [None, str(finding.get_kind_display())],
            "content": [None, content],
            "deadline": [None, deadline],
            "task": [None, finding.task_id],
        },
        unit=inspection.unit,
    )
    if publish:
        _republish(actor, plan)
    return finding, True


@transaction.atomic
def finding_task_create(*, actor: Actor, finding: Finding) -> Finding:
    """Give the remedy of ``finding`` to its unit as a task (nothing when it already has one)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection__plan__organiser", "inspection__unit")
        .get(pk=finding.pk)
    )
    if finding.task_id is not None:
        return finding
    inspection = finding.inspection
    directive = follow_up_directive(actor=actor, plan=inspection.plan)
    label = finding.get_kind_display()
    content = f"{label}: {finding.content}"
    task = task_create(
        actor=actor,
        directive=directive,
        data=TaskData(
            content=content[:10_000],
            deadline_kind=DeadlineKind.DATE,
            deadline=finding.deadline,
            units=[inspection.unit],
            expected_output=ExpectedOutput.REPORT,
        ),
        reason=_("Giao việc khắc phục sau kiểm tra (%(unit)s)") % {"unit": inspection.unit.name},
    )
    finding.task = task
    finding.save(update_fields=["task"])
    return finding


@transaction.atomic
def finding_delete(*, actor: Actor, finding: Finding) -> None:
    """Remove a finding recorded by mistake, with its task (refused once the unit has reported on the task)."""
    found = (
        Finding.objects.filter(pk=finding.pk)
        .select_related("inspection__plan__organiser", "inspection__unit", "task")
        .first()
    )
    if found is None:
        return
    plan = found.inspection.plan
    _require_open(plan)
    if found.task is not None:
        directives_task_delete(actor=actor, task=found.task, reason=_("Xóa kiến nghị, tồn tại ghi nhầm"))
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=found,
        changes={"content": [found.content, None], "deadline": [found.deadline, None]},
        unit=found.inspection.unit,
    )
    found.delete()
    _republish(actor, plan)
