"""Personal API tokens: expiry, revocation on password change, reset and lock, management by scope, last use."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from cchc.accounts.models import ApiToken, Role, RoleAssignment, User
from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditAction, AuditEntry
from cchc.organisations.models import Membership
from cchc.testing.personas import PASSWORD, Personas

NEW_PASSWORD = "Mat-khau-moi-hoan-toan-2026"


def api(key: str, path: str = "/api/me", method: str = "get", **kwargs: Any) -> Any:
    return getattr(Client(), method)(path, headers={"Authorization": f"Bearer {key}"}, **kwargs)


def token_for(user: User, name: str = "phần mềm một cửa") -> tuple[ApiToken, str]:
    return api_token_create(actor=user, user=user, name=name)


def revocations_of(token: ApiToken) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk), action=AuditAction.REVOKE)
    )


@pytest.fixture
def other_secretariat(personas: Personas) -> User:
    """The reform secretariat of the neighbouring province: none of the personas is in its scope."""
    user = User.objects.create_user("thuongtruc_q", password=PASSWORD, full_name="Đỗ Văn Tỉnh Bên")
    Membership.objects.create(user=user, unit=personas.other_province)
    RoleAssignment.objects.create(user=user, role=Role.SECRETARIAT, scope=personas.other_province)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# ---------------------------------------------------------------------------
# Revocation when the password changes or the account is locked


def test_a_token_stops_working_when_its_owner_changes_their_password(personas: Personas) -> None:
    token, key = token_for(personas.focal_a)
    assert api(key).status_code == 200
    response = personas.client("focal_a").post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api(key).status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    [entry] = revocations_of(token)
    assert entry.actor == personas.focal_a
    assert entry.reason == "Đổi mật khẩu"
    assert entry.unit == personas.unit_a


def test_a_token_stops_working_when_the_secretariat_sets_a_new_password(personas: Personas) -> None:
    _first, first_key = token_for(personas.focal_a, "một")
    second, second_key = token_for(personas.focal_a, "hai")
    response = personas.client("secretariat").post(
        reverse("accounts:user_password", args=[personas.focal_a.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "quên mật khẩu"},
    )
    assert response.status_code == 302
    assert api(first_key).status_code == 401
    assert api(second_key).status_code == 401
    assert not ApiToken.objects.filter(user=personas.focal_a).exists()
    [entry] = revocations_of(second)
    assert entry.actor == personas.secretariat
    assert entry.reason == "Đặt mật khẩu mới"
    assert AuditEntry.objects.filter(object_type="accounts.apitoken", action=AuditAction.REVOKE).count() == 2


def test_a_token_stops_working_when_its_owner_is_locked_and_does_not_come_back_on_unlock(personas: Personas) -> None:
    token, key = token_for(personas.focal_a)
    client = personas.client("secretariat")
    edit = reverse("accounts:user_edit", args=[personas.focal_a.pk])
    data = {"full_name": personas.focal_a.full_name, "reason": "nghỉ việc"}
    assert client.post(edit, data).status_code == 302  # is_active left unticked: locked
    assert api(key).status_code == 401
    [entry] = revocations_of(token)
    assert entry.reason == "Khóa tài khoản"
    assert client.post(edit, {**data, "is_active": "on"}).status_code == 302
    assert User.objects.get(pk=personas.focal_a.pk).is_active
    assert api(key).status_code == 401


def test_other_people_keep_their_tokens_when_someone_changes_a_password(personas: Personas) -> None:
    _token, key = token_for(personas.focal_b)
    token_for(personas.focal_a)
    personas.client("secretariat").post(
        reverse("accounts:user_password", args=[personas.focal_a.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert api(key).status_code == 200


# ---------------------------------------------------------------------------
# Expiry


def test_a_token_expires_after_the_configured_number_of_days_with_a_vietnamese_message(personas: Personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, key = token_for(personas.focal_a)
    assert token.expires_at == start + datetime.timedelta(days=90)
    with time_machine.travel(start + datetime.timedelta(days=89, hours=23), tick=False):
        assert api(key).status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=90, seconds=1), tick=False):
        response = api(key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert body["detail"].startswith("Mã truy cập đã hết hạn lúc")


def test_the_token_lifetime_follows_the_setting(personas: Personas, settings: Settings) -> None:
    settings.API_TOKEN_DAYS = 7
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, _key = token_for(personas.focal_a)
    assert token.expires_at == start + datetime.timedelta(days=7)


def test_creating_a_token_on_the_profile_page_shows_when_it_expires(personas: Personas) -> None:
    client = personas.client("focal_a")
    response = client.post(reverse("accounts:token_create"), {"name": "báo cáo"}, follow=True)
    token = ApiToken.objects.get(user=personas.focal_a)
    expiry = timezone.localtime(token.expires_at).strftime("%d/%m/%Y %H:%M")
    html = response.content.decode()
    assert f"hết hạn lúc {expiry}" in html
    assert "Hết hạn lúc" in html  # the column of the list
    assert "Mỗi mã có hiệu lực 90 ngày" in html


def test_an_expired_token_is_marked_on_the_profile_page(personas: Personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token_for(personas.focal_a)
    with time_machine.travel(start + datetime.timedelta(days=91), tick=False):
        html = personas.client("focal_a").get(reverse("accounts:profile")).content.decode()
    assert "Đã hết hạn" in html


# ---------------------------------------------------------------------------
# One's own tokens: revoking asks for confirmation


def test_revoking_ones_own_token_asks_for_confirmation_first(personas: Personas) -> None:
    token, key = token_for(personas.focal_a)
    client = personas.client("focal_a")
    profile = client.get(reverse("accounts:profile")).content.decode()
    confirm_url = reverse("accounts:token_revoke", args=[token.pk])
    assert f'href="{confirm_url}"' in profile
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "Xác nhận thu hồi" in page.content.decode()
    assert api(key).status_code == 200  # nothing revoked by looking
    response = client.post(confirm_url, {"reason": "máy bị mất"})
    assert response.status_code == 302
    assert api(key).status_code == 401
    [entry] = revocations_of(token)
    assert entry.reason == "máy bị mất"
    assert entry.actor == personas.focal_a


# ---------------------------------------------------------------------------
# Other people's tokens: administrators and the secretariat, within their scope


def test_the_user_page_links_to_the_persons_tokens(personas: Personas) -> None:
    token_for(personas.focal_a)
    html = personas.client("secretariat").get(reverse("accounts:user_detail", args=[personas.focal_a.pk])).content
    assert reverse("accounts:user_tokens", args=[personas.focal_a.pk]) in html.decode()


@pytest.mark.parametrize("persona", ["admin", "secretariat"])
def test_administrators_and_the_secretariat_list_and_revoke_tokens_in_their_scope(
    personas: Personas, persona: str
) -> None:
    token, key = token_for(personas.focal_a, "kết nối một cửa")
    client = personas.client(persona)
    page = client.get(reverse("accounts:user_tokens", args=[personas.focal_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "kết nối một cửa" in html
    assert timezone.localtime(token.expires_at).strftime("%d/%m/%Y %H:%M") in html
    confirm_url = reverse("accounts:user_token_revoke", args=[personas.focal_a.pk, token.pk])
    assert f'href="{confirm_url}"' in html
    assert "Xác nhận thu hồi" in client.get(confirm_url).content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()
    response = client.post(confirm_url, {"reason": "nghi bị lộ"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_tokens", args=[personas.focal_a.pk])
    assert api(key).status_code == 401
    [entry] = revocations_of(token)
    assert entry.actor == getattr(personas, persona)
    assert entry.reason == "nghi bị lộ"
    assert entry.unit == personas.unit_a


def test_a_secretariat_of_another_province_can_neither_see_nor_revoke_the_tokens(
    personas: Personas, other_secretariat: User
) -> None:
    token, key = token_for(personas.focal_a)
    client = signed_in(other_secretariat)
    assert client.get(reverse("accounts:user_tokens", args=[personas.focal_a.pk])).status_code == 404
    confirm_url = reverse("accounts:user_token_revoke", args=[personas.focal_a.pk, token.pk])
    assert client.get(confirm_url).status_code == 404
    assert client.post(confirm_url, {"reason": "x"}).status_code == 404
    assert api(key).status_code == 200


@pytest.mark.parametrize("persona", ["leader", "focal_a", "focal_b", "appraiser", "supervisor"])
def test_people_without_a_management_role_cannot_see_other_peoples_tokens(personas: Personas, persona: str) -> None:
    token, _key = token_for(personas.focal_a)
    client = personas.client(persona)
    assert client.get(reverse("accounts:user_tokens", args=[personas.focal_a.pk])).status_code == 403
    url = reverse("accounts:user_token_revoke", args=[personas.focal_a.pk, token.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_secretariat_sees_but_cannot_revoke_the_tokens_of_an_administrator(personas: Personas) -> None:
    token, _key = token_for(personas.admin)
    client = personas.client("secretariat")
    page = client.get(reverse("accounts:user_tokens", args=[personas.admin.pk]))
    assert page.status_code == 200
    assert reverse("accounts:user_token_revoke", args=[personas.admin.pk, token.pk]) not in page.content.decode()
    url = reverse("accounts:user_token_revoke", args=[personas.admin.pk, token.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_token_id_of_another_person_is_not_found_on_a_persons_page(personas: Personas) -> None:
    token, _key = token_for(personas.focal_b)
    url = reverse("accounts:user_token_revoke", args=[personas.focal_a.pk, token.pk])
    assert personas.client("secretariat").post(url, {"reason": "x"}).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


# ---------------------------------------------------------------------------
# The same through the API


def test_the_api_lists_and_revokes_ones_own_tokens(personas: Personas) -> None:
    _token, key = token_for(personas.focal_a, "một")
    other, _other_key = token_for(personas.focal_a, "hai")
    response = api(key, "/api/me/tokens")
    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == ["hai", "một"]
    assert rows[0]["expires_at"] and rows[0]["is_expired"] is False
    revoke = api(key, f"/api/me/tokens/{other.pk}/revoke", method="post")
    assert revoke.status_code == 204
    assert not ApiToken.objects.filter(pk=other.pk).exists()
    assert len(revocations_of(other)) == 1
    assert api(key, f"/api/me/tokens/{other.pk}/revoke", method="post").status_code == 404


def test_the_api_lets_the_secretariat_list_and_revoke_tokens_in_its_scope(personas: Personas) -> None:
    target, target_key = token_for(personas.focal_a)
    _own, key = token_for(personas.secretariat)
    listing = api(key, f"/api/users/{personas.focal_a.pk}/tokens")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()] == [target.pk]
    response = api(
        key,
        f"/api/users/{personas.focal_a.pk}/tokens/{target.pk}/revoke",
        method="post",
        data={"reason": "nghi bị lộ"},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert api(target_key).status_code == 401
    [entry] = revocations_of(target)
    assert (entry.actor, entry.reason) == (personas.secretariat, "nghi bị lộ")


def test_the_api_hides_tokens_outside_the_callers_scope(personas: Personas, other_secretariat: User) -> None:
    target, _target_key = token_for(personas.focal_a)
    _own, key = token_for(other_secretariat)
    assert api(key, f"/api/users/{personas.focal_a.pk}/tokens").status_code == 404
    revoke = api(
        key,
        f"/api/users/{personas.focal_a.pk}/tokens/{target.pk}/revoke",
        method="post",
        data={"reason": ""},
        content_type="application/json",
    )
    assert revoke.status_code == 404
    _focal_own, focal_key = token_for(personas.focal_b)
    forbidden = api(focal_key, f"/api/users/{personas.focal_a.pk}/tokens")
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "forbidden"
    assert ApiToken.objects.filter(pk=target.pk).exists()


def test_the_api_refuses_unknown_fields_when_revoking(personas: Personas) -> None:
    target, _target_key = token_for(personas.focal_a)
    _own, key = token_for(personas.secretariat)
    response = api(
        key,
        f"/api/users/{personas.focal_a.pk}/tokens/{target.pk}/revoke",
        method="post",
        data={"reasno": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert ApiToken.objects.filter(pk=target.pk).exists()


# ---------------------------------------------------------------------------
# Last use is written at most once a minute


def _token_updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "accounts_apitoken"')]


def test_last_use_is_written_at_most_once_a_minute(personas: Personas) -> None:
    token, key = token_for(personas.focal_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as first:
            assert api(key).status_code == 200
        assert len(_token_updates(first)) == 1
        with CaptureQueriesContext(connection) as again:
            for _request in range(5):
                assert api(key).status_code == 200
        assert _token_updates(again) == []
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        api(key)
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api(key)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_revoke_api_tokens_command_revokes_every_token_of_the_person(personas: Personas) -> None:
    token, key = token_for(personas.focal_a)
    _other, other_key = token_for(personas.focal_b)
    out = io.StringIO()
    call_command("revoke_api_tokens", "daumoi_a", "--reason", "đổi mật khẩu trên máy chủ", stdout=out)
    assert "Đã thu hồi 1 mã truy cập" in out.getvalue()
    assert api(key).status_code == 401
    assert api(other_key).status_code == 200
    [entry] = revocations_of(token)
    assert entry.actor is None
    assert entry.reason == "đổi mật khẩu trên máy chủ"
    with pytest.raises(CommandError):
        call_command("revoke_api_tokens", "khong_ton_tai")
