"""Permission matrix: a unit sees and reports only its own assignments; the secretariat reviews in scope;
leaders and supervisors read; nobody sees another province's work."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cchc.directives import access, services
from cchc.directives.models import Assignment, Directive
from cchc.testing.personas import Personas

from .conftest import make_directive, make_task

FUTURE = datetime.date(2030, 6, 30)


@pytest.fixture
def work(personas: Personas, directive: Directive) -> dict[str, Assignment]:
    a = make_task(personas, directive, personas.unit_a, deadline=FUTURE).assignments.get()
    b = make_task(personas, directive, personas.unit_b, deadline=FUTURE).assignments.get()
    office = make_task(personas, directive, personas.office_a, deadline=FUTURE).assignments.get()
    elsewhere_directive = make_directive(personas, issuing_unit=personas.other_province, reference="9/KH-UBND")
    elsewhere = make_task(personas, elsewhere_directive, personas.other_commune, deadline=FUTURE).assignments.get()
    return {"a": a, "b": b, "office": office, "elsewhere": elsewhere}


VISIBLE = {
    "admin": {"a", "b", "office", "elsewhere"},
    "secretariat": {"a", "b", "office"},
    "leader": {"a", "b", "office"},
    "supervisor": {"a", "b", "office"},
    "focal_a": {"a", "office"},
    "focal_b": {"b"},
    "appraiser": set(),
    "anonymous": set(),
}
REPORTS = {"admin": {"a", "b", "office", "elsewhere"}, "focal_a": {"a", "office"}, "focal_b": {"b"}}
REVIEWS = {"admin": {"a", "b", "office", "elsewhere"}, "secretariat": {"a", "b", "office"}}


@pytest.mark.parametrize("name", list(VISIBLE))
def test_each_persona_sees_reports_and_reviews_exactly_its_assignments(
    personas: Personas, work: dict[str, Assignment], name: str
) -> None:
    user = personas.user(name) or AnonymousUser()
    visible_ids = set(access.get_assignments_for_user(user).values_list("pk", flat=True))
    assert visible_ids == {work[key].pk for key in VISIBLE[name]}
    for key, assignment in work.items():
        if user is None:
            continue
        assert access.can_report_assignment(user, assignment) == (key in REPORTS.get(name, set())), key
        assert access.can_review_assignment(user, assignment) == (key in REVIEWS.get(name, set())), key


@pytest.mark.parametrize("name", ["admin", "secretariat", "leader", "supervisor", "focal_a", "focal_b", "appraiser"])
def test_assignment_page_opens_only_for_those_who_may_see_it(
    personas: Personas, work: dict[str, Assignment], name: str
) -> None:
    client = personas.client(name)
    response = client.get(reverse("directives:assignment_detail", args=[work["a"].pk]))
    assert response.status_code == (200 if "a" in VISIBLE[name] else 404)


def test_anonymous_visitor_is_sent_to_login(personas: Personas, work: dict[str, Assignment]) -> None:
    response = personas.client("anonymous").get(reverse("directives:assignment_detail", args=[work["a"].pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("focal_a", 302),
        ("focal_b", 404),
        ("supervisor", 403),
        ("leader", 403),
        ("secretariat", 403),
        ("anonymous", 302),
    ],
)
def test_only_the_units_own_people_report_progress(
    personas: Personas, work: dict[str, Assignment], name: str, status: int
) -> None:
    response = personas.client(name).post(
        reverse("directives:report_create", args=[work["a"].pk]), {"percent": "30", "text": "Đang triển khai"}
    )
    assert response.status_code == status
    assert work["a"].reports.exists() == (name == "focal_a")


@pytest.mark.parametrize(
    ("name", "status"), [("secretariat", 302), ("focal_a", 403), ("leader", 403), ("focal_b", 404)]
)
def test_only_the_secretariat_accepts_completion(
    personas: Personas, work: dict[str, Assignment], name: str, status: int
) -> None:
    report = services.report_submit(actor=personas.focal_a, assignment=work["a"], percent=100, text="Xong")
    response = personas.client(name).post(
        reverse("directives:report_review", args=[report.pk]), {"decision": "accept", "comment": ""}
    )
    assert response.status_code == status
    work["a"].refresh_from_db()
    assert (work["a"].completed_on is not None) == (name == "secretariat")


@pytest.mark.parametrize(
    ("name", "status"),
    [("secretariat", 200), ("leader", 200), ("supervisor", 200), ("admin", 200), ("focal_a", 403), ("appraiser", 403)],
)
def test_tracker_is_for_the_secretariat_leaders_and_supervisors(
    personas: Personas, work: dict[str, Assignment], name: str, status: int
) -> None:
    assert personas.client(name).get(reverse("directives:tracker")).status_code == status
    assert personas.client(name).get(reverse("directives:stats")).status_code == status


@pytest.mark.parametrize(("name", "status"), [("secretariat", 200), ("admin", 200), ("leader", 403), ("focal_a", 403)])
def test_only_the_secretariat_registers_directives(personas: Personas, name: str, status: int) -> None:
    assert personas.client(name).get(reverse("directives:directive_create")).status_code == status
    assert personas.client(name).get(reverse("directives:directive_upload")).status_code == status


def test_focal_point_sees_the_directive_that_gives_its_unit_work_but_not_others(
    personas: Personas, work: dict[str, Assignment]
) -> None:
    client = personas.client("focal_b")
    mine = client.get(reverse("directives:directive_detail", args=[work["b"].directive_id]))
    assert mine.status_code == 200
    assert client.get(reverse("directives:directive_detail", args=[work["elsewhere"].directive_id])).status_code == 404
    # The roll-up on the directive page counts only the focal point's own assignments.
    assert mine.context["total"].total == 1


def test_supervisor_reads_the_directive_but_cannot_add_tasks(personas: Personas, work: dict[str, Assignment]) -> None:
    client = personas.client("supervisor")
    assert client.get(reverse("directives:directive_detail", args=[work["a"].directive_id])).status_code == 200
    assert client.get(reverse("directives:task_create", args=[work["a"].directive_id])).status_code == 403


def test_attachment_download_follows_the_assignment(personas: Personas, work: dict[str, Assignment]) -> None:
    stored = services.StoredFile(name="bao-cao.pdf", content=b"%PDF-1.4 test")
    report = services.report_submit(
        actor=personas.focal_a, assignment=work["a"], percent=50, text="Kèm tệp", attachments=[stored]
    )
    attachment = report.attachments.get()
    url = reverse("directives:attachment_download", args=[attachment.pk])
    assert personas.client("focal_a").get(url).status_code == 200
    assert personas.client("secretariat").get(url).status_code == 200
    assert personas.client("focal_b").get(url).status_code == 404
