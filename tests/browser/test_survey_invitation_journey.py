"""Browser journeys of invitations on a phone: the one-time link from the e-mail opens the form with the official's
respondent group already chosen; they answer, send and are thanked; opening the link again shows the kind page saying
they have already answered. The secretariat follows the campaign and confirms before sending. No page scrolls
sideways at 390 px and the Content-Security-Policy reports no violation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.surveys.invitations import campaign_create, invitations_import, token_of
from cchc.surveys.models import Invitation, InvitationState, Response
from cchc.surveys.services import questionnaire_build
from cchc.surveys.tests.factories import officials_spec, workbook
from cchc.testing.personas import Personas

from .test_content_security_policy_journey import ViolationWatch
from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page: Page) -> None:
    assert page.evaluate(FITS_JS), f"{page.url} scrolls sideways at 390 px"


@pytest.fixture
def invitation(personas: Personas) -> Invitation:
    questionnaire = questionnaire_build(actor=None, spec=officials_spec(), owner=personas.province, publish=True)
    campaign = campaign_create(
        actor=None,
        questionnaire=questionnaire,
        unit=personas.province,
        title="Điều tra xã hội học 2026",
        closes_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    row = ["Nguyễn Văn An", "an@example.gov.vn", "Lãnh đạo sở, ban, ngành", ""]
    return invitations_import(actor=None, campaign=campaign, data=workbook(row))[0]


@pytest.mark.django_db(transaction=True)
def test_an_invited_official_answers_once_and_the_link_then_says_already_answered(
    phone_page: Page, live_server: LiveServer, invitation: Invitation
) -> None:
    page = phone_page
    problems = ProblemWatch(page)
    violations = ViolationWatch(page)
    url = f"/s/i/{token_of(invitation)}/"
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Điều tra cán bộ (thử)")
    expect(page.locator(".public-lead")).to_contain_text("Nguyễn Văn An")
    expect(page.get_by_label("Lãnh đạo sở, ban, ngành")).to_be_checked()
    _fits(page)
    page.get_by_label("Hài lòng", exact=True).check()
    violations.assert_none_on(page.url)
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_test_id("thanks")).to_contain_text("Cảm ơn ông/bà đã trả lời!")
    _fits(page)
    page.goto(url)
    expect(page.get_by_test_id("invitation-message")).to_contain_text("Bạn đã trả lời phiếu này")
    _fits(page)
    violations.assert_none_on(page.url)
    problems.assert_none()
    response = Response.objects.get()
    assert response.channel == "invited" and response.respondent_group == "2"
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.ANSWERED


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_follows_a_campaign_and_is_asked_before_sending_on_a_phone(
    phone_page: Page, live_server: LiveServer, invitation: Invitation
) -> None:
    page = phone_page
    problems = ProblemWatch(page)
    log_in(page, "thuongtruc")
    campaign = invitation.campaign
    page.goto(f"/surveys/{campaign.questionnaire_id}/invitations/")
    page.get_by_role("link", name="Điều tra xã hội học 2026").click()
    expect(page.get_by_test_id("invitations")).to_contain_text("an@example.gov.vn")
    _fits(page)
    page.get_by_role("link", name="Gửi thư mời").click()
    expect(page.locator("main")).to_contain_text("cho 1 người chưa được mời")
    _fits(page)
    page.get_by_role("button", name="Gửi thư mời").click()
    expect(page.locator("body")).to_contain_text("Đã gửi thư mời cho 1 người.")
    expect(page.get_by_test_id("invitation-counts")).to_contain_text("Chưa trả lời")
    _fits(page)
    problems.assert_none()
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.SENT
