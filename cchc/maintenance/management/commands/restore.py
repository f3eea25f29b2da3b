"""``cchc restore FILE``: restore a backup into an empty database and files folder, then verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.maintenance.services import backup_restore


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Khôi phục một bản sao lưu của lệnh cchc backup vào cơ sở dữ liệu đang cấu hình (phải trống) và thư mục "
            "tệp đính kèm (phải trống), rồi đối chiếu số dòng của từng bảng và mã băm của từng tệp với bảng kê."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Tệp sao lưu (.tar hoặc .tar.gz)."))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không có tệp %(path)s.") % {"path": path})
        try:
            report = backup_restore(archive=path)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if not report.verified:
            for mismatch in report.mismatches[:20]:
                self.stderr.write(mismatch)
            raise CommandError(
                _("Đã khôi phục nhưng %(count)s mục không khớp với bảng kê; hãy kiểm tra trước khi dùng.")
                % {"count": len(report.mismatches)}
            )
        self.stdout.write(
            _("Đã khôi phục và đối chiếu: %(tables)s bảng, %(rows)s dòng, %(files)s tệp đính kèm khớp với bản sao lưu.")
            % {"tables": report.tables, "rows": report.rows, "files": report.files}
        )
