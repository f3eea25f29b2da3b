"""The word lists of the extractor, kept as data files in ``data/`` (one phrase a line, ``#`` starts a comment).

Phrases are written as in a directive (with diacritics); they are folded here (no case, no diacritics) the way
the extractor compares text. A list is read once per process.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from cchc.lib.dates import fold_aligned

DATA = Path(__file__).resolve().parent / "data"


@functools.cache
def phrases(name: str) -> tuple[str, ...]:
    """The folded phrases of ``data/<name>.txt``, longest first."""
    found: set[str] = set()
    for line in (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            found.add(" ".join(fold_aligned(text).split()))
    return tuple(sorted(found, key=lambda phrase: (-len(phrase), phrase)))


@functools.cache
def labelled(name: str) -> dict[str, str]:
    """The folded phrases of ``data/<name>.txt`` written "phrase = value", with their values."""
    found: dict[str, str] = {}
    for line in (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if "=" in text:
            phrase, value = text.split("=", 1)
            found[" ".join(fold_aligned(phrase).split())] = value.strip()
    return found


@functools.cache
def words(name: str) -> frozenset[str]:
    """The folded phrases of ``data/<name>.txt`` as a set."""
    return frozenset(phrases(name))


@functools.cache
def alternation(name: str) -> str:
    """A regular-expression alternation of the phrases of ``data/<name>.txt``, words separated by any spaces."""
    return "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases(name))
