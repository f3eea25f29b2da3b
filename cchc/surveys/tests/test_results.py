"""Satisfaction results: the index formula, its counts from the database, breakdowns and publication."""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.audit.models import AuditEntry
from cchc.indicators.models import IndicatorValue, Target, ValueOrigin
from cchc.indicators.selectors import Status
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit
from cchc.surveys.counts import counts_add
from cchc.surveys.models import (
    Answer,
    Channel,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Response,
    VersionState,
)
from cchc.surveys.publishing import satisfaction_targets_ensure, survey_results_publish
from cchc.surveys.results import (
    QuestionShape,
    ResultsRules,
    SectionShape,
    question_score,
    recommended_sample,
    satisfaction_index,
    wilson_interval,
)
from cchc.surveys.selectors import (
    ADHOC_CODE,
    REGULAR_CODE,
    ResultsFilter,
    answer_counts,
    results_breakdown,
    results_report,
    results_with_breakdown,
)
from cchc.surveys.services import questionnaire_build
from cchc.surveys.specs import QuestionnaireSpec, QuestionSpec, SectionSpec
from cchc.testing.personas import Personas

S5 = QuestionKind.SATISFACTION5


def q(code: str, kind: str = S5, weight: str | None = None) -> QuestionShape:
    return QuestionShape(code=code, text=code, kind=kind, weight=Decimal(weight) if weight else None)


TWO_ELEMENTS = (
    SectionShape("A", Decimal(1), (q("a1"), q("a2", weight="3"))),
    SectionShape("B", Decimal(2), (q("b1"), q("note", QuestionKind.LONG_TEXT))),
)


# --- The formula ---------------------------------------------------------------------------------------------------


def test_a_questions_share_counts_satisfied_and_very_satisfied_among_valid_answers() -> None:
    score = question_score(q("x"), {"1": 1, "3": 1, "4": 1, "5": 1, "9": 5}, ResultsRules())
    assert score.n == 4 and score.score == 50 and score.mean == (1 + 3 + 4 + 5) / 4
    assert score.ci_low is not None and score.ci_high is not None and score.ci_low < 50 < score.ci_high


def test_the_index_is_the_weighted_mean_of_elements_each_the_weighted_mean_of_its_questions() -> None:
    counts = {"a1": {"5": 1}, "a2": {"1": 1}, "b1": {"4": 3, "2": 1}}
    result = satisfaction_index(TWO_ELEMENTS, counts)
    element_a = (100 * 1 + 0 * 3) / 4
    assert result.sections[0].score == element_a and result.sections[1].score == 75
    assert result.index == pytest.approx((element_a * 1 + 75 * 2) / 3)
    assert [score.question.code for score in result.questions] == ["a1", "a2", "b1"]


def test_unanswered_questions_and_zero_weights_neither_lower_nor_raise_the_index() -> None:
    shape = (SectionShape("A", Decimal(1), (q("a1"), q("a2", weight="0"))), SectionShape("B", Decimal(0), (q("b1"),)))
    result = satisfaction_index(shape, {"a1": {"5": 1, "1": 1}, "a2": {"1": 10}, "b1": {"1": 10}})
    assert result.index == 50
    assert satisfaction_index(shape, {}).index is None


def test_points_and_options_score_as_a_share_of_the_maximum_with_a_configurable_option_scale() -> None:
    assert question_score(q("p", QuestionKind.POINTS012), {"2": 1, "1": 1, "0": 2}, ResultsRules()).score == 37.5
    options = q("o", QuestionKind.OPTIONS_AD)
    assert question_score(options, {"A": 1, "B": 1, "C": 1, "D": 1}, ResultsRules()).score == 45
    strict = ResultsRules(option_points={"A": Decimal(100), "B": Decimal(50), "C": Decimal(0), "D": Decimal(0)})
    assert question_score(options, {"A": 1, "B": 1}, strict).score == 75


