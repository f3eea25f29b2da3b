"""The person picker: its search endpoint (permissions, scope tokens, diacritics, the limit), its named scopes, and
the membership form that uses it (validation unchanged, search without JavaScript)."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts import access
from cchc.accounts.models import RoleAssignment, User
from cchc.accounts.picker import PERSON_SCOPES, search_people
from cchc.organisations.forms import MembershipAddForm
from cchc.organisations.models import Membership, Unit
from cchc.organisations.picker import UNIT_SCOPES, Scope, ScopeError
from cchc.organisations.widgets import RESULT_LIMIT, ScopedQuerysetError
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

SEARCH = reverse("accounts:user_search")
PICKER_URL_RE = re.compile(r'data-person-picker data-url="([^"]+)"')


# Scopes only these tests name: everybody, the people of one unit, the role assignments (not people at all).
PERSON_SCOPES.register("tests.everybody")(lambda viewer: User.objects.all())
PERSON_SCOPES.register("tests.members")(lambda viewer, *, unit: User.objects.filter(memberships__unit=unit))
PERSON_SCOPES.register("tests.role_assignments")(lambda viewer: RoleAssignment.objects.all())


def _token(name: str = "tests.everybody", viewer: User | None = None, **args: Any) -> str:
    return PERSON_SCOPES.token(name, args, viewer)


def _search(client: Client, token: str, query: str) -> Any:
    return client.get(SEARCH, {"scope": token, "q": query})


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def _person(username: str, full_name: str, unit: Unit | None, **extra: Any) -> User:
    person = User.objects.create(username=username, full_name=full_name, **extra)
    if unit is not None:
        Membership.objects.create(user=person, unit=unit)
    return person


@pytest.fixture
def many(settings: Any) -> None:
    """The user field searches instead of listing, as it would with thousands of people."""
    settings.PERSON_PICKER_SELECT_LIMIT = 2


@pytest.fixture
def outsider(personas: Personas) -> User:
    """Somebody who works only in the other province, outside the secretariat's scope."""
    return _person("ngoaitinh", "Đỗ Thị Ngoài Tỉnh", personas.other_commune, email="ngoaitinh@tinh-ben-canh.gov.vn")


def _membership_users(actor: User, unit: Unit) -> Scope:
    """The scope the page that adds a person to ``unit`` gives the form."""
    return PERSON_SCOPES(actor, "people.joinable", unit=unit.pk)


# ---------------------------------------------------------------------------
# Who may search


def test_an_anonymous_visitor_is_sent_to_the_login_page(personas: Personas) -> None:
    response = _search(Client(), _token(), "nguyen")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_signed_in_user_without_any_role_is_refused(personas: Personas) -> None:
    client = Client()
    client.force_login(User.objects.create(username="khongvaitro"))
    assert _search(client, _token(), "nguyen").status_code == 403


EVERYBODY = ["daumoi_a", "daumoi_b", "giamsat", "lanhdao", "quantri", "thamdinh", "thuongtruc"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("admin", sorted([*EVERYBODY, "ngoaitinh"])),
        ("secretariat", EVERYBODY),
        ("leader", []),
        ("focal_a", []),
        ("supervisor", []),
    ],
)
def test_a_token_for_everybody_still_finds_only_the_people_the_user_may_manage(
    personas: Personas, outsider: User, name: str, expected: list[str]
) -> None:
    """The secretariat manages the people of its province; only administrators see beyond it. A focal point, a
    leader or a supervisor manages nobody, whatever token they send."""
    response = _search(personas.client(name), _token(), "")
    assert response.status_code == 200
    assert sorted(row["username"] for row in response.json()["results"]) == expected
    assert _names(_search(personas.client(name), _token(), "ngoai tinh")) == (
        ["Đỗ Thị Ngoài Tỉnh"] if name == "admin" else []
    )


def test_a_focal_point_cannot_reach_people_with_a_token_taken_from_an_administrators_page(
    personas: Personas, outsider: User
) -> None:
    token = _membership_users(personas.admin, personas.unit_a).token()
    assert _names(_search(personas.client("admin"), token, "ngoai tinh")) == ["Đỗ Thị Ngoài Tỉnh"]
    assert _names(_search(personas.client("focal_a"), token, "")) == []
    assert _names(_search(personas.client("secretariat"), token, "ngoai tinh")) == []


