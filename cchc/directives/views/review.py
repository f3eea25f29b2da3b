"""Upload a directive, review the proposed tasks beside the document, confirm (or discard)."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cchc.accounts import roles
from cchc.directives import access
from cchc.extraction.ocr import ocr_available, ocr_missing
from cchc.extraction.reading import scan_page_count
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.validators import NOTE_MAX_LENGTH
from cchc.organisations import access as organisations_access
from cchc.organisations.models import CommuneSubtype, UnitKind
from cchc.organisations.picker import Scope, unit_scope
from cchc.organisations.services import UnitData

from .. import jobs, proposals, review_marks, scans, services
from ..forms import DirectiveForm, NewUnitFormSet, ProposedTaskForm, ProposedTaskFormSet, SelectionForm, UploadForm
from ..models import DeadlineKind, DirectiveDraft, DraftStatus, Recurrence
from .common import show_service_error

GET_POST = require_http_methods(["GET", "POST"])


def _issuing_units(request: HttpRequest) -> Scope:
    return unit_scope(request.user, "directives.issuing")


@GET_POST
@login_required
def directive_upload(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_create_directives(request.user))
    form = UploadForm(request.POST or None, request.FILES or None, issuing_units=_issuing_units(request))
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["issuing_unit"]
        try:
            stored = services.check_directive_file(form.cleaned_data["file"])
            pages = scan_page_count(stored.content, stored.name)
            if pages is not None:
                # A scan takes seconds a page: it is read in the background while the reading page shows progress.
                if not ocr_available():
                    raise ocr_missing()
                draft, created = scans.scan_draft_create(
                    actor=request.user,
                    issuing_unit=unit,
                    file=stored,
                    page_count=pages,
                    token=form.cleaned_data.get("token") or "",
                )
                if created:
                    jobs.read_scan_job.enqueue(draft_id=draft.pk)
                return redirect("directives:draft_reading", draft.pk)
            extraction = proposals.extract(stored, unit)
            draft = services.draft_create(actor=request.user, issuing_unit=unit, file=stored, extraction=extraction)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return redirect("directives:draft_review", draft.pk)
    if form.is_bound:
        # The form comes back to be sent again (a corrected file): a new submission, with a new token.
        data = request.POST.copy()
        data["token"] = secrets.token_urlsafe(24)
        form.data = data
    return render(request, "directives/upload.html", {"form": form, "nav_active": "directives"})


@require_GET
@login_required
def draft_reading(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The reading of an uploaded scan: its pages read so far (polled by htmx), then the review, or why it failed."""
    draft = access.get_directive_draft_for_user(request.user, draft_id)
    if draft.status == DraftStatus.READY:
        review = reverse("directives:draft_review", args=[draft.pk])
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(review)
        return redirect(review)
    context = {"draft": draft, "stale": scans.is_stale(draft), "nav_active": "directives"}
    if getattr(request, "htmx", False):
        return render(request, "directives/_draft_reading.html", context)
    return render(request, "directives/draft_reading.html", context)


def _task_units(request: HttpRequest, draft: DirectiveDraft) -> Scope:
    """The units a task of this draft may name: the issuing unit's province on the document's date."""
    day = proposals.issue_date(draft.extraction)
    return unit_scope(request.user, "directives.province", unit=draft.issuing_unit_id, on=day and day.isoformat())


def _forms(request: HttpRequest, draft: DirectiveDraft) -> tuple[DirectiveForm, Any, Any]:
    extraction = draft.extraction
    units = _task_units(request, draft)
    data = request.POST if request.method == "POST" else None
    allowed = set(units.rows().values_list("pk", flat=True))
    meta = DirectiveForm(
        data,
        initial=proposals.directive_initial(extraction, draft.issuing_unit),
        issuing_units=unit_scope(request.user, "directives.issuing"),
    )
    tasks = ProposedTaskFormSet(
        data,
        prefix="tasks",
        units=units,
        initial=[proposals.task_initial(task, allowed) for task in extraction.get("tasks") or []],
    )
    names = NewUnitFormSet(
        data,
        prefix="names",
        units=units,
        initial=[{"label": name} for name in proposals.unknown_names(extraction.get("tasks") or [])],
    )
    return meta, tasks, names


