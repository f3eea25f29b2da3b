"""``DATABASE_REPLICA_URL`` adds the ``replica`` database; without it nothing changes (any database, no replica)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from cchc.lib.replica import REPLICA, ReplicaRouter
from cchc.organisations.models import Unit

ROOT = Path(__file__).resolve().parents[3]
SHOW_DATABASES = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({alias: {key: value.get(key) for key in ('HOST', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', "
    "'OPTIONS', 'TEST')} for alias, value in settings.DATABASES.items()}))"
)


def _databases(settings_module: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **environ)
    command = [sys.executable, "-c", SHOW_DATABASES]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def _loaded(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_a_replica_url_adds_a_replica_database_that_is_a_mirror_of_the_default_one_in_tests() -> None:
    databases = _loaded(
        _databases(
            "cchc.settings",
            DATABASE_URL="postgres://cchc@10.0.0.1:5432/cchc",
            DATABASE_REPLICA_URL="postgres://cchc@10.0.0.2:5432/cchc",
        )
    )

    assert databases["default"]["HOST"] == "10.0.0.1"
    assert databases["replica"]["HOST"] == "10.0.0.2"
    assert databases["replica"]["TEST"]["MIRROR"] == "default"
    assert databases["replica"]["OPTIONS"] == {
        "connect_timeout": 2,
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_production_keeps_replica_connections_like_the_primary_ones() -> None:
    databases = _loaded(
        _databases(
            "cchc.settings_production",
            SECRET_KEY="s" * 64,
            ALLOWED_HOSTS="cchc.example.gov.vn",
            DATABASE_URL="postgres://cchc@10.0.0.1:5432/cchc",
            DATABASE_REPLICA_URL="postgres://cchc@10.0.0.2:5432/cchc",
        )
    )

    assert databases["replica"]["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"] == 60
    assert databases["replica"]["CONN_HEALTH_CHECKS"] is True


def test_a_replica_beside_sqlite_is_refused_with_a_clear_message() -> None:
    result = _databases("cchc.settings", DATABASE_REPLICA_URL="postgres://cchc@10.0.0.2:5432/cchc")

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in result.stderr


def test_without_a_replica_the_router_leaves_every_database_choice_to_django() -> None:
    if REPLICA in connections.settings:
        pytest.skip("DATABASE_REPLICA_URL is set for this run")
    router = ReplicaRouter()

    assert router.db_for_read(Unit) is None
    assert router.db_for_write(Unit) is None
