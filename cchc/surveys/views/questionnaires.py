"""Questionnaire pages: the list, a questionnaire (a version shown as a preview of the form), creating, editing the
details, deleting a never-published one, copying, and the versions (new draft, publish, close).

Reading: every user with a role, within :func:`access.get_questionnaires_for_user` (drafts only for those who may
change them). Writing: :func:`access.get_questionnaire_for_user` with ``manage=True`` (404 outside what the user
reads, 403 when they only read it).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.lib.errors import ServiceError
from cchc.surveys import access

from .. import selectors, services
from ..forms import CopyForm, QuestionnaireForm, ReasonForm, show_service_error
from ..models import Questionnaire, QuestionnaireKind, QuestionnaireVersion, VersionState
from .common import GET_POST, allow_shared, default_owner, owners, page, posted, require_reader


@require_GET
@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    questionnaires = access.get_questionnaires_for_user(request.user).select_related("owner")
    kind = request.GET.get("kind", "")
    if kind in QuestionnaireKind.values:
        questionnaires = questionnaires.filter(kind=kind)
    else:
        kind = ""
    questionnaires = questionnaires.annotate(
        latest_number=Max("versions__number"),
        published_count=Count("versions", filter=Q(versions__state=VersionState.PUBLISHED)),
        draft_count=Count("versions", filter=Q(versions__state=VersionState.DRAFT)),
    ).order_by("-is_template", "title", "pk")
    return page(
        request,
        "surveys/questionnaire_list.html",
        questionnaires=questionnaires,
        kind=kind,
        kinds=QuestionnaireKind.choices,
        can_manage=access.can_manage_questionnaires(request.user),
    )


@require_GET
@login_required
def questionnaire_detail(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    require_reader(request)
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id)
    can_manage = access.can_manage_questionnaire(request.user, questionnaire)
    version: QuestionnaireVersion | None
    if "v" in request.GET:
        version = access.get_version_for_user(request.user, questionnaire, request.GET["v"])
    else:
        version = selectors.current_version(questionnaire, include_draft=can_manage)
    editing = version is not None and version.is_draft and can_manage
    return page(
        request,
        "surveys/questionnaire_detail.html",
        questionnaire=questionnaire,
        version=version,
        versions=selectors.visible_versions(questionnaire, include_draft=can_manage),
        sections=selectors.preview_sections(version) if version is not None else [],
        can_manage=can_manage,
        can_copy=access.can_manage_questionnaires(request.user),
        can_view_collection=access.can_view_collection(request.user),
        editing=editing,
        has_draft=questionnaire.versions.filter(state=VersionState.DRAFT).exists(),
        problems=services.version_problems(version) if editing and version is not None else [],
    )


@GET_POST
@login_required
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_questionnaires(request.user))
    candidates = owners(request)
    owner = default_owner(request, candidates)
    form = QuestionnaireForm(
        posted(request),
        initial={"owner": owner.pk if owner is not None else None},
        owners=candidates,
        allow_shared=allow_shared(request),
    )
    if request.method == "POST" and form.is_valid():
        data = services.QuestionnaireData(
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            source_note=form.cleaned_data["source_note"],
            owner=form.cleaned_data["owner"],
        )
        roles.require(access.can_manage_questionnaire(request.user, Questionnaire(owner=data.owner)))
        try:
            questionnaire = services.questionnaire_create(actor=request.user, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo phiếu “%(title)s”; hãy thêm phần và câu hỏi.") % {"title": data.title})
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return page(request, "surveys/form_page.html", form=form, heading=_("Tạo phiếu khảo sát"), back=None)


@GET_POST
@login_required
def questionnaire_edit(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    initial = {
        "code": questionnaire.code,
        "title": questionnaire.title,
        "kind": questionnaire.kind,
        "source_note": questionnaire.source_note,
        "owner": questionnaire.owner,
    }
    form = QuestionnaireForm(
        posted(request), initial=initial, owners=owners(request), allow_shared=allow_shared(request)
    )
    if request.method == "POST" and form.is_valid():
        data = services.QuestionnaireData(
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            source_note=form.cleaned_data["source_note"],
            owner=form.cleaned_data["owner"],
        )
        roles.require(access.can_manage_questionnaire(request.user, Questionnaire(owner=data.owner)))
        try:
            services.questionnaire_update(actor=request.user, questionnaire=questionnaire, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin phiếu."))
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return page(
        request,
        "surveys/form_page.html",
        form=form,
        heading=_("Sửa thông tin phiếu"),
        back=questionnaire,
    )


@GET_POST
@login_required
def questionnaire_delete(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    form = ReasonForm(posted(request))
    problems: list[str] = []
    if questionnaire.versions.exclude(state=VersionState.DRAFT).exists():
        problems.append(_("Phiếu đã ban hành nên không xóa được; hãy đóng phiếu nếu không dùng nữa."))
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_delete(
                actor=request.user, questionnaire=questionnaire, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
        messages.success(request, _("Đã xóa phiếu “%(title)s”.") % {"title": questionnaire.title})
        return redirect("surveys:questionnaire_list")
    return page(
        request,
        "surveys/confirm.html",
        form=form,
        questionnaire=questionnaire,
        heading=_("Xóa phiếu khảo sát"),
        question=_("Xóa phiếu “%(title)s” cùng toàn bộ câu hỏi? Không hoàn tác được.") % {"title": questionnaire.title},
        problems=problems,
        button=_("Xóa"),
        danger=True,
    )


@GET_POST
@login_required
def questionnaire_copy(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    roles.require(access.can_manage_questionnaires(request.user))
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id)
    include_draft = access.can_manage_questionnaire(request.user, questionnaire)
    version = selectors.current_version(questionnaire, include_draft=include_draft)
    if version is None:
        messages.error(request, _("Phiếu chưa có phiên bản để sao chép."))
        return redirect("surveys:questionnaire_detail", questionnaire.pk)
    candidates = owners(request)
    owner = default_owner(request, candidates)
    initial = {
        "code": f"{questionnaire.code}-ban-sao"[:64],
        "title": _("%(title)s (bản sao)") % {"title": questionnaire.title[:285]},
        "owner": owner.pk if owner is not None else None,
    }
    form = CopyForm(posted(request), initial=initial, owners=candidates, allow_shared=allow_shared(request))
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        roles.require(access.can_manage_questionnaire(request.user, Questionnaire(owner=owner)))
        try:
            copy = services.questionnaire_copy(
                actor=request.user,
                version=version,
                code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                owner=owner,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo bản sao; bản sao là bản nháp, hãy chỉnh sửa rồi ban hành."))
            return redirect("surveys:questionnaire_detail", copy.pk)
    return page(
        request,
        "surveys/form_page.html",
        form=form,
        heading=_("Sao chép phiếu “%(title)s” (phiên bản %(number)s)")
        % {"title": questionnaire.title, "number": version.number},
        back=questionnaire,
        title_in_heading=True,
    )


# ---------------------------------------------------------------------------
# Versions


@require_POST
@login_required
def version_new(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    """Start editing a published questionnaire: a new draft copied from the latest version (which stays as it is)."""
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    draft = services.version_new_draft(actor=request.user, questionnaire=questionnaire)
    messages.success(
        request,
        _("Đang sửa phiên bản nháp %(number)s; phiên bản đã ban hành giữ nguyên cho đến khi bản nháp được ban hành.")
        % {"number": draft.number},
    )
    return redirect("surveys:questionnaire_detail", questionnaire.pk)


@GET_POST
@login_required
def version_publish(request: HttpRequest, questionnaire_id: int, number: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    version = access.get_version_for_user(request.user, questionnaire, number)
    form = ReasonForm(posted(request))
    problems = services.version_problems(version) if version.is_draft else [_("Phiên bản này không phải bản nháp.")]
    if request.method == "POST" and form.is_valid():
        try:
            services.version_publish(actor=request.user, version=version, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã ban hành phiên bản %(number)s.") % {"number": version.number})
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    published = questionnaire.versions.filter(state=VersionState.PUBLISHED).exclude(pk=version.pk).first()
    question = _(
        "Ban hành phiên bản %(number)s của phiếu “%(title)s”? Sau khi ban hành, phiên bản này không sửa được."
    ) % {
        "number": version.number,
        "title": questionnaire.title,
    }
    if published is not None:
        question += " " + _("Phiên bản %(number)s đang ban hành sẽ được đóng.") % {"number": published.number}
    return page(
        request,
        "surveys/confirm.html",
        form=form,
        questionnaire=questionnaire,
        heading=_("Ban hành phiếu khảo sát"),
        question=question,
        problems=problems,
        button=_("Ban hành"),
        danger=False,
    )


@GET_POST
@login_required
def version_close(request: HttpRequest, questionnaire_id: int, number: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    version = access.get_version_for_user(request.user, questionnaire, number)
    form = ReasonForm(posted(request))
    problems = [] if version.state == VersionState.PUBLISHED else [_("Chỉ đóng được phiên bản đang ban hành.")]
    if request.method == "POST" and form.is_valid():
        try:
            services.version_close(actor=request.user, version=version, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã đóng phiên bản %(number)s.") % {"number": version.number})
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return page(
        request,
        "surveys/confirm.html",
        form=form,
        questionnaire=questionnaire,
        heading=_("Đóng phiếu khảo sát"),
        question=_(
            "Đóng phiên bản %(number)s của phiếu “%(title)s”? Phiếu đã đóng vẫn xem được nhưng không dùng để "
            "khảo sát nữa."
        )
        % {"number": version.number, "title": questionnaire.title},
        problems=problems,
        button=_("Đóng phiếu"),
        danger=True,
    )


@GET_POST
@login_required
def version_discard(request: HttpRequest, questionnaire_id: int, number: int) -> HttpResponse:
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id, manage=True)
    version = access.get_version_for_user(request.user, questionnaire, number)
    form = ReasonForm(posted(request))
    problems = [] if version.is_draft else [_("Phiên bản này không phải bản nháp.")]
    if version.is_draft and questionnaire.versions.count() == 1:
        problems.append(_("Đây là phiên bản duy nhất của phiếu; hãy xóa phiếu nếu không dùng nữa."))
    if request.method == "POST" and form.is_valid():
        try:
            services.version_discard(actor=request.user, version=version, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã bỏ bản nháp %(number)s.") % {"number": version.number})
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return page(
        request,
        "surveys/confirm.html",
        form=form,
        questionnaire=questionnaire,
        heading=_("Bỏ bản nháp"),
        question=_("Bỏ bản nháp %(number)s cùng mọi thay đổi trong đó? Các phiên bản trước giữ nguyên.")
        % {"number": version.number},
        problems=problems,
        button=_("Bỏ bản nháp"),
        danger=True,
    )
