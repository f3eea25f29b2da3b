from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.indicators import services
from cchc.indicators.models import EntryMode, Indicator
from cchc.lib.periods import Period, PeriodKind
from cchc.testing.files import pdf_bytes

YEAR = Period(2025, PeriodKind.YEAR)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_upload(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def digitised(personas) -> Indicator:
    """An indicator entered by units, with an escalating commune target (15 % in 2021, +20 a year, up to 100 %)."""
    indicator = services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(
            code="tthc.digitised_results",
            name="Tỷ lệ số hóa kết quả giải quyết TTHC",
            entry=EntryMode.UNIT,
            basis="Công văn Đoan Hùng 8/2021",
        ),
    )
    services.target_create(
        actor=personas.secretariat,
        indicator=indicator,
        data=services.TargetData(year=2021, unit_kind="commune", value=Decimal(15), step=Decimal(20), cap=Decimal(100)),
    )
    return indicator


def enter(personas, indicator, *, unit=None, user=None, amount=80, period=YEAR, submit=True):
    """A value entered by the focal point of unit A (or ``user`` for ``unit``), with a PDF, sent for review."""
    unit = unit or personas.unit_a
    user = user or personas.focal_a
    value = services.value_save(actor=user, indicator=indicator, unit=unit, period=period, value=amount)
    services.value_evidence_add(actor=user, value=value, upload=pdf_upload())
    if submit:
        services.value_submit(actor=user, value=value)
    value.refresh_from_db()
    return value
