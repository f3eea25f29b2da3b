"""Dossiers in yearly partitions on PostgreSQL, their codes kept unique across the years by a key table the import
writes itself and a trigger writes for every other writer (decision 26)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from cchc.lib.errors import ServiceError
from cchc.lib.partitions import partition_bounds, partitions_ensure
from cchc.maintenance.apps import check_default_partitions
from cchc.testing import plans
from cchc.testing.personas import Personas

from .. import upserts
from ..models import DataImport, DataImportKind, Dossier, DossierKey, Procedure
from . import samples
from .test_upserts import _row, _write

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="tables are partitioned on PostgreSQL")
TABLE = "procedures_dossier"
LAST_OF_2025 = datetime.date(2025, 12, 31)
FIRST_OF_2026 = datetime.date(2026, 1, 1)


def _dossier(procedure: Procedure, unit_id: int, code: str, received: datetime.date, source: str = "iGate") -> Dossier:
    return Dossier.objects.create(
        source=source, code=code, procedure=procedure, unit_id=unit_id, received_on=received, status="processing"
    )


def _where(dossier_id: int) -> str:
    return plans.partition_of(TABLE, dossier_id)


def _keys() -> list[tuple[str, str, int, datetime.date]]:
    return sorted(DossierKey.objects.values_list("source", "code", "dossier_id", "received_on"))


def _many_dossiers(procedure: Procedure, units: list[int], years: tuple[int, ...]) -> None:
    """20,000 dossiers a year over the units, inserted by SQL (their keys written by the trigger)."""
    with connection.cursor() as cursor:
        for year in years:
            cursor.execute(
                f"INSERT INTO {TABLE} (source, code, procedure_id, unit_id, received_on, status, channel, "  # noqa: S608
                "paid_online, inputs_digitised, results_digitised, electronic_result, supplement_requests, "
                "returned_or_withdrawn, created_at, updated_at) "
                "SELECT 'iGate', 'HS-' || %s || '-' || g, %s, (%s::bigint[])[1 + g %% %s], "
                "%s::date + (g %% 365), 'processing', '', false, false, false, false, 0, false, now(), now() "
                "FROM generate_series(0, 19999) g",
                [year, procedure.pk, units, len(units), datetime.date(year, 1, 1)],
            )
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("ANALYZE procedures_dossierkey")


@postgresql_only
def test_a_dossier_written_outside_the_import_has_its_key_which_follows_it_to_another_year_and_goes_with_it(
    personas: Personas,
) -> None:
    partitions_ensure(years=(2025, 2026), tables=(TABLE,))
    birth, _marriage = samples.make_procedures()
    dossier = _dossier(birth, personas.unit_a.pk, "HS-1", LAST_OF_2025)
    assert _keys() == [("iGate", "HS-1", dossier.pk, LAST_OF_2025)]

    dossier.received_on = FIRST_OF_2026
    dossier.save()
    assert _keys() == [("iGate", "HS-1", dossier.pk, FIRST_OF_2026)]
    assert _where(dossier.pk) == f"{TABLE}_y2026"

    Dossier.objects.filter(pk=dossier.pk).update(code="HS-2")
    assert _keys() == [("iGate", "HS-2", dossier.pk, FIRST_OF_2026)]

    dossier.delete()
    assert _keys() == []


def test_a_code_stored_in_december_cannot_be_stored_again_in_january(personas: Personas) -> None:
    partitions_ensure(years=(2025, 2026), tables=(TABLE,))
    birth, _marriage = samples.make_procedures()
    first = _dossier(birth, personas.unit_a.pk, "HS-1", LAST_OF_2025)

    with pytest.raises(IntegrityError), transaction.atomic():
        _dossier(birth, personas.unit_b.pk, "HS-1", FIRST_OF_2026)
    elsewhere = _dossier(birth, personas.unit_b.pk, "HS-1", FIRST_OF_2026, source="DVCQG")

    assert sorted(Dossier.objects.values_list("source", "code")) == [("DVCQG", "HS-1"), ("iGate", "HS-1")]
    if connection.vendor == "postgresql":
        assert (_where(first.pk), _where(elsewhere.pk)) == (f"{TABLE}_y2025", f"{TABLE}_y2026")


@postgresql_only
def test_the_import_writes_the_keys_of_its_dossiers_and_a_code_already_kept_fails_it(personas: Personas) -> None:
    birth, _marriage = samples.make_procedures()
    rows = [_row(f"HS-{n}", birth.pk, personas.unit_a.pk, datetime.date(2025, 12, 28 + n), None) for n in range(4)]
    writer, _log = _write(rows)
    assert writer.created == 4
    stored = dict(Dossier.objects.values_list("code", "pk"))
    assert [(code, pk) for _source, code, pk, _day in _keys()] == sorted(stored.items())
    # the trigger stands aside only for the import: a dossier written afterwards in the same transaction has its key
    later = _dossier(birth, personas.unit_a.pk, "HS-9", FIRST_OF_2026)
    assert DossierKey.objects.get(source="iGate", code="HS-9").dossier_id == later.pk

    # A key kept for a code of a new source (another import of it committed meanwhile) fails the whole import.
    DossierKey.objects.create(source="DVCQG", code="HS-2", dossier_id=0, received_on=FIRST_OF_2026)
    with pytest.raises(ServiceError) as raised, transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source="DVCQG")
        other = upserts.DossierWriter(source="DVCQG", log=log)
        try:
            for row in rows:
                other.add(row)
            other.finish()
        except BaseException:
            other.abort()
            raise
    assert raised.value.code == "concurrent_import"
    assert not Dossier.objects.filter(source="DVCQG").exists()


def test_a_reimport_moves_a_dossier_to_another_year_with_its_key(personas: Personas) -> None:
    partitions_ensure(years=(2025, 2026), tables=(TABLE,))
    birth, _marriage = samples.make_procedures()
    unit = personas.unit_a.pk
    kept = _row("HS-1", birth.pk, unit, datetime.date(2025, 6, 1), None)
    _write([kept, _row("HS-2", birth.pk, unit, LAST_OF_2025, None)])
    moved = _row("HS-2", birth.pk, unit, FIRST_OF_2026, None)

    second, _log = _write([kept, moved, _row("HS-3", birth.pk, unit, FIRST_OF_2026, None)])

    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    assert second.affected == {(unit, datetime.date(2025, 12, 1)), (unit, FIRST_OF_2026)}
    dossier = Dossier.objects.get(code="HS-2")
    assert dossier.received_on == FIRST_OF_2026 and Dossier.objects.count() == 3
    if connection.vendor == "postgresql":
        assert _where(dossier.pk) == f"{TABLE}_y2026"
        assert [(code, day) for _source, code, _pk, day in _keys()] == [
            ("HS-1", datetime.date(2025, 6, 1)),
            ("HS-2", FIRST_OF_2026),
            ("HS-3", FIRST_OF_2026),
        ]
        assert {pk for _source, _code, pk, _day in _keys()} == set(Dossier.objects.values_list("pk", flat=True))


@postgresql_only
def test_a_period_s_dossiers_are_read_from_that_year_s_partition_through_an_index(personas: Personas) -> None:
    partitions_ensure(years=(2024, 2025, 2026), tables=(TABLE,))
    birth, _marriage = samples.make_procedures()
    units = [personas.unit_a.pk, personas.unit_b.pk, personas.other_commune.pk, personas.province.pk]
    _many_dossiers(birth, units, (2024, 2025, 2026))
    selected = Dossier.objects.filter(
        unit_id=personas.unit_b.pk,
        received_on__gte=datetime.date(2025, 3, 1),
        received_on__lt=datetime.date(2025, 4, 1),
    )

    with CaptureQueriesContext(connection) as queries:
        list(selected.values_list("pk", flat=True))
    scans = plans.scans(plans.plan_nodes(queries.captured_queries[-1]["sql"]), TABLE)

    assert selected.count() > 0
    assert {name for name, _kind, _index in scans} == {f"{TABLE}_y2025"}
    assert [kind for _name, kind, _index in scans] in (["Index Scan"], ["Index Only Scan"], ["Bitmap Heap Scan"])


@postgresql_only
def test_the_reimport_finds_stored_dossiers_through_the_key_table_s_unique_index(personas: Personas) -> None:
    partitions_ensure(years=(2024, 2025, 2026), tables=(TABLE,))
    birth, _marriage = samples.make_procedures()
    _many_dossiers(birth, [personas.unit_a.pk, personas.unit_b.pk], (2024, 2025, 2026))
    with transaction.atomic():
        log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source="iGate")
        writer = upserts.DossierWriter(source="iGate", log=log)  # makes the staging table (the source has rows)
        for code in ("HS-2025-17", "HS-2026-400", "HS-new"):
            writer.add(_row(code, birth.pk, personas.unit_a.pk, datetime.date(2025, 1, 18), None))
        writer.pause()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {upserts.STAGING_TABLE}")

        nodes = plans.plan_nodes(upserts.matched_sql(), ["iGate"])
        writer.finish()

    assert plans.scans(nodes, "procedures_dossierkey") == [
        ("procedures_dossierkey", "Index Scan", "procedures_dossierkey_pkey")
    ]
    # the stored dossier is then read by (id, received_on) through the primary key of each partition holding rows
    # (the planner may read the empty ones as it likes): none is read whole
    assert [scan for scan in plans.scans(nodes, TABLE) if scan[0][-4:] in {"2024", "2025", "2026"}] == [
        (f"{TABLE}_y{year}", "Index Scan", f"{TABLE}_y{year}_pkey") for year in (2024, 2025, 2026)
    ]
    assert (writer.created, writer.updated, writer.unchanged) == (1, 2, 0)


@postgresql_only
def test_the_import_s_key_rows_are_read_back_by_id_range_through_each_partition_s_primary_key(
    personas: Personas,
) -> None:
    partitions_ensure(years=(2024, 2025, 2026), tables=(TABLE,))
    birth, _marriage = samples.make_procedures()
    log = DataImport.objects.create(kind=DataImportKind.DOSSIERS, source="iGate")
    _many_dossiers(birth, [personas.unit_a.pk], (2024, 2025, 2026))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET last_import_id = %s WHERE received_on >= '2026-01-01'", [log.pk])  # noqa: S608
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(f"SELECT max(id) FROM {TABLE}")  # noqa: S608
        last = cursor.fetchone()[0]

    nodes = plans.plan_nodes(
        upserts.keys_of_copy_sql(), [last - 1_000, last, log.pk]
    )  # the last batch of a larger import

    filled = [scan for scan in plans.scans(nodes, TABLE) if scan[0][-4:] in {"2024", "2025", "2026"}]
    assert [name for name, _kind, _index in filled] == [f"{TABLE}_y{year}" for year in (2024, 2025, 2026)]
    assert {kind for _name, kind, _index in filled} <= {"Index Scan", "Bitmap Heap Scan"}
    indexes = {node["Index Name"] for node in nodes if node.get("Index Name", "").startswith(TABLE)}
    assert {f"{TABLE}_y{year}_pkey" for year in (2024, 2025, 2026)} <= indexes
    assert all(index.endswith("_pkey") for index in indexes)  # never the index on the last import


@postgresql_only
def test_the_daily_job_and_the_deploy_check_cover_the_dossier_partitions(personas: Personas) -> None:
    made = partitions_ensure(years=(2031,))
    birth, _marriage = samples.make_procedures()

    _dossier(birth, personas.unit_a.pk, "HS-1", datetime.date(1999, 6, 1))
    messages = check_default_partitions(databases=["default"])

    assert (TABLE, 2031, "created") in [(r.table, r.year, r.outcome) for r in made]
    assert [message.id for message in messages] == ["maintenance.W003"]
    assert f"{TABLE}_default holds 1 row" in messages[0].msg


@postgresql_only
def test_the_migration_keeps_the_dossiers_stored_before_and_fills_their_keys(personas: Personas) -> None:
    """The dossier table as the migrations before found it, with rows of 2019 and this year, is converted."""
    birth, _marriage = samples.make_procedures()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE} CASCADE")  # with its partitions and its trigger
        cursor.execute("DELETE FROM procedures_dossierkey")
    before = MigrationLoader(connection).project_state(("procedures", "0006_dossier_last_import_without_constraint"))
    with connection.schema_editor() as editor:
        editor.create_model(before.apps.get_model("procedures", "Dossier"))
    year = datetime.date.today().year
    old = _dossier(birth, personas.unit_a.pk, "HS-1", datetime.date(2019, 5, 1))
    recent = _dossier(birth, personas.unit_a.pk, "HS-2", datetime.date(year, 3, 1))

    with connection.schema_editor() as editor:
        importlib.import_module("cchc.procedures.migrations.0007_dossiers_partitioned_by_year").partition(None, editor)

    assert partition_bounds(TABLE)[f"{TABLE}_upto_{year}"].startswith("FOR VALUES FROM (MINVALUE)")
    assert _where(old.pk) == _where(recent.pk) == f"{TABLE}_upto_{year}"
    assert _keys() == [
        ("iGate", "HS-1", old.pk, datetime.date(2019, 5, 1)),
        ("iGate", "HS-2", recent.pk, datetime.date(year, 3, 1)),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        _dossier(birth, personas.unit_b.pk, "HS-1", datetime.date(year + 1, 1, 2))
    later = _dossier(birth, personas.unit_b.pk, "HS-3", datetime.date(year + 1, 1, 2))
    assert later.pk > recent.pk
    assert _where(later.pk) == f"{TABLE}_y{year + 1}"
    assert DossierKey.objects.get(source="iGate", code="HS-3").dossier_id == later.pk
