"""``cchc publish_survey_results --period 2025-Q1 [--survey CODE]``: publish survey results into the indicator store."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.surveys.models import Questionnaire, QuestionnaireKind
from cchc.surveys.publishing import survey_results_publish

# Published by default: the SIPAS questionnaires (they feed ``sipas.satisfaction``, which one questionnaire per unit
# and period should write) and the officials' surveys; any other questionnaire is published by naming it.
DEFAULT_KINDS = (QuestionnaireKind.SIPAS, QuestionnaireKind.OFFICIALS)


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Công bố kết quả khảo sát (chỉ số hài lòng, điểm phiếu điều tra xã hội học) vào kho chỉ số cho từng đơn "
            "vị trong kỳ; chạy lại thì thay giá trị cũ."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help=_("Kỳ: YYYY, YYYY-Qn, YYYY-Hn hoặc YYYY-MM."))
        parser.add_argument(
            "--survey",
            default="",
            help=_("Mã phiếu (mặc định: các phiếu SIPAS và điều tra xã hội học có phiếu trả lời)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.from_key(options["period"])
        except ValueError as exc:
            raise CommandError(_("Kỳ không hợp lệ: %(key)s.") % {"key": options["period"]}) from exc
        questionnaires = Questionnaire.objects.filter(kind__in=DEFAULT_KINDS, responses__isnull=False).distinct()
        if options["survey"]:
            questionnaires = Questionnaire.objects.filter(code=options["survey"])
            if not questionnaires.exists():
                raise CommandError(_("Không có phiếu mã “%(code)s”.") % {"code": options["survey"]})
        total = 0
        for questionnaire in questionnaires.order_by("code"):
            try:
                values = survey_results_publish(actor=None, questionnaire=questionnaire, period=period)
            except ServiceError as error:
                raise CommandError(error.message) from error
            total += len(values)
            self.stdout.write(_("%(code)s: %(n)d giá trị chỉ số.") % {"code": questionnaire.code, "n": len(values)})
        self.stdout.write(_("Đã công bố %(n)d giá trị cho kỳ %(period)s.") % {"n": total, "period": period.label})
