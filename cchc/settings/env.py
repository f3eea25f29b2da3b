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


def cache_from_url(url: str) -> dict[str, dict[str, object]]:
    """Django's ``CACHES`` for ``url``: Redis for ``redis://``, ``rediss://`` and ``unix://`` addresses (shared by
    every server process, e.g. ``redis://127.0.0.1:6379/0``), the per-process memory cache when empty."""
    url = url.strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url.split("://", 1)[0] in {"redis", "rediss", "unix"}:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    raise ValueError(f"CACHE_URL must be a redis://, rediss:// or unix:// address, not {url.split('://', 1)[0]!r}.")
