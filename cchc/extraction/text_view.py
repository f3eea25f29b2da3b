"""A text seen through its fold, so that what is found in the fold cuts the original at the same places.

Shared by the registry matcher (:mod:`.units`) and the reader of names the
registry lacks (:mod:`.names`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cchc.lib.dates import fold_aligned

# A word of a folded name: letters and digits, joined by "-" or "&" ("hdnd-ubnd", "tc-kh").
TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-&][a-z0-9]+)*")


@dataclass
class TextView:
    """A text with its aligned fold and word tokens, so that matches cut the original at the same places."""

    text: str
    folded: str = ""
    tokens: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folded = fold_aligned(self.text)
        self.tokens = [(match.start(), match.end()) for match in TOKEN_RE.finditer(self.folded)]

    def token_at(self, position: int) -> int | None:
        """Index of the first token starting at or after ``position``."""
        for index, (start, _end) in enumerate(self.tokens):
            if start >= position:
                return index
        return None

    def cut(self, start: int, end: int) -> str:
        return self.text[start:end].strip(" ,;:.-–")
