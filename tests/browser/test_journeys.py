"""Browser journeys: what each role does first, in a real headless Chromium against the live server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.utils import translation
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.organisations.models import Membership
from cchc.testing.personas import PASSWORD, Personas

pytestmark = pytest.mark.browser

# Persona → the role whose home page they land on (``dashboards/home_<role>.html``).
HOME_ROLE = {
    "admin": "admin",
    "secretariat": "secretariat",
    "leader": "leader",
    "focal_a": "focal_point",
    "appraiser": "appraiser",
    "council": "council",
    "supervisor": "supervisor",
}
IN_SCOPE_UNIT = "Sở Tư pháp"
OUT_OF_SCOPE_UNIT = "Xã Ngoài Phạm Vi"
WRONG_LOGIN_MESSAGE = "Tên đăng nhập hoặc mật khẩu không đúng"

UNLABELLED_CONTROLS_JS = """() =>
  [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => !(el.labels && el.labels.length)
      && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map(el => el.outerHTML)"""
STYLESHEET_APPLIED_JS = """() => {
  const sheet = [...document.styleSheets].find(s => (s.href || '').endsWith('/cchc/app.css'));
  const skip = document.querySelector('.skip-link');
  return Boolean(sheet && sheet.cssRules.length && skip && getComputedStyle(skip).position === 'absolute');
}"""


def council_member(personas: Personas) -> User:
    """A member of the province's appraisal council (the shared personas have none)."""
    # Same password as the other personas: reuse their hash rather than compute another.
    user = User.objects.create(username="hoidong", password=personas.admin.password, full_name="Đỗ Thị Hội Đồng")
    Membership.objects.create(user=user, unit=personas.home_affairs)
    RoleAssignment.objects.create(user=user, role=Role.COUNCIL, scope=personas.province)
    return user


def persona_user(personas: Personas, name: str) -> User:
    if name == "council":
        return council_member(personas)
    user = personas.user(name)
    assert user is not None
    return user


def expected_heading(role: str) -> str:
    """The Vietnamese text of the ``heading`` block of the role's home template."""
    template = get_template(f"dashboards/home_{role}.html").template  # type: ignore[attr-defined]
    for block in template.nodelist.get_nodes_by_type(BlockNode):
        if block.name == "heading":
            with translation.override("vi"):
                text = " ".join(block.nodelist.render(Context()).split())
            assert text, f"dashboards/home_{role}.html has an empty heading block"
            return text
    raise AssertionError(f"dashboards/home_{role}.html has no heading block")


class ProblemWatch:
    """Collects script errors and failed responses while a journey runs."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("response", self._on_response)

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def assert_none(self) -> None:
        assert self.problems == []


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập", exact=True).fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def assert_styled(page: Page) -> None:
    assert page.evaluate(STYLESHEET_APPLIED_JS), "cchc/app.css did not load or apply"


def assert_accessible_basics(page: Page, *, first_tab_stop_is_skip_link: bool = True) -> None:
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^[a-z]{2}"))
    expect(page.locator("h1")).to_have_count(1)
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_have_count(1)
    expect(skip_link).to_have_attribute("href", "#main")
    expect(page.locator("#main")).to_have_count(1)
    assert page.evaluate(UNLABELLED_CONTROLS_JS) == [], "form controls without a label"
    if first_tab_stop_is_skip_link:
        page.keyboard.press("Tab")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_in_viewport()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(HOME_ROLE))
def test_each_role_logs_in_sees_its_home_page_and_unit_tree_then_logs_out(
    name: str, page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    role = HOME_ROLE[name]
    user = persona_user(personas, name)
    heading = expected_heading(role)
    watch = ProblemWatch(page)

    log_in(page, user.username)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.get_by_text(user.display_name).first).to_be_visible()
    assert_styled(page)
    page.screenshot(path=artifacts_dir / f"home-{role}.png", full_page=True)
    assert_accessible_basics(page)

    menu = page.get_by_role("navigation", name="Điều hướng chính")
    menu.get_by_role("link", name="Đơn vị", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/units/")
    tree = page.get_by_test_id("unit-tree")
    expect(tree.get_by_role("link", name=IN_SCOPE_UNIT, exact=True)).to_be_visible()
    if name == "admin":
        expect(tree.get_by_role("link", name=OUT_OF_SCOPE_UNIT, exact=True)).to_be_visible()
    else:
        expect(tree).not_to_contain_text(OUT_OF_SCOPE_UNIT)

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Tên đăng nhập", exact=True)).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    watch.assert_none()


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_the_vietnamese_error_and_keeps_the_visitor_out(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    log_in(page, personas.focal_a.username, password="mat-khau-sai")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("alert")).to_contain_text(WRONG_LOGIN_MESSAGE)
    expect(page.get_by_label("Tên đăng nhập", exact=True)).to_have_value(personas.focal_a.username)
    expect(page.get_by_test_id("logout")).to_have_count(0)
    assert_styled(page)
    # The username field takes focus on load, so the tab order starts there, not at the skip link.
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)


@pytest.mark.django_db(transaction=True)
def test_language_switch_to_english_is_kept_after_logging_in(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    with page.expect_navigation():
        page.get_by_label("Ngôn ngữ").select_option("en")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Labels may be translated now, so the form is filled by field name.
    page.locator("input[name=username]").fill(personas.focal_a.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    with page.expect_navigation():
        page.locator("#language-select").select_option("vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


@pytest.mark.django_db(transaction=True)
def test_home_page_on_a_phone_folds_the_menu_behind_a_toggle(
    phone_page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    page = phone_page
    log_in(page, personas.focal_a.username)
    expect(page).to_have_url(f"{live_server.url}/")
    assert_styled(page)

    toggle = page.locator("label[for=nav-toggle]")
    menu = page.get_by_role("navigation", name="Điều hướng chính")
    expect(toggle).to_be_visible()
    expect(menu).to_be_hidden()
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 390, f"the home page is {page_width}px wide on a 390px screen"
    page.screenshot(path=artifacts_dir / "home-mobile.png", full_page=True)

    toggle.click()
    expect(menu).to_be_visible()
    menu.get_by_role("link", name="Đơn vị", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/units/")
    expect(page.get_by_test_id("unit-tree").get_by_role("link", name=IN_SCOPE_UNIT, exact=True)).to_be_visible()


# --- The guard itself: a missing browser is skipped loudly, and fails under CI ---------------------------------


def _run_journey_without_chromium(ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CCHC_BROWSER": "missing", "CI": ci}
    env.pop("DATABASE_URL", None)  # the parent run may hold this database; the child needs none
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    journey = f"{__file__}::test_wrong_password_shows_the_vietnamese_error_and_keeps_the_visitor_out"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", journey, "-q", "-p", "no:cacheprovider"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_chromium_journeys_are_skipped_with_a_loud_notice() -> None:
    result = _run_journey_without_chromium(ci="false")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "BROWSER JOURNEYS SKIPPED" in result.stdout
    assert "apt-get install -y chromium" in result.stdout


def test_without_chromium_journeys_fail_under_ci() -> None:
    result = _run_journey_without_chromium(ci="true")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "CI=true: Browser journeys need Chromium" in result.stdout
    assert "1 error" in result.stdout or "1 failed" in result.stdout
