"""The public page: published data only, for anonymous visitors, cached under the version of that data."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from cchc.accounts.models import User
from cchc.assessments import services as assessments_services
from cchc.assessments.demo import load_demo as load_assessments_demo
from cchc.assessments.models import Round, Stage
from cchc.assessments.tests.test_results_views import _round as build_round_with_results
from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.frameworks.demo import load_demo as load_frameworks_demo
from cchc.indicators.models import EntryMode, Indicator, Measure, ValueState
from cchc.indicators.services import (
    IndicatorData,
    indicator_create,
    indicator_set_public,
    value_accept,
    value_evidence_add,
    value_publish,
    value_save,
    value_submit,
)
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit
from cchc.procedures.demo import PROVINCE_CODE
from cchc.procedures.kpis import kpi_indicators
from cchc.surveys.collection import PointData, collection_point_create
from cchc.surveys.demo import load_demo as load_surveys_demo
from cchc.surveys.models import Channel
from cchc.surveys.publishing import satisfaction_indicators
from cchc.surveys.selectors import REGULAR_CODE
from cchc.surveys.tests.factories import make_questionnaire
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas

URL = "/public/"
LAST_YEAR = Period(timezone.localdate().year - 1, PeriodKind.YEAR)


@pytest.fixture(autouse=True)
def _home_province(settings: Any, request: pytest.FixtureRequest) -> None:
    """The personas hold two provinces with units under them: the setting names the one the site serves (the
    browser journey loads the demo, whose only province needs no setting)."""
    if request.node.get_closest_marker("browser") is None:
        settings.CCHC_PROVINCE_CODE = "T-P"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _page(client: Client | None = None) -> str:
    response = (client or Client()).get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _kpi(personas: Personas, code: str, name: str, *, entry: str = EntryMode.COMPUTED) -> Indicator:
    return indicator_create(
        actor=personas.secretariat,
        data=IndicatorData(code=code, name=name, measure=Measure.PERCENT, entry=entry, period_kind="year"),
    )


@pytest.fixture
def everything(personas: Personas, settings, tmp_path: Path) -> dict[str, object]:
    """Published data of every kind, and drafts of every kind next to it."""
    public_round = build_round_with_results(personas, is_public=True)[0]
    Round.objects.filter(pk=public_round.pk).update(name="Kỳ CCHC đã công bố")
    council = build_round_with_results(personas, stage=Stage.COUNCIL, is_public=True)[0]
    Round.objects.filter(pk=council.pk).update(name="Kỳ CCHC đang họp hội đồng")
    hidden = build_round_with_results(personas, is_public=False)[0]
    Round.objects.filter(pk=hidden.pk).update(name="Kỳ CCHC không công khai")

    on_time = _kpi(personas, "dossiers.on_time_rate", "Tỷ lệ hồ sơ giải quyết đúng hạn")
    indicator_set_public(actor=personas.secretariat, indicator=on_time, on_public_page=True)
    value_publish(actor=None, indicator=on_time, unit=personas.province, period=LAST_YEAR, value=Decimal("87.1"))
    value_publish(actor=None, indicator=on_time, unit=personas.unit_a, period=LAST_YEAR, value=Decimal("87.09"))
    private = _kpi(personas, "dossiers.postal_rate", "Tỷ lệ hồ sơ qua dịch vụ bưu chính công ích")
    value_publish(actor=None, indicator=private, unit=personas.province, period=LAST_YEAR, value=Decimal("12.5"))

    entered = _kpi(personas, "unit.digitised", "Tỷ lệ số hóa kết quả do đơn vị nhập", entry=EntryMode.UNIT)
    indicator_set_public(actor=personas.secretariat, indicator=entered, on_public_page=True)
    value_save(
        actor=personas.focal_a, indicator=entered, unit=personas.unit_a, period=LAST_YEAR, value=Decimal("33.33")
    )
    submitted = value_save(
        actor=personas.focal_b, indicator=entered, unit=personas.unit_b, period=LAST_YEAR, value=Decimal("44.44")
    )
    settings.MEDIA_ROOT = tmp_path
    evidence = SimpleUploadedFile("bao-cao.pdf", pdf_bytes(), content_type="application/pdf")
    value_evidence_add(actor=personas.focal_b, value=submitted, upload=evidence)
    value_submit(actor=personas.focal_b, value=submitted)

    satisfaction = satisfaction_indicators()[REGULAR_CODE]
    value_publish(actor=None, indicator=satisfaction, unit=personas.province, period=LAST_YEAR, value=Decimal("96.25"))

    survey = make_questionnaire(personas.province, code="khao-sat-mo", publish=True)
    today = timezone.localdate()
    collection_point_create(
        actor=None, questionnaire=survey, data=PointData(unit=personas.unit_a, channel=Channel.ONLINE)
    )
    collection_point_create(
        actor=None,
        questionnaire=survey,
        data=PointData(
            unit=personas.unit_b,
            channel=Channel.ONLINE,
            opens_on=today - datetime.timedelta(days=30),
            closes_on=today - datetime.timedelta(days=1),
        ),
    )
    collection_point_create(
        actor=None, questionnaire=survey, data=PointData(unit=personas.home_affairs, channel=Channel.COUNTER)
    )
    make_questionnaire(personas.province, code="phieu-nhap")  # a draft: no link can exist
    return {"round": public_round, "survey": survey}


def test_an_anonymous_visitor_sees_the_public_page_linked_from_the_login_page(personas: Personas) -> None:
    login = Client().get(reverse("accounts:login")).content.decode()
    assert f'href="{URL}"' in login
    html = _page()
    assert "Công khai kết quả cải cách hành chính" in html
    assert "Chưa có kết quả chỉ số cải cách hành chính nào được công bố." in html


def test_the_page_shows_published_rankings_satisfaction_chosen_indicators_and_open_surveys(
    personas: Personas, everything: dict[str, object]
) -> None:
    html = _page()
    assert "Kỳ CCHC đã công bố" in html
    assert reverse("assessments:results_public", args=[everything["round"].pk]) in html  # type: ignore[attr-defined]
    assert "Sở Tư pháp" in html and "Xã Hòa Bình" in html  # the ranking's units
    assert "Chỉ số hài lòng (khảo sát thường xuyên tại quầy và trực tuyến)" in html and "96,25 %" in html
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in html
    assert "87,10 %" in html and "87,09 %" in html  # rates read with the same decimals
    assert html.count('data-testid="public-survey"') == 1
    point = everything["survey"].collection_points.get(channel=Channel.ONLINE, unit=personas.unit_a)  # type: ignore[attr-defined]
    assert reverse("survey_public:form", args=[point.token]) in html


def test_no_draft_unpublished_or_private_data_ever_appears(personas: Personas, everything: dict[str, object]) -> None:
    html = _page()
    assert "Kỳ CCHC đang họp hội đồng" not in html  # results exist, but the round is not published yet
    assert "Kỳ CCHC không công khai" not in html  # published, not marked public
    assert "Tỷ lệ hồ sơ qua dịch vụ bưu chính công ích" not in html and "12,50 %" not in html  # not chosen
    assert "Tỷ lệ số hóa kết quả do đơn vị nhập" not in html  # only a draft and a value waiting for review
    assert "33,33" not in html and "44,44" not in html
    survey = everything["survey"]
    for hidden in survey.collection_points.exclude(unit=personas.unit_a):  # type: ignore[attr-defined]
        assert hidden.token not in html  # the link closed yesterday and the counter's link
    assert html.count('data-testid="public-survey"') == 1


def test_a_value_accepted_by_the_secretariat_appears_but_not_before(
    personas: Personas, everything: dict[str, object]
) -> None:
    entered = Indicator.objects.get(code="unit.digitised")
    value = entered.values.get(unit=personas.unit_b)
    assert value.state == ValueState.SUBMITTED
    assert "44,44 %" not in _page()
    value_accept(actor=personas.secretariat, value=value)
    assert "44,44 %" in _page()


def test_the_page_is_cacheable_and_a_revalidation_costs_no_rendering(
    personas: Personas, everything: dict[str, object]
) -> None:
    client = Client()
    first = client.get(URL)
    etag = first.headers["ETag"]
    cache_control = first.headers["Cache-Control"]
    assert "public" in cache_control and "must-revalidate" in cache_control
    assert "Set-Cookie" not in str(first.cookies) and not first.cookies
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.headers["ETag"] == etag


def test_the_page_is_rendered_once_per_version_of_the_data(personas: Personas, everything: dict[str, object]) -> None:
    with CaptureQueriesContext(connection) as rendered:
        _page()
    with CaptureQueriesContext(connection) as cached:
        _page()
    # Reading the version of the data: the home province (1), the public rounds and their results (2), the public
    # indicators, their values and the targets (3), the open survey links and the questionnaire versions (2), the
    # audit trail (1), the versions of the apps read (1).
    assert len(cached) == 10
    assert len(rendered) > len(cached)


def test_a_new_publication_shows_at_once_despite_the_cache(personas: Personas) -> None:
    round_ = build_round_with_results(personas, stage=Stage.COUNCIL, is_public=True)[0]
    Round.objects.filter(pk=round_.pk).update(name="Kỳ CCHC vừa công bố", approved_at=timezone.now())
    assert "Kỳ CCHC vừa công bố" not in _page()
    assessments_services.round_advance(actor=personas.secretariat, round_=round_, to_stage=Stage.PUBLISHED)
    assert "Kỳ CCHC vừa công bố" in _page()


def test_a_unit_renamed_by_a_bulk_update_shows_at_once_despite_the_cache(
    personas: Personas, everything: dict[str, object]
) -> None:
    assert "Xã Hòa Bình" in _page()
    Unit.objects.filter(pk=personas.unit_b.pk).update(name="Xã Hòa Bình Mới")  # no signal, no audit entry
    assert "Xã Hòa Bình Mới" in _page()


def test_an_indicator_withdrawn_from_the_public_page_disappears_at_once(
    personas: Personas, everything: dict[str, object]
) -> None:
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in _page()
    on_time = Indicator.objects.get(code="dossiers.on_time_rate")
    indicator_set_public(actor=personas.secretariat, indicator=on_time, on_public_page=False)
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" not in _page()


def test_a_new_survey_publication_shows_at_once(personas: Personas) -> None:
    assert "97,5 %" not in _page() and "97,50 %" not in _page()
    satisfaction = satisfaction_indicators()[REGULAR_CODE]
    value_publish(actor=None, indicator=satisfaction, unit=personas.province, period=LAST_YEAR, value=Decimal("97.5"))
    assert "97,50 %" in _page()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("secretariat", True), ("admin", True), ("leader", False), ("focal_a", False), ("anonymous", False)],
)
def test_only_the_secretariat_chooses_which_indicators_the_public_page_shows(
    personas: Personas, persona: str, allowed: bool
) -> None:
    indicator = _kpi(personas, "dossiers.online_rate", "Tỷ lệ hồ sơ trực tuyến")
    url = reverse("indicators:indicator_public", args=[indicator.pk])
    response = personas.client(persona).post(url, {"on_public_page": "1"})
    indicator.refresh_from_db()
    assert indicator.on_public_page is allowed
    if allowed:
        assert response.status_code == 302
        entry = AuditEntry.objects.filter(object_id=str(indicator.pk)).order_by("-pk").first()
        assert entry is not None and entry.changes == {"on_public_page": [False, True]}
    else:
        assert response.status_code in (302, 403, 404)
        assert persona != "anonymous" or "/accounts/login/" in response["Location"]


def test_choosing_the_same_setting_twice_records_one_change(personas: Personas) -> None:
    indicator = _kpi(personas, "dossiers.full_online_rate", "Tỷ lệ hồ sơ trực tuyến toàn trình")
    before = AuditEntry.objects.count()
    for _ in range(2):
        indicator_set_public(actor=personas.secretariat, indicator=indicator, on_public_page=True)
    assert AuditEntry.objects.count() == before + 1


def test_the_indicator_page_offers_the_choice_to_the_secretariat_only(personas: Personas) -> None:
    indicator = _kpi(personas, "dossiers.e_result_rate", "Tỷ lệ kết quả điện tử")
    url = reverse("indicators:indicator_detail", args=[indicator.pk])
    assert 'data-testid="public-toggle"' in personas.client("secretariat").get(url).content.decode()
    assert 'data-testid="public-toggle"' not in personas.client("leader").get(url).content.decode()


# --- Browser journey: the page with the demo data, at desktop and phone width --------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
DEMO_PASSWORD = "cchc-demo-2025"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

# Everything inside the page that reaches past the right edge of the window (a card table's headings are clipped to
# 1 px for screen readers: they are not seen).
OVERFLOW_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll('body *')]
    .filter(el => el.getClientRects().length && !el.closest('table.pp-cards thead') && !el.closest('.skip-link'))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(el => el.outerHTML.slice(0, 160)),
})"""


