"""Published results for the demo: real figures from the sources named below, only for provinces present in the tree.

Only provincial totals are published in the sources the product's domain notes cite; no per-dimension, per-area or
per-element figure is loaded, and none is invented. Provinces whose territory changed on 1 July 2025 (Hải Phòng with
Hải Dương, An Giang with Kiên Giang, Đà Nẵng with Quảng Nam …) get no figure: how results of the former provinces
map onto the merged ones is not settled. The figures attach to the units of the national tree (``cchc demo --scale
national``); the one-province demo (Phú Thọ) has no published figure in those notes, so its pages say "no results".

Idempotent: loading twice changes nothing (the import upserts).
"""

from __future__ import annotations

from collections.abc import Sequence

from cchc.lib.spreadsheet import SheetRow

from .external import HEADER, ImportReport, ProvinceLookup, external_results_import, province_units

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
