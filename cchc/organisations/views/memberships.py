"""People in a unit: adding a person, changing their position or dates, removing them.

Only the units :func:`access.get_unit_for_user` returns with ``manage=True``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.picker import person_scope
from cchc.lib.errors import ServiceError
from cchc.organisations import access

from .. import selectors, services
from ..forms import MembershipAddForm, MembershipForm, MembershipRemoveForm, show_service_error
from ..models import Unit
from ..picker import Scope
from .common import GET_POST, form_page


def membership_users(request: HttpRequest, unit: Unit) -> Scope:
    """The people the user may add to ``unit`` (the unit's page offers the same form)."""
    return person_scope(request.user, "people.joinable", unit=unit.pk)


@require_POST
@login_required
def membership_add(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    form = MembershipAddForm(request.POST, users=membership_users(request, unit))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_set(
                actor=request.user,
                user=data["user"],
                unit=unit,
                position=data["position"],
                is_head=data["is_head"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm người dùng vào đơn vị."))
            return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/membership_form.html", unit, form=form, mode="add")


@GET_POST
@login_required
def membership_edit(request: HttpRequest, unit_id: int, membership_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    membership = selectors.membership_of(unit, membership_id)
    form = MembershipForm(
        request.POST or None,
        initial={field: getattr(membership, field) for field in ("position", "is_head", "valid_from", "valid_to")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_set(
                actor=request.user,
                user=membership.user,
                unit=unit,
                position=data["position"],
                is_head=data["is_head"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin công tác."))
            return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/membership_form.html", unit, form=form, mode="edit", membership=membership)


@GET_POST
@login_required
def membership_remove(request: HttpRequest, unit_id: int, membership_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    membership = selectors.membership_of(unit, membership_id)
    form = MembershipRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.membership_delete(actor=request.user, membership=membership, reason=form.cleaned_data["reason"])
        messages.success(request, _("Đã bỏ người dùng khỏi đơn vị."))
        return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/membership_remove.html", unit, form=form, membership=membership)
