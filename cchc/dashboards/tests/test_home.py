"""The landing page: one per role, reached right after signing in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.services import user_create, user_update
from cchc.organisations.models import Membership, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.testing.personas import PASSWORD, Personas

HEADINGS = {
    "admin": "Quản trị hệ thống",
    "secretariat": "Cơ quan thường trực cải cách hành chính",
    "leader": "Lãnh đạo",
    "focal_a": "Cán bộ đầu mối cải cách hành chính",
    "focal_b": "Cán bộ đầu mối cải cách hành chính",
    "appraiser": "Thành viên tổ thẩm định",
    "supervisor": "Giám sát",
}


# The queries of each home page, whatever the size of the province (the dashboards read more than the overviews).
MAX_QUERIES = {
    "admin": 20,
    "secretariat": 40,
    "leader": 40,
    "focal_a": 40,
    "focal_b": 40,
    "appraiser": 20,
    "supervisor": 40,
}


def _heading(html: str) -> str:
    start = html.index('data-testid="home-heading">') + len('data-testid="home-heading">')
    return html[start : html.index("</h1>", start)]


@pytest.mark.parametrize("persona", list(HEADINGS))
def test_each_persona_lands_on_the_home_page_of_its_role_after_signing_in(personas: Personas, persona: str) -> None:
    client = Client()
    user = getattr(personas, persona)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:home")
    assert _heading(response.content.decode()) == HEADINGS[persona]


def test_a_council_member_gets_the_council_page(personas: Personas) -> None:
    RoleAssignment.objects.create(user=personas.leader, role=Role.COUNCIL, scope=personas.province)
    RoleAssignment.objects.filter(user=personas.leader, role=Role.LEADER).delete()
    html = personas.client("leader").get("/").content.decode()
    assert _heading(html) == "Thành viên hội đồng thẩm định"


def test_the_most_responsible_role_chooses_the_page(personas: Personas) -> None:
    RoleAssignment.objects.create(user=personas.focal_a, role=Role.SECRETARIAT, scope=personas.unit_a)
    assert _heading(personas.client("focal_a").get("/").content.decode()) == HEADINGS["secretariat"]


def test_a_person_without_a_role_is_told_whom_to_ask(personas: Personas) -> None:
    newcomer = user_create(actor=None, username="moi", full_name="Người Mới", password=None, unit=personas.unit_b)
    client = Client()
    client.force_login(newcomer, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/").content.decode()
    assert _heading(html) == "Chưa được phân quyền"
    assert "cơ quan thường trực cải cách hành chính" in html
    assert reverse("organisations:unit_list") not in html.split("<main")[1]


def test_anonymous_visitors_are_sent_to_the_login_page(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_home_page_refuses_post(personas: Personas) -> None:
    assert personas.client("focal_a").post("/").status_code == 405


def _main(client: Client) -> str:
    return client.get("/").content.decode().split('<main id="main"')[1]


def test_the_focal_point_sees_its_unit_its_colleagues_and_its_dashboard(personas: Personas) -> None:
    colleague = User.objects.create_user(username="dongnghiep", full_name="Đồng Nghiệp Sở Tư pháp")
    Membership.objects.create(user=colleague, unit=personas.unit_a, position="Chánh Văn phòng")
    html = _main(personas.client("focal_a"))
    assert reverse("organisations:unit_detail", args=[personas.unit_a.pk]) in html
    assert "Đồng Nghiệp Sở Tư pháp — Chánh Văn phòng" in html
    assert 'data-testid="board-focal-point"' in html
    assert reverse("accounts:profile") in html
    assert reverse("accounts:user_list") not in html
    assert reverse("audit:entry_list") not in html


def test_the_appraiser_sees_the_units_of_the_province_without_management_links(personas: Personas) -> None:
    html = _main(personas.client("appraiser"))
    for unit in (personas.home_affairs, personas.unit_a, personas.unit_b, personas.front):
        assert reverse("organisations:unit_detail", args=[unit.pk]) in html
    assert "Xã Ngoài Phạm Vi" not in html


def test_the_leader_sees_a_dashboard_without_management_links(personas: Personas) -> None:
    html = _main(personas.client("leader"))
    assert 'data-testid="board-leader"' in html
    assert "Xã Ngoài Phạm Vi" not in html
    assert reverse("accounts:user_create") not in html
    assert "Thay đổi gần đây" not in html


def test_the_supervisor_page_is_read_only(personas: Personas) -> None:
    html = _main(personas.client("supervisor"))
    assert "không chỉnh sửa" in html
    assert 'method="post"' not in html
    assert reverse("accounts:user_list") not in html


def test_the_administrator_sees_people_waiting_for_a_role_and_recent_changes(personas: Personas) -> None:
    newcomer = user_create(
        actor=personas.secretariat, username="moi", full_name="Người Mới Đến", password=None, unit=personas.unit_b
    )
    html = _main(personas.client("admin"))
    assert "Cần phân quyền" in html
    assert reverse("accounts:user_detail", args=[newcomer.pk]) in html
    assert "Thay đổi gần đây" in html


def test_the_secretariat_gets_its_dashboard_instead_of_account_counts_and_audit_rows(personas: Personas) -> None:
    user_create(actor=personas.admin, username="xa", full_name="Cán Bộ Xa", password=None, unit=personas.other_commune)
    html = _main(personas.client("secretariat"))
    assert 'data-testid="board-secretariat"' in html
    assert "Thay đổi gần đây" not in html and "Cán Bộ Xa" not in html
    assert reverse("accounts:user_create") in html
    assert reverse("audit:entry_list") in html


def _grow(personas: Personas) -> None:
    """More of everything the home pages show."""
    for number in range(10):
        unit = unit_create(
            actor=None,
            data=UnitData(name=f"Xã Thêm {number}", kind=UnitKind.COMMUNE, code=f"T-P-THEM-{number}", subtype="ward"),
            parent=personas.province,
        )
        unit_create(
            actor=None,
            data=UnitData(name=f"Phòng Thêm {number}", kind=UnitKind.OFFICE, code=f"T-P-STP-P{number}"),
            parent=personas.unit_a,
        )
        person = user_create(actor=None, username=f"them{number}", full_name=f"Thêm {number}", password=None, unit=unit)
        Membership.objects.create(user=person, unit=personas.unit_a)
        user_update(actor=personas.secretariat, user=person, full_name=f"Thêm số {number}")


@pytest.mark.parametrize("persona", list(HEADINGS))
def test_the_home_page_runs_a_fixed_small_number_of_queries(
    personas: Personas, persona: str, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    client = personas.client(persona)
    client.get("/")
    cache.clear()  # the dashboards computed, not read from the cache
    with django_assert_max_num_queries(MAX_QUERIES[persona]) as before:
        client.get("/")
    _grow(personas)
    cache.clear()
    with django_assert_num_queries(len(before.captured_queries)):
        client.get("/")
    if persona in CACHED_QUERIES:
        with django_assert_max_num_queries(CACHED_QUERIES[persona]):
            client.get("/")  # the dashboard from the cache


# The queries of a home page whose dashboard comes from the cache (``cchc.lib.page_cache``).
CACHED_QUERIES = {"secretariat": 7, "leader": 7, "focal_a": 8, "focal_b": 8, "supervisor": 7}


def test_units_under_the_scope_are_grouped_once_per_kind_whatever_the_commune_subtype(personas: Personas) -> None:
    for name, subtype in [("Phường An Bình", "ward"), ("Xã Bình An", "commune"), ("Phường Cẩm Lệ", "ward")]:
        unit_create(
            actor=None,
            data=UnitData(name=name, kind=UnitKind.COMMUNE, code=name, subtype=subtype),
            parent=personas.province,
        )
    html = _main(personas.client("appraiser"))
    assert html.count("<h3>Xã, phường, đặc khu, thị trấn <span") == 1
    heading = html.index("<h3>Xã, phường, đặc khu, thị trấn <span")
    assert all(html.index(name) > heading for name in ("Phường An Bình", "Xã Bình An", "Phường Cẩm Lệ", "Xã Hòa Bình"))


def test_the_focal_points_self_assessment_link_opens_its_only_open_sheet(personas: Personas) -> None:
    from cchc.assessments import services
    from cchc.assessments.tests.conftest import build_workflow, self_assess_all

    wf = build_workflow(personas)
    sheet_url = reverse("assessments:assessment_detail", args=[wf.a.pk])
    html = _main(personas.client("focal_a"))
    assert f'href="{sheet_url}" data-testid="own-sheet">Tự đánh giá Chỉ số CCHC</a>' in html
    self_assess_all(wf, wf.a, personas.focal_a)
    services.assessment_submit(actor=personas.focal_a, assessment=wf.a)
    html = _main(personas.client("focal_a"))  # nothing left to fill in: the rounds, as before
    assert f'href="{reverse("assessments:round_list")}">Tự đánh giá Chỉ số CCHC</a>' in html
    assert 'data-testid="own-sheet"' not in html
    assert "Đã nộp" in html.split('data-testid="my-sheet"')[1]  # the dashboard still shows the sheet, submitted
