"""Rows the whole test run shares: built once per test database, hidden from the tests that do not ask for them.

Building the personas through the audited services for every test costs more than the average test itself. The
root ``conftest.py`` builds them once, right after the test database is created, and commits them; each test then
runs inside its own transaction as before:

- a test that asks for the rows reads fresh copies of them (see ``load_personas``);
- a test that does not ask for them has them deleted at its start, inside its transaction, so it starts from the
  same empty database as before (the rollback at its end brings them back);
- a test that commits for real (``transactional_db``, ``live_server``) ends with Django's flush of every table,
  which takes the shared rows with it; they are built again after such a test.

A module whose tests all read the same large data set (the whole demo) can load it once the same way, with the
``module_database`` fixture: the shared rows make way for it, and the module ends with a flush and a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models, transaction


def _tables() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _keys() -> dict[type[models.Model], set[Any]]:
    return {model: set(model._base_manager.values_list("pk", flat=True)) for model in _tables()}


class SharedRows:
    """The rows one ``build`` adds to the test database, remembered table by table."""

    def __init__(self, build: Callable[[], object]) -> None:
        self._build = build
        self._added: dict[type[models.Model], set[Any]] = {}

    @property
    def present(self) -> bool:
        return bool(self._added)

    def build(self) -> None:
        """Build the rows and commit them (outside any test's transaction)."""
        before = _keys()
        with transaction.atomic():
            self._build()
        after = _keys()
        self._added = {model: keys - before.get(model, set()) for model, keys in after.items()}
        self._added = {model: keys for model, keys in self._added.items() if keys}

    def forget(self) -> None:
        """The rows are gone (a flush took them): there is nothing left to hide."""
        self._added = {}

    def hide(self) -> None:
        """Delete the shared rows, for a test that expects the database it starts with to hold none of them.

        A plain delete of exactly these rows: no signals, no cascade, no audit entry. The foreign keys between them
        are checked when the block ends, by which time every row pointing at another one is gone too.
        """
        with transaction.atomic():
            for model, keys in self._added.items():
                model._base_manager.filter(pk__in=keys)._raw_delete(model._base_manager.db)
