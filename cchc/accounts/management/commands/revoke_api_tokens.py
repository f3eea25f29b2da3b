"""``cchc revoke_api_tokens <username>``: revoke every API token of a person from the server's shell.

For the paths that change a password outside the product's pages (Django's ``changepassword`` command), which do
not revoke tokens themselves.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.accounts.services import api_tokens_revoke_all


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Thu hồi mọi mã truy cập API của một người dùng (ghi nhật ký thay đổi). Dùng sau khi đổi mật khẩu bằng "
            "lệnh changepassword hoặc khi nghi mã bị lộ."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("Tên đăng nhập."))
        parser.add_argument("--reason", default="", help=_("Lý do, ghi vào nhật ký thay đổi."))

    def handle(self, *args: Any, username: str, reason: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Không có người dùng “%(name)s”.") % {"name": username})
        count = api_tokens_revoke_all(actor=None, user=user, reason=reason or _("Thu hồi từ dòng lệnh"))
        self.stdout.write(_("Đã thu hồi %(count)d mã truy cập của “%(name)s”.") % {"count": count, "name": username})
