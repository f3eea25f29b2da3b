"""``cchc publish_registers --year 2026``: publish the inspection and initiative indicators of a year again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.initiatives import services as initiatives
from cchc.inspections import services as inspections


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Tính lại và công bố các chỉ số của sổ theo dõi kiểm tra và sáng kiến cải cách hành chính trong năm "
            "(tỷ lệ đơn vị được kiểm tra, tỷ lệ kiến nghị được khắc phục, số sáng kiến được công nhận). Nên chạy "
            "hằng đêm: kiến nghị được tính là đã khắc phục khi nhiệm vụ khắc phục được xác nhận hoàn thành."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help=_("Năm (mặc định: năm nay)."))

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year
        checked = inspections.publish_year(actor=None, year=year)
        units = initiatives.publish_year(actor=None, year=year)
        self.stdout.write(
            _("Năm %(year)s: %(checked)d giá trị về kiểm tra, %(units)d đơn vị có sáng kiến.")
            % {"year": year, "checked": checked, "units": units}
        )
