"""A real S3-compatible server for the tests: moto's standalone server, one process for the whole run.

The server listens on loopback on the first free port of ``CCHC_TEST_S3_PORTS`` (default 18400-18499); each test
that needs object storage gets a bucket of its own and the settings that point the default storage at it.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.test import override_settings

from cchc.settings.env import storage_from_url

ACCESS_KEY = "cchc-test"
SECRET_KEY = "cchc-test-secret"
START_TIMEOUT = 30.0


def moto_missing() -> str:
    """Why the object storage tests cannot run here, or "" when they can."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        return "moto[server] is not installed (pip install -e '.[dev]')"
    return ""


def _ports() -> range:
    low, _, high = os.environ.get("CCHC_TEST_S3_PORTS", "18400-18499").partition("-")
    return range(int(low), int(high or low) + 1)


def free_port() -> int:
    """A loopback port of the range that nothing listens on (also used as an unreachable storage)."""
    for port in _ports():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the test S3 server")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class S3Server:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def new_bucket(self) -> str:
        name = f"cchc-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))


def _start(port: int) -> subprocess.Popen[bytes] | None:
    """moto's server on ``port`` once it answers; ``None`` if it exited first (another process took the port)."""
    process = subprocess.Popen(  # noqa: S603  (the command is fixed here)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        if _answers(port):
            time.sleep(0.2)  # a server that lost the port to another exits now, while the other one answers
            if process.poll() is None:
                return process
        time.sleep(0.1)
    _stop(process)
    return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's server on a free loopback port for the ``with`` block, stopped afterwards."""
    for _attempt in range(5):
        port = free_port()
        process = _start(port)
        if process is not None:
            break
    else:
        raise RuntimeError("the test S3 server did not start")
    try:
        yield S3Server(port=port, process=process)
    finally:
        _stop(process)


def storages_for(endpoint_port: int, bucket: str, prefix: str = "media", **options: Any) -> dict[str, Any]:
    """Django's ``STORAGES`` with the default storage in ``bucket`` of the server on ``endpoint_port``, built from an
    ``OBJECT_STORAGE_URL`` as a deployment would write it."""
    default = storage_from_url(f"s3+http://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{endpoint_port}/{bucket}/{prefix}")
    default["OPTIONS"] = {**default["OPTIONS"], "region_name": "us-east-1", **options}
    return {**settings.STORAGES, "default": default}


@contextmanager
def object_storage(server: S3Server, bucket: str | None = None, **options: Any) -> Iterator[str]:
    """The default storage in a new (or the given) bucket of ``server`` for the ``with`` block; yields the bucket."""
    bucket = bucket or server.new_bucket()
    with override_settings(STORAGES=storages_for(server.port, bucket, **options)):
        yield bucket


@contextmanager
def unreachable_object_storage(bucket: str = "cchc-unreachable") -> Iterator[None]:
    """The default storage pointed at a loopback port where nothing answers, as when the storage server is down;
    one attempt only, so the failure comes at once."""
    with override_settings(STORAGES=storages_for(free_port(), bucket, attempts=1, connect_timeout=1)):
        yield
