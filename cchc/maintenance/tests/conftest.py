"""Shared by the backup tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An empty database of the same kind as the test database, dropped afterwards."""
    current = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": current["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"cchc_restore_{uuid.uuid4().hex[:12]}"
    options: dict[str, Any] = {
        "dbname": "postgres",
        "host": current.get("HOST") or None,
        "port": current.get("PORT") or None,
        "user": current.get("USER") or None,
        "password": current.get("PASSWORD") or None,
    }
    admin = psycopg.connect(autocommit=True, **{key: value for key, value in options.items() if value is not None})
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {**current, "NAME": name}
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()
