"""Invitations of named respondents: importing, sending, reminding, answering once, the deadline and who sees what."""

from __future__ import annotations

import datetime
import io
import re
import smtplib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError
from cchc.surveys import invitations
from cchc.surveys.invitations import (
    InvitationImportError,
    campaign_counts,
    campaign_create,
    invitation_answer,
    invitation_for_token,
    invitations_import,
    invitations_remind,
    invitations_send,
    token_of,
)
from cchc.surveys.models import (
    Invitation,
    InvitationCampaign,
    InvitationState,
    Questionnaire,
    Response,
    VersionState,
)
from cchc.surveys.services import questionnaire_build, version_close
from cchc.testing.personas import Personas

from .factories import officials_spec, workbook


def link(token: str) -> str:
    return "http://testserver" + reverse("survey_public:invited", args=[token])


@pytest.fixture
def questionnaire(personas: Personas) -> Questionnaire:
    return questionnaire_build(actor=None, spec=officials_spec(), owner=personas.province, publish=True)


@pytest.fixture
def campaign(questionnaire: Questionnaire, personas: Personas) -> InvitationCampaign:
    return campaign_create(
        actor=personas.secretariat,
        questionnaire=questionnaire,
        unit=personas.province,
        title="Điều tra năm 2026",
        closes_on=timezone.localdate() + datetime.timedelta(days=10),
    )


@pytest.fixture
def invited(campaign: InvitationCampaign, personas: Personas) -> list[Invitation]:
    return invitations_import(
        actor=personas.secretariat,
        campaign=campaign,
        data=workbook(
            ["Nguyễn Văn An", "an@example.gov.vn", "Đại biểu HĐND tỉnh", ""],
            ["Trần Thị Bình", "Binh@Example.gov.vn", "2", personas.unit_a.code],
        ),
    )


def send(campaign: InvitationCampaign, personas: Personas, capture: Callable[..., Any]) -> int:
    with capture(execute=True):
        return invitations_send(actor=personas.secretariat, campaign=campaign, link=link)


def answers_for(questionnaire: Questionnaire, **values: str) -> dict[int, list[str]]:
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    return {question.pk: [values[question.code]] for question in version.questions.all() if question.code in values}


# ---------------------------------------------------------------------------
# Import


def test_the_import_adds_every_row_with_its_group_value_and_unit(
    invited: list[Invitation], personas: Personas, campaign: InvitationCampaign
) -> None:
    rows = {invitation.email: invitation for invitation in Invitation.objects.filter(campaign=campaign)}
    assert set(rows) == {"an@example.gov.vn", "binh@example.gov.vn"}
    assert rows["an@example.gov.vn"].respondent_group == "1" and rows["an@example.gov.vn"].unit is None
    assert rows["binh@example.gov.vn"].respondent_group == "2" and rows["binh@example.gov.vn"].unit == personas.unit_a
    assert all(row.state == InvitationState.CREATED for row in rows.values())
    entries = AuditEntry.objects.filter(object_type="surveys.invitationcampaign", object_id=str(campaign.pk))
    assert entries.count() == 2  # created, then the import


def test_a_file_with_bad_rows_adds_nobody_and_names_every_problem_by_row(
    invited: list[Invitation], campaign: InvitationCampaign, personas: Personas
) -> None:
    data = workbook(
        ["Lê Văn Cường", "khong-phai-thu", "1", ""],
        ["Phạm Thị Dung", "dung@example.gov.vn", "1", ""],
        ["Phạm Dung", "DUNG@example.gov.vn", "1", ""],
        ["Ngô Văn Em", "an@example.gov.vn", "1", ""],
        ["Đỗ Thị Gấm", "gam@example.gov.vn", "Nhóm lạ", ""],
        ["Vũ Văn Hải", "hai@example.gov.vn", "1", "KHONG-CO"],
        ["", "ten@example.gov.vn", "1", ""],
    )
    with pytest.raises(InvitationImportError) as caught:
        invitations_import(actor=personas.secretariat, campaign=campaign, data=data)
    problems = caught.value.problems
    assert "Dòng 2: thư điện tử «khong-phai-thu» không hợp lệ." in problems
    assert "Dòng 4: thư điện tử dung@example.gov.vn trùng với dòng 3." in problems
    assert "Dòng 5: an@example.gov.vn đã có trong danh sách mời của đợt này." in problems
    assert "Dòng 6: nhóm đối tượng «Nhóm lạ» không có trong phiếu." in problems
    assert "Dòng 7: không có đơn vị mã «KHONG-CO»." in problems
    assert "Dòng 8: thiếu họ và tên." in problems
    assert campaign.invitations.count() == 2


