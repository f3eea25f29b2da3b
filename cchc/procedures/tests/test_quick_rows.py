"""The short way plain rows take through the dossier import, and the statistics refreshed after a large import."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas

from .. import presets
from ..models import Dossier, DossierMonth, DossierUnitMonth, Procedure
from ..parsing import RowParser, find_layout
from ..reader import iter_csv_rows
from ..services import ImportReport, dossiers_analyze_after
from ..upserts import row_of
from . import samples

pytestmark = pytest.mark.django_db


def _portal_csv(unit: Unit, extra: list[list[object]]) -> bytes:
    return samples.csv_text([*samples.portal_rows(unit), *extra]).encode()


def _rows_both_ways(data: bytes) -> list[tuple[Any, Any]]:
    """For each data row: (the quick row or None, the row the full parse gives or its errors)."""
    procedures = dict(Procedure.objects.values_list("code", "pk"))
    units = dict(Unit.objects.exclude(code="").values_list("code", "pk"))
    stream = iter(iter_csv_rows(io.BytesIO(data)))
    preset = presets.PORTAL_SYNC
    parser = RowParser(preset=preset, layout=find_layout(stream, preset))
    pairs: list[tuple[Any, Any]] = []
    for row in stream:
        quick = parser.quick(row, procedures, units)
        values, errors = parser.parse(row)
        if not errors and values["procedure_code"] in procedures and values["unit_code"] in units:
            values["procedure"] = Procedure.objects.get(code=values["procedure_code"])
            values["unit"] = Unit.objects.get(code=values["unit_code"])
            pairs.append((quick, row_of(values)))
        else:
            pairs.append((quick, errors or "unknown code"))
    return pairs


def test_a_plain_row_read_the_short_way_is_the_row_the_full_parse_gives(personas: Personas) -> None:
    samples.make_procedures()
    unit = personas.unit_b
    birth = samples.BIRTH
    extra: list[list[object]] = [
        # no status: finished; flags as x; a fee with thousands; supplements; withdrawn with its flag empty
        ["HS-A", birth, "", unit.code, "20250102", "20250110", "20250105", "", "", "", "20000", "x", "", "1"],
        ["HS-B", birth, "", unit.code, "20250102083000", "", "", "", "7", "2", "", "", "", ""],
        ["HS-C", birth, "", unit.code, "20250102083000", "20250103170000", "", "", "3", "1", "0", "1", "1", "0"],
    ]
    pairs = _rows_both_ways(_portal_csv(unit, extra))
    assert len(pairs) == 6
    for quick, full in pairs:
        assert quick == full
    # the withdrawn dossier counts as returned or withdrawn, the one without status as finished
    assert pairs[4][0][7] == "withdrawn" and pairs[4][0][16] is True
    assert pairs[3][0][7] == "finished"


def test_rows_with_anything_unusual_take_the_full_parse_and_its_messages(personas: Personas) -> None:
    samples.make_procedures()
    unit = personas.unit_b
    birth = samples.BIRTH
    rows: list[list[object]] = [
        ["HS-1", birth, "", unit.code, "20250132083000", "", "", "", "", "", "", "", "", ""],  # no 32 January
        ["HS-2", birth, "", unit.code, "20250110", "20250105", "", "", "", "", "", "", "", ""],  # due before received
        ["HS-3", "9.999999", "", unit.code, "20250110", "", "", "", "", "", "", "", "", ""],  # unknown procedure
        ["HS-4", birth, "", "KHONG-CO", "20250110", "", "", "", "", "", "", "", "", ""],  # unknown unit
        ["HS-5", birth, "", unit.code, "20250110", "", "", "", "11", "", "", "", "", ""],  # unknown status
        ["HS-6", birth, "", unit.code, "20250110", "", "", "", "", "", "50.000 đ", "", "", ""],  # amount in words
        ["HS-7", birth, "", unit.code, "20250110", "", "", "", "", "", "", "có", "", ""],  # a flag in words
        ["Tong cong", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # a total row
        [" HS-9", birth, "", unit.code, "20250110", "", "", "", "", "", "", "", "", ""],  # a space to trim
    ]
    pairs = _rows_both_ways(_portal_csv(unit, rows))[3:]
    assert [quick for quick, _full in pairs] == [None] * len(rows)
    assert [isinstance(full, list) for _quick, full in pairs[:2]] == [True, True]  # messages from the full parse


def _statistics_known() -> Any:
    """PostgreSQL: the last (vacuum, analyze) times of the three tables (of a table partitioned by year, which has no
    storage to vacuum, the last vacuum of its partitions); SQLite: whether ANALYZE counted dossiers."""
    table = Dossier._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT s.relname, coalesce(s.last_vacuum, (SELECT max(p.last_vacuum) FROM pg_inherits i "
                "JOIN pg_stat_user_tables p ON p.relid = i.inhrelid WHERE i.inhparent = s.relid)), s.last_analyze "
                "FROM pg_stat_user_tables s WHERE s.relname IN (%s, %s, %s) ORDER BY s.relname",
                [table, DossierMonth._meta.db_table, DossierUnitMonth._meta.db_table],
            )
            return cursor.fetchall()
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return bool(cursor.fetchone()[0])


def _statistics_forget() -> None:
    """SQLite: forget what ANALYZE counted of the dossiers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone()[0]:
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [Dossier._meta.db_table])


@pytest.mark.django_db(transaction=True)
def test_a_large_import_from_the_command_refreshes_the_statistics_of_the_dossier_tables(
    tmp_path: Any, personas: Personas, settings: Any
) -> None:
    samples.make_procedures()
    if connection.vendor != "postgresql":
        # sqlite_stat1 is no table of Django's, so no flush empties it: an import of an earlier test in this process
        # may have counted dossiers already.
        _statistics_forget()
        assert not _statistics_known()
    before = _statistics_known()
    settings.CCHC_DOSSIER_ANALYZE_AFTER_ROWS = 3  # "large" from three dossiers, whatever the statistics knew
    path = tmp_path / "dvcqg.csv"
    path.write_bytes(_portal_csv(personas.unit_b, []))
    out = io.StringIO()
    call_command("import_dossiers", str(path), "--source", "DVCQG", "--preset", "dvcqg-dong-bo", stdout=out)
    assert "Đã cập nhật thống kê của bảng hồ sơ" in out.getvalue()
    assert Dossier.objects.count() == 3
    after = _statistics_known()
    if connection.vendor == "postgresql":  # VACUUM ANALYZE, outside the import's transaction, of all three tables
        assert len(after) == 3 and after != before
        assert all(vacuumed and analyzed for _table, vacuumed, analyzed in after)
        assert all((after[n][1], after[n][2]) != (before[n][1], before[n][2]) for n in range(3)) if before else True
    else:
        assert after  # ANALYZE


def test_an_import_that_wrote_nothing_or_was_refused_does_not_refresh_the_statistics(settings: Any) -> None:
    settings.CCHC_DOSSIER_ANALYZE_AFTER_ROWS = 1
    assert not dossiers_analyze_after(ImportReport(rows_read=10, unchanged=10))
    refused = ImportReport(rows_read=10, created=0, bad_rows=[SheetRow(number=2, values=())])  # type: ignore[list-item]
    assert not dossiers_analyze_after(refused)
    assert dossiers_analyze_after(ImportReport(rows_read=3, created=3))
