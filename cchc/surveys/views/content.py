"""Editing the draft of a questionnaire: sections, questions and choices (add, edit, move, delete).

Every page acts on the questionnaire's draft (404 when there is none: a published questionnaire gets a new version
first) and needs :func:`access.get_questionnaire_for_user` with ``manage=True``. A move is a small POST; from htmx it
answers with the editor fragment, otherwise with a redirect to the questionnaire.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.lib.errors import ServiceError
from cchc.surveys import access

from .. import selectors, services
from ..forms import ChoiceForm, QuestionForm, ReasonForm, SectionForm, show_service_error
from ..models import Choice, Question, Questionnaire, QuestionnaireVersion, Section
from .common import GET_POST, draft_of, page, posted


def _editable(request: HttpRequest, questionnaire_id: int) -> tuple[Questionnaire, QuestionnaireVersion]:
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    return questionnaire, draft_of(questionnaire)


def _section(version: QuestionnaireVersion, section_id: int) -> Section:
    section = version.sections.filter(pk=section_id).first()
    if section is None:
        raise Http404
    return section


def _question(version: QuestionnaireVersion, question_id: int) -> Question:
    question = version.questions.select_related("section").filter(pk=question_id).first()
    if question is None:
        raise Http404
    return question


def _choice(version: QuestionnaireVersion, choice_id: int) -> Choice:
    choice = Choice.objects.select_related("question").filter(pk=choice_id, question__version=version).first()
    if choice is None:
        raise Http404
    return choice


def _back(questionnaire: Questionnaire, anchor: str = "") -> HttpResponse:
    url = reverse("surveys:questionnaire_detail", args=[questionnaire.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _moved(
    request: HttpRequest, questionnaire: Questionnaire, version: QuestionnaireVersion, anchor: str
) -> HttpResponse:
    if getattr(request, "htmx", False):
        return page(
            request,
            "surveys/questionnaire_detail.html#editor",
            questionnaire=questionnaire,
            version=version,
            sections=selectors.preview_sections(version),
            editing=True,
        )
    return _back(questionnaire, anchor)


def _form_page(request: HttpRequest, questionnaire: Questionnaire, form: Any, heading: str) -> HttpResponse:
    return page(request, "surveys/form_page.html", form=form, heading=heading, back=questionnaire)


def _direction(request: HttpRequest) -> str:
    return request.POST.get("direction", "")


# ---------------------------------------------------------------------------
# Sections


@GET_POST
@login_required
def section_add(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    form = SectionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = services.SectionData(title=form.cleaned_data["title"], weight=form.cleaned_data["weight"])
        try:
            section = services.section_add(actor=request.user, version=version, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _back(questionnaire, f"section-{section.pk}")
    return _form_page(request, questionnaire, form, _("Thêm phần (yếu tố)"))


@GET_POST
@login_required
def section_edit(request: HttpRequest, questionnaire_id: int, section_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    section = _section(version, section_id)
    form = SectionForm(posted(request), initial={"title": section.title, "weight": section.weight})
    if request.method == "POST" and form.is_valid():
        data = services.SectionData(title=form.cleaned_data["title"], weight=form.cleaned_data["weight"])
        try:
            services.section_update(actor=request.user, section=section, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _back(questionnaire, f"section-{section.pk}")
    return _form_page(request, questionnaire, form, _("Sửa phần “%(title)s”") % {"title": section.title})


@require_POST
@login_required
def section_move(request: HttpRequest, questionnaire_id: int, section_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    section = _section(version, section_id)
    try:
        services.section_move(actor=request.user, section=section, direction=_direction(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _moved(request, questionnaire, version, f"section-{section.pk}")


@GET_POST
@login_required
def section_delete(request: HttpRequest, questionnaire_id: int, section_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    section = _section(version, section_id)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_delete(actor=request.user, section=section)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã xóa phần “%(title)s”.") % {"title": section.title})
            return _back(questionnaire)
    return page(
        request,
        "surveys/confirm.html",
        form=form,
        questionnaire=questionnaire,
        heading=_("Xóa phần"),
        question=_("Xóa phần “%(title)s” cùng %(count)d câu hỏi của phần này?")
        % {"title": section.title, "count": section.questions.count()},
        problems=[],
        button=_("Xóa"),
        danger=True,
    )


# ---------------------------------------------------------------------------
# Questions


def _question_form(
    request: HttpRequest, version: QuestionnaireVersion, question: Question | None, **kwargs: Any
) -> QuestionForm:
    others = version.questions.order_by("section__order", "order")
    if question is not None:
        others = others.exclude(pk=question.pk)
    return QuestionForm(posted(request), sections=version.sections.order_by("order"), questions=others, **kwargs)


def _question_data(form: QuestionForm) -> services.QuestionData:
    data = form.cleaned_data
    return services.QuestionData(
        code=data["code"],
        text=data["text"],
        kind=data["kind"],
        required=data["required"],
        hint=data["hint"],
        condition_question=data["condition_question"],
        condition_value=data["condition_value"],
        weight=data["weight"],
    )


@GET_POST
@login_required
def question_add(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    first = version.sections.order_by("order").first()
    if first is None:
        messages.error(request, _("Hãy thêm một phần (yếu tố) trước khi thêm câu hỏi."))
        return _back(questionnaire)
    section = _section(version, int(request.GET["section"])) if request.GET.get("section", "").isdigit() else first
    number = version.questions.count() + 1
    form = _question_form(
        request, version, None, initial={"section": section, "code": f"q{number}", "kind": "satisfaction5"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_add(
                actor=request.user, section=form.cleaned_data["section"], data=_question_data(form)
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _back(questionnaire, f"question-{question.pk}")
    return _form_page(request, questionnaire, form, _("Thêm câu hỏi"))


@GET_POST
@login_required
def question_edit(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    question = _question(version, question_id)
    initial = {
        "section": question.section,
        "code": question.code,
        "text": question.text,
        "hint": question.hint,
        "kind": question.kind,
        "required": question.required,
        "condition_question": question.condition_question,
        "condition_value": question.condition_value,
        "weight": question.weight,
    }
    form = _question_form(request, version, question, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                actor=request.user, question=question, data=_question_data(form), section=form.cleaned_data["section"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _back(questionnaire, f"question-{question.pk}")
    return _form_page(request, questionnaire, form, _("Sửa câu hỏi %(code)s") % {"code": question.code})


@require_POST
@login_required
def question_move(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    question = _question(version, question_id)
    try:
        services.question_move(actor=request.user, question=question, direction=_direction(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _moved(request, questionnaire, version, f"question-{question.pk}")


@GET_POST
@login_required
def question_delete(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    question = _question(version, question_id)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_delete(actor=request.user, question=question)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã xóa câu hỏi %(code)s.") % {"code": question.code})
            return _back(questionnaire)
    return page(
        request,
        "surveys/confirm.html",
        form=form,
        questionnaire=questionnaire,
        heading=_("Xóa câu hỏi"),
        question=_("Xóa câu hỏi %(code)s “%(text)s”?") % {"code": question.code, "text": question.text[:200]},
        problems=[],
        button=_("Xóa"),
        danger=True,
    )


# ---------------------------------------------------------------------------
# Choices


@GET_POST
@login_required
def choice_add(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    question = _question(version, question_id)
    form = ChoiceForm(posted(request), initial={"value": str(question.choices.count() + 1)})
    if request.method == "POST" and form.is_valid():
        try:
            services.choice_add(
                actor=request.user,
                question=question,
                value=form.cleaned_data["value"],
                label=form.cleaned_data["label"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _back(questionnaire, f"question-{question.pk}")
    return _form_page(request, questionnaire, form, _("Thêm phương án cho câu %(code)s") % {"code": question.code})


@GET_POST
@login_required
def choice_edit(request: HttpRequest, questionnaire_id: int, choice_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    choice = _choice(version, choice_id)
    form = ChoiceForm(posted(request), initial={"value": choice.value, "label": choice.label})
    if request.method == "POST" and form.is_valid():
        try:
            services.choice_update(
                actor=request.user, choice=choice, value=form.cleaned_data["value"], label=form.cleaned_data["label"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _back(questionnaire, f"question-{choice.question_id}")
    return _form_page(
        request, questionnaire, form, _("Sửa phương án của câu %(code)s") % {"code": choice.question.code}
    )


@require_POST
@login_required
def choice_move(request: HttpRequest, questionnaire_id: int, choice_id: int) -> HttpResponse:
    questionnaire, version = _editable(request, questionnaire_id)
    choice = _choice(version, choice_id)
    try:
        services.choice_move(actor=request.user, choice=choice, direction=_direction(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _moved(request, questionnaire, version, f"question-{choice.question_id}")


@require_POST
@login_required
def choice_delete(request: HttpRequest, questionnaire_id: int, choice_id: int) -> HttpResponse:
    """Removing one choice of a draft is undone by adding it again, so it asks no confirmation."""
    questionnaire, version = _editable(request, questionnaire_id)
    choice = _choice(version, choice_id)
    try:
        services.choice_delete(actor=request.user, choice=choice)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _moved(request, questionnaire, version, f"question-{choice.question_id}")