def test_a_file_without_the_needed_columns_is_refused(campaign: InvitationCampaign, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="Tệp thiếu cột: Thư điện tử"):
        invitations_import(actor=personas.secretariat, campaign=campaign, data=workbook(["An"], header=["Họ và tên"]))


def test_the_template_reads_back_as_a_valid_file(campaign: InvitationCampaign, personas: Personas) -> None:
    created = invitations_import(actor=personas.secretariat, campaign=campaign, data=invitations.template_bytes())
    assert [(row.name, row.respondent_group) for row in created] == [("Nguyễn Văn A", "2")]


# ---------------------------------------------------------------------------
# Tokens, sending, answering


def test_only_a_hash_of_the_token_is_stored_and_the_link_finds_its_invitation(invited: list[Invitation]) -> None:
    invitation = invited[0]
    token = token_of(invitation)
    stored = Invitation.objects.get(pk=invitation.pk)
    assert token not in {stored.token_hash, stored.nonce} and len(stored.token_hash) == 64
    assert invitation_for_token(token) == stored
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert invitation_for_token(tampered) is None and invitation_for_token("") is None


def test_sending_mails_each_respondent_their_own_link_with_the_deadline_after_commit(
    invited: list[Invitation], campaign: InvitationCampaign, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    assert send(campaign, personas, django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    message = by_address["an@example.gov.vn"]
    deadline = campaign.closes_on.strftime("%d/%m/%Y")
    assert "Mời ông/bà trả lời phiếu" in message.subject and deadline in message.subject
    assert "Nguyễn Văn An" in message.body and link(token_of(invited[0])) in message.body
    assert link(token_of(invited[1])) not in message.body
    assert set(campaign.invitations.values_list("state", flat=True)) == {InvitationState.SENT}
    # Sending again sends nobody twice.
    assert send(campaign, personas, django_capture_on_commit_callbacks) == 0 and len(mail.outbox) == 2


def test_the_token_lifecycle_created_sent_answered_then_refused(
    invited: list[Invitation],
    campaign: InvitationCampaign,
    questionnaire: Questionnaire,
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
) -> None:
    send(campaign, personas, django_capture_on_commit_callbacks)
    token = token_of(invited[1])
    response = invitation_answer(token=token, answers=answers_for(questionnaire, nhom_doi_tuong="3", danh_gia="4"))
    invitation = Invitation.objects.get(pk=invited[1].pk)
    assert invitation.state == InvitationState.ANSWERED and invitation.response == response
    assert invitation.answered_at == response.submitted_at
    # The response is about the campaign's unit (the one evaluated), not the unit the official works in.
    assert (response.channel, response.unit, response.respondent_group) == ("invited", personas.province, "2")
    group_answer = response.answers.get(question__code="nhom_doi_tuong")
    assert group_answer.choice_value == "2"  # the invitation's group, not what the form sent
    with pytest.raises(ServiceError) as caught:
        invitation_answer(token=token, answers=answers_for(questionnaire, danh_gia="1"))
    assert caught.value.code == "answered" and "Bạn đã trả lời phiếu này" in caught.value.message
    assert Response.objects.count() == 1
    counts = campaign_counts(campaign)
    assert (counts.delivered, counts.answered, counts.not_answered) == (2, 1, 1)


def test_after_the_deadline_the_link_takes_no_answer(
    invited: list[Invitation], campaign: InvitationCampaign, questionnaire: Questionnaire
) -> None:
    InvitationCampaign.objects.filter(pk=campaign.pk).update(closes_on=timezone.localdate() - datetime.timedelta(1))
    with pytest.raises(ServiceError) as caught:
        invitation_answer(token=token_of(invited[0]), answers=answers_for(questionnaire, danh_gia="5"))
    assert caught.value.code == "closed" and "đã kết thúc" in caught.value.message
    assert not Response.objects.exists()
    campaign.refresh_from_db()
    with pytest.raises(ServiceError, match="không thêm người được nữa"):
        invitations_import(actor=None, campaign=campaign, data=workbook(["Mới", "moi@example.gov.vn", "1", ""]))
    with pytest.raises(ServiceError, match="quá hạn"):
        invitations_send(actor=None, campaign=campaign, link=link)


def test_a_campaign_needs_a_published_version_and_a_deadline_not_past(
    questionnaire: Questionnaire, personas: Personas
) -> None:
    with pytest.raises(ServiceError, match="quá khứ"):
        campaign_create(
            actor=None,
            questionnaire=questionnaire,
            unit=personas.province,
            title="Cũ",
            closes_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    version_close(actor=None, version=questionnaire.versions.get(state=VersionState.PUBLISHED))
    with pytest.raises(ServiceError, match="ban hành"):
        campaign_create(
            actor=None, questionnaire=questionnaire, unit=personas.province, title="Mới", closes_on=timezone.localdate()
        )


# ---------------------------------------------------------------------------
# Reminders


def test_reminders_go_only_to_those_not_answered_and_not_reminded_in_the_last_day(
    invited: list[Invitation],
    campaign: InvitationCampaign,
    questionnaire: Questionnaire,
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
) -> None:
    send(campaign, personas, django_capture_on_commit_callbacks)

    def remind() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return invitations_remind(actor=personas.secretariat, campaign=campaign, link=link)

    assert remind() == 0  # just sent: nobody is reminded within a day of the invitation
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    Invitation.objects.filter(campaign=campaign).update(sent_at=two_days_ago)
    invitation_answer(token=token_of(invited[0]), answers=answers_for(questionnaire, danh_gia="5"))
    mail.outbox.clear()
    assert remind() == 1
    assert [message.to for message in mail.outbox] == [["binh@example.gov.vn"]]
    assert mail.outbox[0].subject.startswith("Nhắc:") and link(token_of(invited[1])) in mail.outbox[0].body
    assert remind() == 0 and len(mail.outbox) == 1  # a double click reminds nobody twice
    Invitation.objects.filter(pk=invited[1].pk).update(reminded_at=two_days_ago)
    assert remind() == 1
    reminded = Invitation.objects.get(pk=invited[1].pk)
    assert reminded.reminder_count == 2 and campaign_counts(campaign).reminded == 1


# ---------------------------------------------------------------------------
# Concurrency


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_with_one_token_store_one_response(personas: Personas) -> None:
    """Two workers receive the same form at once: the lock on the invitation lets one response through."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    questionnaire = questionnaire_build(actor=None, spec=officials_spec(), owner=personas.province, publish=True)
    campaign = campaign_create(
        actor=None,
        questionnaire=questionnaire,
        unit=personas.province,
        title="Đồng thời",
        closes_on=timezone.localdate(),
    )
    invitation = invitations_import(actor=None, campaign=campaign, data=workbook(["An", "an@example.gov.vn", "1", ""]))[
        0
    ]
    token = token_of(invitation)
    answers = answers_for(questionnaire, danh_gia="5")
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def submit(key: str) -> None:
        try:
            start.wait()
            outcomes.append(invitation_answer(token=token, answers=answers, idempotency_key=key))
        except ServiceError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(key,)) for key in ("a" * 32, "b" * 32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Response.objects.filter(questionnaire=questionnaire).count() == 1
    refused = [outcome for outcome in outcomes if isinstance(outcome, ServiceError)]
    assert len(outcomes) == 2 and len(refused) == 1 and refused[0].code == "answered"


# ---------------------------------------------------------------------------
# The public pages


def test_the_invited_form_answers_once_then_shows_the_kind_already_answered_page(
    invited: list[Invitation], questionnaire: Questionnaire, settings: Any
) -> None:
    client = Client()
    url = link(token_of(invited[0]))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Nguyễn Văn An" in html and "<script>" not in html
    form_token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert form_token is not None
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    names = {question.code: f"q{question.pk}" for question in version.questions.all()}
    assert re.search(rf'name="{names["nhom_doi_tuong"]}" value="1" checked', html)
    sent = client.post(url, {"form_token": form_token.group(1), names["danh_gia"]: "4"})
    assert sent.status_code == 302 and sent["Location"] == reverse(
        "survey_public:invited_thanks", args=[token_of(invited[0])]
    )
    assert "Cảm ơn ông/bà đã trả lời" in client.get(sent["Location"]).content.decode()
    again = client.get(url)
    assert again.status_code == 200 and "Bạn đã trả lời phiếu này" in again.content.decode()
    replay = client.post(url, {"form_token": form_token.group(1), names["danh_gia"]: "1"})
    assert "Bạn đã trả lời phiếu này" in replay.content.decode()
    assert Response.objects.get().channel == "invited"


def test_a_bad_or_late_link_gets_a_kind_page(invited: list[Invitation], campaign: InvitationCampaign) -> None:
    client = Client()
    token = token_of(invited[0])
    wrong = client.get(link(token[:-2] + "xy"))
    assert wrong.status_code == 404 and "Không tìm thấy lời mời" in wrong.content.decode()
    assert client.get(reverse("survey_public:invited", args=["ngắn"])).status_code == 404
    InvitationCampaign.objects.filter(pk=campaign.pk).update(closes_on=timezone.localdate() - datetime.timedelta(1))
    late = client.get(link(token))
    assert late.status_code == 410 and "đã kết thúc" in late.content.decode()


def test_a_missing_required_answer_comes_back_with_the_message(
    invited: list[Invitation], questionnaire: Questionnaire
) -> None:
    client = Client()
    url = link(token_of(invited[0]))
    form_token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    assert form_token is not None
    page = client.post(url, {"form_token": form_token.group(1)})
    assert page.status_code == 400 and "là câu bắt buộc" in page.content.decode()
    assert Invitation.objects.get(pk=invited[0].pk).state == InvitationState.CREATED


# ---------------------------------------------------------------------------
# The management pages and who may use them


def _url(name: str, campaign: InvitationCampaign) -> str:
    return reverse(f"surveys:{name}", args=[campaign.questionnaire_id, campaign.pk])


def test_the_secretariat_creates_a_campaign_imports_and_sends_through_the_pages(
    questionnaire: Questionnaire, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client("secretariat")
    created = client.post(
        reverse("surveys:campaign_create", args=[questionnaire.pk]),
        {"title": "Điều tra 2026", "unit": personas.province.pk, "closes_on": timezone.localdate().isoformat()},
    )
    campaign = InvitationCampaign.objects.get()
    assert created.status_code == 302 and created["Location"] == _url("invitation_import", campaign)
    template = client.get(_url("invitation_template", campaign))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    upload = io.BytesIO(workbook(["An", "an@example.gov.vn", "1", ""], ["Bình", "an@example.gov.vn", "1", ""]))
    upload.name = "moi.xlsx"
    refused = client.post(_url("invitation_import", campaign), {"file": upload})
    assert refused.status_code == 400 and "trùng với dòng 2" in refused.content.decode()
    upload = io.BytesIO(workbook(["An", "an@example.gov.vn", "1", ""]))
    upload.name = "moi.xlsx"
    assert client.post(_url("invitation_import", campaign), {"file": upload}).status_code == 302
    confirm = client.get(_url("invitations_send", campaign))
    assert confirm.status_code == 200 and "cho 1 người" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("invitations_send", campaign))
        client.post(_url("invitations_send", campaign))  # a double click
    assert len(mail.outbox) == 1
    detail = client.get(_url("campaign_detail", campaign) + "?state=sent").content.decode()
    assert "an@example.gov.vn" in detail and "Nhắc người chưa trả lời" in detail


@pytest.mark.parametrize("name", ["supervisor", "leader"])
def test_readers_see_how_tokens_were_used_but_no_names_and_change_nothing(
    invited: list[Invitation], campaign: InvitationCampaign, personas: Personas, name: str
) -> None:
    client = personas.client(name)
    listing = client.get(reverse("surveys:campaign_list", args=[campaign.questionnaire_id]))
    assert listing.status_code == 200 and "Điều tra năm 2026" in listing.content.decode()
    detail = client.get(_url("campaign_detail", campaign))
    html = detail.content.decode()
    assert detail.status_code == 200 and "Chưa trả lời" in html and "an@example.gov.vn" not in html
    for action in ("invitation_import", "invitations_send", "invitations_remind", "invitation_template"):
        assert client.get(_url(action, campaign)).status_code == 403
    assert client.post(_url("invitations_send", campaign)).status_code == 403
    assert client.post(reverse("surveys:campaign_create", args=[campaign.questionnaire_id])).status_code == 403
    assert campaign.invitations.filter(state=InvitationState.CREATED).count() == 2


@pytest.mark.parametrize("name", ["focal_a", "appraiser", "anonymous"])
def test_other_roles_do_not_reach_the_invitations(
    invited: list[Invitation], campaign: InvitationCampaign, personas: Personas, name: str
) -> None:
    client = personas.client(name)
    page = client.get(_url("campaign_detail", campaign))
    assert page.status_code in (302, 403, 404)
    assert client.post(_url("invitations_send", campaign)).status_code in (302, 403, 404)
    assert not Invitation.objects.exclude(state=InvitationState.CREATED).exists()


def test_the_admin_manages_the_invitations(
    invited: list[Invitation], campaign: InvitationCampaign, personas: Personas
) -> None:
    page = personas.client("admin").get(_url("campaign_detail", campaign))
    assert page.status_code == 200 and "an@example.gov.vn" in page.content.decode()


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("the server went away")


def test_an_invitation_whose_e_mail_fails_goes_back_to_not_sent_and_is_sent_again_later(
    invited: list[Invitation],
    campaign: InvitationCampaign,
    personas: Personas,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    send(campaign, personas, django_capture_on_commit_callbacks)
    assert set(campaign.invitations.values_list("state", flat=True)) == {InvitationState.CREATED}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(campaign, personas, django_capture_on_commit_callbacks) == 2 and len(mail.outbox) == 2