def test_the_secretariat_searches_within_the_field_scope_it_was_given(personas: Personas) -> None:
    client = personas.client("secretariat")
    token = _membership_users(personas.secretariat, personas.unit_a).token()
    # Lê Thị Đầu Mối already works in unit A: the form does not offer her, nor does the search.
    assert _names(_search(client, token, "dau moi")) == ["Phạm Văn Đầu Mối"]
    personas.focal_b.is_active = False
    personas.focal_b.save()
    assert _names(_search(client, token, "dau moi")) == []


REFUSED = "Yêu cầu tìm người dùng không hợp lệ; hãy tải lại trang."


def test_a_forged_altered_or_foreign_token_is_refused(personas: Personas) -> None:
    client = personas.client("secretariat")
    forged = signing.dumps({"s": "tests.everybody", "a": {}, "u": None}, salt="another-salt", compress=True)
    genuine = _membership_users(personas.secretariat, personas.unit_a).token()
    altered = genuine[:-3] + ("aaa" if not genuine.endswith("aaa") else "bbb")
    # A genuine token of the unit picker: signed with another salt, and naming a scope of units.
    unit_token = UNIT_SCOPES.token("units.visible", {}, personas.secretariat)
    for token in ("", "rubbish", forged, altered, unit_token):
        response = _search(client, token, "dau moi")
        assert response.status_code == 400
        assert response.json()["detail"] == REFUSED


def test_a_signed_token_naming_an_unknown_scope_or_arguments_it_does_not_take_is_refused(personas: Personas) -> None:
    admin = personas.admin.pk
    for payload in (
        {"s": "people.nowhere", "a": {}, "u": admin},
        {"s": "units.visible", "a": {}, "u": admin},  # a unit scope is no person scope
        {"s": "people.joinable", "a": {}, "u": admin},
        {"s": "people.joinable", "a": {"unit": personas.unit_a.pk, "everybody": True}, "u": admin},
        {"s": "people.joinable", "a": {"unit": "not a key"}, "u": admin},
        {"s": "people.joinable", "a": {"unit": {"nested": 1}}, "u": admin},
        {"s": "people.joinable", "a": {"unit": personas.unit_a.pk}, "u": "quantri"},
        {"s": "people.joinable", "a": {"unit": personas.unit_a.pk}, "u": 999999},  # a viewer who no longer exists
        {"s": "tests.role_assignments", "a": {}, "u": admin},  # a scope that gives no people
        {"s": "people.joinable", "a": {"unit": personas.unit_a.pk}},
        ["people.joinable", {"unit": personas.unit_a.pk}],
        # The descriptions the tokens used to sign (the queryset's WHERE clause) are not scopes.
        {"w": ["q", "password", "startswith", "argon2"]},
        {"w": ["q", "api_tokens__key_hash", "startswith", "a"]},
        {"w": ["exists", "api_tokens", ["and", False, []]]},
    ):
        token = signing.dumps(payload, salt=PERSON_SCOPES.salt, compress=True)
        response = _search(personas.client("admin"), token, "")
        assert response.status_code == 400, payload
        assert response.json()["detail"] == REFUSED


def test_a_token_whose_arguments_were_altered_is_refused(personas: Personas, outsider: User) -> None:
    genuine = _membership_users(personas.admin, personas.unit_a).token()
    _payload, timestamp, signature = genuine.rsplit(":", 2)
    data = signing.loads(genuine, salt=PERSON_SCOPES.salt)
    data["a"]["unit"] = personas.other_commune.pk
    resigned = signing.dumps(data, salt=PERSON_SCOPES.salt, compress=True)
    altered = f"{resigned.rsplit(':', 2)[0]}:{timestamp}:{signature}"
    assert altered != genuine
    response = _search(personas.client("admin"), altered, "")
    assert response.status_code == 400
    assert response.json()["detail"] == REFUSED


def test_a_token_cannot_widen_what_the_user_may_manage(personas: Personas, outsider: User) -> None:
    """A token rendered for an administrator and presented by somebody else finds only what that person manages."""
    for token in (
        _token("tests.everybody", personas.admin),
        _membership_users(personas.admin, personas.province).token(),
        _token("tests.members", personas.admin, unit=personas.other_commune.pk),
    ):
        assert _names(_search(personas.client("admin"), token, "ngoai tinh")) == ["Đỗ Thị Ngoài Tỉnh"]
        assert _names(_search(personas.client("secretariat"), token, "ngoai tinh")) == []
        found = {row["id"] for row in _search(personas.client("secretariat"), token, "").json()["results"]}
        assert found <= set(access.get_users_for_user(personas.secretariat).values_list("pk", flat=True))
        assert _names(_search(personas.client("focal_a"), token, "")) == []


