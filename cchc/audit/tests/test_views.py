"""The audit-trail browser: who may read it, filters, the detail page, and that nothing can change it."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import Role, User
from cchc.accounts.services import api_token_create, role_grant, user_update
from cchc.audit.models import AuditEntry
from cchc.organisations.services import UnitData, unit_update
from cchc.testing.personas import Personas

LIST = "/audit/"
NON_READERS = ["leader", "focal_a", "focal_b", "appraiser", "supervisor"]


def _html(response: Any) -> str:
    return response.content.decode()


def _rows(response: Any) -> str:
    """The result table only (the unit filter lists unit names too)."""
    html = _html(response)
    return html[html.index("<tbody>") : html.index("</tbody>")]


def _rename(personas: Personas, unit: Any, name: str, reason: str = "") -> None:
    unit_update(
        actor=personas.secretariat,
        unit=unit,
        data=UnitData(name=name, kind=unit.kind, code=unit.code, subtype=unit.subtype),
        reason=reason,
    )


# ---------------------------------------------------------------------------
# Access


@pytest.mark.parametrize("persona", ["admin", "secretariat"])
def test_managers_read_the_audit_trail(personas: Personas, persona: str) -> None:
    response = personas.client(persona).get(LIST)
    assert response.status_code == 200
    assert "Sở Tư pháp" in _html(response)


@pytest.mark.parametrize("persona", NON_READERS)
def test_other_personas_cannot_read_the_audit_trail(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    entry = AuditEntry.objects.filter(unit_path=personas.unit_a.path).first()
    assert entry is not None
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("audit:entry_detail", args=[entry.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(personas: Personas) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_secretariat_does_not_see_entries_of_another_province(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert "Xã Ngoài Phạm Vi" not in _rows(client.get(LIST))
    other = AuditEntry.objects.get(unit_path=personas.other_commune.path)
    assert client.get(reverse("audit:entry_detail", args=[other.pk])).status_code == 404
    assert personas.client("admin").get(reverse("audit:entry_detail", args=[other.pk])).status_code == 200


# ---------------------------------------------------------------------------
# Read-only


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_pages_refuse_every_method_that_could_change_data(personas: Personas, method: str) -> None:
    client = personas.client("admin")
    entry = AuditEntry.objects.first()
    assert entry is not None
    for url in (LIST, reverse("audit:entry_detail", args=[entry.pk])):
        assert getattr(client, method)(url).status_code == 405
    assert AuditEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()


class _FormFinder(HTMLParser):
    """Collects the method of every form inside <main>."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.methods: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main:
            self.methods.append((dict(attrs).get("method") or "get").lower())

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False


@pytest.mark.parametrize("url_name", ["audit:entry_list", "audit:entry_detail"])
def test_the_audit_pages_have_no_form_that_changes_data(personas: Personas, url_name: str) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    url = reverse(url_name, args=[entry.pk] if url_name == "audit:entry_detail" else [])
    finder = _FormFinder()
    finder.feed(_html(personas.client("admin").get(url)))
    assert all(method == "get" for method in finder.methods)
    if url_name == "audit:entry_list":
        assert finder.methods == ["get"]  # the filter form


def test_the_api_offers_no_way_to_reach_the_audit_trail(personas: Personas) -> None:
    _token, key = api_token_create(actor=personas.admin, user=personas.admin, name="kiểm tra")
    headers = {"Authorization": f"Bearer {key}"}
    client = Client()
    for method in ("get", "post", "put", "patch", "delete"):
        for path in ("/api/audit/", "/api/audit/1", "/api/audit-entries/"):
            assert getattr(client, method)(path, headers=headers).status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert not [path for path in schema["paths"] if "audit" in path]


# ---------------------------------------------------------------------------
# Filters


def test_object_types_are_offered_by_their_vietnamese_names(personas: Personas) -> None:
    role_grant(actor=personas.admin, user=personas.focal_b, role=Role.APPRAISER, scope=personas.unit_b)
    user_update(actor=personas.admin, user=personas.focal_b, full_name="Phạm Văn Đầu Mối", phone="0912")
    html = _html(personas.client("admin").get(LIST))
    for value, label in [
        ("organisations.unit", "Đơn vị"),
        ("accounts.user", "Người dùng"),
        ("accounts.roleassignment", "Phân quyền"),
    ]:
        assert f'<option value="{value}">{label}</option>' in html


def test_filtering_by_object_type_and_action(personas: Personas) -> None:
    role_grant(actor=personas.secretariat, user=personas.focal_b, role=Role.APPRAISER, scope=personas.unit_b)
    client = personas.client("secretariat")
    html = _rows(client.get(LIST, {"object_type": "accounts.roleassignment"}))
    assert "Thành viên tổ thẩm định" in html
    assert "Sở Tư pháp" not in html
    assert "1 bản ghi" in _html(client.get(LIST, {"action": "grant"}))


def test_filtering_by_actor_matches_part_of_the_username(personas: Personas) -> None:
    _rename(personas, personas.unit_b, "Xã Hòa Bình Mới")
    html = _rows(personas.client("secretariat").get(LIST, {"actor": "thuong"}))
    assert "Xã Hòa Bình Mới" in html
    assert "Văn phòng Sở Tư pháp" not in html


