"""Vietnamese text typed in the legacy 8-bit encodings TCVN3 (ABC) and VNI, turned into Unicode.

Provincial archives still hold Word files, PDFs and text files typed before Unicode, in the fonts
of two 8-bit encodings:

* **TCVN3**, also called ABC or VN3: the third form of the national standard TCVN 5712:1993
  (*Information technology - Vietnamese 8-bit standard coded character set for information
  interchange*; ISO-IR-180). Fonts ``.VnTime``, ``.VnArial`` ... for lowercase text and
  ``.VnTimeH``, ``.VnArialH`` ... for capitals. One byte per letter; the bytes 0xA1-0xFE hold the
  67 lowercase letters with diacritics and the 7 capitals without a tone (Ă Â Ê Ô Ơ Ư Đ).
* **VNI** (VNI-Windows, the encoding of the VNI Software Company): fonts ``VNI-Times``,
  ``VNI-Helve`` ... A vowel is written as its ASCII base letter followed by one byte that adds the
  vowel mark and the tone (``a`` + ``ø`` is "à", ``a`` + ``ä`` is "ậ"); ơ, ư, đ and the i-vowels
  (and ỵ) have bytes of their own. Capitals use the capital base letter and the capital form of the
  same byte (``A`` + ``Ø`` is "À").

Word and PDF keep those bytes as the Windows-1252 (Latin-1) characters that share their codes, so
the text arrives as "Céng hoµ x· héi chñ nghÜa ViÖt Nam" (TCVN3) or "Coäng hoøa xaõ hoäi chuû nghóa
Vieät Nam" (VNI). Every function here works on such text, in which each legacy byte is the character
of the same code point (``chr(byte)``); bytes from a file are first decoded as Windows-1252.

Sources of the tables: the standard TCVN 5712:1993, whose VN3 form is the part of its row A0-FF
without the capitals with tones and the combining tone marks, as reproduced in public descriptions of
VSCII/TCVN 5712 (code charts naming the character of every code); and, for both encodings, the
published Vietnamese encoding comparison charts ("bảng đối chiếu bảng mã") that give, for every
Vietnamese letter, its Unicode code point and its TCVN3, VNI, VISCII and VPS codes. Every letter was
checked against at least two of these, except VNI ỵ and Ỵ (bytes 0xEE and 0xCE, after the pattern of
the other single-byte i-vowels) which only one chart listed, and against the well-known header lines
("ViÖt Nam", "Céng hoµ", "Coäng hoøa", "Ñoäc laäp").

Limits, on purpose:

* TCVN3 has no codes for capitals with tones: the ``.VnTimeH`` font draws the lowercase codes as
  capitals, so the bytes cannot tell "CỘNG" from "cộng". :func:`to_unicode` gives lowercase letters,
  except in words that are evidently typed in capitals (at least two ASCII capitals and no ASCII
  lowercase letter, like "CéNG" or "NGHÜA"), and in the other words of a line that has such a word
  and no legacy-coded word with an ASCII lowercase letter ("X·" in "CéNG HOµ X· HéI"). A line typed
  entirely in lowercase bytes under ``.VnTimeH`` therefore comes out in lowercase.
* Only the VN3 letters are converted; the codes VN3 leaves empty (the capitals with tones and the
  combining marks of VN1/VN2) are kept as they are.
* :func:`from_unicode` writes capitals with tones in TCVN3 as their lowercase codes (as a
  ``.VnTimeH`` user would type them) and keeps characters the encoding has no code for unchanged.

Detection (:func:`detect_legacy`) reads each word that has a character outside ASCII both as it is
and in each legacy encoding, and checks both readings against Vietnamese spelling (initial, vowels,
final, one tone; :func:`is_vietnamese_syllable`). It answers only when the legacy reading clearly wins:
nearly every word it changes becomes a syllable, and the words that only it makes Vietnamese far
outnumber those that are Vietnamese only as they stand (including any word with a letter that only
Unicode has, such as "ộ" or "ư"). Unicode Vietnamese, English, French or German text, and text in
Windows-1258, are left alone; so is a text of a word or two that either encoding reads equally well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)

# --- TCVN3 (TCVN 5712:1993, VN3) -------------------------------------------------------------------------------------
#
# Runs of consecutive codes. Within a vowel the tones follow the order of the standard: grave, hook,
# tilde, acute, dot below. The gaps (0xAF, 0xB0-0xB4, 0xBA, 0xBF, 0xC0-0xC5, 0xCD, 0xD9-0xDB, 0xE0,
# 0xF0, 0xFF) hold capitals with tones and combining marks in VN1/VN2 and are not part of VN3.
_TCVN3_RUNS: tuple[tuple[int, str], ...] = (
    (0xA1, "ĂÂÊÔƠƯĐ"),
    (0xA8, "ăâêôơưđ"),
    (0xB5, "àảãáạ"),
    (0xBB, "ằẳẵắ"),
    (0xC6, "ặầẩẫấậè"),
    (0xCE, "ẻẽéẹềểễếệìỉ"),
    (0xDC, "ĩíịò"),
    (0xE1, "ỏõóọồổỗốộờởỡớợù"),
    (0xF1, "ủũúụừửữứựỳỷỹýỵ"),
)
_TCVN3_DECODE: dict[str, str] = {
    chr(start + offset): letter for start, letters in _TCVN3_RUNS for offset, letter in enumerate(letters)
}
_TCVN3_ENCODE: dict[str, str] = {letter: code for code, letter in _TCVN3_DECODE.items()}
_TCVN3_TABLE = str.maketrans(_TCVN3_DECODE)

# --- VNI (VNI-Windows) -----------------------------------------------------------------------------------------------
#
# Lowercase forms; every capital form is the capital Latin-1 letter of the same byte (code - 0x20).
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_TONE_MARKS = frozenset((_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT))
# A tone alone, after a, e, o, u, y, ơ or ư.
_VNI_TONES = {"ø": _GRAVE, "ù": _ACUTE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
# Circumflex with or without a tone, after a, e or o.
_VNI_CIRCUMFLEX = {
    "â": _CIRCUMFLEX,
    "à": _CIRCUMFLEX + _GRAVE,
    "á": _CIRCUMFLEX + _ACUTE,
    "å": _CIRCUMFLEX + _HOOK,
    "ã": _CIRCUMFLEX + _TILDE,
    "ä": _CIRCUMFLEX + _DOT,
}
# Breve with or without a tone, after a.
_VNI_BREVE = {
    "ê": _BREVE,
    "è": _BREVE + _GRAVE,
    "é": _BREVE + _ACUTE,
    "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE,
    "ë": _BREVE + _DOT,
}
# Letters with a byte of their own; ơ and ư also take the tone bytes.
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(VNI sequence -> Unicode letter, Unicode letter -> VNI sequence), both cases."""
    canonical: dict[str, str] = {}  # sequence -> letter, base and modifier in the same case
    for base, modifiers in (
        ("a", _VNI_TONES | _VNI_CIRCUMFLEX | _VNI_BREVE),
        ("e", _VNI_TONES | _VNI_CIRCUMFLEX),
        ("o", _VNI_TONES | _VNI_CIRCUMFLEX),
        ("u", _VNI_TONES),
        ("y", _VNI_TONES),
        ("ô", _VNI_TONES),
        ("ö", _VNI_TONES),
    ):
        base_letter = _VNI_SINGLE.get(base, base)
        for modifier, marks in modifiers.items():
            canonical[base + modifier] = unicodedata.normalize("NFC", base_letter + marks)
    canonical.update(_VNI_SINGLE)
    for sequence, letter in list(canonical.items()):
        canonical[sequence.upper()] = letter.upper()
    decode = dict(canonical)
    # Mixed case (a capital base with a lowercase mark byte or the reverse) takes the case of the base.
    for sequence, letter in list(canonical.items()):
        if len(sequence) == 2:
            decode.setdefault(sequence[0] + sequence[1].swapcase(), letter)
    encode = {letter: sequence for sequence, letter in canonical.items() if letter != sequence}
    return decode, encode


