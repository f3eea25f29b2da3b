"""Uploaded files through the storage API: the local folder against an S3-compatible bucket on loopback.

Writes ``--files`` files of ``--kb`` KiB through ``LocalStorage`` (the reference: the default, a temporary folder)
and through ``ObjectStorage`` on moto's standalone server (loopback, started here: the ``moto[server]`` dev extra),
then reads each back whole (as a download view does), lists them and deletes them. Prints milliseconds per file for
each step, the ratio of the bucket to the folder, and one JSON line. moto keeps objects in memory and is written in
Python, so the figures show the cost of the S3 round trips and of boto3, not of a production object store.

    .venv/bin/python bench/object_storage.py --files 200 --kb 256
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import Storage  # noqa: E402

from cchc.lib.object_storage import ObjectStorage  # noqa: E402
from cchc.lib.storage import LocalStorage  # noqa: E402
from cchc.settings.env import storage_from_url  # noqa: E402
from cchc.testing.object_storage import ACCESS_KEY, SECRET_KEY, s3_server  # noqa: E402


def _load() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def _timed(step: Callable[[], Any]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _run(storage: Storage, payload: bytes, count: int) -> dict[str, float]:
    names: list[str] = []

    def write() -> None:
        for number in range(count):
            names.append(storage.save(f"evidence/2026/{number:06d}.pdf", ContentFile(payload)))

    def read() -> None:
        for name in names:
            with storage.open(name, "rb") as handle:
                assert len(handle.read()) == len(payload)

    def listing() -> None:
        assert len(storage.listdir("evidence/2026/")[1]) == count

    def delete() -> None:
        for name in names:
            storage.delete(name)

    figures = {step: _timed(action) for step, action in (("write", write), ("read", read), ("list", listing))}
    figures["delete"] = _timed(delete)
    return {
        "write_ms": figures["write"] * 1000 / count,
        "read_ms": figures["read"] * 1000 / count,
        "list_ms": figures["list"] * 1000,
        "delete_ms": figures["delete"] * 1000 / count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kb", type=int, default=256)
    options = parser.parse_args()
    payload = os.urandom(options.kb * 1024)

    with tempfile.TemporaryDirectory(prefix="cchc-bench-media-") as folder:
        local = _run(LocalStorage(location=folder), payload, options.files)
    with s3_server() as server:
        bucket = server.new_bucket()
        url = f"s3+http://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{server.port}/{bucket}/media"
        settings = {**storage_from_url(url)["OPTIONS"], "region_name": "us-east-1"}
        remote = _run(ObjectStorage(**settings), payload, options.files)

    ratios = {key: remote[key] / local[key] if local[key] else None for key in local}
    print(f"{options.files} files of {options.kb} KiB; load average {_load()}")
    print(f"{'step':<10}{'folder':>12}{'bucket':>12}{'ratio':>10}")
    for key in local:
        ratio = ratios[key]
        print(f"{key:<10}{local[key]:>12.2f}{remote[key]:>12.2f}{(f'{ratio:.1f}' if ratio else '-'):>10}")
    print(
        json.dumps(
            {
                "files": options.files,
                "kb": options.kb,
                "folder": local,
                "bucket": remote,
                "ratio": ratios,
                "loadavg": _load(),
            }
        )
    )


if __name__ == "__main__":
    main()
