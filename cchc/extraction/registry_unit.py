"""The units a directive may name, as plain data handed in by the caller.

The extractor knows nothing of the database: whoever calls it turns its
units into :class:`RegistryUnit` records (``cchc.directives.extraction_registry``
does so from the organisation tree) and, to let the extractor pick the
units valid on the document's date, may hand in a :class:`UnitSource` that
it asks once that date is read from the header.

The kinds and subtypes are plain strings; the ones the matcher reasons
about ("UBND các xã" fans out to the communes of a district) are named
here, with the values the organisation tree stores.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

PROVINCE = "province"
DEPARTMENT = "department"
DISTRICT = "district"
COMMUNE = "commune"
OFFICE = "office"
PUBLIC_SERVICE_UNIT = "public_service_unit"

# Subtypes of a commune-level unit.
SUBTYPE_COMMUNE = "commune"
SUBTYPE_WARD = "ward"
SUBTYPE_TOWNSHIP = "township"
SUBTYPE_SPECIAL_ZONE = "special_zone"

# The kinds of unit that issue directives: a heading naming one of them is looked up among these.
ISSUER_KINDS = (PROVINCE, DISTRICT, DEPARTMENT, COMMUNE)


@dataclass(frozen=True)
class RegistryUnit:
    """One unit of the registry: what the matcher reads of it.

    ``path`` holds the ids from the root of the tree down to the unit itself
    (empty for a unit not placed in a tree); the proposed tasks name units
    by ``id``.
    """

    id: int
    name: str
    short_name: str = ""
    code: str = ""
    kind: str = ""
    subtype: str = ""
    parent_id: int | None = None
    path: tuple[int, ...] = ()
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None

    @property
    def ancestor_ids(self) -> tuple[int, ...]:
        """Ids of the ancestors, root first."""
        return self.path[:-1]

    @property
    def depth(self) -> int:
        return max(len(self.path) - 1, 0)

    def is_active(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)

    def is_within(self, other: RegistryUnit) -> bool:
        """True when this unit is ``other`` or below it (every unit is within one not placed in a tree)."""
        return not other.path or other.id in self.path


class UnitSource(Protocol):
    """Where the extractor finds registry units once it knows the document's date (``on``; None when unknown)."""

    def province_of(self, unit: RegistryUnit, on: datetime.date | None) -> list[RegistryUnit]:
        """The units of ``unit``'s whole tree (from its root), valid on ``on`` when it is given."""
        ...

    def of_kinds(self, kinds: Collection[str], on: datetime.date | None) -> list[RegistryUnit]:
        """Every unit of these kinds, valid on ``on`` when it is given."""
        ...
