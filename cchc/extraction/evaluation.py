"""Scoring an extraction against a hand-written expected result (the labelled set, the benchmark).

Two scores per document, each as precision, recall and F1:

* tasks found: an extracted task matches an expected one with the same
  section label and the same lead unit (an item marked only by a bullet,
  "-" or "+", or not marked at all, is labelled with its bullet or nothing
  by some writers and with the number of the section it sits in by others,
  so its label is not compared);
* (lead unit, deadline) pairs: an extracted task matches an expected one
  with the same lead unit and the same deadline, where the deadline is the
  due day, or the recurrence when there is no day ("continuous" for
  "thường xuyên"), or nothing.

Lead units compare on their canonical form (:func:`.units.canonical`) with a
similarity of at least :data:`LEAD_SIMILARITY`, because a lead written "as in
the document" in an OCR text cannot equal the hand-written label letter for
letter; with a registry, a label that names the same registry units as the
extracted lead also matches (the label says "Bưu điện tỉnh" as written, the
extractor the registry's "Bưu điện tỉnh Tuyên Quang"). Each expected task is
matched at most once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .registry_unit import RegistryUnit
from .text_view import TextView
from .units import Registry, canonical, parse_unit_list

LEAD_SIMILARITY = 0.85


@dataclass(frozen=True)
class Score:
    matched: int
    extracted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else (1.0 if not self.expected else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else (1.0 if not self.extracted else 0.0)

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.matched + other.matched, self.extracted + other.extracted, self.expected + other.expected)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "matched": self.matched,
            "extracted": self.extracted,
            "expected": self.expected,
        }


def same_lead(left: str | None, right: str | None) -> bool:
    a, b = canonical(left or ""), canonical(right or "")
    if a == b:
        return True
    if not a or not b:
        return False
    if SequenceMatcher(None, a, b, autojunk=False).ratio() >= LEAD_SIMILARITY:
        return True
    # "UBND các phường A, B" and "UBND phường A, UBND phường B" name the same wards.
    places_a, places_b = _PLACE_LIST_RE.sub(" ", a).split(), _PLACE_LIST_RE.sub(" ", b).split()
    return bool(places_a) and places_a == places_b and len(places_a) < len(a.split())


_PLACE_LIST_RE = re.compile(r"\b(?:uy ban nhan dan|cac|phuong|xa|dac khu|thi tran|huyen|thi xa|thanh pho|quan|tinh)\b")


def deadline_key(task: dict[str, Any]) -> str:
    return str(task.get("deadline") or task.get("recurrence") or "")


def _section(task: dict[str, Any]) -> str:
    return "".join(str(task.get("section") or "").split()).rstrip(".")


_BULLETS = {"", "-", "+", "•", "*", "–"}


def _same_section(wanted: dict[str, Any], found: dict[str, Any]) -> bool:
    return _section(wanted) in _BULLETS or _section(wanted) == _section(found)


def _match(
    expected: list[dict[str, Any]],
    extracted: list[dict[str, Any]],
    same: Callable[[dict[str, Any], dict[str, Any]], bool],
) -> Score:
    used: set[int] = set()
    matched = 0
    for wanted in expected:
        for index, found in enumerate(extracted):
            if index not in used and same(wanted, found):
                used.add(index)
                matched += 1
                break
    return Score(matched, len(extracted), len(expected))


# Registry units a written lead names (empty when it names none), to compare a label written as in the text
# ("Bưu điện tỉnh") with the registry name the extractor gives ("Bưu điện tỉnh Tuyên Quang").
Resolver = Callable[[str], frozenset[int]]


def registry_resolver(units: list[RegistryUnit], issuing_unit: RegistryUnit | None) -> Resolver:
    """A :data:`Resolver` that reads a label the way the extractor reads a lead, against ``units``."""
    matcher = Registry(units=list(units), issuing=issuing_unit, on=None)

    def resolve(label: str) -> frozenset[int]:
        refs, _end = parse_unit_list(TextView(label), matcher, 0)
        return frozenset(pk for ref in refs for pk in ref.ids)

    return resolve


def _leads_match(wanted: dict[str, Any], found: dict[str, Any], resolve: Resolver | None) -> bool:
    if same_lead(wanted["lead_unit"], found["lead_unit"]):
        return True
    if resolve is None or not wanted["lead_unit"]:
        return False
    ids = frozenset(found.get("lead_unit_ids") or ())
    return bool(ids) and resolve(wanted["lead_unit"]) == ids


def score_tasks(
    expected: list[dict[str, Any]], extracted: list[dict[str, Any]], resolve: Resolver | None = None
) -> Score:
    return _match(
        expected,
        extracted,
        lambda wanted, found: _same_section(wanted, found) and _leads_match(wanted, found, resolve),
    )


def score_pairs(
    expected: list[dict[str, Any]], extracted: list[dict[str, Any]], resolve: Resolver | None = None
) -> Score:
    return _match(
        expected,
        extracted,
        lambda wanted, found: _leads_match(wanted, found, resolve) and deadline_key(wanted) == deadline_key(found),
    )
