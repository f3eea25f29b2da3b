"""Unit and people lists are in Vietnamese order, not in the order the units or people were created.

Code-point or creation order put "Xã Xuân Hòa" before "Phường Âu Cơ"; every unit select (the issuer of a directive
or an upload, the tracker's unit filter, the units of a task) and every person select lists them as a Vietnamese
dictionary does: "Phường Âu Cơ", "Phường Hòa Bình", "Xã Xuân Hòa".
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from cchc.accounts.models import User
from cchc.directives.models import Directive
from cchc.organisations.models import Membership, Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.testing.personas import Personas

from .conftest import make_task

EXPECTED = ["Phường Âu Cơ", "Phường Hòa Bình", "Xã Xuân Hòa"]


@pytest.fixture
def communes(personas: Personas) -> list[Unit]:
    """Three communes of the province, created in the reverse of their Vietnamese order."""
    created = {}
    for name, code, subtype in (
        ("Xã Xuân Hòa", "T-P-XXH", "commune"),
        ("Phường Hòa Bình", "T-P-PHB", "ward"),
        ("Phường Âu Cơ", "T-P-PAC", "ward"),
    ):
        created[name] = unit_create(
            actor=None,
            data=UnitData(name=name, kind=UnitKind.COMMUNE, code=code, subtype=subtype),
            parent=personas.province,
        )
    return [created[name] for name in EXPECTED]


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    return unescape(match.group(1))


def _order(response: Any, name: str, wanted: list[str] = EXPECTED) -> list[str]:
    assert response.status_code == 200
    options = re.findall(r"<option[^>]*>([^<]*)</option>", _select(response.content.decode(), name))
    found = [next((text for text in wanted if text in option), "") for option in options]
    return [text for text in found if text]


def test_the_issuer_list_of_a_new_directive_is_in_vietnamese_order(personas: Personas, communes: list[Unit]) -> None:
    response = personas.client("secretariat").get(reverse("directives:directive_create"))
    assert _order(response, "issuing_unit") == EXPECTED


def test_the_issuer_list_of_an_upload_is_in_vietnamese_order(personas: Personas, communes: list[Unit]) -> None:
    response = personas.client("secretariat").get(reverse("directives:directive_upload"))
    assert _order(response, "issuing_unit") == EXPECTED


def test_the_issuer_list_keeps_the_tree_with_each_level_in_vietnamese_order(
    personas: Personas, communes: list[Unit]
) -> None:
    """The province comes first and its units follow, indented, each kind in Vietnamese order."""
    response = personas.client("secretariat").get(reverse("directives:directive_create"))
    options = re.findall(r"<option[^>]*>([^<]*)</option>", _select(response.content.decode(), "issuing_unit"))
    labels = [option.strip() for option in options if "(" in option]
    assert labels[0].startswith("Tỉnh Thử Nghiệm")
    departments = [label for label in labels if "Sở " in label and "Văn phòng" not in label]
    assert departments == ["— Sở Nội vụ (T-P-SNV)", "— Sở Tư pháp (T-P-STP)"]
    # The office of a department stays right under its department.
    justice = labels.index("— Sở Tư pháp (T-P-STP)")
    assert labels[justice + 1] == "— — Văn phòng Sở Tư pháp (T-P-STP-VP)"


def test_the_unit_filter_of_the_tracker_is_in_vietnamese_order(personas: Personas, communes: list[Unit]) -> None:
    response = personas.client("secretariat").get(reverse("directives:tracker"))
    assert _order(response, "unit") == EXPECTED


def test_the_units_of_a_task_are_listed_in_vietnamese_order_on_its_edit_page(
    personas: Personas, communes: list[Unit], directive: Directive
) -> None:
    task = make_task(personas, directive, communes[2], communes[1], communes[0])
    task.supporting_units.set([communes[2], communes[0], communes[1]])
    response = personas.client("secretariat").get(reverse("directives:task_edit", args=[task.pk]))
    assert _order(response, "units") == EXPECTED
    assert _order(response, "supporting_units") == EXPECTED


def test_the_people_offered_as_members_of_a_unit_are_in_vietnamese_order(personas: Personas) -> None:
    names = ["Âu Thị Cơ", "Hòa Văn Bình", "Xuân Thị Hòa"]
    for number, name in enumerate(reversed(names)):
        user = User.objects.create_user(username=f"nguoi{number}", full_name=name, password="x")
        Membership.objects.create(user=user, unit=personas.unit_b)
    response = personas.client("admin").get(reverse("organisations:unit_detail", args=[personas.unit_a.pk]))
    assert _order(response, "user", names) == names
