"""The maintenance app, and its deployment checks that read the database: ``cchc check --deploy --database default``.

They are tagged ``database`` as well as deploy, so Django runs them only when a database is named; a plain
``check --deploy`` (which must not need a running database) skips them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib.sessions.backends import db
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.lib.partitions import dangling_references, default_partition_rows

# Expired sessions older than this mean nobody removes them: `clearsessions` is not scheduled.
STALE_SESSION_DAYS = 3


def _database_sessions() -> bool:
    """Does the session engine keep sessions in the database (Django's ``db`` or ``cached_db``, or ours on them)?"""
    engine = str(getattr(settings, "SESSION_ENGINE", ""))
    try:
        store = import_module(engine).SessionStore
    except (ImportError, AttributeError):
        return False
    return issubclass(store, db.SessionStore)


def autovacuum_messages(settings_by_alias: dict[str, str]) -> list[CheckMessage]:
    """A warning for each database whose ``autovacuum`` setting (as ``SHOW autovacuum`` gives it) is not on."""
    return [
        Warning(
            f"PostgreSQL autovacuum is off on database '{alias}'.",
            hint=(
                "Turn it on (autovacuum = on in postgresql.conf): without it the dossier and survey tables bloat and "
                "index-only scans stop working. See docs/deployment.md."
            ),
            id="maintenance.W001",
        )
        for alias, value in settings_by_alias.items()
        if value.strip().lower() != "on"
    ]


def autovacuum_settings(databases: Sequence[str]) -> dict[str, str]:
    """``SHOW autovacuum`` of each PostgreSQL database among ``databases`` that answers."""
    found: dict[str, str] = {}
    for alias in databases:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW autovacuum")
                row = cursor.fetchone()
        except DatabaseError:
            continue
        if row:
            found[alias] = str(row[0])
    return found


def check_autovacuum(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    return autovacuum_messages(autovacuum_settings(databases or []))


def check_sessions_cleared(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases or "default" not in databases or not _database_sessions():
        return []
    from django.contrib.sessions.models import Session  # models load after the app registry

    cutoff = timezone.now() - datetime.timedelta(days=STALE_SESSION_DAYS)
    try:
        stale = Session.objects.filter(expire_date__lt=cutoff).exists()
    except DatabaseError:
        return []
    if not stale:
        return []
    return [
        Warning(
            f"Sessions expired more than {STALE_SESSION_DAYS} days ago are still stored: clearsessions is not "
            "scheduled.",
            hint="Run `cchc clearsessions` daily (cron or a systemd timer). See docs/deployment.md.",
            id="maintenance.W002",
        )
    ]


def default_partition_messages(rows_by_partition: dict[str, int]) -> list[CheckMessage]:
    """A warning for each DEFAULT partition that holds rows (decision 26), with how many (counted up to 1000)."""
    return [
        Warning(
            f"The DEFAULT partition {name} holds {'at least ' if count >= 1000 else ''}{count} row(s).",
            hint=(
                "Rows land there when no yearly partition covers their date: run `cchc ensure_partitions`, then move "
                'them to a yearly partition. See docs/deployment.md, "Partitions by year".'
            ),
            id="maintenance.W003",
        )
        for name, count in sorted(rows_by_partition.items())
    ]


def check_default_partitions(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    try:
        return default_partition_messages(default_partition_rows(connections["default"]))
    except DatabaseError:
        return []


def dangling_reference_messages(rows_by_column: dict[str, int]) -> list[CheckMessage]:
    """A warning for each reference into a partitioned table (not enforced by the database) with rows pointing at
    nothing."""
    return [
        Warning(
            f"{'At least ' if count >= 1000 else ''}{count} row(s) of {column} point at no row.",
            hint=(
                "The database does not enforce this reference since its target is partitioned by year (decision 26): "
                "rows were deleted by hand. Restore them from a backup, or remove the rows that point at nothing."
            ),
            id="maintenance.W004",
        )
        for column, count in sorted(rows_by_column.items())
    ]


def check_dangling_references(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    try:
        return dangling_reference_messages(dangling_references(connections["default"]))
    except DatabaseError:
        return []


class MaintenanceConfig(AppConfig):
    name = "cchc.maintenance"
    verbose_name = _("Vận hành")

    def ready(self) -> None:
        register(Tags.database, deploy=True)(check_autovacuum)
        register(Tags.database, deploy=True)(check_sessions_cleared)
        register(Tags.database, deploy=True)(check_default_partitions)
        register(Tags.database, deploy=True)(check_dangling_references)
