"""Demo data: the shipped questionnaires, published and shared by every unit, and a year of plausible answers.

For a few units of the demo province the counter survey gets a link at the counter and the SIPAS questionnaire a
link online and one for an ad-hoc survey; then a year of responses is generated (deterministic: the same every run),
each unit with its own level of satisfaction so that some stay below the 95 % target, and the results are published
into the indicator store by quarter. Running it again adds nothing.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.partitions import partitions_ensure
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, UnitKind

from .collection import PointData, collection_point_create
from .counts import counts_rebuild
from .models import Answer, Channel, Question, QuestionKind, Questionnaire, Response, VersionState
from .publishing import satisfaction_targets_ensure, survey_results_publish
from .selectors import ordered_questions
from .templates_catalogue import ensure_templates

COUNTER_SURVEY = "khao-sat-nhanh-tai-quay"
SIPAS_SURVEY = "sipas-2640"
# The units of the demo province (cchc.demo.data) that collect answers, with the share of satisfied answers each
# tends to give: two above the 95 % target, the others below.
DEMO_UNITS = {"PT-TTPVHCC": 0.975, "PT-STP": 0.96, "PT-SNV": 0.93, "PT-STC": 0.9, "PT-SCT": 0.82}
COUNTER_PER_MONTH = 30
ONLINE_PER_MONTH = 8
ADHOC_MONTHS = (4, 10)
ADHOC_PER_UNIT = 25
COMMENTS = (
    "Phải chờ khá lâu ở quầy trả kết quả.",
    "Công chức hướng dẫn tận tình, dễ hiểu.",
    "Nên bố trí thêm ghế chờ và nước uống.",
    "Cổng dịch vụ công trực tuyến đôi khi bị lỗi khi tải tệp.",
    "Mong được nhắn tin báo khi hồ sơ có kết quả.",
)


def _demo_units() -> list[Unit]:
    units = list(Unit.objects.filter(code__in=DEMO_UNITS).order_by("code"))
    if units:
        return units
    province = Unit.objects.filter(parent__isnull=True, kind=UnitKind.PROVINCE).order_by("path").first()
    return list(Unit.objects.filter(parent=province).order_by("code")[:4]) if province else []


def _value(question: Question, satisfied: float, rng: random.Random) -> str:
    happy = rng.random() < satisfied
    if question.kind == QuestionKind.SATISFACTION5:
        return rng.choice("45" if happy else "1233")
    if question.kind == QuestionKind.YES_NO:
        good = "no" if "chi_phi" in question.code else "yes"
        return good if happy else ("yes" if good == "no" else "no")
    if question.kind == QuestionKind.SINGLE and question.required:
        choices = [choice.value for choice in question.choices.all()]
        return rng.choice(choices) if choices else ""
    return ""


def _responses(
    questionnaire: Questionnaire,
    unit: Unit,
    channel: str,
    days: list[datetime.date],
    satisfied: float,
    rng: random.Random,
) -> tuple[list[Response], list[list[Answer]]]:
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    questions = ordered_questions(version)
    texts = [question for question in questions if question.kind == QuestionKind.LONG_TEXT]
    zone = timezone.get_current_timezone()
    responses, answers = [], []
    for day in days:
        moment = datetime.datetime.combine(day, datetime.time(7 + rng.randrange(10), rng.randrange(60)), tzinfo=zone)
        responses.append(
            Response(
                questionnaire=questionnaire,
                version=version,
                unit=unit,
                channel=channel,
                started_at=moment - datetime.timedelta(seconds=40 + rng.randrange(300)),
                submitted_at=moment,
            )
        )
        row = [Answer(question=q, choice_value=value) for q in questions if (value := _value(q, satisfied, rng))]
        if texts and rng.random() < 0.08:
            row.append(Answer(question=texts[0], text_value=rng.choice(COMMENTS)))
        answers.append(row)
    return responses, answers


def _days(rng: random.Random, month: datetime.date, count: int, today: datetime.date) -> list[datetime.date]:
    last = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    last = min(last, today)
    span = (last - month).days + 1
    return sorted(month + datetime.timedelta(days=rng.randrange(span)) for _ in range(count)) if span > 0 else []


@transaction.atomic
def load_responses(*, today: datetime.date | None = None) -> int:
    """Links and a year of responses for the demo units; nothing when the demo responses are there already."""
    counter = Questionnaire.objects.filter(code=COUNTER_SURVEY).first()
    sipas = Questionnaire.objects.filter(code=SIPAS_SURVEY).first()
    units = _demo_units()
    if counter is None or sipas is None or not units or Response.objects.filter(questionnaire=counter).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(2640)
    first = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    months = []
    month = first
    while month <= today:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    # The year of answers reaches back into last year, whose partition a new PostgreSQL database lacks (decision 26).
    partitions_ensure(years=tuple(range(first.year, today.year + 1)))
    all_responses: list[Response] = []
    all_answers: list[list[Answer]] = []
    levels = list(DEMO_UNITS.values())
    for position, unit in enumerate(units):
        satisfied = DEMO_UNITS.get(unit.code or "", levels[position % len(levels)])
        for questionnaire, channel in ((counter, Channel.COUNTER), (sipas, Channel.ONLINE), (sipas, Channel.ADHOC)):
            collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=unit, channel=channel))
        for month in months:
            plan = [(counter, Channel.COUNTER, COUNTER_PER_MONTH), (sipas, Channel.ONLINE, ONLINE_PER_MONTH)]
            if month.month in ADHOC_MONTHS:
                plan.append((sipas, Channel.ADHOC, ADHOC_PER_UNIT))
            for questionnaire, channel, count in plan:
                # Ad-hoc surveys are answered a little less kindly than the regular ones.
                level = satisfied - (0.06 if channel == Channel.ADHOC else 0)
                days = _days(rng, month, count, today)
                responses, answers = _responses(questionnaire, unit, channel, days, level, rng)
                all_responses += responses
                all_answers += answers
    created = Response.objects.bulk_create(all_responses, batch_size=2000)
    rows: list[Answer] = []
    for response, row in zip(created, all_answers, strict=True):
        for answer in row:
            answer.response = response
            rows.append(answer)
    Answer.objects.bulk_create(rows, batch_size=5000)
    for version_id in sorted({response.version_id for response in created}):
        counts_rebuild(version_id)
    satisfaction_targets_ensure()
    quarters = sorted({Period.containing(month, PeriodKind.QUARTER) for month in months})
    for period in quarters:  # the SIPAS questionnaire feeds the indicators, as the command does by default
        survey_results_publish(actor=None, questionnaire=sipas, period=period)
    return len(created)


def load_demo(*, stdout: Any) -> None:
    created = ensure_templates()
    stdout.write(_("Phiếu khảo sát mẫu: %(created)d phiếu mới.") % {"created": len(created)} + "\n")
    responses = load_responses()
    stdout.write(_("Phiếu trả lời mẫu: %(created)d phiếu mới.") % {"created": responses} + "\n")