_VNI_DECODE, _VNI_ENCODE = _vni_tables()
_VNI_RE = re.compile("|".join(re.escape(sequence) for sequence in sorted(_VNI_DECODE, key=len, reverse=True)))

# --- Words and Vietnamese syllables ----------------------------------------------------------------------------------

# A word: ASCII letters, the Latin-1 range where both legacy encodings put their letters (except the
# no-break space), Latin letters beyond it and combining marks.
_WORD_RE = re.compile(r"[A-Za-z\u00a1-\u00ff\u0100-\u024f\u1e00-\u1eff\u0300-\u036f]+")
# Characters that only Unicode (or Windows-1258, with combining marks) uses for Vietnamese.
_UNICODE_VIETNAMESE_RE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")

# Vietnamese spelling, enough to tell a syllable from mojibake: initial consonant, vowel nucleus
# (without tone), final consonant, and the rules that bind them.
_INITIALS = (
    *("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m"),
    *("n", "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"),
)
# Never followed by a final consonant.
_OPEN_NUCLEI = frozenset(
    (
        *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu"),
        *("ưa", "ua", "uơ", "oai", "oao", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "iêu", "yêu", "uya", "uyu"),
    )
)
# Always followed by one.
_CLOSED_NUCLEI = frozenset(("ă", "â", "iê", "yê", "uô", "ươ", "uyê", "oă", "uâ"))
_FREE_NUCLEI = frozenset(("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy"))
_FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_STOP_FINALS = frozenset(("c", "ch", "p", "t"))  # only with the acute or the dot-below tone
_FRONT = ("e", "ê", "i", "y")


