"""The person picker: its search endpoint (permissions, scope tokens, diacritics, the limit), its scope descriptions,
and the membership form that uses it (validation unchanged, search without JavaScript)."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import signing
from django.db.models import Exists, OuterRef, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts import access
from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.picker import PERSON_SCOPE, search_people
from cchc.organisations.forms import MembershipAddForm
from cchc.organisations.models import Membership, Unit, subtree_condition
from cchc.organisations.widgets import RESULT_LIMIT, ScopeError, describe_scope, scope_condition, scope_token
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

SEARCH = reverse("accounts:user_search")
PICKER_URL_RE = re.compile(r'data-person-picker data-url="([^"]+)"')


def _token(queryset: Any) -> str:
    return scope_token(queryset, PERSON_SCOPE)


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


def _membership_users(actor: User, unit: Unit) -> Any:
    """The queryset the page that adds a person to ``unit`` gives the form."""
    return (
        access.get_users_for_user(actor)
        .filter(is_active=True)
        .exclude(memberships__unit=unit)
        .order_by("full_name", "username")
    )


# ---------------------------------------------------------------------------
# Who may search


def test_an_anonymous_visitor_is_sent_to_the_login_page(personas: Personas) -> None:
    response = _search(Client(), _token(User.objects.all()), "nguyen")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_signed_in_user_without_any_role_is_refused(personas: Personas) -> None:
    client = Client()
    client.force_login(User.objects.create(username="khongvaitro"))
    assert _search(client, _token(User.objects.all()), "nguyen").status_code == 403


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
    response = _search(personas.client(name), _token(User.objects.all()), "")
    assert response.status_code == 200
    assert sorted(row["username"] for row in response.json()["results"]) == expected
    assert _names(_search(personas.client(name), _token(User.objects.all()), "ngoai tinh")) == (
        ["Đỗ Thị Ngoài Tỉnh"] if name == "admin" else []
    )


def test_a_focal_point_cannot_reach_people_with_a_token_taken_from_an_administrators_page(
    personas: Personas, outsider: User
) -> None:
    token = _token(_membership_users(personas.admin, personas.unit_a))
    assert _names(_search(personas.client("admin"), token, "ngoai tinh")) == ["Đỗ Thị Ngoài Tỉnh"]
    assert _names(_search(personas.client("focal_a"), token, "")) == []
    assert _names(_search(personas.client("secretariat"), token, "ngoai tinh")) == []


def test_the_secretariat_searches_within_the_field_scope_it_was_given(personas: Personas) -> None:
    client = personas.client("secretariat")
    token = _token(_membership_users(personas.secretariat, personas.unit_a))
    # Lê Thị Đầu Mối already works in unit A: the form does not offer her, nor does the search.
    assert _names(_search(client, token, "dau moi")) == ["Phạm Văn Đầu Mối"]
    personas.focal_b.is_active = False
    personas.focal_b.save()
    assert _names(_search(client, token, "dau moi")) == []


def test_a_forged_altered_or_foreign_token_is_refused(personas: Personas) -> None:
    client = personas.client("secretariat")
    forged = signing.dumps({"w": ["and", False, []]}, salt="another-salt", compress=True)
    genuine = _token(User.objects.filter(is_active=True))
    altered = genuine[:-3] + ("aaa" if not genuine.endswith("aaa") else "bbb")
    unit_token = scope_token(Unit.objects.all())
    for token in ("", "rubbish", forged, altered, unit_token):
        response = _search(client, token, "dau moi")
        assert response.status_code == 400
        assert response.json()["detail"] == "Yêu cầu tìm người dùng không hợp lệ; hãy tải lại trang."


def test_a_signed_description_that_names_a_column_outside_the_schema_is_refused(personas: Personas) -> None:
    for description in (
        ["q", "password", "startswith", "argon2"],
        ["q", "api_tokens__key_hash", "startswith", "a"],
        ["exists", "api_tokens", ["and", False, []]],
    ):
        token = signing.dumps({"w": description}, salt=PERSON_SCOPE.salt, compress=True)
        assert _search(personas.client("admin"), token, "").status_code == 400


def test_a_token_older_than_twelve_hours_asks_for_a_reload(personas: Personas) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=13)):
        token = _token(User.objects.all())
    response = _search(personas.client("secretariat"), token, "dau moi")
    assert response.status_code == 400
    assert "tải lại trang" in response.json()["detail"]


# ---------------------------------------------------------------------------
# What the search finds


def test_the_search_ignores_diacritics_and_case_and_reads_usernames_and_email_addresses(personas: Personas) -> None:
    _person("daott", "Đào Thị Tuyết", personas.unit_b, email="dao.tuyet@hoabinh.gov.vn")
    client = personas.client("admin")
    token = _token(User.objects.all())
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
    response = _search(personas.client("secretariat"), _token(User.objects.all()), "nguyen van hung")
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
    data = _search(client, _token(User.objects.all()), "tran van tung").json()
    assert len(data["results"]) == RESULT_LIMIT == 20
    assert data["more"] is True
    # Vietnamese order, numbers by value.
    assert [row["name"] for row in data["results"][:3]] == ["Trần Văn Tùng 1", "Trần Văn Tùng 2", "Trần Văn Tùng 3"]
    narrowed = _search(client, _token(User.objects.all()), "tung 30").json()
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
# Scope descriptions


def test_the_querysets_of_the_people_pages_are_described_exactly(personas: Personas, outsider: User) -> None:
    _person("nghiviec", "Người Đã Nghỉ", personas.unit_a, is_active=False)
    querysets = [
        User.objects.all(),
        User.objects.none(),
        _membership_users(personas.admin, personas.unit_a),
        _membership_users(personas.secretariat, personas.unit_a),
        _membership_users(personas.secretariat, personas.province),
        access.get_users_for_user(personas.secretariat),
        User.objects.filter(subtree_condition([personas.unit_a.path], "memberships__unit")).distinct(),
        User.objects.exclude(role_assignments__role=Role.FOCAL_POINT),
        User.objects.filter(Exists(Membership.objects.filter(user=OuterRef("pk"), unit=personas.unit_b))),
        User.objects.filter(Q(is_active=False) | Q(username__startswith="daumoi")),
    ]
    for queryset in querysets:
        rebuilt = User.objects.filter(scope_condition(describe_scope(queryset, PERSON_SCOPE), PERSON_SCOPE))
        assert set(rebuilt) == set(queryset), queryset.query


def test_querysets_that_reach_other_tables_or_join_a_relation_twice_are_not_described(personas: Personas) -> None:
    twice = User.objects.filter(memberships__unit=personas.unit_a).filter(memberships__unit=personas.unit_b)
    annotated = User.objects.annotate(n=Q(is_active=True))
    tokens = User.objects.filter(api_tokens__name="x")
    sliced = User.objects.all()[:5]
    for queryset in (twice, annotated, tokens, sliced, RoleAssignment.objects.all()):
        with pytest.raises(ScopeError):
            describe_scope(queryset, PERSON_SCOPE)


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


def test_a_queryset_that_cannot_be_described_falls_back_to_the_full_select(
    personas: Personas, many: None, caplog: Any
) -> None:
    form = _form(personas)
    form.fields["user"].queryset = User.objects.filter(api_tokens__isnull=True).distinct()  # type: ignore[attr-defined]
    html = str(form["user"])
    assert "data-person-picker" not in html and "Phạm Văn Đầu Mối" in html
    assert "Person picker falls back to a full select" in caplog.text
