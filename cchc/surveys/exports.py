"""Responses as a table for the Excel and CSV exports: one row per response, one column per question.

A text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is written with a leading apostrophe, so that opening an export never runs what a respondent typed.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.spreadsheet import formula_safe

from .models import Answer, Question, QuestionKind, QuestionnaireVersion, Response

CHUNK = 2000


def export_questions(version: QuestionnaireVersion) -> list[Question]:
    return list(version.questions.exclude(kind=QuestionKind.NOTE).order_by("section__order", "section__pk", "order"))


def export_header(questions: list[Question]) -> list[str]:
    fixed = [_("Số phiếu"), _("Gửi lúc"), _("Đơn vị"), _("Kênh"), _("Quầy"), _("Nhóm đối tượng"), _("Mã hồ sơ")]
    return fixed + [question.code for question in questions]


def export_rows(responses: QuerySet[Response], questions: list[Question]) -> Iterator[list[str]]:
    """The rows of ``responses`` (answers matched by question code, so earlier versions fill the same columns)."""
    codes = [question.code for question in questions]
    answers = Answer.objects.select_related("question").only(
        "response_id", "question__code", "choice_value", "choice_values", "number_value", "date_value", "text_value"
    )
    queryset = (
        responses.select_related("unit")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("submitted_at", "pk")
    )
    zone = timezone.get_current_timezone()
    for response in queryset.iterator(chunk_size=CHUNK):
        by_code = {answer.question.code: answer.display for answer in response.answers.all()}
        fixed = [
            str(response.pk),
            response.submitted_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            response.unit.name,
            response.get_channel_display(),
            response.counter_label,
            response.respondent_group,
            response.dossier_code,
        ]
        yield [formula_safe(text) for text in fixed + [by_code.get(code, "") for code in codes]]
