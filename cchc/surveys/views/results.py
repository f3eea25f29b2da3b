"""The results page of a questionnaire and the exports of its responses.

Reading: every role, limited by :func:`access.get_result_responses_for_user` (the secretariat, leaders and supervisors
within their scope; other roles the subtrees of their own units). The secretariat (:func:`access.can_read_comments`)
sees how many free-text comments there are; they are listed on their own page (``views.comments``). The page runs a
fixed number of queries whatever the number of responses (pinned by a test): one grouped sum of the answer counts
feeds the index, the questions, every breakdown row and the yes/no shares, one sum of the response counts the sample
sizes (``selectors.results_with_breakdown``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.replica import use_replica
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, table_bytes
from cchc.organisations.picker import unit_scope
from cchc.surveys import access

from .. import comments, exports, inbox, selectors
from ..forms import RESULT_CHANNELS, ResultsFilterForm
from ..models import QuestionKind, Questionnaire, QuestionnaireKind
from ..results import YesNoShare, question_numbers, yes_no_shares
from .common import page

FILTER_KEYS = ("period", "unit", "channel", "group", "by")


def _questionnaire(request: HttpRequest, questionnaire_id: int) -> Questionnaire:
    roles.require(access.can_view_results(request.user))
    return access.get_questionnaire_for_user(request.user, questionnaire_id)


def _filter(
    request: HttpRequest, groups: dict[str, str] | None = None
) -> tuple[ResultsFilterForm, selectors.ResultsFilter, str]:
    """The filter read from the query string; a value that does not read is reported on the form and ignored."""
    form = ResultsFilterForm(
        request.GET or None,
        units=unit_scope(request.user, "surveys.result_units"),
        this_year=timezone.localdate().year,
        groups=groups,
    )
    if not form.is_bound or not form.is_valid():
        return form, selectors.ResultsFilter(), "unit"
    data = form.cleaned_data
    where = selectors.ResultsFilter(
        period=Period.from_key(data["period"]) if data["period"] else None,
        unit=data["unit"],
        channels=RESULT_CHANNELS.get(data["channel"], ()),
        group=data["group"].strip(),
    )
    return form, where, data["by"] or "unit"


# What the figures are called, by kind of questionnaire: only satisfaction surveys give a "satisfaction index"; the
# per-dossier evaluation gives points (0/1/2) and the officials' survey options converted into points (A–D).
SATISFACTION_WORDS: dict[str, Any] = {
    "heading": gettext_lazy("Chỉ số hài lòng"),
    "share": gettext_lazy("Tỷ lệ hài lòng"),
    "satisfaction": True,
}
RESULT_WORDS: dict[str, dict[str, Any]] = {
    QuestionnaireKind.DOSSIER_EVALUATION: {
        "heading": gettext_lazy("Điểm đánh giá"),
        "share": gettext_lazy("Tỷ lệ điểm đạt"),
    },
    QuestionnaireKind.OFFICIALS: {
        "heading": gettext_lazy("Điểm quy đổi từ các phương án A–D"),
        "share": gettext_lazy("Điểm quy đổi"),
    },
}


def _group_rows(rows: list[selectors.BreakdownRow], groups: dict[str, str]) -> list[selectors.BreakdownRow]:
    """The respondent groups by their labels (responses without a group last); none when no response has a group."""
    if not any(row.key for row in rows):
        return []
    for row in rows:
        row.label = groups.get(row.key, row.key) if row.key else str(_("Không ghi nhóm đối tượng"))
    return sorted(rows, key=lambda row: (not row.key, row.label))


@require_GET
@login_required
@use_replica()
def results_page(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    version = selectors.results_version(questionnaire)
    groups = selectors.respondent_groups(version) if version is not None else {}
    form, where, by = _filter(request, groups)
    responses = access.get_result_responses_for_user(request.user, questionnaire)
    column, kind = {"quarter": ("month", PeriodKind.QUARTER), "month": ("month", PeriodKind.MONTH)}.get(
        by, (by, PeriodKind.MONTH)
    )
    report, breakdown = selectors.results_with_breakdown(questionnaire, responses, where, column, period_kind=kind)
    if by == "group":
        breakdown = _group_rows(breakdown, groups)
    question_rows: list[tuple[int | None, Any]] = []
    yes_no: list[YesNoShare] = []
    if report is not None:
        numbers = question_numbers(report.shape)
        question_rows = [(numbers.get(score.question.code), score) for score in report.result.questions]
        if any(q.kind == QuestionKind.YES_NO for section in report.shape for q in section.questions):
            yes_no = yes_no_shares(report.shape, report.yes_no)
    comment_counts = None
    if access.can_read_comments(request.user):
        scope = access.get_responses_for_user(request.user, questionnaire)
        # The report's scope is this one for those who follow the collection: its comment total is summed already.
        summed = report.comments if report is not None and access.can_view_collection(request.user) else None
        comment_counts = comments.counted_comment_counts(questionnaire, scope, where, total=summed)
    waiting = None
    if access.can_view_collection(request.user):
        waiting = inbox.waiting(access.get_pending_responses_for_user(request.user, questionnaire))
    return page(
        request,
        "surveys/results/results.html",
        waiting=waiting,
        questionnaire=questionnaire,
        form=form,
        report=report,
        words=RESULT_WORDS.get(questionnaire.kind, SATISFACTION_WORDS),
        question_rows=question_rows,
        yes_no=yes_no,
        by=by,
        breakdown=breakdown,
        comment_counts=comment_counts,
        query=request.GET.urlencode(),
    )


def _csv_chunks(header: list[str], rows: Iterator[list[str]]) -> Iterator[str]:
    """The CSV text in chunks of about 64 kB, after a byte order mark so that Excel reads the Vietnamese letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _export_name(questionnaire: Questionnaire, extension: str) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"ket-qua-{slugify(questionnaire.code) or questionnaire.pk}-{stamp}.{extension}"


@require_GET
@login_required
@use_replica()
def results_export(request: HttpRequest, questionnaire_id: int, kind: str) -> HttpResponse | StreamingHttpResponse:
    """The responses (filtered as on the page) as CSV (streamed, UTF-8 with BOM for Excel) or as an Excel workbook."""
    questionnaire = _questionnaire(request, questionnaire_id)
    version = selectors.results_version(questionnaire)
    _form, where, _by = _filter(request, selectors.respondent_groups(version) if version is not None else {})
    questions = exports.export_questions(version) if version is not None else []
    responses = selectors.filtered_responses(access.get_result_responses_for_user(request.user, questionnaire), where)
    header = exports.export_header(questions)
    rows = exports.export_rows(responses, questions)
    response: HttpResponse | StreamingHttpResponse
    if kind == "xlsx":
        content = table_bytes(title=questionnaire.code, header=header, rows=rows)
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    else:
        response = StreamingHttpResponse(_csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(questionnaire, kind)}"'
    return response
