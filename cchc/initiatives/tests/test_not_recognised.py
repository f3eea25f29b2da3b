"""A proposal the secretariat turns down: "không được công nhận" with its reason, audited, never counted towards the
target, closed to the unit's edits, and reopened as a proposal for another examination."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditEntry
from cchc.indicators.models import IndicatorValue
from cchc.initiatives import selectors, services
from cchc.initiatives.models import Initiative, InitiativeStatus, RecognitionLevel
from cchc.lib.errors import ServiceError
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


def _propose(personas: Personas, title: str, year: int) -> Initiative:
    return services.initiative_propose(
        actor=personas.focal_a, unit=personas.unit_a, year=year, title=title, description="Mô tả giải pháp."
    )


def _refuse(personas: Personas, initiative: Initiative, reason: str = "Chưa chứng minh được hiệu quả.") -> Initiative:
    return services.initiative_refuse(
        actor=personas.secretariat, initiative=initiative, reason=reason, refused_on=timezone.localdate()
    )


def test_a_not_recognised_initiative_never_counts_towards_the_target(personas: Personas, year: int) -> None:
    kept = _propose(personas, "Số hóa hồ sơ lưu trữ", year)
    refused = _propose(personas, "Tổ công nghệ số cộng đồng", year)
    services.initiative_recognise(
        actor=personas.secretariat,
        initiative=kept,
        level=RecognitionLevel.UNIT,
        recognised_on=timezone.localdate(),
    )
    _refuse(personas, refused)

    assert selectors.recognised_count(personas.unit_a, year) == 1
    assert selectors.counted_by_unit(year) == {personas.unit_a.pk: 1}
    [row] = selectors.counts_by_unit(Initiative.objects.all(), year)
    assert (row.proposed, row.recognised, row.not_recognised) == (2, 1, 1)
    value = IndicatorValue.objects.get(indicator__code=selectors.RECOGNISED_COUNT, unit=personas.unit_a)
    assert value.value == 1


def test_the_refusal_is_audited_with_its_reason_and_the_reopening_too(personas: Personas, year: int) -> None:
    initiative = _refuse(personas, _propose(personas, "Một đề xuất", year), reason="Trùng với sáng kiến năm trước.")
    assert initiative.status == InitiativeStatus.NOT_RECOGNISED
    assert initiative.refused_by == personas.secretariat and initiative.refused_on == timezone.localdate()
    entry = AuditEntry.objects.filter(object_type__endswith="initiative", object_id=str(initiative.pk)).first()
    assert entry is not None and entry.actor == personas.secretariat
    assert entry.changes["status"] == ["proposed", "not_recognised"]
    assert entry.changes["refusal_reason"] == ["", "Trùng với sáng kiến năm trước."]

    services.initiative_reopen(actor=personas.secretariat, initiative=initiative)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.PROPOSED and not initiative.refusal_reason
    entry = AuditEntry.objects.filter(object_type__endswith="initiative", object_id=str(initiative.pk)).first()
    assert entry is not None and entry.changes["status"] == ["not_recognised", "proposed"]
    # Once reopened it can be recognised, and then counts.
    services.initiative_recognise(
        actor=personas.secretariat, initiative=initiative, level="province", recognised_on=timezone.localdate()
    )
    assert selectors.recognised_count(personas.unit_a, year) == 1


def test_a_not_recognised_initiative_is_closed_to_edits_recognition_and_applying(personas: Personas, year: int) -> None:
    initiative = _refuse(personas, _propose(personas, "Một đề xuất", year))
    with pytest.raises(ServiceError) as edit:
        services.initiative_update(actor=personas.focal_a, initiative=initiative, title="Tên khác", description="x")
    assert edit.value.code == "state" and "không được công nhận" in edit.value.message
    with pytest.raises(ServiceError):
        services.initiative_withdraw(actor=personas.focal_a, initiative=initiative)
    with pytest.raises(ServiceError):
        services.initiative_file_add(actor=personas.focal_a, initiative=initiative, upload=_pdf())
    with pytest.raises(ServiceError) as recognise:
        services.initiative_recognise(
            actor=personas.secretariat, initiative=initiative, level="unit", recognised_on=timezone.localdate()
        )
    assert recognise.value.code == "state"
    with pytest.raises(ServiceError):
        services.initiative_mark_applied(
            actor=personas.secretariat, initiative=initiative, applied_on=timezone.localdate()
        )
    with pytest.raises(ServiceError) as twice:
        _refuse(personas, initiative)
    assert twice.value.code == "already"


def test_only_a_proposal_can_be_turned_down_and_only_with_a_reason_and_a_past_date(
    personas: Personas, year: int
) -> None:
    initiative = _propose(personas, "Một đề xuất", year)
    for reason, day, field in [
        ("  ", timezone.localdate(), "reason"),
        ("Lý do", None, "refused_on"),
        ("Lý do", timezone.localdate() + datetime.timedelta(days=1), "refused_on"),
        ("x" * 501, timezone.localdate(), "reason"),
    ]:
        with pytest.raises(ServiceError) as error:
            services.initiative_refuse(actor=personas.secretariat, initiative=initiative, reason=reason, refused_on=day)
        assert error.value.field == field
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.PROPOSED
    services.initiative_recognise(
        actor=personas.secretariat, initiative=initiative, level="unit", recognised_on=timezone.localdate()
    )
    with pytest.raises(ServiceError) as recognised:
        _refuse(personas, initiative)
    assert recognised.value.code == "state"


def test_the_secretariat_turns_a_proposal_down_on_a_confirmation_page_and_the_unit_reads_why(
    personas: Personas, year: int
) -> None:
    initiative = _propose(personas, "Một đề xuất", year)
    secretariat = personas.client("secretariat")
    url = reverse("initiatives:initiative_refuse", args=[initiative.pk])
    assert "Không công nhận" in secretariat.get(url).content.decode()
    empty = secretariat.post(url, {"reason": "", "refused_on": timezone.localdate().isoformat()})
    assert empty.status_code == 400
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.PROPOSED
    posted = {"reason": "Chưa có số liệu hiệu quả.", "refused_on": timezone.localdate().isoformat()}
    assert secretariat.post(url, posted).status_code == 302
    assert secretariat.post(url, posted).status_code == 302  # a second click changes nothing
    entries = AuditEntry.objects.filter(object_type__endswith="initiative", object_id=str(initiative.pk))
    assert [entry.changes.get("status") for entry in entries].count(["proposed", "not_recognised"]) == 1

    unit_page = personas.client("focal_a").get(reverse("initiatives:initiative_detail", args=[initiative.pk]))
    text = unit_page.content.decode()
    assert 'data-status="not_recognised"' in text and "Chưa có số liệu hiệu quả." in text
    assert reverse("initiatives:initiative_edit", args=[initiative.pk]) not in text
    # Another unit never sees it; the list counts it apart from the recognised ones.
    other = personas.client("focal_b").get(reverse("initiatives:initiative_detail", args=[initiative.pk]))
    assert other.status_code == 404
    listing = secretariat.get(reverse("initiatives:initiative_list")).content.decode()
    assert "Không được công nhận" in listing and 'data-status="not_met"' in listing

    reopen = reverse("initiatives:initiative_reopen", args=[initiative.pk])
    assert personas.client("focal_a").post(reopen).status_code in (403, 404)
    assert secretariat.post(reopen).status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.PROPOSED


@pytest.mark.parametrize("name", ["leader", "supervisor", "focal_a", "focal_b", "appraiser"])
def test_only_the_secretariat_turns_a_proposal_down(personas: Personas, year: int, name: str) -> None:
    initiative = _propose(personas, "Một đề xuất", year)
    url = reverse("initiatives:initiative_refuse", args=[initiative.pk])
    response = personas.client(name).post(url, {"reason": "Không", "refused_on": timezone.localdate().isoformat()})
    assert response.status_code in (403, 404)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.PROPOSED


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("mo-ta.pdf", pdf_bytes(), content_type="application/pdf")


def test_the_api_filters_not_recognised_initiatives_with_their_reason_for_the_secretariat_only(
    personas: Personas, year: int
) -> None:
    _refuse(personas, _propose(personas, "Một đề xuất", year), reason="Chưa có số liệu.")
    for name, expected in (("secretariat", 1), ("focal_a", 1), ("focal_b", 0)):
        user = personas.user(name)
        assert user is not None
        _token, raw = api_token_create(actor=user, user=user, name="thử")
        response = personas.client("anonymous").get(
            "/api/initiatives/?status=not_recognised", headers={"Authorization": f"Bearer {raw}"}
        )
        assert response.status_code == 200, response.content
        items = response.json()["items"]
        assert len(items) == expected, name
        if expected:
            assert items[0]["status"] == "not_recognised" and items[0]["refusal_reason"] == "Chưa có số liệu."
