"""Survey responses in yearly partitions on PostgreSQL, their unique keys kept across the years by a key table
filled by the database (decision 26)."""

from __future__ import annotations

import datetime
import importlib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from cchc.lib.partitions import partition_bounds, partitions_ensure
from cchc.lib.periods import Period, PeriodKind
from cchc.maintenance.apps import check_default_partitions
from cchc.organisations.models import Unit
from cchc.surveys import inbox
from cchc.surveys.models import Answer, Channel, Questionnaire, Response, ResponseKey, VersionState
from cchc.surveys.selectors import ResultsFilter, filtered_responses
from cchc.surveys.tests.test_results import make_survey
from cchc.testing import plans
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="tables are partitioned on PostgreSQL")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TABLE = "surveys_response"
LAST_OF_2025 = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=ZONE)
FIRST_OF_2026 = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=ZONE)


def _response(questionnaire: Questionnaire, unit: Unit, when: datetime.datetime, **keys: str) -> Response:
    return Response.objects.create(
        questionnaire=questionnaire,
        version=questionnaire.versions.get(state=VersionState.PUBLISHED),
        unit=unit,
        channel=Channel.COUNTER,
        submitted_at=when,
        **keys,
    )


def _where(response: Response) -> str:
    return plans.partition_of(TABLE, response.pk)


def _many_responses(questionnaire: Questionnaire, units: list[int], years: tuple[int, ...]) -> None:
    """8000 responses a year over the units, every one with an idempotency key, one in four with a dossier code."""
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    with connection.cursor() as cursor:
        for year in years:
            cursor.execute(
                f"INSERT INTO {TABLE} (questionnaire_id, version_id, unit_id, channel, counter_label, "  # noqa: S608
                "dossier_code, respondent_group, submitted_at, fingerprint, idempotency_key) "
                "SELECT %s, %s, (%s::bigint[])[1 + g %% %s], 'counter', '', "
                "CASE WHEN g %% 4 = 0 THEN 'HS-' || %s || '-' || g ELSE '' END, '', "
                "%s::timestamptz + g * interval '65 minutes', '', 'key-' || %s || '-' || g "
                "FROM generate_series(0, 7999) g",
                [
                    questionnaire.pk,
                    version.pk,
                    units,
                    len(units),
                    year,
                    datetime.datetime(year, 1, 1, 1, tzinfo=ZONE),
                    year,
                ],
            )
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("ANALYZE surveys_responsekey")


def test_a_response_with_a_dossier_code_or_an_idempotency_key_has_its_keys_in_the_key_table(
    personas: Personas,
) -> None:
    questionnaire = make_survey(personas.province)
    keyed = _response(questionnaire, personas.unit_a, LAST_OF_2025, dossier_code="HS-1", idempotency_key="k-1")
    _response(questionnaire, personas.unit_a, LAST_OF_2025)

    keys = list(ResponseKey.objects.values_list("response_id", "submitted_at", "dossier_code", "idempotency_key"))

    assert keys == [(keyed.pk, LAST_OF_2025, "HS-1", "k-1")]


