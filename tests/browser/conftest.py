"""Fixtures for the browser journeys: headless Chromium (Playwright) against pytest-django's live server.

Chromium is Debian's ``/usr/bin/chromium``. When it is missing (or ``CCHC_BROWSER=missing`` pretends so),
the journeys are skipped with a loud notice at the end of the run, except under ``CI=true`` where a
missing browser is a failure: CI must never pass without having driven a real browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every Playwright wait (navigation, locator, expect) gives up after this many milliseconds.
TIMEOUT_MS = 15_000
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Fixtures that start Chromium; a test that uses none of them runs without a browser.
BROWSER_FIXTURES = {"browser", "browser_context", "page", "phone_page"}
INSTALL_HINT = "apt-get install -y chromium chromium-driver"

_skipped_key = pytest.StashKey[int]()


def chromium_missing_reason() -> str | None:
    """Why the journeys cannot drive Chromium here, or ``None`` when they can."""
    if os.environ.get("CCHC_BROWSER", "").strip().lower() == "missing":
        return "CCHC_BROWSER=missing"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} was not found"
    return None


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _missing_message(reason: str) -> str:
    return f"Browser journeys need Chromium, but {reason}. Install it with: {INSTALL_HINT}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = chromium_missing_reason()
    if reason is None or running_under_ci():
        # Under CI the ``browser`` fixture fails every journey instead (see below).
        return
    skip = pytest.mark.skip(reason=_missing_message(reason))
    skipped = 0
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(skip)
            skipped += 1
    config.stash[_skipped_key] = skipped


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under CI a missing browser fails each journey before any database or server is set up."""
    reason = chromium_missing_reason()
    if reason is not None and running_under_ci() and BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
        pytest.fail(f"CI=true: {_missing_message(reason)}", pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = config.stash.get(_skipped_key, 0)
    reason = chromium_missing_reason()
    if not skipped or reason is None:
        return
    terminalreporter.write_sep("!", f"{skipped} BROWSER JOURNEYS SKIPPED", red=True, bold=True)
    terminalreporter.write_line(_missing_message(reason), red=True, bold=True)
    terminalreporter.write_line("Under CI=true a missing browser fails the run instead.", red=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for every journey in this package."""
    reason = chromium_missing_reason()
    if reason is not None:
        if running_under_ci():
            pytest.fail(f"CI=true: {_missing_message(reason)}", pytrace=False)
        pytest.skip(_missing_message(reason))
    # Playwright's sync API keeps an asyncio loop on this thread, which trips Django's
    # async-safety check for every ORM call the tests make themselves; lift it while the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _context(browser: Browser, base_url: str, viewport: ViewportSize, *, phone: bool = False) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url,
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def browser_context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh desktop browser profile (no cookies) pointed at the live server."""
    context = _context(browser, live_server.url, DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Page:
    return browser_context.new_page()


@pytest.fixture
def phone_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a phone-sized browser (390×844, touch)."""
    context = _context(browser, live_server.url, PHONE, phone=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """``test-artifacts/`` at the repository root (git-ignored): screenshots for people to look at."""
    path = request.config.rootpath / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _real_password_hashing(real_password_hashing: None) -> None:
    """The journeys log in through the login page: the personas' passwords are checked with Argon2, for real."""
