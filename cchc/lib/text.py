"""Vietnamese text helpers: Unicode normalisation, diacritic folding, sort keys.

Vietnamese can be typed in precomposed (NFC) or decomposed (NFD) form and old
documents still carry combining marks in odd orders; everything stored goes
through :func:`normalize` so that equal words compare equal.
"""

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")

# Letters that do not decompose under NFD and need explicit folding.
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "D"})

# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
# Tones ranked as in dictionaries: level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def normalize(text: str | None) -> str:
    """Return ``text`` in NFC with runs of whitespace collapsed and ends trimmed."""
    if not text:
        return ""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """Diacritic- and case-insensitive key: ``"Nâng cao"`` → ``"nang cao"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", normalize(text).translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def search_key(text: str | None) -> str:
    """Key stored beside a name so that searches ignore case, accents and punctuation."""
    return _SPACE_RE.sub(" ", re.sub(r"[^\w]+", " ", fold(text))).strip()


def _letter_key(base: str, marks: str) -> tuple[int, int]:
    letter = base
    if base == "a" and "\u0306" in marks:
        letter = "ă"
    elif base in "aeo" and "\u0302" in marks:
        letter = {"a": "â", "e": "ê", "o": "ô"}[base]
    elif base in "ou" and "\u031b" in marks:
        letter = {"o": "ơ", "u": "ư"}[base]
    tone = next((_TONE_MARKS[m] for m in marks if m in _TONE_MARKS), 0)
    rank = _LETTER_RANK.get(letter)
    if rank is None:
        # Digits, punctuation and foreign letters sort by code point, before letters for digits.
        return (-1000 + ord(letter), 0) if letter.isdigit() else (100 + ord(letter), 0)
    return (rank, tone)


def sort_key(text: str | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key in Vietnamese dictionary order (letters first, tones second)."""
    letters: list[int] = []
    tones: list[int] = []
    decomposed = unicodedata.normalize("NFD", normalize(text).lower())
    index = 0
    while index < len(decomposed):
        base = decomposed[index]
        index += 1
        marks = ""
        while index < len(decomposed) and unicodedata.combining(decomposed[index]):
            marks += decomposed[index]
            index += 1
        if base.isspace():
            letters.append(-2000)
            tones.append(0)
            continue
        letter_rank, tone = _letter_key(base, marks)
        letters.append(letter_rank)
        tones.append(tone)
    return tuple(letters), tuple(tones)
