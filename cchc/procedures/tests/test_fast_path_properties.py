"""Properties of the import's short ways, on generated rows: a row read the short way is the row the full parse
gives, the writer stores exactly the rows it is handed, in ``COPY``'s binary format as in its text format, and the
rollup counts it sums while writing new rows are those a recount of the table gives."""

from __future__ import annotations

import datetime
import itertools
import string
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas

from .. import presets
from ..kpis import dossier_keys, rollups_add, rollups_refresh
from ..models import (
    Channel,
    DataImport,
    DataImportKind,
    Dossier,
    DossierMonth,
    DossierStatus,
    DossierUnitMonth,
    Procedure,
)
from ..parsing import RowParser, find_layout, is_total_row
from ..upserts import VALUE_COLUMNS, DossierWriter
from . import samples

PROCEDURES = {"1.001612": 11, "2.000001": 12, "P-3": 13}
UNITS = {"H56.01": 21, "H56-X02": 22}
# The portal record with every column the short way reads, and with some missing (samples.PORTAL_HEADER).
FULL_PORTAL_HEADER: list[Any] = [
    *samples.PORTAL_HEADER[:13],
    "KetQuaSoHoa",
    "CoKetQuaDienTu",
    "NgayXinLoi",
    "SoLanBoSung",
]
BOOK_HEADER = ["Mã hồ sơ", "Mã TTHC", "Tên TTHC", "Mã đơn vị", "Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả"]


def _parser(preset: presets.Preset, header: list[Any]) -> RowParser:
    layout = find_layout(iter([SheetRow(number=1, values=tuple(header))]), preset)
    return RowParser(preset=preset, layout=layout)


# One parser per layout for every example: what its caches remember must never change what a row gives.
PARSERS = [
    _parser(presets.PORTAL_SYNC, FULL_PORTAL_HEADER),
    _parser(presets.PORTAL_SYNC, list(map(str, samples.PORTAL_HEADER))),
    _parser(presets.TRACKING_BOOK, BOOK_HEADER),
]

