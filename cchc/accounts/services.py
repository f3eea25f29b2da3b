"""Writes on people, roles and API tokens; each is atomic and audited."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.prepared import PreparedRead
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit
from cchc.organisations.services import membership_set

from . import roles
from .models import ApiToken, Role, RoleAssignment, User, hash_token

USER_AUDIT_FIELDS = ("username", "full_name", "email", "phone", "is_active")


def _primary_unit_of(user: User) -> Unit | None:
    membership = user.memberships.select_related("unit").order_by("id").first()  # type: ignore[attr-defined]
    return membership.unit if membership else None


@transaction.atomic
def user_create(
    *,
    actor: ActorOrSystem,
    username: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    password: str | None,
    unit: Unit,
    position: str = "",
    reason: str = "",
) -> User:
    username = normalize(username).lower()
    if not username:
        raise ServiceError(_("Tên đăng nhập không được để trống."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("Tên đăng nhập “%(name)s” đã tồn tại.") % {"name": username}, field="username")
    user = User(username=username, full_name=normalize(full_name), email=normalize(email), phone=normalize(phone))
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=user,
        changes=diff({}, snapshot(user, USER_AUDIT_FIELDS)),
        reason=reason,
        unit=unit,
    )
    membership_set(actor=actor, user=user, unit=unit, position=position, reason=reason)
    return user


@transaction.atomic
def user_update(
    *,
    actor: ActorOrSystem,
    user: User,
    full_name: str,
    email: str = "",
    phone: str = "",
    is_active: bool = True,
    reason: str = "",
) -> User:
    before = snapshot(user, USER_AUDIT_FIELDS)
    user.full_name = normalize(full_name)
    user.email = normalize(email)
    user.phone = normalize(phone)
    user.is_active = is_active
    user.save()
    changes = diff(before, snapshot(user, USER_AUDIT_FIELDS))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=user,
            changes=changes,
            reason=reason,
            unit=_primary_unit_of(user),
        )
    if before["is_active"] and not user.is_active:
        api_tokens_revoke_all(actor=actor, user=user, reason=_("Khóa tài khoản"))
    return user


@transaction.atomic
def role_grant(*, actor: ActorOrSystem, user: User, role: str, scope: Unit | None, reason: str = "") -> RoleAssignment:
    if role not in Role.values:
        raise ServiceError(_("Vai trò không hợp lệ."), field="role")
    if actor is not None and not roles.can_grant_role(actor, role, scope):
        raise ServiceError(_("Bạn không có quyền cấp vai trò này trong phạm vi đã chọn."), code="forbidden")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, scope=scope)
    if created:
        record(
            actor=actor,
            action=AuditAction.GRANT,
            instance=assignment,
            changes={"role": [None, role], "scope": [None, str(scope) if scope else None]},
            reason=reason,
            unit=scope or _primary_unit_of(user),
        )
    roles.clear_cache(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: ActorOrSystem, assignment: RoleAssignment, reason: str = "") -> None:
    if actor is not None and not roles.can_grant_role(actor, assignment.role, assignment.scope):
        raise ServiceError(_("Bạn không có quyền thu hồi vai trò này."), code="forbidden")
    if (
        assignment.role == Role.ADMIN
        and RoleAssignment.objects.filter(role=Role.ADMIN, user__is_active=True).exclude(pk=assignment.pk).count() == 0
    ):
        raise ServiceError(_("Không thể thu hồi quyền quản trị của người quản trị cuối cùng."))
    record(
        actor=actor,
        action=AuditAction.REVOKE,
        instance=assignment,
        changes={"role": [assignment.role, None], "scope": [str(assignment.scope) if assignment.scope else None, None]},
        reason=reason,
        unit=assignment.scope or _primary_unit_of(assignment.user),
    )
    roles.clear_cache(assignment.user)
    assignment.delete()


@transaction.atomic
def password_changed(*, actor: ActorOrSystem, user: User) -> None:
    """Record that a password was changed (never the password itself) and revoke the person's API tokens."""
    record(actor=actor, action=AuditAction.PASSWORD, instance=user, changes={}, unit=_primary_unit_of(user))
    api_tokens_revoke_all(actor=actor, user=user, reason=_("Đổi mật khẩu"))


@transaction.atomic
def user_set_password(*, actor: ActorOrSystem, user: User, password: str, reason: str = "") -> None:
    """Give ``user`` a new password chosen by an administrator or the secretariat, and revoke their API tokens.

    The audit entry says that the password changed, never what it is.
    """
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        actor=actor,
        action=AuditAction.PASSWORD,
        instance=user,
        changes={},
        reason=reason,
        unit=_primary_unit_of(user),
    )
    api_tokens_revoke_all(actor=actor, user=user, reason=_("Đặt mật khẩu mới"))


# ---------------------------------------------------------------------------
# Personal API tokens


class ApiTokenRefused(Exception):
    """A token that exists but may no longer be used; ``message`` tells its owner why (HTTP 401)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def api_token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def api_token_create(*, actor: ActorOrSystem, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token valid for ``API_TOKEN_DAYS``; the raw key is returned once and never stored."""
    name = normalize(name) or _("Mã truy cập")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[5:13],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + api_token_lifetime(),
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=token,
        changes={"name": [None, token.name], "expires_at": [None, token.expires_at]},
        unit=_primary_unit_of(user),
    )
    return token, raw


def _revoke(*, actor: ActorOrSystem, token: ApiToken, reason: str, unit: Unit | None) -> None:
    record(
        actor=actor,
        action=AuditAction.REVOKE,
        instance=token,
        changes={"name": [token.name, None]},
        reason=reason,
        unit=unit,
    )
    token.delete()


@transaction.atomic
def api_token_revoke(*, actor: ActorOrSystem, token: ApiToken, reason: str = "") -> None:
    """Revoke one token. Callers check that ``actor`` may (see ``cchc.accounts.access.get_api_token_for_user``)."""
    _revoke(actor=actor, token=token, reason=normalize(reason), unit=_primary_unit_of(token.user))


@transaction.atomic
def api_tokens_revoke_all(*, actor: ActorOrSystem, user: User, reason: str = "") -> int:
    """Revoke every token of ``user``, one audit entry each; the number revoked."""
    tokens = list(ApiToken.objects.select_for_update().filter(user=user).order_by("pk"))
    unit = _primary_unit_of(user) if tokens else None
    for token in tokens:
        _revoke(actor=actor, token=token, reason=reason, unit=unit)
    return len(tokens)


# The token with its user, by the hash of the key: on every API request, its statement built once per process.
_TOKEN_BY_HASH = PreparedRead(
    ApiToken, lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash), key_is_text=True
)


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning ``raw``, or ``None`` for an unknown key.

    Raises :class:`ApiTokenRefused` for an expired token. Marks the token as used at most once a minute, with an
    UPDATE conditional on the stored time so concurrent requests never write more than once either.
    """
    if not raw:
        return None
    token = _TOKEN_BY_HASH.one(hash_token(raw))
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at <= now:
        raise ApiTokenRefused(
            _("Mã truy cập đã hết hạn lúc %(time)s. Hãy tạo mã mới trên trang tài khoản.")
            % {"time": formats.date_format(timezone.localtime(token.expires_at), "d/m/Y H:i")}
        )
    if token.needs_last_used_update(now):
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - ApiToken.LAST_USED_PRECISION)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return roles.share_across_requests(token.user)  # type: ignore[no-any-return]