def test_a_token_older_than_twelve_hours_asks_for_a_reload(personas: Personas) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=13)):
        token = _token()
    response = _search(personas.client("secretariat"), token, "dau moi")
    assert response.status_code == 400
    assert "tải lại trang" in response.json()["detail"]


# ---------------------------------------------------------------------------
# What the search finds


def test_the_search_ignores_diacritics_and_case_and_reads_usernames_and_email_addresses(personas: Personas) -> None:
    _person("daott", "Đào Thị Tuyết", personas.unit_b, email="dao.tuyet@hoabinh.gov.vn")
    client = personas.client("admin")
    token = _token()
    assert _names(_search(client, token, "nguyen thi thuong truc")) == ["Nguyễn Thị Thường Trực"]
    assert _names(_search(client, token, "NGUYỄN THỊ")) == ["Nguyễn Thị Thường Trực"]
    assert _names(_search(client, token, "dao tuyet")) == ["Đào Thị Tuyết"]
    assert _names(_search(client, token, "thuongtruc")) == ["Nguyễn Thị Thường Trực"]
    assert _names(_search(client, token, "dao.tuyet@hoabinh")) == ["Đào Thị Tuyết"]
    assert _names(_search(client, token, "hoabinh.gov")) == ["Đào Thị Tuyết"]
    # Decomposed input (combining marks typed separately) finds the same person.
    assert _names(_search(client, token, "Đa\u0300o thi\u0323")) == ["Đào Thị Tuyết"]


def test_each_result_carries_the_username_the_email_address_and_the_units(personas: Personas) -> None:
    person = _person("hungnv", "Nguyễn Văn Hùng", personas.unit_a, email="hungnv@stp.gov.vn")
    Membership.objects.create(user=person, unit=personas.office_a)
    Membership.objects.create(user=person, unit=personas.unit_b)
    response = _search(personas.client("secretariat"), _token(), "nguyen van hung")
    assert response.json() == {
        "results": [
            {
                "id": person.pk,
                "name": "Nguyễn Văn Hùng",
                "username": "hungnv",
                "email": "hungnv@stp.gov.vn",
                "detail": "hungnv · hungnv@stp.gov.vn · Sở Tư pháp, Văn phòng Sở Tư pháp, …",
                "label": "Nguyễn Văn Hùng — hungnv · hungnv@stp.gov.vn · Sở Tư pháp, Văn phòng Sở Tư pháp, …",
            }
        ],
        "more": False,
    }


def test_a_search_returns_at_most_twenty_people_and_says_there_are_more(personas: Personas) -> None:
    for number in range(1, 31):
        _person(f"tranvantung{number}", f"Trần Văn Tùng {number}", personas.unit_b)
    client = personas.client("secretariat")
    data = _search(client, _token(), "tran van tung").json()
    assert len(data["results"]) == RESULT_LIMIT == 20
    assert data["more"] is True
    # Vietnamese order, numbers by value.
    assert [row["name"] for row in data["results"][:3]] == ["Trần Văn Tùng 1", "Trần Văn Tùng 2", "Trần Văn Tùng 3"]
    narrowed = _search(client, _token(), "tung 30").json()
    assert [row["name"] for row in narrowed["results"]] == ["Trần Văn Tùng 30"]
    assert narrowed["more"] is False


def test_an_exact_username_then_an_exact_name_come_first_and_names_sort_in_vietnamese_order(
    personas: Personas,
) -> None:
    for username, full_name in [
        ("an", "Võ Thị Bình"),
        ("annv", "Nguyễn Văn An"),
        ("anh", "Đặng Văn Anh"),
        ("dan", "Dương Thị Thanh An"),
        ("anle", "An"),
        ("hoadt", "Đinh Thị Hoa"),
    ]:
        _person(username, full_name, personas.unit_b)
    people = User.objects.all()
    # The username, the name, then names with a word starting with “an” (D before Đ), then the rest.
    found = [person.username for person in search_people(people, "an")[0]]
    assert found[:5] == ["an", "anle", "dan", "anh", "annv"]
    assert set(found[5:]) == {"thamdinh", "quantri", "daumoi_b", "lanhdao"}  # Hoàng, Quản, Phạm Văn, Trần Văn
    assert [person.full_name for person in search_people(people, "thi")[0]][:3] == [
        "Dương Thị Thanh An",
        "Đinh Thị Hoa",
        "Lê Thị Đầu Mối",
    ]


