"""``cchc import_xlsform FILE [--publish]``: a questionnaire from an XLSForm workbook (ODK, KoboToolbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit
from cchc.surveys.xlsform import import_xlsform


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Nhập phiếu khảo sát từ tệp XLSForm (.xlsx có trang survey và choices). Tệp có lỗi hoặc có nội dung "
            "chưa hỗ trợ thì không nhập gì và liệt kê từng lỗi."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Đường dẫn tệp .xlsx"))
        parser.add_argument("--publish", action="store_true", help=_("Ban hành ngay sau khi nhập."))
        parser.add_argument("--code", default="", help=_("Mã phiếu (mặc định: form_id trong trang settings)."))
        parser.add_argument("--owner", default="", help=_("Mã đơn vị sở hữu (mặc định: dùng chung)."))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            owner = None
            if options["owner"]:
                owner = Unit.objects.filter(code=options["owner"]).first()
                if owner is None:
                    raise ServiceError(_("Không có đơn vị mã “%(code)s”.") % {"code": options["owner"]})
            try:
                with path.open("rb") as stream:
                    _kind, data = files.check_upload(stream, name=path.name, kinds=[files.XLSX])
            except OSError as exc:
                raise ServiceError(_("Không mở được tệp %(path)s.") % {"path": path}) from exc
            questionnaire, result = import_xlsform(
                actor=None,
                data=data,
                owner=owner,
                publish=options["publish"],
                code=options["code"],
                default_code=slugify(path.stem)[:64],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        version = questionnaire.versions.get()
        self.stdout.write(
            _(
                "Đã nhập phiếu “%(title)s” (mã %(code)s, số %(id)s): %(sections)d phần, %(questions)d câu hỏi; "
                "%(state)s."
            )
            % {
                "title": questionnaire.title,
                "code": questionnaire.code,
                "id": questionnaire.pk,
                "sections": version.sections.count(),
                "questions": version.questions.count(),
                "state": version.get_state_display(),
            }
        )
        if result.skipped:
            self.stdout.write(
                _("Bỏ qua các trường siêu dữ liệu không phải câu hỏi: %(rows)s.") % {"rows": ", ".join(result.skipped)}
            )
