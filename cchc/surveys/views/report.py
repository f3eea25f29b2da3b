"""The summary report of the results in Word, downloaded from the results page with the page's filter.

The same reader, the same filter and the same figures as the results page (:mod:`cchc.surveys.documents`); a filter
that does not read sends the reader back to the page, which explains it, rather than giving a report over another
scope than the one asked for.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from cchc.lib.replica import use_replica
from cchc.surveys import access

from .. import comments, documents, selectors
from .results import _filter, _questionnaire


@require_GET
@login_required
@use_replica()
def results_report_docx(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    version = selectors.results_version(questionnaire)
    form, where, _by = _filter(request, selectors.respondent_groups(version) if version is not None else {})
    if form.is_bound and not form.is_valid():
        target = reverse("surveys:results", args=[questionnaire.pk])
        return redirect(f"{target}?{request.GET.urlencode()}")
    responses = access.get_result_responses_for_user(request.user, questionnaire)
    counts = None
    if access.can_read_comments(request.user):
        scope = access.get_responses_for_user(request.user, questionnaire)
        counts = comments.counted_comment_counts(questionnaire, scope, where)
    channel = form.cleaned_data.get("channel", "") if form.is_bound else ""
    channel_label = str(dict(form.fields["channel"].choices).get(channel, "")) if channel else ""  # type: ignore[attr-defined]
    summary = documents.summary_report(questionnaire, responses, where, comments=counts, channel_label=channel_label)
    content = documents.summary_docx(summary)
    period = where.period.key if where.period else "tat-ca"
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"bao-cao-{slugify(questionnaire.code) or questionnaire.pk}-{slugify(period)}-{stamp}.docx"
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