def test_a_deployment_sets_its_own_option_points(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCHC_SURVEY_OPTION_POINTS = {"A": 100, "B": 75, "C": 25, "D": 0}
    assert question_score(q("o", QuestionKind.OPTIONS_AD), {"B": 1, "C": 1}, ResultsRules()).score == 50


def test_the_wilson_interval_and_the_recommended_sample_follow_their_textbook_values() -> None:
    low, high = wilson_interval(80, 100) or (0, 0)
    assert round(low, 1) == 71.1 and round(high, 1) == 86.7
    assert wilson_interval(0, 0) is None
    assert recommended_sample(1000) == 286 and recommended_sample(None) is None and recommended_sample(0) is None


value_counts = st.dictionaries(st.sampled_from(["1", "2", "3", "4", "5"]), st.integers(0, 50), max_size=5)
all_counts = st.fixed_dictionaries({"a1": value_counts, "a2": value_counts, "b1": value_counts})


@settings(max_examples=200, deadline=None)
@given(all_counts)
def test_every_index_lies_between_0_and_100(counts: Mapping[str, Mapping[str, int]]) -> None:
    result = satisfaction_index(TWO_ELEMENTS, counts)
    scores = [result.index, *(s.score for s in result.sections), *(s.score for s in result.questions)]
    assert all(0 <= score <= 100 for score in scores if score is not None)


@settings(max_examples=200, deadline=None)
@given(all_counts, st.sampled_from(["a1", "a2", "b1"]), st.sampled_from(["4", "5"]))
def test_adding_a_satisfied_answer_never_lowers_a_questions_share_nor_the_index(
    counts: Mapping[str, Mapping[str, int]], code: str, value: str
) -> None:
    before = satisfaction_index(TWO_ELEMENTS, counts)
    more = {key: dict(values) for key, values in counts.items()}
    more[code][value] = more[code].get(value, 0) + 1
    after = satisfaction_index(TWO_ELEMENTS, more)
    share_before = next(s.score for s in before.questions if s.question.code == code)
    share_after = next(s.score for s in after.questions if s.question.code == code)
    assert share_after is not None and (share_before is None or share_after >= share_before - 1e-9)
    assert after.index is not None and (before.index is None or after.index >= before.index - 1e-9)


# --- Counted by the database ---------------------------------------------------------------------------------------

DAY = datetime.datetime(2025, 3, 10, 9, tzinfo=datetime.UTC)


def make_survey(owner: Unit, *, code: str = "kq-thu", kind: str = QuestionnaireKind.COUNTER_EXIT) -> Questionnaire:
    if kind == QuestionnaireKind.OFFICIALS:
        sections = [
            SectionSpec(
                title="Đánh giá",
                questions=[
                    QuestionSpec(code="c1", text="Công khai TTHC", kind=QuestionKind.OPTIONS_AD),
                    QuestionSpec(code="c2", text="Thái độ công chức", kind=QuestionKind.OPTIONS_AD),
                ],
            )
        ]
    else:
        sections = [
            SectionSpec(
                title="Tiếp cận dịch vụ",
                questions=[
                    QuestionSpec(code="q1", text="Nơi đón tiếp", kind=S5),
                    QuestionSpec(code="q2", text="Thời gian chờ", kind=S5),
                ],
            ),
            SectionSpec(
                title="Kết quả",
                weight=Decimal(2),
                questions=[
                    QuestionSpec(code="q3", text="Kết quả đúng hạn", kind=S5),
                    QuestionSpec(code="gop_y", text="Góp ý", kind=QuestionKind.LONG_TEXT),
                ],
            ),
        ]
    spec = QuestionnaireSpec(code=code, title="Phiếu kết quả thử", kind=kind, source_note="Thử.", sections=sections)
    return questionnaire_build(actor=None, spec=spec, owner=owner, publish=True)


def seed(
    questionnaire: Questionnaire,
    unit: Unit,
    values: Mapping[str, str],
    *,
    times: int = 1,
    channel: str = Channel.COUNTER,
    when: datetime.datetime = DAY,
    group: str = "",
    text: str = "",
) -> None:
    """``times`` responses answering every question code of ``values`` with its value."""
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    questions = dict(version.questions.values_list("code", "pk"))
    for _ in range(times):
        response = Response.objects.create(
            questionnaire=questionnaire,
            version=version,
            unit=unit,
            channel=channel,
            respondent_group=group,
            submitted_at=when,
        )
        answers = [Answer(response=response, question_id=questions[code], choice_value=v) for code, v in values.items()]
        if text:
            answers.append(Answer(response=response, question_id=questions["gop_y"], text_value=text))
        counts_add(response, Answer.objects.bulk_create(answers))


@pytest.fixture
def survey(personas: Personas) -> Questionnaire:
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "5", "q2": "4", "q3": "5"}, times=3)
    seed(questionnaire, personas.unit_a, {"q1": "2", "q2": "3", "q3": "4"}, times=1, text="Phải chờ lâu")
    seed(questionnaire, personas.unit_b, {"q1": "1", "q2": "2", "q3": "3"}, times=2, channel=Channel.ONLINE)
    seed(
        questionnaire,
        personas.unit_b,
        {"q1": "5", "q2": "5", "q3": "5"},
        channel=Channel.ADHOC,
        when=DAY.replace(month=8),
    )
    return questionnaire


