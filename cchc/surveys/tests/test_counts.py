"""The counts the results read: always equal to counting the stored answers, and the results read from them are those
counted from the answers themselves."""

from __future__ import annotations

import datetime
import io
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit
from cchc.surveys import inbox
from cchc.surveys.collection import PointData, Submission, collection_point_create, response_submit
from cchc.surveys.comments import CommentCounts, comment_counts, comment_task_create, counted_comment_counts
from cchc.surveys.counts import local_day
from cchc.surveys.demo import COUNTER_SURVEY, SIPAS_SURVEY, load_responses
from cchc.surveys.models import (
    COMMENT_KINDS,
    Answer,
    AnswerCount,
    Channel,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseCount,
    VersionState,
)
from cchc.surveys.publishing import comment_set_handled
from cchc.surveys.results import satisfaction_index
from cchc.surveys.scales import fixed_values
from cchc.surveys.selectors import (
    ResultsFilter,
    answer_counts,
    collection_summary,
    comment_answers,
    filtered_responses,
    grouped_answer_counts,
    grouped_response_counts,
    results_breakdown,
    results_version,
    results_with_breakdown,
    shape_of,
    yes_no_counts,
)
from cchc.surveys.services import version_new_draft, version_publish
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.testing.personas import Personas

from .test_results import make_survey

ZONE = datetime.timezone(datetime.timedelta(hours=7))
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def raw_answer_counts() -> dict[tuple[Any, ...], list[int]]:
    """Every answer on a fixed scale counted one by one, with the local month of its response, per scale value."""
    counted: dict[tuple[Any, ...], list[int]] = {}
    answers = Answer.objects.exclude(choice_value="").select_related("response", "question")
    for answer in answers:
        values = fixed_values(answer.question.kind)
        if values is None:
            continue
        response = answer.response
        month = local_day(response.submitted_at).replace(day=1)
        key = (
            response.version_id,
            answer.question_id,
            response.unit_id,
            response.channel,
            response.respondent_group,
            month,
        )
        slots = counted.setdefault(key, [0] * 5)
        slots[values.index(answer.choice_value)] += 1
    return counted


def raw_response_counts() -> Counter[tuple[Any, ...]]:
    counted: Counter[tuple[Any, ...]] = Counter()
    for response in Response.objects.all():
        key = (response.version_id, response.unit_id, response.channel, response.respondent_group)
        counted[(*key, local_day(response.submitted_at))] += 1
    return counted


def raw_comment_counts() -> Counter[tuple[Any, ...]]:
    """Every free-text comment counted one by one, with the key of its response's row of the counts."""
    counted: Counter[tuple[Any, ...]] = Counter()
    comments = Answer.objects.filter(question__kind__in=COMMENT_KINDS).exclude(text_value="").select_related("response")
    for answer in comments:
        response = answer.response
        key = (response.version_id, response.unit_id, response.channel, response.respondent_group)
        counted[(*key, local_day(response.submitted_at))] += 1
    return counted


def kept_comment_counts() -> Counter[tuple[Any, ...]]:
    rows = ResponseCount.objects.filter(comments__gt=0).values_list(
        "version_id", "unit_id", "channel", "respondent_group", "day", "comments"
    )
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def kept_answer_counts() -> dict[tuple[Any, ...], list[int]]:
    rows = AnswerCount.objects.values_list(
        "version_id", "question_id", "unit_id", "channel", "respondent_group", "month", "n1", "n2", "n3", "n4", "n5"
    )
    return {tuple(row[:6]): list(row[6:]) for row in rows}


def kept_response_counts() -> Counter[tuple[Any, ...]]:
    rows = ResponseCount.objects.values_list("version_id", "unit_id", "channel", "respondent_group", "day", "count")
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def assert_counts_match_the_answers() -> None:
    assert kept_answer_counts() == raw_answer_counts()
    assert kept_response_counts() == raw_response_counts()
    assert kept_comment_counts() == raw_comment_counts()


def submit(version: QuestionnaireVersion, unit: Unit, values: Mapping[str, str], **extra: Any) -> Response:
    ids = dict(version.questions.values_list("code", "pk"))
    answers = {ids[code]: [value] for code, value in values.items() if value}
    return response_submit(version=version, submission=Submission(unit=unit, answers=answers, **extra))


