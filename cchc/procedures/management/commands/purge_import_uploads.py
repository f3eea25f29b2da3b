"""``cchc purge_import_uploads [--older-than HOURS]``: give up the dossier uploads left at the column-mapping screen.

An upload waits in storage while the secretariat maps its columns; one never mapped nor cancelled would stay there.
Run daily from cron; safe to run twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.procedures.jobs import ABANDONED_AFTER_HOURS, runs_abandoned_discard


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Hủy các lượt nhập hồ sơ bỏ dở ở bước chọn cột và xóa tệp tải lên của chúng. Nên chạy hằng ngày.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=ABANDONED_AFTER_HOURS,
            metavar="HOURS",
            help=_("Chỉ hủy các lượt tải lên trước đó ít nhất từng này giờ (mặc định 24)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["older_than"]
        if hours < 1:
            raise CommandError(_("--older-than phải là số giờ từ 1 trở lên."))
        count = runs_abandoned_discard(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(_("Đã hủy %(count)d lượt nhập bỏ dở và xóa tệp của chúng.") % {"count": count})
