"""A large dossier file parsed in a second process gives exactly what the import's own process gives."""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas

from .. import presets
from ..models import DataImport, Dossier
from ..reader import FileRows, iter_csv_rows
from ..services import ImportReport, dossiers_import
from . import samples

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def forkable() -> None:
    """The second process is only forked when the importing process runs no other thread (a fork copies one thread);
    when an earlier test in this process left one running (a live server, a browser driver), the import rightly stays
    in its own process and these tests cannot watch the second one."""
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process, so the import does not fork")


ROWS = 600


def _big_portal_file(unit: Unit, other: Unit) -> bytes:
    header, first, *_rest = samples.portal_rows(unit)
    rows: list[list[object]] = [header]
    for number in range(ROWS):
        row = list(first)
        row[0] = f"HS-{number:06}"
        row[1] = samples.BIRTH if number % 3 else samples.MARRIAGE
        row[3] = other.code if number % 7 == 0 else unit.code
        rows.append(row)
    # rows the short way does not take: a unit code with spaces, a bad date, a code seen before, an unknown unit
    rows[150][3] = f" {unit.code} "
    rows[250][4] = "20251399000000"
    rows[400][0] = "HS-000010"
    rows[500][3] = "KHONG-CO"
    return samples.csv_text(rows).encode()


def _import(data: bytes, source: str, *, valid_rows_only: bool) -> ImportReport:
    return dossiers_import(
        actor=None,
        rows=FileRows(iter_csv_rows(io.BytesIO(data))),
        source=source,
        preset=presets.PORTAL_SYNC,
        valid_rows_only=valid_rows_only,
    )


def _outcome(report: ImportReport) -> tuple[Any, ...]:
    return (
        report.rejected,
        report.rows_read,
        report.created,
        report.updated,
        report.unchanged,
        report.error_lines(),
        [bad.row for bad in report.bad_rows],
    )


def _stored(source: str) -> list[tuple[Any, ...]]:
    fields = [field.name for field in Dossier._meta.concrete_fields if field.name.endswith(("_on", "_id"))]
    fields += ["code", "procedure", "unit", "status", "channel", "fee", "supplement_requests", "paid_online"]
    fields = [name for name in fields if name not in ("last_import_id",)]
    return list(Dossier.objects.filter(source=source).order_by("code").values_list(*fields))


@pytest.mark.parametrize("valid_rows_only", [True, False])
def test_a_file_parsed_in_a_second_process_gives_the_same_rows_errors_and_outcome(
    personas: Personas, settings: Any, valid_rows_only: bool, forkable: None
) -> None:
    samples.make_procedures()
    data = _big_portal_file(personas.unit_b, personas.unit_a)
    settings.CCHC_DOSSIER_PARALLEL_MIN_ROWS = 0  # one process
    single = _import(data, "mot-tien-trinh", valid_rows_only=valid_rows_only)
    settings.CCHC_DOSSIER_PARALLEL_MIN_ROWS = 100  # a second process from 100 rows
    parallel = _import(data, "hai-tien-trinh", valid_rows_only=valid_rows_only)

    assert _outcome(parallel) == _outcome(single)
    assert [bad.row.number for bad in parallel.bad_rows] == [251, 401, 501]
    assert "đã có ở dòng 12" in parallel.error_lines()[1]
    assert _stored("hai-tien-trinh") == _stored("mot-tien-trinh")
    if valid_rows_only:
        assert parallel.created == ROWS - 3 and len(_stored("hai-tien-trinh")) == ROWS - 3
        again = _import(data, "hai-tien-trinh", valid_rows_only=True)
        assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS - 3)
    else:
        assert parallel.rejected and not _stored("hai-tien-trinh")


def test_a_small_file_is_parsed_in_the_imports_own_process(personas: Personas, settings: Any) -> None:
    samples.make_procedures()
    settings.CCHC_DOSSIER_PARALLEL_MIN_ROWS = 100
    importing = os.getpid()
    pids = set()

    def rows() -> Iterator[SheetRow]:
        for row in iter_csv_rows(io.BytesIO(samples.csv_text(samples.portal_rows(personas.unit_b)).encode())):
            pids.add(os.getpid())
            yield row

    report = dossiers_import(actor=None, rows=FileRows(rows()), source="nho", preset=presets.PORTAL_SYNC)
    assert report.created == 3 and pids == {importing}


def test_rows_that_are_not_a_files_own_are_parsed_in_the_imports_own_process(personas: Personas, settings: Any) -> None:
    samples.make_procedures()
    settings.CCHC_DOSSIER_PARALLEL_MIN_ROWS = 100
    data = _big_portal_file(personas.unit_b, personas.unit_a)
    pids = set()

    def rows() -> Iterator[SheetRow]:  # as the background import reads them: its progress written as it goes
        for row in iter_csv_rows(io.BytesIO(data)):
            pids.add(os.getpid())
            yield row

    report = dossiers_import(
        actor=None, rows=rows(), source="tien-do", preset=presets.PORTAL_SYNC, valid_rows_only=True
    )
    assert report.created == ROWS - 3 and pids == {os.getpid()}


def test_a_parsing_process_killed_half_way_leaves_nothing_imported(
    personas: Personas, settings: Any, forkable: None
) -> None:
    samples.make_procedures()
    settings.CCHC_DOSSIER_PARALLEL_MIN_ROWS = 100
    data = _big_portal_file(personas.unit_b, personas.unit_a)
    importing = os.getpid()

    def rows() -> Iterator[SheetRow]:
        for row in iter_csv_rows(io.BytesIO(data)):
            if row.number == 400:
                if os.getpid() == importing:
                    raise AssertionError("the file was parsed in the import's own process")
                os.kill(os.getpid(), signal.SIGKILL)
            yield row

    with pytest.raises(ServiceError, match="dừng giữa chừng"):
        dossiers_import(
            actor=None, rows=FileRows(rows()), source="bi-dung", preset=presets.PORTAL_SYNC, valid_rows_only=True
        )
    assert not transaction.get_connection().in_atomic_block
    assert not Dossier.objects.exists() and not DataImport.objects.exists()


def test_a_broken_line_found_by_the_parsing_process_refuses_the_file_with_its_row(
    personas: Personas, settings: Any, forkable: None
) -> None:
    samples.make_procedures()
    settings.CCHC_DOSSIER_PARALLEL_MIN_ROWS = 100
    data = _big_portal_file(personas.unit_b, personas.unit_a)
    lines = data.split(b"\r\n")
    lines[300] = lines[300].replace(b"HS-", b"HS-" + b"x" * 40_000)
    with pytest.raises(ServiceError, match="Dòng 301 có một ô quá dài") as raised:
        _import(b"\r\n".join(lines), "hong", valid_rows_only=True)
    assert raised.value.code == "bad_file"
    assert not Dossier.objects.exists() and not DataImport.objects.exists()
