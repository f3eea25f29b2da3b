"""The signed-in person's roles and units come from the cache, and every change to them counts from the next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import HASH_SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts import roles
from cchc.accounts.models import Role, RoleAssignment, User
from cchc.lib import page_cache
from cchc.organisations.models import Membership
from cchc.testing.personas import PASSWORD, Personas


def _reads_of(table: str, queries: CaptureQueriesContext) -> list[str]:
    found = [q["sql"] for q in queries.captured_queries]
    return [sql for sql in found if sql.startswith("SELECT") and f'FROM "{table}"' in sql]


@contextmanager
def _written_by_another_process() -> Iterator[None]:
    """Writes that this process does not see go by (another server's), as they reach the database: the rows, then
    the stored version of their app once committed."""
    connection.ensure_connection()
    watchers = list(connection.execute_wrappers)
    connection.execute_wrappers.clear()
    try:
        yield
    finally:
        connection.execute_wrappers[:] = watchers


def test_a_signed_in_page_reads_the_roles_and_units_once_then_from_the_cache(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert client.get(reverse("accounts:user_list")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:user_list")).status_code == 200
    own = f'"accounts_roleassignment"."user_id" = {personas.secretariat.pk}'
    assert not [sql for sql in _reads_of("accounts_roleassignment", queries) if own in sql]
    assert len(_reads_of("cchc_lib_dataversion", queries)) == 1


def test_a_revoked_role_takes_effect_at_the_next_request(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert client.get(reverse("accounts:user_list")).status_code == 200
    RoleAssignment.objects.filter(user=personas.secretariat, role=Role.SECRETARIAT).delete()
    assert client.get(reverse("accounts:user_list")).status_code == 403


def test_a_granted_role_takes_effect_at_the_next_request(personas: Personas) -> None:
    client = personas.client("focal_a")
    assert client.get(reverse("accounts:user_list")).status_code == 403
    RoleAssignment.objects.create(user=personas.focal_a, role=Role.SECRETARIAT, scope=personas.province)
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_a_locked_account_is_signed_out_at_the_next_request(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert client.get(reverse("accounts:user_list")).status_code == 200
    personas.secretariat.is_active = False
    personas.secretariat.save(update_fields=["is_active"])
    answer = client.get(reverse("accounts:user_list"))
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_a_role_revoked_by_another_server_takes_effect_once_its_version_is_stored(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert client.get(reverse("accounts:user_list")).status_code == 200
    with _written_by_another_process():
        RoleAssignment.objects.filter(user=personas.secretariat, role=Role.SECRETARIAT).delete()
    # Not yet committed elsewhere: this server still works from the roles it read (the cache is really used) …
    assert client.get(reverse("accounts:user_list")).status_code == 200
    with _written_by_another_process():
        page_cache._bump_stored(["accounts"], "default")  # … the other server's commit moves the stored version
    assert client.get(reverse("accounts:user_list")).status_code == 403


def test_the_units_one_works_in_follow_a_change_of_membership_at_the_next_request(personas: Personas) -> None:
    client = personas.client("focal_a")
    before = client.get(reverse("dashboards:home")).content.decode()
    assert personas.unit_a.name in before and personas.unit_b.name not in before
    Membership.objects.filter(user=personas.focal_a).update(unit=personas.unit_b)
    after = client.get(reverse("dashboards:home")).content.decode()
    assert personas.unit_b.name in after


def test_two_people_never_share_their_roles(personas: Personas) -> None:
    secretariat, focal = personas.client("secretariat"), personas.client("focal_a")
    for _round in range(2):
        assert secretariat.get(reverse("accounts:user_list")).status_code == 200
        assert focal.get(reverse("accounts:user_list")).status_code == 403


def test_someone_elses_sign_in_keeps_ones_cached_roles_and_sections_and_a_role_change_still_reaches_them(
    personas: Personas,
) -> None:
    client = personas.client("secretariat")
    for _page in range(2):
        assert client.get(reverse("dashboards:home")).status_code == 200
    with CaptureQueriesContext(connection) as cached:
        assert client.get(reverse("dashboards:home")).status_code == 200
    # A rush of sign-ins of other people, through the login page: each writes its time of sign-in.
    for username in ("daumoi_a", "daumoi_b", "lanhdao"):
        answer = Client().post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
        assert answer.status_code == 302
    with CaptureQueriesContext(connection) as after_sign_ins:
        assert client.get(reverse("dashboards:home")).status_code == 200
    # The roles, the units one works in and their people still come from the cache: the page costs what it did.
    assert [q["sql"] for q in after_sign_ins.captured_queries] == [q["sql"] for q in cached.captured_queries]
    assert not _reads_of("accounts_roleassignment", after_sign_ins)
    assert not _reads_of("organisations_membership", after_sign_ins)
    RoleAssignment.objects.filter(user=personas.secretariat, role=Role.SECRETARIAT).delete()
    with CaptureQueriesContext(connection) as after_revoke:
        assert client.get(reverse("accounts:user_list")).status_code == 403
    assert _reads_of("accounts_roleassignment", after_revoke)


def _reads_of_person(user: User, queries: CaptureQueriesContext) -> list[str]:
    return [sql for sql in _reads_of("accounts_user", queries) if f'"accounts_user"."id" = {user.pk}' in sql]


def test_a_signed_in_page_reads_the_person_from_the_cache_not_the_database(personas: Personas) -> None:
    client = personas.client("secretariat")
    for _page in range(2):
        assert client.get(reverse("dashboards:home")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(reverse("dashboards:home"))
    assert answer.status_code == 200 and answer.wsgi_request.user == personas.secretariat
    assert not _reads_of_person(personas.secretariat, queries)
    # The session and the versions of the data: the person, their roles and units, the board, from the cache.
    assert [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries] == [
        '"django_session"',
        '"cchc_lib_dataversion"',
    ]


def test_a_locked_account_is_signed_out_at_the_next_request_although_its_row_was_cached(personas: Personas) -> None:
    client = personas.client("secretariat")
    assert client.get(reverse("accounts:user_list")).status_code == 200
    with _written_by_another_process():
        User.objects.filter(pk=personas.secretariat.pk).update(is_active=False)
    # Another server locks the account: once its commit has moved the version, this server reads the row again.
    with _written_by_another_process():
        page_cache._bump_stored(["accounts"], "default")
    answer = client.get(reverse("accounts:user_list"))
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_a_changed_password_signs_out_the_persons_other_sessions_and_keeps_the_one_that_changed_it(
    personas: Personas,
) -> None:
    here, elsewhere = personas.client("focal_a"), personas.client("focal_a")
    for client in (here, elsewhere):
        assert client.get(reverse("accounts:profile")).status_code == 200
    new_password = "Mat-khau-moi-cua-toi-2026"
    answer = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert answer.status_code == 302
    assert here.get(reverse("accounts:profile")).status_code == 200
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    assert User.objects.get(pk=personas.focal_a.pk).check_password(new_password)


def test_a_password_set_by_the_secretariat_signs_the_person_out_at_their_next_request(personas: Personas) -> None:
    client = personas.client("focal_a")
    assert client.get(reverse("accounts:profile")).status_code == 200
    person = User.objects.get(pk=personas.focal_a.pk)
    person.set_password("Mat-khau-do-van-phong-dat-2026")
    person.save()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_session_whose_hash_is_not_the_persons_is_refused_even_with_the_person_cached(personas: Personas) -> None:
    client = personas.client("focal_a")
    assert client.get(reverse("accounts:profile")).status_code == 200
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_the_cached_person_holds_no_password_hash_and_their_own_save_keeps_their_last_sign_in(
    personas: Personas,
) -> None:
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": "daumoi_a", "password": PASSWORD}).status_code == 302
    signed_in_at = User.objects.get(pk=personas.focal_a.pk).last_login
    assert signed_in_at is not None
    answer = client.get(reverse("accounts:profile"))
    assert answer.status_code == 200
    stored = cache.get(roles._principal_key(personas.focal_a.pk))
    password_hash = User.objects.get(pk=personas.focal_a.pk).password
    assert stored is not None and password_hash not in repr(stored[0].__dict__) + repr(stored[1:])
    # The request's person, from the cache, saved whole: the columns it was read without are left as stored.
    person = answer.wsgi_request.user
    assert isinstance(person, User)
    person.full_name = "Đầu Mối Đổi Tên"
    person.save()
    saved = User.objects.get(pk=personas.focal_a.pk)
    assert (saved.full_name, saved.last_login, saved.password) == ("Đầu Mối Đổi Tên", signed_in_at, password_hash)
