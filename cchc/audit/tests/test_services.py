"""Writing the audit trail: one entry per change, and the same entries for a bulk insert."""

from __future__ import annotations

from cchc.audit.models import AuditAction, AuditEntry
from cchc.audit.services import diff, record, record_created, snapshot
from cchc.organisations.services import UNIT_AUDIT_FIELDS
from cchc.testing.personas import Personas

COMPARED = (
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "unit_id",
    "unit_path",
    "changes",
    "reason",
)


def test_a_bulk_insert_writes_the_entries_one_record_call_per_instance_would(personas: Personas) -> None:
    AuditEntry.objects.all().delete()  # the personas' own history
    units = [personas.unit_a, personas.unit_b]
    for unit in units:
        record(
            actor=personas.secretariat,
            action=AuditAction.CREATE,
            instance=unit,
            changes=diff({}, snapshot(unit, UNIT_AUDIT_FIELDS)),
            reason="Nhập hàng loạt",
            unit=unit,
        )
    one_by_one = list(AuditEntry.objects.order_by("pk").values(*COMPARED))
    AuditEntry.objects.all().delete()

    record_created(
        actor=personas.secretariat,
        instances=units,
        fields=UNIT_AUDIT_FIELDS,
        reason="Nhập hàng loạt",
        unit_of=lambda unit: unit,
    )

    assert list(AuditEntry.objects.order_by("pk").values(*COMPARED)) == one_by_one
    assert len(one_by_one) == 2 and one_by_one[0]["unit_path"] == personas.unit_a.path


def test_a_bulk_insert_by_the_system_names_no_person_and_may_belong_to_no_unit(personas: Personas) -> None:
    AuditEntry.objects.all().delete()  # the personas' own history
    record_created(actor=None, instances=[personas.focal_a], fields=["username"])
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_label, entry.unit_id, entry.unit_path) == (None, "", None, "")
    assert entry.changes == {"username": [None, personas.focal_a.username]}