def test_the_database_counts_answers_per_question_and_value(survey: Questionnaire) -> None:
    counts = answer_counts(Response.objects.filter(questionnaire=survey))
    assert counts["q1"] == {"5": 4, "2": 1, "1": 2} and "gop_y" not in counts


def test_the_report_filters_by_unit_subtree_channel_and_period(personas: Personas, survey: Questionnaire) -> None:
    responses = Response.objects.filter(questionnaire=survey)
    whole = results_report(survey, responses, ResultsFilter())
    assert whole is not None and whole.responses == 7
    unit_a = results_report(survey, responses, ResultsFilter(unit=personas.unit_a))
    assert unit_a is not None and unit_a.responses == 4
    q1 = unit_a.result.questions[0]
    assert (q1.n, q1.score) == (4, 75)
    adhoc = results_report(survey, responses, ResultsFilter(channels=(Channel.ADHOC,)))
    assert adhoc is not None and adhoc.result.index == 100 and adhoc.indicator_code == ADHOC_CODE
    march = results_report(survey, responses, ResultsFilter(period=Period(2025, PeriodKind.MONTH, 3)))
    assert march is not None and march.responses == 6


def test_the_report_compares_with_the_shipped_targets_and_warns_below_the_recommended_sample(
    personas: Personas, survey: Questionnaire
) -> None:
    satisfaction_targets_ensure()
    responses = Response.objects.filter(questionnaire=survey)
    report = results_report(survey, responses, ResultsFilter(unit=personas.unit_a), population=1000)
    assert report is not None and report.target == 95 and report.status == Status.NOT_MET
    assert report.recommended == 286 and report.below_recommended
    adhoc = results_report(survey, responses, ResultsFilter(channels=(Channel.ADHOC,)))
    assert adhoc is not None and adhoc.target == 85 and adhoc.status == Status.MET


def test_the_shipped_targets_are_created_once_and_never_overwrite_the_secretariats(personas: Personas) -> None:
    assert len(satisfaction_targets_ensure()) == 2
    Target.objects.filter(indicator__code=REGULAR_CODE).update(value=90)
    assert satisfaction_targets_ensure() == []
    assert Target.objects.get(indicator__code=REGULAR_CODE).value == 90


def test_breakdowns_by_unit_channel_period_and_group_each_give_an_index(
    personas: Personas, survey: Questionnaire
) -> None:
    responses = Response.objects.filter(questionnaire=survey)
    report = results_report(survey, responses, ResultsFilter(unit=personas.province))
    assert report is not None
    by_unit = {row.label: row for row in results_breakdown(report, responses, "unit")}
    assert by_unit["Sở Tư pháp"].responses == 4 and by_unit["Xã Hòa Bình"].responses == 3
    by_channel = {row.key: row.responses for row in results_breakdown(report, responses, "channel")}
    assert by_channel == {Channel.COUNTER: 4, Channel.ONLINE: 2, Channel.ADHOC: 1}
    by_quarter = results_breakdown(report, responses, "month", period_kind=PeriodKind.QUARTER)
    assert [(row.key.key, row.responses) for row in by_quarter] == [("2025-Q1", 6), ("2025-Q3", 1)]
    assert all(row.index is not None and 0 <= row.index <= 100 for row in by_quarter)


def test_a_breakdown_costs_a_fixed_number_of_queries(
    personas: Personas, survey: Questionnaire, django_assert_max_num_queries: object
) -> None:
    responses = Response.objects.filter(questionnaire=survey)
    report = results_report(survey, responses, ResultsFilter())
    assert report is not None
    seed(survey, personas.unit_b, {"q1": "4"}, times=30)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        results_breakdown(report, responses, "unit")