def _resolve(draft: DirectiveDraft, tasks: Any, names: Any) -> tuple[list[services.TaskData], list[services.NewUnit]]:
    """The kept rows as task data, with unknown names mapped to units or to units created on confirmation."""
    mapped: dict[str, Any] = {}
    created: list[services.NewUnit] = []
    for number, form in enumerate(names.forms, start=1):
        label, action = form.cleaned_data["label"], form.cleaned_data["action"]
        if action == "map":
            mapped[label] = form.cleaned_data["unit"]
        elif action == "create":
            kind = form.cleaned_data["kind"]
            created.append(
                services.NewUnit(
                    label=label,
                    data=UnitData(
                        name=label,
                        kind=kind,
                        code=f"{draft.issuing_unit.code}-VB{draft.pk}-{number}"[:50],
                        subtype=CommuneSubtype.COMMUNE if kind == UnitKind.COMMUNE else "",
                    ),
                    parent=draft.issuing_unit,
                )
            )
    creating = {new.label for new in created}
    proposed = draft.extraction.get("tasks") if isinstance(draft.extraction, dict) else None
    proposed_count = len(proposed) if isinstance(proposed, list) else 0
    result = []
    for index, form in enumerate(tasks.forms):
        if not form.is_kept:
            continue
        data = form.task_data()
        # The first rows are the proposals, in order; the rows after them were added by hand.
        data.proposal_index = index if index < proposed_count else None
        if data.new_unit_labels:
            label = data.new_unit_labels[0]
            if label in mapped:
                data.units, data.new_unit_labels = [mapped[label]], ()
            elif label not in creating:
                form.add_error("units", _("Hãy chọn đơn vị thực hiện cho “%(name)s”.") % {"name": label})
                continue
        result.append(data)
    return result, created


@dataclass(frozen=True)
class ProposedTaskRow:
    """One line of the review list: the task's form and what its folded line says about it.

    A proposed row (``number`` from 1) also says which words of the document its lead and deadline came from, how
    far to trust them, and whether its passage was found in the document (``in_document``).
    """

    form: forms.Form
    section: str
    content: str
    lead: str
    deadline: str
    number: int | None = None
    sources: tuple[review_marks.FieldSource, ...] = ()
    in_document: bool = False

    @property
    def needs_attention(self) -> bool:
        return any(source.needs_attention for source in self.sources)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _deadline_summary(form: forms.Form) -> str:
    """The deadline as the user would say it, from the form's current (posted or proposed) values."""
    kind = form["deadline_kind"].value()
    if kind == DeadlineKind.DATE:
        value = form["deadline"].value()
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return _text(value)
        return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else ""
    if kind == DeadlineKind.PERIOD:
        key = _text(form["period_key"].value())
        try:
            return str(Period.from_key(key).label)
        except ValueError:
            return key
    if kind == DeadlineKind.RECURRING:
        return str(dict(Recurrence.choices).get(form["recurrence"].value() or "", ""))
    if kind == DeadlineKind.CONTINUOUS:
        return str(DeadlineKind.CONTINUOUS.label)
    return _text(form["deadline_text"].value())


