"""Charts draw under the strict Content-Security-Policy with no violation: the secretariat's dashboard, with a round
in progress and so its chart, reports nothing in the console nor through ``securitypolicyviolation`` events, while
hovering a bar and printing too."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.assessments.models import Stage
from cchc.assessments.tests.factories import build_assessment, build_framework, build_round
from cchc.organisations.models import UnitKind
from cchc.testing.personas import Personas

from .test_content_security_policy_journey import ViolationWatch
from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_dashboard_chart_draws_without_any_policy_violation(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    year = timezone.localdate().year
    departments = build_framework()
    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    round_ = build_round(
        organiser=personas.province, year=year, frameworks=[departments, communes], stage=Stage.SELF_ASSESSMENT
    )
    build_assessment(round_, personas.unit_a, departments, {"2.1": 20})
    build_assessment(round_, personas.unit_b, communes)
    problems = ProblemWatch(page)
    watch = ViolationWatch(page)

    log_in(page, personas.secretariat.username)
    page.goto(f"/?year={year}")
    chart = page.locator("[data-chart]").first
    expect(chart).to_have_class(re.compile(r"\bchart-drawn\b"))
    chart.hover()  # plotly shows the value under the pointer
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="screen")
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    watch.assert_none_on("/ (chart)")
    problems.assert_none()
