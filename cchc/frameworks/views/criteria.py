"""Criteria of a framework: adding, editing and deleting them (with what lies below), on frameworks the user
manages and that no round has locked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cchc.frameworks import access
from cchc.lib.errors import ServiceError
from cchc.organisations.picker import unit_scope

from .. import selectors, services
from ..forms import CriterionDeleteForm, CriterionForm, show_service_error
from ..models import Criterion, Framework
from .common import GET_POST, page, posted


@GET_POST
@login_required
def criterion_create(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    parent: Criterion | None = None
    if request.GET.get("parent"):
        parent = selectors.criterion_of(framework, request.GET["parent"])
    initial: dict[str, Any] = {}
    if parent is not None:
        count = parent.children.count()
        initial = {"code": f"{parent.code}.{count + 1}", "category": parent.category, "lead_unit": parent.lead_unit_id}
    else:
        initial = {"code": str(framework.criteria.filter(parent__isnull=True).count() + 1)}
    form = CriterionForm(
        posted(request),
        lead_units=unit_scope(request.user, "frameworks.lead_units", framework=framework.pk),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            criterion = services.criterion_create(
                actor=request.user,
                framework=framework,
                parent=parent,
                data=form.criterion_data(),
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm tiêu chí %(code)s.") % {"code": criterion.code})
            return redirect(f"{_detail_url(framework)}#c{criterion.pk}")
    return page(request, "frameworks/criterion_form.html", form=form, framework=framework, parent=parent)


def _detail_url(framework: Framework) -> str:
    return reverse("frameworks:framework_detail", args=[framework.pk])


@GET_POST
@login_required
def criterion_edit(request: HttpRequest, framework_id: int, criterion_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    criterion = selectors.criterion_of(framework, criterion_id)
    is_leaf = not criterion.children.exists()
    form = CriterionForm(
        posted(request),
        lead_units=unit_scope(request.user, "frameworks.lead_units", framework=framework.pk),
        is_leaf=is_leaf,
        initial=CriterionForm.initial_for(criterion),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(
                actor=request.user, criterion=criterion, data=form.criterion_data(), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu tiêu chí %(code)s.") % {"code": criterion.code})
            return redirect(f"{_detail_url(framework)}#c{criterion.pk}")
    return page(
        request, "frameworks/criterion_form.html", form=form, framework=framework, criterion=criterion, parent=None
    )


@GET_POST
@login_required
def criterion_delete(request: HttpRequest, framework_id: int, criterion_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    criterion = selectors.criterion_of(framework, criterion_id)
    form = CriterionDeleteForm(posted(request))
    below = len(services.subtree_ids(criterion)) - 1
    if request.method == "POST" and form.is_valid():
        try:
            count = services.criterion_delete(
                actor=request.user, criterion=criterion, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã xóa %(count)s tiêu chí.") % {"count": count})
            return redirect("frameworks:framework_detail", framework.pk)
    return page(
        request, "frameworks/criterion_delete.html", form=form, framework=framework, criterion=criterion, below=below
    )
