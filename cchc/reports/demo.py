"""Demo reports: this year's reform report task, four units' annual reports at every stage of their review, and the
province's annual report consolidated from the accepted ones and completed, so that a first run of ``cchc demo``
gives a complete annual report to read, download and print. The narrative is illustrative, not any province's."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.directives import services as directive_services
from cchc.directives.models import DeadlineKind, DirectiveKind, ExpectedOutput, Recurrence
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit

from . import services
from .models import SECTION_KEYS, Report, ReportStatus, ReportTask

PLAN_REFERENCE = "05/KH-UBND"
# (unit code, the stage its annual report reaches, who writes it)
UNIT_REPORTS = (
    ("PT-STP", ReportStatus.ACCEPTED, "daumoi"),
    ("PT-SYT", ReportStatus.ACCEPTED, ""),
    ("PT-SKHCN", ReportStatus.SUBMITTED, ""),
    ("PT-X-DOANHUNG", ReportStatus.DRAFT, "daumoi_xa"),
)
UNIT_TEXT = {
    "direction": "Ban hành kế hoạch CCHC năm và kế hoạch tuyên truyền; lãnh đạo đơn vị chủ trì họp giao ban CCHC "
    "hằng quý; gắn kết quả CCHC với đánh giá, xếp loại công chức cuối năm.",
    "institutional": "Rà soát các văn bản quy phạm pháp luật thuộc lĩnh vực quản lý; đề xuất sửa đổi các quy định "
    "không còn phù hợp sau khi sắp xếp đơn vị hành chính.",
    "procedures": "Cập nhật, công khai đầy đủ thủ tục hành chính trên Cổng dịch vụ công; tiếp nhận và giải quyết hồ "
    "sơ đúng quy trình, gửi thư xin lỗi với hồ sơ trễ hạn.",
    "apparatus": "Kiện toàn tổ chức bộ máy theo quy định mới; rà soát vị trí việc làm.",
    "civil_service": "Thực hiện nghiêm kỷ luật, kỷ cương hành chính; cử công chức tham gia bồi dưỡng chuyên môn.",
    "public_finance": "Thực hiện cơ chế tự chủ tài chính; công khai dự toán và quyết toán ngân sách.",
    "digital_government": "Xử lý văn bản, hồ sơ công việc trên môi trường điện tử; số hóa hồ sơ, kết quả giải quyết "
    "thủ tục hành chính.",
    "indices": "Chỉ số CCHC của đơn vị được cải thiện; một số tiêu chí về số hóa kết quả còn bị trừ điểm.",
    "assessment": "Các nhiệm vụ cơ bản hoàn thành đúng tiến độ. Hạn chế: tỷ lệ số hóa kết quả giải quyết còn thấp; "
    "nguyên nhân chủ yếu do hạ tầng và nhân lực công nghệ thông tin còn thiếu.",
    "next_tasks": "Tiếp tục đẩy mạnh số hóa hồ sơ; nâng cao chất lượng giải quyết thủ tục hành chính.",
    "proposals": "Đề nghị tỉnh tổ chức tập huấn về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.",
}
PROVINCE_TEXT = {
    "direction": "UBND tỉnh ban hành Kế hoạch CCHC năm, Kế hoạch tuyên truyền và Kế hoạch kiểm tra CCHC; Chủ tịch UBND "
    "tỉnh chủ trì hội nghị phân tích, đánh giá Chỉ số CCHC, Chỉ số SIPAS và Chỉ số PAPI, giao các sở, ngành, địa "
    "phương xây dựng kế hoạch khắc phục các tiêu chí bị trừ điểm.",
    "indices": "Kết quả Chỉ số CCHC, Chỉ số hài lòng và Chỉ số phục vụ người dân, doanh nghiệp của tỉnh được nêu tại "
    "các Biểu 3, 4 và 5; các đơn vị có chỉ số thấp được yêu cầu giải trình và khắc phục.",
    "assessment": "Công tác CCHC của tỉnh đạt kết quả tích cực, các nhiệm vụ trọng tâm cơ bản hoàn thành. Hạn chế: "
    "còn nhiệm vụ quá hạn; tỷ lệ hồ sơ trực tuyến toàn trình và số hóa kết quả chưa đạt chỉ tiêu. Nguyên nhân: một "
    "số người đứng đầu chưa quan tâm đúng mức; hạ tầng số ở cấp xã sau sắp xếp còn thiếu đồng bộ.",
    "next_tasks": "Tập trung khắc phục các tiêu chí bị trừ điểm của Chỉ số CCHC; nâng tỷ lệ hồ sơ trực tuyến toàn "
    "trình; kiểm tra CCHC tối thiểu 30 % đơn vị; đôn đốc các nhiệm vụ quá hạn.",
    "proposals": "Đề nghị Bộ Nội vụ hướng dẫn bộ tiêu chí xác định Chỉ số CCHC áp dụng cho chính quyền địa phương "
    "hai cấp.",
}


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def _report_task(province: Unit, units: list[Unit], year: int, secretariat: User | None) -> None:
    if secretariat is None or ReportTask.objects.exists():
        return
    directive = directive_services.directive_create(
        actor=secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject=f"Kế hoạch cải cách hành chính năm {year}",
            issuing_unit=province,
            reference=PLAN_REFERENCE,
            issued_on=datetime.date(year, 1, 5),
        ),
    )
    task = directive_services.task_create(
        actor=secretariat,
        directive=directive,
        data=directive_services.TaskData(
            content="Báo cáo kết quả thực hiện công tác cải cách hành chính năm (gửi Sở Nội vụ)",
            deadline_kind=DeadlineKind.RECURRING,
            recurrence=Recurrence.YEARLY,
            expected_output=ExpectedOutput.REPORT,
            units=units,
            section="VI.1",
        ),
    )
    services.report_task_link(actor=secretariat, task=task)


def _write(report: Report, texts: dict[str, str], actor: Any, prefix: str = "") -> None:
    for key in SECTION_KEYS:
        if key in texts:
            services.section_save(actor=actor, report=report, key=key, text=f"{prefix}{texts[key]}")


@transaction.atomic
def load_demo(*, province_code: str, stdout: Any = None, today: datetime.date | None = None) -> Report | None:
    """The reports of this year (nothing when the province's annual report is there already)."""
    day = today or timezone.localdate()
    province = Unit.objects.filter(code=province_code, parent__isnull=True).first()
    if province is None:
        return None
    period = Period(day.year, PeriodKind.YEAR)
    if Report.objects.filter(unit=province, period_key=period.key).exists():
        return None
    secretariat = _user("thuongtruc")
    units = [unit for code, _s, _u in UNIT_REPORTS if (unit := Unit.objects.filter(code=code).first()) is not None]
    units = [unit for unit in units if unit.is_active(day)]
    _report_task(province, units, day.year, secretariat)
    by_code = {unit.code: unit for unit in units}
    for code, stage, username in UNIT_REPORTS:
        unit = by_code.get(code)
        if unit is None:
            continue
        writer = _user(username)
        report = services.report_start(actor=writer, unit=unit, period=period)
        _write(report, UNIT_TEXT, writer)
        if stage == ReportStatus.DRAFT:
            continue
        services.report_submit(actor=writer, report=report)
        if stage == ReportStatus.ACCEPTED and secretariat is not None:
            services.report_accept(actor=secretariat, report=report)
    province_report = services.report_start(actor=secretariat, unit=province, period=period)
    _write(province_report, {key: PROVINCE_TEXT[key] for key in ("direction", "indices")}, secretariat)
    if secretariat is not None and Report.objects.filter(period_key=period.key, status=ReportStatus.ACCEPTED).exists():
        services.report_consolidate(actor=secretariat, report=province_report)
    _write(province_report, {k: v for k, v in PROVINCE_TEXT.items() if k not in ("direction", "indices")}, secretariat)
    # Sections no unit wrote about get the province's own line, so that every heading has its text.
    written = set(province_report.sections.exclude(text="").values_list("key", flat=True))
    filler = {key: UNIT_TEXT[key] for key in SECTION_KEYS if key not in written}
    _write(province_report, filler, secretariat)
    services.report_details_save(actor=secretariat, report=province_report, reference="", signer="Trần Văn Minh")
    if stdout is not None:
        stdout.write(
            _("Báo cáo CCHC định kỳ minh họa: báo cáo năm %(year)d của tỉnh và %(units)d đơn vị.")
            % {"year": day.year, "units": len(units)}
            + "\n"
        )
    return province_report
