"""``cchc publish_task_stats --period 2025-Q3``: publish each unit's on-time rate into the indicator store."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus

from cchc.directives.jobs import publish_task_stats_job
from cchc.directives.services import periods_containing, stats_publish
from cchc.lib.periods import Period


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Tính tỷ lệ nhiệm vụ được giao hoàn thành đúng hạn của từng đơn vị trong kỳ và ghi vào kho chỉ số "
            "(tasks.on_time_rate). Không ghi kỳ: quý, 6 tháng và năm hiện tại. Nên chạy hằng ngày."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            action="append",
            help=_("Kỳ: 2025-Q3 (quý), 2025-H2 (6 tháng), 2025 (năm), 2025-08 (tháng); có thể ghi nhiều lần."),
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_("Đưa việc tính và ghi tỷ lệ vào hàng đợi để tiến trình xử lý nền (cchc db_worker) thực hiện."),
        )

    def _enqueue(self, period: Period) -> None:
        result = publish_task_stats_job.enqueue(period_key=period.key)
        if result.status == TaskResultStatus.SUCCESSFUL and isinstance(result.return_value, dict):
            self.stdout.write(
                _("%(period)s: đã ghi tỷ lệ đúng hạn của %(count)d đơn vị.")
                % {"period": period.label, "count": result.return_value.get(period.key, 0)}
            )
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(_("Việc ghi tỷ lệ đúng hạn kỳ %(period)s bị lỗi.") % {"period": period.label})
        else:
            self.stdout.write(
                _("Đã đưa việc ghi tỷ lệ đúng hạn kỳ %(period)s vào hàng đợi (mã %(id)s).")
                % {"period": period.label, "id": result.id}
            )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            periods = [Period.from_key(key) for key in options["period"] or []]
        except ValueError as exc:
            raise CommandError(_("Kỳ không hợp lệ (ví dụ 2025-Q3, 2025-H2, 2025-08, 2025).")) from exc
        periods = periods or periods_containing(timezone.localdate())
        if options["enqueue"]:
            for period in periods:
                self._enqueue(period)
            return
        for period in periods:
            count = stats_publish(actor=None, period=period)
            self.stdout.write(
                _("%(period)s: đã ghi tỷ lệ đúng hạn của %(count)d đơn vị.") % {"period": period.label, "count": count}
            )
