"""The lists of "my tasks" and the reader's notifications are kept in the cache under the version of the data they
read (``cchc.lib.page_cache``): every write they show appears at the next request, a new day moves a task between
the lists, the lists are shared only by people acting for the same units, and the notifications are the reader's
own."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.directives import reminders, services
from cchc.directives.models import Directive, Notification
from cchc.organisations.models import Membership, Unit
from cchc.testing.personas import Personas

from .conftest import make_task
from .test_task_edit import edit

MINE = reverse("directives:my_tasks")
LISTS = ("overdue", "returned", "due-soon", "waiting", "later")
# The CSRF token, different at each request (the forms' fields and the header htmx sends).
CSRF_RE = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, 0), tick=False):
        yield


def _page(client: Client) -> str:
    response = client.get(MINE)
    assert response.status_code == 200
    return str(response.content.decode())


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _lists(html: str) -> dict[str, list[str]]:
    """The text of each row of each list shown, by list (tags left out, spaces folded; "no task" rows left out)."""
    found: dict[str, list[str]] = {}
    for name in LISTS:
        section = re.search(rf'<section data-testid="{name}">(.*?)</section>', html, re.S)
        if section is None:
            continue
        body = re.search(r"<tbody>(.*?)</tbody>", section.group(1), re.S)
        assert body is not None
        rows = [_text(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]
        found[name] = [row for row in rows if row != "Không có nhiệm vụ nào."]
    return found


def _where(html: str, *words: str) -> str:
    """The one list holding a row with every one of ``words``."""
    [name] = [name for name, rows in _lists(html).items() if any(all(word in row for word in words) for row in rows)]
    return name


def _all_rows(html: str) -> list[str]:
    return [row for rows in _lists(html).values() for row in rows]


def _notifications(html: str) -> str:
    """The text of the notifications' card ("": none shown)."""
    card = re.search(r'<section class="card" data-testid="notifications">(.*?)</section>', html, re.S)
    return _text(card.group(1)) if card else ""


def _card_token(html: str) -> str:
    """The CSRF token of the form marking the notifications read."""
    found = re.search(r'data-testid="notifications">.*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S)
    assert found is not None
    return found.group(1)


def _queries(client: Client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = _page(client)
    return html, len(queries)


def _colleague(personas: Personas, unit: Unit, username: str = "chuyenvien") -> User:
    """Somebody who works in ``unit`` and holds no role: they act for it."""
    user = User.objects.create(username=username, full_name="Đỗ Văn Chuyên Viên")
    Membership.objects.create(user=user, unit=unit)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_second_view_of_my_tasks_is_the_same_page_from_the_cache_with_fewer_queries(
    personas: Personas, directive: Directive
) -> None:
    for number in range(3):
        make_task(personas, directive, personas.unit_a, content=f"Việc số {number}")
    reminders.send_manual_reminders(
        actor=personas.secretariat, assignments=[make_task(personas, directive).assignments.get()]
    )
    client = personas.client("focal_a")
    first, made = _queries(client)
    second, kept = _queries(client)
    assert CSRF_RE.sub("", first) == CSRF_RE.sub("", second)
    assert len(_all_rows(second)) == 4 and "Chọn để nhắc" not in second
    assert _notifications(second)
    # The form marking them read carries each request's own token (drawn around the cached list).
    assert _card_token(first) != _card_token(second)
    # Neither the rows, nor the returned reports, nor the units one acts for, nor the notifications are read again.
    assert kept <= made - 4


def test_every_write_the_lists_show_appears_at_the_next_request(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a, content="Rà soát thủ tục")
    assignment = task.assignments.get()
    client = personas.client("focal_a")
    html = _page(client)
    assert _where(html, "Rà soát thủ tục", "Sở Tư pháp", "30/09/2025", "0%", "Chưa thực hiện") == "due-soon"

    # The deadline is moved before today; the unit reports progress; an extension is granted to the end of the year.
    task = edit(personas, task, deadline=datetime.date(2025, 9, 10))
    assert _where(_page(client), "Rà soát thủ tục", "10/09/2025", "0%", "Quá hạn chưa hoàn thành") == "overdue"
    services.report_submit(actor=personas.focal_a, assignment=assignment, percent=40, text="Đang làm")
    assert _where(_page(client), "Rà soát thủ tục", "10/09/2025", "40%") == "overdue"
    extension = services.extension_request(
        actor=personas.focal_a, assignment=assignment, new_due_date=datetime.date(2025, 12, 31), reason="Chờ số liệu"
    )
    services.extension_decide(actor=personas.secretariat, request=extension, approve=True)
    assert _where(_page(client), "Rà soát thủ tục", "31/12/2025", "40%", "Đang thực hiện trong hạn") == "later"

    # A task given to the unit, then taken from it (its assignment cancelled).
    other = make_task(personas, directive, personas.unit_a, content="Việc mới giao")
    assert _where(_page(client), "Việc mới giao", "Sở Tư pháp") == "due-soon"
    edit(personas, other, units=[personas.unit_b])
    assert "Việc mới giao" not in _page(client)

    # A completion report waits for acceptance; the secretariat returns it.
    report = services.report_submit(actor=personas.focal_a, assignment=assignment, percent=100, text="Xong")
    assert _where(_page(client), "Rà soát thủ tục", "chờ xác nhận") == "waiting"
    services.report_return(actor=personas.secretariat, report=report, comment="Bổ sung số liệu")
    lists = _lists(_page(client))
    assert [row for row in lists["returned"] if "Rà soát thủ tục" in row]
    assert not lists["waiting"] and "Sở Tư pháp Mới" not in str(lists)

    # The unit renamed and the directive's number corrected by straight SQL.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE organisations_unit SET name = %s WHERE id = %s", ["Sở Tư pháp Mới", personas.unit_a.pk])
    Directive.objects.filter(pk=directive.pk).update(reference="999/TB-UBND")
    lists = _lists(_page(client))
    assert [row for row in lists["returned"] if "Sở Tư pháp Mới" in row and "999/TB-UBND" in row]
    assert [row for row in lists["later"] if "Sở Tư pháp Mới" in row and "999/TB-UBND" in row]

    # The task is cancelled: it leaves every list.
    services.task_cancel(actor=personas.secretariat, task=task, reason="Không còn phù hợp")
    assert _all_rows(_page(client)) == []


def test_a_new_day_turns_a_task_overdue_without_any_write(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 30))
    make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 10, 10), content="Việc tháng sau")
    html = _page(personas.client("focal_a"))
    assert _where(html, "30/09/2025", "Chưa thực hiện") == "due-soon"
    assert _where(html, "Việc tháng sau") == "later"
    with time_machine.travel(datetime.datetime(2025, 10, 1, 9, 0), tick=False):
        html = _page(personas.client("focal_a"))
    assert _where(html, "30/09/2025", "Quá hạn chưa hoàn thành") == "overdue"
    assert _where(html, "Việc tháng sau") == "due-soon"