def _spelling_allows(initial: str, nucleus: str, final: str) -> bool:
    if (final and nucleus in _OPEN_NUCLEI) or (not final and nucleus in _CLOSED_NUCLEI):
        return False
    if final in ("ch", "nh") and nucleus not in ("a", "ê", "i", "oa", "uê", "uy"):
        return False
    if final in ("c", "ng") and nucleus in ("i", "ê", "y", "uy", "uê"):
        return False
    if nucleus == "y" and final:
        return False
    front = nucleus.startswith(_FRONT)
    if (initial in ("c", "ng") and front) or (initial in ("k", "gh", "ngh") and not front):
        return False
    if initial == "g" and front and not nucleus.startswith("i"):  # gì, giêng: g before i spells gi
        return False
    return not (initial == "qu" and nucleus.startswith(("u", "ư")))


def _syllables() -> dict[str, bool]:
    """Every toneless Vietnamese syllable -> whether it ends in a stop consonant."""
    table: dict[str, bool] = {}
    for initial in _INITIALS:
        for nucleus in _OPEN_NUCLEI | _CLOSED_NUCLEI | _FREE_NUCLEI:
            for final in _FINALS:
                if _spelling_allows(initial, nucleus, final):
                    table[initial + nucleus + final] = final in _STOP_FINALS
    return table


_SYLLABLES = _syllables()

# How many words of a text are read for detection; plenty for a decision and keeps large files fast.
_SAMPLE_WORDS = 20_000
# Legacy evidence needed: whole text, and a single line of a text that is not legacy as a whole.
_MIN_WORDS_TEXT = 2
_MIN_WORDS_LINE = 3
# In legacy text nearly every word the legacy reading changes becomes a Vietnamese syllable (misread
# Unicode or Windows-1258 text: a third at most), and words that only it makes Vietnamese far outnumber
# the words that are Vietnamese only as they stand.
_LEGACY_SHARE = 0.8
_LEGACY_OVER_UNICODE = 3


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is spelled as a Vietnamese syllable (initial, vowels, final, at most one tone).

    Checks spelling only (c/k, g/gh, ng/ngh before front vowels, which vowels take which final, stop
    finals only with the acute or dot-below tone), not whether the word exists.
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [char for char in decomposed if char in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(char for char in decomposed if char not in _TONE_MARKS))
    stop = _SYLLABLES.get(bare)
    if stop is None:
        return False
    return not stop or tones in ([_ACUTE], [_DOT])


# --- Conversion ------------------------------------------------------------------------------------------------------


def _check(encoding: str) -> None:
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected one of {ENCODINGS}")


def _decode_vni(text: str) -> str:
    return _VNI_RE.sub(lambda match: _VNI_DECODE[match.group()], text)


def _decode_word(word: str, encoding: str) -> str:
    return word.translate(_TCVN3_TABLE) if encoding == TCVN3 else _decode_vni(word)


def _ascii_case(word: str) -> str:
    """How a word's ASCII letters say it was typed: "lower", "upper" (two capitals or more), or "unsure"."""
    if any("a" <= char <= "z" for char in word):
        return "lower"
    return "upper" if sum(1 for char in word if "A" <= char <= "Z") >= 2 else "unsure"


def _decode_tcvn3_line(line: str) -> str:
    legacy = [word for word in _WORD_RE.findall(line) if any(char in _TCVN3_DECODE for char in word)]
    kinds = {_ascii_case(word) for word in legacy}
    capitals_line = "upper" in kinds and "lower" not in kinds

    def convert(match: re.Match[str]) -> str:
        word = match.group()
        if not any(char in _TCVN3_DECODE for char in word):
            return word
        converted = word.translate(_TCVN3_TABLE)
        kind = _ascii_case(word)
        return converted.upper() if kind == "upper" or (kind == "unsure" and capitals_line) else converted

    return _WORD_RE.sub(convert, line)


def to_unicode(text: str, encoding: str) -> str:
    """``text`` (legacy bytes seen as Windows-1252/Latin-1 characters) converted to NFC Unicode.

    ``encoding`` is ``"tcvn3"`` or ``"vni"``. TCVN3 capitals with tones come out as lowercase letters
    unless the word or its line is evidently typed in capitals (see the module documentation).
    """
    _check(encoding)
    if encoding == TCVN3:
        converted = "".join(_decode_tcvn3_line(line) for line in text.splitlines(keepends=True))
    else:
        converted = _decode_vni(text)
    return unicodedata.normalize("NFC", converted)


