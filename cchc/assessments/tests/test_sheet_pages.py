"""The sheet area by area, its confirmation before submitting, the appraiser's pages and the criterion picker.

Each test guards a rule of those pages: all leaves of an area on one page with inline saves (htmx or a plain
POST), optimistic locking shown next to the leaf, a submission that asks first and lists what is missing, a second
submission that changes nothing, bulk acceptance that names what it skipped, the worklist's filters and pages, the
message shown once the explanation deadline has passed, and evidence linked to criteria through the search picker.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.assessments import access, services
from cchc.assessments.forms import EvidenceFileForm, EvidenceReferenceForm
from cchc.assessments.models import Assessment, AssessmentStatus, Evidence, Round, Score, Stage
from cchc.assessments.picker import SCORE_SCOPES, sheet_scope
from cchc.audit.models import AuditEntry
from cchc.frameworks.models import Criterion, RuleKind
from cchc.testing.files import pdf_bytes

from .conftest import Workflow, self_assess_all

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
PDF = pdf_bytes()


def _sheet(client: Client, wf: Workflow, area: str | None = None) -> str:
    url = reverse("assessments:assessment_detail", args=[wf.a.pk])
    if area is not None:
        url += f"?area={Criterion.objects.get(framework=wf.a.framework, code=area).pk}"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _save(client: Client, wf: Workflow, code: str, *, htmx: bool = False, **data: str):  # type: ignore[no-untyped-def]
    score = wf.score(wf.a, code)
    payload = {"back": "sheet", "version": str(score.version), "note": "", "no_evidence_reason": "", **data}
    return client.post(reverse("assessments:score_self", args=[score.pk]), payload, **(HTMX if htmx else {}))


def _submitted(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)


def _appraisal(wf: Workflow) -> None:
    _submitted(wf)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    wf.refresh()


# ---------------------------------------------------------------------------
# The sheet, one area per page


def test_the_sheet_shows_every_leaf_of_an_area_with_its_own_form_and_tabs_for_the_other_areas(wf: Workflow) -> None:
    page = _sheet(wf.personas.client("focal_a"), wf)
    assert page.count('data-testid="leaf-form"') == 2  # 1.1 and 1.2, the leaves of area 1
    assert "Ban hành kế hoạch cải cách hành chính năm" in page and "Rà soát văn bản" not in page
    assert "Cải cách thể chế" in page and "0/2" in page  # the tab of area 2 and its progress
    ids = re.findall(r' id="([^"]+)"', page)
    assert [name for name in ids if ids.count(name) > 1] == []  # many forms on one page, no id twice
    page = _sheet(wf.personas.client("focal_a"), wf, area="2")
    assert "Rà soát văn bản quy phạm pháp luật" in page and "Ban hành kế hoạch" not in page
    assert "được tính tự động" in page  # the indicator leaf 2.2 takes a comment only


def test_an_unknown_area_is_not_found(wf: Workflow) -> None:
    client = wf.personas.client("focal_a")
    url = reverse("assessments:assessment_detail", args=[wf.a.pk])
    other = Criterion.objects.get(framework=wf.b.framework, code="1")
    assert client.get(f"{url}?area={other.pk}").status_code == 404
    assert client.get(f"{url}?area=99999999999999999999999").status_code == 200  # not a number we read: first area


def test_an_inline_save_with_htmx_answers_the_leaf_with_the_new_total_and_progress(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    response = _save(focal, wf, "1.1", htmx=True, points="2", no_evidence_reason="Lưu bản giấy")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="leaf-' in html and "Đã lưu: 2 điểm." in html
    assert 'id="sheet-summary" aria-label="Tiến độ và tổng điểm" hx-swap-oob="true"' in html
    # 2.2 is filled from data, so two of four leaves are done
    assert "Tổng điểm tự chấm: <strong>2</strong>" in html and "2/4 tiêu chí đã hoàn thành" in html
    assert "<html" not in html
    assert wf.score(wf.a, "1.1").self_score == Decimal(2)


def test_an_inline_save_without_javascript_returns_to_the_leaf_on_its_area_page(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    response = _save(focal, wf, "2.1", points="4,5")
    area = Criterion.objects.get(framework=wf.a.framework, code="2")
    score = wf.score(wf.a, "2.1")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?area={area.pk}#leaf-{score.pk}")
    assert score.self_score == Decimal("4.5")


def test_a_bad_inline_entry_shows_its_error_next_to_the_leaf_with_or_without_javascript(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    response = _save(focal, wf, "1.2", htmx=True, points="1,25")
    assert response.status_code == 200 and "bước 0,5" in response.content.decode()
    response = _save(focal, wf, "1.2", points="1,25")
    html = response.content.decode()
    assert response.status_code == 400 and "bước 0,5" in html and 'data-testid="area-tabs"' in html
    assert wf.score(wf.a, "1.2").self_score is None


def test_a_stale_inline_save_shows_the_conflict_message_next_to_the_leaf(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    score = wf.score(wf.a, "1.1")
    services.score_self_set(actor=wf.personas.focal_a, score=score, points=Decimal(1), version=score.version)
    stale = {"back": "sheet", "version": str(score.version), "points": "2", "note": "", "no_evidence_reason": ""}
    url = reverse("assessments:score_self", args=[score.pk])
    response = focal.post(url, stale, **HTMX)
    assert response.status_code == 200
    assert "vừa được người khác cập nhật lúc" in response.content.decode()
    response = focal.post(url, stale)
    assert response.status_code == 409 and "vừa được người khác cập nhật lúc" in response.content.decode()
    assert wf.score(wf.a, "1.1").self_score == Decimal(1)


def test_a_rule_driven_leaf_takes_its_choice_inline(wf: Workflow) -> None:
    area = Criterion.objects.get(framework=wf.a.framework, code="1")
    leaf = Criterion.objects.create(
        framework=wf.a.framework,
        parent=area,
        code="1.3",
        position=60,
        depth=1,
        title="Có ban hành quy chế làm việc",
        max_points=Decimal(1),
        rule_kind=RuleKind.YES_NO,
        lead_unit=wf.personas.home_affairs,
    )
    Score.objects.create(assessment=wf.a, criterion=leaf)
    focal = wf.personas.client("focal_a")
    page = _sheet(focal, wf)
    assert "Có (1 điểm)" in page and "Không (0 điểm)" in page
    response = _save(focal, wf, "1.3", htmx=True, choice="yes", no_evidence_reason="Bản giấy")
    assert response.status_code == 200
    score = wf.score(wf.a, "1.3")
    assert (score.self_choice, score.self_score) == ("yes", Decimal(1))


def test_other_roles_see_the_sheet_without_forms(wf: Workflow) -> None:
    _submitted(wf)
    page = _sheet(wf.personas.client("secretariat"), wf)
    assert 'data-testid="leaf-form"' not in page and 'data-testid="self-score"' in page


# ---------------------------------------------------------------------------
# Submitting


def test_submitting_asks_for_confirmation_and_lists_every_missing_criterion_with_a_link(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    url = reverse("assessments:assessment_submit", args=[wf.a.pk])
    response = focal.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    for code in ("1.1", "1.2", "2.1"):
        score = wf.score(wf.a, code)
        assert f"#leaf-{score.pk}" in html, code
    assert "chưa tự chấm" in html and "Xác nhận nộp phiếu" not in html
    response = focal.post(url, {"confirm": "1"})
    assert response.status_code == 400 and "còn 3 tiêu chí chưa hoàn thành" in response.content.decode()
    wf.refresh()
    assert wf.a.status == AssessmentStatus.DRAFT


def test_a_post_without_confirmation_submits_nothing_and_asks_first(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    focal = wf.personas.client("focal_a")
    response = focal.post(reverse("assessments:assessment_submit", args=[wf.a.pk]))
    assert response.status_code == 200 and "Xác nhận nộp phiếu" in response.content.decode()
    wf.refresh()
    assert wf.a.status == AssessmentStatus.DRAFT


def test_a_second_submit_changes_nothing_and_says_the_sheet_was_already_submitted(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    focal = wf.personas.client("focal_a")
    url = reverse("assessments:assessment_submit", args=[wf.a.pk])
    assert focal.post(url, {"confirm": "1"}).status_code == 302
    wf.refresh()
    first = wf.a.submitted_at
    entries = AuditEntry.objects.count()
    response = focal.post(url, {"confirm": "1"}, follow=True)
    assert response.status_code == 200 and "Phiếu đã được nộp lúc" in response.content.decode()
    wf.refresh()
    assert wf.a.submitted_at == first and AuditEntry.objects.count() == entries


def test_only_the_units_focal_point_reaches_the_confirmation(wf: Workflow) -> None:
    url = reverse("assessments:assessment_submit", args=[wf.a.pk])
    assert wf.personas.client("focal_b").get(url).status_code == 404
    assert wf.personas.client("secretariat").get(url).status_code == 403


# ---------------------------------------------------------------------------
# Bulk acceptance (service)


def test_bulk_accept_accepts_each_leaf_with_its_own_audit_entry(wf: Workflow) -> None:
    _appraisal(wf)
    scores = [wf.score(wf.a, "1.1"), wf.score(wf.a, "1.2")]
    result = services.scores_accept_bulk(actor=wf.personas.appraiser, scores=scores)
    assert [score.criterion.code for score in result.accepted] == ["1.1", "1.2"] and not result.skipped
    for score in scores:
        fresh = wf.score(wf.a, score.criterion.code)
        assert fresh.appraised_score == fresh.self_score and fresh.version == score.version + 1
        entry = AuditEntry.objects.filter(object_id=str(score.pk)).order_by("-id").first()
        assert entry is not None and "appraised_score" in entry.changes


def test_bulk_accept_skips_and_names_the_leaves_it_cannot_accept(wf: Workflow) -> None:
    _appraisal(wf)
    adjusted = wf.score(wf.a, "1.1")
    services.score_appraise(
        actor=wf.personas.appraiser, score=adjusted, version=adjusted.version, points=Decimal(1), reason="Thiếu"
    )
    unscored = wf.score(wf.a, "2.2")  # the indicator leaf: no value in the store, so no self-score
    stale = wf.score(wf.a, "1.2")
    result = services.scores_accept_bulk(
        actor=wf.personas.appraiser,
        scores=[wf.score(wf.a, "1.1"), unscored, stale],
        versions={stale.pk: stale.version - 1},
    )
    assert not result.accepted
    reasons = {item.score.criterion.code: item.reason for item in result.skipped}
    assert "đã được thẩm định" in reasons["1.1"]
    assert "chưa tự chấm" in reasons["2.2"]
    assert "vừa được người khác cập nhật" in reasons["1.2"]
    assert wf.score(wf.a, "1.1").appraised_score == Decimal(1)
    assert wf.score(wf.a, "1.2").appraised_score is None


def test_bulk_accept_is_refused_outside_the_appraisal_stage(wf: Workflow) -> None:
    _submitted(wf)  # still in self-assessment
    result = services.scores_accept_bulk(actor=wf.personas.appraiser, scores=[wf.score(wf.a, "1.1")])
    assert not result.accepted
    assert "Chỉ thẩm định trong giai đoạn thẩm định" in result.skipped[0].reason


# ---------------------------------------------------------------------------
# The appraiser's pages


def test_the_appraiser_bulk_accepts_the_selected_leaves_and_sees_the_skipped_ones_named(wf: Workflow) -> None:
    _appraisal(wf)
    appraiser = wf.personas.client("appraiser")
    one, two, other = wf.score(wf.a, "1.1"), wf.score(wf.a, "1.2"), wf.score(wf.a, "2.1")
    response = appraiser.post(
        reverse("assessments:appraisal_accept", args=[wf.round.pk]),
        {
            "scores": [one.pk, two.pk, other.pk, "99999999999999999999999", "x"],
            f"version_{one.pk}": one.version,
            f"version_{two.pk}": two.version - 1,
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã đồng ý điểm tự chấm của 1 tiêu chí." in html
    assert "1.2 (Sở Tư pháp): Tiêu chí vừa được người khác cập nhật" in html
    assert wf.score(wf.a, "1.1").appraised_score == Decimal(2)
    assert wf.score(wf.a, "2.1").appraised_score is None  # led by another unit: never touched


def test_bulk_accept_without_a_selection_says_so(wf: Workflow) -> None:
    _appraisal(wf)
    response = wf.personas.client("appraiser").post(
        reverse("assessments:appraisal_accept", args=[wf.round.pk]), {}, follow=True
    )
    assert "Hãy chọn ít nhất một tiêu chí" in response.content.decode()
    response = wf.personas.client("focal_a").post(
        reverse("assessments:appraisal_accept", args=[wf.round.pk]), {"scores": [wf.score(wf.a, "1.1").pk]}
    )
    assert response.status_code == 403


def test_the_appraisal_page_shows_self_score_note_and_evidence_with_accept_and_adjust(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    evidence = Evidence.objects.create(assessment=wf.a, title="Kế hoạch số 12/KH-STP", document_number="12/KH-STP")
    evidence.scores.set([score])
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.score_self_set(actor=wf.personas.focal_a, score=score, points=Decimal(2), note="Ban hành ngày 05/01")
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    appraiser = wf.personas.client("appraiser")
    response = appraiser.get(reverse("assessments:appraisal_sheet", args=[wf.a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Ban hành ngày 05/01", "Kế hoạch số 12/KH-STP", "Đồng ý", "Điều chỉnh", "đã thẩm định 0/4 tiêu chí"):
        assert text in html, text
    assert "Rà soát văn bản" not in html  # 2.1 is led by another unit
    assert wf.personas.client("focal_a").get(reverse("assessments:appraisal_sheet", args=[wf.a.pk])).status_code == 403


def test_accept_and_adjust_from_the_appraisal_page_with_and_without_javascript(wf: Workflow) -> None:
    _appraisal(wf)
    appraiser = wf.personas.client("appraiser")
    one = wf.score(wf.a, "1.1")
    url = reverse("assessments:score_appraise", args=[one.pk])
    response = appraiser.post(url, {"back": "appraisal", "decision": "accept", "version": one.version}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Đã lưu kết quả thẩm định: 2 điểm." in html
    assert "đã thẩm định 1/4 tiêu chí" in html and 'hx-swap-oob="true"' in html
    two = wf.score(wf.a, "1.2")
    url = reverse("assessments:score_appraise", args=[two.pk])
    adjust = {"back": "appraisal", "decision": "adjust", "version": two.version, "points": "2", "reason": ""}
    response = appraiser.post(url, adjust)
    assert response.status_code == 400 and "Hãy ghi lý do khi điều chỉnh điểm." in response.content.decode()
    response = appraiser.post(url, {**adjust, "reason": "Thiếu báo cáo quý IV"})
    area = Criterion.objects.get(framework=wf.a.framework, code="1")
    assert response.status_code == 302 and response["Location"].endswith(f"?area={area.pk}#leaf-{two.pk}")
    assert wf.score(wf.a, "1.2").appraised_score == Decimal(2)
    response = appraiser.post(url, {**adjust, "reason": "Lần nữa"}, **HTMX)  # stale version
    assert response.status_code == 200 and "vừa được người khác cập nhật lúc" in response.content.decode()


def test_the_worklist_filters_by_unit_area_and_status_and_paginates(wf: Workflow, settings) -> None:  # type: ignore[no-untyped-def]
    _submitted(wf)
    self_assess_all(wf, wf.b, wf.personas.focal_b)
    services.assessment_submit(actor=wf.personas.focal_b, assessment=wf.b)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    one = wf.score(wf.a, "1.1")
    services.scores_accept_bulk(actor=wf.personas.appraiser, scores=[one])
    appraiser = wf.personas.client("appraiser")
    url = reverse("assessments:appraisal_list", args=[wf.round.pk])

    def codes(query: dict[str, Any]) -> list[tuple[str, str]]:
        response = appraiser.get(url, query)
        assert response.status_code == 200
        rows = response.context["rows"]
        return [(row.assessment.unit.name, row.criterion.code) for row in rows]

    everything = codes({})
    assert ("Sở Tư pháp", "1.1") in everything and ("Xã Hòa Bình", "1.1") in everything
    assert all(code != "2.1" for _unit, code in everything)
    assert {unit for unit, _code in codes({"unit": wf.b.unit_id})} == {"Xã Hòa Bình"}
    area = Criterion.objects.get(framework=wf.a.framework, code="1")
    assert {code for _unit, code in codes({"area": area.pk})} == {"1.1", "1.2"}
    assert ("Sở Tư pháp", "1.1") not in codes({"status": "pending"})
    assert codes({"status": "accepted"}) == [("Sở Tư pháp", "1.1")]
    assert codes({"unit": "99999999999999999999999", "area": "x", "status": "?"}) == everything
    page = appraiser.get(url).content.decode()
    assert "đã thẩm định 1/4 tiêu chí" in page
    import cchc.assessments.views.appraisal as appraisal_views

    original = appraisal_views.PAGE_SIZE
    appraisal_views.PAGE_SIZE = 2
    try:
        first = appraiser.get(url)
        assert len(first.context["rows"]) == 2 and "Trang 1/" in first.content.decode()
        assert len(appraiser.get(url, {"page": "999999999999999999999"}).context["rows"]) >= 1
    finally:
        appraisal_views.PAGE_SIZE = original


def test_the_appraiser_pages_take_a_fixed_number_of_queries(wf: Workflow, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _appraisal(wf)
    appraiser = wf.personas.client("appraiser")
    with django_assert_max_num_queries(25):
        assert appraiser.get(reverse("assessments:appraisal_list", args=[wf.round.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert appraiser.get(reverse("assessments:appraisal_sheet", args=[wf.a.pk])).status_code == 200


# ---------------------------------------------------------------------------
# Explanation deadline


def test_a_unit_past_its_explanation_deadline_is_told_the_date_instead_of_seeing_nothing(wf: Workflow) -> None:
    _appraisal(wf)
    score = wf.score(wf.a, "1.2")
    services.score_appraise(
        actor=wf.personas.appraiser, score=score, version=score.version, points=Decimal(1), reason="Thiếu báo cáo"
    )
    services.assessment_close_by_office(actor=wf.personas.secretariat, assessment=wf.b, reason="Quá hạn gia hạn")
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Round.objects.filter(pk=wf.round.pk).update(
        self_assessment_deadline=yesterday - datetime.timedelta(days=3),
        appraisal_deadline=yesterday - datetime.timedelta(days=2),
        explanation_deadline=yesterday,
    )
    focal = wf.personas.client("focal_a")
    page = focal.get(reverse("assessments:score_detail", args=[score.pk])).content.decode()
    assert f"Đã hết hạn giải trình ngày {yesterday:%d/%m/%Y}" in page
    assert 'data-testid="explanation-form"' not in page
    assert f"Đã hết hạn giải trình ngày {yesterday:%d/%m/%Y}" in _sheet(focal, wf)
    assert "Đã hết hạn giải trình" not in _sheet(wf.personas.client("secretariat"), wf)


# ---------------------------------------------------------------------------
# Evidence for several criteria through the picker


def test_the_evidence_forms_use_the_criterion_search_picker_not_a_multiple_select(wf: Workflow) -> None:
    page = _sheet(wf.personas.client("focal_a"), wf)
    assert "data-unit-picker" in page and reverse("assessments:score_search") in page
    assert 'name="scores__search"' in page


def test_the_criterion_search_finds_leaves_of_readable_sheets_only(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    page = _sheet(focal, wf)
    start = page.index(reverse("assessments:score_search"))
    url, _sep, scope = page[start : page.index('"', start)].partition("?scope=")
    found = focal.get(url, {"scope": scope, "q": "ra soat van ban"}).json()
    assert [item["name"][:3] for item in found["results"]] == ["2.1"]
    assert [item["name"][:3] for item in focal.get(url, {"scope": scope, "q": "1.2"}).json()["results"]] == ["1.2"]
    assert wf.personas.client("focal_b").get(url, {"scope": scope, "q": ""}).json()["results"] == []
    assert focal.get(url, {"scope": "forged", "q": "1"}).status_code == 400


def test_the_evidence_field_offers_the_leaves_of_its_sheet_and_the_token_searches_inside_them(wf: Workflow) -> None:
    """The field's queryset is what ``assessments.sheet`` gives for the sheet; its token searches those scores that
    the person searching may read: unit B's focal point finds nothing of unit A's sheet, with any token."""
    assert SCORE_SCOPES.names() == ["assessments.sheet"]
    for assessment in (wf.a, wf.b):
        for owner in ("focal_a", "secretariat"):
            scope = sheet_scope(wf.personas.user(owner), assessment)
            for form_class in (EvidenceFileForm, EvidenceReferenceForm):
                field = form_class(scores=scope).fields["scores"]
                assert field.scope is scope  # type: ignore[attr-defined]
                offered = set(field.queryset)  # type: ignore[attr-defined]
                assert offered == set(scope.rows()) == set(assessment.scores.all())
            for searcher in ("focal_a", "focal_b", "secretariat", "admin"):
                user = wf.personas.user(searcher)
                assert user is not None
                readable = set(Score.objects.filter(assessment__in=access.get_assessments_for_user(user)))
                searched = set(SCORE_SCOPES.rows(scope.token(), user))
                assert searched == offered & readable, (assessment.unit.name, owner, searcher)
    assert not set(SCORE_SCOPES.rows(sheet_scope(wf.personas.admin, wf.a).token(), wf.personas.focal_b))


def test_without_javascript_a_typed_code_links_the_file_to_that_criterion(wf: Workflow) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    focal = wf.personas.client("focal_a")
    one = wf.score(wf.a, "1.1")
    response = focal.post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": SimpleUploadedFile("kh.pdf", PDF), "scores": [one.pk], "scores__search": "2.1"},
    )
    assert response.status_code == 302
    linked = sorted(Evidence.objects.get().scores.values_list("criterion__code", flat=True))
    assert linked == ["1.1", "2.1"]
    response = focal.post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": SimpleUploadedFile("kh.pdf", PDF), "scores__search": "cai cach"},
    )
    assert response.status_code == 400 and "Có nhiều tiêu chí khớp" in response.content.decode()


def test_the_worklist_lists_units_in_vietnamese_order(wf: Workflow) -> None:
    from cchc.organisations.models import Unit

    _submitted(wf)
    self_assess_all(wf, wf.b, wf.personas.focal_b)
    services.assessment_submit(actor=wf.personas.focal_b, assessment=wf.b)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    Unit.objects.filter(pk=wf.a.unit_id).update(name="Đài Phát thanh và Truyền hình")  # Đ sorts before X
    response = wf.personas.client("appraiser").get(reverse("assessments:appraisal_list", args=[wf.round.pk]))
    units = [row.assessment.unit.name for row in response.context["rows"]]
    assert units[0] == "Đài Phát thanh và Truyền hình" and units[-1] == "Xã Hòa Bình"
    assert [sheet.unit.name for sheet, _done, _total in response.context["units"]] == [
        "Đài Phát thanh và Truyền hình",
        "Xã Hòa Bình",
    ]


def test_bulk_accept_from_the_appraisal_page_returns_to_it(wf: Workflow) -> None:
    _appraisal(wf)
    appraiser = wf.personas.client("appraiser")
    page = appraiser.get(reverse("assessments:appraisal_sheet", args=[wf.a.pk])).content.decode()
    assert 'form="bulk-accept"' in page and 'id="bulk-accept"' in page
    one, two = wf.score(wf.a, "1.1"), wf.score(wf.a, "1.2")
    back = reverse("assessments:appraisal_sheet", args=[wf.a.pk])
    response = appraiser.post(
        reverse("assessments:appraisal_accept", args=[wf.round.pk]),
        {"scores": [one.pk, two.pk], f"version_{one.pk}": one.version, f"version_{two.pk}": two.version, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    assert wf.score(wf.a, "1.1").appraised_score == Decimal(2) and wf.score(wf.a, "1.2").appraised_score == Decimal(3)
    again = appraiser.post(
        reverse("assessments:appraisal_accept", args=[wf.round.pk]),
        {"scores": [one.pk], "next": "https://example.com/"},
        follow=True,
    )
    assert again.redirect_chain[-1][0] == reverse("assessments:appraisal_list", args=[wf.round.pk])
    assert "1.1 (Sở Tư pháp): Tiêu chí đã được thẩm định" in again.content.decode()  # a second click is harmless


def test_the_appraiser_settles_an_explained_leaf_seeing_the_explanation_on_the_appraisal_page(wf: Workflow) -> None:
    _appraisal(wf)
    score = wf.score(wf.a, "1.2")
    services.score_appraise(
        actor=wf.personas.appraiser, score=score, version=score.version, points=Decimal(1), reason="Thiếu báo cáo"
    )
    services.assessment_close_by_office(actor=wf.personas.secretariat, assessment=wf.b, reason="Quá hạn gia hạn")
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    services.explanation_add(
        actor=wf.personas.focal_a,
        score=wf.score(wf.a, "1.2"),
        text="Báo cáo quý IV đã gửi qua hệ thống",
        proposed_score=Decimal(3),
    )
    page = wf.personas.client("appraiser").get(reverse("assessments:appraisal_sheet", args=[wf.a.pk])).content.decode()
    assert "Báo cáo quý IV đã gửi qua hệ thống" in page and "đề nghị 3 điểm" in page
    assert 'data-testid="adjust-form"' in page


# ---------------------------------------------------------------------------
# What each leaf shows: the answer given, what is still missing, the deadline


def _rule_leaf(wf: Workflow, code: str, rule_kind: str, position: int, **params: Any) -> Score:
    area = Criterion.objects.get(framework=wf.a.framework, code="1")
    leaf = Criterion.objects.create(
        framework=wf.a.framework,
        parent=area,
        code=code,
        position=position,
        depth=1,
        title=f"Tiêu chí chấm theo quy tắc {code}",
        max_points=Decimal(1),
        rule_kind=rule_kind,
        rule_params=params,
        lead_unit=wf.personas.home_affairs,
    )
    return Score.objects.create(assessment=wf.a, criterion=leaf)


def _leaf_html(page: str, score: Score) -> str:
    start = page.index(f'id="leaf-{score.pk}"')
    return page[start : page.index("</article>", start)]


def test_the_sheet_shows_each_leafs_answer_ticked_or_filled_with_the_points_it_gives(wf: Workflow) -> None:
    yes_no = _rule_leaf(wf, "1.3", RuleKind.YES_NO, 60)
    rate = _rule_leaf(wf, "1.4", RuleKind.PROPORTIONAL, 61, target=100)
    focal = wf.personas.client("focal_a")
    assert _save(focal, wf, "1.3", choice="yes", no_evidence_reason="Bản giấy").status_code == 302
    assert _save(focal, wf, "1.4", value="50", no_evidence_reason="Bản giấy").status_code == 302
    assert _save(focal, wf, "1.1", points="1,5", no_evidence_reason="Bản giấy").status_code == 302
    page = _sheet(focal, wf)
    leaf = _leaf_html(page, yes_no)
    assert re.search(r'<input type="radio" name="choice" value="yes"[^>]*checked', leaf), leaf
    assert "Điểm tự chấm hiện tại: <strong>1</strong> điểm (Có)." in leaf
    leaf = _leaf_html(page, rate)
    assert (
        re.search(r'name="value" value="50"', leaf)
        and "Điểm tự chấm hiện tại: <strong>0,5</strong> điểm (50%)." in leaf
    )
    leaf = _leaf_html(page, wf.score(wf.a, "1.1"))
    assert 'name="points" value="1,5"' in leaf and "Điểm tự chấm hiện tại: <strong>1,5</strong> điểm." in leaf
    assert "Chưa tự chấm." in _leaf_html(page, wf.score(wf.a, "1.2"))


def test_points_stored_without_the_choice_the_rule_asks_for_are_shown_with_a_warning(wf: Workflow) -> None:
    yes_no = _rule_leaf(wf, "1.3", RuleKind.YES_NO, 60)
    Score.objects.filter(pk=yes_no.pk).update(self_score=Decimal(1))
    leaf = _leaf_html(_sheet(wf.personas.client("focal_a"), wf), yes_no)
    assert "Điểm tự chấm hiện tại: <strong>1</strong> điểm." in leaf and "hãy chọn lại kết quả" in leaf


def test_a_save_without_evidence_says_what_the_leaf_still_lacks(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    response = _save(focal, wf, "1.1", htmx=True, points="1")
    html = response.content.decode()
    assert response.status_code == 200 and "Đã lưu: 1 điểm." in html
    assert "Tiêu chí chưa hoàn thành. Còn thiếu: tài liệu kiểm chứng hoặc giải thích vì sao không có." in html
    page = _sheet(focal, wf)
    assert "Còn thiếu: tài liệu kiểm chứng hoặc giải thích vì sao không có" in _leaf_html(page, wf.score(wf.a, "1.1"))
    unscored = _leaf_html(page, wf.score(wf.a, "1.2"))
    assert "Còn thiếu: kết quả tự chấm; tài liệu kiểm chứng hoặc giải thích vì sao không có" in unscored
    response = _save(focal, wf, "1.1", htmx=True, points="1", no_evidence_reason="Bản giấy lưu tại đơn vị")
    html = response.content.decode()
    assert "Đã lưu: 1 điểm." in html and "Còn thiếu" not in html.split('id="sheet-summary"')[0]


def test_an_open_sheet_shows_its_deadline_and_says_when_it_has_passed(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    deadline = wf.round.self_assessment_deadline
    assert deadline is not None
    page = _sheet(focal, wf)
    assert f"Hạn tự đánh giá: {deadline:%d/%m/%Y}." in page and "Đã quá hạn" not in page
    Round.objects.filter(pk=wf.round.pk).update(self_assessment_deadline=datetime.date(2020, 1, 15))
    page = _sheet(focal, wf)
    assert "Hạn tự đánh giá: 15/01/2020." in page
    assert "Đã quá hạn tự đánh giá: phiếu nộp từ nay được ghi là nộp muộn." in page
    extended = wf.b.deadline  # the secretariat gave unit B its own deadline
    assert extended is not None
    response = wf.personas.client("focal_b").get(reverse("assessments:assessment_detail", args=[wf.b.pk]))
    text = response.content.decode()
    assert f"Hạn tự đánh giá (đã gia hạn riêng cho đơn vị): {extended:%d/%m/%Y}." in text
    assert "Đã quá hạn" not in text


def test_the_submit_confirmation_says_the_deadline_has_passed(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    Round.objects.filter(pk=wf.round.pk).update(self_assessment_deadline=datetime.date(2020, 1, 15))
    html = wf.personas.client("focal_a").get(reverse("assessments:assessment_submit", args=[wf.a.pk])).content.decode()
    assert "Hạn tự đánh giá: 15/01/2020." in html and "phiếu nộp từ nay được ghi là nộp muộn" in html


def test_the_select_all_box_is_offered_only_to_scripts_and_names_the_leaf_boxes(wf: Workflow) -> None:
    _appraisal(wf)
    appraiser = wf.personas.client("appraiser")
    for address in (
        reverse("assessments:appraisal_list", args=[wf.round.pk]),
        reverse("assessments:appraisal_sheet", args=[wf.a.pk]),
    ):
        page = appraiser.get(address).content.decode()
        assert "hidden data-select-all-label" in page, address
        assert 'data-select-all="scores"' in page, address


def test_a_cached_sheet_page_reads_only_the_session_and_the_data_versions(wf: Workflow) -> None:
    client = wf.personas.client("focal_a")
    url = reverse("assessments:assessment_detail", args=[wf.a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    tables = [query["sql"].split(" FROM ")[1].split()[0] for query in queries.captured_queries]
    assert tables == ['"django_session"', '"cchc_lib_dataversion"']


def test_a_cached_sheet_page_follows_its_sheet_moved_out_of_reach_at_the_next_request(wf: Workflow) -> None:
    client = wf.personas.client("focal_a")
    url = reverse("assessments:assessment_detail", args=[wf.a.pk])
    assert client.get(url).status_code == 200
    Assessment.objects.filter(pk=wf.a.pk).update(unit=wf.personas.other_commune)  # no model signal
    assert client.get(url).status_code == 404
