"""Invitation pages: the campaigns of a questionnaire, importing respondents, sending and reminding (signed in), and
the form behind an invited respondent's one-time link (public, ``/s/i/<token>/``).

Managing (creating campaigns, importing, sending, reminding, seeing names and e-mails): administrators and the
secretariat for the units it manages (:func:`access.can_manage_collection`). Supervisors and leaders see only how
the tokens were used (sent, answered, not answered, reminded) for the units in their scope.
"""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cchc.accounts import roles
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations.picker import unit_scope
from cchc.surveys import access

from .. import collection, invitations
from ..forms import CampaignForm, InvitationForm, InvitationUploadForm, show_service_error
from ..models import Invitation, InvitationCampaign, InvitationState, Questionnaire, QuestionnaireVersion
from .common import GET_POST, page, posted
from .public import HONEYPOT, posted_answers, sections_for

FORM_SALT = "cchc.surveys.invited-form"
FORM_MAX_AGE = 12 * 3600
# The filters of the invitation list: the states, and "reminded" (at least one reminder).
FILTERS = {**{state.value: state.label for state in InvitationState}, "reminded": gettext_lazy("Đã được nhắc")}


def _questionnaire(request: HttpRequest, questionnaire_id: int) -> Questionnaire:
    roles.require(access.can_view_collection(request.user))
    return access.get_questionnaire_for_user(request.user, questionnaire_id)


def _link_builder(request: HttpRequest) -> invitations.LinkBuilder:
    return lambda token: request.build_absolute_uri(reverse("survey_public:invited", args=[token]))


