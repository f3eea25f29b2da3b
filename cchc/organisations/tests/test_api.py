"""The units API over HTTP, with real tokens, for every persona."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cchc.accounts.models import ApiToken, User
from cchc.accounts.services import api_token_create, api_token_revoke
from cchc.organisations.api import MAX_PAGE_SIZE
from cchc.organisations.models import SuccessionKind, Unit, UnitKind
from cchc.organisations.services import UnitData, unit_merge, unit_succession_add, unit_update, units_bulk_insert
from cchc.testing.personas import Personas

SIGNED_IN = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")
PROVINCE_P = ("province", "home_affairs", "unit_a", "office_a", "front", "unit_b")
PROVINCE_Q = ("other_province", "other_commune")


def token_for(user: User) -> str:
    _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
    return raw


def api_get(raw_token: str | None, url: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {raw_token}"} if raw_token is not None else {}
    return Client().get(url, params, headers=headers)


def persona_get(personas: Personas, name: str, url: str, **params: Any) -> Any:
    user = personas.user(name)
    assert user is not None
    return api_get(token_for(user), url, **params)


def ids(personas: Personas, names: tuple[str, ...]) -> set[int]:
    return {getattr(personas, name).pk for name in names}


def listed_ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# ---------------------------------------------------------------------------
# Authentication


def assert_unauthenticated(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert "mã truy cập" in body["detail"]


@pytest.mark.parametrize("url", ["/api/units/", "/api/me"])
def test_a_call_without_token_is_refused_with_a_json_error_in_vietnamese(personas: Personas, url: str) -> None:
    assert_unauthenticated(api_get(None, url))


def test_a_call_with_an_unknown_token_is_refused(personas: Personas) -> None:
    token_for(personas.leader)
    assert_unauthenticated(api_get("cchc_khong-phai-ma-that", "/api/units/"))


def test_a_signed_in_browser_session_is_not_enough_for_the_api(personas: Personas) -> None:
    assert_unauthenticated(personas.client("secretariat").get("/api/units/"))


def test_a_token_records_when_it_was_last_used(personas: Personas) -> None:
    raw = token_for(personas.focal_a)
    token = ApiToken.objects.get(user=personas.focal_a)
    assert token.last_used_at is None
    before = timezone.now()
    assert api_get(raw, "/api/units/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at >= before


def test_a_revoked_token_stops_working(personas: Personas) -> None:
    raw = token_for(personas.leader)
    assert api_get(raw, "/api/units/").status_code == 200
    api_token_revoke(actor=personas.leader, token=ApiToken.objects.get(user=personas.leader))
    assert_unauthenticated(api_get(raw, "/api/units/"))


def test_the_token_of_a_deactivated_user_stops_working(personas: Personas) -> None:
    raw = token_for(personas.focal_b)
    personas.focal_b.is_active = False
    personas.focal_b.save(update_fields=["is_active"])
    assert_unauthenticated(api_get(raw, "/api/units/"))


def test_a_user_without_any_role_sees_no_units(personas: Personas) -> None:
    nobody = User.objects.create_user(username="khongvaitro", password="Mat-khau-thu-nghiem-2025")
    response = api_get(token_for(nobody), "/api/units/")
    assert response.json() == {"items": [], "count": 0}


# ---------------------------------------------------------------------------
# List


@pytest.mark.parametrize("name", [name for name in SIGNED_IN if name != "admin"])
def test_each_persona_lists_exactly_the_units_of_their_province(personas: Personas, name: str) -> None:
    response = persona_get(personas, name, "/api/units/")
    assert set(listed_ids(response)) == ids(personas, PROVINCE_P)
    assert response.json()["count"] == len(PROVINCE_P)


def test_the_administrator_lists_the_units_of_both_provinces(personas: Personas) -> None:
    response = persona_get(personas, "admin", "/api/units/")
    assert set(listed_ids(response)) == ids(personas, PROVINCE_P + PROVINCE_Q)


def test_units_are_listed_in_tree_order_with_their_fields(personas: Personas) -> None:
    response = persona_get(personas, "leader", "/api/units/")
    items = response.json()["items"]
    position = {item["id"]: index for index, item in enumerate(items)}
    for item in items:
        if item["parent_id"] is not None:
            assert position[item["parent_id"]] < position[item["id"]]
    assert items[0]["id"] == personas.province.pk
    assert position[personas.unit_a.pk] + 1 == position[personas.office_a.pk]
    commune = next(item for item in items if item["id"] == personas.unit_b.pk)
    assert commune == {
        "id": personas.unit_b.pk,
        "name": "Xã Hòa Bình",
        "short_name": "",
        "code": "T-P-XHB",
        "kind": "commune",
        "subtype": "commune",
        "kind_label": "Xã",
        "parent_id": personas.province.pk,
        "depth": 1,
        "valid_from": None,
        "valid_to": None,
    }


def test_root_limits_the_list_to_a_visible_subtree(personas: Personas) -> None:
    response = persona_get(personas, "secretariat", "/api/units/", root=personas.unit_a.pk)
    assert listed_ids(response) == [personas.unit_a.pk, personas.office_a.pk]


def test_root_outside_the_callers_view_is_not_found(personas: Personas) -> None:
    response = persona_get(personas, "secretariat", "/api/units/", root=personas.other_province.pk)
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy.", "code": "not_found"}


def test_the_administrator_may_list_the_other_province_by_root(personas: Personas) -> None:
    response = persona_get(personas, "admin", "/api/units/", root=personas.other_province.pk)
    assert listed_ids(response) == [personas.other_province.pk, personas.other_commune.pk]


def test_kind_filters_the_list(personas: Personas) -> None:
    response = persona_get(personas, "admin", "/api/units/", kind="commune")
    assert set(listed_ids(response)) == {personas.unit_b.pk, personas.other_commune.pk}


def test_an_unknown_kind_is_refused_in_the_error_shape(personas: Personas) -> None:
    response = persona_get(personas, "admin", "/api/units/", kind="galaxy")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] == "kind"
    assert "kind" in body["detail"]


def test_search_ignores_diacritics_and_case(personas: Personas) -> None:
    response = persona_get(personas, "focal_a", "/api/units/", q="hoa BINH")
    assert listed_ids(response) == [personas.unit_b.pk]
    response = persona_get(personas, "focal_a", "/api/units/", q="tư pháp")
    assert listed_ids(response) == [personas.unit_a.pk, personas.office_a.pk]


def test_search_never_reaches_beyond_the_callers_view(personas: Personas) -> None:
    response = persona_get(personas, "focal_a", "/api/units/", q="ngoai pham vi")
    assert listed_ids(response) == []


def test_closed_units_are_hidden_unless_asked_for(personas: Personas) -> None:
    today = timezone.localdate()
    closed_on = today - datetime.timedelta(days=10)
    unit_update(
        actor=personas.admin,
        unit=personas.front,
        data=UnitData(name="Ủy ban MTTQ tỉnh", kind=UnitKind.OTHER, code="T-P-MTTQ", valid_to=closed_on),
    )
    assert personas.front.pk not in listed_ids(persona_get(personas, "leader", "/api/units/"))
    assert personas.front.pk in listed_ids(persona_get(personas, "leader", "/api/units/", all="true"))
    earlier = (closed_on - datetime.timedelta(days=1)).isoformat()
    assert personas.front.pk in listed_ids(persona_get(personas, "leader", "/api/units/", active_on=earlier))


def test_a_malformed_date_is_refused_in_the_error_shape(personas: Personas) -> None:
    response = persona_get(personas, "leader", "/api/units/", active_on="31/12/2025")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == "active_on"


def test_pagination_walks_through_the_units(personas: Personas) -> None:
    raw = token_for(personas.admin)
    everything = listed_ids(api_get(raw, "/api/units/"))
    first = api_get(raw, "/api/units/", limit=3, offset=0).json()
    second = api_get(raw, "/api/units/", limit=3, offset=3).json()
    third = api_get(raw, "/api/units/", limit=3, offset=6).json()
    assert first["count"] == second["count"] == third["count"] == len(everything) == 8
    paged = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert paged == everything
    assert len(third["items"]) == 2


def test_a_page_larger_than_the_documented_maximum_is_refused(personas: Personas) -> None:
    raw = token_for(personas.admin)
    assert api_get(raw, "/api/units/", limit=MAX_PAGE_SIZE).status_code == 200
    response = api_get(raw, "/api/units/", limit=MAX_PAGE_SIZE + 1)
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def add_communes(parent: Unit, count: int, prefix: str) -> None:
    rows = [
        (
            UnitData(name=f"Xã Số {index}", kind=UnitKind.COMMUNE, subtype="commune", code=f"{prefix}-{index}"),
            parent.code,
        )
        for index in range(count)
    ]
    units_bulk_insert(actor=None, rows=rows)


@pytest.mark.parametrize("name", ["admin", "secretariat", "focal_b"])
def test_the_list_takes_the_same_few_queries_however_many_units_there_are(
    personas: Personas, name: str, django_assert_max_num_queries: Any
) -> None:
    user = personas.user(name)
    assert user is not None
    raw = token_for(user)
    # Token, its last use, the data versions, then (the person is not in the cache yet) their row read again after
    # the versions, roles and memberships; count, page.
    with django_assert_max_num_queries(9):
        small = api_get(raw, "/api/units/", limit=MAX_PAGE_SIZE)
    assert small.json()["count"] == len(listed_ids(small))
    add_communes(personas.province, 150, "T-P-NHIEU")
    with django_assert_max_num_queries(9):
        large = api_get(raw, "/api/units/", limit=MAX_PAGE_SIZE, q="xa")
    assert len(listed_ids(large)) >= 150


# ---------------------------------------------------------------------------
# Detail


def test_the_detail_shows_ancestors_children_and_fields(personas: Personas) -> None:
    response = persona_get(personas, "supervisor", f"/api/units/{personas.office_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == personas.office_a.pk
    assert body["name"] == "Văn phòng Sở Tư pháp"
    assert body["kind"] == "office"
    assert body["parent_id"] == personas.unit_a.pk
    assert body["depth"] == 2
    assert body["ancestors"] == [
        {"id": personas.province.pk, "name": "Tỉnh Thử Nghiệm"},
        {"id": personas.unit_a.pk, "name": "Sở Tư pháp"},
    ]
    assert body["children_count"] == 0
    assert body["predecessors"] == body["successors"] == []
    province = persona_get(personas, "supervisor", f"/api/units/{personas.province.pk}").json()
    assert province["ancestors"] == []
    assert province["children_count"] == 4


@pytest.mark.parametrize("name", [name for name in SIGNED_IN if name != "admin"])
def test_the_detail_of_a_unit_outside_the_callers_view_is_not_found(personas: Personas, name: str) -> None:
    response = persona_get(personas, name, f"/api/units/{personas.other_commune.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_detail_of_a_unit_that_does_not_exist_is_not_found(personas: Personas) -> None:
    assert persona_get(personas, "admin", "/api/units/999999").status_code == 404


def test_a_unit_id_that_is_not_a_number_is_refused_in_the_error_shape(personas: Personas) -> None:
    response = persona_get(personas, "admin", "/api/units/abc")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_detail_shows_predecessors_and_successors(personas: Personas) -> None:
    day = datetime.date(2025, 7, 1)
    unit_merge(actor=personas.admin, units=[personas.office_a], into=personas.home_affairs, effective_date=day)
    merged = persona_get(personas, "leader", f"/api/units/{personas.office_a.pk}").json()
    assert merged["successors"] == [
        {
            "id": personas.home_affairs.pk,
            "name": "Sở Nội vụ",
            "unit_kind": "department",
            "kind": "merge",
            "effective_date": "2025-07-01",
        }
    ]
    receiver = persona_get(personas, "leader", f"/api/units/{personas.home_affairs.pk}").json()
    assert [item["id"] for item in receiver["predecessors"]] == [personas.office_a.pk]
    assert receiver["successors"] == []


def test_history_links_to_units_outside_the_callers_view_are_left_out(personas: Personas) -> None:
    unit_succession_add(
        actor=personas.admin,
        predecessor=personas.other_commune,
        successor=personas.unit_b,
        kind=SuccessionKind.TRANSFER,
        effective_date=datetime.date(2025, 7, 1),
    )
    assert persona_get(personas, "focal_b", f"/api/units/{personas.unit_b.pk}").json()["predecessors"] == []
    seen_by_admin = persona_get(personas, "admin", f"/api/units/{personas.unit_b.pk}").json()
    assert [item["id"] for item in seen_by_admin["predecessors"]] == [personas.other_commune.pk]


# ---------------------------------------------------------------------------
# Subtree


def test_the_subtree_is_a_flat_list_with_parents_and_depths(personas: Personas) -> None:
    response = persona_get(personas, "appraiser", f"/api/units/{personas.unit_a.pk}/subtree")
    assert response.status_code == 200
    rows = [(item["id"], item["parent_id"], item["depth"]) for item in response.json()]
    assert rows == [
        (personas.unit_a.pk, personas.province.pk, 1),
        (personas.office_a.pk, personas.unit_a.pk, 2),
    ]


def test_the_subtree_of_a_province_holds_every_visible_unit(personas: Personas) -> None:
    response = persona_get(personas, "focal_b", f"/api/units/{personas.province.pk}/subtree")
    assert {item["id"] for item in response.json()} == ids(personas, PROVINCE_P)


def test_the_subtree_of_a_unit_outside_the_callers_view_is_not_found(personas: Personas) -> None:
    response = persona_get(personas, "secretariat", f"/api/units/{personas.other_province.pk}/subtree")
    assert response.status_code == 404


def test_the_subtree_takes_the_same_few_queries_however_large_it_is(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    add_communes(personas.other_province, 120, "T-Q-NHIEU")
    raw = token_for(personas.admin)
    # Token, its last use, the data versions, the person's row, roles, memberships (not in the cache yet), the unit,
    # the subtree.
    with django_assert_max_num_queries(8):
        response = api_get(raw, f"/api/units/{personas.other_province.pk}/subtree")
    assert len(response.json()) == 122


# ---------------------------------------------------------------------------
# The caller


def test_me_tells_who_the_token_belongs_to_with_roles_and_scopes(personas: Personas) -> None:
    response = persona_get(personas, "focal_a", "/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": personas.focal_a.pk,
        "username": "daumoi_a",
        "full_name": "Lê Thị Đầu Mối",
        "email": "",
        "roles": [
            {
                "role": "focal_point",
                "label": "Cán bộ đầu mối CCHC",
                "scope": {"id": personas.unit_a.pk, "name": "Sở Tư pháp"},
            }
        ],
        "memberships": [{"unit": {"id": personas.unit_a.pk, "name": "Sở Tư pháp"}, "position": "", "is_head": False}],
    }


def test_me_shows_a_system_wide_role_without_scope(personas: Personas) -> None:
    roles = persona_get(personas, "admin", "/api/me").json()["roles"]
    assert roles == [{"role": "admin", "label": "Quản trị hệ thống", "scope": None}]