def test_the_page_computation_counts_once_and_agrees_with_the_separate_reads(
    personas: Personas, survey: Questionnaire
) -> None:
    responses = Response.objects.filter(questionnaire=survey)
    where = ResultsFilter(unit=personas.province)
    report, rows = results_with_breakdown(survey, responses, where, "channel")
    alone = results_report(survey, responses, where)
    assert report is not None and alone is not None
    assert (report.responses, report.result.index) == (alone.responses, alone.result.index)
    assert [(r.key, r.index) for r in rows] == [
        (r.key, r.index) for r in results_breakdown(alone, responses, "channel")
    ]


# --- Publication into the indicator store --------------------------------------------------------------------------


def test_publishing_writes_the_regular_and_adhoc_indices_per_unit_idempotently_and_audited(
    personas: Personas, survey: Questionnaire
) -> None:
    year = Period(2025, PeriodKind.YEAR)
    values = survey_results_publish(actor=personas.secretariat, questionnaire=survey, period=year)
    stored = {(v.indicator.code, v.unit.code): v for v in IndicatorValue.objects.select_related("indicator", "unit")}
    province = stored[(REGULAR_CODE, personas.province.code)]
    assert province.origin == ValueOrigin.COMPUTED and province.denominator == 6
    regular = ResultsFilter(year, personas.province, (Channel.COUNTER, Channel.ONLINE))
    report = results_report(survey, Response.objects.filter(questionnaire=survey), regular)
    assert report is not None and report.result.index is not None
    assert province.value == Decimal(str(round(report.result.index, 2)))
    assert (ADHOC_CODE, personas.unit_b.code) in stored and (ADHOC_CODE, personas.unit_a.code) not in stored
    audits = AuditEntry.objects.count()
    again = survey_results_publish(actor=personas.secretariat, questionnaire=survey, period=year)
    assert len(again) == len(values) and AuditEntry.objects.count() == audits
    assert IndicatorValue.objects.count() == len(values)


def test_the_officials_survey_publishes_each_question_as_points_of_the_options(personas: Personas) -> None:
    officials = make_survey(personas.province, code="xhh-thu", kind=QuestionnaireKind.OFFICIALS)
    seed(officials, personas.province, {"c1": "A", "c2": "B"}, group="dai_bieu_hdnd")
    seed(officials, personas.province, {"c1": "C", "c2": "B"}, group="lanh_dao_xa")
    survey_results_publish(actor=None, questionnaire=officials, period=Period(2025, PeriodKind.YEAR))
    values = dict(IndicatorValue.objects.values_list("indicator__code", "value"))
    assert values == {"survey.xhh-thu.c1": Decimal(60), "survey.xhh-thu.c2": Decimal(60)}


def test_publishing_an_unpublished_questionnaire_is_refused_in_vietnamese(personas: Personas) -> None:
    spec = QuestionnaireSpec(code="nhap", title="Nháp", kind=QuestionnaireKind.CUSTOM, sections=[])
    draft = questionnaire_build(actor=None, spec=spec, owner=personas.province)
    with pytest.raises(ServiceError, match="chưa được ban hành"):
        survey_results_publish(actor=None, questionnaire=draft, period=Period(2025, PeriodKind.YEAR))


def test_the_command_publishes_the_sipas_questionnaires_by_default_and_any_other_by_name(
    personas: Personas, survey: Questionnaire
) -> None:
    sipas = make_survey(personas.province, code="kq-sipas", kind=QuestionnaireKind.SIPAS)
    seed(sipas, personas.unit_a, {"q1": "5", "q2": "5", "q3": "4"}, times=2)
    out = io.StringIO()
    call_command("publish_survey_results", "--period", "2025-Q1", stdout=out)
    assert "kq-sipas" in out.getvalue() and "kq-thu" not in out.getvalue()
    value = IndicatorValue.objects.get(indicator__code=REGULAR_CODE, period_key="2025-Q1", unit=personas.unit_a)
    assert value.value == 100
    call_command("publish_survey_results", "--period", "2025-Q1", "--survey", "kq-thu", stdout=out)
    value.refresh_from_db()
    assert value.value < 100
    with pytest.raises(CommandError, match="Kỳ không hợp lệ"):
        call_command("publish_survey_results", "--period", "quý 5")
    with pytest.raises(CommandError, match="Không có phiếu"):
        call_command("publish_survey_results", "--period", "2025", "--survey", "khong-co")
