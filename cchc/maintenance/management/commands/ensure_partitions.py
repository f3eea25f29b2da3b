"""``cchc ensure_partitions``: the yearly partitions of this year and the next, made ahead of their first row.

Run daily by ``cchc run_schedule``; safe to run any number of times. Does nothing on SQLite (decision 26).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.partitions import partitions_ensure


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Tạo trước phân vùng theo năm (năm nay và năm sau) cho các bảng lớn trên PostgreSQL.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, action="append", metavar="YEAR", help=_("Năm cần tạo phân vùng (có thể nêu nhiều lần).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        years = tuple(options["year"] or (this_year, this_year + 1))
        if any(year < 1900 or year > 9998 for year in years):
            raise CommandError(_("Năm phải từ 1900 đến 9998."))
        if connection.vendor != "postgresql":
            self.stdout.write(_("Cơ sở dữ liệu không phải PostgreSQL: không có bảng nào được phân vùng."))
            return
        blocked = []
        for result in partitions_ensure(years=years):
            label = {
                "created": _("đã tạo"),
                "exists": _("đã có"),
                "covered": _("nằm trong phân vùng cũ"),
                "blocked": _("KHÔNG TẠO ĐƯỢC: phân vùng DEFAULT đang giữ dòng của năm này"),
            }[result.outcome]
            self.stdout.write(f"{result.partition}: {label}")
            if result.outcome == "blocked":
                blocked.append(result.partition)
        if blocked:
            raise CommandError(
                _('Không tạo được phân vùng %(names)s; xem mục "Partitions by year" trong docs/deployment.md.')
                % {"names": ", ".join(blocked)}
            )
