"""The people pages: list, create, edit, set a password, grant and revoke roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.services import user_create
from cchc.audit.models import AuditAction, AuditEntry
from cchc.organisations.models import Membership
from cchc.testing.personas import PASSWORD, Personas

NON_MANAGERS = ["leader", "focal_a", "focal_b", "appraiser", "supervisor"]
NEW_PASSWORD = "Mat-khau-duoc-cap-2026"


@pytest.fixture
def outsider(personas: Personas) -> User:
    return user_create(
        actor=None, username="nguoingoai", full_name="Đinh Thị Ngoài", password=None, unit=personas.other_commune
    )


def _html(response: Any) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------
# Access


@pytest.mark.parametrize("persona", ["admin", "secretariat"])
def test_managers_open_the_user_list(personas: Personas, persona: str) -> None:
    response = personas.client(persona).get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert "daumoi_a" in _html(response)


@pytest.mark.parametrize("persona", NON_MANAGERS)
@pytest.mark.parametrize(
    "url_name", ["accounts:user_list", "accounts:user_create", "accounts:user_detail", "accounts:user_edit"]
)
def test_other_personas_cannot_open_the_people_pages(personas: Personas, persona: str, url_name: str) -> None:
    args = [personas.focal_b.pk] if url_name != "accounts:user_list" and url_name != "accounts:user_create" else []
    response = personas.client(persona).get(reverse(url_name, args=args))
    assert response.status_code in (403, 404)


def test_anonymous_visitors_are_sent_to_the_login_page(personas: Personas) -> None:
    for url in (reverse("accounts:user_list"), reverse("accounts:user_detail", args=[personas.focal_a.pk])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_secretariat_cannot_open_a_person_outside_its_scope(personas: Personas, outsider: User) -> None:
    client = personas.client("secretariat")
    assert outsider.username not in _html(client.get(reverse("accounts:user_list")))
    for name in ("accounts:user_detail", "accounts:user_edit", "accounts:user_password"):
        assert client.get(reverse(name, args=[outsider.pk])).status_code == 404
    assert personas.client("admin").get(reverse("accounts:user_detail", args=[outsider.pk])).status_code == 200


def test_the_secretariat_sees_an_administrator_but_cannot_change_them(personas: Personas) -> None:
    client = personas.client("secretariat")
    page = client.get(reverse("accounts:user_detail", args=[personas.admin.pk]))
    assert page.status_code == 200
    assert reverse("accounts:user_edit", args=[personas.admin.pk]) not in _html(page)
    assert client.get(reverse("accounts:user_edit", args=[personas.admin.pk])).status_code == 403
    assert client.get(reverse("accounts:user_password", args=[personas.admin.pk])).status_code == 403
    response = client.post(
        reverse("accounts:user_password", args=[personas.admin.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert User.objects.get(pk=personas.admin.pk).check_password(PASSWORD)


# ---------------------------------------------------------------------------
# List: search, filters, pagination


@pytest.mark.parametrize("query", ["dau moi", "ĐẦU MỐI", "đầu mối", "daumoi"])
def test_searching_people_ignores_accents_and_case(personas: Personas, query: str) -> None:
    html = _html(personas.client("secretariat").get(reverse("accounts:user_list"), {"q": query}))
    assert "daumoi_a" in html
    assert "daumoi_b" in html
    assert "lanhdao" not in html


def test_searching_needs_every_word(personas: Personas) -> None:
    html = _html(personas.client("secretariat").get(reverse("accounts:user_list"), {"q": "le thi dau"}))
    assert "daumoi_a" in html
    assert "daumoi_b" not in html


def test_filtering_by_unit_includes_the_units_below_it(personas: Personas) -> None:
    Membership.objects.create(user=personas.focal_b, unit=personas.office_a)
    html = _html(personas.client("secretariat").get(reverse("accounts:user_list"), {"unit": personas.unit_a.pk}))
    assert "daumoi_a" in html
    assert "daumoi_b" in html
    assert "lanhdao" not in html


def test_filtering_by_role(personas: Personas) -> None:
    html = _html(personas.client("secretariat").get(reverse("accounts:user_list"), {"role": Role.LEADER}))
    assert "lanhdao" in html
    assert "daumoi_a" not in html


def test_filtering_by_a_unit_outside_the_scope_says_so_and_leaks_nothing(personas: Personas, outsider: User) -> None:
    response = personas.client("secretariat").get(reverse("accounts:user_list"), {"unit": personas.other_commune.pk})
    assert response.status_code == 200
    html = _html(response)
    assert "không thuộc phạm vi của bạn" in html
    assert "nguoingoai" not in html


def test_the_user_list_is_paginated(personas: Personas) -> None:
    for number in range(55):
        User.objects.create(username=f"canbo{number:02d}")
        Membership.objects.create(user=User.objects.get(username=f"canbo{number:02d}"), unit=personas.unit_b)
    client = personas.client("secretariat")
    first = _html(client.get(reverse("accounts:user_list"), {"unit": personas.unit_b.pk}))
    assert "Trang 1/2" in first
    second = _html(client.get(reverse("accounts:user_list"), {"unit": personas.unit_b.pk, "page": 2}))
    assert "Trang 2/2" in second
    assert "daumoi_b" in second  # sorted by username: canbo… first
    assert f"unit={personas.unit_b.pk}&amp;page=1" in second


def test_the_user_list_runs_a_fixed_number_of_queries(personas: Personas, django_assert_num_queries: Any) -> None:
    client = personas.client("secretariat")
    client.get(reverse("accounts:user_list"))  # warm the session
    # The session, the data versions and the list's own reads: the person and their roles come from the cache.
    with django_assert_num_queries(7) as few:
        client.get(reverse("accounts:user_list"))
    count = len(few.captured_queries)
    for number in range(20):
        extra = User.objects.create(username=f"them{number:02d}")
        Membership.objects.create(user=extra, unit=personas.unit_a)
        RoleAssignment.objects.create(user=extra, role=Role.FOCAL_POINT, scope=personas.unit_a)
    client.get(reverse("accounts:user_list"))  # the roles read again once after the writes (accounts.roles)
    with django_assert_num_queries(count):
        client.get(reverse("accounts:user_list"))


# ---------------------------------------------------------------------------
# Create


def _create_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "username": "nguyenvana",
        "full_name": "Nguyễn Văn A",
        "email": "a@example.vn",
        "phone": "0912 000 111",
        "position": "Chuyên viên",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "reason": "Cán bộ mới",
    }
    data.update(overrides)
    return data


def test_the_secretariat_creates_a_person_in_a_unit_of_its_scope(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = client.post(reverse("accounts:user_create"), _create_data(unit=personas.unit_b.pk))
    user = User.objects.get(username="nguyenvana")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert user.full_name == "Nguyễn Văn A"
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.unit == personas.unit_b
    assert membership.position == "Chuyên viên"
    entries = AuditEntry.objects.filter(actor=personas.secretariat, action=AuditAction.CREATE)
    assert set(entries.values_list("object_type", flat=True)) == {"accounts.user", "organisations.membership"}
    assert all(NEW_PASSWORD not in str(entry.changes) for entry in AuditEntry.objects.all())
    detail = _html(client.get(response["Location"]))
    assert reverse("organisations:unit_detail", args=[personas.unit_b.pk]) in detail


def test_a_person_can_be_created_without_a_password_to_be_set_later(personas: Personas) -> None:
    client = personas.client("secretariat")
    client.post(reverse("accounts:user_create"), _create_data(unit=personas.unit_b.pk, password1="", password2=""))
    user = User.objects.get(username="nguyenvana")
    assert not user.has_usable_password()
    client.post(
        reverse("accounts:user_password", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "Cấp mật khẩu ban đầu"},
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "daumoi_a"}, "đã tồn tại"),
        ({"username": "DAUMOI_A"}, "đã tồn tại"),
        ({"username": "có dấu cách"}, "Enter a valid username"),
        ({"password2": "khac-mat-khau-2026"}, "không khớp"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password"),
        ({"full_name": ""}, "required"),
        ({"unit": ""}, "required"),
    ],
)
def test_bad_input_when_creating_a_person_creates_nothing(
    personas: Personas, overrides: dict[str, Any], message: str
) -> None:
    before_users, before_entries = User.objects.count(), AuditEntry.objects.count()
    data = _create_data(**{"unit": personas.unit_b.pk, **overrides})
    response = personas.client("secretariat").post(reverse("accounts:user_create"), data)
    assert response.status_code == 200
    assert User.objects.count() == before_users
    assert AuditEntry.objects.count() == before_entries
    assert 'class="errorlist' in _html(response)


def test_the_secretariat_cannot_create_a_person_in_a_unit_outside_its_scope(personas: Personas) -> None:
    response = personas.client("secretariat").post(
        reverse("accounts:user_create"), _create_data(unit=personas.other_commune.pk)
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="nguyenvana").exists()


@pytest.mark.parametrize("persona", NON_MANAGERS)
def test_other_personas_cannot_create_people(personas: Personas, persona: str) -> None:
    response = personas.client(persona).post(reverse("accounts:user_create"), _create_data(unit=personas.unit_a.pk))
    assert response.status_code == 403
    assert not User.objects.filter(username="nguyenvana").exists()


# ---------------------------------------------------------------------------
# Edit, lock, set password


def test_the_secretariat_edits_and_locks_a_person_and_it_is_audited(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = client.post(
        reverse("accounts:user_edit", args=[personas.focal_b.pk]),
        {"full_name": "Phạm Văn Đầu  Mối", "email": "b@example.vn", "phone": "0987", "reason": "Nghỉ phép dài hạn"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=personas.focal_b.pk)
    assert not user.is_active
    assert user.phone == "0987"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="accounts.user")
    assert entry.changes["is_active"] == [True, False]
    assert entry.reason == "Nghỉ phép dài hạn"
    assert entry.unit_path == personas.unit_b.path


def test_nobody_locks_their_own_account(personas: Personas) -> None:
    response = personas.client("secretariat").post(
        reverse("accounts:user_edit", args=[personas.secretariat.pk]), {"full_name": "Nguyễn Thị Thường Trực"}
    )
    assert response.status_code == 200
    assert "tự khóa" in _html(response)
    assert User.objects.get(pk=personas.secretariat.pk).is_active


def test_an_empty_full_name_is_refused_when_editing(personas: Personas) -> None:
    response = personas.client("secretariat").post(
        reverse("accounts:user_edit", args=[personas.focal_b.pk]), {"full_name": "   ", "is_active": "on"}
    )
    assert response.status_code == 200
    assert User.objects.get(pk=personas.focal_b.pk).full_name == "Phạm Văn Đầu Mối"


def test_setting_a_password_for_someone_is_audited_without_the_password(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = client.post(
        reverse("accounts:user_password", args=[personas.focal_a.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "Quên mật khẩu"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=personas.focal_a.pk).check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD)
    assert entry.actor == personas.secretariat
    assert entry.object_id == str(personas.focal_a.pk)
    assert entry.reason == "Quên mật khẩu"
    assert NEW_PASSWORD not in f"{entry.changes}{entry.reason}{entry.object_repr}"


def test_a_weak_password_is_refused_with_a_message(personas: Personas) -> None:
    response = personas.client("secretariat").post(
        reverse("accounts:user_password", args=[personas.focal_a.pk]),
        {"password1": "daumoi_a", "password2": "daumoi_a"},
    )
    assert response.status_code == 200
    assert 'class="errorlist' in _html(response)
    assert User.objects.get(pk=personas.focal_a.pk).check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action=AuditAction.PASSWORD).exists()


@pytest.mark.parametrize("persona", NON_MANAGERS)
def test_other_personas_cannot_set_passwords(personas: Personas, persona: str) -> None:
    response = personas.client(persona).post(
        reverse("accounts:user_password", args=[personas.focal_b.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert User.objects.get(pk=personas.focal_b.pk).check_password(PASSWORD)


def test_editing_pages_refuse_other_methods(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert client.put(reverse("accounts:user_edit", args=[personas.focal_b.pk])).status_code == 405
    assert client.get(reverse("accounts:role_grant", args=[personas.focal_b.pk])).status_code == 405
    assert client.post(reverse("accounts:user_detail", args=[personas.focal_b.pk])).status_code == 405


# ---------------------------------------------------------------------------
# Roles


def _grant(client: Client, user: User, role: str, scope: Any, reason: str = "Phân công") -> Any:
    return client.post(
        reverse("accounts:role_grant", args=[user.pk]),
        {"grant-role": role, "grant-scope": scope.pk if scope else "", "grant-reason": reason},
    )


def test_the_secretariat_grants_a_role_in_its_scope_and_it_is_audited(personas: Personas) -> None:
    response = _grant(personas.client("secretariat"), personas.focal_b, Role.APPRAISER, personas.unit_a)
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=personas.focal_b, role=Role.APPRAISER, scope=personas.unit_a).exists()
    entry = AuditEntry.objects.get(action=AuditAction.GRANT)
    assert entry.actor == personas.secretariat
    assert entry.reason == "Phân công"
    assert entry.unit_path == personas.unit_a.path


def test_the_secretariat_is_not_offered_the_admin_role_and_cannot_post_it(personas: Personas) -> None:
    client = personas.client("secretariat")
    html = _html(client.get(reverse("accounts:user_detail", args=[personas.focal_b.pk])))
    assert f'value="{Role.ADMIN}"' not in html
    assert f'value="{Role.LEADER}"' in html
    response = _grant(client, personas.focal_b, Role.ADMIN, personas.province)
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(user=personas.focal_b, role=Role.ADMIN).exists()


def test_the_secretariat_cannot_grant_outside_its_scope_or_system_wide(personas: Personas) -> None:
    client = personas.client("secretariat")
    html = _html(client.get(reverse("accounts:user_detail", args=[personas.focal_b.pk])))
    assert f'value="{personas.other_commune.pk}"' not in html
    assert _grant(client, personas.focal_b, Role.LEADER, personas.other_commune).status_code == 400
    assert _grant(client, personas.focal_b, Role.LEADER, None).status_code == 400
    assert not RoleAssignment.objects.filter(user=personas.focal_b, role=Role.LEADER).exists()


def test_the_admin_grants_the_admin_role_system_wide(personas: Personas) -> None:
    assert _grant(personas.client("admin"), personas.leader, Role.ADMIN, None).status_code == 302
    assert RoleAssignment.objects.filter(user=personas.leader, role=Role.ADMIN, scope=None).exists()


@pytest.mark.parametrize("persona", NON_MANAGERS)
def test_other_personas_cannot_grant_roles(personas: Personas, persona: str) -> None:
    response = _grant(personas.client(persona), personas.focal_b, Role.SECRETARIAT, personas.province)
    assert response.status_code == 404
    assert not RoleAssignment.objects.filter(role=Role.SECRETARIAT, user=personas.focal_b).exists()


def test_revoking_a_role_needs_a_reason_and_is_audited(personas: Personas) -> None:
    client = personas.client("secretariat")
    assignment = RoleAssignment.objects.get(user=personas.focal_b)
    url = reverse("accounts:role_revoke", args=[personas.focal_b.pk, assignment.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "lý do" in _html(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    response = client.post(url, {"reason": "Chuyển công tác"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.REVOKE)
    assert entry.reason == "Chuyển công tác"
    assert entry.changes["role"] == [Role.FOCAL_POINT, None]


def test_a_role_of_another_person_cannot_be_revoked_through_someone_elses_page(personas: Personas) -> None:
    assignment = RoleAssignment.objects.get(user=personas.focal_a)
    url = reverse("accounts:role_revoke", args=[personas.focal_b.pk, assignment.pk])
    assert personas.client("secretariat").post(url, {"reason": "thử"}).status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_secretariat_cannot_revoke_an_administrators_role(personas: Personas) -> None:
    assignment = RoleAssignment.objects.get(user=personas.admin)
    url = reverse("accounts:role_revoke", args=[personas.admin.pk, assignment.pk])
    assert personas.client("secretariat").post(url, {"reason": "thử"}).status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_last_administrator_keeps_the_role_with_a_clear_message(personas: Personas) -> None:
    assignment = RoleAssignment.objects.get(user=personas.admin)
    url = reverse("accounts:role_revoke", args=[personas.admin.pk, assignment.pk])
    response = personas.client("admin").post(url, {"reason": "thử"}, follow=True)
    assert "người quản trị cuối cùng" in _html(response)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_person_page_shows_roles_memberships_and_history(personas: Personas) -> None:
    client = personas.client("secretariat")
    _grant(client, personas.focal_b, Role.APPRAISER, personas.unit_a)
    client.post(
        reverse("accounts:user_edit", args=[personas.focal_b.pk]),
        {"full_name": "Phạm Văn Đầu Mối", "phone": "0912", "is_active": "on", "reason": "Bổ sung số điện thoại"},
    )
    html = _html(client.get(reverse("accounts:user_detail", args=[personas.focal_b.pk])))
    assert "Thành viên tổ thẩm định" in html
    assert reverse("organisations:unit_detail", args=[personas.unit_b.pk]) in html
    assert "Bổ sung số điện thoại" in html


def test_setting_a_new_password_signs_the_person_out_everywhere(personas: Personas) -> None:
    their_browser = personas.client("focal_a")
    assert their_browser.get("/").status_code == 200
    personas.client("secretariat").post(
        reverse("accounts:user_password", args=[personas.focal_a.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert their_browser.get("/").status_code == 302


def test_locking_an_account_signs_the_person_out(personas: Personas) -> None:
    their_browser = personas.client("focal_b")
    personas.client("secretariat").post(
        reverse("accounts:user_edit", args=[personas.focal_b.pk]), {"full_name": "Phạm Văn Đầu Mối"}
    )
    assert their_browser.get("/").status_code == 302


def test_the_admin_role_cannot_be_limited_to_a_unit(personas: Personas) -> None:
    response = _grant(personas.client("admin"), personas.leader, Role.ADMIN, personas.unit_a)
    assert response.status_code == 400
    assert "toàn hệ thống" in _html(response)
    assert not RoleAssignment.objects.filter(user=personas.leader, role=Role.ADMIN).exists()
