"""Reads on the audit trail used by other pages."""

from __future__ import annotations

from cchc.accounts.models import Role
from cchc.accounts.services import role_grant, user_update
from cchc.audit.access import get_history_for_user
from cchc.audit.models import AuditAction, AuditEntry
from cchc.audit.selectors import change_rows, history_for, history_for_records, object_type_label
from cchc.organisations.services import UnitData, unit_update
from cchc.testing.personas import Personas


def test_history_for_returns_only_the_entries_of_that_record_newest_first(personas: Personas) -> None:
    user_update(actor=personas.secretariat, user=personas.focal_b, full_name="Tên một", phone="1")
    user_update(actor=personas.secretariat, user=personas.focal_b, full_name="Tên hai", phone="1")
    user_update(actor=personas.secretariat, user=personas.focal_a, full_name="Người khác")
    history = list(history_for(personas.focal_b))
    assert [entry.changes["full_name"][1] for entry in history] == ["Tên hai", "Tên một"]


def test_history_for_records_mixes_the_entries_of_several_records_of_any_type(personas: Personas) -> None:
    user_update(actor=personas.secretariat, user=personas.focal_b, full_name="Tên một", phone="1")
    user_update(actor=personas.secretariat, user=personas.focal_a, full_name="Người khác")
    unit = personas.other_commune
    unit_update(actor=None, unit=unit, data=UnitData(name="Xã Mới", kind=unit.kind, code=unit.code, subtype="commune"))
    entries = list(history_for_records([personas.focal_b, unit]))
    assert {(entry.object_type, entry.object_id) for entry in entries} == {
        ("accounts.user", str(personas.focal_b.pk)),
        ("organisations.unit", str(unit.pk)),
    }
    assert entries == sorted(entries, key=lambda entry: (entry.at, entry.pk), reverse=True)
    assert list(history_for_records([])) == []


def test_history_for_a_reader_keeps_only_what_they_may_read(personas: Personas) -> None:
    unit = personas.other_commune
    unit_update(actor=None, unit=unit, data=UnitData(name="Xã Mới", kind=unit.kind, code=unit.code, subtype="commune"))
    assert history_for(unit).count() == 2
    assert get_history_for_user(personas.admin, unit).count() == 2
    assert get_history_for_user(personas.secretariat, unit).count() == 0
    assert get_history_for_user(personas.secretariat, personas.unit_a).count() == 1
    assert get_history_for_user(personas.focal_a, personas.unit_a).count() == 0


def test_change_rows_label_fields_and_show_choice_labels(personas: Personas) -> None:
    role_grant(actor=personas.admin, user=personas.focal_b, role=Role.SUPERVISOR, scope=personas.unit_b)
    entry = AuditEntry.objects.get(action=AuditAction.GRANT)
    rows = {row.field: row for row in change_rows(entry)}
    assert rows["role"].label == "Vai trò"
    assert (rows["role"].old, rows["role"].new) == ("—", "Giám sát")
    assert rows["scope"].label == "Phạm vi"
    assert rows["scope"].new == "Xã Hòa Bình"


def test_change_rows_of_a_new_unit_skip_empty_fields_and_format_dates(personas: Personas) -> None:
    entry = AuditEntry.objects.get(object_type="organisations.unit", object_id=str(personas.unit_b.pk))
    rows = {row.field: row for row in change_rows(entry)}
    assert "short_name" not in rows
    assert rows["kind"].new == "Xã, phường, đặc khu, thị trấn"
    assert rows["subtype"].new == "Xã"
    assert next(iter(rows)) == "name"  # model field order, not alphabetical
    entry.changes = {"valid_to": [None, "2025-06-30"], "is_active": [True, False]}
    rows = {row.field: row for row in change_rows(entry)}
    assert rows["valid_to"].new == "30/06/2025"
    assert rows["valid_to"].label == "Hiệu lực đến ngày"


def test_user_changes_have_vietnamese_labels_for_djangos_own_fields(personas: Personas) -> None:
    user_update(actor=personas.admin, user=personas.focal_b, full_name="Phạm Văn Đầu Mối", is_active=False)
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="accounts.user")
    rows = {row.field: row for row in change_rows(entry)}
    assert rows["is_active"].label == "Đang hoạt động"
    assert (rows["is_active"].old, rows["is_active"].new) == ("Có", "Không")


def test_unknown_record_types_fall_back_to_their_label(db: None) -> None:
    assert object_type_label("accounts.apitoken") == "Mã truy cập API"
    assert object_type_label("khong.ton_tai") == "khong.ton_tai"
