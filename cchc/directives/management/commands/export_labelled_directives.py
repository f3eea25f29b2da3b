"""``cchc export_labelled_directives DIR [--since DATE] [--user NAME]``: confirmed directives as labelled data."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.directives import access
from cchc.directives.labelled import labelled_write
from cchc.directives.models import Directive
from cchc.directives.selectors import labelled_documents


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Ghi các văn bản đã xác nhận trên trang rà soát thành dữ liệu gán nhãn cho bộ trích xuất: "
            "<tên>.txt, <tên>.expected.json và index.json trong thư mục DIR."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help=_("Thư mục ghi dữ liệu (tạo mới nếu chưa có)."))
        parser.add_argument("--since", help=_("Chỉ các văn bản xác nhận từ ngày này (YYYY-MM-DD)."))
        parser.add_argument(
            "--user",
            help=_("Chỉ các văn bản người dùng này được xem (tên đăng nhập); mặc định: mọi văn bản."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options.get("since"):
            try:
                since = datetime.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    _("Ngày không hợp lệ: %(value)s (ghi YYYY-MM-DD).") % {"value": options["since"]}
                ) from None
        directives = Directive.objects.all()
        if options.get("user"):
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None or not access.can_view_extraction_quality(user):
                raise CommandError(
                    _("Người dùng “%(name)s” không có quyền xem chất lượng trích xuất.") % {"name": options["user"]}
                )
            directives = access.get_directives_for_user(user)
        documents = labelled_documents(directives, since=since)
        labelled_write(documents, Path(options["directory"]))
        self.stdout.write(
            _("Đã ghi %(count)d văn bản vào %(directory)s.")
            % {"count": len(documents), "directory": options["directory"]}
        )
