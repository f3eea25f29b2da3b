"""The collection page of a questionnaire: how many answers came in (by unit, channel and day) and the public links
with their QR codes and posters.

Reading: administrators and the secretariat, supervisor and leader roles, each within their scope
(:func:`access.get_responses_for_user`, :func:`access.get_points_for_user`). Creating and pausing links: the
secretariat for the units it manages (:func:`access.can_manage_collection`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.lib.errors import ServiceError
from cchc.surveys import access

from .. import collection, inbox, posters, selectors
from ..forms import CollectionPointForm, show_service_error
from ..models import CollectionPoint, Questionnaire
from .common import GET_POST, page, posted


def public_url(request: HttpRequest, point: CollectionPoint) -> str:
    return request.build_absolute_uri(reverse("survey_public:form", args=[point.token]))


def _questionnaire(request: HttpRequest, questionnaire_id: int) -> Questionnaire:
    roles.require(access.can_view_collection(request.user))
    return access.get_questionnaire_for_user(request.user, questionnaire_id)


@require_GET
@login_required
def collection_overview(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    summary = selectors.collection_summary(access.get_responses_for_user(request.user, questionnaire))
    points = [
        (point, public_url(request, point), collection.point_closed_reason(point))
        for point in access.get_points_for_user(request.user, questionnaire)
    ]
    return page(
        request,
        "surveys/collection.html",
        questionnaire=questionnaire,
        summary=summary,
        waiting=inbox.waiting(access.get_pending_responses_for_user(request.user, questionnaire)),
        points=points,
        can_manage=access.can_manage_collection(request.user),
        published=collection.published_version(questionnaire),
    )


@GET_POST
@login_required
def point_create(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    roles.require(access.can_manage_collection(request.user))
    form = CollectionPointForm(posted(request), units=access.collection_units_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        data = collection.PointData(**form.cleaned_data)
        roles.require(access.can_manage_collection(request.user, data.unit))
        try:
            collection.collection_point_create(actor=request.user, questionnaire=questionnaire, data=data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Đã tạo đường dẫn thu thập ý kiến."))
            return redirect("surveys:collection", questionnaire.pk)
    return page(
        request,
        "surveys/form_page.html",
        form=form,
        heading=_("Tạo đường dẫn thu thập ý kiến"),
        back=questionnaire,
    )


@require_POST
@login_required
def point_toggle(request: HttpRequest, questionnaire_id: int, point_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    point = access.get_point_for_user(request.user, questionnaire, point_id, manage=True)
    active = request.POST.get("active") == "1"
    collection.collection_point_set_active(actor=request.user, point=point, active=active)
    messages.success(request, _("Đã mở lại đường dẫn.") if active else _("Đã tạm dừng đường dẫn."))
    return redirect("surveys:collection", questionnaire.pk)


def _filename(point: CollectionPoint, extension: str) -> str:
    name = slugify(f"{point.questionnaire.code}-{point.unit.code or point.unit.pk}-{point.counter_label}").strip("-")
    return f"{name or 'khao-sat'}.{extension}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def point_qr(request: HttpRequest, questionnaire_id: int, point_id: int, kind: str) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    point = access.get_point_for_user(request.user, questionnaire, point_id, manage=False)
    url = public_url(request, point)
    if kind == "svg":
        return _download(posters.qr_svg(url), "image/svg+xml", _filename(point, "svg"))
    return _download(posters.qr_png(url), "image/png", _filename(point, "png"))


@require_GET
@login_required
def point_poster(request: HttpRequest, questionnaire_id: int, point_id: int) -> HttpResponse:
    questionnaire = _questionnaire(request, questionnaire_id)
    point = access.get_point_for_user(request.user, questionnaire, point_id, manage=False)
    try:
        content = posters.poster_pdf(point, public_url(request, point))
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("surveys:collection", questionnaire.pk)
    return _download(content, "application/pdf", _filename(point, "pdf"))
