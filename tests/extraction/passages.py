"""Short passages written for the extraction tests, read as an upload from a province with no registered units."""

from __future__ import annotations

from typing import Any

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.rules import counting_rules


def tasks_and_rules(text: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The tasks proposed for ``text`` (no unit registry) and how often each rule fired while reading it."""
    with counting_rules() as fired:
        tasks = to_json_dict(extract_text(text, units=[]))["tasks"]
    return tasks, dict(fired)
