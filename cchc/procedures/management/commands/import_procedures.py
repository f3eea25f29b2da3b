"""``cchc import_procedures FILE [--errors-out PATH]``: load the procedure catalogue from Excel (or CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.procedures.excel import error_workbook
from cchc.procedures.reader import iter_file_rows
from cchc.procedures.services import procedures_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính (mã, tên, lĩnh vực, cấp thực hiện, mức độ DVC trực tuyến, có phí) từ tệp "
        ".xlsx hoặc .csv; cập nhật theo mã thủ tục. Có dòng lỗi thì không nhập gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp .xlsx hoặc .csv")
        parser.add_argument("--errors-out", help="Ghi tệp Excel báo lỗi vào đường dẫn này.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        try:
            with path.open("rb") as handle:
                report = procedures_import(actor=None, rows=iter_file_rows(handle, name=path.name), file_name=path.name)
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
