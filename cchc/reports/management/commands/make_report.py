"""``cchc make_report --kind quarter|half|year --period 2025-Q3|2025-H1|2025 [--unit CODE] --out FILE``: write a
periodic reform report (Word, PDF or the Excel appendix, by the file's extension),
synchronously, for scripts (the report page builds its files in the background: ``cchc.reports.documents``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit
from cchc.organisations.province import home_province
from cchc.reports.documents import ReportContent, render_docx, render_pdf, render_xlsx, report_content
from cchc.reports.models import Report
from cchc.reports.services import parse_period

RENDERERS: dict[str, Callable[[ReportContent], bytes]] = {
    ".docx": render_docx,
    ".pdf": render_pdf,
    ".xlsx": render_xlsx,
}


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Xuất báo cáo CCHC định kỳ của một đơn vị (mặc định: tỉnh) ra Word, PDF hoặc phụ lục Excel theo đuôi "
            "tệp; nội dung các mục lấy từ báo cáo đã soạn trên hệ thống (nếu có), số liệu lấy từ dữ liệu của kỳ."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=["quarter", "half", "year"], help=_("Loại kỳ báo cáo."))
        parser.add_argument("--period", required=True, help=_("Kỳ: 2025-Q3, 2025-H1 hoặc 2025."))
        parser.add_argument("--unit", default="", help=_("Mã đơn vị (mặc định: tỉnh mà hệ thống phục vụ)."))
        parser.add_argument("--out", required=True, help=_("Tệp kết quả: .docx, .pdf hoặc .xlsx."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except ServiceError as error:
            raise CommandError(error.message) from error
        if period.kind != options["kind"]:
            raise CommandError(
                _("Kỳ %(period)s không phải loại “%(kind)s”.") % {"period": options["period"], "kind": options["kind"]}
            )
        out = Path(options["out"])
        renderer = RENDERERS.get(out.suffix.lower())
        if renderer is None:
            raise CommandError(_("Tệp kết quả phải có đuôi .docx, .pdf hoặc .xlsx."))
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(_("Không có đơn vị mã “%(code)s”.") % {"code": options["unit"]})
        else:
            province = home_province()
            if province is None:
                raise CommandError(_("Chưa xác định được tỉnh (đặt PROVINCE_CODE hoặc chọn đơn vị bằng --unit)."))
            unit = province
        report = Report.objects.filter(unit=unit, period_key=period.key).first()
        content = report_content(unit, period, report=report, consolidated=unit.parent_id is None)
        out.write_bytes(renderer(content))
        self.stdout.write(
            _("Đã ghi %(file)s: báo cáo %(period)s của %(unit)s.")
            % {"file": out, "period": period.label_in_sentence, "unit": unit.name}
        )