# ---------------------------------------------------------------------------
# Named scopes


def test_the_people_who_may_join_a_unit_are_the_active_people_the_user_manages_outside_it(
    personas: Personas, outsider: User
) -> None:
    """``people.joinable`` gives what the membership page used to give its form."""
    _person("nghiviec", "Người Đã Nghỉ", personas.unit_a, is_active=False)
    _person("nghiviec_b", "Người Đã Nghỉ Xã", personas.unit_b, is_active=False)
    for actor in (personas.admin, personas.secretariat, personas.focal_a, personas.leader):
        for unit in (personas.unit_a, personas.unit_b, personas.province, personas.other_commune):
            expected = {
                person
                for person in access.get_users_for_user(actor)
                if person.is_active and not person.memberships.filter(unit=unit).exists()
            }
            assert set(_membership_users(actor, unit).rows()) == expected, (actor.username, unit.name)


def test_the_field_offers_the_rows_of_its_scope_and_the_token_searches_inside_them(
    personas: Personas, outsider: User, many: None
) -> None:
    """For every registered person scope: the field's queryset is the scope's rows, and its token searches those
    rows that the person searching may manage, nothing else."""
    scopes = [
        _membership_users(actor, unit)
        for actor in (personas.admin, personas.secretariat, personas.focal_a)
        for unit in (personas.unit_a, personas.province, personas.other_commune)
    ]
    assert {scope.name for scope in scopes} | {"tests.everybody", "tests.members", "tests.role_assignments"} == set(
        PERSON_SCOPES.names()
    )
    for scope in scopes:
        field = MembershipAddForm(users=scope).fields["user"]
        assert field.scope is scope  # type: ignore[attr-defined]
        offered = set(field.queryset)  # type: ignore[attr-defined]
        assert offered == set(scope.rows())
        for searcher in (scope.viewer, personas.secretariat, personas.focal_a):
            searched = set(PERSON_SCOPES.rows(scope.token(), searcher))
            assert searched == offered & set(access.get_users_for_user(searcher)), (scope.args, searcher)


def test_a_scope_with_arguments_its_function_does_not_take_cannot_be_declared(personas: Personas) -> None:
    with pytest.raises(ScopeError):
        PERSON_SCOPES(personas.secretariat, "people.joinable")
    with pytest.raises(ScopeError):
        PERSON_SCOPES(personas.secretariat, "people.joinable", unit=personas.unit_a.pk, everybody=True)
    with pytest.raises(ScopeError):
        PERSON_SCOPES(personas.secretariat, "people.nowhere")
    with pytest.raises(ScopeError):
        PERSON_SCOPES(personas.secretariat, "people.joinable", unit=personas.unit_a)  # a unit, not its key
    with pytest.raises(ScopeError):
        PERSON_SCOPES(personas.secretariat, "tests.role_assignments").rows()


# ---------------------------------------------------------------------------
# The membership form


def _form(personas: Personas, data: dict[str, Any] | None = None, unit: Unit | None = None) -> MembershipAddForm:
    return MembershipAddForm(data, users=_membership_users(personas.secretariat, unit or personas.unit_a))


def test_few_people_keep_the_plain_select_with_every_choice(personas: Personas) -> None:
    html = str(_form(personas)["user"])
    assert "data-person-picker" not in html
    # The blank, then everybody in the secretariat's province but Lê Thị Đầu Mối, who already works in unit A.
    assert html.count("<option") == 7
    assert "Phạm Văn Đầu Mối (daumoi_b)" in html and "daumoi_a" not in html


def test_many_people_render_a_search_box_labelled_as_the_field(personas: Personas, many: None) -> None:
    form = _form(personas, {"user": personas.focal_b.pk})
    html = str(form["user"])
    assert 'for="id_user_search"' in form["user"].label_tag()
    assert 'id="id_user_search"' in html and 'aria-describedby="id_user_hint"' in html
    assert 'aria-required="true"' in html
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert options == ["— Chọn người dùng —", "Phạm Văn Đầu Mối — daumoi_b · Xã Hòa Bình"]


