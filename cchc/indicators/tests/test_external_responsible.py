"""The units answerable for each item of an index in a province: set by the secretariat, audited, shown on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.audit.models import AuditAction, AuditEntry
from cchc.indicators.external import responsibilities_of, responsibility_set
from cchc.indicators.models import ExternalResponsibility
from cchc.lib.errors import ServiceError
from cchc.organisations.picker import unit_scope
from cchc.testing.personas import PERSONA_NAMES

pytestmark = pytest.mark.django_db


def _form_url(personas, code: str = "papi.d5", index: str = "papi", unit=None) -> str:
    return reverse("indicators:external_responsible", args=[index, (unit or personas.province).pk, code])


def _page_url(personas, index: str = "papi") -> str:
    return reverse("indicators:external_province", args=[index, personas.province.pk])


def test_setting_lead_and_supporting_units_replaces_the_previous_ones_with_one_audit_entry_per_change(personas):
    change = responsibility_set(
        actor=personas.secretariat,
        province=personas.province,
        item_code="papi.d5",
        lead_units=[personas.home_affairs],
        supporting_units=[personas.unit_a],
    )
    assert (change.added, change.removed, change.changed) == (2, 0, 0)
    rows = responsibilities_of(personas.province)["papi.d5"]
    assert [(row.unit, row.lead) for row in rows] == [(personas.home_affairs, True), (personas.unit_a, False)]
    change = responsibility_set(
        actor=personas.secretariat,
        province=personas.province,
        item_code="papi.d5",
        lead_units=[personas.unit_a],
        supporting_units=[personas.unit_b],
    )
    assert (change.added, change.removed, change.changed) == (1, 1, 1)
    entries = AuditEntry.objects.filter(object_type="indicators.externalresponsibility")
    assert entries.filter(action=AuditAction.CREATE).count() == 3
    assert entries.filter(action=AuditAction.DELETE).count() == 1
    updated = entries.get(action=AuditAction.UPDATE)
    assert updated.changes == {"status": ["phối hợp", "chủ trì"]} and updated.actor == personas.secretariat
    created = entries.filter(action=AuditAction.CREATE).first()
    assert created is not None and created.changes["indicator"][1] == "PAPI 5. Thủ tục hành chính công"


def test_setting_the_same_units_again_changes_and_records_nothing(personas):
    for _round in range(2):
        responsibility_set(
            actor=personas.secretariat, province=personas.province, item_code="par.a3", lead_units=[personas.unit_a]
        )
    assert AuditEntry.objects.filter(object_type="indicators.externalresponsibility").count() == 1


def test_both_lists_empty_clears_the_item(personas):
    responsibility_set(actor=None, province=personas.province, item_code="sipas.e2", lead_units=[personas.home_affairs])
    change = responsibility_set(actor=None, province=personas.province, item_code="sipas.e2", lead_units=[])
    assert change.removed == 1 and not ExternalResponsibility.objects.exists()


@pytest.mark.parametrize(
    ("code", "units", "message"),
    [
        ("papi.d9", "inside", "không có trong danh mục"),
        ("papi.d5", "outside", "không thuộc Tỉnh Thử Nghiệm"),
        ("papi.d5", "province", "không thuộc Tỉnh Thử Nghiệm"),
        ("papi.d5", "both", "vừa chủ trì vừa phối hợp"),
    ],
)
def test_wrong_items_and_units_are_refused_in_vietnamese(personas, code, units, message):
    lead = {
        "inside": [personas.unit_a],
        "outside": [personas.other_province],
        "province": [personas.province],
        "both": [personas.unit_a],
    }[units]
    supporting = [personas.unit_a] if units == "both" else []
    with pytest.raises(ServiceError, match=message):
        responsibility_set(
            actor=None,
            province=personas.province,
            item_code=code,
            lead_units=lead,
            supporting_units=supporting,
        )
    assert not ExternalResponsibility.objects.exists()


def test_a_unit_that_is_not_a_province_gets_no_responsible_unit(personas):
    with pytest.raises(ServiceError, match="tỉnh, thành phố"):
        responsibility_set(actor=None, province=personas.unit_a, item_code="papi.d5", lead_units=[personas.office_a])


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_only_the_secretariat_and_the_administrator_assign_units(personas, name):
    client = personas.client(name)
    page = client.get(_page_url(personas))
    form = client.get(_form_url(personas))
    if name == "anonymous":
        assert form.status_code == 302
        return
    assigns = name in {"admin", "secretariat"}
    assert form.status_code == (200 if assigns else 403)
    assert ('data-testid="assign-papi.total"' in page.content.decode()) == assigns
    posted = client.post(_form_url(personas), {"lead_units": [personas.unit_a.pk]})
    assert posted.status_code == (302 if assigns else 403)
    assert ExternalResponsibility.objects.exists() == assigns


def test_the_form_of_another_province_an_unknown_item_or_an_item_of_another_index_is_404(personas):
    client = personas.client("secretariat")
    assert client.get(_form_url(personas, unit=personas.other_province)).status_code == 404
    assert client.get(_form_url(personas, code="papi.d42")).status_code == 404
    assert client.get(_form_url(personas, code="par.a1", index="papi")).status_code == 404


def test_the_secretariat_assigns_units_and_the_province_page_shows_them_beside_the_item(personas):
    client = personas.client("secretariat")
    response = client.post(
        _form_url(personas),
        {"lead_units": [personas.home_affairs.pk], "supporting_units": [personas.unit_a.pk]},
    )
    assert response.status_code == 302 and response["Location"].endswith("#row-papi.d5")
    page = personas.client("leader").get(_page_url(personas)).content.decode()
    assert 'data-testid="row-papi.d5"' in page
    start = page.index('data-testid="responsible-papi.d5"')
    shown = page[start : page.index("</p>", start)]
    assert "Sở Nội vụ (chủ trì)" in shown and "Sở Tư pháp (phối hợp)" in shown


def test_the_form_refuses_a_unit_in_both_lists_and_a_unit_outside_the_province_without_a_server_error(personas):
    client = personas.client("admin")
    both = client.post(
        _form_url(personas), {"lead_units": [personas.unit_a.pk], "supporting_units": [personas.unit_a.pk]}
    )
    assert both.status_code == 400 and "vừa chủ trì vừa phối hợp" in both.content.decode()
    outside = client.post(_form_url(personas), {"lead_units": [personas.other_province.pk]})
    assert outside.status_code == 400
    odd = client.post(_form_url(personas), {"lead_units": ["abc"]})
    assert odd.status_code == 400
    assert not ExternalResponsibility.objects.exists()


def test_the_picker_offers_the_managed_units_inside_the_province_only(personas):
    scope = unit_scope(personas.secretariat, "indicators.external_responsible", province=personas.province.pk)
    units = set(scope.rows())
    assert {personas.home_affairs, personas.unit_a, personas.unit_b, personas.office_a} <= units
    assert personas.province not in units and personas.other_province not in units
    assert not unit_scope(personas.leader, "indicators.external_responsible", province=personas.province.pk).rows()


def test_before_any_result_the_secretariat_sees_every_dimension_to_assign_and_readers_only_the_assigned_ones(personas):
    responsibility_set(actor=None, province=personas.province, item_code="papi.d8", lead_units=[personas.unit_a])
    secretariat = personas.client("secretariat").get(_page_url(personas)).content.decode()
    leader = personas.client("leader").get(_page_url(personas)).content.decode()
    assert 'data-testid="no-results"' in secretariat
    assert all(f'data-testid="assign-papi.d{number}"' in secretariat for number in range(1, 9))
    assert 'data-testid="row-papi.d8"' in leader and 'data-testid="row-papi.d1"' not in leader
