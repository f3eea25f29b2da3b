"""The tracker's table and filter form are kept in the cache under the version of the data they read
(``cchc.lib.page_cache``): every write the rows read shows at the next request, a new day moves the statuses, and
no reader is ever shown a section made for a reader of another scope."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.roles import clear_cache
from cchc.directives import services
from cchc.directives.models import Directive, DirectiveKind
from cchc.organisations.models import Membership, Unit
from cchc.organisations.picker import UNIT_SCOPES
from cchc.testing.personas import Personas

from .conftest import make_task
from .test_task_edit import edit

TRACKER = reverse("directives:tracker")
# The CSRF token, different at each request (the form's field and the header htmx sends).
CSRF_RE = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')
PICKER_URL_RE = re.compile(r'data-unit-picker data-url="[^"]*\?scope=([^"&]+)"')


@pytest.fixture(autouse=True)
def today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, 0), tick=False):
        yield


def _page(client: Client, **params: Any) -> str:
    response = client.get(TRACKER, {"status": "all", **params})
    assert response.status_code == 200
    return str(response.content.decode())


def _rows(html: str) -> list[str]:
    """The text of each row of the tracker's table, tags left out and spaces folded."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body is not None
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def _row(html: str, *words: str) -> str:
    """The one row holding every one of ``words``."""
    [found] = [row for row in _rows(html) if all(word in row for word in words)]
    return found


def _queries(client: Client, **params: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = _page(client, **params)
    return html, len(queries)


def test_a_second_view_of_the_same_tracker_is_the_same_page_from_the_cache_with_fewer_queries(
    personas: Personas, directive: Directive
) -> None:
    for number in range(3):
        make_task(personas, directive, personas.unit_a, personas.unit_b, content=f"Việc số {number}")
    client = personas.client("secretariat")
    first, made = _queries(client)
    second, kept = _queries(client)
    assert CSRF_RE.sub("", first) == CSRF_RE.sub("", second)
    assert len(_rows(second)) == 6
    # Neither the rows, nor their count, nor the directives and units of the filters are read again.
    assert kept <= made - 5


def test_every_write_the_rows_show_appears_at_the_next_request(personas: Personas, directive: Directive) -> None:
    task = make_task(personas, directive, personas.unit_a, personas.unit_b, content="Rà soát thủ tục")
    client = personas.client("secretariat")
    html = _page(client)
    assert "Sở Tư pháp" in _row(html, "Rà soát thủ tục", "Sở Tư pháp", "0%", "Chưa thực hiện")

    # A unit reports progress.
    services.report_submit(
        actor=personas.focal_a, assignment=task.assignments.get(unit=personas.unit_a), percent=40, text="Đang làm"
    )
    html = _page(client)
    assert _row(html, "Sở Tư pháp", "40%", "Đang thực hiện trong hạn")

    # The task is edited, then its deadline moved before today.
    task = edit(personas, task, content="Rà soát và công bố thủ tục")
    assert _row(_page(client), "Rà soát và công bố thủ tục", "Xã Hòa Bình", "30/09/2025")
    task = edit(personas, task, deadline=datetime.date(2025, 9, 10))
    assert _row(_page(client), "Xã Hòa Bình", "10/09/2025", "Quá hạn chưa hoàn thành")

    # A task is created.
    make_task(personas, directive, personas.unit_b, content="Việc mới giao")
    html = _page(client)
    assert _row(html, "Việc mới giao", "Xã Hòa Bình") and "3 lượt theo dõi" in html

    # Writes of other kinds the rows read: a unit renamed, a directive's number corrected (straight SQL updates).
    Unit.objects.filter(pk=personas.unit_b.pk).update(name="Xã Hòa Bình Mới")
    Directive.objects.filter(pk=directive.pk).update(reference="999/TB-UBND")
    assert _row(_page(client), "Việc mới giao", "Xã Hòa Bình Mới", "999/TB-UBND")

    # A task is cancelled: its rows leave the tracker.
    services.task_cancel(actor=personas.secretariat, task=task, reason="Không còn phù hợp")
    html = _page(client)
    assert len(_rows(html)) == 1 and "1 lượt theo dõi" in html and "Rà soát và công bố" not in html


def test_a_new_day_moves_a_status_without_any_write(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 30))
    assert _row(_page(personas.client("secretariat")), "30/09/2025", "Chưa thực hiện")
    with time_machine.travel(datetime.datetime(2025, 10, 1, 9, 0), tick=False):
        # Signed in again: the session of ten days ago has expired.
        assert _row(_page(personas.client("secretariat")), "30/09/2025", "Quá hạn chưa hoàn thành")


