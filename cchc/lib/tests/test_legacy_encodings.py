"""Vietnamese text in the legacy TCVN3 (ABC) and VNI encodings: tables, conversion both ways, detection."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cchc.lib.legacy_encodings import (
    TCVN3,
    VNI,
    detect_legacy,
    from_unicode,
    is_vietnamese_syllable,
    repair,
    to_unicode,
)

# Every Vietnamese vowel with every tone (level, grave, hook, tilde, acute, dot below), and đ.
VOWELS = "aàảãáạ ăằẳẵắặ âầẩẫấậ eèẻẽéẹ êềểễếệ iìỉĩíị oòỏõóọ ôồổỗốộ ơờởỡớợ uùủũúụ ưừửữứự yỳỷỹýỵ đ"
SENTENCE = (
    "Người dân ở xã Đông Hải được hướng dẫn nộp hồ sơ trực tuyến; "
    "quyết định của ủy ban nhân dân tỉnh về cải cách thủ tục hành chính có hiệu lực từ ngày ký."
)
MOTTO = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc"

# Published forms, as they appear when the legacy bytes are read as Windows-1252.
TCVN3_FORMS = [
    ("Việt Nam", "ViÖt Nam"),
    ("Cộng hoà", "Céng hoµ"),
    ("Độc lập - Tự do - Hạnh phúc", "§éc lËp - Tù do - H¹nh phóc"),
    ("xã hội chủ nghĩa", "x· héi chñ nghÜa"),
    ("Quyết định", "QuyÕt ®Þnh"),
    ("thực hiện", "thùc hiÖn"),
    ("nhân dân", "nh©n d©n"),
    ("Ăn Ưu Ơn Ôm Ê Â Đ", "¡n ¦u ¥n ¤m £ ¢ §"),
]
VNI_FORMS = [
    ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"),
    ("Độc lập - Tự do - Hạnh phúc", "Ñoäc laäp - Töï do - Haïnh phuùc"),
    ("Quyết định", "Quyeát ñònh"),
    ("người được", "ngöôøi ñöôïc"),
    ("Ủy ban nhân dân", "UÛy ban nhaân daân"),
    ("CỘNG HÒA", "COÄNG HOØA"),
    ("ĂN ƯỚC ƠN Ỵ", "AÊN ÖÔÙC ÔN Î"),
]

# Text made only of Vietnamese letters, ASCII digits, punctuation and spaces.
_LETTERS = "".join(VOWELS.split()) + "bcdghklmnpqrstvx"
vietnamese_text = st.text(alphabet=st.sampled_from(_LETTERS + _LETTERS.upper() + "0123456789 .,;:-()/\n"))
lowercase_text = st.text(alphabet=st.sampled_from(_LETTERS + "ĂÂÊÔƠƯĐ0123456789 .,;:-()/\n"))


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: letters with their vowel marks, tones as combining marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    encoded = bytearray()
    for char in text:
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            marks = "".join(mark for mark in decomposed if mark in tones)
            base = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in tones))
            encoded += (base + marks).encode("cp1258")
    return bytes(encoded)


def test_the_vowel_list_holds_every_vowel_with_every_tone() -> None:
    letters = "".join(VOWELS.split())
    assert len(letters) == len(set(letters)) == 12 * 6 + 1
    assert all(unicodedata.is_normalized("NFC", letter) for letter in letters)


# --- the tables -------------------------------------------------------------------------------------------------------


def test_tcvn3_gives_one_code_to_each_lowercase_letter_and_each_toneless_capital() -> None:
    letters = "".join(VOWELS.split()) + "ĂÂÊÔƠƯĐ"
    codes = [from_unicode(letter, TCVN3) for letter in letters if not letter.isascii()]
    assert len(codes) == 67 + 7
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 1 and 0xA1 <= ord(code) <= 0xFE for code in codes)


def test_vni_writes_each_letter_as_an_ascii_base_and_one_mark_byte_or_as_a_byte_of_its_own() -> None:
    letters = "".join(VOWELS.split())
    for letter in letters + letters.upper():
        code = from_unicode(letter, VNI)
        assert 1 <= len(code) <= 2
        assert all(char.isascii() or 0xC0 <= ord(char) <= 0xFF for char in code)
        if code.upper() != code.lower():  # a lowercase letter's code is lowercase, a capital's is capital
            assert (code == code.lower()) == (letter == letter.lower())


@pytest.mark.parametrize(("unicode", "legacy"), TCVN3_FORMS)
def test_the_published_tcvn3_forms_convert_both_ways(unicode: str, legacy: str) -> None:
    assert to_unicode(legacy, TCVN3) == unicode
    assert from_unicode(unicode, TCVN3) == legacy


@pytest.mark.parametrize(("unicode", "legacy"), VNI_FORMS)
def test_the_published_vni_forms_convert_both_ways(unicode: str, legacy: str) -> None:
    assert to_unicode(legacy, VNI) == unicode
    assert from_unicode(unicode, VNI) == legacy


def test_the_classic_header_lines_round_trip_through_both_encodings() -> None:
    for encoding in (TCVN3, VNI):
        assert to_unicode(from_unicode(MOTTO, encoding), encoding) == MOTTO


def test_legacy_text_is_returned_as_precomposed_unicode() -> None:
    assert unicodedata.is_normalized("NFC", to_unicode("Coäng hoøa", VNI))
    assert to_unicode("Coäng hoøa", VNI) == unicodedata.normalize("NFC", "Cộng hòa")


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="viscii"):
        to_unicode("abc", "viscii")
    with pytest.raises(ValueError, match="viscii"):
        from_unicode("abc", "viscii")


# --- round trips ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_every_vowel_with_every_tone_round_trips_in_lowercase(encoding: str) -> None:
    for text in (VOWELS, SENTENCE.lower()):
        assert to_unicode(from_unicode(text, encoding), encoding) == text


def test_every_vowel_with_every_tone_round_trips_in_capitals_through_vni() -> None:
    for text in (VOWELS.upper(), SENTENCE.upper(), SENTENCE):
        assert to_unicode(from_unicode(text, VNI), VNI) == text


def test_tcvn3_capitals_typed_with_the_vntimeh_font_come_back_as_capitals() -> None:
    # TCVN3 has no capitals with tones: .VnTimeH draws the lowercase codes as capitals.
    assert from_unicode("CỘNG HÒA", TCVN3) == "CéNG HßA"
    for text in (SENTENCE.upper(), MOTTO.upper(), "ỦY BAN NHÂN DÂN TỈNH\nQUYẾT ĐỊNH"):
        assert to_unicode(from_unicode(text, TCVN3), TCVN3) == text


def test_tcvn3_text_in_sentence_case_round_trips_when_its_capitals_have_no_tone() -> None:
    assert to_unicode(from_unicode(SENTENCE, TCVN3), TCVN3) == SENTENCE
    assert to_unicode("Sè: 123/Q§-UBND", TCVN3) == "Số: 123/QĐ-UBND"
    assert to_unicode("UBND tØnh Hµ Giang", TCVN3) == "UBND tỉnh Hà Giang"


def test_tcvn3_capitals_with_tones_in_a_sentence_case_line_come_back_in_lowercase() -> None:
    # The documented limit: "Ủy" is typed "ñy", which cannot be told from "ủy".
    assert from_unicode("Ủy ban nhân dân tỉnh", TCVN3) == "ñy ban nh©n d©n tØnh"
    assert to_unicode("ñy ban nh©n d©n tØnh", TCVN3) == "ủy ban nhân dân tỉnh"


@given(vietnamese_text)
@example(VOWELS + VOWELS.upper())
def test_any_vietnamese_text_round_trips_exactly_through_vni(text: str) -> None:
    assert to_unicode(from_unicode(text, VNI), VNI) == text


@given(lowercase_text)
@example(VOWELS)
def test_vietnamese_text_without_ascii_capitals_round_trips_exactly_through_tcvn3(text: str) -> None:
    assert to_unicode(from_unicode(text, TCVN3), TCVN3) == text


@given(vietnamese_text)
def test_any_vietnamese_text_round_trips_through_tcvn3_up_to_case(text: str) -> None:
    assert to_unicode(from_unicode(text, TCVN3), TCVN3).lower() == text.lower()


# --- detection --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
@pytest.mark.parametrize("text", [MOTTO, MOTTO.upper(), SENTENCE, SENTENCE.upper(), "Cộng hòa xã hội"])
def test_legacy_vietnamese_is_recognised(encoding: str, text: str) -> None:
    assert detect_legacy(from_unicode(text, encoding)) == encoding
    assert repair(from_unicode(text, encoding)) == (to_unicode(from_unicode(text, encoding), encoding), encoding)


NOT_LEGACY = {
    "unicode": SENTENCE + "\n" + MOTTO,
    "unicode in capitals": (SENTENCE + "\n" + MOTTO).upper(),
    "unicode decomposed": unicodedata.normalize("NFD", SENTENCE + "\n" + MOTTO),
    "unicode with latin-1 letters only": "Tôi là ai, anh có thể nói cho tôi biết không? Cô ấy ở bên kia.",
    "ascii": "UBND tinh Ha Giang, so 123/QD-UBND ngay 01/02/2024",
    "empty": "",
    "english": "The Ministry of Home Affairs issued its PAR INDEX © 2023 ® for 25°C ±5% of the units.",
    "french": (
        "Liberté, égalité, fraternité. Ça va très bien à Paris, où l'été est chaud. Le garçon a reçu une lettre"
        " de sa sœur aînée; il était déjà là-bas. Je préfère le café crème à côté du théâtre."
    ),
    "german": (
        "Müller und Söhne GmbH, Straße 5, 80331 München. Gemäß § 5 Abs. 2 ist die Größe übermäßig; Bürger"
        " dürfen öffentliche Gebäude für Veranstaltungen nutzen. Schöne Grüße aus Köln."
    ),
    "spanish": "El niño español comió paella en la montaña. ¿Dónde está la estación? Años después volvió a Málaga.",
    "windows-1258": _cp1258(SENTENCE + "\n" + MOTTO).decode("cp1258"),
    "windows-1258 bytes seen as windows-1252": _cp1258(SENTENCE + "\n" + MOTTO).decode("cp1252", errors="replace"),
}


@pytest.mark.parametrize("name", NOT_LEGACY)
def test_text_that_is_not_legacy_vietnamese_is_left_alone(name: str) -> None:
    text = NOT_LEGACY[name]
    assert detect_legacy(text) is None
    assert repair(text) == (text, None)


def test_a_single_ambiguous_word_is_not_enough() -> None:
    assert detect_legacy("ViÖt") is None
    assert detect_legacy("Sè 5") is None


def test_in_a_legacy_text_lines_already_in_unicode_stay_as_they_are() -> None:
    text = from_unicode(MOTTO, TCVN3) + "\nĐã ký: Nguyễn Văn Hải\n" + from_unicode(SENTENCE, TCVN3)
    repaired, encoding = repair(text)
    assert encoding == TCVN3
    assert repaired.split("\n")[:3] == [*MOTTO.split("\n"), "Đã ký: Nguyễn Văn Hải"]


def test_in_a_unicode_text_a_header_typed_in_a_legacy_font_is_converted() -> None:
    body = "\n".join([SENTENCE] * 5)
    repaired, encoding = repair(from_unicode(MOTTO, VNI) + "\n" + body)
    assert encoding == VNI
    assert repaired == MOTTO + "\n" + body


@given(st.text())
def test_repair_never_fails_and_leaves_text_it_does_not_convert_untouched(text: str) -> None:
    repaired, encoding = repair(text)
    assert encoding in (None, TCVN3, VNI)
    if encoding is None:
        assert repaired == text


# --- syllables --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["gì", "giêng", "quốc", "quy", "khuya", "nghĩa", "kế", "Việt", "được", "người", "ở", "thuở", "khuỷu"]
)
def test_vietnamese_syllables_are_recognised(word: str) -> None:
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", ["Céng", "hoµ", "cỏc", "tiũch", "ka", "ghá", "ngé", "họà", "café", "xaoo"])
def test_strings_that_break_vietnamese_spelling_are_not_syllables(word: str) -> None:
    assert not is_vietnamese_syllable(word)
