"""``cchc run_schedule [--loop] [--list]``: start the daily jobs whose time has come and that have not run today."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cchc.maintenance.schedule import SCHEDULE, last_runs, run_due


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Chạy các việc định kỳ hằng ngày (nhắc hạn, tính tỷ lệ đúng hạn, sao lưu, xóa phiên hết hạn…) đã đến giờ "
            "mà hôm nay chưa chạy. Gọi vài phút một lần (bộ hẹn giờ systemd trong deploy/systemd/ hoặc cron), hoặc "
            "chạy thường trực với --loop. Nhiều máy cùng gọi vẫn chỉ chạy mỗi việc một lần một ngày."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help=_("Chạy thường trực, kiểm tra lại mỗi phút."))
        parser.add_argument(
            "--list", action="store_true", help=_("Chỉ liệt kê các việc, giờ chạy và lần chạy gần nhất.")
        )
        parser.add_argument(
            "--interval", type=int, default=60, metavar="SECONDS", help=_("Với --loop: số giây giữa hai lần kiểm tra.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        if options["interval"] < 1:
            raise CommandError(_("--interval phải là số nguyên dương."))
        while True:
            for run in run_due():
                status = _("xong") if run.succeeded else _("LỖI")
                self.stdout.write(f"{run.job}: {status}")
                if not run.succeeded:
                    self.stderr.write(run.output)
            if not options["loop"]:
                return
            time.sleep(options["interval"])

    def _list(self) -> None:
        latest = last_runs()
        for job in SCHEDULE:
            run = latest[job.name]
            if run is None:
                last = _("chưa chạy")
            else:
                when = formats.date_format(timezone.localtime(run.started_at), "SHORT_DATETIME_FORMAT")
                state = _("đang chạy") if run.succeeded is None else _("xong") if run.succeeded else _("lỗi")
                last = f"{when} ({state})"
            self.stdout.write(f"{job.at:%H:%M}  {job.name:<24} cchc {' '.join(job.command):<40} {last}")
