"""Every main list page on a 390 px phone, as the demo role that uses it: nothing scrolls sideways, lists become
cards, and the header (with the menu folded) stays within 80 px. Screenshots go to test-artifacts/phone-*.png."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.assessments.models import Assessment, Round, Stage
from cchc.demo.data import DEFAULT_PASSWORD
from cchc.directives.models import Assignment, Directive
from cchc.frameworks.models import Framework
from cchc.organisations.models import Unit
from cchc.procedures.models import ScoreItem

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

HEADER_MAX_PX = 80
LAYOUT_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  header: document.querySelector('header.topbar').getBoundingClientRect().height,
  wide: [...document.querySelectorAll('main *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap'))
    .slice(0, 5).map(el => el.outerHTML.slice(0, 120)),
})"""


@pytest.fixture
def demo(settings: Any) -> dict[str, str]:
    """The demo province (units, people, frameworks, rounds, directives) and the pages that list its records."""
    # The demo's accounts get a fast hash; logging in still checks it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", stdout=StringIO())
    directive = Directive.objects.annotate(tasks_count=Count("tasks")).order_by("-tasks_count", "pk").first()
    assert directive is not None
    framework = Framework.objects.order_by("pk").first()
    published = Round.objects.filter(stage=Stage.PUBLISHED).order_by("-year").first()
    assessment = Assessment.objects.filter(round=published).order_by("pk").first()
    assignment = Assignment.objects.filter(unit__code="PT-STP").order_by("pk").first()
    commune = Unit.objects.get(code="PT-X-DOANHUNG")
    assert framework and published and assessment and assignment
    return {
        "tracker": reverse("directives:tracker"),
        "stats": reverse("directives:stats"),
        "directive_list": reverse("directives:directive_list"),
        "directive_detail": reverse("directives:directive_detail", args=[directive.pk]),
        "task_detail": reverse("directives:task_detail", args=[directive.tasks.order_by("pk").first().pk]),  # type: ignore[union-attr]
        "my_tasks": reverse("directives:my_tasks"),
        "assignment_detail": reverse("directives:assignment_detail", args=[assignment.pk]),
        "unit_list": reverse("organisations:unit_list"),
        "user_list": reverse("accounts:user_list"),
        "audit": reverse("audit:entry_list"),
        "framework_list": reverse("frameworks:framework_list"),
        "framework_detail": reverse("frameworks:framework_detail", args=[framework.pk]),
        "round_list": reverse("assessments:round_list"),
        "round_detail": reverse("assessments:round_detail", args=[published.pk]),
        "results_index": reverse("assessments:results_index"),
        "ranking": reverse("assessments:results_ranking", args=[published.pk]),
        "unit_result": reverse("assessments:results_unit", args=[published.pk, assessment.pk]),
        "home": reverse("dashboards:home"),
        "dossier_list": reverse("procedures:dossier_list"),
        "procedure_list": reverse("procedures:procedure_list"),
        "import_history": reverse("procedures:import_history"),
        "import_dossiers": reverse("procedures:import_dossiers"),
        "kpi_table": reverse("procedures:kpi_table"),
        "kpi_unit": reverse("procedures:kpi_unit", args=[commune.pk]),
        "kpi_late": reverse("procedures:kpi_dossiers", args=[commune.pk, "late"]),
        "score_items": reverse("procedures:score_item_list"),
        "score_item_edit": reverse("procedures:score_item_edit", args=[ScoreItem.objects.order_by("pk").first().pk]),  # type: ignore[union-attr]
    }


# Demo account → the pages of its daily work.
ROLE_PAGES = {
    "thuongtruc": [
        "home",
        "tracker",
        "stats",
        "directive_list",
        "directive_detail",
        "task_detail",
        "unit_list",
        "user_list",
        "audit",
        "framework_list",
        "framework_detail",
        "round_list",
        "round_detail",
        "results_index",
        "ranking",
        "unit_result",
        "dossier_list",
        "procedure_list",
        "import_history",
        "import_dossiers",
        "kpi_table",
        "kpi_unit",
        "kpi_late",
        "score_items",
        "score_item_edit",
    ],
    "daumoi": ["home", "my_tasks", "assignment_detail", "directive_list", "results_index", "dossier_list"],
    "daumoi_xa": ["kpi_table", "kpi_unit", "kpi_late", "score_items"],
    "quantri": ["home", "user_list", "audit", "unit_list"],
}


def check_page(page: Page, name: str, path: str, artifacts: Path, account: str) -> list[str]:
    """The page's problems on a phone (empty when it fits), after taking its screenshot."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{account} {name}: {response and response.status}"
    expect(page.locator("h1")).to_have_count(1)
    page.screenshot(path=artifacts / f"phone-{account}-{name}.png", full_page=True)
    layout = page.evaluate(LAYOUT_JS)
    problems = []
    if layout["scrollWidth"] > layout["innerWidth"]:
        problems.append(f"{account} {name}: {layout['scrollWidth']}px wide, e.g. {layout['wide']}")
    if layout["header"] > HEADER_MAX_PX:
        problems.append(f"{account} {name}: header {layout['header']:.0f}px tall")
    return problems


@pytest.mark.django_db(transaction=True)
def test_every_main_list_page_fits_a_phone_with_a_compact_header_and_lists_as_cards(
    phone_page: Page, live_server: LiveServer, demo: dict[str, str], artifacts_dir: Path
) -> None:
    # (One test: the demo takes minutes to load.)
    page = phone_page
    watch = ProblemWatch(page)
    problems = check_page(page, "login", reverse("accounts:login"), artifacts_dir, "anonymous")
    for account, names in ROLE_PAGES.items():
        page.context.clear_cookies()
        log_in(page, account, DEFAULT_PASSWORD)
        expect(page.get_by_test_id("logout")).to_be_attached()
        for name in names:
            problems += check_page(page, name, demo[name], artifacts_dir, account)
    assert problems == []

    # The tracker's rows are cards: the column headings are hidden and each cell says what it is.
    page.context.clear_cookies()
    log_in(page, "thuongtruc", DEFAULT_PASSWORD)
    page.goto(demo["tracker"])
    tracker = page.get_by_test_id("tracker")
    row = tracker.locator("tbody tr").first
    assert row.evaluate("(el) => getComputedStyle(el).display") == "block"
    assert tracker.locator("thead").evaluate("(el) => el.getBoundingClientRect().height") <= 1
    unit_cell = row.locator("td[data-label]").nth(1)
    assert unit_cell.evaluate("(el) => getComputedStyle(el, '::before').content") == '"Đơn vị thực hiện"'

    # The menu and the user's links are folded behind the toggle, and open with it.
    expect(page.get_by_test_id("logout")).to_be_hidden()
    expect(page.get_by_label("Ngôn ngữ")).to_be_hidden()
    page.locator("label[for=nav-toggle]").click()
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(page.get_by_label("Ngôn ngữ")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "phone-menu-open.png")
    watch.assert_none()
