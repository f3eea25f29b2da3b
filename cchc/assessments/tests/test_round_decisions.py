"""The round pages of the secretariat and the council: each decision on a unit that has not submitted keeps what
was entered and shows its messages by its fields, appraisal offers only what has an effect, publishing waits for
the council's approval, and the public page shows the day the round was actually published."""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Assessment, Round, Stage
from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError
from cchc.testing.personas import Personas

from .conftest import Workflow, build_workflow, self_assess_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def undecided(personas: Personas) -> Workflow:
    """The small round with unit A submitted and unit B still self-assessing, nothing decided on B."""
    wf = build_workflow(personas, extend_b=False)
    self_assess_all(wf, wf.a, personas.focal_a)
    services.assessment_submit(actor=personas.focal_a, assessment=wf.a)
    return wf


def _row(content: str, assessment: Assessment) -> str:
    """The table row of one unit on the advance page."""
    match = re.search(rf'<tr data-testid="decision-{assessment.pk}".*?</tr>', content, re.S)
    assert match, f"no row for {assessment.unit.name}"
    return match.group(0)


def _decide(client: Client, wf: Workflow, **fields: str) -> tuple[int, str]:
    prefix = f"sheet{wf.b.pk}"
    url = reverse("assessments:sheet_decide", args=[wf.round.pk, wf.b.pk])
    response = client.post(url, {f"{prefix}-{name}": value for name, value in fields.items()})
    return response.status_code, response.content.decode()


def test_a_refused_decision_comes_back_in_its_units_row_with_what_was_entered_and_one_message_per_problem(
    undecided: Workflow,
) -> None:
    wf = undecided
    client = wf.personas.client("secretariat")
    prefix = f"sheet{wf.b.pk}"

    status, content = _decide(client, wf, decision="extend", reason="Ốm đau kéo dài")
    row = _row(content, wf.b)
    assert status == 400
    assert f'id="id_{prefix}-deadline_error"' in row and "Hãy chọn hạn mới khi gia hạn." in row
    assert 'value="Ốm đau kéo dài"' in row and re.search(r'value="extend"[^>]*checked', row)
    assert "Hãy chọn hạn mới khi gia hạn." not in content.replace(row, "")  # not repeated at the top

    status, content = _decide(client, wf, decision="extend", deadline="9999-12-31", reason="Ốm")
    row = _row(content, wf.b)
    assert status == 400 and 'value="9999-12-31"' in row
    assert row.count("Ngày phải nằm trong khoảng năm 1945 đến năm 2100.") == 1
    assert "Hãy chọn hạn mới" not in content

    past = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    status, content = _decide(client, wf, decision="extend", deadline=past, reason="Ốm")
    row = _row(content, wf.b)
    assert status == 400 and f'value="{past}"' in row
    assert re.search(rf'id="id_{prefix}-deadline_error"[^>]*><li>Hạn mới phải từ hôm nay trở đi.', row)
    wf.refresh()
    assert wf.b.deadline is None


def test_the_decision_table_is_one_card_per_unit_on_a_phone_without_a_hidden_heading_span(
    undecided: Workflow,
) -> None:
    wf = undecided
    content = wf.personas.client("secretariat").get(reverse("assessments:round_advance", args=[wf.round.pk]))
    text = content.content.decode()
    table = re.search(r'<table class="cards decisions">.*?</table>', text, re.S)
    assert table, "the decision table uses the cards pattern"
    assert "visually-hidden" not in table.group(0)
    row = _row(text, wf.b)
    for label in ("Quyết định", "Hạn mới (khi gia hạn)", "Lý do"):
        assert f'data-label="{label}"' in row


def test_during_appraisal_only_closing_the_sheet_is_offered_and_an_extension_is_refused(wf: Workflow) -> None:
    secretariat = wf.personas.secretariat
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    wf.refresh()
    client = wf.personas.client("secretariat")
    page = client.get(reverse("assessments:round_advance", args=[wf.round.pk])).content.decode()
    row = _row(page, wf.b)
    assert "Gia hạn cho đơn vị" not in row and 'type="date"' not in row
    assert "Đóng phiếu thay đơn vị" in row and "không gia hạn thêm" in page

    assert wf.b.deadline is not None
    later = wf.b.deadline + datetime.timedelta(days=3)
    with pytest.raises(ServiceError, match="không gia hạn được") as refused:
        services.assessment_extend_deadline(actor=secretariat, assessment=wf.b, deadline=later, reason="Lần hai")
    assert refused.value.code == "bad_stage"
    status, content = _decide(client, wf, decision="extend", deadline=later.isoformat(), reason="Lần hai")
    assert status == 400 and "chỉ đóng phiếu thay đơn vị được; không gia hạn thêm" in _row(content, wf.b)
    wf.refresh()
    assert wf.b.deadline != later

    status, _content = _decide(client, wf, reason="Quá hạn, đơn vị không nộp")
    assert status == 302
    wf.refresh()
    assert wf.b.closed_by_office


