"""Values entered by units: draft → submitted → accepted / returned, with evidence, locking and audit entries."""

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.audit.models import AuditEntry
from cchc.indicators import services
from cchc.indicators.models import IndicatorValue, ValueEvidence, ValueOrigin, ValueState
from cchc.indicators.selectors import value_for, values_by_unit
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind

from .conftest import YEAR, enter, pdf_upload

pytestmark = pytest.mark.django_db


def _entries(value):
    return AuditEntry.objects.filter(object_type="indicators.indicatorvalue", object_id=str(value.pk)).order_by("id")


def test_a_unit_saves_a_draft_attaches_evidence_and_submits(personas, digitised):
    value = enter(personas, digitised, amount=Decimal("72.5"))
    assert value.origin == ValueOrigin.ENTERED
    assert value.state == ValueState.SUBMITTED and value.submitted_at is not None
    assert value.entered_by == personas.focal_a
    assert ValueEvidence.objects.get(value=value).sha256
    assert [entry.changes.get("state") for entry in _entries(value)] == [
        [None, "draft"],
        None,  # the evidence
        ["draft", "submitted"],
    ]


def test_a_value_cannot_be_submitted_without_evidence(personas, digitised):
    value = services.value_save(
        actor=personas.focal_a, indicator=digitised, unit=personas.unit_a, period=YEAR, value=50
    )
    with pytest.raises(ServiceError, match="minh chứng"):
        services.value_submit(actor=personas.focal_a, value=value)
    value.refresh_from_db()
    assert value.state == ValueState.DRAFT


def test_an_accepted_value_is_locked_and_read_by_value_for(personas, digitised):
    value = enter(personas, digitised)
    assert value_for(digitised.code, personas.unit_a, YEAR) is None
    services.value_accept(actor=personas.secretariat, value=value)
    value.refresh_from_db()
    assert value.state == ValueState.ACCEPTED and value.reviewed_by == personas.secretariat
    assert value_for(digitised.code, personas.unit_a, YEAR) == value
    assert values_by_unit(digitised.code, [personas.unit_a], YEAR) == {personas.unit_a.pk: value}
    with pytest.raises(ServiceError, match="đã được xác nhận và khóa"):
        services.value_save(actor=personas.focal_a, indicator=digitised, unit=personas.unit_a, period=YEAR, value=1)
    with pytest.raises(ServiceError, match="khóa"):
        services.value_evidence_add(actor=personas.focal_a, value=value, upload=pdf_upload())
    with pytest.raises(ServiceError, match="khóa"):
        services.value_evidence_delete(actor=personas.focal_a, evidence=value.evidence.get())
    value.refresh_from_db()
    assert value.value == Decimal(80)


def test_accepting_twice_says_so_and_records_one_entry(personas, digitised):
    value = enter(personas, digitised)
    services.value_accept(actor=personas.secretariat, value=value)
    count = _entries(value).count()
    with pytest.raises(ServiceError, match="đã được xác nhận") as raised:
        services.value_accept(actor=personas.secretariat, value=value)
    assert raised.value.code == "already"
    assert _entries(value).count() == count


def test_a_submitted_value_is_locked_for_the_unit(personas, digitised):
    value = enter(personas, digitised)
    with pytest.raises(ServiceError, match="chờ xác nhận"):
        services.value_save(actor=personas.focal_a, indicator=digitised, unit=personas.unit_a, period=YEAR, value=1)
    with pytest.raises(ServiceError, match="đã được gửi"):
        services.value_submit(actor=personas.focal_a, value=value)


def test_a_returned_value_keeps_the_reason_and_can_be_corrected_and_sent_again(personas, digitised):
    value = enter(personas, digitised)
    with pytest.raises(ServiceError, match="lý do"):
        services.value_return(actor=personas.secretariat, value=value, reason="  ")
    services.value_return(actor=personas.secretariat, value=value, reason="Chưa khớp báo cáo quý")
    value.refresh_from_db()
    assert value.state == ValueState.RETURNED and value.return_reason == "Chưa khớp báo cáo quý"
    assert _entries(value).last().reason == "Chưa khớp báo cáo quý"
    assert value_for(digitised.code, personas.unit_a, YEAR) is None
    services.value_save(actor=personas.focal_a, indicator=digitised, unit=personas.unit_a, period=YEAR, value=75)
    value.refresh_from_db()
    assert value.state == ValueState.DRAFT and value.value == Decimal(75)
    services.value_submit(actor=personas.focal_a, value=value)
    services.value_accept(actor=personas.secretariat, value=value)
    value.refresh_from_db()
    assert value.state == ValueState.ACCEPTED and value.return_reason == ""


