"""Browser journeys of the public survey form on a phone: a citizen opens the QR link, answers (a conditional question
appears when it applies), sends and sees the thank-you page; a counter tablet in kiosk mode returns to a fresh form
after a response and after a while without a touch. No page scrolls sideways at 390 px and the Content-Security-Policy
reports no violation."""

from __future__ import annotations

import re

import pytest
from django.db.models import QuerySet
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cchc.surveys.collection import PointData, collection_point_create
from cchc.surveys.inbox import inbox_process
from cchc.surveys.models import CollectionPoint, Response
from cchc.surveys.tests.factories import make_questionnaire
from cchc.testing.personas import Personas

from .test_content_security_policy_journey import ViolationWatch
from .test_journeys import ProblemWatch

pytestmark = pytest.mark.browser

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _stored() -> QuerySet[Response]:
    """The responses, once the background job has stored those accepted by the form."""
    inbox_process()
    return Response.objects.all()


def _fits(page: Page) -> None:
    assert page.evaluate(FITS_JS), f"{page.url} scrolls sideways at 390 px"


@pytest.fixture
def point(personas: Personas, settings: Settings) -> CollectionPoint:
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_KIOSK_THANKS_SECONDS = 1
    settings.SURVEY_KIOSK_IDLE_SECONDS = 3
    questionnaire = make_questionnaire(personas.province, code="quay-qr", publish=True)
    return collection_point_create(
        actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a, counter_label="Quầy 1")
    )


@pytest.mark.django_db(transaction=True)
def test_a_citizen_opens_the_qr_link_answers_a_conditional_question_and_is_thanked(
    phone_page: Page, live_server: LiveServer, point: CollectionPoint
) -> None:
    page = phone_page
    problems = ProblemWatch(page)
    violations = ViolationWatch(page)
    page.goto(f"/s/{point.token}/")
    expect(page.locator("h1")).to_have_text(point.questionnaire.title)
    reason = page.get_by_label("Vì sao chưa hài lòng?")
    expect(reason).to_be_hidden()
    _fits(page)
    page.get_by_label("Rất không hài lòng").check()
    expect(reason).to_be_visible()
    reason.fill("Phải chờ hơn một giờ")
    page.get_by_label("Hài lòng", exact=True).check()
    expect(reason).to_be_hidden()
    page.get_by_label("Rất không hài lòng").check()
    page.get_by_label("Tại quầy").check()
    _fits(page)
    violations.assert_none_on(page.url)
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_test_id("thanks")).to_contain_text("Cảm ơn ông/bà đã góp ý!")
    _fits(page)
    violations.assert_none_on(page.url)
    problems.assert_none()
    response = _stored().get()
    answers = dict(response.answers.values_list("question__code", "text_value"))
    assert answers["ly_do"] == "Phải chờ hơn một giờ" and response.counter_label == "Quầy 1"


@pytest.mark.django_db(transaction=True)
def test_the_kiosk_returns_to_a_fresh_form_after_a_response_and_after_inactivity(
    phone_page: Page, live_server: LiveServer, point: CollectionPoint
) -> None:
    page = phone_page
    problems = ProblemWatch(page)
    page.goto(f"/s/{point.token}/?kiosk=1")
    expect(page.locator("body")).to_have_class(re.compile(r"\bkiosk\b"))
    expect(page.locator("nav")).to_have_count(0)
    page.get_by_label("Rất hài lòng").check()
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    # Back to the start by itself, with nothing ticked.
    expect(page.get_by_role("button", name="Gửi ý kiến")).to_be_visible(timeout=8000)
    assert page.url.endswith(f"/s/{point.token}/?kiosk=1")
    expect(page.get_by_label("Rất hài lòng")).not_to_be_checked()
    # Someone starts and walks away: the form is cleared after the idle time.
    page.get_by_label("Bình thường").check()
    expect(page.get_by_label("Bình thường")).not_to_be_checked(timeout=8000)
    problems.assert_none()
    assert _stored().count() == 1
