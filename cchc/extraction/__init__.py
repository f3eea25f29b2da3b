"""Turning a directive document into its metadata and proposed tasks.

    extract_document(data, filename, issuing_unit=unit, source=units)  # any file: DOCX, PDF, text, scan
    extract_text(text, issuing_unit=unit, units=registry)              # the core, on plain text
    to_json_dict(extraction)                                           # what ``cchc extract_tasks FILE --json`` prints

Text or a file goes in, an :class:`Extraction` comes out. The unit registry
is plain data handed in by the caller: :class:`RegistryUnit` records, either
as a fixed list (``units``) or through a :class:`UnitSource` asked for the
units of the issuing unit's tree valid on the document's date, once the
header has been read. Proposed tasks name their units by ``RegistryUnit.id``.
This package imports no app of the project (only :mod:`cchc.lib`):
``cchc.directives.extraction_registry`` builds the registry from the
organisation tree.

Pieces: :mod:`.reading` (file → text, OCR), :mod:`.cleaning` (debris),
:mod:`.headers` (reference, date, issuer, subject, addressees, signer),
:mod:`.sections` (paragraphs → section tree), :mod:`.units` (unit names →
registry, with :mod:`.abbreviations`, and :mod:`.names` for names the
registry lacks), :mod:`cchc.lib.dates` (deadline phrases) and :mod:`.core`
(tasks); :mod:`.evaluation` scores an extraction against a hand-written
expected one. Nothing here writes to the database: the result is a proposal
that a person reviews and confirms.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .core import KINDS, Extraction, ProposedTask, extract_lines
from .ocr import Progress, misread_year
from .reading import read_document
from .registry_unit import RegistryUnit, UnitSource
from .units import Registry


def extract_text(
    text: str,
    *,
    issuing_unit: RegistryUnit | None = None,
    units: Iterable[RegistryUnit] | None = None,
    source: UnitSource | None = None,
    learned: bool | None = None,
) -> Extraction:
    """Extract metadata and proposed tasks from the plain text of a directive.

    ``issuing_unit`` anchors unit matching (the closest unit of a name wins)
    and the fan-out of "UBND các xã, thị trấn". ``units`` is the whole
    registry when given; otherwise ``source`` gives the units of the issuing
    unit's tree valid on the document date, and without an issuing unit the
    issuer named in the header is looked up among its units of the issuing
    kinds. With neither, no unit is matched (names are kept as written). ``learned`` says whether the trained task
    labeller (:mod:`.learned`) has the last word on the proposals; None leaves it to its default.
    """
    return extract_lines(text, issuing_unit=issuing_unit, units=units, source=source, learned=learned)


def extract_document(
    data: bytes,
    filename: str,
    *,
    issuing_unit: RegistryUnit | None = None,
    source: UnitSource | None = None,
    progress: Progress | None = None,
) -> Extraction:
    """Read a directive file (DOCX, text PDF, plain text, scanned PDF or image) and extract it.

    Raises :class:`cchc.lib.errors.ServiceError` with a Vietnamese message for
    files that cannot be read (too large, empty, corrupt, password-protected,
    a scan without recognisable text, OCR not installed). ``progress`` is told
    ``(pages read, pages)`` while a scan is recognised. The deadlines of a scan
    whose year may be misread (:func:`.ocr.misread_year`) are flagged.
    """
    read = read_document(data, filename, progress=progress)
    extraction = extract_lines(read.text, issuing_unit=issuing_unit, source=source)
    extraction.warnings[:0] = list(read.warnings)
    if read.source == "ocr":
        flag_misread_years(extraction)
    return extraction


@functools.cache
def extractor_version() -> str:
    """The release of the package and a fingerprint of this package's rules, code and vocabularies.

    Stored with every reviewed proposal, so that corrections can be told apart by the extractor that made them even
    between releases.
    """
    try:
        release = metadata.version("cchc")
    except metadata.PackageNotFoundError:
        release = "0"
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".txt", ".csv", ".crfsuite"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{release}+{digest.hexdigest()[:12]}"


def flag_misread_years(extraction: Extraction) -> None:
    """Mark the deadlines of a scanned document whose year is probably a misread digit, with a warning each."""
    for task in extraction.tasks:
        year = misread_year(task.deadline, extraction.date) if task.deadline is not None else None
        if year is None or task.deadline is None or extraction.date is None:
            continue
        task.deadline_doubt = _(
            "Năm của thời hạn (%(deadline)s) cách năm ban hành văn bản (%(issued)s) và chỉ khác %(year)s một chữ số; "
            "có thể bản quét bị đọc nhầm, hãy kiểm tra lại."
        ) % {"deadline": task.deadline.strftime("%d/%m/%Y"), "issued": extraction.date.year, "year": year}
        extraction.warnings.append(
            _("Mục %(section)s: %(doubt)s") % {"section": task.section or "?", "doubt": task.deadline_doubt}
        )


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def task_json(task: ProposedTask) -> dict[str, Any]:
    return {
        "section": task.section,
        "lead_unit": task.lead_unit,
        "supporting_units": list(task.supporting_units),
        "content": task.content,
        "deadline": _iso(task.deadline),
        "deadline_text": task.deadline_text,
        "recurrence": task.recurrence,
        "period_key": task.period_key,
        "lead_unit_id": task.lead_unit_id,
        "lead_unit_ids": list(task.lead_unit_ids),
        "supporting_unit_ids": list(task.supporting_unit_ids),
        "unknown_units": list(task.unknown_units),
        "section_path": task.section_path,
        "output": task.output,
        "deadline_doubt": task.deadline_doubt,
        "sources": dict(task.sources),
        "rules": dict(task.rules),
        "confidence": dict(task.confidence),
    }


def to_json_dict(extraction: Extraction) -> dict[str, Any]:
    """The extraction as JSON-ready data: the keys of ``cchc extract_tasks --json``."""
    return {
        "reference": extraction.reference,
        "date": _iso(extraction.date),
        "issuer": extraction.issuer,
        "signer": extraction.signer,
        "subject": extraction.subject,
        "addressees": list(extraction.addressees),
        "kind": extraction.kind,
        "tasks": [task_json(task) for task in extraction.tasks],
        "warnings": list(extraction.warnings),
        "issuer_unit_id": extraction.issuer_unit_id,
        "signer_title": extraction.signer_title,
        "recipients": list(extraction.recipients),
    }


__all__ = [
    "KINDS",
    "Extraction",
    "ProposedTask",
    "Registry",
    "RegistryUnit",
    "UnitSource",
    "extract_document",
    "extract_text",
    "extractor_version",
    "flag_misread_years",
    "to_json_dict",
]
