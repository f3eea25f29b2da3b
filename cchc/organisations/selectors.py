"""Reads on the unit tree."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cchc.audit.models import AuditEntry
from cchc.lib.text import search_key, sort_key

from .models import CommuneSubtype, Membership, Unit, UnitKind, UnitQuerySet, UnitSuccession


def tree_rows(units: UnitQuerySet) -> list[Unit]:
    """Units in tree order (parents before children), siblings in Vietnamese alphabetical order.

    Runs one query; the ordering is done in Python because no database
    collation sorts Vietnamese correctly everywhere.
    """
    rows = list(units.order_by())
    by_parent: dict[int | None, list[Unit]] = {}
    present = {unit.pk for unit in rows}
    for unit in rows:
        parent = unit.parent_id if unit.parent_id in present else None
        by_parent.setdefault(parent, []).append(unit)
    for siblings in by_parent.values():
        siblings.sort(key=lambda unit: (_KIND_ORDER.get(unit.kind, 99), sort_key(unit.name)))
    ordered: list[Unit] = []
    stack = list(reversed(by_parent.get(None, [])))
    top_depth = min((unit.depth for unit in rows), default=0)
    while stack:
        unit = stack.pop()
        unit.tree_level = unit.depth - top_depth  # type: ignore[attr-defined]
        ordered.append(unit)
        stack.extend(reversed(by_parent.get(unit.pk, [])))
    return ordered


_KIND_ORDER = {
    "province": 0,
    "department": 1,
    "district": 2,
    "commune": 3,
    "office": 4,
    "public_service_unit": 5,
    "other": 6,
}


def search(units: UnitQuerySet, query: str) -> UnitQuerySet:
    """Diacritic-insensitive search on name, short name and code (``nang cao`` finds ``nâng cao``)."""
    key = search_key(query)
    if not key:
        return units
    for word in key.split():
        units = units.filter(search_key__contains=word)
    return units


def unit_context(unit: Unit) -> dict[str, Any]:
    """Everything the unit page shows, in a handful of queries."""
    return {
        "ancestors": list(unit.ancestors()),
        "children": tree_rows(Unit.objects.filter(parent=unit)),
        "predecessors": list(unit.succession_links_in.select_related("predecessor")),  # type: ignore[attr-defined]
        "successors": list(unit.succession_links_out.select_related("successor")),  # type: ignore[attr-defined]
        "memberships": sorted(
            unit.memberships.select_related("user"),  # type: ignore[attr-defined]
            key=lambda m: (not m.is_head, sort_key(m.user.full_name or m.user.username), m.user.username),
        ),
    }


def unit_history(entries: QuerySet[AuditEntry], unit: Unit, *, limit: int = 50) -> list[AuditEntry]:
    """The latest audit entries about ``unit`` itself, from the entries the reader may see.

    Each entry gets ``change_rows``: ``(field label, old, new)`` in words a reader understands.
    """
    history = list(
        entries.filter(object_type=Unit._meta.label_lower, object_id=str(unit.pk)).order_by("-at", "-id")[:limit]
    )
    for entry in history:
        entry.change_rows = [  # type: ignore[attr-defined]
            (_field_label(name), _value_label(name, values[0]), _value_label(name, values[1]))
            for name, values in (entry.changes or {}).items()
            if isinstance(values, list) and len(values) == 2
        ]
    return history


_EXTRA_LABELS = {"predecessors": _("đơn vị tiền thân"), "successors": _("đơn vị kế thừa")}


def _field_label(name: str) -> str:
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name])
    try:
        field = Unit._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _value_label(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if name == "kind" and value in UnitKind.values:
        return str(UnitKind(value).label)
    if name == "subtype" and value in CommuneSubtype.values:
        return str(CommuneSubtype(value).label)
    if name in ("valid_from", "valid_to"):
        try:
            return f"{datetime.date.fromisoformat(value):%d/%m/%Y}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def membership_of(unit: Unit, membership_id: Any) -> Membership:
    """A membership of ``unit`` (404 for any other id, so ids of other units' people are not revealed)."""
    try:
        return Membership.objects.select_related("user").get(unit=unit, pk=int(membership_id))
    except (Membership.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


# Reorganisations followed forward from a closed unit to the units that carry on its work.
MAX_SUCCESSION_HOPS = 3


def units_valid_on(units: UnitQuerySet, day: datetime.date) -> UnitQuerySet:
    """The units of ``units`` in force on ``day`` (a directive's issue date, a round's year end)."""
    return units.active(day)


def successors_on(units: list[Unit] | UnitQuerySet, day: datetime.date) -> dict[int, list[Unit]]:
    """For each unit not in force on ``day``, the units in force that day which took over its work.

    Follows the predecessor → successor links (:class:`UnitSuccession`) forward through up to
    :data:`MAX_SUCCESSION_HOPS` reorganisations, so a commune merged into a ward that was itself merged later
    still reaches a unit in force. Units in force on ``day`` are not in the result; a closed unit whose links lead
    to no unit in force maps to an empty list. Successors are in Vietnamese alphabetical order. One query per hop.
    """
    closed = [unit for unit in units if not unit.is_active(day)]
    found: dict[int, dict[int, Unit]] = {unit.pk: {} for unit in closed}
    frontier: dict[int, set[int]] = {unit.pk: {unit.pk} for unit in closed}
    for _hop in range(MAX_SUCCESSION_HOPS):
        searching = {pk for pks in frontier.values() for pk in pks}
        if not searching:
            break
        links: dict[int, list[Unit]] = {}
        for link in UnitSuccession.objects.filter(predecessor_id__in=searching).select_related("successor"):
            links.setdefault(link.predecessor_id, []).append(link.successor)
        next_frontier: dict[int, set[int]] = {}
        for unit_id, pks in frontier.items():
            for successor in (item for pk in pks for item in links.get(pk, [])):
                if successor.is_active(day):
                    found[unit_id][successor.pk] = successor
                elif successor.pk != unit_id:
                    next_frontier.setdefault(unit_id, set()).add(successor.pk)
        frontier = {unit_id: pks for unit_id, pks in next_frontier.items() if not found[unit_id]}
    return {unit_id: sorted(by_pk.values(), key=lambda unit: sort_key(unit.name)) for unit_id, by_pk in found.items()}
