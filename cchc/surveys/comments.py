"""Free-text comments of the respondents: their counts, and turning one into a task for the unit concerned.

A comment (a short or long text answer) becomes a task of the directives app, so that the unit's work on it is
followed like any other task (assignment, progress reports, reminders before and after the deadline, on-time
statistics). The tasks of one questionnaire and year are grouped under one directive, "Xử lý ý kiến góp ý qua khảo
sát …", created on first use by the directives app's own service (its ``origin_key`` makes it unique, so two
simultaneous first uses create it once), in the name of the questionnaire's owner (for a shared questionnaire, the
top unit above the unit concerned). Each task is created with ``directives.services.task_create`` (checked and
audited there) and linked to its comment by a :class:`~cchc.surveys.models.CommentTask`, one per comment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, Max, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record
from cchc.directives.models import DeadlineKind, Directive, DirectiveKind, ExpectedOutput
from cchc.directives.services import DirectiveData, DirectiveExistsError, TaskData, directive_create, task_create
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import Actor
from cchc.lib.validators import check_text
from cchc.organisations.models import Unit

from . import selectors
from .models import COMMENT_KINDS, Answer, CommentHandling, CommentTask, Questionnaire, Response

TITLE_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class CommentCounts:
    total: int = 0
    handled: int = 0
    tasked: int = 0

    @property
    def not_handled(self) -> int:
        return self.total - self.handled


def comment_counts(comments: QuerySet[Answer]) -> CommentCounts:
    """How many of ``comments`` (``selectors.comment_answers``) there are, are handled and were given as tasks
    (one query)."""
    row = comments.order_by().aggregate(
        total=Count("pk"),
        handled=Count("pk", filter=Q(handling__isnull=False)),
        tasked=Count("pk", filter=Q(task_link__isnull=False)),
    )
    return CommentCounts(total=row["total"] or 0, handled=row["handled"] or 0, tasked=row["tasked"] or 0)


def counted_comment_counts(
    questionnaire: Questionnaire,
    responses: QuerySet[Response],
    where: selectors.ResultsFilter,
    *,
    total: int | None = None,
) -> CommentCounts:
    """:func:`comment_counts` of the comments among ``responses`` (a reader's scope, see ``selectors.counts_scope``)
    and ``where``, without reading the answers (one query): the total summed from the response counts (their comment
    column, kept as responses come in) unless the caller has summed it (``ResultsReport.comments`` over the same
    scope and filter), the handled and tasked ones counted from their own small tables."""
    scoped = selectors.filtered_responses(responses, where).values("pk")

    def counted(model: type[CommentHandling] | type[CommentTask]) -> Subquery:
        rows = model.objects.filter(answer__response__in=scoped).order_by()
        return Subquery(rows.values(n=Func(F("pk"), function="COUNT", output_field=IntegerField())))

    if total is not None:
        handled, tasked = (
            Questionnaire.objects.filter(pk=questionnaire.pk)
            .values_list(counted(CommentHandling), counted(CommentTask))
            .get()
        )
        return CommentCounts(total=total, handled=handled or 0, tasked=tasked or 0)
    # Evaluated once each (they depend on no row of the counts).
    row = selectors.counted_responses(questionnaire, responses, where).aggregate(
        total=Sum("comments"), handled=Max(counted(CommentHandling)), tasked=Max(counted(CommentTask))
    )
    return CommentCounts(total=row["total"] or 0, handled=row["handled"] or 0, tasked=row["tasked"] or 0)


def default_task_title(answer: Answer) -> str:
    """The title a task made from ``answer`` starts with: the comment, quoted and shortened."""
    text = normalize(answer.text_value)
    if len(text) > 200:
        text = text[:199].rstrip() + "…"
    return _("Xử lý ý kiến góp ý của người dân: “%(text)s”") % {"text": text}


def issuing_unit_for(questionnaire: Questionnaire, unit: Unit) -> Unit:
    """The unit in whose name the follow-up directive is issued: the questionnaire's owner, or for a shared
    questionnaire the top unit above ``unit``."""
    if questionnaire.owner is not None:
        return questionnaire.owner
    ancestors = unit.ancestor_ids
    return Unit.objects.get(pk=ancestors[0]) if ancestors else unit


def follow_up_key(questionnaire: Questionnaire, issuer: Unit, year: int) -> str:
    return f"survey-comments:{questionnaire.pk}:{issuer.pk}:{year}"


def _follow_up_directive(*, actor: Actor, questionnaire: Questionnaire, issuer: Unit, day: datetime.date) -> Directive:
    """The directive grouping the comment tasks of ``questionnaire`` for the year of ``day`` (created on first use)."""
    key = follow_up_key(questionnaire, issuer, day.year)
    existing = Directive.objects.filter(origin_key=key).first()
    if existing is not None:
        return existing
    data = DirectiveData(
        kind=DirectiveKind.OTHER,
        subject=_("Xử lý ý kiến góp ý của người dân qua khảo sát “%(title)s” năm %(year)s")
        % {"title": questionnaire.title, "year": day.year},
        issuing_unit=issuer,
        horizon_end=datetime.date(day.year, 12, 31),
        note=_("Lập tự động khi giao việc từ ý kiến góp ý của phiếu khảo sát."),
        origin_key=key,
    )
    try:
        with transaction.atomic():
            return directive_create(actor=actor, data=data, reason=_("Giao việc từ ý kiến góp ý"))
    except DirectiveExistsError as exists:
        return exists.directive


@transaction.atomic
def comment_task_create(
    *,
    actor: Actor,
    answer: Answer,
    unit: Unit,
    title: str,
    deadline: datetime.date | None,
    note: str = "",
    today: datetime.date | None = None,
) -> tuple[CommentTask, bool]:
    """Turn a comment into a task for ``unit`` due on ``deadline``; returns the link and whether it is new.

    A comment already given as a task returns the existing link and creates nothing (a double submit, two tabs):
    the comment's row is locked first, so two simultaneous requests create one task.
    """
    list(Answer.objects.select_for_update().filter(pk=answer.pk).values_list("pk"))  # the lock, on the answer alone
    answer = Answer.objects.select_related("question", "response__questionnaire__owner").get(pk=answer.pk)
    existing = CommentTask.objects.filter(answer=answer).select_related("task").first()
    if existing is not None:
        return existing, False
    if answer.question.kind not in COMMENT_KINDS or not answer.text_value:
        raise ServiceError(_("Chỉ giao việc được từ ý kiến góp ý bằng chữ."))
    day = today or timezone.localdate()
    title = normalize(title)
    note = (note or "").strip()
    check_text(title, field="title", max_length=TITLE_MAX_LENGTH)
    check_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    if not title:
        raise ServiceError(_("Hãy ghi nội dung công việc."), field="title")
    if deadline is None:
        raise ServiceError(_("Hãy chọn thời hạn hoàn thành."), field="deadline")
    if deadline < day:
        raise ServiceError(_("Thời hạn hoàn thành không được trước ngày hôm nay."), field="deadline")
    if not unit.is_active(day):
        raise ServiceError(_("Đơn vị này không còn hoạt động; hãy chọn đơn vị khác."), field="unit")
    questionnaire = answer.response.questionnaire
    issuer = issuing_unit_for(questionnaire, unit)
    directive = _follow_up_directive(actor=actor, questionnaire=questionnaire, issuer=issuer, day=day)
    content = f"{title}\n{note}" if note else title
    reason = _("Giao việc từ ý kiến góp ý (phiếu số %(response)s)") % {"response": answer.response_id}
    task = task_create(
        actor=actor,
        directive=directive,
        data=TaskData(
            content=content,
            deadline_kind=DeadlineKind.DATE,
            deadline=deadline,
            units=[unit],
            expected_output=ExpectedOutput.REPORT,
        ),
        reason=reason,
    )
    link = CommentTask.objects.create(answer=answer, task=task, unit=unit, created_by=actor_user(actor))
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=link,
        changes={
            "answer": [None, answer.pk],
            "task": [None, task.pk],
            "unit": [None, unit.name],
            "deadline": [None, deadline],
        },
        reason=reason,
        unit=unit,
    )
    return link, True