def test_filtering_by_unit_includes_entries_of_units_below_it(personas: Personas) -> None:
    response = personas.client("secretariat").get(LIST, {"unit": personas.unit_a.pk})
    assert "Văn phòng Sở Tư pháp" in _rows(response)
    assert "Xã Hòa Bình" not in _rows(response)
    assert "2 bản ghi" in _html(response)


def test_filtering_by_a_unit_outside_the_scope_is_refused_with_a_message(personas: Personas) -> None:
    response = personas.client("secretariat").get(LIST, {"unit": personas.other_commune.pk})
    assert response.status_code == 200
    html = _html(response)
    assert "không thuộc phạm vi của bạn" in html
    assert "Xã Ngoài Phạm Vi" not in html


def test_filtering_by_date_range(personas: Personas) -> None:
    march = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))
    with time_machine.travel(march, tick=False):
        _rename(personas, personas.unit_b, "Phường Hòa Bình")
    client = personas.client("secretariat")
    response = client.get(LIST, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert "Phường Hòa Bình" in _rows(response)
    assert "1 bản ghi" in _html(response)
    assert "Phường Hòa Bình" not in _rows(client.get(LIST, {"date_from": "2026-03-11"}))


def test_a_reversed_date_range_gives_a_message_not_an_error(personas: Personas) -> None:
    response = personas.client("secretariat").get(LIST, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 200
    assert "phải sau hoặc bằng" in _html(response)
    response = personas.client("secretariat").get(LIST, {"date_from": "ngày mai"})
    assert response.status_code == 200


def test_free_text_searches_the_object_and_the_reason(personas: Personas) -> None:
    _rename(personas, personas.unit_b, "Phường Hòa Bình", reason="Theo Nghị quyết 1656/NQ-UBTVQH15")
    client = personas.client("secretariat")
    assert "1 bản ghi" in _html(client.get(LIST, {"text": "1656"}))
    response = client.get(LIST, {"text": "văn phòng"})
    assert "Văn phòng Sở Tư pháp" in _rows(response)
    assert "1 bản ghi" in _html(response)


def test_the_list_is_paginated_and_keeps_filters(personas: Personas) -> None:
    for number in range(55):
        user_update(actor=personas.secretariat, user=personas.focal_b, full_name=f"Tên thử {number}")
    client = personas.client("secretariat")
    html = _html(client.get(f"{LIST}?object_type=accounts.user&page=2"))
    assert "Trang 2/2" in html
    assert "object_type=accounts.user&amp;page=1" in html


def test_the_list_runs_a_fixed_number_of_queries(personas: Personas, django_assert_num_queries: Any) -> None:
    client = personas.client("secretariat")
    client.get(LIST)
    with django_assert_num_queries(6) as few:  # the person and their roles come from the cache
        client.get(LIST)
    count = len(few.captured_queries)
    for number in range(30):
        user_update(actor=personas.secretariat, user=personas.focal_b, full_name=f"Tên thử {number}")
    client.get(LIST)  # the roles read again once after the writes to the accounts (accounts.roles)
    with django_assert_num_queries(count):
        client.get(LIST)


# ---------------------------------------------------------------------------
# Detail


def test_the_detail_page_shows_each_change_with_vietnamese_labels(personas: Personas) -> None:
    _rename(personas, personas.unit_b, "Phường Hòa Bình", reason="Đổi tên")
    entry = AuditEntry.objects.get(action="update", object_type="organisations.unit")
    html = _html(personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])))
    assert "Tên đơn vị" in html
    assert "<td>Xã Hòa Bình</td><td>Phường Hòa Bình</td>" in html
    assert "Đổi tên" in html


def test_the_detail_of_a_role_grant_names_the_role(personas: Personas) -> None:
    role_grant(actor=personas.secretariat, user=personas.focal_b, role=Role.LEADER, scope=personas.unit_b)
    entry = AuditEntry.objects.get(action="grant")
    html = _html(personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])))
    assert '<th scope="row">Vai trò</th><td>—</td><td>Lãnh đạo</td>' in html
    assert "Phạm vi" in html


def test_the_detail_of_a_password_change_explains_that_no_password_is_kept(personas: Personas) -> None:
    from cchc.accounts.services import user_set_password

    user_set_password(actor=personas.secretariat, user=personas.focal_b, password="Mat-khau-rat-moi-2026")
    entry = AuditEntry.objects.get(action="password")
    html = _html(personas.client("secretariat").get(reverse("audit:entry_detail", args=[entry.pk])))
    assert "không lưu mật khẩu" in html
    assert "Mat-khau-rat-moi-2026" not in html


def test_a_malformed_or_unknown_entry_is_not_found(personas: Personas) -> None:
    client = personas.client("admin")
    assert client.get("/audit/999999/").status_code == 404
    assert client.get("/audit/abc/").status_code == 404


def test_an_entry_whose_actor_was_deleted_still_shows_who_did_it(personas: Personas) -> None:
    _rename(personas, personas.unit_b, "Phường Hòa Bình")
    entry = AuditEntry.objects.get(action="update")
    User.objects.filter(pk=personas.secretariat.pk).delete()
    html = _html(personas.client("admin").get(reverse("audit:entry_detail", args=[entry.pk])))
    assert "thuongtruc (Nguyễn Thị Thường Trực)" in html
