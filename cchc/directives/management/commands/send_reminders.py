"""``cchc send_reminders``: the daily reminder run (cron, systemd timer, ``--loop`` or ``--enqueue`` for the task
workers); safe to run again."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus

from cchc.directives.jobs import send_reminders_job
from cchc.directives.reminders import Schedule, send_reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Ngày không hợp lệ: %(value)s (ghi theo dạng YYYY-MM-DD).") % {"value": value}) from None


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Gửi nhắc việc các nhiệm vụ sắp đến hạn, đến hạn và quá hạn (hiển thị trên hệ thống và gửi thư điện tử); "
            "nhiệm vụ quá hạn được báo cáo người đứng đầu đơn vị và lãnh đạo phụ trách. Chạy lại trong ngày không "
            "gửi trùng."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help=_("Ngày chạy (YYYY-MM-DD), mặc định hôm nay; dùng để chạy bù, kiểm thử."))
        parser.add_argument(
            "--days-before", help=_("Số ngày trước hạn cần nhắc, ví dụ 7,3,1 (mặc định theo cấu hình).")
        )
        parser.add_argument("--overdue-every", type=int, help=_("Nhắc lại sau mỗi bao nhiêu ngày quá hạn."))
        parser.add_argument(
            "--loop", action="store_true", help=_("Chạy liên tục, kiểm tra lại sau mỗi khoảng thời gian.")
        )
        parser.add_argument(
            "--interval", type=int, default=3600, help=_("Số giây giữa hai lần kiểm tra khi chạy liên tục.")
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_("Đưa việc gửi nhắc việc vào hàng đợi để tiến trình xử lý nền (cchc db_worker) thực hiện."),
        )

    def _schedule(self, options: dict[str, Any]) -> Schedule:
        schedule = Schedule.from_settings()
        before = schedule.days_before
        if options["days_before"]:
            try:
                before = tuple(
                    sorted({int(part) for part in options["days_before"].split(",") if part.strip()}, reverse=True)
                )
            except ValueError:
                raise CommandError(_("--days-before phải là các số nguyên cách nhau bởi dấu phẩy.")) from None
        every = options["overdue_every"] or schedule.overdue_every
        if every < 1:
            raise CommandError(_("--overdue-every phải lớn hơn 0."))
        return Schedule(days_before=before, overdue_every=every)

    def _enqueue(self, day: datetime.date, schedule: Schedule) -> None:
        result = send_reminders_job.enqueue(
            day_iso=day.isoformat(), days_before=list(schedule.days_before), overdue_every=schedule.overdue_every
        )
        if result.status == TaskResultStatus.SUCCESSFUL and isinstance(result.return_value, dict):
            done = result.return_value
            self.stdout.write(
                _("%(day)s: %(reminders)d lời nhắc mới, %(emails)d thư điện tử đã gửi.")
                % {"day": day.strftime("%d/%m/%Y"), "reminders": done["reminders"], "emails": done["emails"]}
            )
            for failure in done.get("failures", []):
                self.stderr.write(_("Không gửi được thư: %(detail)s") % {"detail": failure})
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(_("Việc gửi nhắc việc ngày %(day)s bị lỗi.") % {"day": day.strftime("%d/%m/%Y")})
        else:
            self.stdout.write(
                _("Đã đưa việc gửi nhắc việc ngày %(day)s vào hàng đợi (mã %(id)s).")
                % {"day": day.strftime("%d/%m/%Y"), "id": result.id}
            )

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = self._schedule(options)
        if options["enqueue"]:
            if options["loop"]:
                raise CommandError(_("--enqueue không dùng cùng --loop."))
            self._enqueue(_date(options["date"]) if options["date"] else timezone.localdate(), schedule)
            return
        while True:
            day = _date(options["date"]) if options["date"] else timezone.localdate()
            result = send_reminders(day=day, schedule=schedule)
            self.stdout.write(
                _("%(day)s: %(reminders)d lời nhắc mới, %(emails)d thư điện tử đã gửi.")
                % {"day": day.strftime("%d/%m/%Y"), "reminders": result.reminders, "emails": result.emails}
            )
            for failure in result.failures:
                self.stderr.write(_("Không gửi được thư: %(detail)s") % {"detail": failure})
            if result.failures:
                self.stdout.write(
                    _("Không gửi được %(count)d thư; lần chạy sau sẽ gửi lại.") % {"count": len(result.failures)}
                )
            if not options["loop"]:
                return
            time.sleep(max(60, options["interval"]))
