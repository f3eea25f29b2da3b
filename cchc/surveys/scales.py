"""The fixed answer scales: their values never change, so answers and results can rely on them.

The labels are stored with each question's choices (they are the words respondents read), in Vietnamese, as on the
printed forms: the 5-level satisfaction scale of SIPAS (domain notes §2.4, formats §5.2 Câu 9), yes/no, the 0/1/2
points of the per-dossier evaluation (formats §4) and the A–D options of the officials' survey (domain notes §1.3).
"""

from __future__ import annotations

from .models import QuestionKind

SATISFACTION5 = (
    ("1", "Rất không hài lòng"),
    ("2", "Không hài lòng"),
    ("3", "Bình thường"),
    ("4", "Hài lòng"),
    ("5", "Rất hài lòng"),
)
# The answers counted as satisfied (hài lòng + rất hài lòng) by the results that come later.
SATISFIED_VALUES = frozenset({"4", "5"})
YES_NO = (("yes", "Có"), ("no", "Không"))
POINTS012 = (("2", "Điểm 2"), ("1", "Điểm 1"), ("0", "Điểm 0"))
OPTIONS_AD = (("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"))

FIXED_SCALES: dict[str, tuple[tuple[str, str], ...]] = {
    QuestionKind.SATISFACTION5: SATISFACTION5,
    QuestionKind.YES_NO: YES_NO,
    QuestionKind.POINTS012: POINTS012,
    QuestionKind.OPTIONS_AD: OPTIONS_AD,
}


def fixed_values(kind: str) -> tuple[str, ...] | None:
    """The choice values a fixed-scale kind always has, in order; ``None`` for other kinds."""
    scale = FIXED_SCALES.get(kind)
    return None if scale is None else tuple(value for value, _label in scale)
