"""``cchc kpis --period YYYY[-Qn|-MM] [--unit CODE] [--field TEXT] [--own] [--json] [--publish] [--refresh]``.

Prints each unit's dossier figures and QĐ 766 group scores for a period: the given unit and the units directly below
it (with their subtrees), or every top-level unit. ``--publish`` writes the figures into the indicator store (the
import does not: publishing is this command's job, e.g. nightly); ``--refresh`` recounts all monthly rollups first.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.lib.numbers import format_amount, format_count
from cchc.lib.periods import Period
from cchc.organisations.models import Unit
from cchc.procedures.kpis import KPI_KEYS, KPI_LABELS, Kpis, kpi_table, kpis_publish, rollups_refresh


def _shown(value: Any, key: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return format_amount(value, "percent") if key.endswith("_rate") else format_amount(value, "")
    return str(value)


class Command(BaseCommand):
    help = (
        "Số liệu giải quyết hồ sơ TTHC và điểm các nhóm chỉ số QĐ 766 của từng đơn vị (kèm đơn vị cấp dưới) trong "
        "một kỳ: --period 2025, 2025-Q1 hoặc 2025-03."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="Kỳ: YYYY, YYYY-Qn, YYYY-Hn hoặc YYYY-MM.")
        parser.add_argument("--unit", help="Mã đơn vị: đơn vị này và các đơn vị trực thuộc.")
        parser.add_argument("--field", default="", help="Chỉ tính hồ sơ của lĩnh vực thủ tục này.")
        parser.add_argument("--own", action="store_true", help="Chỉ hồ sơ của chính đơn vị, không cộng cấp dưới.")
        parser.add_argument("--json", action="store_true", help="In JSON (một phần tử cho mỗi đơn vị).")
        parser.add_argument("--publish", action="store_true", help="Ghi số liệu vào kho chỉ số.")
        parser.add_argument("--refresh", action="store_true", help="Tính lại toàn bộ số liệu tổng hợp theo tháng.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.from_key(options["period"])
        except ValueError as exc:
            raise CommandError(
                _("Kỳ “%(period)s” không hợp lệ; dùng YYYY, YYYY-Qn, YYYY-Hn hoặc YYYY-MM.")
                % {"period": options["period"]}
            ) from exc
        if options["refresh"]:
            with transaction.atomic():
                rows = rollups_refresh()
            self.stderr.write(_("Đã tính lại %(rows)s dòng số liệu theo tháng.") % {"rows": rows})
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(_("Không có đơn vị mã “%(code)s”.") % {"code": options["unit"]})
            units = [unit, *Unit.objects.filter(parent=unit).order_by("path")]
        else:
            units = list(Unit.objects.filter(parent__isnull=True).order_by("path"))
        if options["publish"]:
            outcome = kpis_publish(actor=None, period=period)
            self.stderr.write(
                _("Đã ghi %(count)s giá trị vào kho chỉ số; %(unchanged)s giá trị không đổi.")
                % {"count": format_count(outcome.written), "unchanged": format_count(outcome.unchanged)}
            )
        table = kpi_table(units, period, field=options["field"], subtree=not options["own"])
        if options["json"]:
            self.stdout.write(json.dumps([kpis.as_dict() for kpis in table], ensure_ascii=False, indent=2))
            return
        for kpis in table:
            self._print(kpis)

    def _print(self, kpis: Kpis) -> None:
        self.stdout.write(f"{kpis.unit.code} – {kpis.unit.name} – {kpis.period.label}")
        for key in KPI_KEYS:
            self.stdout.write(f"  {KPI_LABELS[key]}: {_shown(kpis.value(key), key)}")
        for group in kpis.groups:
            points = _shown(group.points, "")
            self.stdout.write(
                "  "
                + _("Nhóm %(number)s. %(name)s: %(points)s/%(max)s điểm")
                % {"number": group.group, "name": group.name, "points": points, "max": _shown(group.max_points, "")}
            )
        self.stdout.write("  " + _("Tổng điểm: %(points)s") % {"points": _shown(kpis.total_score, "")})
