"""``cchc import_units FILE [--dry-run]``: load the unit tree from an Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.organisations.excel import error_workbook, import_units


class Command(BaseCommand):
    help = (
        "Nhập cây đơn vị từ tệp Excel (.xlsx) theo mẫu của chức năng Xuất Excel. "
        "Nếu có dòng lỗi thì không nhập gì và in báo cáo lỗi theo dòng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Đường dẫn tệp .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không lưu gì.")
        parser.add_argument(
            "--errors-out", help="Ghi tệp Excel báo lỗi (các dòng gốc kèm cột “Lỗi”) vào đường dẫn này."
        )
        parser.add_argument("--reason", default="", help="Lý do ghi vào nhật ký thay đổi.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        try:
            with path.open("rb") as handle:
                _kind, data = files.check_upload(handle, name=path.name, kinds=[files.XLSX])
            report = import_units(actor=None, data=data, reason=options["reason"], dry_run=options["dry_run"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            if options["errors_out"]:
                Path(options["errors_out"]).write_bytes(error_workbook(report))
                self.stdout.write(_("Đã ghi tệp báo lỗi: %(path)s") % {"path": options["errors_out"]})
            raise CommandError(_("Không nhập gì: %(count)s lỗi.") % {"count": len(report.errors)})
        if options["dry_run"]:
            self.stdout.write(_("Chạy thử: không lưu thay đổi nào."))
