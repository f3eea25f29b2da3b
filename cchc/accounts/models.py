"""People and their roles.

A user works in one or more units (``organisations.Membership``) and holds
roles; a role may be limited to a unit subtree (``scope``). All access rules
derive from these rows through :mod:`cchc.accounts.roles` and the apps' ``access`` modules.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.lib.text import normalize


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    SECRETARIAT = "secretariat", _("Cơ quan thường trực CCHC")
    LEADER = "leader", _("Lãnh đạo")
    FOCAL_POINT = "focal_point", _("Cán bộ đầu mối CCHC")
    APPRAISER = "appraiser", _("Thành viên tổ thẩm định")
    COUNCIL = "council", _("Thành viên hội đồng thẩm định")
    SUPERVISOR = "supervisor", _("Giám sát")


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        self.full_name = normalize(self.full_name)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    scope = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("phạm vi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text=_("Đơn vị và các đơn vị trực thuộc mà vai trò có hiệu lực; để trống là toàn hệ thống."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "scope"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(scope__isnull=True), name="role_assignment_unique_global"
            ),
        ]

    def __str__(self) -> str:
        scope = self.scope.name if self.scope_id and self.scope else _("toàn hệ thống")
        return f"{self.user}: {self.get_role_display()} ({scope})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal token for the REST API; only its SHA-256 is stored.

    A token works until ``expires_at`` (``API_TOKEN_DAYS`` after creation) and is deleted, with an audit entry,
    when its owner or an administrator revokes it, when the owner's password changes or is reset, and when the
    owner is locked.
    """

    LAST_USED_PRECISION = datetime.timedelta(minutes=1)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def needs_last_used_update(self, now: datetime.datetime) -> bool:
        """Record a use at most once per :attr:`LAST_USED_PRECISION`, so API requests do not all write."""
        return self.last_used_at is None or self.last_used_at <= now - self.LAST_USED_PRECISION

    @staticmethod
    def generate() -> str:
        return "cchc_" + secrets.token_urlsafe(32)
