"""The frameworks API over HTTP with real tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.testing.personas import Personas

from .factories import make_framework, small_tree

READERS = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")


def _get(personas: Personas, name: str, url: str, **params: Any) -> Any:
    user = personas.user(name)
    headers = {}
    if user is not None:
        _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        headers["Authorization"] = f"Bearer {raw}"
    return Client().get(url, params, headers=headers)


@pytest.mark.parametrize("name", READERS)
def test_every_role_lists_the_frameworks_of_its_province_but_not_others(personas: Personas, name: str) -> None:
    mine = small_tree(personas.province)
    elsewhere = make_framework(personas.other_province, name="Bộ tỉnh bên cạnh")
    response = _get(personas, name, "/api/frameworks/")
    assert response.status_code == 200
    found = {item["id"] for item in response.json()}
    assert mine.pk in found
    assert (elsewhere.pk in found) == (name == "admin")
    detail = _get(personas, name, f"/api/frameworks/{elsewhere.pk}")
    assert detail.status_code == (200 if name == "admin" else 404)


def test_the_detail_gives_the_tree_with_parent_ids_rules_and_problems(personas: Personas) -> None:
    framework = small_tree(personas.province, lead=personas.home_affairs)
    data = _get(personas, "focal_b", f"/api/frameworks/{framework.pk}").json()
    assert data["owner"]["code"] == personas.province.code and data["is_locked"] is False
    criteria = {item["code"]: item for item in data["criteria"]}
    assert [item["code"] for item in data["criteria"]] == ["1", "1.1", "1.2", "2", "2.1", "2.2"]
    assert criteria["1.2"]["parent_id"] == criteria["1"]["id"]
    assert criteria["1.2"]["rule_kind"] == "bands" and criteria["1.2"]["is_leaf"] is True
    assert criteria["1.2"]["rule_params"]["bands"][0] == {"min": "90", "points": "2"}
    assert criteria["1.1"]["rule_text"] == "Đúng hạn: 1; Trễ hạn: 0,5; Không thực hiện: 0."
    assert criteria["1"]["is_leaf"] is False and criteria["1"]["rule_text"] == ""
    assert criteria["1.1"]["lead_unit"]["id"] == personas.home_affairs.pk
    assert data["problems"] == [
        {
            "severity": "warning",
            "code": "1.2",
            "criterion_id": criteria["1.2"]["id"],
            "message": "Chưa có cơ quan chủ trì thẩm định.",
        }
    ]


def test_filters_and_authentication(personas: Personas) -> None:
    small_tree(personas.province)
    make_framework(personas.province, year=2024, name="Bộ 2024")
    years = [item["year"] for item in _get(personas, "leader", "/api/frameworks/", year=2024).json()]
    assert years == [2024]
    assert _get(personas, "leader", "/api/frameworks/", unit_kind="commune").json() == []
    assert _get(personas, "anonymous", "/api/frameworks/").status_code == 401
    assert _get(personas, "leader", "/api/frameworks/999999").status_code == 404
