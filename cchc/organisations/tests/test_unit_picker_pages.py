"""Every page that chooses a unit uses the unit picker once there are many units, and its tokens search the units
the field offers."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from cchc.directives import services as directive_services
from cchc.directives.models import DeadlineKind, DirectiveKind, Task
from cchc.frameworks.services import CriterionData, FrameworkData, criterion_create, framework_create
from cchc.organisations.models import UnitKind
from cchc.organisations.services import UnitData, unit_update
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

PICKER_RE = re.compile(r'<div class="unit-picker" data-unit-picker data-url="([^"]+)"')


def _pages(personas: Personas) -> list[tuple[str, str, int]]:
    """(persona, url, number of unit pickers expected) for every page with a unit field."""
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận về công tác cải cách hành chính",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 8, 1),
        ),
    )
    task = directive_services.task_create(
        actor=personas.secretariat,
        directive=directive,
        data=directive_services.TaskData(
            content="Rà soát thủ tục hành chính",
            deadline_kind=DeadlineKind.DATE,
            units=[personas.unit_a, personas.unit_b],
            deadline=datetime.date(2025, 9, 30),
        ),
    )
    framework = framework_create(
        actor=None,
        data=FrameworkData(
            name="Bộ tiêu chí sở 2025", year=2025, unit_kind=UnitKind.DEPARTMENT, owner=personas.province
        ),
    )
    criterion = criterion_create(
        actor=None,
        framework=framework,
        parent=None,
        data=CriterionData(code="1", title="Chỉ đạo", max_points=Decimal(5)),
    )
    return [
        ("secretariat", reverse("organisations:unit_create"), 1),
        ("secretariat", reverse("organisations:unit_move", args=[personas.unit_a.pk]), 1),
        ("secretariat", reverse("organisations:unit_merge", args=[personas.unit_a.pk]), 2),
        ("secretariat", reverse("accounts:user_list"), 1),
        ("secretariat", reverse("accounts:user_create"), 1),
        ("secretariat", reverse("accounts:user_detail", args=[personas.focal_b.pk]), 1),
        ("secretariat", reverse("audit:entry_list"), 1),
        ("secretariat", reverse("assessments:round_create"), 1),  # the organiser: one province, a plain select
        ("secretariat", reverse("directives:directive_create"), 1),
        ("secretariat", reverse("directives:directive_edit", args=[directive.pk]), 1),
        ("secretariat", reverse("directives:directive_upload"), 1),
        ("secretariat", reverse("directives:task_create", args=[directive.pk]), 2),
        ("secretariat", reverse("directives:task_edit", args=[task.pk]), 2),
        ("admin", reverse("frameworks:framework_list"), 1),
        ("admin", reverse("frameworks:framework_create"), 1),
        ("admin", reverse("frameworks:framework_edit", args=[framework.pk]), 1),
        ("secretariat", reverse("frameworks:criterion_create", args=[framework.pk]), 1),
        ("secretariat", reverse("frameworks:criterion_edit", args=[framework.pk, criterion.pk]), 1),
    ]


def test_every_unit_field_searches_when_there_are_many_units(personas: Personas, settings: Any, caplog: Any) -> None:
    settings.UNIT_PICKER_SELECT_LIMIT = 1
    for persona, url, expected in _pages(personas):
        response = personas.client(persona).get(url)
        assert response.status_code == 200, url
        pickers = PICKER_RE.findall(response.content.decode())
        assert len(pickers) == expected, url
        for picker in pickers:
            search = personas.client(persona).get(unescape(picker) + "&q=xa")
            assert search.status_code == 200, url
            names = {row["name"] for row in search.json()["results"]}
            assert "Xã Ngoài Phạm Vi" not in names or persona == "admin", url
    assert "falls back to a full select" not in caplog.text


def test_the_task_edit_picker_still_offers_a_closed_unit_that_was_assigned(personas: Personas, settings: Any) -> None:
    settings.UNIT_PICKER_SELECT_LIMIT = 1
    _pages(personas)
    task = Task.objects.get(content="Rà soát thủ tục hành chính")
    unit_update(
        actor=None,
        unit=personas.unit_b,
        data=UnitData(
            name=personas.unit_b.name,
            kind=personas.unit_b.kind,
            code=personas.unit_b.code,
            subtype=personas.unit_b.subtype,
            valid_to=datetime.date(2025, 7, 15),
        ),
    )
    client = personas.client("secretariat")
    page = client.get(reverse("directives:task_edit", args=[task.pk])).content.decode()
    units_url, supporting_url = (unescape(url) for url in PICKER_RE.findall(page))
    found = [row["name"] for row in client.get(f"{units_url}&q=hoa+binh").json()["results"]]
    assert found == ["Xã Hòa Bình"]
    assert [row["name"] for row in client.get(f"{supporting_url}&q=hoa+binh").json()["results"]] == []
