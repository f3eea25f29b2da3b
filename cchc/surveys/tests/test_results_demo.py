"""The demo answers: a year of plausible responses, fast, the same every run, published with some units below target."""

from __future__ import annotations

import datetime
import io

from cchc.indicators.models import IndicatorValue
from cchc.lib.partitions import default_partition_rows
from cchc.surveys.demo import load_demo, load_responses
from cchc.surveys.models import Channel, CollectionPoint, Response
from cchc.surveys.selectors import ADHOC_CODE, REGULAR_CODE
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.testing.personas import Personas

TODAY = datetime.date(2026, 11, 20)


def test_the_demo_generates_a_year_of_answers_only_once(personas: Personas) -> None:
    ensure_templates()
    created = load_responses(today=TODAY)
    assert created > 1000 and Response.objects.count() == created
    channels = set(Response.objects.values_list("channel", flat=True))
    assert channels == {Channel.COUNTER, Channel.ONLINE, Channel.ADHOC}
    first, last = Response.objects.order_by("submitted_at").values_list("submitted_at", flat=True)[:: created - 1]
    assert first.date() >= datetime.date(2025, 12, 1) and last.date() <= TODAY
    assert CollectionPoint.objects.count() > 0
    assert default_partition_rows() == {}  # on PostgreSQL, last December's answers have their year's partition
    assert load_responses(today=TODAY) == 0 and Response.objects.count() == created


def test_the_demo_results_are_published_with_some_units_below_the_target(personas: Personas) -> None:
    out = io.StringIO()
    load_demo(stdout=out)
    assert "Phiếu trả lời mẫu" in out.getvalue()
    regular = list(IndicatorValue.objects.filter(indicator__code=REGULAR_CODE).values_list("value", flat=True))
    assert regular and min(regular) < 95 < max(regular)
    assert IndicatorValue.objects.filter(indicator__code=ADHOC_CODE).exists()
