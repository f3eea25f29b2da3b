"""Production settings load only with real secrets and pass Django's deployment checks without warnings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cchc(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "cchc.settings_production"}, **environ)
    command = [sys.executable, "-m", "cchc.manage", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def random_secret_key() -> str:
    return secrets.token_urlsafe(64)[:64]


def test_production_settings_pass_check_deploy_without_warnings() -> None:
    result = run_cchc(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environ={"SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "cchc.example.gov.vn"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_settings_refuse_to_load_without_secret_key() -> None:
    result = run_cchc("check", environ={"ALLOWED_HOSTS": "cchc.example.gov.vn"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_the_development_secret_key() -> None:
    result = run_cchc(
        "check",
        environ={"SECRET_KEY": "django-insecure-" + "x" * 60, "ALLOWED_HOSTS": "cchc.example.gov.vn"},
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_load_without_allowed_hosts() -> None:
    result = run_cchc("check", environ={"SECRET_KEY": random_secret_key()})

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_a_redis_url_gives_a_redis_cache_shared_by_the_server_processes_and_none_a_memory_cache() -> None:
    from cchc.settings.env import cache_from_url

    shared = cache_from_url("redis://127.0.0.1:6379/1")["default"]
    assert (shared["BACKEND"], shared["LOCATION"]) == (
        "cchc.lib.cache.RedisCache",
        "redis://127.0.0.1:6379/1",
    )
    assert cache_from_url("")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_production_settings_refuse_a_redis_url_they_cannot_use() -> None:
    result = run_cchc(
        "check",
        environ={
            "SECRET_KEY": random_secret_key(),
            "ALLOWED_HOSTS": "cchc.example.gov.vn",
            "REDIS_URL": "memcached://127.0.0.1:11211",
        },
    )

    assert result.returncode != 0
    assert "REDIS_URL must be" in result.stderr


def test_production_settings_keep_database_connections_between_requests_unless_told_otherwise() -> None:
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    base = {"SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "cchc.example.gov.vn"}
    with_default = run_cchc("shell", "-c", code, environ=base | {"DATABASE_CONN_MAX_AGE": ""})
    told = run_cchc("shell", "-c", code, environ=base | {"DATABASE_CONN_MAX_AGE": "0"})
    assert with_default.stdout.split()[-2:] == ["60", "True"], with_default.stderr
    assert told.stdout.split()[-2:] == ["0", "True"], told.stderr


def test_production_settings_with_redis_keep_sessions_in_the_cache_and_pass_check_deploy() -> None:
    environ = {
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": "cchc.example.gov.vn",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = run_cchc("check", "--deploy", "--fail-level", "WARNING", environ=environ)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr

    shown = run_cchc(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'], settings.SESSION_SAVE_EVERY_REQUEST)",
        environ=environ,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["cchc.lib.sessions", "cchc.lib.cache.RedisCache", "False"]


def test_production_settings_without_redis_keep_sessions_in_the_database() -> None:
    shown = run_cchc(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE, settings.PASSWORD_HASHERS[0])",
        environ={"SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "cchc.example.gov.vn", "REDIS_URL": ""},
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["cchc.lib.sessions.database", "cchc.accounts.hashers.Argon2PasswordHasher"]


def test_production_settings_with_an_object_storage_address_keep_uploads_in_the_private_bucket() -> None:
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.location, s.endpoint_url, s.file_overwrite, s.default_acl)"
    )
    environ = {
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": "cchc.example.gov.vn",
        "OBJECT_STORAGE_URL": "s3://khoa:bi-mat@s3.example.gov.vn/cchc/tep",
    }
    result = run_cchc("shell", "-c", code, environ=environ)
    check = run_cchc("check", "--deploy", "--fail-level", "WARNING", environ=environ)

    assert result.stdout.split()[-6:] == [
        "ObjectStorage",
        "cchc",
        "tep",
        "https://s3.example.gov.vn",
        "False",
        "None",
    ], result.stderr
    assert check.returncode == 0, check.stdout + check.stderr