def test_the_token_on_the_unit_page_searches_the_people_the_form_offers(personas: Personas, many: None) -> None:
    client = personas.client("secretariat")
    page = client.get(reverse("organisations:unit_detail", args=[personas.unit_a.pk])).content.decode()
    url = unescape(PICKER_URL_RE.search(page).group(1))  # type: ignore[union-attr]
    assert url.startswith(SEARCH)
    assert _names(client.get(f"{url}&{urlencode({'q': 'dau moi'})}")) == ["Phạm Văn Đầu Mối"]


@pytest.mark.parametrize("picker", ["few", "many"])
def test_the_form_still_validates_and_refuses_people_outside_its_queryset(
    personas: Personas, outsider: User, settings: Any, picker: str
) -> None:
    if picker == "many":
        settings.PERSON_PICKER_SELECT_LIMIT = 2
    locked = _person("dakhoa", "Người Bị Khóa", personas.unit_b, is_active=False)
    form = _form(personas, {"user": personas.focal_b.pk})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["user"] == personas.focal_b
    for refused in (outsider.pk, personas.focal_a.pk, locked.pk, "abc"):
        form = _form(personas, {"user": refused})
        assert not form.is_valid()
        assert form.errors["user"] == ["Người dùng không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý."]
    assert _form(personas, {}).errors["user"] == ["Hãy chọn người dùng."]


def test_without_javascript_a_search_with_one_match_is_the_choice(personas: Personas, many: None) -> None:
    form = _form(personas, {"user__search": "pham van dau moi"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["user"] == personas.focal_b


def test_without_javascript_several_matches_are_offered_and_none_is_an_error(personas: Personas, many: None) -> None:
    form = _form(personas, {"user__search": "van"})
    assert not form.is_valid()
    assert form.errors["user"] == ["Có nhiều người dùng khớp với “van”: hãy chọn trong danh sách kết quả rồi gửi lại."]
    html = str(form["user"])
    offered = re.findall(r"<option[^>]*>([^<]*)</option>", html)[1:]
    assert [label.split(" — ")[0] for label in offered] == [
        "Hoàng Văn Thẩm Định",
        "Phạm Văn Đầu Mối",
        "Trần Văn Lãnh Đạo",
    ]
    assert 'name="user__search" value=""' in html
    # Somebody outside the form's queryset is not found, even by an exact username.
    form = _form(personas, {"user__search": "daumoi_a"})
    assert form.errors["user"] == ["Không tìm thấy người dùng nào khớp với “daumoi_a” trong phạm vi được chọn."]


def test_a_person_is_added_to_a_unit_through_the_picker(personas: Personas, many: None) -> None:
    response = personas.client("secretariat").post(
        reverse("organisations:membership_add", args=[personas.unit_a.pk]), {"user__search": "pham van"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=personas.focal_b, unit=personas.unit_a).exists()


def test_a_queryset_assigned_to_a_field_with_a_scope_is_refused(personas: Personas) -> None:
    """The token would still name the scope while the field checked the posted person against other people."""
    form = _form(personas)
    field = form.fields["user"]
    with pytest.raises(ScopedQuerysetError):
        field.queryset = User.objects.all()  # type: ignore[attr-defined]
    assert set(field.queryset) == set(_membership_users(personas.secretariat, personas.unit_a).rows())  # type: ignore[attr-defined]
    # Another scope changes both together.
    field.scope = _membership_users(personas.secretariat, personas.unit_b)  # type: ignore[attr-defined]
    assert set(field.queryset) == set(_membership_users(personas.secretariat, personas.unit_b).rows())  # type: ignore[attr-defined]
    assert personas.focal_a in field.queryset and personas.focal_b not in field.queryset  # type: ignore[attr-defined]


def test_a_field_without_a_named_scope_falls_back_to_the_full_select(
    personas: Personas, many: None, caplog: Any
) -> None:
    form = _form(personas)
    form.fields["user"].scope = None  # type: ignore[attr-defined]
    form.fields["user"].queryset = User.objects.filter(api_tokens__isnull=True).distinct()  # type: ignore[attr-defined]
    html = str(form["user"])
    assert "data-person-picker" not in html and "Phạm Văn Đầu Mối" in html
    assert "Person picker falls back to a full select" in caplog.text
