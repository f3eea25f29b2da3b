"""Which rules of the extractor fired: counted while a caller asks for it, so that each rule is justified by data.

    with counting_rules() as fired:
        extract_text(text, …)
    fired  # Counter({"lead.assign_cue": 12, "task.dropped_without_lead": 40, …})

Rules call :func:`fire` with their name; outside :func:`counting_rules` it costs one context-variable read.
``bench/extraction.py --rules`` prints the counts over the development set of real directives, and
``docs/extraction.md`` lists what each rule does.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar

_COUNTS: ContextVar[Counter[str] | None] = ContextVar("extraction_rule_counts", default=None)


def fire(rule: str, times: int = 1) -> None:
    """Count one firing of ``rule`` (a dotted name: "lead.assign_cue", "deadline.cited_document")."""
    counts = _COUNTS.get()
    if counts is not None:
        counts[rule] += times


@contextlib.contextmanager
def counting_rules() -> Iterator[Counter[str]]:
    """Count the rules that fire inside the block; the counter is filled as the block runs."""
    counts: Counter[str] = Counter()
    token = _COUNTS.set(counts)
    try:
        yield counts
    finally:
        _COUNTS.reset(token)
