from __future__ import annotations

import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.assessments.models import Assessment, Result, Round, Stage
from cchc.assessments.results import compute_round
from cchc.organisations.models import Membership, Unit, UnitKind

from .factories import build_assessment, build_framework, build_round, leaves

ALL = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")


def _round(personas, *, stage=Stage.PUBLISHED, is_public=False, compute=True):
    departments = build_framework()
    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    round_ = build_round(
        organiser=personas.province, frameworks=[departments, communes], stage=stage, is_public=is_public
    )
    a = build_assessment(round_, personas.unit_a, departments, {"2.1": 20})
    home = build_assessment(round_, personas.home_affairs, departments, {"2.1": 20})
    b = build_assessment(round_, personas.unit_b, communes, {"1.2": 5})
    if compute:
        compute_round(round_)
    return round_, a, home, b


@pytest.fixture
def published(personas):
    return _round(personas)


def _url(name, *args):
    return reverse(f"assessments:{name}", args=args)


@pytest.mark.parametrize("name", ALL)
def test_everyone_with_a_role_in_the_province_sees_a_published_ranking(personas, published, name):
    round_ = published[0]
    response = personas.client(name).get(_url("results_ranking", round_.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sở Tư pháp" in content and "Sở Nội vụ" in content
    assert "đồng hạng" in content  # both departments have 92 points


def test_the_ranking_shows_one_unit_kind_at_a_time(personas, published):
    round_ = published[0]
    client = personas.client("leader")
    departments = client.get(_url("results_ranking", round_.pk)).content.decode()
    assert "Xã Hòa Bình" not in departments
    communes = client.get(_url("results_ranking", round_.pk), {"kind": "commune"}).content.decode()
    assert "Xã Hòa Bình" in communes and "Sở Tư pháp" not in communes


def test_the_cached_ranking_shows_a_renamed_unit_and_a_changed_result_at_the_next_request(personas, published):
    round_ = published[0]
    client = personas.client("leader")
    url = _url("results_ranking", round_.pk)
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url).content.decode()
    assert again[again.index('data-testid="ranking"') :] == first[first.index('data-testid="ranking"') :]
    with CaptureQueriesContext(connection) as computed:
        client.get(url, {"kind": "commune"})
    assert len(cached) < len(computed)
    # Writes that bypass the models' signals, as an import or a bulk correction does.
    Unit.objects.filter(pk=personas.unit_a.pk).update(name="Sở Pháp chế")
    renamed = client.get(url).content.decode()
    assert "Sở Pháp chế" in renamed and "Sở Tư pháp" not in renamed and 'data-testid="tied"' in renamed
    Result.objects.filter(assessment__round=round_).update(rank_tied=False)
    assert 'data-testid="tied"' not in client.get(url).content.decode()


def test_the_ranking_lists_the_council_s_approvals_without_full_appraisal_of_the_kind_shown(personas, published):
    round_, a, _home, b = published
    client = personas.client("leader")
    url = _url("results_ranking", round_.pk)
    assert 'data-testid="overrides"' not in client.get(url).content.decode()
    # Written as a bulk correction would be (no model signal): the cached page shows it at the next request.
    Assessment.objects.filter(pk=a.pk).update(approval_override_reason="Đơn vị không nộp phiếu đúng hạn")
    Assessment.objects.filter(pk=b.pk).update(approval_override_reason="Xã mới sáp nhập")
    departments = client.get(url).content.decode()
    communes = client.get(url, {"kind": "commune"}).content.decode()
    assert "Đơn vị không nộp phiếu đúng hạn" in departments and "Xã mới sáp nhập" not in departments
    assert "Xã mới sáp nhập" in communes and "Đơn vị không nộp phiếu đúng hạn" not in communes
    assert f"<strong>{personas.unit_b.name}</strong>: Xã mới sáp nhập" in communes


def test_a_cached_ranking_reads_nothing_of_the_assessments_only_the_data_versions(personas, published):
    round_ = published[0]
    client = personas.client("secretariat")
    url = _url("results_ranking", round_.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    # The session and the data versions: the person, the round with its organiser and whether it has results, the
    # tables, the kinds and the council's approvals all come from the cache under those versions.
    assert [sql.split(" FROM ")[1].split()[0] for sql in statements] == ['"django_session"', '"cchc_lib_dataversion"']


def test_a_cached_ranking_follows_its_round_taken_back_from_publication_at_the_next_request(personas, published):
    round_ = published[0]
    client = personas.client("focal_a")
    url = _url("results_ranking", round_.pk)
    assert client.get(url).status_code == 200
    Round.objects.filter(pk=round_.pk).update(stage=Stage.COUNCIL)  # no model signal, as a bulk correction
    assert client.get(url).status_code == 404
    Round.objects.filter(pk=round_.pk).update(stage=Stage.PUBLISHED)
    assert client.get(url).status_code == 200


def test_the_cached_ranking_links_only_the_units_each_reader_may_open(personas, published):
    round_, a, home, _b = published
    url = _url("results_ranking", round_.pk)
    everything = personas.client("leader").get(url).content.decode()
    own = personas.client("focal_a").get(url).content.decode()
    assert _url("results_unit", round_.pk, home.pk) in everything
    assert _url("results_unit", round_.pk, a.pk) in own and _url("results_unit", round_.pk, home.pk) not in own


def test_anonymous_visitors_and_other_provinces_do_not_see_the_ranking(personas, published, django_user_model):
    round_ = published[0]
    response = personas.client("anonymous").get(_url("results_ranking", round_.pk))
    assert response.status_code == 302
    outsider = User.objects.create(username="ngoaitinh")
    Membership.objects.create(user=outsider, unit=personas.other_commune)
    RoleAssignment.objects.create(user=outsider, role=Role.LEADER, scope=personas.other_province)
    client = Client()
    client.force_login(outsider, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(_url("results_ranking", round_.pk)).status_code == 404
    assert client.get(_url("results_decision_docx", round_.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "status"),
    [("admin", 200), ("secretariat", 200), ("leader", 404), ("focal_a", 404), ("supervisor", 404), ("appraiser", 404)],
)
def test_before_publication_only_the_secretariat_and_admin_see_results(personas, name, status):
    round_ = _round(personas, stage=Stage.COUNCIL)[0]
    assert personas.client(name).get(_url("results_ranking", round_.pk)).status_code == status


def test_a_council_member_sees_results_before_publication(personas):
    round_ = _round(personas, stage=Stage.COUNCIL)[0]
    RoleAssignment.objects.create(user=personas.leader, role=Role.COUNCIL, scope=personas.province)
    assert personas.client("leader").get(_url("results_ranking", round_.pk)).status_code == 200


def test_results_not_computed_yet_are_not_shown_to_anybody(personas):
    round_ = _round(personas, compute=False)[0]
    assert personas.client("admin").get(_url("results_ranking", round_.pk)).status_code == 404


def test_a_focal_point_opens_its_own_unit_result_but_not_another_units(personas, published):
    round_, a, home, b = published
    client = personas.client("focal_a")
    assert client.get(_url("results_unit", round_.pk, a.pk)).status_code == 200
    assert client.get(_url("results_unit", round_.pk, home.pk)).status_code == 404
    assert client.get(_url("results_unit_sheet_xlsx", round_.pk, home.pk)).status_code == 404
    ranking = client.get(_url("results_ranking", round_.pk)).content.decode()
    assert _url("results_unit", round_.pk, a.pk) in ranking
    assert _url("results_unit", round_.pk, home.pk) not in ranking
    assert personas.client("focal_b").get(_url("results_unit", round_.pk, b.pk)).status_code == 200


@pytest.mark.parametrize("name", ["admin", "secretariat", "leader", "supervisor"])
def test_province_wide_readers_open_every_unit_result(personas, published, name):
    round_, _a, home, _b = published
    assert personas.client(name).get(_url("results_unit", round_.pk, home.pk)).status_code == 200


def test_the_unit_page_shows_area_indices_and_the_criteria_below_max(personas, published):
    round_, a, _home, _b = published
    response = personas.client("focal_a").get(_url("results_unit", round_.pk, a.pk))
    content = response.content.decode()
    assert "Chỉ số thành phần theo lĩnh vực" in content
    assert response.context["gaps"][0].criterion.code == "2.1"
    assert len(response.context["gaps"]) == 1
    assert 'name="gaps"' in content


@pytest.mark.parametrize(("name", "status"), [("secretariat", 200), ("leader", 200), ("focal_a", 403)])
def test_the_points_lost_analysis_is_for_readers_of_every_unit(personas, published, name, status):
    round_ = published[0]
    client = personas.client(name)
    assert client.get(_url("results_points_lost", round_.pk)).status_code == status
    assert client.get(_url("results_points_lost_xlsx", round_.pk)).status_code == status


def test_the_points_lost_page_lists_criteria_with_the_units_that_lost_most(personas, published):
    round_ = published[0]
    response = personas.client("secretariat").get(_url("results_points_lost", round_.pk))
    rows = response.context["rows"]
    assert rows[0][0].criterion.code == "2.1"
    assert "Sở Tư pháp (10)" in response.content.decode()


def test_downloads_are_real_files(personas, published):
    round_, a, _home, _b = published
    client = personas.client("leader")
    ranking = client.get(_url("results_ranking_xlsx", round_.pk))
    assert ranking["Content-Disposition"].endswith('.xlsx"')
    assert load_workbook(io.BytesIO(ranking.content)).sheetnames[0] == "Sở, ban, ngành"
    decision = client.get(_url("results_decision_docx", round_.pk))
    assert "QUYẾT ĐỊNH" in [paragraph.text for paragraph in Document(io.BytesIO(decision.content)).paragraphs]
    sheet = client.get(_url("results_unit_sheet_xlsx", round_.pk, a.pk))
    assert load_workbook(io.BytesIO(sheet.content)).worksheets[0].title == "Phiếu chấm điểm"


def test_the_remediation_plan_is_built_from_the_selected_gaps(personas, published):
    round_, a, _home, _b = published
    gap = leaves(a.framework)["2.1"]
    response = personas.client("focal_a").post(
        _url("results_remediation_plan_xlsx", round_.pk, a.pk), {"gaps": [gap.pk], "deadline": "2025-06-30"}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[3][0] == "STT"
    assert rows[4][1] == "2.1. Tỷ lệ hồ sơ giải quyết đúng hạn"
    assert rows[4][7] == datetime.datetime(2025, 6, 30)


def test_a_remediation_plan_without_a_selection_or_with_a_bad_date_answers_in_vietnamese(personas, published):
    round_, a, _home, _b = published
    client = personas.client("focal_a")
    response = client.post(_url("results_remediation_plan_xlsx", round_.pk, a.pk), {"deadline": "không rõ"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Chọn ít nhất một tiêu chí" in content
    gap = leaves(a.framework)["2.1"]
    response = client.post(_url("results_remediation_plan_xlsx", round_.pk, a.pk), {"gaps": [gap.pk, "abc", 999999]})
    assert response.status_code == 400


def test_another_units_focal_point_cannot_build_its_remediation_plan(personas, published):
    round_, a, _home, _b = published
    gap = leaves(a.framework)["2.1"]
    response = personas.client("focal_b").post(
        _url("results_remediation_plan_xlsx", round_.pk, a.pk), {"gaps": [gap.pk]}
    )
    assert response.status_code == 404


def test_the_public_page_shows_only_published_public_rounds_to_anonymous_visitors(personas):
    public = _round(personas, is_public=True)[0]
    response = personas.client("anonymous").get(_url("results_public", public.pk))
    assert response.status_code == 200
    assert "Sở Tư pháp" in response.content.decode()
    assert _url("results_unit", public.pk, 1)[:-2] not in response.content.decode()


@pytest.mark.parametrize(("stage", "is_public"), [(Stage.PUBLISHED, False), (Stage.COUNCIL, True)])
def test_the_public_page_hides_rounds_not_published_or_not_public(personas, stage, is_public):
    round_ = _round(personas, stage=stage, is_public=is_public)[0]
    assert personas.client("anonymous").get(_url("results_public", round_.pk)).status_code == 404


def test_the_results_index_lists_rounds_the_user_may_see(personas, published):
    round_ = published[0]
    hidden = _round(personas, stage=Stage.COUNCIL)[0]
    hidden.name = "Kỳ chưa công bố"
    hidden.save()
    leader = personas.client("leader").get(_url("results_index")).content.decode()
    assert round_.name in leader and "Kỳ chưa công bố" not in leader
    secretariat = personas.client("secretariat").get(_url("results_index")).content.decode()
    assert "Kỳ chưa công bố" in secretariat


def _count_queries(client, url):
    cache.clear()  # the ranking computed, not read from the cache
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# One query more than before lists the sheets the council approved with a reason, and one reads the versions of the
# data the cached ranking tables were made from (``cchc.lib.page_cache``); computed here, not read from the cache.
# With the cache emptied the reader's roles are read again too, with the versions of the accounts they are kept under.
@pytest.mark.parametrize(("name", "limit"), [("focal_a", 16), ("leader", 13), ("secretariat", 13)])
def test_the_ranking_page_takes_a_fixed_number_of_queries_whatever_the_number_of_units(personas, name, limit):
    last = _round(personas)[0]
    round_, _a, _home, _b = _round(personas)
    round_.previous_round = last
    round_.save()
    departments = round_.frameworks.get(unit_kind=UnitKind.DEPARTMENT)
    build_assessment(round_, personas.front, departments)  # a unit without last year's result
    compute_round(round_)
    client = personas.client(name)
    url = _url("results_ranking", round_.pk)
    client.get(url)  # the first page after signing in writes the session once
    before = _count_queries(client, url)
    assert before <= limit
    build_assessment(round_, personas.office_a, departments)
    compute_round(round_)
    assert _count_queries(client, url) == before
