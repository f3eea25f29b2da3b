"""The change history of important records.

Entries are written only by :func:`cchc.audit.services.record` from inside the
services that change data; nothing in the UI or the API edits or deletes them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Cập nhật")
    DELETE = "delete", _("Xóa")
    MOVE = "move", _("Chuyển đơn vị cấp trên")
    MERGE = "merge", _("Hợp nhất")
    SPLIT = "split", _("Chia tách")
    IMPORT = "import", _("Nhập từ tệp")
    GRANT = "grant", _("Cấp quyền")
    REVOKE = "revoke", _("Thu hồi quyền")
    PASSWORD = "password", _("Đổi mật khẩu")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    action = models.CharField(_("thao tác"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("loại dữ liệu"), max_length=100, db_index=True)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=300)
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị liên quan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Đơn vị mà bản ghi thuộc về, dùng để giới hạn ai được xem."),
    )
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("nội dung thay đổi"), default=dict)
    reason = models.TextField(_("lý do"), blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_display} {self.get_action_display()} {self.object_repr}"

    @property
    def actor_display(self) -> str:
        """The person, or "system" in the reader's language for changes made by commands and imports."""
        return self.actor_label or str(_("Hệ thống"))
