"""The rules of the initiative register: proposing, files through the upload checks, recognition, the count per unit
against the target, its publication, and a PAR bonus criterion scored from it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cchc.frameworks import scoring
from cchc.indicators.models import IndicatorSource, IndicatorValue
from cchc.indicators.selectors import target_for, value_for
from cchc.initiatives import selectors, services
from cchc.initiatives.models import Initiative, InitiativeStatus, RecognitionLevel
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas


def _propose(personas: Personas, unit: Unit, title: str, year: int) -> Initiative:
    return services.initiative_propose(
        actor=personas.focal_a, unit=unit, year=year, title=title, description="Mô tả giải pháp và hiệu quả."
    )


def _recognise(personas: Personas, initiative: Initiative) -> Initiative:
    return services.initiative_recognise(
        actor=personas.secretariat,
        initiative=initiative,
        level=RecognitionLevel.PROVINCE,
        recognised_on=timezone.localdate(),
        reference="123/QĐ-UBND",
    )


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


def test_the_count_is_the_recognised_and_applied_initiatives_and_is_published(personas: Personas, year: int) -> None:
    first = _propose(personas, personas.unit_a, "Số hóa hồ sơ lưu trữ", year)
    second = _propose(personas, personas.unit_a, "Tổ công nghệ số cộng đồng", year)
    _propose(personas, personas.unit_a, "Một đề xuất chưa được xét", year)
    value = IndicatorValue.objects.get(indicator__code=selectors.RECOGNISED_COUNT, unit=personas.unit_a)
    assert value.value == 0  # proposals only: the unit has 0 recognised, below its target

    _recognise(personas, first)
    _recognise(personas, second)
    services.initiative_mark_applied(actor=personas.secretariat, initiative=second, applied_on=timezone.localdate())

    assert selectors.recognised_count(personas.unit_a, year) == 2
    value.refresh_from_db()
    assert value.value == Decimal(2)
    assert value.indicator.source == IndicatorSource.INITIATIVES
    [row] = selectors.counts_by_unit(Initiative.objects.all(), year)
    assert (row.unit, row.proposed, row.recognised, row.target, row.meets_target) == (
        personas.unit_a,
        3,
        2,
        Decimal(3),
        False,
    )


def test_a_recognised_initiative_is_no_longer_edited_nor_withdrawn_nor_recognised_twice(
    personas: Personas, year: int
) -> None:
    initiative = _recognise(personas, _propose(personas, personas.unit_a, "Một cửa điện tử", year))
    assert initiative.status == InitiativeStatus.RECOGNISED
    assert initiative.recognised_by == personas.secretariat
    with pytest.raises(ServiceError):
        services.initiative_update(actor=personas.focal_a, initiative=initiative, title="Khác", description="Khác")
    with pytest.raises(ServiceError):
        services.initiative_withdraw(actor=personas.focal_a, initiative=initiative)
    with pytest.raises(ServiceError) as raised:
        _recognise(personas, initiative)
    assert raised.value.code == "already"


def test_the_same_title_twice_in_a_year_is_refused(personas: Personas, year: int) -> None:
    _propose(personas, personas.unit_a, "Số hóa hồ sơ", year)
    with pytest.raises(ServiceError) as raised:
        _propose(personas, personas.unit_a, "Số hóa  hồ sơ", year)
    assert raised.value.field == "title"
    assert Initiative.objects.count() == 1


def test_a_withdrawn_proposal_is_gone_and_the_count_published_again(personas: Personas, year: int) -> None:
    initiative = _propose(personas, personas.unit_a, "Đề xuất rút lại", year)
    services.initiative_withdraw(actor=personas.focal_a, initiative=initiative)
    assert not Initiative.objects.exists()
    services.initiative_withdraw(actor=personas.focal_a, initiative=initiative)  # a second click does nothing


def test_files_go_through_the_upload_checks_and_are_stored_once(personas: Personas, year: int) -> None:
    initiative = _propose(personas, personas.unit_a, "Có tệp", year)
    pdf = pdf_bytes()
    services.initiative_file_add(
        actor=personas.focal_a, initiative=initiative, upload=SimpleUploadedFile("mo-ta.pdf", pdf)
    )
    services.initiative_file_add(
        actor=personas.focal_a, initiative=initiative, upload=SimpleUploadedFile("mo-ta-lan-2.pdf", pdf)
    )
    assert initiative.files.count() == 1
    with pytest.raises(ServiceError) as raised:
        services.initiative_file_add(
            actor=personas.focal_a, initiative=initiative, upload=SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 100)
        )
    assert raised.value.field == "file"
    with pytest.raises(ServiceError):
        services.initiative_file_add(
            actor=personas.focal_a,
            initiative=initiative,
            upload=SimpleUploadedFile("gia.pdf", b"<html><body>x</body></html>"),
        )
    assert initiative.files.count() == 1


def test_recognition_needs_a_level_and_a_day_not_in_the_future(personas: Personas, year: int) -> None:
    initiative = _propose(personas, personas.unit_a, "Chưa đủ thông tin", year)
    with pytest.raises(ServiceError) as raised:
        services.initiative_recognise(
            actor=personas.secretariat, initiative=initiative, level="", recognised_on=timezone.localdate()
        )
    assert raised.value.field == "level"
    with pytest.raises(ServiceError) as raised:
        services.initiative_recognise(
            actor=personas.secretariat,
            initiative=initiative,
            level=RecognitionLevel.UNIT,
            recognised_on=timezone.localdate().replace(year=year + 1),
        )
    assert raised.value.field == "recognised_on"


def test_a_par_bonus_criterion_can_be_scored_from_the_initiatives_indicator(personas: Personas, year: int) -> None:
    """A bonus criterion with the rule "from indicator" on ``initiatives.recognised_count``, proportional to the
    target of 3: two recognised initiatives give 2/3 of its maximum of 1 point."""
    params = {"indicator": selectors.RECOGNISED_COUNT, "method": "proportional", "target": 3}
    assert scoring.validate_params("indicator", params, 1) == []
    for title in ("Thứ nhất", "Thứ hai"):
        _recognise(personas, _propose(personas, personas.unit_a, title, year))
    found = value_for(selectors.RECOGNISED_COUNT, personas.unit_a, Period(year, PeriodKind.YEAR))
    assert found is not None and found.value == Decimal(2)
    assert scoring.evaluate("indicator", params, 1, found.value) == Decimal("0.67")
    assert target_for(selectors.RECOGNISED_COUNT, personas.unit_a, year) == Decimal(3)
