"""``cchc backup [FILE]``: the database and the uploaded files in one checked archive; ``--check FILE`` reads one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.maintenance.services import backup_check, backup_create, backups_beyond


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Sao lưu cơ sở dữ liệu (PostgreSQL: pg_dump; SQLite: sao lưu trực tuyến) và các tệp đính kèm vào một "
            "tệp .tar kèm bảng kê số dòng của từng bảng và mã băm của từng tệp. Với --check: đọc lại một bản sao lưu "
            "và đối chiếu với bảng kê của nó."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            help=_("Tệp sao lưu cần ghi (.tar hoặc .tar.gz); mặc định var/backups/cchc-<ngày giờ>.tar."),
        )
        parser.add_argument("--check", action="store_true", help=_("Chỉ đọc và kiểm tra tệp sao lưu đã có."))
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help=_("Sau khi sao lưu thành công, chỉ giữ N bản sao lưu mới nhất trong thư mục của tệp vừa ghi."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if options["check"]:
            if not name:
                raise CommandError(_("Hãy ghi tệp sao lưu cần kiểm tra."))
            self._check(Path(name))
            return
        if name:
            destination = Path(name)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            destination = Path(settings.VAR_DIR) / "backups" / f"cchc-{stamp}.tar"
        keep = options["keep"]
        if keep is not None and keep < 1:
            raise CommandError(_("--keep phải là số nguyên dương."))
        if destination.exists():
            raise CommandError(_("Tệp %(path)s đã có; hãy chọn tên khác.") % {"path": destination})
        try:
            manifest = backup_create(destination=destination)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("Đã sao lưu vào %(path)s: %(tables)s bảng, %(rows)s dòng, %(files)s tệp đính kèm.")
            % {
                "path": destination,
                "tables": len(manifest.tables),
                "rows": sum(manifest.tables.values()),
                "files": len(manifest.files),
            }
        )
        if keep is not None:
            for old in backups_beyond(destination.parent, keep):
                old.unlink()
                self.stdout.write(_("Đã xóa bản sao lưu cũ %(path)s.") % {"path": old})

    def _check(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(_("Không có tệp %(path)s.") % {"path": path})
        try:
            manifest, problems = backup_check(archive=path)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if problems:
            for problem in problems[:20]:
                self.stderr.write(problem)
            raise CommandError(
                _("Tệp sao lưu không khớp với bảng kê: %(count)s mục hỏng hoặc thiếu.") % {"count": len(problems)}
            )
        self.stdout.write(
            _("Tệp sao lưu đọc được và khớp với bảng kê (%(vendor)s, %(created)s): %(tables)s bảng, %(files)s tệp.")
            % {
                "vendor": manifest.vendor,
                "created": manifest.created,
                "tables": len(manifest.tables),
                "files": len(manifest.files),
            }
        )
