"""The extractor (:mod:`cchc.extraction`) run against the organisation tree.

The extractor takes its unit registry as plain data; this module turns
:class:`Unit` rows into :class:`RegistryUnit` records, loads the units of the
issuing unit's province valid on the document's date when the extractor asks
for them, and offers the two entry points the directives pages, the API and
the ``extract_tasks`` command use. Proposed tasks name units by primary key
(``RegistryUnit.id`` is ``Unit.pk``).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from cchc.extraction import Extraction, RegistryUnit
from cchc.extraction import extract_document as extract_document_with
from cchc.extraction import extract_text as extract_text_with
from cchc.extraction.ocr import Progress
from cchc.organisations.models import Unit, decode_path


def registry_unit(unit: Unit) -> RegistryUnit:
    """What the extractor reads of a unit (a unit without a path is placed in no tree)."""
    return RegistryUnit(
        id=unit.pk,
        name=unit.name,
        short_name=unit.short_name,
        code=unit.code,
        kind=unit.kind,
        subtype=unit.subtype,
        parent_id=unit.parent_id,
        path=tuple(decode_path(unit.path)),
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


class DatabaseUnits:
    """The organisation tree as the extractor's :class:`cchc.extraction.UnitSource`."""

    def province_of(self, unit: RegistryUnit, on: datetime.date | None) -> list[RegistryUnit]:
        top = Unit.objects.get(pk=unit.ancestor_ids[0] if unit.ancestor_ids else unit.id)
        queryset = Unit.objects.subtree_of(top)
        if on is not None:
            queryset = queryset.active(on)
        return [registry_unit(found) for found in queryset]

    def of_kinds(self, kinds: Collection[str], on: datetime.date | None) -> list[RegistryUnit]:
        queryset = Unit.objects.filter(kind__in=list(kinds))
        if on is not None:
            queryset = queryset.active(on)
        return [registry_unit(found) for found in queryset]


def extract_text(text: str, *, issuing_unit: Unit | None = None, units: Iterable[Unit] | None = None) -> Extraction:
    """Extract a directive's text; the registry is ``units`` or, by default, the issuing unit's province.

    Without an issuing unit, the issuer named in the header is looked up in the database.
    """
    return extract_text_with(
        text,
        issuing_unit=registry_unit(issuing_unit) if issuing_unit is not None else None,
        units=[registry_unit(unit) for unit in units] if units is not None else None,
        source=DatabaseUnits(),
    )


def extract_document(
    data: bytes, filename: str, *, issuing_unit: Unit | None = None, progress: Progress | None = None
) -> Extraction:
    """Read and extract a directive file against the database registry (:func:`cchc.extraction.extract_document`);
    ``progress`` is told ``(pages read, pages)`` while a scan is recognised."""
    return extract_document_with(
        data,
        filename,
        issuing_unit=registry_unit(issuing_unit) if issuing_unit is not None else None,
        source=DatabaseUnits(),
        progress=progress,
    )
