"""Short passages written for the extraction tests, read as an upload from a province with no registered units."""

from __future__ import annotations

from typing import Any

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.names import unknown_name_end
from cchc.extraction.rules import counting_rules
from cchc.extraction.text_view import TextView
from cchc.extraction.units import Registry, parse_unit_list


def tasks_and_rules(text: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The tasks proposed for ``text`` (no unit registry) and how often each rule fired while reading it."""
    with counting_rules() as fired:
        tasks = to_json_dict(extract_text(text, units=[]))["tasks"]
    return tasks, dict(fired)


def name_at_start(text: str) -> str | None:
    """The name the name reader reads at the start of ``text`` (None when it reads none)."""
    end = unknown_name_end(TextView(text), 0)
    return text[:end] if end is not None else None


def units_at_start(text: str) -> list[str]:
    """The units of the list at the start of ``text``, as written (no unit registry)."""
    refs, _end = parse_unit_list(TextView(text), Registry(units=[]), 0)
    return [ref.text for ref in refs]
