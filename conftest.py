"""Fixtures shared by every test module.

Two things make the suite fast without changing what a test sees:

- passwords are hashed with MD5 unless a test asks for the project's own hashers (``real_password_hashing``):
  Argon2 is slow on purpose, and only the tests about hashing and the browser journeys need it;
- the personas are built once per test database and shared (see ``cchc/testing/shared_rows.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from django.test import override_settings
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings
from pytest_django.plugin import blocking_manager_key

from cchc.accounts.models import User
from cchc.testing.object_storage import S3Server, moto_missing
from cchc.testing.object_storage import s3_server as s3_server_process
from cchc.testing.personas import Personas, build_personas, load_personas, persona_password_hash
from cchc.testing.shared_rows import SharedRows

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_shared_personas = SharedRows(build_personas)
_flushes_key = pytest.StashKey[bool]()
_test_database_ready = False


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """MD5 instead of Argon2 for the whole run: the tests hash many passwords and, but a few, do not test hashing."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture
def real_password_hashing(settings: Settings) -> None:
    """The project's own password hashers (Argon2), for the tests that check hashing or log in through a browser."""
    from cchc.settings import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The test database, with the personas built once and committed."""
    global _test_database_ready
    with django_db_blocker.unblock():
        _shared_personas.build()
    _test_database_ready = True
    yield
    # From here on the connection settings name the real database again: nothing may be written through them.
    _test_database_ready = False


@pytest.fixture
def _django_db_helper(_django_db_helper: None, request: pytest.FixtureRequest) -> Generator[None]:
    """Every test that uses the database: hide the shared personas unless it asks for them."""
    from django.db import connection

    if not connection.in_atomic_block:
        # A test that commits for real; Django flushes every table after it, the personas included.
        request.node.stash[_flushes_key] = True
    if "personas" not in request.fixturenames:
        _shared_personas.hide()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """After a test that flushed the database, build the shared personas again for the tests that follow."""
    try:
        return (yield)
    finally:
        if item.stash.get(_flushes_key, False) and _test_database_ready:
            with item.config.stash[blocking_manager_key].unblock():
                _shared_personas.build()


def _flush() -> None:
    """Empty every table, as Django does after a test that commits (content types and permissions come back)."""
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    _shared_personas.forget()


# What makes a module long whatever its number of tests: a browser journey (a live server, Chromium, often the
# whole demo) or a large data set loaded once for the module.
_LONG_MODULE_FIXTURES = frozenset({"live_server", "module_database"})


def _is_long_module(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None or not _LONG_MODULE_FIXTURES.isdisjoint(
        getattr(item, "fixturenames", ())
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long modules first, each module's tests in their own order.

    With whole modules per worker (``--dist loadfile``) a worker that starts a long module last runs it alone while
    the others wait: started first, the long modules run beside each other and the short ones fill the gaps.
    ``dev.py`` turns off pytest-xdist's own ordering (``--no-loadscope-reorder``), which puts the modules with the
    most tests first and so the long modules of a few tests last.
    """
    long_modules = {item.nodeid.split("::", 1)[0] for item in items if _is_long_module(item)}
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in long_modules)


@pytest.fixture(scope="session")
def module_database(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Callable[[Callable[[], object]], AbstractContextManager[None]]:
    """Load a large data set once for a whole module, from a module-scoped fixture::

        @pytest.fixture(scope="module")
        def demo(module_database):
            with module_database(load_everything):
                yield

    The load is committed into an otherwise empty database (the shared personas make way); each test still runs
    in its own transaction on top of it, so what one test changes is rolled back before the next. When the module
    is done, every table is emptied and the personas are built again.
    """
    from django.db import transaction

    @contextmanager
    def loaded(load: Callable[[], object]) -> Iterator[None]:
        with django_db_blocker.unblock():
            _flush()
            with transaction.atomic():
                load()
        try:
            yield
        finally:
            with django_db_blocker.unblock():
                _flush()
                _shared_personas.build()

    return loaded


@pytest.fixture
def personas(db: None) -> Personas:
    """The named personas (see ``cchc/testing/personas.py``): fresh objects for the rows built once per run."""
    people = load_personas()
    if people is None:  # only if a test removed them before asking (they are rebuilt after every flush)
        people = build_personas()
    wanted = persona_password_hash()
    if people.admin.password != wanted:  # the test asked for other password hashers
        users = [user for user in vars(people).values() if isinstance(user, User)]
        User.objects.filter(pk__in=[user.pk for user in users]).update(password=wanted)
        for user in users:
            user.password = wanted
    return people


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3-compatible server (moto's) for the whole run, started only if a test asks for it; every test that
    uses it makes a bucket of its own (``cchc.testing.object_storage.object_storage``)."""
    missing = moto_missing()
    if missing:
        pytest.skip(missing)
    with s3_server_process() as server:
        yield server
