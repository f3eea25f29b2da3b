"""Published results for the demo: real figures from the sources named below, only for provinces present in the tree.

Only provincial totals are published in the sources the product's domain notes cite; no per-dimension, per-area or
per-element figure is loaded, and none is invented. Provinces whose territory changed on 1 July 2025 (Hải Phòng with
Hải Dương, An Giang with Kiên Giang, Đà Nẵng with Quảng Nam …) get no figure: how results of the former provinces
map onto the merged ones is not settled. The figures attach to the units of the national tree (``cchc demo --scale
national``); the one-province demo (Phú Thọ) has no published figure in those notes.

Since no sourced figure exists for the one-province demo's province, it gets **illustrative** totals instead
(:data:`ILLUSTRATIVE`, loaded by :func:`load_illustrative_demo`): invented figures whose source says so
(:data:`external.ILLUSTRATIVE_SOURCE`), which every page that shows them marks "Số liệu minh hoạ". They are never loaded
into the national tree, and a real figure already there is never replaced.

The one-province demo also gets the units answerable for each PAPI dimension, PAR INDEX area and SIPAS element
(:data:`RESPONSIBLE`): an illustrative assignment by the departments' usual remits, not taken from a decision of the
province. The national tree gets none, and neither demo creates an account here.

Idempotent: loading twice changes nothing (the import upserts; the assignments are set to the same units).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from cchc.lib.periods import Period, PeriodKind
from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import Unit, UnitKind

from .external import (
    HEADER,
    ILLUSTRATIVE_SOURCE,
    ITEMS,
    ImportReport,
    ProvinceLookup,
    ResponsibilityChange,
    ensure_indicators,
    external_results_import,
    province_units,
    responsibility_set,
)
from .models import IndicatorValue, ValueOrigin
from .services import value_publish

# (province, year, code, value, source)
PUBLISHED: tuple[tuple[str, int, str, str, str], ...] = (
    ("Quảng Ninh", 2022, "par.total", "90.10", "https://english.baoquangninh.vn/quang-ninh-tops-public-administration-indexes-for-fourth-consecutive-year-3236534.html"),
    ("Quảng Ninh", 2023, "par.total", "92.18", "https://en.baochinhphu.vn/moj-quang-ninh-province-lead-public-administrative-reform-index-111240417164329841.htm"),
    ("Hà Nội", 2023, "par.total", "91.43", "https://en.baochinhphu.vn/moj-quang-ninh-province-lead-public-administrative-reform-index-111240417164329841.htm"),
    ("Quảng Ninh", 2022, "sipas.total", "87.59", "https://english.baoquangninh.vn/quang-ninh-tops-public-administration-indexes-for-fourth-consecutive-year-3236534.html"),
    ("Quảng Ninh", 2020, "papi.total", "48.881", "https://www.talkvietnam.org/2021/04/quang-ninh-provine-tops-public-administration-performance-index/"),
    ("Huế", 2023, "papi.total", "46.04", "https://m.hanoitimes.vn/thua-thien-hue-province-tops-nationwide-in-public-administration-2023-papi-report-326500.html"),
)  # fmt: skip


def load_external_demo() -> ImportReport | None:
    """Import :data:`PUBLISHED` for the provinces present (none: nothing to do)."""
    lookup = ProvinceLookup(province_units())
    present = [row for row in PUBLISHED if lookup.find(row[0]) is not None]
    if not present:
        return None
    lines: list[Sequence[object]] = [HEADER, *[list(row) for row in present]]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(lines, 1)]
    return external_results_import(actor=None, rows=rows)


# item code → (lead department codes, supporting department codes), the codes after the province's ("PT-SNV").
RESPONSIBLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "papi.total": (("SNV",), ("VP",)),
    "papi.d1": (("SNV",), ()),
    "papi.d2": (("STC",), ("SNNMT",)),
    "papi.d3": (("TTR",), ("SNV",)),
    "papi.d4": (("TTR",), ()),
    "papi.d5": (("SNV", "VP"), ("TTPVHCC",)),
    "papi.d6": (("SYT", "SGDDT"), ("SXD",)),
    "papi.d7": (("SNNMT",), ()),
    "papi.d8": (("SKHCN",), ("VP",)),
    "par.total": (("SNV",), ()),
    "par.a1": (("SNV",), ("VP",)),
    "par.a2": (("STP",), ()),
    "par.a3": (("VP",), ("TTPVHCC",)),
    "par.a4": (("SNV",), ()),
    "par.a5": (("SNV",), ()),
    "par.a6": (("STC",), ()),
    "par.a7": (("SKHCN",), ("VP",)),
    "par.a8": (("SNV",), ()),
    "sipas.total": (("SNV",), ()),
    "sipas.e1": (("TTPVHCC",), ()),
    "sipas.e2": (("VP",), ()),
    "sipas.e3": (("SNV",), ()),
    "sipas.e4": (("TTPVHCC",), ("VP",)),
    "sipas.e5": (("VP",), ()),
}


def load_responsible_demo(province_code: str) -> ResponsibilityChange | None:
    """Name the units of :data:`RESPONSIBLE` for the demo province ``province_code`` (its departments' codes start
    with it); nothing when the province is absent. Departments missing from the tree are skipped."""
    province = Unit.objects.filter(code=province_code, kind=UnitKind.PROVINCE).first()
    if province is None:
        return None
    wanted = {code for lead, supporting in RESPONSIBLE.values() for code in (*lead, *supporting)}
    units = {
        unit.code.removeprefix(f"{province_code}-"): unit
        for unit in Unit.objects.filter(code__in=[f"{province_code}-{code}" for code in wanted], parent=province)
    }
    total = ResponsibilityChange()
    for item_code, (lead, supporting) in RESPONSIBLE.items():
        change = responsibility_set(
            actor=None,
            province=province,
            item_code=item_code,
            lead_units=[units[code] for code in lead if code in units],
            supporting_units=[units[code] for code in supporting if code in units],
        )
        total.added += change.added
        total.removed += change.removed
        total.changed += change.changed
    return total


# Invented totals of the demo province, oldest year first (the last is the latest year published), so that the
# leader's tiles and trends have something to show. NOT published results: stored with ILLUSTRATIVE_SOURCE.
ILLUSTRATIVE: dict[str, tuple[str, ...]] = {
    "par.total": ("85.12", "86.47", "87.90", "88.63"),
    "sipas.total": ("80.35", "82.10", "83.46", "84.02"),
    "papi.total": ("42.18", "42.96", "43.51", "44.27"),
}


def latest_published_year(today: datetime.date) -> int:
    """The latest year whose PAR INDEX, SIPAS and PAPI are out by ``today``: they appear in the first half of the
    next year, so last year's from June on."""
    return today.year - 1 if today.month >= 6 else today.year - 2


def load_illustrative_demo(province_code: str, today: datetime.date | None = None) -> int:
    """Store :data:`ILLUSTRATIVE` for the demo province ``province_code``, over the four years up to the latest year
    published by ``today``; returns how many figures were stored. A year that already has a figure (published or
    illustrative) is left alone, so an imported result always wins and loading twice changes nothing."""
    province = Unit.objects.filter(code=province_code, kind=UnitKind.PROVINCE).first()
    if province is None:
        return 0
    last = latest_published_year(today or timezone.localdate())
    indicators = ensure_indicators(ITEMS[code] for code in ILLUSTRATIVE)
    stored = 0
    for code, figures in ILLUSTRATIVE.items():
        indicator = indicators[code]
        present = set(
            IndicatorValue.objects.filter(indicator=indicator, unit=province).values_list("period_key", flat=True)
        )
        for year, figure in enumerate(figures, start=last - len(figures) + 1):
            period = Period(year, PeriodKind.YEAR)
            if period.key in present:
                continue
            value_publish(
                actor=None,
                indicator=indicator,
                unit=province,
                period=period,
                value=Decimal(figure),
                note=ILLUSTRATIVE_SOURCE,
                origin=ValueOrigin.IMPORTED,
            )
            stored += 1
    return stored
