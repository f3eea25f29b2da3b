from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import permissions, services
from .forms import LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(actor=self.request.user, user=form.user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "assignments": permissions._assignments(user),
            "memberships": user.memberships.select_related("unit"),  # type: ignore[union-attr]
            "tokens": user.api_tokens.all(),  # type: ignore[union-attr]
            "token_form": TokenForm(),
        },
    )


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tên mã truy cập không hợp lệ."))
        return redirect("accounts:profile")
    _token, raw = services.api_token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
    messages.success(request, _("Mã truy cập mới (chỉ hiển thị một lần, hãy lưu lại): %(key)s") % {"key": raw})
    return redirect("accounts:profile")


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = request.user.api_tokens.filter(pk=token_id).first()  # type: ignore[union-attr]
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("accounts:profile")


@require_GET
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_units(request.user))
    users = permissions.get_users_for_user(request.user).order_by("username")
    return render(request, "accounts/user_list.html", {"users": users, "nav_active": "users"})


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Shown by django-axes instead of the login page while an account or address is throttled."""
    from django.conf import settings

    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
