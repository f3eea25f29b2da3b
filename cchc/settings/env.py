"""Typed readers for settings taken from the environment."""

import os


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def cache_from_url(url: str, *, key_prefix: str = "cchc") -> dict[str, dict[str, object]]:
    """Django's ``CACHES`` for ``url`` (``REDIS_URL``): Redis for ``redis://``, ``rediss://`` and ``unix://``
    addresses (shared by every server process, e.g. ``redis://127.0.0.1:6379/0``), the per-process memory cache when
    empty."""
    url = url.strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url.split("://", 1)[0] in {"redis", "rediss", "unix"}:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": key_prefix,
                # A Redis that stops answering costs a request one second, not a worker's timeout.
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
    raise ValueError(f"REDIS_URL must be a redis://, rediss:// or unix:// address, not {url.split('://', 1)[0]!r}.")
