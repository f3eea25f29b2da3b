"""The unit filter of the tracker is the unit picker: with many units it searches, and it filters, pages and exports
the same rows as the plain list did."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from cchc.accounts import roles
from cchc.directives import access, selectors
from cchc.directives.models import Assignment, Directive
from cchc.organisations.models import Unit
from cchc.organisations.picker import UNIT_SCOPES, unit_scope
from cchc.testing.personas import Personas

from .conftest import make_task

TRACKER = reverse("directives:tracker")
EXPORT = reverse("directives:tracker_export")
PICKER_URL_RE = re.compile(r'data-unit-picker data-url="([^"]+)"')


@pytest.fixture(autouse=True)
def today() -> Any:
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, 0), tick=False):
        yield


@pytest.fixture
def work(personas: Personas, directive: Directive) -> dict[str, list[int]]:
    """One overdue task for unit A and 55 for the commune (more than a page of 50)."""
    a = make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 1))
    b = [
        make_task(personas, directive, personas.unit_b, deadline=datetime.date(2025, 12, 1), content=f"Việc {number}")
        for number in range(55)
    ]
    return {
        "a": list(a.assignments.values_list("pk", flat=True)),
        "b": [pk for task in b for pk in task.assignments.values_list("pk", flat=True)],
    }


@pytest.fixture
def many(settings: Any) -> None:
    """The unit filter searches, as it does with the thousands of units of a national installation."""
    settings.UNIT_PICKER_SELECT_LIMIT = 2


def _row_ids(client: Client, params: dict[str, Any]) -> list[int]:
    """The primary keys of the rows of every page of the tracker for ``params``."""
    found: list[int] = []
    number = 1
    while True:
        response = client.get(TRACKER, {**params, "page": number})
        assert response.status_code == 200
        table = response.context["table"]
        found += table.ids
        if len(found) >= table.count or not table.ids:
            return found
        number += 1


def _expected(personas: Personas, name: str, unit: Unit) -> list[int]:
    """The rows of the selector itself, filtered by ``unit`` as the plain list filtered them."""
    user = personas.user(name) or AnonymousUser()
    filters = selectors.TrackerFilters(unit=unit.pk, status=selectors.OPEN)
    return [row.pk for row in selectors.tracker(access.get_assignments_for_user(user), filters)]


def _search(client: Client, page_html: str, query: str) -> list[dict[str, Any]]:
    url = unescape(PICKER_URL_RE.search(page_html).group(1))  # type: ignore[union-attr]
    response = client.get(f"{url}&{urlencode({'q': query})}")
    assert response.status_code == 200, response.content
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_with_few_units_the_filter_stays_a_list_of_the_units_the_user_may_read(
    personas: Personas, work: dict[str, list[int]]
) -> None:
    html = personas.client("secretariat").get(TRACKER, {"unit": personas.unit_b.pk}).content.decode()
    assert "data-unit-picker" not in html
    assert f'<option value="{personas.unit_b.pk}" selected>' in html
    assert 'for="id_unit"' in html
    assert "Xã Hòa Bình" in html and "Xã Ngoài Phạm Vi" not in html


def test_with_many_units_the_picker_finds_a_unit_and_the_tracker_shows_the_same_rows_as_before(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    client = personas.client("secretariat")
    html = client.get(TRACKER).content.decode()
    assert 'id="id_unit_search"' in html and 'for="id_unit_search"' in html
    assert html.count(f'<option value="{personas.unit_a.pk}"') == 0  # no list of every unit
    found = _search(client, html, "hoa binh")
    assert [result["name"] for result in found] == ["Xã Hòa Bình"]
    filtered = client.get(TRACKER, {"unit": found[0]["id"]})
    assert (
        sorted(_row_ids(client, {"unit": found[0]["id"]}))
        == sorted(work["b"])
        == sorted(_expected(personas, "secretariat", personas.unit_b))
    )
    assert filtered.context["table"].count == 55 and len(filtered.context["table"].ids) == 50
    html = filtered.content.decode()
    assert re.search(rf'<option value="{personas.unit_b.pk}" selected[^>]*>Xã Hòa Bình — Tỉnh Thử Nghiệm<', html)
    # Pagination and the export keep the unit.
    assert f"unit={personas.unit_b.pk}&amp;page=2" in html
    assert f"{EXPORT}?unit={personas.unit_b.pk}" in html
    second = client.get(TRACKER, {"unit": personas.unit_b.pk, "page": 2})
    assert len(second.context["table"].ids) == 5


def test_the_tracker_filter_counts_its_queries(
    personas: Personas, work: dict[str, list[int]], many: None, django_assert_max_num_queries: Any
) -> None:
    client = personas.client("secretariat")
    client.get(TRACKER)  # sessions and the like are read once
    with django_assert_max_num_queries(14):
        client.get(TRACKER)
    with django_assert_max_num_queries(17):
        response = client.get(TRACKER, {"unit": personas.unit_a.pk})
    assert response.context["table"].ids == tuple(work["a"])


def test_the_picker_of_the_tracker_only_finds_units_the_user_may_read(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    admin = personas.client("admin")
    admin_page = admin.get(TRACKER).content.decode()
    assert sorted(result["name"] for result in _search(admin, admin_page, "xa")) == ["Xã Hòa Bình", "Xã Ngoài Phạm Vi"]
    leader = personas.client("leader")
    assert [result["name"] for result in _search(leader, leader.get(TRACKER).content.decode(), "xa")] == ["Xã Hòa Bình"]
    # A focal point may not open the tracker, and the admin's token does not let them search outside their scope.
    focal = personas.client("focal_b")
    assert focal.get(TRACKER).status_code == 403
    assert [result["name"] for result in _search(focal, admin_page, "xa")] == ["Xã Hòa Bình"]
    assert _search(focal, admin_page, "ngoai pham vi") == []


def test_the_token_of_the_tracker_names_the_active_units_the_user_may_read(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    html = personas.client("leader").get(TRACKER).content.decode()
    scope = unit_scope(personas.leader, "units.visible", active=True)
    url = unescape(PICKER_URL_RE.search(html).group(1))  # type: ignore[union-attr]
    assert url.endswith(f"?scope={scope.token()}")
    units = roles.get_units_for_user(personas.leader).active()
    assert set(UNIT_SCOPES.rows(scope.token(), personas.leader)) == set(units)


def test_without_javascript_a_unit_searched_for_filters_the_tracker_its_pages_and_its_export(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    client = personas.client("leader")
    response = client.get(TRACKER, {"unit__search": "hoa binh", "status": "all"})
    assert sorted(_row_ids(client, {"unit__search": "hoa binh", "status": "all"})) == sorted(work["b"])
    html = response.content.decode()
    assert "unit__search=" not in response.context["filter_query"]
    assert response.context["filter_query"] == f"status=all&unit={personas.unit_b.pk}"
    assert f"status=all&amp;unit={personas.unit_b.pk}&amp;page=2" in html
    assert re.search(rf'<option value="{personas.unit_b.pk}" selected', html)
    assert 'name="unit__search" value=""' in html

    export = client.get(EXPORT, {"unit__search": "hoa binh", "status": "all"})
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))  # type: ignore[attr-defined,arg-type]
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))[1:]
    assert len(rows) == 55 and {row[3] for row in rows} == {"Xã Hòa Bình"}


def test_without_javascript_a_search_with_several_or_no_matches_says_so_and_keeps_the_filter(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    client = personas.client("secretariat")
    several = client.get(TRACKER, {"unit": str(personas.unit_a.pk), "unit__search": "so"})
    assert several.context["table"].ids == tuple(work["a"])  # still the unit chosen before
    html = several.content.decode()
    assert "Có nhiều đơn vị khớp với “so”" in html and 'role="alert"' in html
    assert "Sở Tư pháp — Tỉnh Thử Nghiệm" in html and "Sở Nội vụ — Tỉnh Thử Nghiệm" in html
    none = client.get(TRACKER, {"unit__search": "ngoai pham vi"})
    assert "Không tìm thấy đơn vị nào khớp với “ngoai pham vi”" in none.content.decode()
    assert none.context["table"].count == 56
    assert none.context["filter_query"] == ""


def test_a_unit_the_picker_does_not_offer_still_narrows_the_rows_to_what_the_user_may_read(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    client = personas.client("leader")
    outside = client.get(TRACKER, {"unit": personas.other_commune.pk})
    assert outside.status_code == 200 and outside.context["table"].count == 0
    assert "Không tìm thấy đơn vị nào khớp" not in outside.content.decode()
    assert client.get(TRACKER, {"unit": "a"}).context["table"].count == 56
    assert Assignment.objects.count() == 56


def test_an_old_link_that_searched_units_by_name_now_searches_with_the_picker(
    personas: Personas, work: dict[str, list[int]], many: None
) -> None:
    client = personas.client("secretariat")
    response = client.get(TRACKER, {"unit_q": "hoa binh"})
    assert sorted(_row_ids(client, {"unit_q": "hoa binh"})) == sorted(work["b"])
    assert response.context["filter_query"] == f"unit={personas.unit_b.pk}"
    assert re.search(rf'<option value="{personas.unit_b.pk}" selected', response.content.decode())
