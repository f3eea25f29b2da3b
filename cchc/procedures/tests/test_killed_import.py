"""A worker killed in the middle of a large dossier import: the page saw its progress, and nothing was written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cchc.imports.models import ImportRun, ImportStatus
from cchc.testing.personas import Personas

from ..models import DataImport, Dossier
from . import samples

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WORKER = (
    "import django, sys; django.setup(); from cchc.procedures.jobs import run_execute; run_execute(int(sys.argv[1]))"
)


def _big_book(personas: Personas, count: int) -> bytes:
    unit = personas.unit_b.name
    lines = ["STT,Mã hồ sơ,Tên TTHC,Cơ quan chủ trì giải quyết,Nhận hồ sơ,Hẹn trả kết quả,Trả kết quả"]
    lines += [f"{n},HS-{n:07},Đăng ký khai sinh,{unit},02/01/2025,05/01/2025,04/01/2025" for n in range(1, count + 1)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_half_way_showed_its_progress_and_left_no_dossiers(
    personas: Personas, settings: Any, tmp_path: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs a database server (SQLite tests run in memory)")
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.TASKS = DATABASE_QUEUE
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    samples.make_procedures()
    data = _big_book(personas, 200_000)
    client = personas.client("secretariat")
    client.post(
        "/procedures/imports/dossiers/",
        {"file": SimpleUploadedFile("lon.csv", data), "source": "iGate", "preset": "mau-07-so-theo-doi", "mode": "all"},
    )
    run = ImportRun.objects.get()
    database = connection.settings_dict
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    login = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    url = f"postgres://{login}@{host}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "DJANGO_SETTINGS_MODULE": "cchc.settings"}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(run.pk)], env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            run.refresh_from_db()
            if run.rows_read > 0:
                break
            time.sleep(0.2)
        assert worker.poll() is None, "the import ended before it could be killed"
        assert run.status == ImportStatus.RUNNING and run.rows_read > 0  # progress seen while the import runs
        page = client.get(f"/procedures/imports/runs/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
        assert "đã đọc" in page and 'hx-trigger="every 2s"' in page
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert not Dossier.objects.exists() and not DataImport.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING  # the page goes on polling, and says after a while it has stopped