def test_only_submitted_values_are_accepted_or_returned(personas, digitised):
    value = enter(personas, digitised, submit=False)
    with pytest.raises(ServiceError, match="Chỉ xác nhận được giá trị đơn vị đã gửi"):
        services.value_accept(actor=personas.secretariat, value=value)
    with pytest.raises(ServiceError, match="Chỉ trả lại được giá trị đơn vị đã gửi"):
        services.value_return(actor=personas.secretariat, value=value, reason="x")


def test_values_of_indicators_not_entered_by_units_are_refused(personas):
    computed = services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ đúng hạn")
    with pytest.raises(ServiceError, match="không do đơn vị nhập"):
        services.value_save(actor=personas.focal_a, indicator=computed, unit=personas.unit_a, period=YEAR, value=1)


def test_a_value_of_another_period_kind_or_out_of_range_is_refused(personas, digitised):
    quarter = Period(2025, PeriodKind.QUARTER, 1)
    with pytest.raises(ServiceError, match="kỳ khác"):
        services.value_save(actor=personas.focal_a, indicator=digitised, unit=personas.unit_a, period=quarter, value=1)
    with pytest.raises(ServiceError, match="0–100"):
        services.value_save(actor=personas.focal_a, indicator=digitised, unit=personas.unit_a, period=YEAR, value=101)
    assert not IndicatorValue.objects.exists()


def test_a_file_that_is_not_evidence_is_refused_and_nothing_is_stored(personas, digitised):
    value = enter(personas, digitised, submit=False)
    bad = SimpleUploadedFile("bao-cao.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ServiceError, match=r"không đúng định dạng|bị hỏng"):
        services.value_evidence_add(actor=personas.focal_a, value=value, upload=bad)
    assert value.evidence.count() == 1


def test_publishing_accepts_at_once_and_never_overwrites_a_value_a_unit_entered(personas, digitised):
    computed = services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ đúng hạn")
    published = services.value_publish(actor=None, indicator=computed, unit=personas.unit_a, period=YEAR, value=66)
    assert published.state == ValueState.ACCEPTED and published.origin == ValueOrigin.COMPUTED
    assert value_for("tasks.on_time_rate", personas.unit_a, YEAR) == published
    imported = services.value_publish(
        actor=None, indicator=computed, unit=personas.unit_b, period=YEAR, value=70, origin=ValueOrigin.IMPORTED
    )
    assert imported.origin == ValueOrigin.IMPORTED and imported.state == ValueState.ACCEPTED
    enter(personas, digitised, submit=False)
    with pytest.raises(ServiceError, match="đơn vị nhập"):
        services.value_publish(actor=None, indicator=digitised, unit=personas.unit_a, period=YEAR, value=10)


def test_the_same_file_twice_is_stored_once(personas, digitised):
    value = enter(personas, digitised, submit=False)
    services.value_evidence_add(actor=personas.focal_a, value=value, upload=pdf_upload("lan-2.pdf"))
    assert value.evidence.count() == 1


def test_a_period_that_has_not_started_is_refused(personas, digitised):
    with (
        time_machine.travel("2025-06-01 09:00", tick=False),
        pytest.raises(ServiceError, match="Kỳ năm 2026 chưa bắt đầu"),
    ):
        services.value_save(
            actor=personas.focal_a,
            indicator=digitised,
            unit=personas.unit_a,
            period=Period(2026, PeriodKind.YEAR),
            value=10,
        )


@pytest.mark.parametrize(
    ("value", "numerator", "denominator", "field", "message"),
    [
        (75, 45, None, "denominator", "Nhập cả tử số và mẫu số"),
        (75, None, 60, "numerator", "Nhập cả tử số và mẫu số"),
        (50, -5, 10, "numerator", "Tử số không được âm."),
        (50, 5, 0, "denominator", "Mẫu số phải lớn hơn 0."),
        (100, 70, 60, "numerator", "Tử số không được lớn hơn mẫu số."),
        (Decimal("72.5"), 45, 60, "value", "Tỷ lệ phải bằng tử số chia cho mẫu số, tức 75,00 %."),
    ],
)
def test_a_rate_given_with_its_parts_must_agree_with_them(
    personas, digitised, value, numerator, denominator, field, message
):
    with pytest.raises(ServiceError) as refused:
        services.value_save(
            actor=personas.focal_a,
            indicator=digitised,
            unit=personas.unit_a,
            period=YEAR,
            value=value,
            numerator=numerator,
            denominator=denominator,
        )
    assert message in refused.value.message and refused.value.field == field
    assert not IndicatorValue.objects.filter(indicator=digitised, unit=personas.unit_a).exists()


def test_a_rate_that_is_its_parts_rounded_to_a_hundredth_is_kept_with_them(personas, digitised):
    value = services.value_save(
        actor=personas.focal_a,
        indicator=digitised,
        unit=personas.unit_a,
        period=YEAR,
        value=Decimal("66.67"),
        numerator=2,
        denominator=3,
    )
    assert (value.value, value.numerator, value.denominator) == (Decimal("66.67"), Decimal(2), Decimal(3))