def test_no_reader_is_shown_the_tracker_made_for_another_scope(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, content="Việc của sở")
    make_task(personas, directive, personas.unit_b, content="Việc của xã")
    elsewhere = services.directive_create(
        actor=personas.admin,
        data=services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận của tỉnh bên cạnh",
            issuing_unit=personas.other_province,
            reference="55/TB-UBND",
            issued_on=datetime.date(2025, 8, 1),
            signer="Người Ký",
        ),
    )
    services.task_create(
        actor=personas.admin,
        directive=elsewhere,
        data=services.TaskData(
            content="Việc của tỉnh bên cạnh",
            deadline_kind="date",
            units=[personas.other_commune],
            deadline=datetime.date(2025, 9, 30),
        ),
    )
    # A focal point of the commune who also supervises it: may open the tracker, for the commune only.
    RoleAssignment.objects.create(user=personas.focal_b, role=Role.SUPERVISOR, scope=personas.unit_b)

    # Filled by the broadest reader first, then read by each narrower one with the same query string.
    admin = _page(personas.client("admin"))
    assert len(_rows(admin)) == 3 and _row(admin, "Việc của tỉnh bên cạnh", "Xã Ngoài Phạm Vi")
    secretariat = _page(personas.client("secretariat"))
    leader = _page(personas.client("leader"))
    focal = _page(personas.client("focal_b"))
    for html in (secretariat, leader):
        assert len(_rows(html)) == 2 and "Việc của tỉnh bên cạnh" not in html
    assert _rows(focal) == [_row(focal, "Việc của xã", "Xã Hòa Bình")]
    assert "Việc của sở" not in focal
    # The reminders' tick boxes only for those who may remind.
    assert 'name="assignment"' in admin and 'name="assignment"' in secretariat
    assert 'name="assignment"' not in leader and 'name="assignment"' not in focal


def test_a_role_changed_changes_the_tracker_at_the_next_request(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, content="Việc của sở")
    make_task(personas, directive, personas.unit_b, content="Việc của xã")
    role = RoleAssignment.objects.create(user=personas.focal_b, role=Role.SUPERVISOR, scope=personas.unit_b)
    client = personas.client("focal_b")
    assert len(_rows(_page(client))) == 1
    RoleAssignment.objects.filter(pk=role.pk).update(scope=personas.province)
    assert len(_rows(_page(client))) == 2
    RoleAssignment.objects.filter(pk=role.pk).delete()
    assert client.get(TRACKER, {"status": "all"}).status_code == 403


def test_readers_of_one_scope_share_the_table_but_each_gets_a_picker_token_of_their_own(
    personas: Personas, directive: Directive, settings: Any
) -> None:
    settings.UNIT_PICKER_SELECT_LIMIT = 2  # the unit filter searches: its token names the reader
    make_task(personas, directive, personas.unit_a, personas.unit_b)
    colleague = User.objects.create(username="thuongtruc2", full_name="Đỗ Văn Đồng Nghiệp")
    Membership.objects.create(user=colleague, unit=personas.secretariat.memberships.get().unit)
    RoleAssignment.objects.create(user=colleague, role=Role.SECRETARIAT, scope=personas.province)
    clear_cache(colleague)
    first, made = _queries(personas.client("secretariat"))
    other = Client()
    other.force_login(colleague)
    second, kept = _queries(other)
    assert _rows(first) == _rows(second) and len(_rows(first)) == 2
    assert kept < made  # the table came from the cache

    def owner(html: str) -> int:
        found = PICKER_URL_RE.search(html)
        assert found is not None
        return int(signing.loads(unescape(found.group(1)), salt=UNIT_SCOPES.salt)["u"])

    assert owner(first) == personas.secretariat.pk and owner(second) == colleague.pk