def test_a_notification_shows_at_the_next_request_and_leaves_once_read(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive, personas.unit_a, content="Việc cần nhắc").assignments.get()
    client = personas.client("focal_a")
    assert _notifications(_page(client)) == ""
    reminders.send_manual_reminders(actor=personas.secretariat, assignments=[assignment])
    html = _page(client)
    assert "Nhắc việc mới" in _notifications(html)
    assert f'href="{reverse("directives:assignment_detail", args=[assignment.pk])}"' in html
    assert client.post(reverse("directives:notifications_read")).status_code == 302
    assert _notifications(_page(client)) == ""
    # A notification written for the reader by another process, straight into the table.
    Notification.objects.create(user=personas.focal_a, kind="manual", message="Đề nghị báo cáo quý III")
    assert "Đề nghị báo cáo quý III" in _notifications(_page(client))


def test_focal_points_of_one_unit_share_the_lists_but_each_sees_only_their_own_notifications(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive, personas.unit_a, content="Việc của sở").assignments.get()
    # A second focal point of the department: they act for the same units as the first.
    colleague = _colleague(personas, personas.unit_a)
    RoleAssignment.objects.create(user=colleague, role=Role.FOCAL_POINT, scope=personas.unit_a)
    Notification.objects.create(user=personas.focal_a, assignment=assignment, kind="manual", message="Riêng đầu mối")
    mine, made = _queries(personas.client("focal_a"))
    theirs, kept = _queries(_client(colleague))
    assert _lists(mine) == _lists(theirs) and _where(theirs, "Việc của sở") == "due-soon"
    assert "Riêng đầu mối" in _notifications(mine)
    assert _notifications(theirs) == "" and "Riêng đầu mối" not in theirs
    assert kept < made  # the lists came from the cache


def test_focal_points_of_different_units_never_see_each_others_rows(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, content="Việc của sở")
    make_task(personas, directive, personas.unit_b, content="Việc của xã")
    make_task(personas, directive, personas.office_a, content="Việc của văn phòng sở")
    # Each filled in turn, then read again by the other.
    for _round in range(2):
        department = _page(personas.client("focal_a"))
        commune = _page(personas.client("focal_b"))
        # The focal point of the department answers for its office too (the scope of their role).
        assert _where(department, "Việc của sở") == _where(department, "Việc của văn phòng sở") == "due-soon"
        assert len(_all_rows(department)) == 2 and "Việc của xã" not in department
        [row] = _all_rows(commune)
        assert "Việc của xã" in row and "Việc của sở" not in commune and "văn phòng" not in commune


def test_a_removed_membership_or_role_takes_effect_at_the_next_request(
    personas: Personas, directive: Directive
) -> None:
    make_task(personas, directive, personas.unit_a, content="Việc của sở")
    make_task(personas, directive, personas.unit_b, content="Việc của xã")
    colleague = _colleague(personas, personas.unit_a)
    client = _client(colleague)
    assert [_where(_page(client), "Việc của sở")] == ["due-soon"] and "Việc của xã" not in _page(client)
    Membership.objects.filter(user=colleague).delete()
    assert _all_rows(_page(client)) == []

    # A focal point of the commune is given the department as well, then it is taken away again.
    focal = personas.client("focal_b")
    assert "Việc của sở" not in _page(focal)
    role = RoleAssignment.objects.create(user=personas.focal_b, role=Role.FOCAL_POINT, scope=personas.unit_a)
    assert len(_all_rows(_page(focal))) == 2
    RoleAssignment.objects.filter(pk=role.pk).update(scope=personas.office_a)
    html = _page(focal)
    assert len(_all_rows(html)) == 1 and "Việc của sở" not in html
    RoleAssignment.objects.filter(pk=role.pk).delete()
    assert "Việc của xã" in _page(focal) and "Việc của sở" not in _page(focal)