def test_extending_a_unit_again_to_the_deadline_it_already_has_is_refused_with_a_message(
    undecided: Workflow,
) -> None:
    wf = undecided
    deadline = datetime.date.today() + datetime.timedelta(days=5)
    services.assessment_extend_deadline(actor=wf.personas.secretariat, assessment=wf.b, deadline=deadline, reason="Ốm")
    with pytest.raises(ServiceError, match="đã được gia hạn đến ngày") as refused:
        services.assessment_extend_deadline(
            actor=wf.personas.secretariat, assessment=wf.b, deadline=deadline, reason="Lại"
        )
    assert refused.value.field == "deadline"


def _appraise_all(wf: Workflow, assessment: Assessment) -> None:
    for score in assessment.scores.select_related("criterion", "assessment__round", "assessment__unit"):
        if score.self_score is None:
            services.score_appraise(
                actor=wf.personas.appraiser, score=score, version=score.version, points=Decimal(0), reason="Không có"
            )
        else:
            services.score_appraise(actor=wf.personas.appraiser, score=score, version=score.version, accept=True)


def _to_council(wf: Workflow) -> None:
    secretariat = wf.personas.secretariat
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    services.assessment_close_by_office(actor=secretariat, assessment=wf.b, reason="Hết hạn gia hạn")
    _appraise_all(wf, wf.a)
    _appraise_all(wf, wf.b)
    for stage in (Stage.EXPLANATION, Stage.COUNCIL):
        services.round_advance(actor=secretariat, round_=wf.round, to_stage=stage)


def test_publishing_is_not_offered_before_the_council_approves_and_its_page_says_approval_is_awaited(
    wf: Workflow,
) -> None:
    _to_council(wf)
    client = wf.personas.client("secretariat")
    detail = client.get(reverse("assessments:round_detail", args=[wf.round.pk])).content.decode()
    assert "Chuyển sang giai đoạn “Đã công bố”" not in detail
    assert "Đang chờ hội đồng thẩm định thông qua kết quả" in detail
    advance = client.get(reverse("assessments:round_advance", args=[wf.round.pk])).content.decode()
    assert 'data-testid="awaiting-approval"' in advance and "chưa công bố được" in advance
    assert 'data-testid="confirm-advance"' not in advance and 'data-testid="publish-summary"' not in advance
    assert "Xác nhận chuyển sang giai đoạn" not in advance

    services.round_approve(actor=wf.council, round_=wf.round, reason="Biên bản họp")
    detail = client.get(reverse("assessments:round_detail", args=[wf.round.pk])).content.decode()
    assert "Chuyển sang giai đoạn “Đã công bố”" in detail and "Đang chờ hội đồng" not in detail
    advance = client.get(reverse("assessments:round_advance", args=[wf.round.pk])).content.decode()
    assert 'data-testid="publish-summary"' in advance and 'data-testid="awaiting-approval"' not in advance


def test_publishing_records_the_day_it_happened_in_the_audit_trail_and_the_public_page_shows_that_day(
    wf: Workflow,
) -> None:
    _to_council(wf)
    services.round_approve(actor=wf.council, round_=wf.round, reason="Biên bản họp")
    Round.objects.filter(pk=wf.round.pk).update(is_public=True, publication_date=datetime.date(2026, 3, 20))
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.PUBLISHED)
    wf.refresh()
    assert wf.round.published_at == datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
    entries = AuditEntry.objects.filter(object_type="assessments.round", object_id=str(wf.round.pk))
    entry = next(entry for entry in entries if entry.changes.get("stage") == [Stage.COUNCIL, Stage.PUBLISHED])
    assert entry.changes["published_at"][0] is None and entry.changes["published_at"][1].startswith("2026-04-02")

    public = Client().get(reverse("assessments:results_public", args=[wf.round.pk])).content.decode()
    assert "Ngày công bố: 02/04/2026." in public and "20/03/2026" not in public
    detail = wf.personas.client("secretariat").get(reverse("assessments:round_detail", args=[wf.round.pk]))
    text = detail.content.decode()
    assert "Ngày công bố dự kiến" in text and "20/03/2026" in text and "02/04/2026" in text


def test_the_compiled_table_is_one_card_per_unit_each_value_labelled_with_its_area(wf: Workflow) -> None:
    _to_council(wf)
    page = _client_for_council(wf).get(reverse("assessments:round_table", args=[wf.round.pk])).content.decode()
    assert 'class="cards compiled"' in page
    area = wf.a.framework.criteria.filter(parent__isnull=True).order_by("position").first()
    assert area is not None
    assert f'data-label="{area.code}. {area.title}' in page
    assert 'data-label="Tổng điểm"' in page and 'data-label="Thẩm định"' in page


def _client_for_council(wf: Workflow) -> Client:
    client = Client()
    client.force_login(wf.council)
    return client


def test_rounds_published_before_the_day_was_recorded_take_it_from_the_audit_trail(wf: Workflow) -> None:
    from django.apps import apps

    migration = importlib.import_module("cchc.assessments.migrations.0007_round_published_at")
    _to_council(wf)
    services.round_approve(actor=wf.council, round_=wf.round, reason="Biên bản họp")
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.PUBLISHED)
    wf.refresh()
    published_at = wf.round.published_at
    Round.objects.filter(pk=wf.round.pk).update(published_at=None)
    migration.published_at_from_audit(apps, None)
    wf.refresh()
    assert published_at is not None and wf.round.published_at is not None
    assert abs((wf.round.published_at - published_at).total_seconds()) < 5
