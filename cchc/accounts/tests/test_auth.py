"""Signing in and out, throttling, sessions, CSRF, language and personal API tokens, through HTTP."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import ApiToken, User
from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditAction, AuditEntry
from cchc.testing.personas import PASSWORD, Personas

LOGIN = "/accounts/login/"
LOCKED_MESSAGE = "Tạm khóa đăng nhập"
WRONG_PASSWORD_MESSAGE = "Tên đăng nhập hoặc mật khẩu không đúng"


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> object:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_login_page_is_in_vietnamese_by_default(db: None) -> None:
    response = Client().get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html


def test_signing_in_with_the_right_password_lands_on_the_home_page(personas: Personas) -> None:
    client = Client()
    response = _login(client, "daumoi_a", PASSWORD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("dashboards:home")  # type: ignore[index]
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_a_wrong_password_shows_a_vietnamese_message_and_does_not_sign_in(personas: Personas) -> None:
    client = Client()
    response = _login(client, "daumoi_a", "sai-mat-khau")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()  # type: ignore[attr-defined]
    assert "_auth_user_id" not in client.session


def test_a_locked_account_cannot_sign_in(personas: Personas) -> None:
    User.objects.filter(pk=personas.focal_a.pk).update(is_active=False)
    client = Client()
    response = _login(client, "daumoi_a", PASSWORD)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "_auth_user_id" not in client.session


def test_five_failures_for_one_account_lock_it_even_against_the_right_password(personas: Personas) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for attempt in range(4):
        # Each failure from a different address: the lock comes from the account, not the address.
        response = _login(client, "daumoi_a", "sai-mat-khau", ip=f"10.0.1.{attempt}")
        assert response.status_code == 200  # type: ignore[attr-defined]
    _login(client, "daumoi_a", "sai-mat-khau", ip="10.0.1.4")
    response = _login(client, "daumoi_a", PASSWORD, ip="10.0.1.5")
    assert response.status_code == 429  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert LOCKED_MESSAGE in html
    assert "15 phút" in html
    assert "_auth_user_id" not in client.session
    # Another account from another address is not affected.
    assert _login(Client(), "daumoi_b", PASSWORD, ip="10.0.2.1").status_code == 302  # type: ignore[attr-defined]


def test_failures_from_one_address_across_accounts_lock_that_address_at_its_own_limit(personas: Personas) -> None:
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit == 20
    client = Client()
    # Spraying: never more than two guesses per account, so no account reaches its own limit.
    for attempt in range(limit):
        _login(client, f"nguoi_{attempt // 2}", "sai-mat-khau", ip="10.0.3.3")
    response = _login(client, "thamdinh", PASSWORD, ip="10.0.3.3")
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert LOCKED_MESSAGE in response.content.decode()  # type: ignore[attr-defined]
    # The same account signs in from a different address.
    assert _login(Client(), "thamdinh", PASSWORD, ip="10.0.3.4").status_code == 302  # type: ignore[attr-defined]


def test_an_address_below_its_limit_still_signs_people_in(personas: Personas) -> None:
    client = Client()
    for username in ("daumoi_a", "daumoi_b", "lanhdao", "giamsat", "khong_ton_tai"):
        _login(client, username, "sai-mat-khau", ip="10.0.3.5")
    assert _login(Client(), "thamdinh", PASSWORD, ip="10.0.3.5").status_code == 302  # type: ignore[attr-defined]


def test_a_success_on_another_account_does_not_clear_the_failures_of_the_first(personas: Personas) -> None:
    """Four wrong guesses at one account, then a correct login to another, from the same address, repeated."""
    address = "10.0.6.6"
    for _round in range(4):
        for _guess in range(4):
            _login(Client(), "daumoi_a", "sai-mat-khau", ip=address)
        assert _login(Client(), "daumoi_b", PASSWORD, ip=address).status_code == 302  # type: ignore[attr-defined]
    # The first account locked at its fifth failure, from that address and from any other.
    for ip in (address, "10.0.6.7"):
        response = _login(Client(), "daumoi_a", PASSWORD, ip=ip)
        assert response.status_code == 429  # type: ignore[attr-defined]
        assert LOCKED_MESSAGE in response.content.decode()  # type: ignore[attr-defined]


def test_the_account_locks_at_the_fifth_failure_even_with_successes_of_others_in_between(personas: Personas) -> None:
    address = "10.0.6.8"
    for _guess in range(4):
        _login(Client(), "daumoi_a", "sai-mat-khau", ip=address)
    assert _login(Client(), "daumoi_b", PASSWORD, ip=address).status_code == 302  # type: ignore[attr-defined]
    assert _login(Client(), "daumoi_a", PASSWORD, ip=address).status_code == 302  # type: ignore[attr-defined]
    # That success cleared the account's own failures: four more are allowed, the fifth locks.
    for _guess in range(4):
        assert _login(Client(), "daumoi_a", "sai-mat-khau", ip=address).status_code == 200  # type: ignore[attr-defined]
    _login(Client(), "daumoi_a", "sai-mat-khau", ip=address)
    assert _login(Client(), "daumoi_a", PASSWORD, ip=address).status_code == 429  # type: ignore[attr-defined]
    # The other account, which only ever succeeded, is not affected.
    assert _login(Client(), "daumoi_b", PASSWORD, ip="10.0.6.9").status_code == 302  # type: ignore[attr-defined]


def test_the_locked_page_is_in_vietnamese(personas: Personas) -> None:
    for _guess in range(5):
        _login(Client(), "daumoi_a", "sai-mat-khau", ip="10.0.7.1")
    response = _login(Client(), "daumoi_a", PASSWORD, ip="10.0.7.1")
    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert '<html lang="vi">' in html
    assert "Bạn đã nhập sai mật khẩu quá nhiều lần" in html


def test_a_successful_login_clears_earlier_failures_of_the_account(personas: Personas) -> None:
    client = Client()
    for attempt in range(4):
        _login(client, "daumoi_a", "sai-mat-khau", ip=f"10.0.4.{attempt}")
    assert _login(Client(), "daumoi_a", PASSWORD, ip="10.0.4.9").status_code == 302  # type: ignore[attr-defined]
    for attempt in range(4):
        _login(Client(), "daumoi_a", "sai-mat-khau", ip=f"10.0.5.{attempt}")
    assert _login(Client(), "daumoi_a", PASSWORD, ip="10.0.5.9").status_code == 302  # type: ignore[attr-defined]


def test_failures_older_than_the_cool_off_count_for_nothing_and_the_next_failure_sweeps_them(
    personas: Personas,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for attempt in range(5):
            _login(Client(), "daumoi_a", "sai-mat-khau", ip=f"10.0.9.{attempt}")
        assert _login(Client(), "daumoi_a", PASSWORD, ip="10.0.9.9").status_code == 429  # type: ignore[attr-defined]
    cooled_off = start + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(cooled_off, tick=False):
        assert _login(Client(), "daumoi_a", PASSWORD, ip="10.0.9.9").status_code == 302  # type: ignore[attr-defined]
        # The next failure, of anybody, sweeps the expired ones: four new failures do not lock the account.
        for attempt in range(4):
            answer = _login(Client(), "daumoi_a", "sai-mat-khau", ip=f"10.0.9.{attempt}")
            assert answer.status_code == 200  # type: ignore[attr-defined]
        assert AccessAttempt.objects.filter(username="daumoi_a", attempt_time__lt=cooled_off).count() == 0
        assert _login(Client(), "daumoi_a", PASSWORD, ip="10.0.9.9").status_code == 302  # type: ignore[attr-defined]
    assert not AccessAttempt.objects.filter(username="daumoi_a").exists()


def test_the_session_cookie_ends_with_the_browser(personas: Personas) -> None:
    client = Client()
    _login(client, "daumoi_a", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]


def test_an_idle_session_expires_and_sends_the_user_back_to_the_login_page(personas: Personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client()
        _login(client, "daumoi_a", PASSWORD)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60), tick=False):
        assert client.get("/").status_code == 200  # activity keeps the session alive
    later = start + datetime.timedelta(seconds=2 * settings.SESSION_COOKIE_AGE)
    with time_machine.travel(later, tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_refuses_get(personas: Personas) -> None:
    client = personas.client("focal_a")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/").status_code == 200


def test_logout_by_post_ends_the_session(personas: Personas) -> None:
    client = personas.client("focal_a")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get("/").status_code == 302


def test_changing_ones_password_works_and_is_audited_without_the_password(personas: Personas) -> None:
    client = personas.client("focal_a")
    new_password = "Mat-khau-moi-cua-toi-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # still signed in
    user = User.objects.get(pk=personas.focal_a.pk)
    assert user.check_password(new_password)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD, object_id=str(user.pk))
    assert entry.actor == user
    assert entry.changes == {}
    assert new_password not in str(entry.changes) + entry.reason + entry.object_repr
    assert _login(Client(), "daumoi_a", new_password).status_code == 302  # type: ignore[attr-defined]


def test_a_wrong_old_password_changes_nothing(personas: Personas) -> None:
    client = personas.client("focal_a")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "khong-dung", "new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=personas.focal_a.pk).check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action=AuditAction.PASSWORD).exists()


def test_the_password_change_page_needs_a_login(db: None) -> None:
    response = Client().get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_post_without_csrf_token_is_refused(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "daumoi_a", "password": PASSWORD}).status_code == 403
    client.force_login(personas.secretariat, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("accounts:user_create"), {"username": "ai_do", "full_name": "Ai Đó"})
    assert response.status_code == 403
    assert not User.objects.filter(username="ai_do").exists()
    assert client.post(reverse("accounts:logout")).status_code == 403


def test_a_post_with_the_page_csrf_token_is_accepted(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(LOGIN, {"username": "daumoi_a", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_english_switch_changes_the_page_language(db: None) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(LOGIN).content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": LOGIN})
    assert '<html lang="vi">' in client.get(LOGIN).content.decode()


# ---------------------------------------------------------------------------
# Personal API tokens on the profile page


def test_the_profile_page_needs_a_login(db: None) -> None:
    assert Client().get(reverse("accounts:profile")).status_code == 302


@pytest.mark.parametrize("persona", ["admin", "secretariat", "leader", "focal_a", "appraiser", "supervisor"])
def test_every_signed_in_persona_sees_their_own_profile(personas: Personas, persona: str) -> None:
    response = personas.client(persona).get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert getattr(personas, persona).username in response.content.decode()


def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(personas: Personas) -> None:
    client = personas.client("focal_a")
    response = client.post(reverse("accounts:token_create"), {"name": "Phần mềm một cửa"}, follow=True)
    html = response.content.decode()
    token = ApiToken.objects.get(user=personas.focal_a)
    assert token.name == "Phần mềm một cửa"
    keys = set(re.findall(r"cchc_[A-Za-z0-9_-]{40,}", html))
    assert len(keys) == 1
    key = keys.pop()
    assert key.startswith("cchc_" + token.prefix)
    assert token.key_hash != key
    api = client.get("/api/units/", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    assert AuditEntry.objects.filter(object_type="accounts.apitoken", action=AuditAction.CREATE).count() == 1


def test_token_creation_refuses_get_and_empty_names(personas: Personas) -> None:
    client = personas.client("focal_a")
    assert client.get(reverse("accounts:token_create")).status_code == 405
    response = client.post(reverse("accounts:token_create"), {"name": ""}, follow=True)
    assert "Tên mã truy cập không hợp lệ" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token(personas: Personas) -> None:
    token, key = api_token_create(actor=personas.focal_a, user=personas.focal_a, name="thử")
    client = personas.client("focal_a")
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert client.get("/api/units/", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_nobody_can_revoke_someone_elses_token(personas: Personas) -> None:
    token, _key = api_token_create(actor=personas.secretariat, user=personas.secretariat, name="báo cáo")
    for persona in ("focal_a", "admin"):
        response = personas.client(persona).post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_profile_lists_only_ones_own_tokens(personas: Personas) -> None:
    api_token_create(actor=personas.secretariat, user=personas.secretariat, name="bí mật của thường trực")
    api_token_create(actor=personas.focal_a, user=personas.focal_a, name="của đầu mối")
    html = personas.client("focal_a").get(reverse("accounts:profile")).content.decode()
    assert "của đầu mối" in html
    assert "bí mật của thường trực" not in html
