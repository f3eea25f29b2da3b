"""Work given to a unit by a cross-reference: "Sở Y tế: Chủ trì triển khai các nhiệm vụ tại mục (IV) (5) của Kế
hoạch." names the lead of the items written under section IV.5, which name none themselves.

After the walk, a proposed task whose words give such a reference passes its lead (and supporting units) to the
items of the referenced sections that have no lead of their own; the referring item itself is then not a task of
its own (the labels put the work at the referenced items). Of a referenced section, only its innermost items take
the lead: a heading's own paragraph that introduces sub-items is an explanation, not a task.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from cchc.lib.dates import fold_aligned

from .rules import fire
from .vocabulary import alternation

if TYPE_CHECKING:
    from .core import ProposedTask

# A lead passed on by a reference is trusted a little less than the referring item's own, as an inherited one is.
INHERITED_FACTOR = 0.9

# One section mark: "(IV)", "IV", "(4.1)", "3.4", "(a)", "a)".
_MARK = r"(?:\(?\s*(?:[ivxl]{1,5}|\d{1,2}(?:\.\d{1,2})*)(?![a-z])\s*\)?|\(?\s*[a-z]\s*\))"


@functools.cache
def _reference_re() -> re.Pattern[str]:
    return re.compile(
        rf"(?<![a-z])(?:{alternation('cross_reference_cues')})\s+(?P<marks>{_MARK}(?:\s*[.,]?\s*{_MARK})*)"
    )


def _kind(mark: str) -> str:
    if re.fullmatch(r"[ivxl]+", mark):
        return "roman"
    if re.fullmatch(r"\d+(?:\.\d+)*", mark):
        return f"decimal{mark.count('.')}"
    return "letter"


def referenced_paths(text: str) -> list[tuple[str, ...]]:
    """The section paths a text refers its work to: "các nhiệm vụ tại mục (IV) (4.1) (4.2)" → IV.4.1 and IV.4.2;
    "(IV)(3.4)(a)" → IV.3.4.a. A mark of the same kind as the one before it is its sibling, otherwise its child."""
    paths: list[tuple[str, ...]] = []
    for found in _reference_re().finditer(fold_aligned(text)):
        marks = re.findall(r"[ivxl]{1,5}(?![a-z])|\d{1,2}(?:\.\d{1,2})*|(?<![a-z])[a-z](?![a-z])", found.group("marks"))
        current: list[str] = []
        previous = ""
        group: list[tuple[str, ...]] = []
        for mark in marks:
            kind = _kind(mark)
            if current and kind == previous:
                group.append(tuple(current))
                current[-1] = mark
            else:
                current.append(mark)
            previous = kind
        if current:
            group.append(tuple(current))
        paths.extend(group)
    return paths


def _path(task: ProposedTask) -> tuple[str, ...]:
    return tuple(
        part
        for part in (re.sub(r"[^a-z0-9.]", "", fold_aligned(piece)) for piece in task.section_path.split("."))
        if part
    )


def _within(path: tuple[str, ...], reference: tuple[str, ...]) -> bool:
    """Is ``path`` (split on dots, so "1.1" is two parts) inside the referenced section?"""
    flat = tuple(part for piece in reference for part in piece.split("."))
    return path[: len(flat)] == flat


def resolve_cross_references(tasks: list[ProposedTask]) -> list[ProposedTask]:
    """``tasks`` with the leadless items of referenced sections given the referring task's lead; the referring
    tasks whose reference found items are left out."""
    referring = [(task, referenced_paths(task.content)) for task in tasks if task.lead_unit]
    referring = [(task, paths) for task, paths in referring if paths]
    if not referring:
        return tasks
    leadless = [task for task in tasks if not task.lead_unit]
    paths = {id(task): _path(task) for task in leadless}
    resolved: set[int] = set()
    # The most precise reference first: "(IV)(3.4)(a)" of one unit before "(IV) (3)" of another.
    referring.sort(key=lambda pair: -max(len(".".join(path).split(".")) for path in pair[1]))
    for task, references in referring:
        scope = [item for item in leadless if any(_within(paths[id(item)], ref) for ref in references)]
        inner = [
            item
            for item in scope
            if not any(
                len(paths[id(other)]) > len(paths[id(item)]) and _within(paths[id(other)], paths[id(item)])
                for other in scope
            )
        ]
        for item in inner:
            if item.lead_unit:
                continue
            item.lead_unit, item.lead_unit_id = task.lead_unit, task.lead_unit_id
            item.lead_unit_ids = list(task.lead_unit_ids)
            item.supporting_units = list(task.supporting_units)
            item.supporting_unit_ids = list(task.supporting_unit_ids)
            item.sources["lead_unit"] = task.sources.get("lead_unit", task.lead_unit or "")
            item.rules["lead_unit"] = "lead.cross_reference"
            item.confidence["lead_unit"] = round(task.confidence.get("lead_unit", 0.5) * INHERITED_FACTOR, 2)
            fire("lead.cross_reference")
        if inner:
            resolved.add(id(task))
    return [task for task in tasks if id(task) not in resolved]
