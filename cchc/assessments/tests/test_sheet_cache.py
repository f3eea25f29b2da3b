"""The sheet page's sections come from the cache (``views.sheets.sheet_page``, ``cchc.lib.page_cache``).

Each test opens the sheet first, so that its sections are in the cache, then changes what the sheet shows (a score,
a note, evidence, the round's stage, an appraiser's adjustment) and opens it again: the change shows at once. The
sections are never shared between sheets or between viewers who see different things, each viewer's forms carry
their own CSRF token, and a save based on a page read before another save is still refused.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.assessments import services
from cchc.assessments.models import Evidence, Stage
from cchc.audit.models import AuditEntry
from cchc.organisations.models import Membership

from .conftest import Workflow, self_assess_all

pytestmark = pytest.mark.django_db


def _open(client: Client, wf: Workflow, assessment: object = None) -> str:
    target = assessment or wf.a
    response = client.get(reverse("assessments:assessment_detail", args=[target.pk]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    return response.content.decode()


def _leaf_form_values(page: str, score_id: int) -> tuple[str, str]:
    """The CSRF token and the version in the inline form of one leaf."""
    start = page.index(f'id="leaf-{score_id}"')
    form = page[start : page.index("</form>", start)]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    version = re.search(r'name="version" value="(\d+)"', form)
    assert token is not None and version is not None
    return token.group(1), version.group(1)


def _submit_and_appraise(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    wf.refresh()


def test_a_score_and_a_note_saved_elsewhere_show_at_the_next_opening_of_the_sheet(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    page = _open(focal, wf)
    assert "Chưa tự chấm." in page and "Thuyết minh mới của đơn vị" not in page
    score = wf.score(wf.a, "1.1")
    read = score.version
    services.score_self_set(
        actor=wf.personas.focal_a, score=score, points=Decimal(2), note="Thuyết minh mới của đơn vị", version=read
    )
    page = _open(focal, wf)
    assert "Điểm tự chấm hiện tại: <strong>2</strong> điểm" in page
    assert "Thuyết minh mới của đơn vị" in page
    assert "Tổng điểm tự chấm: <strong>2</strong>" in page
    assert _leaf_form_values(page, score.pk)[1] == str(read + 1)  # the form carries the version just written


def test_evidence_added_and_deleted_shows_at_the_next_opening(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    assert "Chưa có tài liệu kiểm chứng." in _open(focal, wf)
    evidence = services.evidence_add_reference(
        actor=wf.personas.focal_a,
        assessment=wf.a,
        title="Kế hoạch cải cách hành chính năm của sở",
        scores=[wf.score(wf.a, "1.1")],
        document_number="12/KH-STP",
    )
    page = _open(focal, wf)
    assert page.count("Kế hoạch cải cách hành chính năm của sở") == 2  # in the leaf and in the list
    services.evidence_delete(actor=wf.personas.focal_a, evidence=evidence)
    page = _open(focal, wf)
    assert "Kế hoạch cải cách hành chính năm của sở" not in page
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_round_moving_on_closes_the_forms_at_the_next_opening(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    assert 'data-testid="leaf-form"' in _open(focal, wf)
    _submit_and_appraise(wf)
    page = _open(focal, wf)
    assert 'data-testid="leaf-form"' not in page and 'data-testid="self-score"' in page
    assert 'data-testid="submit-link"' not in page


def test_an_appraisers_adjustment_shows_at_the_next_opening(wf: Workflow) -> None:
    _submit_and_appraise(wf)
    secretariat = wf.personas.client("secretariat")
    assert "Biên bản kiểm tra chỉ ghi một kế hoạch" not in _open(secretariat, wf)
    score = wf.score(wf.a, "1.1")
    services.score_appraise(
        actor=wf.personas.appraiser,
        score=score,
        version=score.version,
        points=Decimal(1),
        reason="Biên bản kiểm tra chỉ ghi một kế hoạch",
    )
    page = _open(secretariat, wf)
    assert "Biên bản kiểm tra chỉ ghi một kế hoạch" in page
    assert 'data-testid="sheet"' in page and "điều chỉnh" in page


def test_a_sheet_is_never_drawn_from_another_sheets_or_another_viewers_cache(wf: Workflow) -> None:
    score_a = wf.score(wf.a, "1.1")
    services.score_self_set(actor=wf.personas.focal_a, score=score_a, points=Decimal(1), note="Bản nháp của sở A")
    page_a = _open(wf.personas.client("focal_a"), wf)
    assert "Bản nháp của sở A" in page_a and 'data-testid="leaf-form"' in page_a
    page_b = _open(wf.personas.client("focal_b"), wf, wf.b)
    assert "Bản nháp của sở A" not in page_b
    assert f'id="leaf-{score_a.pk}"' not in page_b
    url_a = reverse("assessments:assessment_detail", args=[wf.a.pk])
    assert wf.personas.client("focal_b").get(url_a).status_code == 404  # still checked before the cache
    page = _open(wf.personas.client("secretariat"), wf)  # same sheet, a reader who may not edit it
    assert "Bản nháp của sở A" in page and 'data-testid="leaf-form"' not in page


def test_each_viewer_posts_with_a_csrf_token_of_their_own_from_the_cached_page(wf: Workflow) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        client.force_login(wf.personas.focal_a)
    score = wf.score(wf.a, "1.1")
    _open(first, wf)
    token, version = _leaf_form_values(_open(second, wf), score.pk)  # drawn from the cache
    payload = {"back": "sheet", "version": version, "points": "2", "note": "", "no_evidence_reason": "Bản giấy"}
    response = second.post(
        reverse("assessments:score_self", args=[score.pk]), {**payload, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert wf.score(wf.a, "1.1").self_score == Decimal(2)


def test_a_save_based_on_a_page_read_before_another_save_is_refused_and_audited_once(wf: Workflow) -> None:
    focal = wf.personas.client("focal_a")
    score = wf.score(wf.a, "1.2")
    _open(focal, wf)
    _token, version = _leaf_form_values(_open(focal, wf), score.pk)
    url = reverse("assessments:score_self", args=[score.pk])
    fields = {"back": "sheet", "version": version, "note": "", "no_evidence_reason": ""}
    assert focal.post(url, {**fields, "points": "1"}).status_code == 302
    entries = AuditEntry.objects.filter(object_type="assessments.score", object_id=str(score.pk)).count()
    assert entries == 1
    assert focal.post(url, {**fields, "points": "2"}).status_code == 409  # the version of the page read before
    assert AuditEntry.objects.filter(object_type="assessments.score", object_id=str(score.pk)).count() == entries
    page = _open(focal, wf)
    assert _leaf_form_values(page, score.pk)[1] == str(int(version) + 1)
    assert "Điểm tự chấm hiện tại: <strong>1</strong> điểm" in page


def test_the_page_from_the_cache_is_the_page_drawn_afresh(wf: Workflow, settings: object) -> None:
    focal = wf.personas.client("focal_a")
    _open(focal, wf)
    cached = _open(focal, wf)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # type: ignore[attr-defined]
    fresh = _open(focal, wf)

    def without_tokens(page: str) -> str:  # each request masks the CSRF token and signs the pickers' scope anew
        return re.sub(r'data-url="[^"]*"', "", re.sub(r"\b[A-Za-z0-9]{64}\b", "", page))

    assert without_tokens(cached) == without_tokens(fresh)


def test_the_evidence_pickers_of_a_cached_page_search_for_the_viewer_who_opened_it(wf: Workflow) -> None:
    second = User.objects.create(username="daumoi_a2", full_name="Đầu Mối Thứ Hai")
    Membership.objects.create(user=second, unit=wf.personas.unit_a)
    RoleAssignment.objects.create(user=second, role=Role.FOCAL_POINT, scope=wf.personas.unit_a)
    first_client, second_client = wf.personas.client("focal_a"), Client()
    second_client.force_login(second)
    urls = []
    for client in (first_client, second_client):
        page = _open(client, wf)
        found = re.search(r'data-url="([^"]+)"', page)
        assert found is not None
        urls.append(html.unescape(found.group(1)))
    assert urls[0] != urls[1]
    response = second_client.get(urls[1] + "&q=1.1")
    assert response.status_code == 200 and response.json()["results"]
