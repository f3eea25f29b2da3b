"""The free-text comments of a questionnaire's respondents, for the secretariat: the list (filtered as the results
page, paginated), marking one handled and turning one into a task for the unit concerned.

Reading and marking: :func:`access.can_read_comments` and :func:`access.get_comment_for_user` (the secretariat within
its scope, administrators). Giving a task also needs the right to register directives for the unit concerned and for
the unit the follow-up directive is issued in the name of (:func:`access.can_assign_comment_task`).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.lib.errors import ServiceError
from cchc.organisations.picker import unit_scope
from cchc.surveys import access

from .. import comments, publishing, selectors
from ..forms import CommentTaskForm
from ..models import Answer, CommentTask, Questionnaire
from .common import GET_POST, page
from .results import FILTER_KEYS, _filter, _questionnaire

COMMENTS_PER_PAGE = 50
DEFAULT_DEADLINE_DAYS = 30


def _filter_query(query: QueryDict) -> str:
    """The filter of the list (period, unit, channel, group, breakdown) as a query string, nothing else."""
    return urlencode({key: str(query.get(key, "")) for key in FILTER_KEYS if query.get(key)})


def _back_to_list(questionnaire: Questionnaire, query: str, answer: Answer | None = None) -> HttpResponse:
    target = reverse("surveys:comments", args=[questionnaire.pk])
    anchor = f"#comment-{answer.pk}" if answer is not None else ""
    return redirect(f"{target}?{query}{anchor}" if query else f"{target}{anchor}")


@require_GET
@login_required
def comments_page(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    roles.require(access.can_read_comments(request.user))
    version = selectors.results_version(questionnaire)
    form, where, _by = _filter(request, selectors.respondent_groups(version) if version is not None else {})
    scope = access.get_responses_for_user(request.user, questionnaire)
    answers = selectors.comment_answers(selectors.filtered_responses(scope, where)).select_related("task_link__task")
    counts = comments.counted_comment_counts(questionnaire, scope, where)
    listed = Paginator(answers, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = _filter_query(request.GET)
    return_query = f"{query}&page={listed.number}" if query else f"page={listed.number}"
    return page(
        request,
        "surveys/results/comments.html",
        questionnaire=questionnaire,
        form=form,
        page=listed,
        counts=counts,
        filter_query=query,
        return_query=return_query,
        task_query=urlencode({"query": return_query}),
        can_assign=access.can_assign_comment_tasks(request.user),
    )


@require_POST
@login_required
def comment_handle(request: HttpRequest, questionnaire_id: int, answer_id: int) -> HttpResponse:
    """Mark a comment handled (``handled=1``, with an optional ``note``) or not handled again (``handled=0``)."""
    questionnaire = _questionnaire(request, questionnaire_id)
    answer = access.get_comment_for_user(request.user, questionnaire, answer_id)
    handled = request.POST.get("handled") == "1"
    try:
        publishing.comment_set_handled(
            actor=request.user, answer=answer, handled=handled, note=request.POST.get("note", "")[:300]
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã đánh dấu ý kiến đã xử lý.") if handled else _("Đã bỏ đánh dấu đã xử lý."))
    return _back_to_list(questionnaire, _return_query(request), answer)


def _return_query(request: HttpRequest) -> str:
    """The list's filter and page a form came from (``query``), kept when going back to the list."""
    kept = QueryDict(request.POST.get("query", "") or request.GET.get("query", ""))
    query = _filter_query(kept)
    number = kept.get("page", "")
    if number.isdigit():
        query = f"{query}&page={number}" if query else f"page={number}"
    return query


@GET_POST
@login_required
def comment_task(request: HttpRequest, questionnaire_id: int, answer_id: int) -> HttpResponse:
    """Turn a comment into a task of the directives app for the unit concerned (by default, the unit the response
    was given for)."""
    questionnaire = _questionnaire(request, questionnaire_id)
    answer = access.get_comment_for_user(request.user, questionnaire, answer_id)
    roles.require(access.can_assign_comment_tasks(request.user))
    query = _return_query(request)
    existing = CommentTask.objects.filter(answer=answer).select_related("task", "unit").first()
    if existing is not None and request.method == "GET":
        return page(
            request,
            "surveys/results/comment_task.html",
            questionnaire=questionnaire,
            answer=answer,
            existing=existing,
            query=query,
        )
    units = unit_scope(request.user, "units.visible", manage=True, active=True)
    initial = {
        "unit": answer.response.unit_id,
        "title": comments.default_task_title(answer),
        "deadline": timezone.localdate() + datetime.timedelta(days=DEFAULT_DEADLINE_DAYS),
    }
    form = CommentTaskForm(request.POST if request.method == "POST" else None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["unit"]
        issuer = comments.issuing_unit_for(questionnaire, unit)
        if not access.can_assign_comment_task(request.user, unit, issuer):
            raise PermissionDenied
        try:
            link, created = comments.comment_task_create(
                actor=request.user,
                answer=answer,
                unit=unit,
                title=data["title"],
                deadline=data["deadline"],
                note=data["note"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if created:
                messages.success(request, _("Đã giao việc cho %(unit)s.") % {"unit": link.unit.name})
            else:
                messages.info(request, _("Ý kiến này đã được giao việc trước đó; không tạo thêm nhiệm vụ."))
            return _back_to_list(questionnaire, query, answer)
    return page(
        request,
        "surveys/results/comment_task.html",
        questionnaire=questionnaire,
        answer=answer,
        form=form,
        existing=None,
        query=query,
    )