def _proposed_rows(
    task_forms: list[forms.Form],
    units: Scope,
    proposed: list[dict[str, Any]] | None = None,
    located: set[int] | None = None,
) -> list[ProposedTaskRow]:
    """The folded line of every proposed task: its section, content, executing units and deadline.

    ``proposed`` are the extractor's tasks (the first rows, in order) and ``located`` the indexes of those whose
    passage was found in the document.

    The executing units are named from the units chosen in the form (the names as written in the document when
    none is chosen yet), read in one query for the whole list.
    """

    def chosen(form: forms.Form) -> list[int]:
        # Posted values are untrusted: only keys a database integer can hold are looked up.
        return [int(pk) for pk in form["units"].value() or [] if str(pk).isdigit() and len(str(pk)) <= 18]

    wanted = {pk for form in task_forms for pk in chosen(form)}
    names = dict(units.rows().filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    proposed = proposed or []
    rows = []
    for index, form in enumerate(task_forms):
        task = proposed[index] if index < len(proposed) and isinstance(proposed[index], dict) else None
        unit_names = [names[pk] for pk in chosen(form) if pk in names]
        lead = ", ".join(unit_names[:2]) + (f" +{len(unit_names) - 2}" if len(unit_names) > 2 else "")
        rows.append(
            ProposedTaskRow(
                form=form,
                section=_text(form["section"].value()),
                content=_text(form["content"].value()),
                lead=lead or _text(form["lead_label"].value() or form["new_unit"].value()),
                deadline=_deadline_summary(form),
                number=index + 1 if task is not None else None,
                sources=tuple(review_marks.field_sources(task)) if task is not None else (),
                in_document=task is not None and index in (located or set()),
            )
        )
    return rows


def _proposed(draft: DirectiveDraft) -> list[dict[str, Any]]:
    tasks = draft.extraction.get("tasks") if isinstance(draft.extraction, dict) else None
    return [task if isinstance(task, dict) else {} for task in tasks] if isinstance(tasks, list) else []


@GET_POST
@login_required
def draft_review(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = access.get_directive_draft_for_user(request.user, draft_id)
    roles.require(organisations_access.can_manage_unit(request.user, draft.issuing_unit))
    if draft.status != DraftStatus.READY:
        return redirect("directives:draft_reading", draft.pk)
    meta, tasks, names = _forms(request, draft)
    error = ""
    if request.method == "POST" and meta.is_valid() and tasks.is_valid() and names.is_valid():
        task_data, new_units = _resolve(draft, tasks, names)
        if not any(form.errors for form in tasks.forms):
            try:
                directive = services.directive_create_with_tasks(
                    actor=request.user,
                    data=meta.directive_data(text=str(draft.extraction.get("text") or "")),
                    tasks=task_data,
                    new_units=new_units,
                    file=services.draft_file(draft),
                    draft=draft,
                )
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("Đã lưu văn bản với %(count)s nhiệm vụ.") % {"count": len(task_data)},
                )
                return redirect("directives:directive_detail", directive.pk)
    text = str(draft.extraction.get("text") or "")
    proposed = _proposed(draft)
    marks = review_marks.locate(text, proposed)
    return render(
        request,
        "directives/draft_review.html",
        {
            "draft": draft,
            "meta": meta,
            "tasks": tasks,
            "rows": _proposed_rows(tasks.forms, tasks.units, proposed, {mark.task for mark in marks if not mark.field}),
            "names": names,
            "error": error,
            "text": review_marks.marked_text(text, marks),
            "selection_max": NOTE_MAX_LENGTH,
            "warnings": draft.extraction.get("warnings") or [],
            "nav_active": "directives",
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def draft_selection_task(request: HttpRequest, draft_id: int) -> HttpResponse:
    """A new row of the review list from words selected in the document (htmx): the task the extractor missed,
    with the lead unit and deadline read from the selection. Nothing is stored until the review is confirmed."""
    draft = access.get_directive_draft_for_user(request.user, draft_id)
    roles.require(organisations_access.can_manage_unit(request.user, draft.issuing_unit))
    form = SelectionForm(request.POST)
    if draft.status != DraftStatus.READY or not form.is_valid():
        message = next(iter(form.errors.values()))[0] if form.errors else _("Văn bản này chưa sẵn sàng để xem lại.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    units = _task_units(request, draft)
    allowed = set(units.rows().values_list("pk", flat=True))
    task = proposals.task_from_selection(form.cleaned_data["text"], draft.issuing_unit)
    index = form.cleaned_data["index"]
    row_form = ProposedTaskForm(prefix=f"tasks-{index}", initial=proposals.task_initial(task, allowed), units=units)
    row = _proposed_rows([row_form], units)[0]
    return render(
        request,
        "directives/draft_review.html#proposed-task",
        {"row": row, "form": row_form, "added": True, "initial_count": 0},
    )


@GET_POST
@login_required
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Discarding a reviewed upload loses the review: a confirmation page first (works without JavaScript)."""
    draft = access.get_directive_draft_for_user(request.user, draft_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.draft_discard(actor=request.user, draft=draft)
        messages.success(request, _("Đã hủy văn bản tải lên; không có nhiệm vụ nào được tạo."))
        return redirect("directives:directive_list")
    tasks = draft.extraction.get("tasks") if isinstance(draft.extraction, dict) else None
    return render(
        request,
        "directives/draft_discard_confirm.html",
        {"draft": draft, "task_count": len(tasks) if isinstance(tasks, list) else 0, "nav_active": "directives"},
    )
