"""The whole demo, loaded on 7 December 2026, fills every dashboard and the province's annual report.

Loading the demo takes long, so the module loads it once (``cchc demo``, the day pinned) and each test reads it inside
its own transaction. What the demo shows follows the day it is loaded: :func:`test_the_demo_calendar_follows_the_day`
checks other days without loading anything.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import User
from cchc.assessments.models import Round, Stage
from cchc.demo.data import PROVINCE, DemoCalendar
from cchc.indicators import external
from cchc.indicators.external_demo import ILLUSTRATIVE
from cchc.indicators.models import IndicatorValue
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit
from cchc.reports.figures import NO_DATA, report_figures
from cchc.reports.models import SECTION_KEYS, Report

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)  # 9:00 in Hà Nội
DAY = datetime.date(2026, 12, 7)
BOARDS = {"thuongtruc": "board-secretariat", "lanhdao": "board-leader", "daumoi": "board-focal-point"}
BOARDS["giamsat"] = "board-supervisor"


def _load() -> None:
    call_command("demo", stdout=io.StringIO())


@pytest.fixture(scope="module", autouse=True)
def demo(module_database: Callable[[Callable[[], object]], AbstractContextManager[None]]) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False), module_database(_load):
        yield


def _page(username: str, url: str = "/") -> tuple[str, Any]:
    # These tests read what the boards computed (the context), so each page is computed, not taken from the cache
    # of page sections that an earlier test filled (cchc.lib.page_cache).
    cache.clear()
    client = Client()
    client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), response.context


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_the_round_in_progress_has_its_deadline_a_few_weeks_ahead_and_last_years_round_is_published() -> None:
    html, context = _page("thuongtruc")
    board = context["data"]
    assert board.round.year == 2026 and board.round.stage == Stage.SELF_ASSESSMENT
    ahead = (board.round.self_assessment_deadline - DAY).days
    assert 14 <= ahead <= 35
    progress = board.progress
    assert 0 < progress.count("submitted") < progress.total
    assert progress.count("not_started") > 0
    assert progress.count("overdue") == 0  # nothing is overdue before the deadline
    assert "31/12/2026" in html
    published = Round.objects.filter(stage=Stage.PUBLISHED).values_list("year", flat=True)
    assert sorted(published) == [2024, 2025]


def test_a_published_round_carries_the_publication_day_of_its_own_calendar_not_the_day_of_loading() -> None:
    published = dict(Round.objects.filter(stage=Stage.PUBLISHED).values_list("year", "published_at"))
    days = {year: timezone.localdate(at) for year, at in published.items()}
    assert days == {2024: datetime.date(2025, 3, 20), 2025: datetime.date(2026, 3, 20)}


def test_the_leader_compares_todays_communes_with_the_former_communes_they_continue() -> None:
    html, context = _page("lanhdao")
    board = context["data"]
    assert board.round.year == 2025
    compared = {row.unit_name: row.change for row in board.compared}
    assert compared["Xã Đoan Hùng"].basis == "merged"
    assert set(compared["Xã Đoan Hùng"].predecessors) == {"Thị trấn Đoan Hùng", "Xã Sóc Đăng", "Xã Ngọc Quan"}
    assert len(compared) == 5
    section = _section(html, "merged-comparison")
    assert "Thị trấn Đoan Hùng" in section and "empty-state" not in section


def test_the_index_tiles_show_illustrative_figures_marked_as_such_everywhere_they_appear() -> None:
    province = Unit.objects.get(code=PROVINCE)
    figures = IndicatorValue.objects.filter(unit=province, indicator__code__in=list(ILLUSTRATIVE))
    assert figures.count() == 12
    assert {value.note for value in figures} == {external.ILLUSTRATIVE_SOURCE}
    assert {value.period_key for value in figures} == {"2022", "2023", "2024", "2025"}

    html, context = _page("lanhdao")
    assert [trend.index.key for trend in context["data"].indices] == ["par", "sipas", "papi"]
    for key in ("par", "sipas", "papi"):
        section = html[html.index(f'data-testid="index-{key}"') :]
        tile = section[: section.index("</p>")]
        assert 'data-status="illustrative"' in tile and "Số liệu minh hoạ" in tile, key
        table = section[: section.index("</table>")]
        # the tile, the line above the chart and each of the four years
        assert table.count('data-status="illustrative"') == 6, key
    assert "xếp thứ 1/1" not in html  # a rank among one province says nothing

    page, _context = _page("lanhdao", reverse("indicators:external_province", args=["par", province.pk]))
    assert 'data-testid="illustrative-notice"' in page
    trend = page[page.index('data-testid="external-trend"') :]
    assert trend[: trend.index("</table>")].count('data-status="illustrative"') == 4


def test_the_trends_run_over_several_years_up_to_the_year_chosen_and_say_so() -> None:
    html, context = _page("lanhdao")
    service = context["data"].service
    assert service.year == 2026 and service.periods
    assert all(label.endswith(("2025", "2026")) for label, _value, _in_year in service.periods)
    assert any(in_year for _label, _value, in_year in service.periods)
    assert "đến hết năm 2026" in _section(html, "indices")

    earlier, context = _page("lanhdao", "/?year=2025")
    assert context["data"].service.periods == []  # the demo's dossiers begin in December 2025: no score that year
    assert "đến hết năm 2025" in _section(earlier, "indices")
    assert [trend.year for trend in context["data"].indices] == [2025, 2025, 2025]


@pytest.mark.parametrize("username", sorted(BOARDS))
def test_every_section_of_every_board_shows_data(username: str) -> None:
    html, _context = _page(username)
    assert f'data-testid="{BOARDS[username]}"' in html
    empty = re.findall(r'<p class="empty-state">(.*?)</p>', html, flags=re.S)
    assert not empty, empty
    assert 'data-status="no_data"' not in html


def test_the_public_page_shows_rankings_survey_results_service_figures_and_open_surveys() -> None:
    response = Client().get(reverse("dashboards:public"))
    assert response.status_code == 200
    html = response.content.decode()
    for empty in (
        "Tỉnh chưa công khai chỉ số phục vụ nào.",
        "Kỳ đánh giá này chưa có kết quả.",
        "Chưa có kết quả khảo sát sự hài lòng nào được công bố.",
        "Hiện không có khảo sát nào đang mở.",
    ):
        assert empty not in html
    assert 'data-testid="public-indicators"' in html and 'data-testid="public-ranking-row"' in html
    assert "Chỉ số cải cách hành chính năm 2025" in html


def test_the_annual_report_of_the_province_is_complete() -> None:
    province = Unit.objects.get(code=PROVINCE)
    report = Report.objects.get(unit=province, period_key="2026")
    texts = dict(report.sections.values_list("key", "text"))
    assert all(texts.get(key, "").strip() for key in SECTION_KEYS)
    figures = report_figures(province, Period(2026, PeriodKind.YEAR), consolidated=True)
    for table in figures.tables:
        cells = [cell for row in table.rows for cell in row]
        assert cells and NO_DATA not in cells, table.title


def test_the_demo_calendar_follows_the_day() -> None:
    winter = DemoCalendar(DAY)
    assert (winter.round_year, winter.published_years) == (2026, [2024, 2025])
    assert winter.self_assessment_deadline == datetime.date(2026, 12, 31)
    spring = DemoCalendar(datetime.date(2027, 3, 2))
    assert (spring.round_year, spring.published_years) == (2026, [2024, 2025])
    later = DemoCalendar(datetime.date(2028, 9, 1))
    assert (later.round_year, later.published_years) == (2028, [2024, 2025, 2026, 2027])
    assert later.framework_years == [2024, 2025, 2026, 2027, 2028]
    assert DemoCalendar(DAY) == winter  # the same day, the same demo