def published(questionnaire: Questionnaire) -> QuestionnaireVersion:
    return questionnaire.versions.get(state=VersionState.PUBLISHED)


scale = st.sampled_from(["", "1", "2", "3", "4", "5"])
submissions = st.lists(
    st.tuples(
        st.sampled_from(["unit_a", "unit_b", "office_a"]),
        st.sampled_from([Channel.COUNTER, Channel.ONLINE, Channel.ADHOC]),
        st.sampled_from(["", "1", "2"]),
        # Hours from the start of 2025, so that months, years and the local midnight (17:00 UTC) are crossed.
        st.integers(0, 24 * 400),
        st.fixed_dictionaries({"q1": scale, "q2": scale, "q3": scale, "gop_y": st.sampled_from(["", "Chờ lâu"])}),
        st.booleans(),  # publish a new version first
    ),
    max_size=10,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(submissions)
def test_the_counts_always_equal_counting_the_stored_answers(
    personas: Personas, steps: list[tuple[str, str, str, int, dict[str, str], bool]]
) -> None:
    with transaction.atomic():
        questionnaire = make_survey(personas.province)
        for unit_name, channel, group, hours, values, new_version in steps:
            if new_version:
                draft = version_new_draft(actor=None, questionnaire=questionnaire)
                version_publish(actor=None, version=draft)
            if not any(values.values()):
                values = {"q1": "3"}
            with time_machine.travel(START + datetime.timedelta(hours=hours), tick=False):
                submit(
                    published(questionnaire),
                    getattr(personas, unit_name),
                    values,
                    channel=channel,
                    respondent_group=group,
                )
        assert_counts_match_the_answers()
        transaction.set_rollback(True)


def test_a_refused_submission_adds_nothing_to_the_counts(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    submit(published(questionnaire), personas.unit_a, {"q1": "5"}, channel=Channel.COUNTER)
    before = (kept_answer_counts(), kept_response_counts())
    with pytest.raises(ServiceError):
        submit(published(questionnaire), personas.unit_a, {"q1": "9"}, channel=Channel.COUNTER)
    assert (kept_answer_counts(), kept_response_counts()) == before


def test_a_double_submit_with_one_key_counts_once(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    for _ in range(2):
        submit(published(questionnaire), personas.unit_a, {"q1": "5"}, channel=Channel.ONLINE, idempotency_key="k" * 32)
    assert sum(kept_response_counts().values()) == 1
    assert_counts_match_the_answers()


# ---------------------------------------------------------------------------
# The results read from the counts are the results counted from the answers


def raw_results(questionnaire: Questionnaire, where: ResultsFilter, by: str) -> tuple[Any, ...]:
    """The report and breakdown computed the way they were before the counts: from the answers themselves."""
    responses = Response.objects.filter(questionnaire=questionnaire)
    selected = filtered_responses(responses, where)
    version = results_version(questionnaire)
    assert version is not None
    result = satisfaction_index(shape_of(version), answer_counts(selected))
    report, _ = results_with_breakdown(questionnaire, responses, where, by)
    assert report is not None
    grouped = grouped_answer_counts(selected, by)
    sizes = grouped_response_counts(selected, by)
    rows = results_breakdown(report, responses, by, grouped=(grouped, sizes))
    return selected.count(), result.index, [s.score for s in result.sections], breakdown_figures(rows)


def kept_results(questionnaire: Questionnaire, where: ResultsFilter, by: str) -> tuple[Any, ...]:
    report, rows = results_with_breakdown(
        questionnaire, Response.objects.filter(questionnaire=questionnaire), where, by
    )
    assert report is not None
    result = report.result
    return report.responses, result.index, [s.score for s in result.sections], breakdown_figures(rows)


def breakdown_figures(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [(row.key, row.label, row.responses, row.index, row.target, row.status) for row in rows]


def filters(personas: Personas, year: int) -> list[ResultsFilter]:
    return [
        ResultsFilter(),
        ResultsFilter(unit=personas.province),
        ResultsFilter(unit=personas.unit_a),
        ResultsFilter(channels=(Channel.COUNTER, Channel.ONLINE)),
        ResultsFilter(channels=(Channel.ADHOC,)),
        ResultsFilter(period=Period(year, PeriodKind.YEAR)),
        ResultsFilter(period=Period(year, PeriodKind.QUARTER, 1), unit=personas.province),
        ResultsFilter(period=Period(year, PeriodKind.MONTH, 3), channels=(Channel.COUNTER,)),
        ResultsFilter(group="1"),
    ]


def test_results_and_breakdowns_from_the_counts_equal_those_from_the_answers(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    plan = [
        (personas.unit_a, Channel.COUNTER, "", "2025-01-31T17:30:00+00:00", {"q1": "5", "q2": "4", "q3": "5"}),
        (personas.unit_a, Channel.COUNTER, "1", "2025-03-02T01:00:00+00:00", {"q1": "2", "q2": "3"}),
        (personas.unit_b, Channel.ONLINE, "", "2025-03-31T16:59:00+00:00", {"q1": "1", "q3": "4"}),
        (personas.office_a, Channel.ADHOC, "2", "2025-07-10T08:00:00+00:00", {"q1": "4", "q2": "5", "q3": "5"}),
        (personas.unit_b, Channel.COUNTER, "1", "2025-12-31T17:00:00+00:00", {"q2": "2", "gop_y": "Chậm"}),
    ]
    for unit, channel, group, when, values in plan * 3:
        with time_machine.travel(datetime.datetime.fromisoformat(when), tick=False):
            submit(published(questionnaire), unit, values, channel=channel, respondent_group=group)
    for where in filters(personas, 2025):
        for by in ("unit", "channel", "group", "month"):
            assert kept_results(questionnaire, where, by) == raw_results(questionnaire, where, by), (where, by)


def test_the_comment_counts_read_from_the_counts_equal_those_counted_from_the_answers(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    plan = [
        (personas.unit_a, Channel.COUNTER, "", "2025-01-31T17:30:00+00:00", {"q1": "5", "gop_y": "Chờ lâu"}),
        (personas.unit_a, Channel.ONLINE, "1", "2025-03-02T01:00:00+00:00", {"q1": "2", "gop_y": "Thiếu ghế"}),
        (personas.unit_b, Channel.COUNTER, "", "2025-03-31T16:59:00+00:00", {"q1": "1"}),
        (personas.office_a, Channel.ADHOC, "2", "2025-07-10T08:00:00+00:00", {"q2": "5", "gop_y": "Tốt"}),
    ]
    for unit, channel, group, when, values in plan * 2:
        with time_machine.travel(datetime.datetime.fromisoformat(when), tick=False):
            submit(published(questionnaire), unit, values, channel=channel, respondent_group=group)
    texts = list(Answer.objects.exclude(text_value="").order_by("pk"))
    comment_set_handled(actor=personas.secretariat, answer=texts[0], handled=True)
    comment_set_handled(actor=personas.secretariat, answer=texts[3], handled=True)
    comment_task_create(
        actor=personas.secretariat, answer=texts[1], unit=personas.unit_a, title="Việc", deadline=timezone.localdate()
    )
    assert_counts_match_the_answers()
    everything = Response.objects.filter(questionnaire=questionnaire)
    scopes = [everything, everything.filter(unit=personas.unit_a), everything.none()]
    for responses in scopes:
        for where in filters(personas, 2025):
            raw = comment_counts(comment_answers(filtered_responses(responses, where)))
            assert counted_comment_counts(questionnaire, responses, where) == raw, where
            report, _ = results_with_breakdown(questionnaire, responses, where, "channel")
            assert report is not None and report.comments == raw.total, where
            assert counted_comment_counts(questionnaire, responses, where, total=report.comments) == raw, where
    assert counted_comment_counts(questionnaire, everything, ResultsFilter()) == CommentCounts(6, 2, 1)


def test_the_demo_shows_the_same_figures_from_the_counts_as_from_its_answers(personas: Personas) -> None:
    ensure_templates()
    today = datetime.date(2026, 11, 20)
    assert load_responses(today=today) > 1000
    assert_counts_match_the_answers()
    for code in (COUNTER_SURVEY, SIPAS_SURVEY):
        questionnaire = Questionnaire.objects.get(code=code)
        for where in filters(personas, 2026)[:6]:
            for by in ("unit", "channel", "month"):
                assert kept_results(questionnaire, where, by) == raw_results(questionnaire, where, by), (code, where)


def raw_yes_no(responses: Any) -> dict[str, dict[str, int]]:
    """The yes/no answers among ``responses`` counted from the answers themselves, code → value → n."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        Answer.objects.filter(response__in=responses, question__kind=QuestionKind.YES_NO)
        .exclude(choice_value="")
        .values_list("question__code", "choice_value")
    )
    for code, value in rows:
        counts.setdefault(code, {})[value] = counts.setdefault(code, {}).get(value, 0) + 1
    return counts


def test_the_yes_no_shares_read_from_the_counts_equal_those_counted_from_the_answers(personas: Personas) -> None:
    ensure_templates()
    assert load_responses(today=datetime.date(2026, 11, 20)) > 1000
    questionnaire = Questionnaire.objects.get(code=COUNTER_SURVEY)
    responses = Response.objects.filter(questionnaire=questionnaire)
    for where in filters(personas, 2026):
        kept = yes_no_counts(questionnaire, responses, where)
        assert kept == raw_yes_no(filtered_responses(responses, where)), where
        report, _ = results_with_breakdown(questionnaire, responses, where, "unit")
        assert report is not None and report.yes_no == kept, where
    everything = yes_no_counts(questionnaire, responses, ResultsFilter())
    assert everything and all(set(values) <= {"yes", "no"} for values in everything.values())
    assert sum(everything[next(iter(everything))].values()) > 100


def test_a_reader_scoped_to_a_subtree_reads_only_its_counts(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    submit(published(questionnaire), personas.unit_a, {"q1": "5"}, channel=Channel.COUNTER)
    submit(published(questionnaire), personas.unit_b, {"q1": "1"}, channel=Channel.COUNTER)
    scoped = Response.objects.filter(questionnaire=questionnaire, unit=personas.unit_b)
    report, rows = results_with_breakdown(questionnaire, scoped, ResultsFilter(), "unit")
    assert report is not None and report.responses == 1 and report.result.index == 0
    assert [row.key for row in rows] == [personas.unit_b.pk]
    nothing, _ = results_with_breakdown(questionnaire, Response.objects.none(), ResultsFilter(), "unit")
    assert nothing is not None and nothing.responses == 0 and nothing.result.index is None


def test_the_collection_summary_counts_by_unit_channel_and_the_last_days(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    now = timezone.now()
    for days_ago, unit, channel in ((0, personas.unit_a, Channel.COUNTER), (2, personas.unit_a, Channel.ONLINE)):
        with time_machine.travel(now - datetime.timedelta(days=days_ago), tick=False):
            submit(published(questionnaire), unit, {"q1": "4"}, channel=channel)
    with time_machine.travel(now - datetime.timedelta(days=40), tick=False):
        submit(published(questionnaire), personas.unit_b, {"q1": "4"}, channel=Channel.COUNTER)
    summary = collection_summary(Response.objects.filter(questionnaire=questionnaire))
    assert summary.total == 3
    assert {counts.unit_name: counts.total for counts in summary.units} == {"Sở Tư pháp": 2, "Xã Hòa Bình": 1}
    assert summary.channel_totals[:2] == [2, 1]
    today = timezone.localdate()
    assert summary.days == [(today, 1), (today - datetime.timedelta(days=2), 1)]
    assert collection_summary(Response.objects.none()).total == 0


# ---------------------------------------------------------------------------
# Rebuilding


def test_the_command_rebuilds_the_counts_from_the_answers_for_all_or_one_version(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    first = published(questionnaire)
    submit(first, personas.unit_a, {"q1": "5", "q2": "4"}, channel=Channel.COUNTER)
    version_publish(actor=None, version=version_new_draft(actor=None, questionnaire=questionnaire))
    second = published(questionnaire)
    submit(second, personas.unit_b, {"q1": "2"}, channel=Channel.ONLINE)
    submit(second, personas.unit_b, {"q1": "3", "gop_y": "Chậm"}, channel=Channel.ONLINE)
    AnswerCount.objects.all().delete()
    ResponseCount.objects.filter(version=first).update(count=40)
    ResponseCount.objects.filter(version=second).update(comments=0)
    out = io.StringIO()
    call_command("rebuild_survey_counts", "--version", str(second.pk), stdout=out)
    assert "Đã đếm lại" in out.getvalue()
    assert set(AnswerCount.objects.values_list("version_id", flat=True)) == {second.pk}
    assert ResponseCount.objects.get(version=first).count == 40
    assert sum(kept_comment_counts().values()) == 1
    call_command("rebuild_survey_counts", stdout=out)
    assert_counts_match_the_answers()
    call_command("rebuild_survey_counts", stdout=out)
    assert_counts_match_the_answers()
    with pytest.raises(CommandError, match="Không có phiên bản"):
        call_command("rebuild_survey_counts", "--version", "999999")


# ---------------------------------------------------------------------------
# Concurrency


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_about_one_unit_and_day_lose_no_count(personas: Personas) -> None:
    """Workers storing responses at once about the same unit, channel and day all add to the same rows."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    questionnaire = make_survey(personas.province)
    version = published(questionnaire)
    workers = 8
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def worker(position: int) -> None:
        try:
            start.wait()
            for turn in range(5):
                values = {"q1": str(1 + (position + turn) % 5), "q2": "4", "q3": "5"}
                submit(version, personas.unit_a, values, channel=Channel.COUNTER)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(position,)) for position in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sum(kept_response_counts().values()) == workers * 5
    assert_counts_match_the_answers()


accepted_forms = st.lists(
    st.tuples(
        st.sampled_from(["unit_a", "unit_b", "office_a"]),
        st.sampled_from([Channel.COUNTER, Channel.ONLINE, Channel.ADHOC]),
        st.integers(0, 24 * 400),  # hours from the start of 2025: months and the local midnight are crossed
        st.fixed_dictionaries({"q1": scale, "q2": scale, "q3": scale, "gop_y": st.sampled_from(["", "Chờ lâu"])}),
        st.booleans(),  # the same form sent twice
    ),
    max_size=12,
)
# Runs of the inbox job before the last one: (rows per batch, whether the run dies before its commit).
job_runs = st.lists(st.tuples(st.integers(1, 4), st.booleans()), max_size=5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accepted_forms, job_runs)
def test_the_counts_kept_by_the_inbox_job_equal_a_recount_even_when_runs_die(
    personas: Personas, forms: list[tuple[str, str, int, dict[str, str], bool]], runs: list[tuple[int, bool]]
) -> None:
    with transaction.atomic():
        questionnaire = make_survey(personas.province)
        version = published(questionnaire)
        ids = dict(version.questions.values_list("code", "pk"))
        points: dict[tuple[str, str], Any] = {}
        for number, (unit_name, channel, hours, values, twice) in enumerate(forms):
            if (unit_name, channel) not in points:
                points[unit_name, channel] = collection_point_create(
                    actor=None,
                    questionnaire=questionnaire,
                    data=PointData(unit=getattr(personas, unit_name), channel=channel),
                )
            point = points[unit_name, channel]
            answers = {ids[code]: [value] for code, value in values.items() if value} or {ids["q1"]: ["3"]}
            acceptance = inbox.Acceptance(
                point_id=point.pk,
                token=point.token,
                version_id=version.pk,
                answers=answers,
                idempotency_key=f"k{number}",
            )
            with time_machine.travel(START + datetime.timedelta(hours=hours), tick=False):
                for _ in range(2 if twice else 1):
                    assert inbox.response_accept(acceptance, today=datetime.date(2025, 1, 1)) is not None
        for batch_size, dies in runs:
            if dies:  # killed before its commit: nothing of it stays
                with transaction.atomic():
                    inbox.inbox_process(batch_size=batch_size, max_batches=1)
                    transaction.set_rollback(True)
            else:
                inbox.inbox_process(batch_size=batch_size, max_batches=1)
        inbox.inbox_process(batch_size=3)
        assert Response.objects.filter(questionnaire=questionnaire).count() == len(forms)
        assert_counts_match_the_answers()
        transaction.set_rollback(True)