@require_GET
@login_required
def campaign_list(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaigns = [
        (campaign, invitations.campaign_counts(campaign), invitations.campaign_closed(campaign))
        for campaign in access.get_campaigns_for_user(request.user, questionnaire)
    ]
    return page(
        request,
        "surveys/invitations/campaign_list.html",
        questionnaire=questionnaire,
        campaigns=campaigns,
        can_manage=access.can_manage_collection(request.user),
        published=collection.published_version(questionnaire),
    )


@GET_POST
@login_required
def campaign_create(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    roles.require(access.can_manage_collection(request.user))
    form = CampaignForm(posted(request), units=access.collection_units_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        roles.require(access.can_manage_collection(request.user, unit))
        try:
            campaign = invitations.campaign_create(
                actor=request.user,
                questionnaire=questionnaire,
                unit=unit,
                title=form.cleaned_data["title"],
                closes_on=form.cleaned_data["closes_on"],
                remind_days_before=form.cleaned_data["remind_days_before"],
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Đã tạo đợt mời. Hãy nhập danh sách người được mời."))
            return redirect("surveys:invitation_import", questionnaire.pk, campaign.pk)
    response = page(request, "surveys/form_page.html", form=form, heading=_("Tạo đợt mời trả lời"), back=questionnaire)
    if request.method == "POST":
        response.status_code = 400
    return response


@require_GET
@login_required
def campaign_detail(request: HttpRequest, questionnaire_id: int, campaign_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaign = access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=False)
    can_manage = access.can_manage_collection(request.user, campaign.unit)
    chosen = request.GET.get("state", "")
    chosen = chosen if chosen in FILTERS else ""
    rows: list[Invitation] = []
    if access.can_read_invitation_names(request.user, campaign):
        listed = campaign.invitations.select_related("unit")
        if chosen == "reminded":
            listed = listed.filter(reminder_count__gt=0)
        elif chosen:
            listed = listed.filter(state=chosen)
        rows = list(listed)
        labels = invitations.group_labels(campaign) if rows else {}
        for row in rows:
            row.group_label = labels.get(row.respondent_group, row.respondent_group)  # type: ignore[attr-defined]
    return page(
        request,
        "surveys/invitations/campaign_detail.html",
        questionnaire=questionnaire,
        campaign=campaign,
        counts=invitations.campaign_counts(campaign),
        closed=invitations.campaign_closed(campaign),
        can_manage=can_manage,
        show_names=access.can_read_invitation_names(request.user, campaign),
        rows=rows,
        remind_days=invitations.remind_days_before(campaign),
        filters=FILTERS,
        chosen=chosen,
    )


@GET_POST
@login_required
def invitation_import(request: HttpRequest, questionnaire_id: int, campaign_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaign = access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=True)
    form = InvitationUploadForm(posted(request), request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            _kind, data = files.check_upload(upload, name=upload.name, kinds=(files.XLSX,))
            created = invitations.invitations_import(actor=request.user, campaign=campaign, data=data)
        except invitations.InvitationImportError as exc:
            problems = exc.problems
            form.add_error("file", _("Không nhập được danh sách; chưa có ai được thêm. Xem các lỗi bên dưới."))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm %(count)d người vào danh sách mời.") % {"count": len(created)})
            return redirect("surveys:campaign_detail", questionnaire.pk, campaign.pk)
    response = page(
        request,
        "surveys/invitations/import.html",
        questionnaire=questionnaire,
        campaign=campaign,
        form=form,
        problems=problems,
        columns=[label for _key, label, _aliases in invitations.COLUMNS],
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@require_GET
@login_required
def invitation_template(request: HttpRequest, questionnaire_id: int, campaign_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=True)
    response = HttpResponse(invitations.template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-moi.xlsx"'
    return response


def _confirm(
    request: HttpRequest, questionnaire: Questionnaire, campaign: InvitationCampaign, **context: Any
) -> HttpResponse:
    return page(request, "surveys/invitations/confirm.html", questionnaire=questionnaire, campaign=campaign, **context)


@GET_POST
@login_required
def invitations_send(request: HttpRequest, questionnaire_id: int, campaign_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaign = access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=True)
    if request.method == "POST":
        try:
            count = invitations.invitations_send(actor=request.user, campaign=campaign, link=_link_builder(request))
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            if count:
                messages.success(request, _("Đã gửi thư mời cho %(count)d người.") % {"count": count})
            else:
                messages.info(request, _("Không còn ai chưa được gửi thư mời."))
        return redirect("surveys:campaign_detail", questionnaire.pk, campaign.pk)
    count = campaign.invitations.filter(state=InvitationState.CREATED).count()
    return _confirm(
        request,
        questionnaire,
        campaign,
        heading=_("Gửi thư mời"),
        question=_(
            "Gửi thư điện tử có đường dẫn riêng cho %(count)d người chưa được mời? Hạn trả lời: hết ngày %(date)s."
        )
        % {"count": count, "date": campaign.closes_on.strftime("%d/%m/%Y")},
        button=_("Gửi thư mời"),
        count=count,
    )


@GET_POST
@login_required
def invitations_remind(request: HttpRequest, questionnaire_id: int, campaign_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaign = access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=True)
    if request.method == "POST":
        try:
            count = invitations.invitations_remind(actor=request.user, campaign=campaign, link=_link_builder(request))
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            if count:
                messages.success(request, _("Đã gửi thư nhắc cho %(count)d người.") % {"count": count})
            else:
                messages.info(request, _("Không có ai cần nhắc lúc này (đã trả lời hoặc vừa được nhắc trong 24 giờ)."))
        return redirect("surveys:campaign_detail", questionnaire.pk, campaign.pk)
    count = invitations.remindable(campaign).count()
    return _confirm(
        request,
        questionnaire,
        campaign,
        heading=_("Nhắc người chưa trả lời"),
        question=_(
            "Gửi thư nhắc cho %(count)d người chưa trả lời và chưa được nhắc trong 24 giờ qua? "
            "Thư nhắc dùng lại đường dẫn đã gửi."
        )
        % {"count": count},
        button=_("Gửi thư nhắc"),
        count=count,
    )


@require_GET
@login_required
def invitations_export(request: HttpRequest, questionnaire_id: int, campaign_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaign = access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=True)
    response = HttpResponse(invitations.export_bytes(campaign), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="danh-sach-moi-{campaign.pk}.xlsx"'
    return response


def _invitation(
    request: HttpRequest, questionnaire_id: int, campaign_id: int, invitation_id: int
) -> tuple[Questionnaire, InvitationCampaign, Invitation]:
    questionnaire = _questionnaire(request, questionnaire_id)
    campaign = access.get_campaign_for_user(request.user, questionnaire, campaign_id, manage=True)
    return questionnaire, campaign, access.get_invitation_for_user(request.user, campaign, invitation_id)


def _refused(request: HttpRequest, campaign: InvitationCampaign, error: ServiceError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("surveys:campaign_detail", campaign.questionnaire_id, campaign.pk)


@GET_POST
@login_required
def invitation_edit(request: HttpRequest, questionnaire_id: int, campaign_id: int, invitation_id: int) -> HttpResponse:
    questionnaire, campaign, invitation = _invitation(request, questionnaire_id, campaign_id, invitation_id)
    if invitation.state == InvitationState.ANSWERED:
        return _refused(
            request,
            campaign,
            ServiceError(_("%(name)s đã trả lời phiếu nên không sửa được.") % {"name": invitation.name}),
        )
    initial = {
        "name": invitation.name,
        "email": invitation.email,
        "group": invitation.respondent_group,
        "unit": invitation.unit_id,
    }
    form = InvitationForm(
        posted(request),
        initial=initial,
        groups=invitations.group_labels(campaign),
        units=unit_scope(request.user, "surveys.workplace_units"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invitation_update(
                actor=request.user,
                invitation=invitation,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                group=form.cleaned_data["group"],
                unit=form.cleaned_data["unit"],
            )
        except ServiceError as error:
            if error.code in ("answered", "closed", "not_found"):
                return _refused(request, campaign, error)
            show_service_error(form, error)
        else:
            messages.success(request, _("Đã sửa thông tin người được mời."))
            return redirect("surveys:campaign_detail", questionnaire.pk, campaign.pk)
    response = page(
        request,
        "surveys/invitations/edit.html",
        questionnaire=questionnaire,
        campaign=campaign,
        invitation=invitation,
        form=form,
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@GET_POST
@login_required
def invitation_resend(
    request: HttpRequest, questionnaire_id: int, campaign_id: int, invitation_id: int
) -> HttpResponse:
    questionnaire, campaign, invitation = _invitation(request, questionnaire_id, campaign_id, invitation_id)
    if request.method == "POST":
        try:
            invitations.invitation_resend(actor=request.user, invitation=invitation, link=_link_builder(request))
        except ServiceError as error:
            return _refused(request, campaign, error)
        messages.success(
            request,
            _("Đã gửi đường dẫn mới cho %(name)s; đường dẫn gửi trước đây không còn dùng được.")
            % {"name": invitation.name},
        )
        return redirect("surveys:campaign_detail", questionnaire.pk, campaign.pk)
    answered = invitation.state == InvitationState.ANSWERED
    return _confirm(
        request,
        questionnaire,
        campaign,
        heading=_("Gửi lại đường dẫn"),
        question=(
            _("%(name)s đã trả lời phiếu; không cần gửi lại đường dẫn.")
            if answered
            else _("Gửi cho %(name)s (%(email)s) một đường dẫn mới? Đường dẫn đã gửi trước đây sẽ không còn dùng được.")
        )
        % {"name": invitation.name, "email": invitation.email},
        button=_("Gửi đường dẫn mới"),
        count=0 if answered else 1,
    )


@GET_POST
@login_required
def invitation_remove(
    request: HttpRequest, questionnaire_id: int, campaign_id: int, invitation_id: int
) -> HttpResponse:
    questionnaire, campaign, invitation = _invitation(request, questionnaire_id, campaign_id, invitation_id)
    if request.method == "POST":
        try:
            invitations.invitation_remove(actor=request.user, invitation=invitation)
        except ServiceError as error:
            return _refused(request, campaign, error)
        messages.success(request, _("Đã xóa %(name)s khỏi danh sách mời.") % {"name": invitation.name})
        return redirect("surveys:campaign_detail", questionnaire.pk, campaign.pk)
    answered = invitation.state == InvitationState.ANSWERED
    return _confirm(
        request,
        questionnaire,
        campaign,
        heading=_("Xóa khỏi danh sách mời"),
        question=(
            _("%(name)s đã trả lời phiếu nên không xóa được.")
            if answered
            else _(
                "Xóa %(name)s (%(email)s) khỏi danh sách mời? Đường dẫn đã gửi cho người này sẽ không còn dùng được. "
                "Không hoàn tác được."
            )
        )
        % {"name": invitation.name, "email": invitation.email},
        button=_("Xóa khỏi danh sách"),
        count=0 if answered else 1,
        danger=True,
    )


# ---------------------------------------------------------------------------
# The invited respondent's form (no login)


def _message(request: HttpRequest, invitation: Invitation | None, text: str, *, status: int) -> HttpResponse:
    """The page of a link that shows no form, its tab title saying why (used, not found, no longer valid)."""
    if status == 404:
        title = _("Không tìm thấy lời mời")
    elif invitation is not None and invitation.state == InvitationState.ANSWERED:
        title = _("Bạn đã trả lời phiếu này")
    else:
        title = _("Lời mời không còn nhận câu trả lời")
    return render(
        request,
        "surveys/invitations/public_message.html",
        {"invitation": invitation, "reason": text, "title": title},
        status=status,
    )


def _not_found(request: HttpRequest, token: str) -> HttpResponse:
    retired = invitations.retired_link_message(token)
    if retired is not None:
        return _message(request, None, retired, status=410)
    return _message(
        request, None, _("Không tìm thấy lời mời. Đường dẫn có thể đã bị gõ sai hoặc thiếu ký tự."), status=404
    )


def _new_form_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "t": time.time(), "k": uuid.uuid4().hex}, salt=FORM_SALT, compress=True)


def _read_form_token(token: str, invitation: Invitation) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != invitation.pk or not isinstance(data.get("t"), int | float):
        return None
    return data


def _form(
    request: HttpRequest,
    invitation: Invitation,
    version: QuestionnaireVersion,
    token: str,
    *,
    answers: dict[int, list[str]],
    form_token: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "surveys/invitations/form.html",
        {
            "invitation": invitation,
            "campaign": invitation.campaign,
            "version": version,
            "token": token,
            "sections": sections_for(version, answers),
            "form_token": form_token,
            "error": error,
            "honeypot": HONEYPOT,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def invited_form(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return _not_found(request, token)
    if invitation.state == InvitationState.ANSWERED:
        return _message(request, invitation, invitations.already_answered_message(), status=200)
    reason = invitations.closed_reason(invitation)
    version = collection.published_version(invitation.campaign.questionnaire)
    if reason is not None or version is None:
        return _message(request, invitation, reason or "", status=410)
    prefilled = invitations.prefilled_answers(invitation, version)
    if request.method == "GET":
        return _form(request, invitation, version, token, answers=prefilled, form_token=_new_form_token(invitation))
    answers = {**posted_answers(request), **prefilled}
    posted_token = request.POST.get("form_token", "")
    data = _read_form_token(posted_token, invitation)
    if data is None:
        return _form(
            request,
            invitation,
            version,
            token,
            answers=answers,
            form_token=_new_form_token(invitation),
            error=_("Phiếu đã mở quá lâu hoặc không hợp lệ. Xin kiểm tra lại các câu trả lời rồi bấm gửi lần nữa."),
            status=400,
        )
    shown = collection.visible_questions(version, answers)
    known = {question.pk for question in version.questions.all()}
    kept = {pk: values for pk, values in answers.items() if pk in shown or pk not in known}
    try:
        invitations.invitation_answer(
            token=token,
            answers=kept,
            started_at=datetime.datetime.fromtimestamp(data["t"], tz=datetime.UTC),
            idempotency_key=str(data["k"]),
        )
    except ServiceError as error:
        if error.code == "answered":
            return _message(request, invitation, error.message, status=200)
        if error.code in ("closed", "not_found"):
            return _message(request, invitation, error.message, status=410)
        return _form(
            request,
            invitation,
            version,
            token,
            answers=answers,
            form_token=posted_token,
            error=error.message,
            status=400,
        )
    return redirect("survey_public:invited_thanks", token)


@require_GET
def invited_thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return _not_found(request, token)
    if invitation.state != InvitationState.ANSWERED:
        return redirect("survey_public:invited", token)
    return render(request, "surveys/invitations/public_thanks.html", {"invitation": invitation})
