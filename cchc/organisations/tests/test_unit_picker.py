"""The unit picker: its search endpoint (permissions, scope tokens, diacritics, the limit), its scope descriptions,
and the forms that use it (validation unchanged, search without JavaScript)."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts import roles
from cchc.accounts.forms import RoleGrantForm
from cchc.accounts.models import User
from cchc.organisations.forms import UnitCreateForm, UnitMergeForm
from cchc.organisations.models import Membership, Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.organisations.widgets import (
    RESULT_LIMIT,
    SIGNING_SALT,
    ScopeError,
    describe_scope,
    scope_condition,
    scope_token,
)
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

SEARCH = reverse("organisations:unit_search")
TOKEN_RE = re.compile(r'data-url="([^"]+)"')


def _search(client: Client, token: str, query: str) -> Any:
    return client.get(SEARCH, {"scope": token, "q": query})


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def many(settings: Any) -> None:
    """Every unit field searches instead of listing, as it would with thousands of units."""
    settings.UNIT_PICKER_SELECT_LIMIT = 2


# ---------------------------------------------------------------------------
# Who may search


def test_an_anonymous_visitor_is_sent_to_the_login_page(personas: Personas) -> None:
    response = _search(Client(), scope_token(Unit.objects.all()), "xa")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_signed_in_user_without_any_role_is_refused(personas: Personas) -> None:
    nobody = User.objects.create(username="khongvaitro")
    client = Client()
    client.force_login(nobody)
    assert _search(client, scope_token(Unit.objects.all()), "xa").status_code == 403


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("admin", ["Xã Hòa Bình", "Xã Ngoài Phạm Vi"]),
        ("secretariat", ["Xã Hòa Bình"]),
        ("leader", ["Xã Hòa Bình"]),
        ("focal_a", ["Xã Hòa Bình"]),
        ("focal_b", ["Xã Hòa Bình"]),
        ("supervisor", ["Xã Hòa Bình"]),
    ],
)
def test_a_token_for_every_unit_still_finds_only_what_the_user_may_read(
    personas: Personas, name: str, expected: list[str]
) -> None:
    token = scope_token(Unit.objects.all())
    assert sorted(_names(_search(personas.client(name), token, "xa"))) == expected


def test_a_focal_point_cannot_search_outside_their_scope_even_with_a_token_naming_another_province(
    personas: Personas,
) -> None:
    token = scope_token(Unit.objects.subtree_of(personas.other_province))
    assert _names(_search(personas.client("focal_a"), token, "")) == []
    assert _names(_search(personas.client("focal_b"), token, "ngoai pham vi")) == []
    assert _names(_search(personas.client("admin"), token, "ngoai pham vi")) == ["Xã Ngoài Phạm Vi"]


def test_the_secretariat_searches_within_the_field_scope_it_was_given(personas: Personas) -> None:
    managed = roles.get_units_for_user(personas.secretariat, manage=True)
    communes = scope_token(managed.filter(kind=UnitKind.COMMUNE))
    everything_managed = scope_token(managed)
    client = personas.client("secretariat")
    assert _names(_search(client, communes, "")) == ["Xã Hòa Bình"]
    assert _names(_search(client, communes, "so tu phap")) == []
    assert _names(_search(client, everything_managed, "noi vu")) == ["Sở Nội vụ"]


def test_a_forged_or_altered_token_is_refused(personas: Personas) -> None:
    client = personas.client("secretariat")
    forged = signing.dumps({"w": ["and", False, []]}, salt="another-salt", compress=True)
    genuine = scope_token(Unit.objects.filter(kind=UnitKind.COMMUNE))
    altered = genuine[:-3] + ("aaa" if not genuine.endswith("aaa") else "bbb")
    for token in ("", "rubbish", forged, altered):
        response = _search(client, token, "xa")
        assert response.status_code == 400
        assert "không hợp lệ" in response.json()["detail"]


def test_a_token_older_than_twelve_hours_asks_for_a_reload(personas: Personas) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=13)):
        token = scope_token(Unit.objects.all())
    response = _search(personas.client("secretariat"), token, "xa")
    assert response.status_code == 400
    assert "tải lại trang" in response.json()["detail"]


def test_a_signed_description_that_names_a_column_outside_the_unit_table_is_refused(personas: Personas) -> None:
    token = signing.dumps({"w": ["q", "memberships__user", "exact", 1]}, salt=SIGNING_SALT, compress=True)
    assert _search(personas.client("admin"), token, "").status_code == 400


# ---------------------------------------------------------------------------
# What the search finds


def test_the_search_ignores_diacritics_and_case_and_reads_short_names_and_codes(personas: Personas) -> None:
    client = personas.client("admin")
    token = scope_token(Unit.objects.all())
    assert _names(_search(client, token, "hoa binh")) == ["Xã Hòa Bình"]
    assert _names(_search(client, token, "HÒA BÌNH")) == ["Xã Hòa Bình"]
    assert _names(_search(client, token, "tu phap")) == ["Sở Tư pháp", "Văn phòng Sở Tư pháp"]
    assert _names(_search(client, token, "T-P-STP-VP")) == ["Văn phòng Sở Tư pháp"]
    unit_create(
        actor=None,
        data=UnitData(name="Sở Khoa học và Công nghệ", short_name="SKHCN", kind=UnitKind.DEPARTMENT, code="T-P-KH"),
        parent=personas.province,
    )
    assert _names(_search(client, token, "skhcn")) == ["Sở Khoa học và Công nghệ"]


def test_each_result_carries_its_code_and_its_parent_path(personas: Personas) -> None:
    response = _search(personas.client("secretariat"), scope_token(Unit.objects.all()), "van phong so tu phap")
    assert response.json() == {
        "results": [
            {
                "id": personas.office_a.pk,
                "name": "Văn phòng Sở Tư pháp",
                "code": "T-P-STP-VP",
                "path": "Sở Tư pháp — Tỉnh Thử Nghiệm",
                "label": "Văn phòng Sở Tư pháp — Sở Tư pháp — Tỉnh Thử Nghiệm",
            }
        ],
        "more": False,
    }


def test_a_search_returns_at_most_twenty_units_and_says_there_are_more(personas: Personas) -> None:
    for number in range(1, 31):
        unit_create(
            actor=None,
            data=UnitData(
                name=f"Phường Tân Phong {number}", kind=UnitKind.COMMUNE, code=f"TP-{number}", subtype="ward"
            ),
            parent=personas.province,
        )
    response = _search(personas.client("secretariat"), scope_token(Unit.objects.all()), "tan phong")
    data = response.json()
    assert len(data["results"]) == RESULT_LIMIT == 20
    assert data["more"] is True
    # Vietnamese order, numbers by value.
    assert [row["name"] for row in data["results"][:3]] == [
        "Phường Tân Phong 1",
        "Phường Tân Phong 2",
        "Phường Tân Phong 3",
    ]
    narrowed = _search(personas.client("secretariat"), scope_token(Unit.objects.all()), "tan phong 30").json()
    assert [row["name"] for row in narrowed["results"]] == ["Phường Tân Phong 30"]
    assert narrowed["more"] is False


def test_an_exact_name_comes_before_longer_names_that_contain_it(personas: Personas) -> None:
    unit_create(
        actor=None,
        data=UnitData(name="Phòng Tư pháp Hòa Bình", kind=UnitKind.OFFICE, code="T-P-XHB-TP"),
        parent=personas.unit_b,
    )
    names = _names(_search(personas.client("admin"), scope_token(Unit.objects.all()), "xa hoa binh"))
    assert names == ["Xã Hòa Bình"]
    names = _names(_search(personas.client("admin"), scope_token(Unit.objects.all()), "hoa binh"))
    assert names == ["Xã Hòa Bình", "Phòng Tư pháp Hòa Bình"]


# ---------------------------------------------------------------------------
# Scope descriptions


def test_the_querysets_the_forms_use_are_described_exactly(personas: Personas) -> None:
    closed = unit_create(
        actor=None,
        data=UnitData(name="Huyện Cũ", kind=UnitKind.DISTRICT, code="T-P-HC", valid_to=datetime.date(2025, 6, 30)),
        parent=personas.province,
    )
    managed = roles.get_units_for_user(personas.secretariat, manage=True)
    querysets = [
        Unit.objects.all(),
        Unit.objects.none(),
        managed,
        managed.active().exclude(kind=UnitKind.OFFICE),
        managed.active().exclude(kind=UnitKind.OFFICE).exclude(path__startswith=personas.unit_a.path),
        managed.active().filter(parent_id=personas.unit_a.parent_id).order_by("name"),
        Unit.objects.active().filter(parent_id=None),
        managed.active(datetime.date(2025, 1, 1)).filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.DISTRICT]),
        Unit.objects.filter(path__startswith=personas.province.path).active(datetime.date(2025, 8, 1)),
        Unit.objects.filter(kind=UnitKind.COMMUNE) | Unit.objects.filter(pk__in=[closed.pk, personas.front.pk]),
        roles.get_units_for_user(personas.focal_b).exclude(valid_to__lt=datetime.date(2025, 7, 1)),
    ]
    for queryset in querysets:
        rebuilt = Unit.objects.filter(scope_condition(describe_scope(queryset)))
        assert set(rebuilt) == set(queryset), queryset.query


def test_querysets_that_join_other_tables_or_use_subqueries_are_not_described(personas: Personas) -> None:
    with_members = Unit.objects.filter(memberships__user=personas.focal_a)
    with_subquery = Unit.objects.filter(pk__in=Unit.objects.filter(kind=UnitKind.COMMUNE).values("pk"))
    for queryset in (with_members, with_subquery, Unit.objects.all()[:5], Membership.objects.all()):
        with pytest.raises(ScopeError):
            describe_scope(queryset)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Forms


def _parent_form(personas: Personas, data: dict[str, Any] | None = None, **kwargs: Any) -> UnitCreateForm:
    parents = roles.get_units_for_user(personas.secretariat, manage=True).active().exclude(kind="office")
    return UnitCreateForm(data, parents=parents, allow_root=False, **kwargs)


def _unit_data(**extra: Any) -> dict[str, Any]:
    return {"name": "Phòng Mới", "code": "T-P-MOI", "kind": UnitKind.OFFICE, **extra}


def test_few_units_keep_the_plain_select_with_every_choice(personas: Personas) -> None:
    html = str(_parent_form(personas)["parent"])
    assert "data-unit-picker" not in html
    assert html.count("<option") == 6  # blank + province and four of its units (offices excluded)
    assert 'for="id_parent"' in _parent_form(personas)["parent"].label_tag()


def test_many_units_render_a_search_box_with_only_the_chosen_unit(personas: Personas, many: None) -> None:
    form = _parent_form(personas, initial={"parent": personas.unit_a})
    html = str(form["parent"])
    assert 'for="id_parent_search"' in form["parent"].label_tag()
    assert 'id="id_parent_search"' in html and "data-unit-picker" in html
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert options == ["— Chọn đơn vị cấp trên —", "Sở Tư pháp — Tỉnh Thử Nghiệm"]
    assert re.search(f'<option value="{personas.unit_a.pk}" selected', html)


def test_the_token_on_the_page_searches_the_field_queryset_for_the_user(personas: Personas, many: None) -> None:
    client = personas.client("secretariat")
    page = client.get(reverse("organisations:unit_create")).content.decode()
    url = unescape(TOKEN_RE.search(page).group(1))  # type: ignore[union-attr]
    assert url.startswith(SEARCH)
    assert _names(client.get(f"{url}&q=xa")) == ["Xã Hòa Bình"]  # not the other province's commune
    assert _names(client.get(f"{url}&q=van+phong")) == []  # offices are not parents
    # The admin may read everything, but the secretariat's token still limits the search to its field.
    assert _names(personas.client("admin").get(f"{url}&q=xa")) == ["Xã Hòa Bình"]


@pytest.mark.parametrize("picker", ["few", "many"])
def test_the_form_still_validates_and_refuses_units_outside_its_queryset(
    personas: Personas, settings: Any, picker: str
) -> None:
    if picker == "many":
        settings.UNIT_PICKER_SELECT_LIMIT = 2
    form = _parent_form(personas, _unit_data(parent=personas.unit_a.pk))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] == personas.unit_a
    for outside in (personas.other_commune.pk, personas.office_a.pk, "abc"):
        form = _parent_form(personas, _unit_data(parent=outside))
        assert not form.is_valid()
        assert form.errors["parent"] == ["Đơn vị cấp trên không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý."]
    form = _parent_form(personas, _unit_data())
    assert form.errors["parent"] == ["Hãy chọn đơn vị cấp trên trong phạm vi bạn quản lý."]


def test_the_role_scope_field_keeps_its_own_message_for_units_outside_the_scope(personas: Personas, many: None) -> None:
    units = roles.get_units_for_user(personas.secretariat, manage=True)
    choices = [("focal_point", "Đầu mối")]
    form = RoleGrantForm(
        {"role": "focal_point", "scope": personas.other_commune.pk}, roles=choices, units=units, whole_system=False
    )
    assert form.errors["scope"] == ["Đơn vị đã chọn không thuộc phạm vi của bạn."]
    form = RoleGrantForm(
        {"role": "focal_point", "scope": personas.unit_b.pk}, roles=choices, units=units, whole_system=False
    )
    assert form.is_valid() and form.cleaned_data["scope"] == personas.unit_b
    assert "data-unit-picker" in str(form["scope"])


def test_without_javascript_a_search_with_one_match_is_the_choice(personas: Personas, many: None) -> None:
    form = _parent_form(personas, _unit_data(parent__search="tu phap"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] == personas.unit_a


def test_without_javascript_several_matches_are_offered_and_none_is_an_error(personas: Personas, many: None) -> None:
    unit_create(
        actor=None,
        data=UnitData(name="Xã Hòa Bình Đông", kind=UnitKind.COMMUNE, code="T-P-XHBD", subtype="commune"),
        parent=personas.province,
    )
    form = _parent_form(personas, _unit_data(parent__search="hoa binh"))
    assert not form.is_valid()
    assert form.errors["parent"] == [
        "Có nhiều đơn vị khớp với “hoa binh”: hãy chọn trong danh sách kết quả rồi gửi lại."
    ]
    html = str(form["parent"])
    assert re.findall(r"<option[^>]*>([^<]*)</option>", html)[1:] == [
        "Xã Hòa Bình — Tỉnh Thử Nghiệm",
        "Xã Hòa Bình Đông — Tỉnh Thử Nghiệm",
    ]
    assert 'name="parent__search" value=""' in html  # choosing one and submitting does not search again
    form = _parent_form(personas, _unit_data(parent__search="ngoai pham vi"))
    assert form.errors["parent"] == ["Không tìm thấy đơn vị nào khớp với “ngoai pham vi” trong phạm vi được chọn."]


def test_without_javascript_a_multiple_field_adds_the_match_to_the_chosen_units(personas: Personas, many: None) -> None:
    siblings = roles.get_units_for_user(personas.secretariat, manage=True).filter(parent=personas.province)
    data = {
        "sources": [personas.unit_a.pk],
        "sources__search": "hoa binh",
        "target": "existing",
        "into": personas.home_affairs.pk,
        "effective_date": "2025-07-01",
        "reason": "Quyết định số 1/QĐ-UBND",
    }
    form = UnitMergeForm(data, siblings=siblings)
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["sources"]) == {personas.unit_a, personas.unit_b}
    html = str(form["sources"])
    assert "data-unit-picker" in html and " multiple" in html


def test_the_merge_form_keeps_its_checkboxes_for_few_siblings(personas: Personas) -> None:
    siblings = roles.get_units_for_user(personas.secretariat, manage=True).filter(parent=personas.province)
    html = str(UnitMergeForm(siblings=siblings)["sources"])
    assert 'type="checkbox"' in html and "data-unit-picker" not in html


def test_a_queryset_that_cannot_be_described_falls_back_to_the_full_select(
    personas: Personas, many: None, caplog: Any
) -> None:
    form = _parent_form(personas)
    form.fields["parent"].queryset = Unit.objects.filter(Q(memberships__isnull=False)).distinct()  # type: ignore[attr-defined]
    html = str(form["parent"])
    assert "data-unit-picker" not in html and "Sở Nội vụ" in html
    assert "falls back to a full select" in caplog.text
