"""``cchc import_dossiers FILE --source NAME [--preset NAME] [--valid-rows] [--errors-out PATH]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.procedures import presets
from cchc.procedures.excel import error_workbook
from cchc.procedures.reader import iter_file_rows
from cchc.procedures.services import dossiers_import, preset_get


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
            help="Mẫu cột: " + ", ".join(presets.SHIPPED) + " hoặc một mẫu đã lưu.",
        )
        parser.add_argument("--valid-rows", action="store_true", help="Nhập các dòng hợp lệ, bỏ qua dòng lỗi.")
        parser.add_argument(
            "--errors-out", help="Ghi tệp Excel báo lỗi (các dòng lỗi kèm cột “Lỗi”) vào đường dẫn này."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        try:
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