codes = st.sampled_from(
    ["HS-0001", "HS-0002", "000.00.12.H56-250101-0003", " HS-4", "HS 5", "Hồ-sơ-6", "tong cong", "Cộng", "", "x" * 101]
) | st.text(max_size=12)
procedure_codes = st.sampled_from([*PROCEDURES, " 1.001612", "9.999999", "", "P 3"])
unit_codes = st.sampled_from([*UNITS, "h56.01", "KHONG-CO", "", " H56.01"])
dates = (
    st.sampled_from(
        [
            "20250102083000",
            "20250103170000",
            "20250110",
            "202501090800",
            "20241231235959",
            "20250132083000",
            "20251302000000",
            "19000101000000",
            " 20250104",
            "02/01/2025",
            "3/1/2025 08:30",
            "12/25/2025",
            "2025-01-05",
            "",
            "x",
        ]
    )
    | st.none()
)
statuses = st.sampled_from(["", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", " 2", "đã trả"]) | st.none()
channels = st.sampled_from(["", "1", "2", "3", "4", " 1", "trực tuyến"]) | st.none()
fees = st.sampled_from(["", "0", "20000", "50.000", "20,5", "-5", " 100", "1e5", "abc", "9" * 15, "35000"]) | st.none()
flags = st.sampled_from(["", "0", "1", "x", "X", "có", "yes", "2", " 1"]) | st.none() | st.sampled_from([0, 1])
counts = st.sampled_from(["", "0", "3", "1000", "1001", "-1", " 2", "x", "٣"]) | st.none()


@st.composite
def portal_rows(draw: Any) -> list[Any]:
    """The 17 cells of a full portal row, then cut to a random length (a short line)."""
    cells = [
        draw(codes),
        draw(procedure_codes),
        draw(st.sampled_from(["Đăng ký khai sinh", ""])),
        draw(unit_codes),
        draw(dates),
        draw(dates),
        draw(dates),
        draw(dates),
        draw(statuses),
        draw(channels),
        draw(fees),
        draw(flags),
        draw(flags),
        draw(flags),
        draw(flags),
        draw(dates),
        draw(counts),
    ]
    return cells[: draw(st.integers(min_value=1, max_value=len(cells) + 1))]


@given(cells=portal_rows(), which=st.integers(min_value=0, max_value=len(PARSERS) - 1))
@settings(max_examples=200, deadline=None)
def test_a_row_read_the_short_way_is_the_row_the_full_parse_gives(cells: list[Any], which: int) -> None:
    parser = PARSERS[which]
    row = SheetRow(number=7, values=tuple(cells))
    found = parser.quick_cells(cells, PROCEDURES, UNITS)
    assert parser.quick(row, PROCEDURES, UNITS) == found
    if found is None:
        return  # the full parse reads it, with its messages
    values, errors = parser.parse(row)
    assert errors == []
    assert not is_total_row(row, parser.layout)
    assert values["procedure_code"] in PROCEDURES and values["unit_code"] in UNITS
    expected = (
        values["code"],
        PROCEDURES[values["procedure_code"]],
        UNITS[values["unit_code"]],
        values["received_on"],
        values["due_on"],
        values["finished_on"],
        values["returned_on"],
        str(values["status"]),
        str(values["channel"]),
        values["fee"],
        values["paid_online"],
        values["inputs_digitised"],
        values["results_digitised"],
        values["electronic_result"],
        values["apology_on"],
        values["supplement_requests"],
        values["returned_or_withdrawn"],
    )
    assert found == expected
    assert [type(value) for value in found] == [type(value) for value in expected]


def test_the_short_way_takes_the_plain_rows_of_an_export() -> None:
    """Not a property: the short way must not give up on what a real export holds."""
    parser = PARSERS[0]
    row = ["HS-1", "1.001612", "Đăng ký khai sinh", "H56.01", "20250102083000", "20250110160000", "20250105160000"]
    row += ["20250106160000", "10", "2", "35000", "1", "0", "1", "1", "", "2"]
    for _attempt in range(2):  # the first time fills the caches, the second reads them
        assert parser.quick_cells(row, PROCEDURES, UNITS) == (
            "HS-1",
            11,
            21,
            datetime.date(2025, 1, 2),
            datetime.date(2025, 1, 10),
            datetime.date(2025, 1, 5),
            datetime.date(2025, 1, 6),
            "returned",
            "online",
            Decimal(35000),
            True,
            False,
            True,
            True,
            None,
            2,
            False,
        )


# --- The writer: binary COPY and text COPY store the rows handed to them ----------------------------------------------

_sources = itertools.count()
stored_texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=40
) | st.sampled_from(["a\\b", "tab\there", "line\nend", "cr\rhere", "\\N", "Hồ sơ \\t", string.punctuation])
days = st.dates(min_value=datetime.date(1945, 1, 1), max_value=datetime.date(2100, 12, 31))


@st.composite
def writer_rows(draw: Any, procedure_ids: list[int], unit_ids: list[int]) -> list[tuple[Any, ...]]:
    codes = draw(st.lists(stored_texts, min_size=1, max_size=8, unique=True))
    rows = []
    for code in codes:
        received = draw(days)
        finished = draw(st.none() | st.dates(min_value=received, max_value=datetime.date(2100, 12, 31)))
        rows.append(
            (
                code,
                draw(st.sampled_from(procedure_ids)),
                draw(st.sampled_from(unit_ids)),
                received,
                draw(st.none() | days),
                finished,
                draw(st.none() | days),
                draw(st.sampled_from([status.value for status in DossierStatus])),
                draw(st.sampled_from(["", *(channel.value for channel in Channel)])),
                draw(st.none() | st.integers(min_value=0, max_value=10**14 - 1).map(Decimal)),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.none() | days),
                draw(st.integers(min_value=0, max_value=1000)),
                draw(st.booleans()),
            )
        )
    return rows


