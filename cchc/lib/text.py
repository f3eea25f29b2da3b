"""Vietnamese text helpers: Unicode normalisation, diacritic folding, sort keys.

Vietnamese can be typed in precomposed (NFC) or decomposed (NFD) form and old
documents still carry combining marks in odd orders; everything stored goes
through :func:`normalize` so that equal words compare equal.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TypeAlias

_SPACE_RE = re.compile(r"\s+")
_NON_WORD_RE = re.compile(r"[^\w]+")
_DIGITS_RE = re.compile(r"[0-9]+")

# Letters that do not decompose under NFD and need explicit folding (after case folding).
_FOLD_TABLE = str.maketrans({"đ": "d"})

# Vietnamese alphabet order (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), with the
# letters that only occur in foreign names and loanwords (f j w z) at their Latin places.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
# Tones ranked as in dictionaries: level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"

# Classes of the characters of a word, in sort order: punctuation and symbols, numbers,
# letters of the alphabet above, other letters (other scripts, by code point).
_SYMBOL, _NUMBER, _LETTER, _OTHER_LETTER = 0, 1, 2, 3

WordKey: TypeAlias = tuple[tuple[tuple[int, int], ...], tuple[int, ...]]
SortKey: TypeAlias = tuple[tuple[WordKey, ...], str]


def _collapse(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def normalize(text: str | None) -> str:
    """Return ``text`` in NFC with runs of whitespace collapsed and ends trimmed."""
    if not text:
        return ""
    return _collapse(unicodedata.normalize("NFC", text))


def fold(text: str | None) -> str:
    """Diacritic- and case-insensitive form: ``"Nâng cao"`` → ``"nang cao"``, ``"Đà"`` → ``"da"``.

    Whitespace is collapsed again at the end: a stray combining mark between
    two spaces disappears and would otherwise leave a double space behind.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", normalize(text).casefold().translate(_FOLD_TABLE))
    return _collapse("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def search_key(text: str | None) -> str:
    """Key stored beside a name so that searches ignore case, accents and punctuation."""
    return _collapse(_NON_WORD_RE.sub(" ", fold(text)))


def _letter(base: str, marks: str) -> tuple[tuple[int, int], int]:
    """The (class, rank) of one base character with its combining marks, and its tone."""
    letter = base
    if base == "a" and _BREVE in marks:
        letter = "ă"
    elif base in "aeo" and _CIRCUMFLEX in marks:
        letter = {"a": "â", "e": "ê", "o": "ô"}[base]
    elif base in "ou" and _HORN in marks:
        letter = {"o": "ơ", "u": "ư"}[base]
    tone = next((_TONE_MARKS[mark] for mark in marks if mark in _TONE_MARKS), 0)
    rank = _LETTER_RANK.get(letter)
    if rank is not None:
        return (_LETTER, rank), tone
    if letter.isalpha():
        return (_OTHER_LETTER, ord(letter)), tone
    return (_SYMBOL, ord(letter)), 0


@functools.lru_cache(maxsize=32768)
def _word_key(word: str) -> WordKey:
    """Letters first, tones second, within one word (syllable); digit runs compare as numbers.

    Remembered per word: a language has few syllables, and pages sort the same names again on every request.
    """
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    index = 0
    while index < len(word):
        number = _DIGITS_RE.match(word, index)
        if number:
            letters.append((_NUMBER, int(number.group())))
            tones.append(0)
            index = number.end()
            continue
        base = word[index]
        index += 1
        marks_start = index
        while index < len(word) and unicodedata.combining(word[index]):
            index += 1
        letter, tone = _letter(base, word[marks_start:index])
        letters.append(letter)
        tones.append(tone)
    return tuple(letters), tuple(tones)


def sort_key(text: str | None) -> SortKey:
    """Sort key in Vietnamese dictionary order.

    Words (syllables) are compared one by one, as dictionaries do: within a
    word the letters decide first (``a ă â b c d đ e ê g …``), then the tones
    (``a à ả ã á ạ``); case is ignored and numbers compare by value
    (``Phường 2`` before ``Phường 10``). Texts that differ only in case or
    leading zeros are finally ordered by their normalised form, so the key is
    equal exactly when the normalised texts are equal.
    """
    normalized = normalize(text)
    decomposed = unicodedata.normalize("NFD", normalized.lower())
    return tuple(_word_key(word) for word in decomposed.split(" ")), normalized
