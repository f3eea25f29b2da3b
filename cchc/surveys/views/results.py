"""The results page of a questionnaire and the exports of its responses.

Reading: every role, limited by :func:`access.get_result_responses_for_user` (the secretariat, leaders and supervisors
within their scope; other roles the subtrees of their own units). The secretariat (:func:`access.can_read_comments`)
sees how many free-text comments there are; they are listed on their own page (``views.comments``). The page runs a
fixed number of queries whatever the number of responses: the database counts the answers
(``selectors.results_report``, ``selectors.results_breakdown``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, table_bytes
from cchc.surveys import access

from .. import comments, exports, selectors
from ..forms import RESULT_CHANNELS, ResultsFilterForm
from ..models import Questionnaire
from .common import page

FILTER_KEYS = ("period", "unit", "channel", "group", "by")


def _questionnaire(request: HttpRequest, questionnaire_id: int) -> Questionnaire:
    roles.require(access.can_view_results(request.user))
    return access.get_questionnaire_for_user(request.user, questionnaire_id)


def _filter(request: HttpRequest) -> tuple[ResultsFilterForm, selectors.ResultsFilter, str]:
    """The filter read from the query string; a value that does not read is reported on the form and ignored."""
    form = ResultsFilterForm(
        request.GET or None,
        units=access.result_units_for_user(request.user),
        this_year=timezone.localdate().year,
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


@require_GET
@login_required
def results_page(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    form, where, by = _filter(request)
    responses = access.get_result_responses_for_user(request.user, questionnaire)
    column, kind = {"quarter": ("month", PeriodKind.QUARTER), "month": ("month", PeriodKind.MONTH)}.get(
        by, (by, PeriodKind.MONTH)
    )
    report, breakdown = selectors.results_with_breakdown(questionnaire, responses, where, column, period_kind=kind)
    comment_counts = None
    if access.can_read_comments(request.user):
        scoped = selectors.filtered_responses(access.get_responses_for_user(request.user, questionnaire), where)
        comment_counts = comments.comment_counts(selectors.comment_answers(scoped))
    return page(
        request,
        "surveys/results/results.html",
        questionnaire=questionnaire,
        form=form,
        report=report,
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
def results_export(request: HttpRequest, questionnaire_id: int, kind: str) -> HttpResponse | StreamingHttpResponse:
    """The responses (filtered as on the page) as CSV (streamed, UTF-8 with BOM for Excel) or as an Excel workbook."""
    questionnaire = _questionnaire(request, questionnaire_id)
    _form, where, _by = _filter(request)
    version = selectors.results_version(questionnaire)
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
