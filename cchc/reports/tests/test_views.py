"""The reports pages: who sees and does what (the permission matrix), and the unit → secretariat round trip."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.audit.models import AuditEntry
from cchc.directives.models import Assignment
from cchc.reports import services
from cchc.reports.models import SECTION_TEXT_MAX_LENGTH, Report, ReportStatus, Section
from cchc.testing.personas import PERSONA_NAMES, Personas

from .conftest import YEAR, Year

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
# Queries of the report list and of the overview (session, data versions, the page's own reads; the person and their
# roles come from the cache once a page has been seen).
PINNED_LIST_QUERIES = 6
PINNED_OVERVIEW_QUERIES = 10


@pytest.fixture
def drafts(personas: Personas, year: Year) -> dict[str, Report]:
    return {
        "a": services.report_start(actor=personas.focal_a, unit=personas.unit_a, period=YEAR),
        "b": services.report_start(actor=personas.focal_b, unit=personas.unit_b, period=YEAR),
        "province": services.report_start(actor=personas.secretariat, unit=personas.province, period=YEAR),
    }


READERS_OF_A_DRAFT = {"admin": 200, "secretariat": 200, "focal_a": 200}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_a_units_draft_is_seen_by_the_unit_and_the_secretariat_only(
    personas: Personas, drafts: dict[str, Report], name: str
) -> None:
    response = personas.client(name).get(reverse("reports:report_detail", args=[drafts["a"].pk]))
    expected = 302 if name == "anonymous" else READERS_OF_A_DRAFT.get(name, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_report_list_shows_each_person_only_the_reports_they_may_read(
    personas: Personas, drafts: dict[str, Report], name: str
) -> None:
    response = personas.client(name).get(reverse("reports:report_list"))
    if name == "anonymous":
        assert response.status_code == 302
        return
    if response.status_code == 403:
        assert name in {"appraiser", "supervisor"}
        return
    shown = {report.pk for report in response.context["reports"]}
    assert (drafts["a"].pk in shown) == (name in READERS_OF_A_DRAFT)
    assert (drafts["b"].pk in shown) == (name in {"admin", "secretariat", "focal_b"})


def test_leaders_read_a_unit_report_once_it_is_submitted(personas: Personas, drafts: dict[str, Report]) -> None:
    url = reverse("reports:report_detail", args=[drafts["a"].pk])
    assert personas.client("leader").get(url).status_code == 404
    services.report_submit(actor=personas.focal_a, report=drafts["a"])
    assert personas.client("leader").get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "expected"), [("focal_a", 200), ("secretariat", 403), ("leader", 404), ("focal_b", 404)]
)
def test_only_the_units_people_write_its_report(
    personas: Personas, drafts: dict[str, Report], name: str, expected: int
) -> None:
    url = reverse("reports:section_save", args=[drafts["a"].pk, "direction"])
    response = personas.client(name).post(url, {"direction-text": "Nội dung"}, **HTMX)
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["focal_a", "focal_b", "leader", "supervisor"])
def test_only_the_secretariat_reviews_follows_and_replaces_the_template(
    personas: Personas, drafts: dict[str, Report], name: str
) -> None:
    services.report_submit(actor=personas.focal_a, report=drafts["a"])
    client = personas.client(name)
    assert client.get(reverse("reports:report_review", args=[drafts["a"].pk])).status_code in {403, 404}
    assert client.get(reverse("reports:overview")).status_code == 403
    assert client.get(reverse("reports:template")).status_code == 403
    assert (
        personas.client("secretariat").get(reverse("reports:report_review", args=[drafts["a"].pk])).status_code == 200
    )


def test_another_units_report_file_is_not_found(personas: Personas, drafts: dict[str, Report]) -> None:
    response = personas.client("focal_b").get(reverse("reports:report_download", args=[drafts["a"].pk, "docx"]))
    assert response.status_code == 404


def test_a_section_saved_twice_with_the_same_text_is_written_and_audited_once(
    personas: Personas, drafts: dict[str, Report]
) -> None:
    client = personas.client("focal_a")
    url = reverse("reports:section_save", args=[drafts["a"].pk, "procedures"])
    for _ in range(2):
        response = client.post(url, {"procedures-text": "Công khai 100 % thủ tục."}, **HTMX)
        assert response.status_code == 200
        assert "Đã lưu." in response.content.decode()
    assert Section.objects.get(report=drafts["a"], key="procedures").text == "Công khai 100 % thủ tục."
    assert AuditEntry.objects.filter(object_type="reports.section").count() == 1


def test_a_text_too_long_is_refused_with_a_message_and_comes_back_as_typed(
    personas: Personas, drafts: dict[str, Report]
) -> None:
    client = personas.client("focal_a")
    url = reverse("reports:section_save", args=[drafts["a"].pk, "procedures"])
    typed = "Đ" * (SECTION_TEXT_MAX_LENGTH + 1)
    response = client.post(url, {"procedures-text": typed}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert typed in page
    assert "Đã lưu." not in page
    assert not Section.objects.filter(report=drafts["a"], key="procedures").exists()


def test_the_round_trip_submits_returns_accepts_and_consolidates_through_the_task(
    personas: Personas, drafts: dict[str, Report]
) -> None:
    unit_client, office = personas.client("focal_a"), personas.client("secretariat")
    report = drafts["a"]
    unit_client.post(
        reverse("reports:section_save", args=[report.pk, "direction"]), {"direction-text": "Họp giao ban quý."}, **HTMX
    )
    confirm = unit_client.get(reverse("reports:report_submit", args=[report.pk]))
    assert "Mục “Cải cách thể chế” chưa có nội dung." in confirm.content.decode()
    unit_client.post(reverse("reports:report_submit", args=[report.pk]))
    unit_client.post(reverse("reports:report_submit", args=[report.pk]))  # a second click changes nothing
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.assignment_id is not None
    assignment = Assignment.objects.get(pk=report.assignment_id)
    assert assignment.review_pending and assignment.reports.count() == 1

    refused = office.post(reverse("reports:report_review", args=[report.pk]), {"action": "return", "reason": ""})
    assert refused.status_code == 400
    office.post(reverse("reports:report_review", args=[report.pk]), {"action": "return", "reason": "Bổ sung số liệu."})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    page = unit_client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Bổ sung số liệu." in page

    unit_client.post(reverse("reports:report_submit", args=[report.pk]))
    office.post(reverse("reports:report_review", args=[report.pk]), {"action": "accept", "comment": ""})
    report.refresh_from_db()
    assignment.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert assignment.completed_on is not None

    province = drafts["province"]
    office.post(reverse("reports:report_consolidate", args=[province.pk]))
    assert Section.objects.get(report=province, key="direction").text == "Sở Tư pháp: Họp giao ban quý."
    overview = office.get(reverse("reports:overview"), {"period": "2025"})
    assert overview.context["data"].accepted == 1


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_the_overview_cost_the_same_queries_whatever_the_number_of_reports(
    personas: Personas, year: Year
) -> None:
    client = personas.client("secretariat")
    overview = reverse("reports:overview") + "?period=2025"
    services.report_start(actor=personas.focal_a, unit=personas.unit_a, period=YEAR)
    client.get(reverse("reports:report_list"))  # the first page after signing in moves the session's deadline on
    client.get(reverse("reports:report_list"))  # and the second finds the roles kept in the cache
    few = (_queries(client, reverse("reports:report_list")), _queries(client, overview))
    report_b = services.report_start(actor=personas.focal_b, unit=personas.unit_b, period=YEAR)
    services.report_submit(actor=personas.focal_b, report=report_b)
    services.report_start(actor=personas.secretariat, unit=personas.province, period=YEAR)
    many = (_queries(client, reverse("reports:report_list")), _queries(client, overview))
    assert many == few
    assert few == (PINNED_LIST_QUERIES, PINNED_OVERVIEW_QUERIES)
