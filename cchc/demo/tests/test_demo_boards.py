"""The whole demo, loaded on 7 December 2026, fills every dashboard and the province's annual report; running it
again changes nothing but the passwords asked for.

Loading the demo takes long, so the module loads it once (``cchc demo``, the day pinned) and each test reads it inside
its own transaction; the tests that run the command a second time do so inside theirs, so it is rolled back after
them. What the demo shows follows the day it is loaded: :func:`test_the_demo_calendar_follows_the_day` checks other
days without loading anything.
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
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import RoleAssignment, User
from cchc.assessments.models import Round, Stage
from cchc.audit.models import AuditAction, AuditEntry
from cchc.demo.data import ACCOUNTS, DEFAULT_PASSWORD, PROVINCE, DemoCalendar
from cchc.indicators import external
from cchc.indicators.external_demo import ILLUSTRATIVE
from cchc.indicators.models import IndicatorValue
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Membership, Unit, UnitSuccession
from cchc.reports.figures import NO_DATA, report_figures
from cchc.reports.models import SECTION_KEYS, Report

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)  # 9:00 in Hà Nội
DAY = datetime.date(2026, 12, 7)
BOARDS = {"thuongtruc": "board-secretariat", "lanhdao": "board-leader", "daumoi": "board-focal-point"}
BOARDS["giamsat"] = "board-supervisor"


LATER = TODAY + datetime.timedelta(hours=1)  # the same day: a second run an hour after the first
_first_output: list[str] = []


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _load() -> None:
    _first_output[:] = [_demo()]


@pytest.fixture(scope="module", autouse=True)
def demo(module_database: Callable[[Callable[[], object]], AbstractContextManager[None]]) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CCHC_DEMO_PASSWORD", raising=False)  # the default demo password, as a first run without one
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


def _state() -> dict[str, object]:
    return {
        "units": sorted(Unit.objects.values_list("code", "name", "path", "parent__code", "valid_to", "updated_at")),
        "users": sorted(User.objects.values_list("username", "full_name", "password", "is_active")),
        "memberships": Membership.objects.count(),
        "roles": sorted(RoleAssignment.objects.values_list("user__username", "role", "scope__code")),
        "successions": sorted(UnitSuccession.objects.values_list("predecessor__code", "successor__code")),
        "audit": AuditEntry.objects.count(),
    }


def _log_in(username: str, password: str) -> User | None:
    user = authenticate(RequestFactory().post("/"), username=username, password=password)
    return user if isinstance(user, User) else None


def test_running_the_demo_twice_creates_nothing_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_DEMO_PASSWORD", raising=False)
    (output,) = _first_output  # what the module's load (the first run, on an empty database) printed
    first = _state()
    with time_machine.travel(LATER, tick=False):  # a record saved again would show the later time
        _demo()
    assert _state() == first
    for spec in ACCOUNTS:
        assert spec.username in output
    assert DEFAULT_PASSWORD in output
    assert len(first["units"]) > 100  # type: ignore[arg-type]
    assert len(first["successions"]) > 10  # type: ignore[arg-type]


def test_each_run_resets_the_passwords_to_the_one_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    # The module's load ran with the default password; each later run sets the one asked for.
    assert _log_in("lanhdao", DEFAULT_PASSWORD) is not None
    monkeypatch.setenv("CCHC_DEMO_PASSWORD", "Mat-khau-rieng-2025")
    output = _demo()
    assert "Mat-khau-rieng-2025" in output
    assert _log_in("lanhdao", "Mat-khau-rieng-2025") is not None
    assert _log_in("lanhdao", DEFAULT_PASSWORD) is None
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD).count() == len(ACCOUNTS)
    _demo("--password", "Mat-khau-dong-lenh-2025")
    assert _log_in("daumoi_xa", "Mat-khau-dong-lenh-2025") is not None
