"""``cchc process_survey_inbox [--loop] [--batch N] [--retry-failed]``: store the responses accepted by the public
survey forms and still waiting in the inbox (what the queued background job does)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.surveys.inbox import inbox_process, retry_failed


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Lưu các phiếu trả lời đã nhận qua đường dẫn khảo sát công khai còn đang chờ (thành phiếu trả lời, câu "
            "trả lời và số liệu), từng lô trong một giao dịch; chạy lại hay chạy song song không lưu trùng. Phiếu "
            "không lưu được vẫn được giữ cùng lý do."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help=_("Chạy thường trực, kiểm tra lại sau mỗi lần."))
        parser.add_argument(
            "--interval", type=int, default=5, metavar="SECONDS", help=_("Với --loop: số giây giữa hai lần kiểm tra.")
        )
        parser.add_argument("--batch", type=int, default=200, metavar="N", help=_("Số phiếu mỗi lô."))
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help=_("Thử lưu lại cả các phiếu trước đó không lưu được (sau khi đã xử lý nguyên nhân)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 1 or options["batch"] < 1:
            raise CommandError(_("--interval và --batch phải là số nguyên dương."))
        if options["retry_failed"]:
            self.stdout.write(_("Thử lại %(count)s phiếu.") % {"count": retry_failed()})
        while True:
            result = inbox_process(batch_size=options["batch"])
            if result.stored or result.duplicates or result.failed or not options["loop"]:
                self.stdout.write(
                    _("Đã lưu %(stored)s phiếu, bỏ %(duplicates)s phiếu gửi trùng, %(failed)s phiếu không lưu được.")
                    % {"stored": result.stored, "duplicates": result.duplicates, "failed": result.failed}
                )
            if not options["loop"]:
                return
            time.sleep(options["interval"])
