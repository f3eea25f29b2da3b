"""Vietnamese text helpers: normalisation, folding, search keys and dictionary order."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cchc.lib.text import fold, normalize, search_key, sort_key

# Text that exercises the interesting cases: Vietnamese letters in both forms, loose combining
# marks, odd whitespace, digits, punctuation and arbitrary Unicode.
_VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u0307"
_SPACES = " \t\n\u00a0\u2003"
vietnamese_text = st.text(alphabet=st.sampled_from(_VIETNAMESE + _MARKS + _SPACES + "0123456789-.,()İß"))
any_text = st.one_of(vietnamese_text, st.text())


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_normalize_turns_decomposed_input_into_precomposed_text() -> None:
    decomposed = nfd("Nâng cao chất lượng")
    assert decomposed != "Nâng cao chất lượng"
    assert normalize(decomposed) == "Nâng cao chất lượng"


def test_normalize_collapses_whitespace_and_trims_the_ends() -> None:
    assert normalize("  Sở \t Nội\u00a0vụ \n") == "Sở Nội vụ"


def test_normalize_gives_an_empty_string_for_nothing() -> None:
    assert normalize(None) == ""
    assert normalize("   ") == ""


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Nâng cao") == "nang cao"
    assert fold("Ủy ban nhân dân tỉnh Phú Thọ") == "uy ban nhan dan tinh phu tho"


def test_fold_turns_d_with_stroke_into_d_in_both_cases() -> None:
    assert fold("Đà Nẵng") == "da nang"
    assert fold("đường") == "duong"
    assert fold("ĐĂNG KÝ") == "dang ky"


def test_search_key_lets_unaccented_words_find_accented_ones() -> None:
    stored = search_key("Kế hoạch nâng cao chỉ số CCHC")
    for word in search_key("nang cao").split():
        assert word in stored
    assert "nang cao" in stored


def test_search_key_ignores_punctuation() -> None:
    assert search_key("Số: 176/TB-UBND") == "so 176 tb ubnd"


def sorted_vietnamese(words: list[str]) -> list[str]:
    return sorted(words, key=sort_key)


def test_sort_key_follows_the_vietnamese_alphabet() -> None:
    expected = ["An", "Ăn", "Ân", "Bình", "Chí", "Dương", "Đà", "Êm", "Giang", "Ô", "Ơn", "Ư"]
    assert sorted_vietnamese(list(reversed(expected))) == expected
    assert (
        sorted_vietnamese(["Ư", "Ơn", "Ô", "Giang", "Êm", "Đà", "Dương", "Chí", "Bình", "Ân", "Ăn", "An"]) == expected
    )


def test_sort_key_orders_tones_as_dictionaries_do() -> None:
    tones = ["a", "à", "ả", "ã", "á", "ạ"]
    assert sorted_vietnamese(list(reversed(tones))) == tones
    assert sorted_vietnamese(["mạ", "mà", "má", "ma", "mã", "mả"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_d_with_stroke_sorts_after_every_word_with_plain_d() -> None:
    assert sorted_vietnamese(["Đông", "Dương", "Duy", "Đà"]) == ["Duy", "Dương", "Đà", "Đông"]


def test_sort_key_ignores_case_for_letters() -> None:
    assert sorted_vietnamese(["bình", "AN", "Đà", "chí"]) == ["AN", "bình", "chí", "Đà"]
    assert sorted_vietnamese(["ĐÔNG", "dương"]) == ["dương", "ĐÔNG"]


def test_sort_key_compares_numbers_by_value() -> None:
    assert sorted_vietnamese(["Phường 10", "Phường 2", "Phường 1"]) == ["Phường 1", "Phường 2", "Phường 10"]


def test_sort_key_puts_digits_before_letters() -> None:
    assert sorted_vietnamese(["Bình", "3 tháng", "An"]) == ["3 tháng", "An", "Bình"]


def test_sort_key_compares_word_by_word() -> None:
    # "ba ba" is listed under "ba", before "bà"; "Nguyên" comes before "Nguyễn" whatever follows.
    assert sorted_vietnamese(["bà", "ba ba", "ba"]) == ["ba", "ba ba", "bà"]
    assert sorted_vietnamese(["Nguyễn An", "Nguyên Bình"]) == ["Nguyên Bình", "Nguyễn An"]


def test_sort_key_places_foreign_letters_at_their_latin_places() -> None:
    assert sorted_vietnamese(["Giang", "Facebook", "Em"]) == ["Em", "Facebook", "Giang"]
    assert sorted_vietnamese(["Zalo", "Yên"]) == ["Yên", "Zalo"]


@pytest.mark.parametrize("word", ["Ngô Quyền", "Huyện Đông Anh", "phường 2", ""])
def test_sort_key_is_the_same_for_precomposed_and_decomposed_forms(word: str) -> None:
    assert sort_key(nfd(word)) == sort_key(word)


@given(any_text)
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@given(any_text)
def test_normalize_output_is_nfc(text: str) -> None:
    normalized = normalize(text)
    assert unicodedata.is_normalized("NFC", normalized)


@given(any_text)
@example("a \u0301 b")
@example("\u0301 Đà")
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(any_text)
def test_fold_does_not_depend_on_prior_normalisation(text: str) -> None:
    assert fold(normalize(text)) == fold(text)
    assert fold(nfd(text)) == fold(text)


@given(any_text)
@example("İstanbul")
def test_fold_output_has_no_combining_marks(text: str) -> None:
    assert not any(unicodedata.combining(ch) for ch in fold(text))


@given(any_text)
def test_search_key_is_a_fixed_point_of_itself(text: str) -> None:
    assert search_key(search_key(text)) == search_key(text)


@given(any_text)
def test_sort_key_is_the_same_for_nfc_and_nfd_forms(text: str) -> None:
    assert sort_key(unicodedata.normalize("NFC", text)) == sort_key(nfd(text))


@given(any_text, any_text)
@example("An", "an")
@example("Phường 02", "Phường 2")
@example("Hòa", "Hoà")
def test_sort_key_is_equal_exactly_when_normalised_texts_are_equal(first: str, second: str) -> None:
    assert (sort_key(first) == sort_key(second)) == (normalize(first) == normalize(second))
