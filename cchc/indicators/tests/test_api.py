"""The indicator API: the same reading rules and services as the pages, for every persona."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditEntry
from cchc.indicators import services
from cchc.indicators.models import IndicatorValue, Measure, ValueOrigin, ValueState
from cchc.lib.periods import Period, PeriodKind
from cchc.testing.personas import PERSONA_NAMES

from .conftest import enter, pdf_upload

pytestmark = pytest.mark.django_db

Y2024 = Period(2024, PeriodKind.YEAR)
Y2025 = Period(2025, PeriodKind.YEAR)


def call(personas, name: str, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
    user = personas.user(name)
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Bearer {api_token_create(actor=user, user=user, name='thử')[1]}"
    client = Client()
    if method == "get":
        return client.get(f"/api/indicators{path}", params, headers=headers)
    return client.post(f"/api/indicators{path}", body or {}, content_type="application/json", headers=headers)


@pytest.fixture
def world(personas, digitised):
    """Unit A: accepted 2024, draft 2025; unit B: submitted 2025, returned 2024; another province: submitted 2025."""
    accepted = enter(personas, digitised, period=Y2024, amount=60)
    services.value_accept(actor=personas.secretariat, value=accepted)
    draft = enter(personas, digitised, period=Y2025, submit=False)
    submitted = enter(personas, digitised, unit=personas.unit_b, user=personas.focal_b, period=Y2025, amount=30)
    returned = enter(personas, digitised, unit=personas.unit_b, user=personas.focal_b, period=Y2024, amount=20)
    services.value_return(actor=personas.secretariat, value=returned, reason="Thiếu minh chứng")
    outside = services.value_save(
        actor=personas.admin, indicator=digitised, unit=personas.other_commune, period=Y2025, value=10
    )
    services.value_evidence_add(actor=personas.admin, value=outside, upload=pdf_upload())
    services.value_submit(actor=personas.admin, value=outside)
    return {"accepted": accepted, "draft": draft, "submitted": submitted, "returned": returned, "outside": outside}


# Which of the world's values each persona reads through the API.
READS = {
    "admin": {"accepted", "draft", "submitted", "returned", "outside"},
    "secretariat": {"accepted", "submitted"},
    "leader": {"accepted", "submitted"},
    "appraiser": {"accepted", "submitted"},
    "supervisor": {"accepted", "submitted"},
    "focal_a": {"accepted", "draft"},
    "focal_b": {"accepted", "submitted", "returned"},
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_each_persona_lists_exactly_the_values_the_rules_let_it_read(personas, world, name):
    response = call(personas, name, "get", "/values", limit=100)
    if name == "anonymous":
        assert response.status_code == 401
        return
    ids = {row["id"] for row in response.json()["items"]}
    assert ids == {world[key].pk for key in READS[name]}


def test_values_are_filtered_by_indicator_period_year_unit_and_subtree(personas, world):
    by_period = call(personas, "leader", "get", "/values", period="2024").json()["items"]
    assert [row["id"] for row in by_period] == [world["accepted"].pk]
    by_year = call(personas, "leader", "get", "/values", year=2025).json()["items"]
    assert [row["id"] for row in by_year] == [world["submitted"].pk]
    by_code = call(personas, "leader", "get", "/values", indicator="tthc.digitised_results").json()["count"]
    assert by_code == 2
    own = call(personas, "leader", "get", "/values", unit="T-P").json()["count"]
    subtree = call(personas, "leader", "get", "/values", unit="T-P", subtree="true").json()["items"]
    assert own == 0
    assert {row["unit_code"] for row in subtree} == {"T-P-STP", "T-P-XHB"}
    row = subtree[0]
    assert set(row) >= {"indicator", "unit_code", "period_key", "value", "origin", "state", "numerator"}
    assert call(personas, "leader", "get", "/values", unit="T-Q-X").status_code == 404
    assert call(personas, "leader", "get", "/values", indicator="khong.co").status_code == 404
    bad = call(personas, "leader", "get", "/values", period="2025-Q9")
    assert bad.status_code == 400 and "không hợp lệ" in bad.json()["detail"]


def test_indicators_and_targets_are_listed_for_every_role(personas, world, digitised):
    for name in ("leader", "focal_b"):
        indicators = call(personas, name, "get", "/").json()
        assert [row["code"] for row in indicators] == ["tthc.digitised_results"]
        targets = call(personas, name, "get", "/targets", indicator="tthc.digitised_results").json()["items"]
        assert [(row["year"], row["unit_kind"], row["step"]) for row in targets] == [(2021, "commune", "20.0000")]
    assert call(personas, "anonymous", "get", "/").status_code == 401
    assert call(personas, "leader", "get", "/", entry="computed").json() == []


@pytest.fixture
def computed(personas):
    return services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ đúng hạn")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_only_the_secretariat_and_administrators_publish_computed_or_imported_values(personas, computed, name):
    body = {"indicator": "tasks.on_time_rate", "unit": "T-P-STP", "period": "2025", "value": 80, "origin": "computed"}
    response = call(personas, name, "post", "/values", body)
    expected = {"admin": 200, "secretariat": 200, "anonymous": 401}.get(name, 403)
    assert response.status_code == expected
    if expected == 200:
        value = IndicatorValue.objects.get()
        assert (value.origin, value.state, response.json()["value"]) == (
            ValueOrigin.COMPUTED,
            ValueState.ACCEPTED,
            "80.0000",
        )
    else:
        assert not IndicatorValue.objects.exists()


def test_the_secretariat_publishes_only_inside_its_scope_and_never_over_a_value_a_unit_entered(
    personas, computed, digitised
):
    outside = {"indicator": "tasks.on_time_rate", "unit": "T-Q-X", "period": "2025", "value": 80, "origin": "computed"}
    assert call(personas, "secretariat", "post", "/values", outside).status_code == 404
    accepted = enter(personas, digitised, period=Y2025, amount=66)
    services.value_accept(actor=personas.secretariat, value=accepted)
    body = {"indicator": digitised.code, "unit": "T-P-STP", "period": "2025", "value": 90, "origin": "imported"}
    response = call(personas, "secretariat", "post", "/values", body)
    assert response.status_code == 409 and "không ghi đè" in response.json()["detail"]
    mismatch = {**body, "unit": "T-P-XHB", "numerator": 3, "denominator": 4}
    response = call(personas, "secretariat", "post", "/values", mismatch)
    assert (
        response.status_code == 400
        and response.json()["detail"] == "Tỷ lệ phải bằng tử số chia cho mẫu số, tức 75,00 %."
    )


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_a_focal_point_saves_a_draft_of_its_own_unit_only(personas, digitised, name):
    body = {"indicator": digitised.code, "unit": "T-P-STP", "period": "2025", "value": 40, "note": "Sổ theo dõi"}
    response = call(personas, name, "post", "/values", body)
    expected = {"admin": 200, "focal_a": 200, "anonymous": 401}.get(name, 403)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["state"] == "draft" and response.json()["origin"] == "entered"


def test_a_focal_point_corrects_its_draft_but_never_a_sent_or_accepted_value_nor_a_computed_indicator(
    personas, digitised, computed
):
    body = {"indicator": digitised.code, "unit": "T-P-STP", "period": "2025", "value": 40}
    assert call(personas, "focal_a", "post", "/values", body).status_code == 200
    assert call(personas, "focal_a", "post", "/values", {**body, "value": 45}).json()["value"] == "45.0000"
    before = AuditEntry.objects.count()
    value = IndicatorValue.objects.get()
    services.value_evidence_add(actor=personas.focal_a, value=value, upload=pdf_upload())
    services.value_submit(actor=personas.focal_a, value=value)
    locked = call(personas, "focal_a", "post", "/values", {**body, "value": 50})
    assert locked.status_code == 409 and "không sửa được" in locked.json()["detail"]
    services.value_accept(actor=personas.secretariat, value=value)
    assert call(personas, "focal_a", "post", "/values", {**body, "value": 50}).status_code == 409
    value.refresh_from_db()
    assert value.value == Decimal(45) and AuditEntry.objects.count() > before
    wrong = call(personas, "focal_a", "post", "/values", {**body, "indicator": "tasks.on_time_rate"})
    assert wrong.status_code == 400 and "không do đơn vị nhập" in wrong.json()["detail"]
    other = call(personas, "focal_a", "post", "/values", {**body, "unit": "T-P-XHB", "period": "2024"})
    assert other.status_code == 403


def test_an_imported_count_through_the_api_is_checked_against_the_period_kind(personas):
    count = services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(
            code="pakn.x", name="Số thử", measure=Measure.COUNT, period_kind=PeriodKind.QUARTER.value
        ),
    )
    body = {"indicator": count.code, "unit": "T-P-STP", "period": "2025", "value": 3, "origin": "imported"}
    assert call(personas, "admin", "post", "/values", body).status_code == 400
    assert call(personas, "admin", "post", "/values", {**body, "period": "2025-Q2"}).status_code == 200
