"""The labelled directives: input texts with their expected extraction, written by hand (in ``data/``).

``index.json`` lists the documents: file names relative to ``data/`` (plain
text, or Word files read as an upload is; the three shared seeds live with
the directives demo data, which loads them at run time), the issuing unit (a code of the registry), the split
(``"tuning"``: the rules were developed on it; ``"held_out"``: labelled
before a first run, then corrected on; ``"unseen"``: the measurement set,
labelled before the extractor ever ran on it and never tuned on) and the
source of the text. ``registry.json`` holds
the units the documents name, added to the demo province; the functions here
build that registry in memory (:class:`RegistryUnit` records with ids and
paths, as the extractor takes it) for the benchmark and the tests, or give
its specifications for tests that create it in the database.

Used by the extraction tests and ``bench/extraction.py``.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc.extraction import RegistryUnit

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LabelledDocument:
    name: str
    text_path: Path
    expected: dict[str, Any]
    issuing_unit: str | None
    split: str
    source: str

    @property
    def text(self) -> str:
        """The text the extractor reads: the file itself, or what the reader gets out of a Word file."""
        if self.text_path.suffix.lower() == ".txt":
            return self.text_path.read_text(encoding="utf-8")
        from cchc.extraction.reading import read_document

        return read_document(self.text_path.read_bytes(), self.text_path.name).text


def documents(data: Path = DATA) -> list[LabelledDocument]:
    """The documents listed in ``data``'s ``index.json`` (the labelled set, or an export of confirmed directives)."""
    index = json.loads((data / "index.json").read_text(encoding="utf-8"))
    result = []
    for entry in index["documents"]:
        result.append(
            LabelledDocument(
                name=entry["name"],
                text_path=(data / entry["text"]).resolve(),
                expected=json.loads((data / entry["expected"]).read_text(encoding="utf-8")),
                issuing_unit=entry.get("issuing_unit"),
                split=entry["split"],
                source=entry.get("source", ""),
            )
        )
    return result


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def unit_specs() -> list[dict[str, Any]]:
    """Every unit of the labelled registry, parents before children: the demo province, then registry.json."""
    from cchc.demo.data import REFORM_DAY, merges, province_units

    closed = {code for merge in merges() if merge.successor != "PT" for code in merge.predecessors}
    specs: list[dict[str, Any]] = []
    for spec in province_units():
        valid_to = spec.valid_to or (REFORM_DAY - datetime.timedelta(days=1) if spec.code in closed else None)
        specs.append(
            {
                "code": spec.code,
                "name": spec.name,
                "kind": spec.kind,
                "subtype": spec.subtype,
                "parent": spec.parent,
                "short_name": spec.short_name,
                "valid_from": spec.valid_from,
                "valid_to": valid_to,
            }
        )
    for entry in json.loads((DATA / "registry.json").read_text(encoding="utf-8"))["units"]:
        specs.append(
            {
                "code": entry["code"],
                "name": entry["name"],
                "kind": entry["kind"],
                "subtype": entry.get("subtype", ""),
                "parent": entry.get("parent"),
                "short_name": entry.get("short_name", ""),
                "valid_from": _date(entry.get("valid_from")),
                "valid_to": _date(entry.get("valid_to")),
            }
        )
    return specs


def memory_units() -> dict[str, RegistryUnit]:
    """The labelled registry as registry units with ids and paths, by code (no database needed)."""
    units: dict[str, RegistryUnit] = {}
    for number, spec in enumerate(unit_specs(), start=1):
        parent = units[spec["parent"]] if spec["parent"] else None
        units[spec["code"]] = RegistryUnit(
            id=number,
            name=spec["name"],
            short_name=spec["short_name"],
            code=spec["code"],
            kind=spec["kind"],
            subtype=spec["subtype"],
            parent_id=parent.id if parent else None,
            path=(*(parent.path if parent else ()), number),
            valid_from=spec["valid_from"],
            valid_to=spec["valid_to"],
        )
    return units
