"""The write path of the dossier import: exact counts, only changed rows written, and the months each write touches."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from cchc.testing.personas import Personas

from .. import upserts
from ..models import DataImport, DataImportKind, Dossier
from ..upserts import DossierWriter
from . import samples

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)


def _row(code: str, procedure: int, unit: int, received: datetime.date, finished: datetime.date | None) -> tuple:
    return (
        code,
        procedure,
        unit,
        received,
        received + datetime.timedelta(days=5),
        finished,
        None,
        "finished" if finished else "processing",
        "online",
        Decimal(50000),
        True,
        True,
        False,
        False,
        None,
        0,
        False,
    )


def _write(rows: list[tuple]) -> tuple[DossierWriter, DataImport]:
    with transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source="iGate")
        writer = DossierWriter(source="iGate", log=log)
        for row in rows:
            writer.add(row)
        writer.finish()
    return writer, log


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_a_second_import_counts_new_changed_and_unchanged_rows_exactly_and_names_the_months_it_touches(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(upserts, "BATCH_SIZE", batch)
    birth, _marriage = samples.make_procedures()
    unit_a, unit_b = personas.unit_a.pk, personas.unit_b.pk
    same = _row("HS-1", birth.pk, unit_a, datetime.date(2025, 1, 10), datetime.date(2025, 1, 12))
    moved = _row("HS-2", birth.pk, unit_a, datetime.date(2025, 1, 20), None)
    first, first_log = _write([same, moved])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert first.affected == {(unit_a, JAN)}

    moved_now = _row("HS-2", birth.pk, unit_b, datetime.date(2025, 2, 3), datetime.date(2025, 3, 4))
    new = _row("HS-3", birth.pk, unit_b, datetime.date(2025, 3, 5), None)
    second, second_log = _write([same, moved_now, new])
    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    # the moved dossier's old month at its old unit, its new received and finished months, the new dossier's month
    assert second.affected == {(unit_a, JAN), (unit_b, FEB), (unit_b, MAR)}

    stored = {dossier.code: dossier for dossier in Dossier.objects.all()}
    assert stored["HS-1"].last_import == first_log and stored["HS-1"].unit_id == unit_a
    assert stored["HS-2"].last_import == second_log and stored["HS-2"].unit_id == unit_b
    assert stored["HS-2"].finished_on == datetime.date(2025, 3, 4) and stored["HS-2"].fee == Decimal(50000)
    assert stored["HS-3"].created_at is not None and stored["HS-3"].updated_at is not None

    third, _log = _write([same, moved_now, new])
    assert (third.created, third.updated, third.unchanged) == (0, 0, 3)
    assert third.affected == set()
    assert Dossier.objects.count() == 3


def test_an_unchanged_dossier_keeps_its_update_time_and_a_changed_one_gets_a_new_one(personas: Personas) -> None:
    birth, _marriage = samples.make_procedures()
    row = _row("HS-1", birth.pk, personas.unit_a.pk, datetime.date(2025, 1, 10), None)
    _write([row])
    before = Dossier.objects.get().updated_at
    _write([row])
    assert Dossier.objects.get().updated_at == before
    _write([(*row[:5], datetime.date(2025, 1, 11), *row[6:])])
    assert Dossier.objects.get().updated_at > before


def test_other_queries_may_run_between_rows_and_a_failed_import_leaves_nothing(personas: Personas) -> None:
    birth, _marriage = samples.make_procedures()
    rows = [_row(f"HS-{n}", birth.pk, personas.unit_a.pk, datetime.date(2025, 1, n), None) for n in range(1, 5)]
    with transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source="iGate")
        writer = DossierWriter(source="iGate", log=log)
        writer.add(rows[0])
        writer.add(rows[1])
        writer.pause()  # as the import does before looking a unit up by its name
        assert DataImport.objects.filter(pk=log.pk).exists()
        writer.add(rows[2])
        writer.pause()
        writer.add(rows[3])
        writer.finish()
    assert writer.created == 4 and Dossier.objects.count() == 4

    with pytest.raises(KeyboardInterrupt), transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source="DVCQG")
        writer = DossierWriter(source="DVCQG", log=log)
        try:
            writer.add(rows[0])
            raise KeyboardInterrupt
        except BaseException:
            writer.abort()
            raise
    assert Dossier.objects.count() == 4 and not DataImport.objects.filter(source="DVCQG").exists()


@pytest.mark.parametrize("source", ["iGate", "Hệ thống C:\\một cửa\tmới"])
def test_codes_and_sources_with_backslashes_tabs_and_line_breaks_are_stored_as_they_are(
    personas: Personas, source: str
) -> None:
    birth, _marriage = samples.make_procedures()
    codes = ["HS\\001", "HS\t002", "HS\n003", "HS\r\n004", "\\N"]
    with transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source=source)
        writer = DossierWriter(source=source, log=log)
        for code in codes:
            writer.add(_row(code, birth.pk, personas.unit_a.pk, datetime.date(2025, 1, 10), None))
        writer.finish()
    assert sorted(Dossier.objects.filter(source=source).values_list("code", flat=True)) == sorted(codes)
