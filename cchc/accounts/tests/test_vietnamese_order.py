"""People are listed in Vietnamese order on every database ("Âu" before "Xa", although "Â" > "X" by code point)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.accounts.services import user_create
from cchc.dashboards.selectors import my_units_with_members
from cchc.organisations.models import Membership
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_user_list_and_the_colleagues_of_a_unit_sort_full_names_in_vietnamese_order(personas: Personas) -> None:
    # User names, code points and Vietnamese order all disagree.
    for username, full_name in (("a1", "Xa Văn Bình"), ("b1", "Đặng Văn Dũng"), ("c1", "Âu Thị Cơ")):
        user_create(actor=None, username=username, full_name=full_name, password=None, unit=personas.unit_a)
    html = personas.client("secretariat").get(reverse("accounts:user_list")).content.decode()
    positions = [html.index(name) for name in ("Âu Thị Cơ", "Đặng Văn Dũng", "Xa Văn Bình")]
    assert positions == sorted(positions)

    Membership.objects.filter(user__username__in=["a1", "b1", "c1"]).update(is_head=False)
    units = my_units_with_members(personas.focal_a)
    names = [m.user.full_name for unit in units for m in unit.members if m.user.username in ("a1", "b1", "c1")]
    assert names == ["Âu Thị Cơ", "Đặng Văn Dũng", "Xa Văn Bình"]
