"""``cchc extract_tasks FILE [--json] [--unit CODE]``: propose the tasks of a directive document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cchc.directives.extraction_registry import extract_document
from cchc.extraction import to_json_dict
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit

_RECURRENCE_LABELS = {
    "monthly": gettext_noop("hằng tháng"),
    "quarterly": gettext_noop("hằng quý"),
    "half_yearly": gettext_noop("6 tháng/lần"),
    "yearly": gettext_noop("hằng năm"),
    "continuous": gettext_noop("thường xuyên"),
}


class Command(BaseCommand):
    help = "Đọc một văn bản chỉ đạo (DOCX, PDF, văn bản thuần, ảnh chụp) và in các nhiệm vụ đề xuất."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp văn bản chỉ đạo")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--unit", default="", help="mã đơn vị ban hành (để đối chiếu tên đơn vị)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        issuing_unit = None
        if options["unit"]:
            issuing_unit = Unit.objects.filter(code=options["unit"]).first()
            if issuing_unit is None:
                raise CommandError(_("Không có đơn vị mã %(code)s.") % {"code": options["unit"]})
        try:
            extraction = extract_document(path.read_bytes(), path.name, issuing_unit=issuing_unit)
        except ServiceError as error:
            raise CommandError(error.message) from error
        data = to_json_dict(extraction)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._table(data)

    def _table(self, data: dict[str, Any]) -> None:
        write = self.stdout.write
        write(_("Số, ký hiệu: %(value)s") % {"value": data["reference"] or "—"})
        write(_("Ngày ban hành: %(value)s") % {"value": _date(data["date"])})
        write(_("Cơ quan ban hành: %(value)s") % {"value": data["issuer"] or "—"})
        write(_("Người ký: %(value)s") % {"value": data["signer"] or "—"})
        write(_("Trích yếu: %(value)s") % {"value": data["subject"] or "—"})
        if data["addressees"]:
            write(_("Kính gửi: %(value)s") % {"value": "; ".join(data["addressees"])})
        write("")
        tasks = data["tasks"]
        write(_("%(count)s nhiệm vụ đề xuất:") % {"count": len(tasks)})
        for number, task in enumerate(tasks, start=1):
            deadline = _date(task["deadline"]) if task["deadline"] else ""
            rhythm = _(_RECURRENCE_LABELS[task["recurrence"]]) if task["recurrence"] in _RECURRENCE_LABELS else ""
            when = ", ".join(part for part in (deadline, rhythm) if part) or "—"
            write(f"{number:>3}. [{task['section'] or '—'}] {task['lead_unit'] or _('(chưa rõ đơn vị chủ trì)')}")
            if task["supporting_units"]:
                write("     " + _("Phối hợp: %(units)s") % {"units": "; ".join(task["supporting_units"])})
            write(
                "     "
                + _("Thời hạn: %(when)s") % {"when": when}
                + (f" (“{task['deadline_text']}”)" if task["deadline_text"] else "")
            )
            write("     " + _shorten(task["content"]))
        for warning in data["warnings"]:
            write(_("Lưu ý: %(warning)s") % {"warning": warning})


def _date(value: str | None) -> str:
    if not value:
        return "—"
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"


def _shorten(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
