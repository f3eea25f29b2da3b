"""``cchc send_survey_reminders``: the daily run of the invitation campaigns (cron or systemd timer); safe to run
again the same day."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.surveys.invitations import LinkBuilder, scheduled_run


def link_builder(base_url: str) -> LinkBuilder:
    base = base_url.rstrip("/")
    return lambda token: base + reverse("survey_public:invited", args=[token])


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Nhắc những người được mời chưa trả lời phiếu khi đợt mời sắp đến hạn (mỗi người tối đa một lần mỗi ngày) "
            "và đóng các đợt mời đã quá hạn. Chạy lại trong ngày không gửi trùng."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            help=_("Địa chỉ của trang, ví dụ https://cchc.example.gov.vn (mặc định theo cấu hình PUBLIC_URL)."),
        )
        parser.add_argument(
            "--loop", action="store_true", help=_("Chạy liên tục, kiểm tra lại sau mỗi khoảng thời gian.")
        )
        parser.add_argument(
            "--interval", type=int, default=3600, help=_("Số giây giữa hai lần kiểm tra khi chạy liên tục.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"] or settings.CCHC_PUBLIC_URL
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(
                _(
                    "Chưa có địa chỉ của trang nên không tạo được đường dẫn trong thư nhắc: đặt PUBLIC_URL "
                    "(ví dụ https://cchc.example.gov.vn) hoặc dùng --base-url."
                )
            )
        link = link_builder(base_url)
        while True:
            day = timezone.localdate()
            result = scheduled_run(link=link, today=day)
            self.stdout.write(
                _("%(day)s: đã nhắc %(reminded)d người ở %(campaigns)d đợt mời, đóng %(closed)d đợt đã quá hạn.")
                % {
                    "day": day.strftime("%d/%m/%Y"),
                    "reminded": result.reminded,
                    "campaigns": result.campaigns_reminded,
                    "closed": result.closed,
                }
            )
            if not options["loop"]:
                return
            time.sleep(max(60, options["interval"]))
