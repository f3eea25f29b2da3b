"""The read-heavy pages against a real PostgreSQL primary and streaming replica on loopback.

A throwaway primary gets a copy of the test database, a replica is made from it with ``pg_basebackup -R``, and for
this module Django's ``default`` alias points at the primary and ``replica`` at the replica. Pausing the replica's
replay (``pg_wal_replay_pause()``) keeps it at an older state, which shows which database a page has read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from cchc.lib.replica import PRIMARY, REPLICA, WRITE_COOKIE, forget_replica_health, use_replica
from cchc.organisations.forms import UnitForm
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas, load_personas
from cchc.testing.postgres_clusters import DATABASE, StreamingPair, copy_database, unavailable_reason

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the read replica is tested on the PostgreSQL step only (DATABASE_URL=postgres://…): its primary "
        "starts as a copy of the PostgreSQL test database",
    ),
]


@pytest.fixture
def db(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Database access without a test transaction: what these tests write must be committed to reach the replica.

    Named ``db`` so that pytest-django still creates the test database these tests copy; they write only to the
    throwaway primary, never to it.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def streaming_pair(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[StreamingPair]:
    """A primary holding a copy of the test database, and a replica streaming from it (for the whole run)."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"no PostgreSQL primary and replica can be started here: {reason}")
    source = dict(connections[PRIMARY].settings_dict)
    pair = StreamingPair.create(load=lambda primary: copy_database(source, primary))
    yield pair
    pair.destroy()


@pytest.fixture(scope="module")
def throwaway_primary(
    streaming_pair: StreamingPair, django_db_blocker: DjangoDbBlocker
) -> Iterator[BaseDatabaseWrapper]:
    """A connection to the throwaway primary, made to stand in for ``default`` during each test of this module."""
    default = connections[PRIMARY]
    settings_dict = {**default.settings_dict, "HOST": "127.0.0.1", "PORT": streaming_pair.primary.port}
    settings_dict.update(NAME=DATABASE, USER="postgres", PASSWORD="")
    primary = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, PRIMARY)
    yield primary
    with django_db_blocker.unblock():
        primary.close()


@pytest.fixture
def pair(
    db: None, streaming_pair: StreamingPair, throwaway_primary: BaseDatabaseWrapper, settings: Settings
) -> Iterator[StreamingPair]:
    """Each test: ``default`` is the throwaway primary (outside the test database's transaction, so what a test
    writes is committed and streams to the replica), ``replica`` its replica, checked before every read-heavy page,
    any delay allowed."""
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600
    test_database = connections[PRIMARY]
    configured_replica = connections.settings.get(REPLICA)
    if configured_replica is not None:  # DATABASE_REPLICA_URL is set: its mirror of the test database makes way
        connections[REPLICA].close()
        del connections[REPLICA]
    connections[PRIMARY] = throwaway_primary
    connections.settings[REPLICA] = {
        **throwaway_primary.settings_dict,
        "PORT": streaming_pair.replica.port,
        "OPTIONS": {"connect_timeout": 2},
    }
    forget_replica_health()
    try:
        streaming_pair.wait_replayed()
        yield streaming_pair
    finally:
        forget_replica_health()
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        if configured_replica is not None:
            connections.settings[REPLICA] = configured_replica
        connections[PRIMARY] = test_database


@pytest.fixture
def people(pair: StreamingPair) -> Personas:
    found = load_personas()
    assert found is not None, "the copied test database holds the shared personas"
    return found


def _unique_name(unit: Unit) -> str:
    """The unit's name with a new mark, so that no two names a test compares contain one another."""
    return f"{unit.name.split(' #')[0]} #{uuid.uuid4().hex[:8]}"


def _rename_on_the_primary(unit: Unit) -> str:
    new_name = _unique_name(unit)
    Unit.objects.filter(pk=unit.pk).update(name=new_name)
    return new_name


def _renamed_everywhere(pair: StreamingPair, unit: Unit) -> str:
    name = _rename_on_the_primary(unit)
    pair.wait_replayed()
    return name


def test_a_dashboard_shows_the_replica_while_an_ordinary_page_shows_the_primary(
    pair: StreamingPair, people: Personas
) -> None:
    client = people.client("focal_a")
    old_name = _renamed_everywhere(pair, people.unit_a)
    pair.pause_replay()
    try:
        new_name = _rename_on_the_primary(people.unit_a)
        pair.wait_received()

        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            dashboard = client.get(reverse("dashboards:home")).content.decode()
        replica_reads = len(on_replica.captured_queries)
        unit_page = client.get(reverse("organisations:unit_detail", args=[people.unit_a.pk])).content.decode()
    finally:
        pair.resume_replay()

    # The board's own sections come from the replica; the reader's roles and the units they cover are read on the
    # primary (a role taken away counts at once, on every page), so the line naming the roles' scope is the primary's.
    work_card = dashboard.split("Đơn vị công tác", 1)[1]
    assert old_name in work_card and new_name not in work_card
    assert new_name in unit_page
    assert replica_reads > 1


