"""Permission matrix of the inspection pages: the secretariat manages; leaders, supervisors and appraisers read plans
in force; a unit sees only its own inspections and findings, never a draft plan nor another unit's inspection."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.services import api_token_create
from cchc.inspections import services
from cchc.inspections.models import Inspection, InspectionPlan
from cchc.testing.personas import PERSONA_NAMES, Personas


@pytest.fixture
def inspections(personas: Personas, plan: InspectionPlan) -> dict[str, Inspection]:
    today = timezone.localdate()
    a, _ = services.inspection_add(actor=personas.secretariat, plan=plan, unit=personas.unit_a, planned_on=today)
    b, _ = services.inspection_add(actor=personas.secretariat, plan=plan, unit=personas.unit_b, planned_on=today)
    services.plan_approve(actor=personas.secretariat, plan=plan)
    a = services.inspection_update(actor=personas.secretariat, inspection=a, planned_on=today, done_on=today)
    services.finding_create(
        actor=personas.secretariat,
        inspection=a,
        kind="recommendation",
        content="Chưa công khai thủ tục hành chính",
        deadline=today + datetime.timedelta(days=20),
    )
    return {"a": a, "b": b}


PLAN_READERS = {"admin", "secretariat", "leader", "supervisor", "appraiser"}
SEES_A = PLAN_READERS | {"focal_a"}
SEES_B = PLAN_READERS | {"focal_b"}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_each_persona_opens_exactly_the_pages_it_may(
    personas: Personas, plan: InspectionPlan, inspections: dict[str, Inspection], name: str
) -> None:
    client = personas.client(name)
    expected = {
        reverse("inspections:plan_detail", args=[plan.pk]): name in PLAN_READERS,
        reverse("inspections:inspection_detail", args=[inspections["a"].pk]): name in SEES_A,
        reverse("inspections:inspection_detail", args=[inspections["b"].pk]): name in SEES_B,
        reverse("inspections:plan_create"): name in {"admin", "secretariat"},
        reverse("inspections:plan_edit", args=[plan.pk]): name in {"admin", "secretariat"},
        reverse("inspections:inspection_edit", args=[inspections["a"].pk]): name in {"admin", "secretariat"},
    }
    for url, allowed in expected.items():
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302, url
        elif allowed:
            assert response.status_code == 200, url
        else:
            assert response.status_code in (403, 404), url


@pytest.mark.parametrize("name", ["leader", "supervisor", "focal_a", "focal_b", "appraiser"])
def test_only_the_secretariat_records_findings_and_closes_plans(
    personas: Personas, plan: InspectionPlan, inspections: dict[str, Inspection], name: str
) -> None:
    client = personas.client(name)
    response = client.post(
        reverse("inspections:finding_create", args=[inspections["a"].pk]),
        {"kind": "shortcoming", "content": "Thêm", "deadline": "2099-01-01"},
    )
    assert response.status_code in (403, 404)
    assert client.post(reverse("inspections:plan_close", args=[plan.pk])).status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert inspections["a"].findings.count() == 1


def test_a_draft_plan_is_seen_by_the_secretariat_only(personas: Personas, plan: InspectionPlan) -> None:
    services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=personas.unit_a, planned_on=timezone.localdate()
    )
    url = reverse("inspections:plan_detail", args=[plan.pk])
    assert personas.client("secretariat").get(url).status_code == 200
    for name in ("leader", "supervisor", "focal_a"):
        assert personas.client(name).get(url).status_code == 404, name
    assert personas.client("focal_a").get(reverse("inspections:plan_list")).content.count(b"inspection/") == 0


def test_the_focal_point_list_shows_only_its_own_inspections(
    personas: Personas, inspections: dict[str, Inspection]
) -> None:
    page = personas.client("focal_a").get(reverse("inspections:plan_list")).content.decode()
    assert reverse("inspections:inspection_detail", args=[inspections["a"].pk]) in page
    assert reverse("inspections:inspection_detail", args=[inspections["b"].pk]) not in page


def test_the_secretariat_plans_records_a_finding_and_exports(
    personas: Personas, plan: InspectionPlan, inspections: dict[str, Inspection]
) -> None:
    client = personas.client("secretariat")
    response = client.post(
        reverse("inspections:finding_create", args=[inspections["a"].pk]),
        {"kind": "shortcoming", "content": "Chưa số hóa kết quả giải quyết", "deadline": "2099-01-01"},
    )
    assert response.status_code == 302
    assert inspections["a"].findings.count() == 2
    bad = client.post(
        reverse("inspections:finding_create", args=[inspections["a"].pk]),
        {"kind": "shortcoming", "content": "Hạn sai", "deadline": "01/01/2001"},
    )
    assert bad.status_code == 200 and "không được trước ngày hôm nay" in bad.content.decode()
    export = client.get(reverse("inspections:export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_plan_page_reads_a_fixed_number_of_queries(
    personas: Personas, plan: InspectionPlan, inspections: dict[str, Inspection]
) -> None:
    client = personas.client("secretariat")
    url = reverse("inspections:plan_detail", args=[plan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    services.inspection_add(
        actor=personas.secretariat, plan=plan, unit=personas.home_affairs, planned_on=timezone.localdate()
    )
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)


def test_the_api_lists_only_what_the_caller_may_read(
    personas: Personas, plan: InspectionPlan, inspections: dict[str, Inspection]
) -> None:
    for name, expected in (("secretariat", 2), ("focal_b", 1), ("focal_a", 1)):
        user = personas.user(name)
        assert user is not None
        _token, raw = api_token_create(actor=user, user=user, name="thử")
        response = personas.client("anonymous").get("/api/inspections/", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == expected, name


def test_a_unit_without_findings_is_taken_out_of_the_plan_by_the_secretariat_only(
    personas: Personas, plan: InspectionPlan, inspections: dict[str, Inspection]
) -> None:
    url = reverse("inspections:inspection_delete", args=[inspections["b"].pk])
    assert personas.client("focal_b").post(url).status_code in (403, 404)
    assert personas.client("secretariat").post(url).status_code == 302
    assert personas.client("secretariat").post(url).status_code == 302  # a second click
    assert not Inspection.objects.filter(pk=inspections["b"].pk).exists()
    refused = personas.client("secretariat").post(
        reverse("inspections:inspection_delete", args=[inspections["a"].pk]), follow=True
    )
    assert "đã có kiến nghị" in refused.content.decode()
    assert Inspection.objects.filter(pk=inspections["a"].pk).exists()
