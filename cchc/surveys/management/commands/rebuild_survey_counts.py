"""``cchc rebuild_survey_counts [--version ID]``: recount the survey counts the results read from the stored answers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.surveys.counts import counts_rebuild
from cchc.surveys.models import QuestionnaireVersion


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Đếm lại từ các câu trả lời đã lưu bảng số câu trả lời theo tháng và số phiếu theo ngày mà trang kết quả "
            "khảo sát đọc (mọi phiên bản phiếu, hoặc một phiên bản); chạy lại bao nhiêu lần cũng cho cùng kết quả."
        )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # ``--version`` names a questionnaire version here; it replaces Django's option printing its own version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--version",
            dest="survey_version",
            type=int,
            default=None,
            metavar="ID",
            help=_("Mã số (id) của phiên bản phiếu cần đếm lại (mặc định: mọi phiên bản)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        version_id = options["survey_version"]
        if version_id is not None and not QuestionnaireVersion.objects.filter(pk=version_id).exists():
            raise CommandError(_("Không có phiên bản phiếu khảo sát mã số %(id)s.") % {"id": version_id})
        with transaction.atomic():
            answers, responses = counts_rebuild(version_id)
        self.stdout.write(
            _("Đã đếm lại: %(answers)d dòng số câu trả lời, %(responses)d dòng số phiếu trả lời.")
            % {"answers": answers, "responses": responses}
        )
