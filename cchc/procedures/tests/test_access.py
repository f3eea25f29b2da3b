"""Who may import, and which dossiers each persona reads: a unit its own subtree, never a sibling's."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from ..access import can_import_dossiers, get_dossier_for_user, get_dossiers_for_user
from ..models import Dossier, DossierStatus
from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(personas):
    birth, _marriage = samples.make_procedures()
    made = {}
    for name, unit in (("a", personas.unit_a), ("office_a", personas.office_a), ("b", personas.unit_b)):
        made[name] = Dossier.objects.create(
            source="s",
            code=f"HS-{name}",
            procedure=birth,
            unit=unit,
            received_on=datetime.date(2025, 1, 2),
            status=DossierStatus.RECEIVED,
        )
    made["other"] = Dossier.objects.create(
        source="s",
        code="HS-other",
        procedure=birth,
        unit=personas.other_commune,
        received_on=datetime.date(2025, 1, 2),
        status=DossierStatus.RECEIVED,
    )
    return made


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("admin", True),
        ("secretariat", True),
        ("leader", False),
        ("focal_a", False),
        ("supervisor", False),
        ("anonymous", False),
    ],
)
def test_only_the_secretariat_and_administrators_import(personas, persona, allowed):
    user = personas.user(persona) or AnonymousUser()
    assert can_import_dossiers(user) is allowed


def test_a_focal_point_reads_the_dossiers_of_its_unit_and_the_units_below_only(personas, dossiers):
    seen = set(get_dossiers_for_user(personas.focal_a).values_list("code", flat=True))
    assert seen == {"HS-a", "HS-office_a"}
    assert set(get_dossiers_for_user(personas.focal_b).values_list("code", flat=True)) == {"HS-b"}
    with pytest.raises(Http404):
        get_dossier_for_user(personas.focal_a, dossiers["b"].pk)
    assert get_dossier_for_user(personas.focal_b, dossiers["b"].pk) == dossiers["b"]


def test_the_administrator_reads_everything_and_an_anonymous_visitor_nothing(personas, dossiers):
    assert get_dossiers_for_user(personas.admin).count() == 4
    assert get_dossiers_for_user(AnonymousUser()).count() == 0
    with pytest.raises(Http404):
        get_dossier_for_user(AnonymousUser(), dossiers["a"].pk)
    with pytest.raises(Http404):
        get_dossier_for_user(personas.admin, "99999999999999999999999")


def test_the_secretariat_leader_and_supervisor_read_their_province_not_another(personas, dossiers):
    for name in ("secretariat", "leader", "supervisor"):
        seen = set(get_dossiers_for_user(personas.user(name)).values_list("code", flat=True))
        assert seen == {"HS-a", "HS-office_a", "HS-b"}, name
