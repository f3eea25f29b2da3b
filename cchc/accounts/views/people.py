"""People (the secretariat within its scope, administrators everywhere): the list, an account's page, creating and
changing accounts, setting a password, and granting and revoking roles (shown and refused on the account's page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.audit import access as audit_access
from cchc.lib.errors import ServiceError
from cchc.lib.ordering import ordered_queryset_page
from cchc.lib.types import Actor
from cchc.organisations import access as organisations_access
from cchc.organisations.picker import unit_scope

from .. import access, roles, selectors, services
from ..forms import (
    PasswordSetForm,
    RoleGrantForm,
    RoleRevokeForm,
    UserCreateForm,
    UserFilterForm,
    UserUpdateForm,
)
from ..models import RoleAssignment, User

USERS_PER_PAGE = 50


def _grant_form(actor: Actor, data: Any = None) -> RoleGrantForm:
    return RoleGrantForm(
        data,
        roles=roles.grantable_roles(actor),
        units=unit_scope(actor, "units.visible", manage=True),
        whole_system=organisations_access.can_manage_unit(actor, None),
        prefix="grant",
    )


@require_GET
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    roles.require(organisations_access.can_manage_units(request.user))
    form = UserFilterForm(request.GET or None, units=unit_scope(request.user, "units.visible", manage=True))
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "query": form.cleaned_data["q"],
            "unit": form.cleaned_data["unit"],
            "role": form.cleaned_data["role"],
        }
    users = selectors.user_rows(access.get_users_for_user(request.user), **filters)
    page = ordered_queryset_page(users, ("full_name", "username"), request.GET.get("page"), USERS_PER_PAGE)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "form": form, "query_string": query_string.urlencode(), "nav_active": "users"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    roles.require(organisations_access.can_manage_units(request.user))
    form = UserCreateForm(request.POST or None, units=unit_scope(request.user, "units.visible", manage=True))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                password=data["password1"] or None,
                unit=data["unit"],
                position=data["position"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            field = "password1" if exc.field == "password" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã tạo tài khoản “%(name)s”.") % {"name": user.username})
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "nav_active": "users", "creating": True})


@require_GET
@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    roles.require(organisations_access.can_manage_units(request.user))
    target = access.get_user_for_user(request.user, user_id)
    return _render_user_detail(request, target, grant_form=_grant_form(request.user))


def _render_user_detail(
    request: HttpRequest,
    target: User,
    *,
    grant_form: RoleGrantForm,
    revoke_form: RoleRevokeForm | None = None,
    revoke_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    context = selectors.user_context(target)
    can_change = access.can_change_user(request.user, target)
    for assignment in context["assignments"]:
        may_grant = roles.can_grant_role(request.user, assignment.role, assignment.scope)
        assignment.can_revoke = can_change and may_grant
    history = []
    if audit_access.can_view_audit(request.user):
        history = list(audit_access.get_history_for_user(request.user, target)[:20])
    context.update(
        {
            "target": target,
            "can_change": can_change,
            "grant_form": grant_form,
            "revoke_form": revoke_form or RoleRevokeForm(),
            "revoke_id": revoke_id,
            "history": history,
            "token_count": selectors.api_tokens_of(target).count(),
            "nav_active": "users",
        }
    )
    return render(request, "accounts/user_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = access.get_user_for_user(request.user, user_id, manage=True)
    initial = {
        "full_name": target.full_name,
        "email": target.email,
        "phone": target.phone,
        "is_active": target.is_active,
    }
    form = UserUpdateForm(request.POST or None, initial=initial, actor=request.user, target=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_update(
            actor=request.user,
            user=target,
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            is_active=data["is_active"],
            reason=data["reason"],
        )
        messages.success(request, _("Đã lưu thông tin người dùng."))
        return redirect("accounts:user_detail", user_id=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target, "nav_active": "users"})


@require_http_methods(["GET", "POST"])
@login_required
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    target = access.get_user_for_user(request.user, user_id, manage=True)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=target,
                password=form.cleaned_data["password1"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_error("password1", exc.message)
        else:
            messages.success(request, _("Đã đặt mật khẩu mới cho “%(name)s”.") % {"name": target.username})
            return redirect("accounts:user_detail", user_id=target.pk)
    return render(request, "accounts/user_password.html", {"form": form, "target": target, "nav_active": "users"})


@require_POST
@login_required
def role_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    target = access.get_user_for_user(request.user, user_id, manage=True)
    form = _grant_form(request.user, request.POST)
    if form.is_valid():
        try:
            services.role_grant(
                actor=request.user,
                user=target,
                role=form.cleaned_data["role"],
                scope=form.cleaned_data["scope"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã cấp vai trò."))
            return redirect("accounts:user_detail", user_id=target.pk)
    return _render_user_detail(request, target, grant_form=form, status=400)


@require_POST
@login_required
def role_revoke(request: HttpRequest, user_id: int, assignment_id: int) -> HttpResponse:
    target = access.get_user_for_user(request.user, user_id, manage=True)
    assignments = RoleAssignment.objects.select_related("scope", "user")
    assignment = get_object_or_404(assignments, pk=assignment_id, user=target)
    form = RoleRevokeForm(request.POST)
    if form.is_valid():
        try:
            services.role_revoke(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã thu hồi vai trò."))
        return redirect("accounts:user_detail", user_id=target.pk)
    return _render_user_detail(
        request, target, grant_form=_grant_form(request.user), revoke_form=form, revoke_id=assignment.pk, status=400
    )
