"""The demo server (``python3 dev.py run``) behaves like a real site: the product's own error pages, static files
served, and the Vietnamese interface."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in the demo's environment, outside the test runner (which always turns DEBUG off itself).
PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1:8000")  # as a browser on the demo address sends it
missing = client.get("/khong-co-trang-nay/")
css = client.get("/static/cchc/app.css")
print(settings.DEBUG, missing.status_code, css.status_code)
print(missing.content.decode())
"""


def _dev_module():
    spec = importlib.util.spec_from_file_location("cchc_dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _probe(environ: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    env = {**environ, "DJANGO_SETTINGS_MODULE": "cchc.settings", "CCHC_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    first, _newline, page = result.stdout.partition("\n")
    return first, page


def test_the_demo_serves_the_products_own_404_page_and_its_static_files(monkeypatch, tmp_path):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    environ = _dev_module().demo_environ("127.0.0.1")
    assert environ["DEBUG"] == "false"

    summary, page = _probe(environ, tmp_path)

    assert summary == "False 404 200"
    assert "Không tìm thấy trang" in page
    assert "Using the URLconf" not in page
    assert '<html lang="vi">' in page


@pytest.mark.parametrize(("host", "expected"), [("127.0.0.1", "127.0.0.1"), ("192.168.1.20", "192.168.1.20")])
def test_the_demo_accepts_requests_for_the_address_it_serves_on(monkeypatch, host, expected):
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    environ = _dev_module().demo_environ(host)
    assert expected in environ["ALLOWED_HOSTS"].split(",")
    assert "localhost" in environ["ALLOWED_HOSTS"].split(",")


def test_a_developer_may_still_ask_the_demo_for_debug_pages(monkeypatch):
    monkeypatch.setenv("DEBUG", "true")
    assert _dev_module().demo_environ("127.0.0.1")["DEBUG"] == "true"
