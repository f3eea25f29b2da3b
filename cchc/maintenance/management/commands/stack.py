"""``cchc stack``: the production-like stack on this machine, on loopback, until Ctrl-C (see :mod:`..stack`)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from cchc.maintenance.stack import Stack, StackError

DEFAULT_PORT = 8080


def database_url() -> str:
    """The URL of the configured database (``DATABASE_URL``), which must be PostgreSQL."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        raise CommandError(_("Bộ máy chạy thử cần PostgreSQL: đặt DATABASE_URL=postgres://…"))
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Chạy trên máy này, ở địa chỉ nội bộ, bộ máy như khi triển khai thật: nginx trước hai máy chủ ứng dụng "
            "gunicorn, hai tiến trình xử lý việc nền và lịch việc định kỳ, dùng PostgreSQL (DATABASE_URL) và Redis "
            "(REDIS_URL). Dừng tất cả bằng Ctrl+C."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=_("Cổng của nginx; các máy chủ ứng dụng dùng các cổng kế tiếp."),
        )
        parser.add_argument(
            "--var", default="", metavar="DIR", help=_("Thư mục cấu hình, nhật ký, tệp tĩnh (mặc định: var/stack).")
        )
        parser.add_argument("--app-servers", type=int, default=2, help=_("Số máy chủ ứng dụng."))
        parser.add_argument("--gunicorn-workers", type=int, default=2, help=_("Số tiến trình gunicorn mỗi máy chủ."))
        parser.add_argument("--task-workers", type=int, default=2, help=_("Số tiến trình xử lý việc nền."))
        parser.add_argument("--no-migrate", action="store_true", help=_("Không cập nhật cấu trúc cơ sở dữ liệu."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["app_servers"] < 1 or options["task_workers"] < 0 or options["gunicorn_workers"] < 1:
            raise CommandError(_("Số máy chủ và số tiến trình phải là số dương."))
        if not 1024 <= options["port"] <= 65535 - options["app_servers"]:
            raise CommandError(_("Cổng phải từ 1024 đến 65535."))
        var_dir = Path(options["var"] or Path(settings.VAR_DIR) / "stack")
        redis_url = str(getattr(settings, "REDIS_URL", "") or "")
        stack = Stack(
            var_dir=var_dir,
            port=options["port"],
            database_url=database_url(),
            redis_url=redis_url,
            app_servers=options["app_servers"],
            gunicorn_workers=options["gunicorn_workers"],
            task_workers=options["task_workers"],
            extra_env={
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(var_dir.resolve() / "mail"),
                "PROXY_COUNT": "1",
                "PUBLIC_URL": f"http://127.0.0.1:{options['port']}",
            },
        )
        try:
            self.stdout.write(_("Chuẩn bị: cấu hình nginx, cơ sở dữ liệu, tệp tĩnh…"))
            stack.prepare(migrate=not options["no_migrate"])
            stack.start()
        except StackError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(_("cchc đang chạy tại %(url)s") % {"url": stack.url}))
        for name, part in stack.parts.items():
            self.stdout.write(f"  {name:<9} pid {part.pid:<7} {stack.log_path(name)}")
        if not redis_url:
            self.stdout.write(_("Chưa đặt REDIS_URL: mỗi tiến trình dùng bộ nhớ đệm riêng, phiên lưu trong CSDL."))
        self.stdout.write(_("Thư gửi đi được ghi vào %(path)s. Dừng bằng Ctrl+C.") % {"path": var_dir / "mail"})
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            while True:
                time.sleep(1)
                stopped = [name for name, part in stack.parts.items() if not part.running()]
                for name in stopped:
                    self.stderr.write(_("%(part)s đã dừng; khởi động lại.") % {"part": name})
                    stack.start_part(name)
        except KeyboardInterrupt:
            self.stdout.write(_("Đang dừng…"))
        finally:
            # A second Ctrl-C must not leave parts running: the stop itself ends with SIGKILL when they linger.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stack.stop()
        self.stdout.write(_("Đã dừng tất cả."))