def test_a_dossier_rated_in_december_cannot_be_rated_again_in_january(personas: Personas) -> None:
    partitions_ensure(years=(2025, 2026), tables=(TABLE,))
    questionnaire = make_survey(personas.province)
    other = make_survey(personas.province, code="kq-khac")
    first = _response(questionnaire, personas.unit_a, LAST_OF_2025, dossier_code="HS-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        _response(questionnaire, personas.unit_a, FIRST_OF_2026, dossier_code="HS-1")
    elsewhere = _response(other, personas.unit_a, FIRST_OF_2026, dossier_code="HS-1")

    assert list(Response.objects.filter(dossier_code="HS-1")) == [elsewhere, first]
    assert inbox.dossier_rated(questionnaire.pk, "HS-1")
    assert not inbox.dossier_rated(questionnaire.pk, "HS-2")
    if connection.vendor == "postgresql":
        assert (_where(first), _where(elsewhere)) == (f"{TABLE}_y2025", f"{TABLE}_y2026")


def test_an_idempotency_key_is_stored_once_across_the_years(personas: Personas) -> None:
    partitions_ensure(years=(2025, 2026), tables=(TABLE,))
    questionnaire = make_survey(personas.province)
    _response(questionnaire, personas.unit_a, LAST_OF_2025, idempotency_key="k-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        _response(questionnaire, personas.unit_b, FIRST_OF_2026, idempotency_key="k-1")

    assert Response.objects.filter(idempotency_key="k-1").count() == 1
    assert inbox.already_accepted("k-1")
    assert not inbox.already_accepted("k-2")


@postgresql_only
def test_the_inbox_checks_read_the_key_table_through_its_unique_indexes(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    _many_responses(questionnaire, [personas.unit_a.pk, personas.unit_b.pk], (2025, 2026))

    with CaptureQueriesContext(connection) as queries:
        assert inbox.already_accepted("key-2025-17")
        assert inbox.dossier_rated(questionnaire.pk, "HS-2026-400")
    key_queries = [query["sql"] for query in queries.captured_queries if "surveys_responsekey" in query["sql"]]

    assert len(key_queries) == 2
    by_key, by_dossier = (plans.scans(plans.plan_nodes(sql), "surveys_response") for sql in key_queries)
    assert [(name, index) for name, _kind, index in by_key] == [
        ("surveys_responsekey", "response_key_unique_idempotency_key")
    ]
    assert [(name, index) for name, _kind, index in by_dossier] == [
        ("surveys_responsekey", "response_key_one_rating_per_dossier")
    ]
    assert {kind for _name, kind, _index in by_key + by_dossier} <= {"Index Scan", "Index Only Scan"}


def _generic_plan(sql: str, count: int) -> list[dict[str, Any]]:
    """The plan of ``sql`` as a prepared statement planned once for any parameters (the generic plan PostgreSQL
    keeps for the public form's statement after its first executions)."""
    numbered = sql.split("%s")
    text = numbered[0] + "".join(f"${number}{rest}" for number, rest in enumerate(numbered[1:], start=1))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE accept_plan AS {text}")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE accept_plan({', '.join(['NULL'] * count)})")
            raw = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE accept_plan")
    return plans.nodes_of(raw)


@postgresql_only
def test_the_public_form_s_statement_reads_the_key_table_not_the_response_partitions(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    partitions_ensure(years=(2025, 2026), tables=(TABLE,))
    _many_responses(questionnaire, [personas.unit_a.pk, personas.unit_b.pk], (2025, 2026))
    today = datetime.date(2026, 6, 1)
    params = [
        "{}", "HS-2026-400", None, datetime.datetime(2026, 6, 1, tzinfo=ZONE), "", "key-new", 1, "token",
        today, today, 1, VersionState.PUBLISHED.value, "key-new", "HS-2026-400",
    ]  # fmt: skip
    sql = inbox._accept_sql(True)

    for nodes in (plans.plan_nodes(sql, params), _generic_plan(sql, len(params))):
        # One probe of the key table's unique index for the idempotency key, one for the dossier, whatever the
        # number of years; no response partition is read.
        keys = [(name, index) for name, _kind, index in plans.scans(nodes, "surveys_response")]
        assert sorted(keys) == [
            ("surveys_responsekey", "response_key_one_rating_per_dossier"),
            ("surveys_responsekey", "response_key_unique_idempotency_key"),
        ]
        assert {kind for _name, kind, _index in plans.scans(nodes, "surveys_response")} <= {
            "Index Scan",
            "Index Only Scan",
        }


@postgresql_only
def test_one_period_s_results_read_that_year_s_response_partition_through_an_index(personas: Personas) -> None:
    partitions_ensure(years=(2024, 2025, 2026), tables=(TABLE,))
    questionnaire = make_survey(personas.province)
    units = [personas.unit_a.pk, personas.unit_b.pk, personas.other_commune.pk, personas.province.pk]
    _many_responses(questionnaire, units, (2024, 2025, 2026))
    where = ResultsFilter(Period(2025, PeriodKind.MONTH, 3), personas.unit_b)
    selected = filtered_responses(Response.objects.filter(questionnaire=questionnaire), where)

    with CaptureQueriesContext(connection) as queries:
        list(selected.values_list("pk", flat=True))
    scans = plans.scans(plans.plan_nodes(queries.captured_queries[-1]["sql"]), TABLE)

    assert selected.count() > 0
    assert {name for name, _kind, _index in scans} == {f"{TABLE}_y2025"}
    assert [kind for _name, kind, _index in scans] in (["Index Scan"], ["Index Only Scan"], ["Bitmap Heap Scan"])


@postgresql_only
def test_the_daily_job_and_the_deploy_check_cover_the_responses_partitions(personas: Personas) -> None:
    made = partitions_ensure(years=(2031,))
    questionnaire = make_survey(personas.province)

    _response(questionnaire, personas.unit_a, datetime.datetime(1999, 6, 1, tzinfo=ZONE))
    messages = check_default_partitions(databases=["default"])

    assert ("surveys_response", 2031, "created") in [(r.table, r.year, r.outcome) for r in made]
    assert [message.id for message in messages] == ["maintenance.W003"]
    assert f"{TABLE}_default holds 1 row" in messages[0].msg


@postgresql_only
def test_the_migrations_keep_the_responses_stored_before_with_their_answers_and_keys(personas: Personas) -> None:
    """The responses table as the migrations before found it, with rows of 2019 and this year, is converted."""
    questionnaire = make_survey(personas.province)
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    question = version.questions.get(code="q1")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE} CASCADE")  # with its partitions, its trigger, the keys' foreign key
        cursor.execute("DELETE FROM surveys_responsekey")
    before = MigrationLoader(connection).project_state(("surveys", "0011_answers_partitioned_by_year")).apps
    with connection.schema_editor() as editor:
        editor.create_model(before.get_model("surveys", "Response"))
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT response_id_and_time UNIQUE (id, submitted_at)")
        cursor.execute(
            "ALTER TABLE surveys_answer ADD CONSTRAINT answer_response_time FOREIGN KEY (response_id, submitted_at) "
            f"REFERENCES {TABLE} (id, submitted_at) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(
            f"ALTER TABLE surveys_invitation ADD FOREIGN KEY (response_id) REFERENCES {TABLE} (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    old = _response(questionnaire, personas.unit_a, datetime.datetime(2019, 5, 1, 9, tzinfo=ZONE), dossier_code="HS-1")
    recent = _response(
        questionnaire, personas.unit_a, datetime.datetime(2026, 3, 1, 9, tzinfo=ZONE), idempotency_key="k"
    )
    Answer.objects.bulk_create([Answer(response=old, question=question, choice_value="5")])

    with connection.schema_editor() as editor:
        for name, step in (
            ("0012_response_keys", "fill_and_watch"),
            ("0013_responses_partitioned_by_year", "partition"),
        ):
            getattr(importlib.import_module(f"cchc.surveys.migrations.{name}"), step)(None, editor)

    year = datetime.date.today().year
    assert partition_bounds(TABLE)[f"{TABLE}_upto_{year}"].startswith("FOR VALUES FROM (MINVALUE)")
    assert _where(old) == _where(recent) == f"{TABLE}_upto_{year}"
    assert Answer.objects.get(response=old).choice_value == "5"
    assert sorted(ResponseKey.objects.values_list("dossier_code", "idempotency_key")) == [("", "k"), ("HS-1", "")]
    with pytest.raises(IntegrityError), transaction.atomic():
        _response(questionnaire, personas.unit_b, datetime.datetime(year + 1, 1, 2, tzinfo=ZONE), dossier_code="HS-1")
    later = _response(
        questionnaire, personas.unit_b, datetime.datetime(year + 1, 1, 2, tzinfo=ZONE), idempotency_key="n"
    )
    assert _where(later) == f"{TABLE}_y{year + 1}"
    assert ResponseKey.objects.get(idempotency_key="n").response == later
