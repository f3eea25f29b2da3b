"""``cchc load_sample_frameworks --year 2025``: install the sample criteria frameworks (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.frameworks.samples import SAMPLES, install_sample
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Nạp các bộ tiêu chí mẫu (sở, ban, ngành; xã, phường) cho một năm. Đây là bộ mẫu để tham khảo, điểm số "
            "là giá trị minh họa; tỉnh cần thay bằng bộ tiêu chí theo quyết định của mình. Chạy lại không tạo trùng."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=_("Năm đánh giá, ví dụ 2025."))
        parser.add_argument(
            "--owner",
            default="",
            help=_("Mã đơn vị ban hành (thường là mã tỉnh); để trống là bộ dùng chung toàn hệ thống."),
        )
        parser.add_argument(
            "--sample", choices=SAMPLES, action="append", help=_("Chỉ nạp bộ mẫu này (có thể lặp lại).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = None
        if options["owner"]:
            owner = Unit.objects.filter(code=options["owner"]).first()
            if owner is None:
                raise CommandError(_("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": options["owner"]})
        for key in options["sample"] or SAMPLES:
            try:
                installed = install_sample(actor=None, key=key, year=options["year"], owner=owner)
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
            framework = installed.framework
            if installed.created:
                message = _("Đã nạp “%(name)s”: %(count)s tiêu chí.")
            else:
                message = _("Đã có “%(name)s” (%(count)s tiêu chí), không nạp lại.")
            self.stdout.write(message % {"name": framework.name, "count": framework.criteria.count()})
