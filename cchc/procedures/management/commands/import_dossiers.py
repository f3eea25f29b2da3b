"""``cchc import_dossiers FILE --source NAME [--preset NAME] [--valid-rows] [--errors-out PATH]``.

With an aggregate preset (``bieu-06a``, ``bieu-07a``) the file holds counts, not dossiers: ``--from`` and ``--to`` give
the period, and ``--unit`` the reporting unit of a 07a report (one row per field).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit
from cchc.procedures import presets
from cchc.procedures.aggregates import aggregates_import
from cchc.procedures.excel import error_workbook
from cchc.procedures.parsing import parse_date
from cchc.procedures.reader import iter_file_rows
from cchc.procedures.services import ImportReport, dossiers_analyze_after, dossiers_import, preset_get


class Command(BaseCommand):
    help = (
        "Nhập hồ sơ TTHC từ tệp xuất của hệ thống một cửa (.csv hoặc .xlsx). Mặc định nhập tất cả hoặc không nhập gì; "
        "với --valid-rows chỉ nhập các dòng hợp lệ. Nhập lại cùng tệp không tạo bản ghi trùng. "
        "Mã thoát 0 khi nhập được, 1 khi tệp bị từ chối."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp .csv hoặc .xlsx")
        parser.add_argument("--source", required=True, help="Tên nguồn dữ liệu (hệ thống xuất tệp), ví dụ “iGate”.")
        parser.add_argument(
            "--preset",
            default=presets.DEFAULT,
            help="Mẫu cột: " + ", ".join([*presets.SHIPPED, *presets.AGGREGATES]) + " hoặc một mẫu đã lưu.",
        )
        parser.add_argument("--from", dest="period_from", help="Biểu tổng hợp: ngày đầu kỳ (dd/mm/yyyy).")
        parser.add_argument("--to", dest="period_to", help="Biểu tổng hợp: ngày cuối kỳ (dd/mm/yyyy).")
        parser.add_argument("--unit", help="Biểu 07a: mã đơn vị báo cáo.")
        parser.add_argument("--valid-rows", action="store_true", help="Nhập các dòng hợp lệ, bỏ qua dòng lỗi.")
        parser.add_argument(
            "--errors-out", help="Ghi tệp Excel báo lỗi (các dòng lỗi kèm cột “Lỗi”) vào đường dẫn này."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        try:
            if options["preset"] in presets.AGGREGATES:
                report = self._aggregates(path, options)
            else:
                report = self._dossiers(path, options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        for line in report.error_lines():
            self.stdout.write(line)
        if report.bad_rows and options["errors_out"]:
            Path(options["errors_out"]).write_bytes(error_workbook(report))
            self.stdout.write(_("Đã ghi tệp báo lỗi: %(path)s") % {"path": options["errors_out"]})
        if report.rejected:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())

    def _dossiers(self, path: Path, options: dict[str, Any]) -> ImportReport:
        preset = preset_get(options["preset"])
        with path.open("rb") as handle:
            report = dossiers_import(
                actor=None,
                rows=iter_file_rows(handle, name=path.name),
                source=options["source"],
                preset=preset,
                file_name=path.name,
                valid_rows_only=options["valid_rows"],
            )
        if dossiers_analyze_after(report):
            self.stdout.write(_("Đã cập nhật thống kê của bảng hồ sơ sau lần nhập lớn (ANALYZE)."))
        return report

    def _aggregates(self, path: Path, options: dict[str, Any]) -> ImportReport:
        preset = presets.AGGREGATES[options["preset"]]
        period = []
        for key in ("period_from", "period_to"):
            try:
                day = parse_date(options[key], date_format=presets.DMY)
            except ValueError:
                day = None
            if day is None:
                raise CommandError(_("Biểu tổng hợp cần --from và --to là ngày dd/mm/yyyy."))
            period.append(day)
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(_("Không có đơn vị mã “%(code)s”.") % {"code": options["unit"]})
        with path.open("rb") as handle:
            return aggregates_import(
                actor=None,
                rows=iter_file_rows(handle, name=path.name),
                source=options["source"],
                preset=preset,
                period_start=period[0],
                period_end=period[1],
                unit=unit,
                file_name=path.name,
                valid_rows_only=options["valid_rows"],
            )
