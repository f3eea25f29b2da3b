"""Between the extraction engine and the review page: run it, keep its result, turn it into form rows.

The engine (:mod:`cchc.extraction`, run by :mod:`.extraction_registry`) proposes; nothing is created
until the user confirms the reviewed rows on the review page.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.utils import timezone

from cchc.extraction import extractor_version
from cchc.lib.text import fold
from cchc.organisations.models import Unit

from .corrections import deadline_kind, lead_unit_ids
from .extraction_registry import extract_document, extract_text
from .models import DirectiveKind, ExpectedOutput, Recurrence
from .services import EXTRACTOR_KEY, StoredFile

_KIND_WORDS = [
    ("thong bao", DirectiveKind.CONCLUSION),
    ("ke hoach", DirectiveKind.PLAN),
    ("chi thi", DirectiveKind.INSTRUCTION),
    ("quyet dinh", DirectiveKind.DECISION),
    ("cong van", DirectiveKind.OFFICIAL_LETTER),
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def extraction_as_dict(extraction: Any) -> dict[str, Any]:
    """The engine's ``Extraction`` dataclass as JSON-ready data (dates as ``YYYY-MM-DD``)."""
    return _jsonable(dataclasses.asdict(extraction))


def extract(file: StoredFile, issuing_unit: Unit) -> dict[str, Any]:
    """Run the extraction engine on an uploaded directive (it raises ``ServiceError`` when it cannot read it).

    The result names the extractor that made it and when (``extractor``), kept with the review on confirmation.
    """
    extraction = extract_document(file.content, file.name, issuing_unit=issuing_unit)
    return {
        **extraction_as_dict(extraction),
        EXTRACTOR_KEY: {"version": extractor_version(), "at": timezone.now().isoformat()},
    }


def task_from_selection(words: str, issuing_unit: Unit) -> dict[str, Any]:
    """A task the extractor missed, proposed from the words the reviewer selected in the document.

    The selection is the task's content as it stands; its lead unit and deadline are read from it by the same
    engine (against the issuing unit's province), so the new row comes as filled as a proposed one.
    """
    content = " ".join(words.split())
    found = extract_text(content, issuing_unit=issuing_unit).tasks
    task = extraction_as_dict(found[0]) if found else {}
    task["content"] = content
    return task


def directive_kind(text: str) -> str:
    folded = fold(text or "")
    if folded in DirectiveKind.values:
        return folded
    for words, kind in _KIND_WORDS:
        if words in folded:
            return kind
    return DirectiveKind.OTHER


def _date(value: Any) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def issue_date(extraction: dict[str, Any]) -> datetime.date | None:
    return _date(extraction.get("date"))


def directive_initial(extraction: dict[str, Any], issuing_unit: Unit) -> dict[str, Any]:
    addressees = extraction.get("addressees") or []
    return {
        "kind": directive_kind(str(extraction.get("kind") or "")),
        "reference": extraction.get("reference") or "",
        "issued_on": issue_date(extraction),
        "issuing_unit": issuing_unit.pk,
        "signer": extraction.get("signer") or "",
        "subject": extraction.get("subject") or "",
        "addressees": "\n".join(addressees) if isinstance(addressees, list) else str(addressees),
    }


def task_initial(task: dict[str, Any], allowed_ids: set[int]) -> dict[str, Any]:
    units = [pk for pk in lead_unit_ids(task) if pk in allowed_ids]
    lead = task.get("lead_unit") or ""
    content = str(task.get("content") or "").strip()
    return {
        "keep": True,
        "section": task.get("section") or "",
        "content": content,
        "lead_label": lead,
        "units": units,
        "new_unit": lead if lead and not units else "",
        "supporting_units": [pk for pk in task.get("supporting_unit_ids") or [] if pk in allowed_ids],
        "expected_output": _expected_output(str(task.get("output") or "") or content),
        "deadline_kind": deadline_kind(task),
        "deadline": _date(task.get("deadline")),
        "period_key": task.get("period_key") or "",
        "recurrence": task.get("recurrence") if task.get("recurrence") != Recurrence.CONTINUOUS else "",
        "deadline_text": task.get("deadline_text") or "",
    }


def _expected_output(content: str) -> str:
    folded = fold(content)[:200]
    if folded.startswith(("bao cao", "tong hop bao cao")) or " bao cao " in folded[:40]:
        return ExpectedOutput.REPORT
    if "xay dung ke hoach" in folded or folded.startswith("ke hoach"):
        return ExpectedOutput.PLAN
    if "ban hanh quyet dinh" in folded:
        return ExpectedOutput.DECISION
    return ExpectedOutput.OTHER


def unknown_names(tasks: list[dict[str, Any]]) -> list[str]:
    """Lead unit names the engine could not match to the registry, each once, in document order."""
    names: dict[str, None] = {}
    for task in tasks:
        if task.get("lead_unit") and not lead_unit_ids(task):
            names[str(task["lead_unit"])] = None
    return list(names)
