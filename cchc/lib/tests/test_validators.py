"""The shared input bounds: NUL characters, date range, ``-0``, and the NUL check on every request."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from cchc.frameworks.scoring import to_decimal
from cchc.lib.errors import ServiceError
from cchc.lib.middleware import NFCMiddleware
from cchc.lib.validators import check_date, check_text, no_negative_zero, reject_nul, validate_date_range


def _ok(request: object) -> HttpResponse:
    return HttpResponse("ok")


@pytest.mark.parametrize("raw", ["-0", "-0.00", "-0,0"])
def test_minus_zero_is_read_as_zero(raw: str) -> None:
    value = to_decimal(raw)
    assert value == 0 and not value.is_signed()
    assert not no_negative_zero(Decimal(raw.replace(",", "."))).is_signed()
    assert no_negative_zero(Decimal("-1.5")) == Decimal("-1.5")


def test_dates_outside_1945_to_2100_are_refused() -> None:
    validate_date_range(datetime.date(1945, 1, 1))
    validate_date_range(datetime.date(2100, 12, 31))
    for day in (datetime.date(1944, 12, 31), datetime.date(2101, 1, 1)):
        with pytest.raises(ValidationError):
            validate_date_range(day)
        with pytest.raises(ServiceError) as caught:
            check_date(day, field="deadline")
        assert caught.value.field == "deadline"


def test_text_with_nul_or_too_long_is_refused_by_services_with_its_field() -> None:
    with pytest.raises(ValidationError):
        reject_nul("a\x00b")
    with pytest.raises(ServiceError) as caught:
        check_text("a\x00b", field="note")
    assert caught.value.field == "note" and "NUL" in caught.value.message
    with pytest.raises(ServiceError) as caught:
        check_text("x" * 11, field="reason", max_length=10)
    assert caught.value.message == "Nội dung dài quá 10 ký tự."
    assert check_text("x" * 10, field="reason", max_length=10) == "x" * 10


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (b'{"a": "x\\u0000"}', True),
        (b'{"a": "x\\U0000"}', True),
        (b'{"a": "x\\\\\\u0000"}', True),
        (b'{"a": "x\\\\u0000"}', False),
        (b'{"a": "x\x00"}', True),
        (b'{"a": "x"}', False),
    ],
)
def test_a_nul_in_a_json_body_is_refused_before_the_view(body: bytes, refused: bool) -> None:
    request = RequestFactory().put("/api/x", data=body, content_type="application/json")
    response = NFCMiddleware(_ok)(request)
    assert (response.status_code == 400) is refused
    if refused:
        assert "ký tự NUL" in json.loads(response.content)["detail"]


def test_a_nul_in_a_form_field_name_or_value_is_refused(db: None) -> None:
    for data in ({"note": "a\x00b"}, {"no\x00te": "a"}):
        response = NFCMiddleware(_ok)(RequestFactory().post("/assessments/", data))
        assert response.status_code == 400 and "ký tự NUL" in response.content.decode()