def test_the_public_page_reads_only_from_the_replica(pair: StreamingPair) -> None:
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        page = Client().get(reverse("dashboards:public"))

    assert page.status_code == 200
    assert len(on_replica.captured_queries) > 1
    assert on_primary.captured_queries == []


def test_a_person_who_has_just_saved_a_change_sees_it_on_the_dashboard_at_once(
    pair: StreamingPair, people: Personas, settings: Settings
) -> None:
    writer = people.client("secretariat")
    unit = people.home_affairs
    old_name = _renamed_everywhere(pair, unit)
    new_name = _unique_name(unit)
    initial = UnitForm.initial_for(Unit.objects.get(pk=unit.pk))
    form = {key: "" if value is None else str(value) for key, value in initial.items()}
    pair.pause_replay()
    try:
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            saved = writer.post(
                reverse("organisations:unit_edit", args=[unit.pk]), {**form, "name": new_name, "reason": "Đổi tên"}
            )
        pair.wait_received()
        writers_dashboard = writer.get(reverse("dashboards:home")).content.decode()
        others_dashboard = people.client("secretariat").get(reverse("dashboards:home")).content.decode()
        writer.cookies[WRITE_COOKIE] = str(int(time.time()) - settings.DATABASE_REPLICA_STICKY_SECONDS - 1)
        writers_dashboard_later = writer.get(reverse("dashboards:home")).content.decode()
    finally:
        pair.resume_replay()

    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert WRITE_COOKIE in saved.cookies
    assert on_replica.captured_queries == []
    assert new_name in writers_dashboard and old_name not in writers_dashboard
    assert old_name in others_dashboard and new_name not in others_dashboard
    assert old_name in writers_dashboard_later


def test_a_replica_further_behind_than_allowed_leaves_the_dashboard_on_the_primary(
    pair: StreamingPair, people: Personas, settings: Settings
) -> None:
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0
    client = people.client("focal_a")
    pair.pause_replay()
    try:
        new_name = _rename_on_the_primary(people.unit_a)
        pair.wait_received()
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            dashboard = client.get(reverse("dashboards:home")).content.decode()
    finally:
        pair.resume_replay()

    assert new_name in dashboard
    assert len(on_replica.captured_queries) == 1  # the delay check, nothing else


def test_the_dashboard_answers_from_the_primary_while_the_replica_is_down(
    pair: StreamingPair, people: Personas
) -> None:
    client = people.client("focal_a")
    client.get(reverse("dashboards:home"))  # leaves a connection to the replica open, as a server process would
    pair.replica.stop()
    try:
        new_name = _rename_on_the_primary(people.unit_a)
        started = time.monotonic()
        dashboard = client.get(reverse("dashboards:home"))
        took = time.monotonic() - started
    finally:
        pair.replica.start()
        pair.wait_streaming()

    assert dashboard.status_code == 200
    assert new_name in dashboard.content.decode()
    assert took < 5


def test_a_replica_that_stops_between_two_checks_costs_the_dashboard_nothing_but_a_second_run(
    pair: StreamingPair, people: Personas, settings: Settings
) -> None:
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
    client = people.client("focal_a")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        client.get(reverse("dashboards:home"))  # checked now, and trusted for an hour
    assert len(on_replica.captured_queries) > 1
    pair.replica.stop()
    try:
        new_name = _rename_on_the_primary(people.unit_a)
        dashboard = client.get(reverse("dashboards:home"))
    finally:
        pair.replica.start()
        pair.wait_streaming()

    assert dashboard.status_code == 200
    assert new_name in dashboard.content.decode()


def test_writes_in_a_read_heavy_block_go_to_the_primary_and_the_reads_after_them_too(
    pair: StreamingPair, people: Personas
) -> None:
    unit = people.unit_b
    pair.pause_replay()
    try:
        with use_replica(), CaptureQueriesContext(connections[REPLICA]) as on_replica:
            before = Unit.objects.get(pk=unit.pk).name
            new_name = f"{before.split(' #')[0]} #{uuid.uuid4().hex[:6]}"
            Unit.objects.filter(pk=unit.pk).update(name=new_name)
            after = Unit.objects.get(pk=unit.pk).name
        unchanged_on_replica = Unit.objects.using(REPLICA).get(pk=unit.pk).name
    finally:
        pair.resume_replay()

    assert after == new_name
    assert unchanged_on_replica == before
    assert [query["sql"].split()[0] for query in on_replica.captured_queries] == ["SELECT", "SELECT"]


def test_the_replica_refuses_writes(pair: StreamingPair, people: Personas) -> None:
    with pytest.raises(DatabaseError, match="read-only"):
        Unit.objects.using(REPLICA).filter(pk=people.unit_b.pk).update(name="Không được ghi")
