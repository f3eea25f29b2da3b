"""``cchc export_xlsform SURVEY_ID FILE``: write a questionnaire as an XLSForm workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.surveys.models import Questionnaire
from cchc.surveys.selectors import current_version
from cchc.surveys.xlsform import export_xlsform


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Xuất phiếu khảo sát ra tệp XLSForm (.xlsx) để dùng với ODK, KoboToolbox. SURVEY_ID là số hoặc mã "
            "phiếu; mặc định xuất phiên bản đang ban hành (hoặc bản nháp nếu chưa ban hành)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("survey_id", help=_("Số hoặc mã phiếu"))
        parser.add_argument("file", help=_("Tệp .xlsx sẽ ghi"))
        parser.add_argument(
            "--survey-version",
            dest="survey_version",
            type=int,
            default=None,
            help=_("Số phiên bản (mặc định: đang ban hành)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = str(options["survey_id"])
        questionnaire = Questionnaire.objects.filter(code=key).first()
        if questionnaire is None and key.isdigit():
            questionnaire = Questionnaire.objects.filter(pk=int(key)).first()
        if questionnaire is None:
            raise CommandError(_("Không có phiếu khảo sát “%(key)s”.") % {"key": key})
        if options["survey_version"] is not None:
            version = questionnaire.versions.filter(number=options["survey_version"]).first()
        else:
            version = current_version(questionnaire, include_draft=False) or current_version(
                questionnaire, include_draft=True
            )
        if version is None:
            raise CommandError(_("Phiếu “%(key)s” không có phiên bản này.") % {"key": key})
        path = Path(options["file"])
        try:
            path.write_bytes(export_xlsform(version))
        except OSError as exc:
            raise CommandError(_("Không ghi được tệp %(path)s.") % {"path": path}) from exc
        self.stdout.write(
            _("Đã xuất phiếu “%(title)s”, phiên bản %(number)s, ra %(path)s.")
            % {"title": questionnaire.title, "number": version.number, "path": path}
        )
