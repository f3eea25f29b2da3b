"""Exporting the unit tree and importing the same file unchanged is a no-op, for every person who may do both."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cchc.accounts.models import User
from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.organisations.excel import HEADER, import_units
from cchc.organisations.models import Unit, UnitSuccession
from cchc.organisations.services import UnitData, unit_succession_add, unit_update

pytestmark = pytest.mark.django_db

REFORM_DAY = datetime.date(2025, 7, 1)


@pytest.fixture
def demo_province():
    load_province(password="demo-password-123")


def _state():
    units = sorted(
        Unit.objects.values_list(
            "code", "name", "short_name", "kind", "subtype", "parent__code", "valid_from", "valid_to", "path"
        )
    )
    links = sorted(UnitSuccession.objects.values_list("predecessor__code", "successor__code", "kind", "effective_date"))
    return units, links


@pytest.mark.parametrize("username", ["thuongtruc", "quantri"])
@pytest.mark.parametrize("filters", [{}, {"inactive": "1"}, {"kind": "commune", "inactive": "1"}])
def test_the_exported_unit_tree_imports_unchanged_and_changes_nothing(demo_province, client, username, filters):
    user = User.objects.get(username=username)
    client.force_login(user)
    response = client.get(reverse("organisations:unit_export"), filters)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    before = _state()
    audit_before = AuditEntry.objects.count()

    upload = SimpleUploadedFile("don-vi.xlsx", data)
    response = client.post(reverse("organisations:unit_import"), {"file": upload}, follow=True)

    assert response.redirect_chain, response.content.decode()
    assert re.search(r"Thêm mới 0, cập nhật 0, không đổi \d+ đơn vị; 0 liên kết kế thừa\.", response.content.decode())
    assert _state() == before
    assert AuditEntry.objects.count() == audit_before


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(code, name, kind, parent="", subtype="", valid_from=None, predecessors=""):
    return [None, code, name, "", kind, subtype, parent, valid_from, None, predecessors]


def test_an_empty_valid_from_keeps_the_date_stored_for_an_existing_unit(personas):
    unit_update(
        actor=None,
        unit=personas.unit_b,
        data=UnitData(name="Xã Hòa Bình", kind="commune", code="T-P-XHB", subtype="commune", valid_from=REFORM_DAY),
    )
    audit_before = AuditEntry.objects.count()
    report = import_units(actor=personas.secretariat, data=_xlsx([_row("T-P-XHB", "Xã Hòa Bình", "Xã", "T-P")]))
    assert report.ok, report.errors
    assert (report.updated, report.unchanged) == (0, 1)
    personas.unit_b.refresh_from_db()
    assert personas.unit_b.valid_from == REFORM_DAY
    assert AuditEntry.objects.count() == audit_before


def test_a_predecessor_outside_the_scope_is_accepted_when_already_linked_and_refused_when_new(personas):
    unit_succession_add(
        actor=None,
        predecessor=personas.other_commune,
        successor=personas.unit_b,
        kind="merge",
        effective_date=REFORM_DAY,
    )
    linked = import_units(
        actor=personas.secretariat, data=_xlsx([_row("T-P-XHB", "Xã Hòa Bình", "Xã", "T-P", predecessors="T-Q-X")])
    )
    assert linked.ok, linked.errors
    assert linked.links == 0

    new_link = import_units(
        actor=personas.secretariat,
        data=_xlsx([_row("T-P-STP", "Sở Tư pháp", "Sở", "T-P", valid_from=REFORM_DAY, predecessors="T-Q-X")]),
    )
    assert [(error.column, error.message) for error in new_link.errors] == [
        ("Kế thừa từ", "Đơn vị “T-Q-X” nằm ngoài phạm vi quản lý của bạn.")
    ]


def test_an_unchanged_row_of_a_unit_outside_the_scope_passes_but_a_changed_one_is_refused(personas):
    same = import_units(actor=personas.secretariat, data=_xlsx([_row("T-Q-X", "Xã Ngoài Phạm Vi", "Xã", "T-Q")]))
    assert same.ok, same.errors
    assert same.unchanged == 1
    renamed = import_units(actor=personas.secretariat, data=_xlsx([_row("T-Q-X", "Xã Đổi Tên", "Xã", "T-Q")]))
    assert [error.column for error in renamed.errors] == ["Mã đơn vị"]


def test_an_exported_file_with_one_renamed_unit_changes_only_that_unit(demo_province, client):
    user = User.objects.get(username="thuongtruc")
    client.force_login(user)
    workbook = load_workbook(io.BytesIO(b"".join(client.get(reverse("organisations:unit_export")).streaming_content)))
    sheet = workbook.worksheets[0]
    row = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "PT-STP")
    row[2].value = "Sở Tư pháp tỉnh Phú Thọ"
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_before = AuditEntry.objects.count()

    report = import_units(actor=user, data=buffer.getvalue())

    assert report.ok, report.errors
    assert (report.created, report.updated, report.links) == (0, 1, 0)
    assert Unit.objects.get(code="PT-STP").name == "Sở Tư pháp tỉnh Phú Thọ"
    assert AuditEntry.objects.count() == audit_before + 1