def _write(rows: list[tuple[Any, ...]], *, text: bool, source: str) -> list[tuple[Any, ...]]:
    with transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source=source)
        writer = DossierWriter(source=source, log=log)
        if text:
            writer.use_text()
        for row in rows:
            writer.add(row)
        writer.finish()
    assert (writer.created, writer.updated, writer.unchanged) == (len(rows), 0, 0)
    return sorted(Dossier.objects.filter(source=source).values_list("code", *VALUE_COLUMNS))


@pytest.mark.django_db
def test_the_writer_stores_exactly_the_rows_it_is_handed_in_either_copy_format(personas: Personas) -> None:
    samples.make_procedures()
    procedure_ids = list(Procedure.objects.values_list("pk", flat=True))
    unit_ids = list(Unit.objects.values_list("pk", flat=True)[:3])

    @given(rows=writer_rows(procedure_ids, unit_ids))
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(rows: list[tuple[Any, ...]]) -> None:
        number = next(_sources)
        expected = sorted(rows)
        assert _write(rows, text=False, source=f"binary-{number}") == expected
        assert _write(rows, text=True, source=f"text-{number}") == expected

    check()


# --- The rollup counts summed as rows are written -------------------------------------------------------------------


def _rollups() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    by_field = [field.attname for field in DossierMonth._meta.concrete_fields if field.name != "id"]
    totals = [field.attname for field in DossierUnitMonth._meta.concrete_fields if field.name != "id"]
    return (
        sorted(DossierMonth.objects.values_list(*by_field)),
        sorted(DossierUnitMonth.objects.values_list(*totals)),
    )


near_days = st.dates(min_value=datetime.date(2025, 1, 25), max_value=datetime.date(2025, 3, 5))


@st.composite
def counted_rows(draw: Any, procedure_ids: list[int], unit_ids: list[int]) -> list[tuple[Any, ...]]:
    """Rows whose dates fall in a few weeks around month ends, due dates often on the day the dossier was finished,
    fees of zero or more, supplement requests around the limits: the edges of every count."""
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=12))):
        received = draw(near_days)
        finished = draw(st.none() | st.dates(min_value=received, max_value=datetime.date(2025, 3, 5)))
        due = draw(st.none() | near_days | st.just(finished or received))
        rows.append(
            (
                f"HS-{number}",
                draw(st.sampled_from(procedure_ids)),
                draw(st.sampled_from(unit_ids)),
                received,
                due,
                finished,
                None,
                draw(st.sampled_from([status.value for status in DossierStatus])),
                draw(st.sampled_from(["", *(channel.value for channel in Channel)])),
                draw(st.sampled_from([None, Decimal(0), Decimal(15000)])),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.none() | near_days),
                draw(st.integers(min_value=0, max_value=4)),
                draw(st.booleans()),
            )
        )
    return rows


@pytest.mark.django_db
def test_the_counts_summed_while_new_rows_are_written_are_those_a_recount_of_the_table_gives(
    personas: Personas,
) -> None:
    samples.make_procedures()
    Procedure.objects.filter(code=samples.MARRIAGE).update(field="", online_level="full")  # a procedure without a field
    procedure_ids = list(Procedure.objects.values_list("pk", flat=True))
    unit_ids = list(Unit.objects.values_list("pk", flat=True)[:3])

    @given(rows=counted_rows(procedure_ids, unit_ids), limit=st.sampled_from([0, 1, 3]))
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(rows: list[tuple[Any, ...]], limit: int) -> None:
        source = f"sums-{next(_sources)}"
        with override_settings(CCHC_KPI_LATE_AFTER_SUPPLEMENTS=limit), transaction.atomic():
            rollups_refresh()  # current before the import, as the import expects them
            log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source=source)
            writer = DossierWriter(source=source, log=log)
            for row in rows:
                writer.add(row)
            writer.finish()
            assert writer.sums is not None and writer.sums.complete
            rollups_add(writer.sums)
            added = _rollups()
            assert writer.affected == {key for row in rows for key in dossier_keys(row[2], row[3], row[5])}
            rollups_refresh()
            assert _rollups() == added

    check()
