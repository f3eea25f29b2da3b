"""Browser journey of the survey results on a phone: the secretariat opens the results of a year of demo answers,
filters by channel, opens the comments with the same filter, marks one handled and gives one to its unit as a task;
no page scrolls sideways at 390 px and the Content-Security-Policy reports no violation."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.surveys.demo import COUNTER_SURVEY, load_responses
from cchc.surveys.models import CommentHandling, CommentTask, Questionnaire
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.testing.personas import Personas

from .test_content_security_policy_journey import ViolationWatch
from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page: Page) -> None:
    assert page.evaluate(FITS_JS), f"{page.url} scrolls sideways at 390 px"


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_reads_filters_and_handles_comments_on_a_phone(
    phone_page: Page, live_server: LiveServer, personas: Personas
) -> None:
    ensure_templates()
    load_responses(today=datetime.date.today())
    survey = Questionnaire.objects.get(code=COUNTER_SURVEY)
    page = phone_page
    problems = ProblemWatch(page)
    violations = ViolationWatch(page)
    log_in(page, personas.secretariat.username)
    page.goto(f"/surveys/{survey.pk}/")
    page.get_by_role("link", name="Kết quả", exact=True).click()
    expect(page.get_by_test_id("results-index")).to_contain_text("%")
    expect(page.get_by_test_id("results-breakdown").locator("[data-status=not_met]").first).to_be_visible()
    _fits(page)
    violations.assert_none_on(page.url)
    page.locator("#id_channel").select_option("counter")
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile("channel=counter"))
    page.get_by_role("link", name="Xem và xử lý ý kiến góp ý").click()
    expect(page).to_have_url(re.compile("comments/.*channel=counter"))
    expect(page.get_by_test_id("comments-count")).to_contain_text("ý kiến góp ý")
    _fits(page)
    violations.assert_none_on(page.url)
    comment = page.get_by_test_id("comment").first
    comment.get_by_role("button", name="Đánh dấu đã xử lý").click()
    expect(page.get_by_test_id("comment").locator("[data-status=handled]").first).to_be_visible()
    expect(page).to_have_url(re.compile("channel=counter"))
    page.get_by_test_id("comment").first.get_by_role("link", name="Giao việc cho đơn vị").click()
    expect(page.locator("#id_title")).to_contain_text("Xử lý ý kiến góp ý của người dân")
    _fits(page)
    violations.assert_none_on(page.url)
    page.get_by_test_id("comment-task-submit").click()
    expect(page.get_by_test_id("comment").locator("[data-status=tasked]").first).to_be_visible()
    expect(page).to_have_url(re.compile("channel=counter"))
    _fits(page)
    problems.assert_none()
    assert CommentHandling.objects.count() == 1 and CommentTask.objects.count() == 1
