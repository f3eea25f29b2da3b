"""Typed readers for settings taken from the environment."""

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


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
                "BACKEND": "cchc.lib.cache.RedisCache",  # Django's, one client per pool (cchc/lib/cache.py)
                "LOCATION": url,
                "KEY_PREFIX": key_prefix,
                # A Redis that stops answering costs a request one second, not a worker's timeout.
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
    raise ValueError(f"REDIS_URL must be a redis://, rediss:// or unix:// address, not {url.split('://', 1)[0]!r}.")


def storage_from_url(url: str) -> dict[str, Any]:
    """The ``default`` entry of Django's ``STORAGES`` for ``url`` (``OBJECT_STORAGE_URL``).

    Empty: the local folder ``MEDIA_ROOT``. Otherwise an S3-compatible bucket,
    ``s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX][?region=...&addressing=path|virtual]``
    (``s3+http://`` for a server on the same private network without TLS; the key and the secret percent-encoded;
    without them boto3's usual sources are used: environment, instance role).
    """
    url = url.strip()
    if not url:
        return {"BACKEND": "cchc.lib.storage.LocalStorage"}
    parts = urlsplit(url)
    if parts.scheme not in {"s3", "s3+http", "s3+https"}:
        raise ValueError(f"OBJECT_STORAGE_URL must be an s3:// or s3+http:// address, not {parts.scheme!r}.")
    path = [segment for segment in parts.path.split("/") if segment]
    if not parts.hostname or not path:
        raise ValueError("OBJECT_STORAGE_URL must name the server and the bucket: s3://KEY:SECRET@HOST/BUCKET.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"region", "addressing"}
    if unknown:
        raise ValueError(f"OBJECT_STORAGE_URL does not take {', '.join(sorted(unknown))}.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    scheme = "http" if parts.scheme == "s3+http" else "https"
    options: dict[str, Any] = {
        "endpoint_url": f"{scheme}://{host}" + (f":{parts.port}" if parts.port else ""),
        "bucket_name": path[0],
        "location": "/".join(path[1:]),
        "region_name": query.get("region") or None,
        "addressing_style": query.get("addressing", "path"),
        "access_key": unquote(parts.username or "") or None,
        "secret_key": unquote(parts.password or "") or None,
        # Two uploads of the same name keep two objects, as on disk (the names are content hashes).
        "file_overwrite": False,
        # Private: the objects get the bucket's own (private) permissions, are read only through the application,
        # and no signed address is ever handed out.
        "default_acl": None,
        "querystring_auth": True,
        # Read back into memory up to this size, to a temporary file beyond it.
        "max_memory_size": 8 * 1024 * 1024,
    }
    return {"BACKEND": "cchc.lib.object_storage.ObjectStorage", "OPTIONS": options}
