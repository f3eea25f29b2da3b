"""Browser journeys through the task tracker and an assignment's panels: ticking rows for reminders keeps the ticks
(only the filter fields reload the table), and a refused extension opens its panel with the message."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives import services
from cchc.directives.models import DeadlineKind, Directive, DirectiveKind, Notification, ReminderLog
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser


def _directive_with_tasks(personas: Personas) -> Directive:
    today = timezone.localdate()
    directive = services.directive_create(
        actor=personas.secretariat,
        data=services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận của Chủ tịch UBND tỉnh về cải cách hành chính",
            issuing_unit=personas.province,
            reference="176/TB-UBND",
            issued_on=today - datetime.timedelta(days=30),
        ),
    )
    for unit, content in [
        (personas.unit_a, "Rà soát thủ tục hành chính của Sở"),
        (personas.unit_b, "Niêm yết công khai thủ tục tại bộ phận một cửa xã"),
        (personas.unit_b, "Báo cáo kết quả khảo sát sự hài lòng"),
    ]:
        services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=services.TaskData(
                content=content,
                deadline_kind=DeadlineKind.DATE,
                units=[unit],
                deadline=today + datetime.timedelta(days=20),
            ),
        )
    return directive


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_ticks_two_rows_of_the_tracker_and_sends_two_reminders(
    page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    _directive_with_tasks(personas)
    watch = ProblemWatch(page)
    log_in(page, personas.secretariat.username)
    page.goto("/directives/tracker/")
    tracker = page.get_by_test_id("tracker")
    expect(tracker.locator("tbody tr")).to_have_count(3)

    reloads: list[str] = []

    def on_request(request: Request) -> None:
        if "/directives/tracker/" in request.url and request.headers.get("hx-request"):
            reloads.append(request.url)

    page.on("request", on_request)
    for content in ("Rà soát thủ tục hành chính", "Niêm yết công khai thủ tục"):
        tracker.get_by_role("row").filter(has_text=content).get_by_label("Chọn để nhắc").check()
    page.wait_for_timeout(300)  # a reload, if any, would have started by now
    assert reloads == [], "ticking a row reloaded the table"
    expect(tracker.get_by_label("Chọn để nhắc").and_(page.locator(":checked"))).to_have_count(2)
    page.screenshot(path=artifacts_dir / "tracker-ticked.png", full_page=True)

    page.get_by_role("button", name="Gửi nhắc việc cho các nhiệm vụ đã chọn").click()
    expect(page.get_by_role("status")).to_contain_text("Đã gửi 2 lời nhắc")
    logs = ReminderLog.objects.filter(kind="manual")
    assert sorted(logs.values_list("recipient__username", flat=True)) == sorted(
        [personas.focal_a.username, personas.focal_b.username]
    )
    assert Notification.objects.filter(user=personas.focal_b, kind="manual").count() == 1

    # A filter field still reloads the table in place.
    page.get_by_label("Tình trạng").select_option("all")
    page.wait_for_function("() => new URL(location.href).searchParams.get('status') === 'all'")
    assert reloads
    watch.assert_none()


@pytest.mark.django_db(transaction=True)
def test_an_extension_too_far_away_comes_back_with_its_panel_open_and_the_message_beside_the_date(
    page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    directive = _directive_with_tasks(personas)
    assignment = directive.assignments.filter(unit=personas.unit_a).get()
    log_in(page, personas.focal_a.username)
    page.goto(f"/directives/assignments/{assignment.pk}/")
    panel = page.locator("details#extension")
    expect(panel.get_by_label("Hạn đề nghị")).to_be_hidden()
    panel.locator("summary").click()
    panel.get_by_label("Hạn đề nghị").fill((assignment.due_date + datetime.timedelta(days=400)).isoformat())
    panel.get_by_label("Lý do xin gia hạn").fill("Chờ hướng dẫn của Bộ Nội vụ")
    panel.get_by_role("button", name="Gửi đề nghị gia hạn").click()

    panel = page.locator("details#extension")
    expect(panel).to_have_attribute("open", "")
    date = panel.get_by_label("Hạn đề nghị")
    expect(date).to_be_visible()
    expect(date).to_have_attribute("aria-invalid", "true")
    message = panel.locator(".errorlist li")
    expect(message).to_have_text("Không thể gia hạn quá một năm.")
    expect(message).to_be_visible()
    page.screenshot(path=artifacts_dir / "extension-error.png", full_page=True)
