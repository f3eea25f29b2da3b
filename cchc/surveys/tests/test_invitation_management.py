"""Managing one invitation (resending a new link, correcting, removing), exporting the list, the scheduled reminders
and closing, and who may do each of them."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError
from cchc.surveys import invitations
from cchc.surveys.invitations import (
    campaign_create,
    invitation_answer,
    invitation_remove,
    invitation_resend,
    invitation_update,
    invitations_import,
    invitations_send,
    scheduled_run,
    token_of,
)
from cchc.surveys.models import Invitation, InvitationCampaign, InvitationState, Questionnaire, VersionState
from cchc.surveys.services import questionnaire_build
from cchc.testing.personas import Personas

from .factories import officials_spec, workbook


def link(token: str) -> str:
    return "http://testserver" + reverse("survey_public:invited", args=[token])


@pytest.fixture
def questionnaire(personas: Personas) -> Questionnaire:
    return questionnaire_build(actor=None, spec=officials_spec(), owner=personas.province, publish=True)


def make_campaign(questionnaire: Questionnaire, unit: Any, *, days: int = 10, **extra: Any) -> InvitationCampaign:
    return campaign_create(
        actor=None,
        questionnaire=questionnaire,
        unit=unit,
        title="Điều tra năm 2026",
        closes_on=timezone.localdate() + datetime.timedelta(days=days),
        **extra,
    )


@pytest.fixture
def campaign(questionnaire: Questionnaire, personas: Personas) -> InvitationCampaign:
    return make_campaign(questionnaire, personas.province)


@pytest.fixture
def invited(
    campaign: InvitationCampaign, personas: Personas, django_capture_on_commit_callbacks: Any
) -> list[Invitation]:
    people = invitations_import(
        actor=None,
        campaign=campaign,
        data=workbook(
            ["Nguyễn Văn An", "an@example.gov.vn", "Đại biểu HĐND tỉnh", ""],
            ["Trần Thị Bình", "binh@example.gov.vn", "2", personas.unit_a.code],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(actor=None, campaign=campaign, link=link)
    mail.outbox.clear()
    return [Invitation.objects.get(pk=person.pk) for person in people]


def answer(invitation: Invitation, questionnaire: Questionnaire) -> None:
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    question = version.questions.get(code="danh_gia")
    invitation_answer(token=token_of(invitation), answers={question.pk: ["4"]})


def url(name: str, invitation: Invitation) -> str:
    campaign = invitation.campaign
    return reverse(f"surveys:{name}", args=[campaign.questionnaire_id, campaign.pk, invitation.pk])


# ---------------------------------------------------------------------------
# Resending a new link


def test_resending_mails_a_new_link_and_the_old_one_explains_it_was_replaced(
    invited: list[Invitation], personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    old_token = token_of(invited[0])
    with django_capture_on_commit_callbacks(execute=True):
        resent = invitation_resend(actor=personas.secretariat, invitation=invited[0], link=link)
    new_token = token_of(resent)
    assert new_token != old_token
    assert [message.to for message in mail.outbox] == [["an@example.gov.vn"]]
    assert link(new_token) in mail.outbox[0].body and link(old_token) not in mail.outbox[0].body
    old_page = personas.client("anonymous").get(link(old_token))
    assert old_page.status_code == 410
    assert "đã được thay bằng đường dẫn mới" in old_page.content.decode()
    assert personas.client("anonymous").get(link(new_token)).status_code == 200
    entry = AuditEntry.objects.get(object_type="surveys.invitation", object_id=str(resent.pk))
    assert entry.actor == personas.secretariat and entry.changes["link"] == [None, "new"]


def test_a_link_is_not_resent_to_someone_who_has_answered(
    invited: list[Invitation], questionnaire: Questionnaire
) -> None:
    answer(invited[0], questionnaire)
    with pytest.raises(ServiceError) as caught:
        invitation_resend(actor=None, invitation=invited[0], link=link)
    assert caught.value.code == "answered"
    assert Invitation.objects.get(pk=invited[0].pk).token_hash == invited[0].token_hash


# ---------------------------------------------------------------------------
# Correcting and removing


def test_the_secretariat_corrects_name_e_mail_and_group_before_an_answer(
    invited: list[Invitation], personas: Personas
) -> None:
    client = personas.client("secretariat")
    form = client.get(url("invitation_edit", invited[0]))
    assert form.status_code == 200 and "Lãnh đạo sở, ban, ngành" in form.content.decode()
    saved = client.post(
        url("invitation_edit", invited[0]), {"name": "Nguyễn Văn Ân", "email": "An2@Example.gov.vn", "group": "2"}
    )
    assert saved.status_code == 302
    person = Invitation.objects.get(pk=invited[0].pk)
    assert (person.name, person.email, person.respondent_group) == ("Nguyễn Văn Ân", "an2@example.gov.vn", "2")
    entry = AuditEntry.objects.get(object_type="surveys.invitation", object_id=str(person.pk))
    assert entry.changes["email"] == ["an@example.gov.vn", "an2@example.gov.vn"]
    taken = client.post(
        url("invitation_edit", invited[0]), {"name": "Ân", "email": "binh@example.gov.vn", "group": "2"}
    )
    assert taken.status_code == 400 and "đã có trong danh sách mời" in taken.content.decode()
    assert Invitation.objects.get(pk=invited[0].pk).name == "Nguyễn Văn Ân"


def test_an_answered_invitation_can_be_neither_corrected_nor_removed(
    invited: list[Invitation], questionnaire: Questionnaire, personas: Personas
) -> None:
    answer(invited[0], questionnaire)
    client = personas.client("secretariat")
    refused = client.post(url("invitation_edit", invited[0]), {"name": "Khác", "email": "khac@example.gov.vn"})
    assert refused.status_code == 302
    assert "đã trả lời phiếu" in client.get(refused["Location"]).content.decode()
    assert client.post(url("invitation_remove", invited[0])).status_code == 302
    assert Invitation.objects.get(pk=invited[0].pk).name == "Nguyễn Văn An"
    with pytest.raises(ServiceError):
        invitation_update(actor=None, invitation=invited[0], name="Khác", email="khac@example.gov.vn", group="")
    with pytest.raises(ServiceError):
        invitation_remove(actor=None, invitation=invited[0])


def test_removing_asks_first_then_the_old_link_says_the_invitation_was_cancelled(
    invited: list[Invitation], campaign: InvitationCampaign, personas: Personas
) -> None:
    client = personas.client("secretariat")
    token = token_of(invited[1])
    confirm = client.get(url("invitation_remove", invited[1]))
    assert confirm.status_code == 200 and "Không hoàn tác được" in confirm.content.decode()
    assert Invitation.objects.filter(pk=invited[1].pk).exists()
    assert client.post(url("invitation_remove", invited[1])).status_code == 302
    assert not Invitation.objects.filter(pk=invited[1].pk).exists()
    page = client.get(link(token))
    assert page.status_code == 410 and "đã được hủy" in page.content.decode()
    entry = AuditEntry.objects.get(object_type="surveys.invitation", action="delete")
    assert entry.changes["email"] == "binh@example.gov.vn" and entry.unit == campaign.unit
    # A second click (the page still open) finds nobody and changes nothing.
    assert client.post(url("invitation_remove", invited[1])).status_code == 404


# ---------------------------------------------------------------------------
# Exporting the list


def test_the_export_lists_every_invitation_with_labels_and_no_token(
    campaign: InvitationCampaign, personas: Personas, questionnaire: Questionnaire
) -> None:
    people = invitations_import(
        actor=None,
        campaign=campaign,
        data=workbook(["@SUM(1+1)", "a@example.gov.vn", "1", personas.unit_a.code]),
    )
    client = personas.client("secretariat")
    campaign_url = reverse("surveys:invitations_export", args=[questionnaire.pk, campaign.pk])
    download = client.get(campaign_url)
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Họ và tên", "Thư điện tử", "Nhóm đối tượng", "Đơn vị công tác")
    assert "Trả lời lúc" in rows[0]
    assert rows[1][0] == "'@SUM(1+1)"
    assert rows[1][1:5] == ("a@example.gov.vn", "Đại biểu HĐND tỉnh", "Sở Tư pháp", "Chưa gửi")
    text = str(rows)
    assert token_of(people[0]) not in text and people[0].token_hash not in text and people[0].nonce not in text


# ---------------------------------------------------------------------------
# The scheduled run


def test_the_scheduled_run_reminds_in_the_last_days_once_a_day_and_closes_late_campaigns(
    invited: list[Invitation],
    campaign: InvitationCampaign,
    questionnaire: Questionnaire,
    personas: Personas,
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = timezone.localdate()
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now() - datetime.timedelta(days=20))
    answer(invited[0], questionnaire)

    def run(day: datetime.date) -> invitations.ScheduledRun:
        with django_capture_on_commit_callbacks(execute=True):
            return scheduled_run(link=link, today=day)

    assert run(today).reminded == 0  # ten days before the deadline: too early (default 3 days)
    last_days = campaign.closes_on - datetime.timedelta(days=3)
    assert run(last_days).reminded == 1
    assert [message.to for message in mail.outbox] == [["binh@example.gov.vn"]]
    assert mail.outbox[0].subject.startswith("Nhắc:")
    # Reminded at the run's real time; make it the morning of that day, then run again the same day.
    start = timezone.make_aware(datetime.datetime.combine(last_days, datetime.time(7)))
    Invitation.objects.filter(pk=invited[1].pk).update(reminded_at=start)
    assert run(last_days).reminded == 0 and len(mail.outbox) == 1
    assert run(last_days + datetime.timedelta(days=1)).reminded == 1 and len(mail.outbox) == 2
    assert Invitation.objects.get(pk=invited[1].pk).reminder_count == 2
    late = run(campaign.closes_on + datetime.timedelta(days=1))
    assert (late.reminded, late.closed) == (0, 1)
    campaign.refresh_from_db()
    assert campaign.closed_at is not None and invitations.campaign_closed(campaign)
    assert run(campaign.closes_on + datetime.timedelta(days=2)).closed == 0
    closing = AuditEntry.objects.filter(
        object_type="surveys.invitationcampaign", object_id=str(campaign.pk), changes__has_key="closed_at"
    )
    assert closing.count() == 1 and closing.get().actor is None


def test_a_campaign_may_turn_automatic_reminders_off_or_start_them_earlier(
    questionnaire: Questionnaire, personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    quiet = make_campaign(questionnaire, personas.province, remind_days_before=0)
    early = make_campaign(questionnaire, personas.unit_a, remind_days_before=10)
    for number, campaign in enumerate((quiet, early)):
        invitations_import(
            actor=None, campaign=campaign, data=workbook([f"Người {number}", f"n{number}@x.vn", "1", ""])
        )
        with django_capture_on_commit_callbacks(execute=True):
            invitations_send(actor=None, campaign=campaign, link=link)
    Invitation.objects.update(sent_at=timezone.now() - datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        result = scheduled_run(link=link)
    assert (result.reminded, result.campaigns_reminded) == (1, 1)
    assert Invitation.objects.get(campaign=early).reminder_count == 1
    assert Invitation.objects.get(campaign=quiet).reminder_count == 0
    with pytest.raises(ServiceError, match="từ 0 đến 60"):
        make_campaign(questionnaire, personas.province, remind_days_before=61)


def test_the_command_needs_the_site_address_and_reports_what_it_did(
    invited: list[Invitation], campaign: InvitationCampaign, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CCHC_PUBLIC_URL = ""
    with pytest.raises(CommandError, match="PUBLIC_URL"):
        call_command("send_survey_reminders")
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now() - datetime.timedelta(days=20))
    out = io.StringIO()
    day = datetime.datetime.combine(campaign.closes_on - datetime.timedelta(days=1), datetime.time(7))
    traveller = time_machine.travel(timezone.make_aware(day), tick=False)
    traveller.start()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_survey_reminders", "--base-url", "https://cchc.example.gov.vn/", stdout=out)
    assert "đã nhắc 2 người ở 1 đợt mời" in out.getvalue()
    assert "https://cchc.example.gov.vn/s/i/" in mail.outbox[0].body
    traveller.stop()
    later = time_machine.travel(timezone.make_aware(day + datetime.timedelta(hours=10)), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        call_command("send_survey_reminders", "--base-url", "https://cchc.example.gov.vn", stdout=out)
    assert "đã nhắc 0 người" in out.getvalue() and len(mail.outbox) == 2


# ---------------------------------------------------------------------------
# Who may do what


ACTIONS = ("invitation_edit", "invitation_resend", "invitation_remove")


@pytest.mark.parametrize("name", ["secretariat", "admin"])
def test_managers_open_every_action_and_the_export(invited: list[Invitation], personas: Personas, name: str) -> None:
    client = personas.client(name)
    for action in ACTIONS:
        assert client.get(url(action, invited[0])).status_code == 200, action
    campaign = invited[0].campaign
    export = reverse("surveys:invitations_export", args=[campaign.questionnaire_id, campaign.pk])
    assert client.get(export).status_code == 200
    detail = client.get(reverse("surveys:campaign_detail", args=[campaign.questionnaire_id, campaign.pk]))
    html = detail.content.decode()
    assert "Gửi lại đường dẫn" in html and "Tải danh sách (Excel)" in html and "Đại biểu HĐND tỉnh" in html


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("supervisor", (403,)),
        ("leader", (403,)),
        ("focal_a", (403, 404)),
        ("appraiser", (403, 404)),
        ("anonymous", (302,)),
    ],
)
def test_other_roles_neither_change_nor_export_invitations(
    invited: list[Invitation], personas: Personas, name: str, statuses: tuple[int, ...]
) -> None:
    client = personas.client(name)
    campaign = invited[0].campaign
    for action in ACTIONS:
        assert client.get(url(action, invited[0])).status_code in statuses, action
        assert client.post(url(action, invited[0]), {"name": "X", "email": "x@x.vn"}).status_code in statuses
    export = reverse("surveys:invitations_export", args=[campaign.questionnaire_id, campaign.pk])
    assert client.get(export).status_code in statuses
    stored = Invitation.objects.get(pk=invited[0].pk)
    assert (stored.name, stored.token_hash) == ("Nguyễn Văn An", invited[0].token_hash)
    assert Invitation.objects.count() == 2 and not mail.outbox


def test_the_secretariat_does_not_reach_another_provinces_invitations(
    questionnaire: Questionnaire, personas: Personas
) -> None:
    other = make_campaign(questionnaire, personas.other_province)
    (person,) = invitations_import(actor=None, campaign=other, data=workbook(["Ngoài", "ngoai@x.vn", "1", ""]))
    client = personas.client("secretariat")
    for action in ACTIONS:
        assert client.get(url(action, person)).status_code == 404
        assert client.post(url(action, person)).status_code == 404
    assert Invitation.objects.filter(pk=person.pk).exists()


def test_an_invitation_of_another_campaign_is_not_found_through_this_one(
    invited: list[Invitation], questionnaire: Questionnaire, personas: Personas
) -> None:
    second = make_campaign(questionnaire, personas.unit_a)
    path = reverse("surveys:invitation_edit", args=[questionnaire.pk, second.pk, invited[0].pk])
    assert personas.client("secretariat").get(path).status_code == 404
    assert Invitation.objects.get(pk=invited[0].pk).state == InvitationState.SENT


def test_the_workplace_unit_of_an_invited_person_can_be_corrected_before_an_answer(
    invited: list[Invitation], personas: Personas, questionnaire: Questionnaire
) -> None:
    client = personas.client("secretariat")
    form = client.get(url("invitation_edit", invited[1])).content.decode()
    assert "Đơn vị công tác" in form
    fields = {"name": "Trần Thị Bình", "email": "binh@example.gov.vn", "group": "2"}
    saved = client.post(url("invitation_edit", invited[1]), fields | {"unit": str(personas.home_affairs.pk)})
    assert saved.status_code == 302
    assert Invitation.objects.get(pk=invited[1].pk).unit == personas.home_affairs
    entry = AuditEntry.objects.get(object_type="surveys.invitation", object_id=str(invited[1].pk))
    assert entry.changes["unit"] == [str(personas.unit_a), str(personas.home_affairs)]
    cleared = client.post(url("invitation_edit", invited[1]), fields | {"unit": ""})
    assert cleared.status_code == 302 and Invitation.objects.get(pk=invited[1].pk).unit is None
    answer(invited[1], questionnaire)
    refused = client.post(url("invitation_edit", invited[1]), fields | {"unit": str(personas.unit_a.pk)})
    assert "đã trả lời phiếu nên không sửa được" in client.get(refused["Location"]).content.decode()
    assert Invitation.objects.get(pk=invited[1].pk).unit is None
