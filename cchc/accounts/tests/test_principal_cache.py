"""The signed-in person's roles and units come from the cache, and every change to them counts from the next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts.models import Role, RoleAssignment
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
    assert len(_reads_of("accounts_user", queries)) >= 1  # the user themselves: still read on every request


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
