"""Demo inspections: the province's plan for the current year covering about a third of its departments and
communes, two thirds of them already inspected, one finding per inspected unit given as a task, half of those
remedied (completion reported and accepted). Idempotent: nothing is loaded when the plan of the year exists.

Through the same services as the product; the indicators are published once at the end.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.directives.models import Assignment
from cchc.directives.services import report_accept, report_submit
from cchc.organisations.models import Unit

from . import selectors, services
from .models import FindingKind, InspectionPlan

PROVINCE = "PT"
# Units the demo accounts work in, always in the plan so that their pages show an inspection.
ALWAYS = ("PT-STP",)
FINDINGS = (
    (FindingKind.SHORTCOMING, "Chưa niêm yết đầy đủ, kịp thời thủ tục hành chính tại Bộ phận Một cửa."),
    (FindingKind.RECOMMENDATION, "Cập nhật đầy đủ kết quả giải quyết hồ sơ lên Hệ thống thông tin giải quyết TTHC."),
    (FindingKind.SHORTCOMING, "Tỷ lệ hồ sơ trực tuyến toàn trình còn thấp so với chỉ tiêu."),
    (FindingKind.RECOMMENDATION, "Ban hành kế hoạch tuyên truyền cải cách hành chính năm."),
)


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


@transaction.atomic
def load_demo(*, stdout: Writer | None = None, today: datetime.date | None = None) -> InspectionPlan | None:
    day = today or timezone.localdate()
    province = Unit.objects.filter(code=PROVINCE).first()
    secretariat = User.objects.filter(username="thuongtruc").first()
    if (
        province is None
        or secretariat is None
        or InspectionPlan.objects.filter(organiser=province, year=day.year).exists()
    ):
        return None
    plan = services.plan_create(
        actor=secretariat,
        organiser=province,
        year=day.year,
        title=_("Kế hoạch kiểm tra công tác cải cách hành chính năm %(year)s") % {"year": day.year},
        reference=f"25/KH-UBND ({day.year})",
        note=_("Dữ liệu minh họa."),
    )
    units = sorted(selectors.subordinate_units(province, on=day), key=lambda unit: (unit.code not in ALWAYS, unit.code))
    chosen = units[: max(1, round(len(units) / 3))]
    start = datetime.date(day.year, 1, 1)
    span = max((day - start).days, 0)
    inspections = []
    for index, unit in enumerate(chosen):
        planned = start + datetime.timedelta(days=span * (index + 1) // (len(chosen) + 1) + 14)
        planned = min(max(planned, start), datetime.date(day.year, 12, 31))
        inspection, _created = services.inspection_add(
            actor=secretariat,
            plan=plan,
            unit=unit,
            planned_on=planned,
            team=_("Đoàn kiểm tra CCHC của tỉnh (Sở Nội vụ chủ trì)"),
            publish=False,
        )
        inspections.append(inspection)
    services.plan_approve(actor=secretariat, plan=plan)
    done = [inspection for index, inspection in enumerate(inspections) if index % 3 != 2]
    remedied = 0
    for index, inspection in enumerate(done):
        done_on = min(inspection.planned_on, day)
        services.inspection_update(
            actor=secretariat,
            inspection=inspection,
            planned_on=inspection.planned_on,
            team=inspection.team,
            done_on=done_on,
            today=day,
            publish=False,
        )
        kind, content = FINDINGS[index % len(FINDINGS)]
        finding, _created = services.finding_create(
            actor=secretariat,
            inspection=inspection,
            kind=kind,
            content=content,
            deadline=day + datetime.timedelta(days=15 + 15 * (index % 4)),
            today=day,
            publish=False,
        )
        if index % 2 == 0 and finding.task_id is not None:
            assignment = Assignment.objects.get(task_id=finding.task_id)
            report = report_submit(actor=secretariat, assignment=assignment, percent=100, text=_("Đã khắc phục."))
            report_accept(actor=secretariat, report=report, publish=False)
            remedied += 1
    services.inspections_publish(actor=None, organiser=province, year=day.year)
    if stdout is not None:
        summary = _(
            "Kiểm tra CCHC minh họa: %(planned)d đơn vị trong kế hoạch, %(done)d đã kiểm tra, %(remedied)d đã khắc "
            "phục kiến nghị."
        ) % {"planned": len(inspections), "done": len(done), "remedied": remedied}
        stdout.write(summary + "\n")
    return plan
