"""Personal API tokens: one's own on the profile page, and other people's for administrators and the secretariat.

Revoking asks for confirmation on a page of its own (a GET shows it, a POST revokes), so it works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, selectors, services
from ..forms import TokenForm, TokenRevokeForm
from ..models import ApiToken, User


def _expiry_text(token: ApiToken) -> str:
    return formats.date_format(timezone.localtime(token.expires_at), "d/m/Y H:i")


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tên mã truy cập không hợp lệ."))
        return redirect("accounts:profile")
    token, raw = services.api_token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
    messages.success(
        request,
        _("Mã truy cập mới (chỉ hiển thị một lần, hãy lưu lại): %(key)s — hết hạn lúc %(expires)s.")
        % {"key": raw, "expires": _expiry_text(token)},
    )
    return redirect("accounts:profile")


def _revoke_page(
    request: HttpRequest, *, owner: User, token: ApiToken, form: TokenRevokeForm, cancel_url: str, own: bool
) -> HttpResponse:
    return render(
        request,
        "accounts/token_revoke.html",
        {
            "owner": owner,
            "token": token,
            "form": form,
            "cancel_url": cancel_url,
            "own": own,
            "nav_active": "" if own else "users",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of one's own tokens (confirmation page on GET)."""
    owner: User = request.user  # type: ignore[assignment]
    token = access.get_api_token_for_user(owner, token_id)
    form = TokenRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.api_token_revoke(actor=owner, token=token, reason=form.cleaned_data["reason"])
        messages.success(request, _("Đã thu hồi mã truy cập."))
        return redirect("accounts:profile")
    return _revoke_page(request, owner=owner, token=token, form=form, cancel_url=reverse("accounts:profile"), own=True)


@require_GET
@login_required
def user_tokens(request: HttpRequest, user_id: int) -> HttpResponse:
    """The API tokens of a person in the viewer's scope, with links to revoke them where the viewer may."""
    target = access.get_token_owner_for_user(request.user, user_id)
    return render(
        request,
        "accounts/user_tokens.html",
        {
            "target": target,
            "tokens": selectors.api_tokens_of(target),
            "can_revoke": access.can_change_user(request.user, target),
            "nav_active": "users",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def user_token_revoke(request: HttpRequest, user_id: int, token_id: int) -> HttpResponse:
    target = access.get_token_owner_for_user(request.user, user_id, manage=True)
    token = access.get_api_token_for_user(target, token_id)
    form = TokenRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.api_token_revoke(actor=request.user, token=token, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("Đã thu hồi mã truy cập “%(name)s” của %(person)s.") % {"name": token.name, "person": target}
        )
        return redirect("accounts:user_tokens", user_id=target.pk)
    cancel_url = reverse("accounts:user_tokens", args=[target.pk])
    return _revoke_page(request, owner=target, token=token, form=form, cancel_url=cancel_url, own=False)