@pytest.fixture
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is missing ({CHROMIUM}): apt-get install -y chromium")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _demo_with_public_figures() -> None:
    """The demo province, its PAR rounds (last year's published and public) and its surveys (results published),
    and three service figures the secretariat made public."""
    load_province(password=DEMO_PASSWORD)
    load_frameworks_demo(stdout=io.StringIO())
    load_assessments_demo(stdout=io.StringIO())
    load_surveys_demo(stdout=io.StringIO())
    secretariat = User.objects.get(username="thuongtruc")
    province = Unit.objects.get(code=PROVINCE_CODE)
    units = [province, *Unit.objects.filter(parent=province).order_by("name")[:6]]
    found = kpi_indicators()
    for key, base in (
        ("on_time_rate", Decimal("97.31")),
        ("online_rate", Decimal("62.4")),
        ("postal_rate", Decimal("4")),
    ):
        indicator_set_public(actor=secretariat, indicator=found[key], on_public_page=True)
        for step, unit in enumerate(units):
            value = max(Decimal(0), base - Decimal(step) * Decimal("1.07"))
            value_publish(actor=None, indicator=found[key], unit=unit, period=LAST_YEAR, value=value)


def _fits(page: Page, what: str) -> None:
    layout = page.evaluate(OVERFLOW_JS)
    assert layout["scrollWidth"] <= layout["innerWidth"], f"{what}: {layout}"
    assert not layout["wide"], f"{what}: wider than the screen: {layout['wide']}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_goes_from_the_login_page_to_the_public_results_on_a_desktop_and_a_phone(
    chromium: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    artifacts = request.config.rootpath / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    _demo_with_public_figures()
    for name, viewport, phone in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport, is_mobile=phone, has_touch=phone, locale="vi-VN"
        )
        context.set_default_timeout(60_000)
        context.set_default_navigation_timeout(60_000)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_test_id("public-page-link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Công khai kết quả cải cách hành chính")
        expect(page.get_by_test_id("public-ranking-row").first).to_be_visible()
        expect(page.get_by_test_id("public-satisfaction")).to_contain_text("Chỉ số hài lòng")
        expect(page.get_by_test_id("public-indicators")).to_contain_text("97,31 %")
        expect(page.get_by_test_id("public-indicators")).to_contain_text("62,40 %")
        expect(page.get_by_test_id("public-survey").first).to_be_visible()
        _fits(page, name)
        page.screenshot(path=artifacts / f"public_page_{name}.png", full_page=True)
        if not phone:
            page.emulate_media(media="print")
            expect(page.locator(".pp-nav")).to_be_hidden()
            page.screenshot(path=artifacts / "public_page_print.png", full_page=True)
        context.close()
