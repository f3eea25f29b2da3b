"""Survey answers in yearly partitions on PostgreSQL (decision 26); their copy of the response's time everywhere."""

from __future__ import annotations

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.lib.partitions import partition_bounds, partitions_ensure
from cchc.lib.periods import Period, PeriodKind
from cchc.surveys.models import Answer, Response, VersionState
from cchc.surveys.selectors import ResultsFilter, answer_counts, filtered_responses
from cchc.surveys.tests.test_results import make_survey, seed
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="tables are partitioned on PostgreSQL")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TABLE = "surveys_answer"


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _nodes(child)
    return nodes


def test_each_answer_keeps_the_time_of_its_response(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    when = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=ZONE)
    seed(questionnaire, personas.unit_a, {"q1": "5", "q2": "4"}, when=when)

    answers = Answer.objects.filter(response__questionnaire=questionnaire)

    assert answers.count() == 2
    assert {answer.submitted_at for answer in answers} == {when}


@postgresql_only
def test_answers_are_partitioned_by_year_as_their_responses_are(personas: Personas) -> None:
    partitions_ensure(years=(2025,), tables=(TABLE, "surveys_response"))
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "5"}, when=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=ZONE))
    seed(questionnaire, personas.unit_a, {"q1": "4"}, when=datetime.datetime(2026, 1, 1, 0, 30, tzinfo=ZONE))

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_partitioned_table JOIN pg_class ON oid = partrelid ORDER BY relname")
        partitioned = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            f"SELECT a.choice_value, a.tableoid::regclass::text FROM {TABLE} a "  # noqa: S608
            "JOIN surveys_response r ON r.id = a.response_id WHERE r.questionnaire_id = %s",
            [questionnaire.pk],
        )
        where = dict(cursor.fetchall())

    assert {TABLE, "surveys_response", "audit_auditentry"} <= partitioned
    assert "surveys_responsekey" not in partitioned
    assert partition_bounds(TABLE)[f"{TABLE}_default"] == "DEFAULT"
    assert where == {"5": f"{TABLE}_y2025", "4": f"{TABLE}_y2026"}


@postgresql_only
def test_an_answer_whose_time_differs_from_its_response_s_is_refused(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "5"})
    answer = Answer.objects.get(response__questionnaire=questionnaire)

    with pytest.raises(Exception, match="answer_response_time"), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"UPDATE {TABLE} SET submitted_at = submitted_at + interval '1 day' WHERE id = %s",  # noqa: S608
            [answer.pk],
        )


@postgresql_only
def test_the_counts_of_one_period_read_that_year_s_answer_partition_through_its_index(personas: Personas) -> None:
    partitions_ensure(years=(2024, 2025, 2026), tables=(TABLE, "surveys_response"))
    questionnaire = make_survey(personas.province)
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    questions = list(version.questions.filter(code__in=["q1", "q2", "q3"]).values_list("pk", flat=True))
    units = [personas.unit_a.pk, personas.unit_b.pk, personas.other_commune.pk, personas.province.pk]
    with connection.cursor() as cursor:
        for year in (2024, 2025, 2026):
            # 8000 responses a year over four units, three answers each.
            cursor.execute(
                "INSERT INTO surveys_response (questionnaire_id, version_id, unit_id, channel, counter_label, "
                "dossier_code, respondent_group, submitted_at, fingerprint, idempotency_key) "
                "SELECT %s, %s, (%s::bigint[])[1 + g %% 4], 'counter', '', '', '', "
                "%s::timestamptz + g * interval '65 minutes', '', '' FROM generate_series(0, 7999) g",
                [questionnaire.pk, version.pk, units, datetime.datetime(year, 1, 1, 1, tzinfo=ZONE)],
            )
        cursor.execute(
            f"INSERT INTO {TABLE} (response_id, question_id, choice_value, choice_values, text_value, submitted_at) "  # noqa: S608
            "SELECT r.id, q, (1 + r.id %% 5)::text, '[]', '', r.submitted_at FROM surveys_response r "
            "CROSS JOIN unnest(%s::bigint[]) q WHERE r.questionnaire_id = %s",
            [questions, questionnaire.pk],
        )
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("ANALYZE surveys_response")
    period = Period(2025, PeriodKind.MONTH, 3)
    # One unit's month, as the publication of the results reads it.
    where = ResultsFilter(period, personas.unit_b)
    selected = filtered_responses(Response.objects.filter(questionnaire=questionnaire), where)

    with CaptureQueriesContext(connection) as queries:
        counts = answer_counts(selected, period=period)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {queries.captured_queries[-1]['sql']}")
        raw = cursor.fetchone()[0]
    plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]

    assert sum(counts["q1"].values()) == selected.count() > 0
    answer_scans = [node for node in _nodes(plan) if node.get("Relation Name", "").startswith(TABLE)]
    assert {node["Relation Name"] for node in answer_scans} == {f"{TABLE}_y2025"}
    assert [(node["Node Type"], node.get("Index Name")) for node in answer_scans] == [
        ("Index Scan", f"{TABLE}_y2025_response_id_idx")
    ]
