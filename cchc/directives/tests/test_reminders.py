"""Reminders: schedule, idempotency, escalation, retry after a failed send; the first goes through real SMTP."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.directives import reminders, services
from cchc.directives.models import Directive, Notification, ReminderKind, ReminderLog
from cchc.organisations.models import Membership
from cchc.testing.personas import Personas

from .conftest import DUE, Mailbox, SMTPMailbox, make_task

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def people(personas: Personas) -> Personas:
    """Everybody concerned has an e-mail address; unit A has a head."""
    for user, address in (
        (personas.focal_a, "daumoi.a@example.vn"),
        (personas.focal_b, "daumoi.b@example.vn"),
        (personas.leader, "lanhdao@example.vn"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    head = User.objects.create(username="giamdoc", full_name="Đinh Văn Giám Đốc", email="giamdoc@example.vn")
    Membership.objects.create(user=head, unit=personas.unit_a, is_head=True, position="Giám đốc Sở")
    return personas


def subject(message: object) -> str:
    return " ".join(str(message["Subject"]).split())  # type: ignore[index]


def run(day: datetime.date) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def test_schedule_reminds_7_3_1_days_before_on_the_day_then_every_3_days_overdue() -> None:
    schedule = reminders.Schedule()
    due = datetime.date(2025, 9, 30)
    kinds = {offset: schedule.kind_for(due, due + datetime.timedelta(days=offset)) for offset in range(-10, 12)}
    reminded = {offset for offset, kind in kinds.items() if kind}
    assert reminded == {-7, -3, -1, 0, 1, 4, 7, 10}
    assert kinds[0] == ReminderKind.DUE_TODAY and kinds[-3] == ReminderKind.BEFORE and kinds[4] == ReminderKind.OVERDUE


@override_settings(CCHC_REMINDER_DAYS_BEFORE=[5], CCHC_REMINDER_OVERDUE_EVERY=2)
def test_schedule_comes_from_settings() -> None:
    schedule = reminders.Schedule.from_settings()
    assert schedule.days_before == (5,) and schedule.overdue_every == 2


def test_reminder_three_days_before_is_emailed_in_vietnamese_once_however_often_the_command_runs(
    people: Personas, directive: Directive, smtp_server: SMTPMailbox
) -> None:
    make_task(people, directive, people.unit_a)
    day = DUE - datetime.timedelta(days=3)
    output = run(day)
    assert "1" in output
    messages = smtp_server.received()
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "daumoi.a@example.vn"
    assert subject(message) == "[CCHC] Nhắc việc: 1 nhiệm vụ sắp đến hạn"
    body = message.get_content()
    assert "Kính gửi Lê Thị Đầu Mối" in body
    assert "Rà soát thủ tục hành chính" in body
    assert "còn 3 ngày đến hạn" in body and "30/09/2025" in body
    assert Notification.objects.filter(user=people.focal_a, kind=ReminderKind.BEFORE).count() == 1

    run(day)
    run(day)
    assert len(smtp_server.received()) == 1
    assert ReminderLog.objects.count() == 1 and ReminderLog.objects.get().emailed


def test_no_reminder_on_days_outside_the_schedule_nor_for_done_or_waiting_work(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    waiting = make_task(people, directive, people.unit_b, content="Chờ xác nhận").assignments.get()
    with time_machine.travel(DUE - datetime.timedelta(days=10), tick=False):
        make_task(people, directive, people.unit_a)
        services.report_submit(actor=people.focal_b, assignment=waiting, percent=100, text="Xong")
    run(DUE - datetime.timedelta(days=5))
    run(DUE - datetime.timedelta(days=1))
    addressees = [str(message["To"]) for message in mailbox.received()]
    assert addressees == ["daumoi.a@example.vn"]


def test_overdue_reminder_escalates_to_the_unit_head_and_the_leader(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    make_task(people, directive, people.unit_a)
    run(DUE + datetime.timedelta(days=1))
    focal = mailbox.to("daumoi.a@example.vn")
    head = mailbox.to("giamdoc@example.vn")
    leader = mailbox.to("lanhdao@example.vn")
    assert len(focal) == len(head) == len(leader) == 1
    assert subject(focal[0]) == "[CCHC] Nhắc việc: 1 nhiệm vụ quá hạn"
    assert "quá hạn 1 ngày" in leader[0].get_content()
    assert "thuộc phạm vi phụ trách đã quá hạn" in head[0].get_content()
    kinds = set(ReminderLog.objects.values_list("recipient__username", "kind"))
    assert kinds == {
        ("daumoi_a", ReminderKind.OVERDUE),
        ("giamdoc", ReminderKind.ESCALATION),
        ("lanhdao", ReminderKind.ESCALATION),
    }
    run(DUE + datetime.timedelta(days=2))  # not a reminder day (every 3 days)
    assert len(mailbox.received()) == 3
    run(DUE + datetime.timedelta(days=4))
    assert len(mailbox.received()) == 6


def test_nearest_leader_is_escalated_to_not_every_leader_above(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    local = User.objects.create(username="lanhdao_so", full_name="Lãnh Đạo Sở", email="lanhdao.so@example.vn")
    RoleAssignment.objects.create(user=local, role=Role.LEADER, scope=people.unit_a)
    make_task(people, directive, people.unit_a)
    run(DUE + datetime.timedelta(days=1))
    assert mailbox.to("lanhdao.so@example.vn")
    assert not mailbox.to("lanhdao@example.vn")


def test_one_email_per_person_lists_all_their_reminders(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    make_task(people, directive, people.unit_a, content="Nhiệm vụ thứ nhất")
    make_task(people, directive, people.unit_a, content="Nhiệm vụ thứ hai")
    run(DUE)
    [message] = mailbox.received()
    body = message.get_content()
    assert "Nhiệm vụ thứ nhất" in body and "Nhiệm vụ thứ hai" in body and "đến hạn hôm nay" in body
    assert subject(message) == "[CCHC] Nhắc việc: 2 nhiệm vụ sắp đến hạn"


def test_failed_email_is_retried_by_the_next_run_without_duplicating_the_reminder(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    make_task(people, directive, people.unit_a)
    day = DUE - datetime.timedelta(days=7)
    with override_settings(EMAIL_BACKEND=SMTP_BACKEND, EMAIL_HOST="127.0.0.1", EMAIL_PORT=1, EMAIL_TIMEOUT=2):
        output = run(day)  # nothing listens on port 1: the SMTP connection is refused
    assert "không gửi được" in output.lower()
    log = ReminderLog.objects.get()
    assert not log.emailed
    assert Notification.objects.filter(user=people.focal_a).count() == 1
    run(day)
    assert len(mailbox.received()) == 1
    log.refresh_from_db()
    assert log.emailed
    assert Notification.objects.filter(user=people.focal_a).count() == 1


def test_units_without_focal_point_are_reminded_through_their_members(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    RoleAssignment.objects.filter(user=people.focal_a).delete()
    make_task(people, directive, people.unit_a)
    run(DUE - datetime.timedelta(days=1))
    # The focal point still works in unit A, as does the head: both are members.
    assert {str(message["To"]) for message in mailbox.received()} == {
        "daumoi.a@example.vn",
        "giamdoc@example.vn",
    }


def test_manual_reminders_from_the_tracker_are_sent_once_a_day(
    people: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    assignment = make_task(people, directive, people.unit_a).assignments.get()
    with time_machine.travel(datetime.date(2025, 9, 5), tick=False):
        first = reminders.send_manual_reminders(actor=people.secretariat, assignments=[assignment])
        second = reminders.send_manual_reminders(actor=people.secretariat, assignments=[assignment])
    assert (first.reminders, second.reminders) == (1, 0)
    [message] = mailbox.received()
    assert "đề nghị báo cáo tiến độ" in message.get_content()
