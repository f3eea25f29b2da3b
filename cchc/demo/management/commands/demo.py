"""``cchc demo``: load demonstration data (idempotent)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.assessments.demo import load_demo as load_assessments_demo
from cchc.demo.data import DEFAULT_PASSWORD, PROVINCE
from cchc.demo.loaders import DemoAccount, load_province
from cchc.demo.national import load_national
from cchc.directives.demo import load_demo as load_directives_demo
from cchc.frameworks.demo import load_demo as load_frameworks_demo
from cchc.indicators.demo import load_demo as load_indicators_demo
from cchc.indicators.external_demo import load_external_demo, load_illustrative_demo, load_responsible_demo
from cchc.initiatives.demo import load_demo as load_initiatives_demo
from cchc.inspections.demo import load_demo as load_inspections_demo
from cchc.lib.errors import ServiceError
from cchc.procedures.demo import load_demo as load_procedures_demo
from cchc.reports.demo import load_demo as load_reports_demo
from cchc.surveys.demo import load_demo as load_surveys_demo


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set here rather than on the class so that the text is translated when the command runs.
        self.help = _(
            "Nạp dữ liệu minh họa: tỉnh Phú Thọ sau ngày 01/7/2025 (hợp nhất Phú Thọ, Vĩnh Phúc, Hòa Bình) "
            "với các sở, phòng chuyên môn, xã, phường; huyện Đoan Hùng cũ (hết hiệu lực 30/6/2025) với các phòng, "
            "xã, thị trấn và đơn vị kế thừa; các tổ chức khác và một tài khoản cho mỗi vai trò. Với --scale "
            "national: cây đơn vị quy mô toàn quốc (34 tỉnh, thành phố; 3.321 xã, phường, đặc khu) để đo hiệu "
            "năng. Dữ liệu chỉ để minh họa, không phải danh mục chính thức. Chạy lại nhiều lần không tạo bản ghi "
            "trùng."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["province", "national"],
            default="province",
            help=_("province (mặc định): một tỉnh và tài khoản mẫu; national: cây đơn vị toàn quốc."),
        )
        parser.add_argument(
            "--password",
            default=None,
            help=_(
                "Mật khẩu chung của các tài khoản mẫu (mặc định: biến môi trường CCHC_DEMO_PASSWORD hoặc %(default)s)."
            )
            % {"default": DEFAULT_PASSWORD},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            if options["scale"] == "national":
                result = load_national()
                load_external_demo()  # published PAR INDEX, SIPAS and PAPI totals of the provinces of the tree
                self.stdout.write(
                    _("Cây đơn vị toàn quốc: %(created)d đơn vị mới, %(total)d đơn vị tất cả (%(seconds).1f giây).")
                    % {"created": result.created, "total": result.total, "seconds": time.monotonic() - started}
                )
                return
            password = options["password"] or os.environ.get("CCHC_DEMO_PASSWORD") or DEFAULT_PASSWORD
            accounts = load_province(password=password)
            load_frameworks_demo(stdout=self.stdout, password=password)
            load_assessments_demo(stdout=self.stdout, password=password)  # needs the frameworks above
            load_directives_demo(stdout=self.stdout)
            load_indicators_demo(stdout=self.stdout)
            load_surveys_demo(stdout=self.stdout)
            load_responsible_demo(PROVINCE)  # units answerable for each PAPI dimension, PAR INDEX area, SIPAS element
            # No published figure of the province has a source: illustrative totals, marked as such on every page.
            load_illustrative_demo(PROVINCE)
            load_procedures_demo(stdout=self.stdout)  # a year of one-stop dossiers for the KPI pages
            load_inspections_demo(stdout=self.stdout)  # needs the directives app: findings become tasks
            load_initiatives_demo(stdout=self.stdout)
            load_reports_demo(province_code=PROVINCE, stdout=self.stdout)  # this year's annual reform reports
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Đã nạp dữ liệu minh họa (%(seconds).1f giây).") % {"seconds": time.monotonic() - started})
        self.stdout.write(_table(accounts))


def _table(accounts: list[DemoAccount]) -> str:
    header = [_("Tên đăng nhập"), _("Vai trò"), _("Đơn vị"), _("Mật khẩu")]
    rows = [[account.username, account.role_label, account.unit, account.password] for account in accounts]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)])