def from_unicode(text: str, encoding: str) -> str:
    """Unicode Vietnamese written in a legacy encoding, as Windows-1252 characters (``.encode("cp1252")``
    gives the bytes).

    Capitals with tones become lowercase codes in TCVN3 (the ``.VnTimeH`` way); characters the
    encoding has no code for are kept unchanged.
    """
    _check(encoding)
    table = _TCVN3_ENCODE if encoding == TCVN3 else _VNI_ENCODE
    pieces = []
    for char in unicodedata.normalize("NFC", text):
        code = table.get(char)
        if code is None and encoding == TCVN3 and char.lower() != char:
            code = table.get(char.lower())
        pieces.append(char if code is None else code)
    return "".join(pieces)


# --- Detection -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    changed: int  # words the legacy reading changes
    legacy: int  # changed words that are Vietnamese syllables in the legacy reading
    legacy_only: int  # ... and are not as they stand
    unicode: int  # words that are Vietnamese as they stand only: Unicode letters, or valid only unconverted


def _has_vowel(word: str) -> bool:
    return any(char in "aeiouyAEIOUY" for char in unicodedata.normalize("NFD", word))


def _evidence(words: list[str], encoding: str) -> _Evidence:
    changed = legacy = legacy_only = unicode = 0
    for word in words:
        if _UNICODE_VIETNAMESE_RE.search(word):
            unicode += 1
            continue
        converted = _decode_word(word, encoding)
        if converted == word or not _has_vowel(converted):
            continue  # the same in both readings, or no syllable in any (HĐND, QĐ)
        changed += 1
        valid_now = is_vietnamese_syllable(word)
        if is_vietnamese_syllable(converted):
            legacy += 1
            legacy_only += not valid_now
        elif valid_now:
            unicode += 1
    return _Evidence(changed, legacy, legacy_only, unicode)


def _dominates(evidence: _Evidence, minimum: int) -> bool:
    """Whether the legacy reading clearly wins: words that only it makes Vietnamese outnumber the words
    that only the plain reading does, and nearly every word it changes becomes a syllable."""
    return (
        evidence.legacy_only >= minimum
        and evidence.legacy_only >= _LEGACY_OVER_UNICODE * evidence.unicode
        and evidence.legacy >= _LEGACY_SHARE * evidence.changed
    )


def _non_ascii_words(text: str, limit: int = _SAMPLE_WORDS) -> list[str]:
    words: list[str] = []
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if not word.isascii():
            words.append(word)
            if len(words) >= limit:
                break
    return words


def _detect(text: str, minimum: int) -> str | None:
    words = _non_ascii_words(text)
    if len(words) < minimum:
        return None
    found: list[tuple[int, float, str]] = []
    for encoding in ENCODINGS:
        evidence = _evidence(words, encoding)
        if _dominates(evidence, minimum):
            found.append((evidence.legacy_only, evidence.legacy / evidence.changed, encoding))
    found.sort(reverse=True)
    if not found or (len(found) > 1 and found[0][:2] == found[1][:2]):
        return None  # nothing found, or both encodings read the text equally well (a few short words)
    return found[0][2]


def detect_legacy(text: str) -> str | None:
    """``"tcvn3"`` or ``"vni"`` when the text is clearly Vietnamese typed in that encoding, else None.

    Unicode Vietnamese, plain ASCII, English, French or German text with a few accented letters, and
    Windows-1258 text (decoded, or its bytes seen as Windows-1252) all give None.
    """
    return _detect(text, _MIN_WORDS_TEXT)


def _line_is_legacy(line: str, encoding: str) -> bool:
    """Within a text found to be in ``encoding``: whether this line is too (and not Unicode pasted in)."""
    words = _non_ascii_words(line)
    if not words:
        return False
    evidence = _evidence(words, encoding)
    return evidence.legacy >= evidence.unicode and not _UNICODE_VIETNAMESE_RE.search(line)


def repair(text: str) -> tuple[str, str | None]:
    """(text with its legacy parts converted to Unicode, the encoding found or None).

    When the text as a whole is TCVN3 or VNI, every line that reads better in it is converted; lines
    that are already Unicode stay as they are. Otherwise single lines that are clearly legacy (a
    header typed in ``.VnTime`` in an otherwise Unicode document) are converted. Text with nothing to
    convert comes back unchanged (not even normalised) with None.
    """
    lines = text.splitlines(keepends=True)
    encoding = detect_legacy(text)
    found: dict[str, int] = {}
    pieces: list[str] = []
    for line in lines:
        line_encoding = encoding if encoding and _line_is_legacy(line, encoding) else None
        if encoding is None:
            line_encoding = _detect(line, _MIN_WORDS_LINE)
        if line_encoding is None:
            pieces.append(line)
            continue
        converted = to_unicode(line, line_encoding)
        if converted != line:
            found[line_encoding] = found.get(line_encoding, 0) + 1
        pieces.append(converted)
    if not found:
        return text, None
    return "".join(pieces), max(found, key=lambda name: found[name])
