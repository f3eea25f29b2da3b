"""The task form chooses its units, supporting units and criteria with the searchable pickers, not with lists where
several lines had to be Ctrl-clicked: with JavaScript the picker searches its endpoint and posts the chosen keys;
without it, the text typed is searched when the form is submitted."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from cchc.directives.forms import TaskForm
from cchc.directives.models import Directive, Task
from cchc.frameworks import access as frameworks_access
from cchc.frameworks.models import Criterion, Framework
from cchc.frameworks.picker import CRITERION_SCOPES
from cchc.testing.personas import Personas

from .conftest import DUE

PICKER_RE = re.compile(r'data-unit-picker data-url="([^"]+)"')


@pytest.fixture
def criteria(personas: Personas) -> dict[str, Criterion]:
    framework = Framework.objects.create(name="Bộ tiêu chí sở, ban, ngành", year=2025, unit_kind="department")
    rows: dict[str, Criterion] = {}
    for position, (code, title) in enumerate(
        (
            ("1", "Công tác chỉ đạo, điều hành cải cách hành chính"),
            ("1.1", "Ban hành kế hoạch cải cách hành chính năm"),
            ("1.2", "Mức độ thực hiện kế hoạch cải cách hành chính"),
            ("2", "Cải cách thủ tục hành chính"),
        ),
        start=1,
    ):
        rows[code] = Criterion.objects.create(
            framework=framework,
            parent=rows.get(code.split(".")[0]) if "." in code else None,
            code=code,
            position=position,
            depth=code.count("."),
            title=title,
            max_points=Decimal(2),
        )
    return rows


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "content": "Rà soát, đơn giản hóa thủ tục hành chính",
        "expected_output": "other",
        "deadline_kind": "date",
        "deadline": DUE.isoformat(),
        **extra,
    }


def _pickers(page: str) -> dict[str, str]:
    """Search URL of each picker of the page, by the name of its select."""
    found = {}
    for match in PICKER_RE.finditer(page):
        select = re.search(r'<select name="([^"]+)"', page[match.end() :])
        assert select
        found[select.group(1)] = unescape(match.group(1))
    return found


def test_the_task_form_offers_search_pickers_instead_of_long_lists(
    personas: Personas, directive: Directive, criteria: dict[str, Criterion]
) -> None:
    response = personas.client("secretariat").get(reverse("directives:task_create", args=[directive.pk]))
    page = response.content.decode()
    pickers = _pickers(page)
    assert pickers["units"].startswith(reverse("organisations:unit_search"))
    assert pickers["supporting_units"].startswith(reverse("organisations:unit_search"))
    assert pickers["criteria"].startswith(reverse("frameworks:criterion_search"))
    for name in ("units", "supporting_units", "criteria"):
        assert f'name="{name}__search"' in page
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        assert select and "<option" not in select.group(0)  # nothing chosen, nothing listed
    assert 'type="checkbox" name="indicators"' in page or 'name="indicators"' not in page


def test_a_task_is_saved_through_the_pickers_without_javascript(
    personas: Personas, directive: Directive, criteria: dict[str, Criterion]
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:task_create", args=[directive.pk])
    response = client.post(
        url, _form(units__search="hoa binh", supporting_units__search="noi vu", criteria__search="1.2")
    )
    assert response.status_code == 302, response.content.decode()
    task = Task.objects.get()
    assert list(task.assignments.values_list("unit", flat=True)) == [personas.unit_b.pk]
    assert [unit.name for unit in task.supporting_units.all()] == ["Sở Nội vụ"]
    assert list(task.criteria.all()) == [criteria["1.2"]]


def test_a_search_without_javascript_that_finds_several_criteria_offers_them_and_saves_nothing(
    personas: Personas, directive: Directive, criteria: dict[str, Criterion]
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:task_create", args=[directive.pk])
    response = client.post(url, _form(units=[personas.unit_a.pk], criteria__search="ke hoach"))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Có nhiều tiêu chí khớp với “ke hoach”" in page
    select = re.search(r'<select name="criteria".*?</select>', page, re.S)
    assert select and "1.1 Ban hành kế hoạch" in select.group(0) and "1.2 Mức độ thực hiện" in select.group(0)
    assert not Task.objects.exists()
    # Choosing one of them and submitting again saves the task.
    response = client.post(url, _form(units=[personas.unit_a.pk], criteria=[criteria["1.1"].pk]))
    assert response.status_code == 302
    assert list(Task.objects.get().criteria.all()) == [criteria["1.1"]]


def _search(client: Client, url: str, text: str) -> list[dict[str, Any]]:
    parts = urlparse(url)
    scope = parse_qs(parts.query)["scope"][0]
    response = client.get(parts.path, {"scope": scope, "q": text})
    assert response.status_code == 200
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_a_task_is_saved_through_the_pickers_with_javascript(
    personas: Personas, directive: Directive, criteria: dict[str, Criterion]
) -> None:
    """What the script does: search each picker's endpoint with its token, then post the keys chosen."""
    client = personas.client("secretariat")
    url = reverse("directives:task_create", args=[directive.pk])
    pickers = _pickers(client.get(url).content.decode())
    units = _search(client, pickers["units"], "tu phap")
    assert [result["name"] for result in units][:1] == ["Sở Tư pháp"]
    supporting = _search(client, pickers["supporting_units"], "xa hoa binh")
    assert [result["id"] for result in supporting] == [personas.unit_b.pk]
    found = _search(client, pickers["criteria"], "thu tuc")
    assert [result["id"] for result in found] == [criteria["2"].pk]
    assert found[0]["detail"] == "Bộ tiêu chí sở, ban, ngành (2025)"
    response = client.post(
        url, _form(units=[units[0]["id"]], supporting_units=[supporting[0]["id"]], criteria=[found[0]["id"]])
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert list(task.assignments.values_list("unit", flat=True)) == [personas.unit_a.pk]
    assert list(task.supporting_units.all()) == [personas.unit_b]
    assert list(task.criteria.all()) == [criteria["2"]]


def test_the_criterion_search_refuses_a_forged_token(personas: Personas, criteria: dict[str, Criterion]) -> None:
    response = personas.client("secretariat").get(reverse("frameworks:criterion_search"), {"scope": "x", "q": "1"})
    assert response.status_code == 400
    assert "không hợp lệ" in response.json()["detail"]


def test_the_edit_form_shows_the_chosen_criteria_as_chips(
    personas: Personas, directive: Directive, criteria: dict[str, Criterion]
) -> None:
    client = personas.client("secretariat")
    client.post(
        reverse("directives:task_create", args=[directive.pk]),
        _form(units=[personas.unit_a.pk], criteria=[criteria["1.2"].pk, criteria["1.1"].pk]),
    )
    task = Task.objects.get()
    page = unescape(client.get(reverse("directives:task_edit", args=[task.pk])).content.decode())
    select = re.search(r'<select name="criteria".*?</select>', page, re.S)
    assert select
    options = re.findall(r'<option value="(\d+)" selected', select.group(0))
    assert options == [str(criteria["1.1"].pk), str(criteria["1.2"].pk)]


def test_the_criterion_search_is_only_for_people_who_are_signed_in(personas: Personas) -> None:
    response = Client().get(reverse("frameworks:criterion_search"), {"scope": "x", "q": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_criteria_field_offers_the_rows_of_its_scope_and_the_token_searches_inside_them(
    personas: Personas, directive: Directive, criteria: dict[str, Criterion]
) -> None:
    """The field's queryset is what ``frameworks.criteria`` gives; its token searches those criteria of the frameworks
    the person searching may read, nothing else (a framework of the other province stays out of reach)."""
    elsewhere = Framework.objects.create(
        name="Bộ tiêu chí tỉnh bạn", year=2025, unit_kind="department", owner=personas.other_province
    )
    hidden = Criterion.objects.create(
        framework=elsewhere, code="1", position=1, depth=0, title="Tiêu chí riêng", max_points=Decimal(1)
    )
    assert CRITERION_SCOPES.names() == ["frameworks.criteria"]
    field = TaskForm(directive=directive).fields["criteria"]
    scope = field.scope  # type: ignore[attr-defined]
    assert scope is not None and scope.name == "frameworks.criteria"
    offered = set(field.queryset)  # type: ignore[attr-defined]
    assert offered == set(scope.rows()) == {*criteria.values(), hidden}
    for name in ("admin", "secretariat", "focal_a", "leader"):
        searcher = personas.user(name)
        assert searcher is not None
        readable = set(Criterion.objects.filter(framework__in=frameworks_access.get_frameworks_for_user(searcher)))
        searched = set(CRITERION_SCOPES.rows(scope.token(), searcher))
        assert searched == offered & readable, name
        assert (hidden in searched) is (name == "admin"), name
        url = f"{reverse('frameworks:criterion_search')}?scope={scope.token()}"
        found = _search(personas.client(name), url, "tieu chi rieng")
        assert [row["id"] for row in found] == ([hidden.pk] if name == "admin" else []), name
