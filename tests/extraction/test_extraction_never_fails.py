"""Whatever text is pasted or read from a scan, the extraction answers with proposals (possibly none), never an error.

The words are drawn from what directives are made of — names of bodies and their parts, honorifics, plural and
linking words, markers, dates, punctuation and line breaks — so that a piece of a name, a marker or a date may end
the text, begin it or stand alone, as in a page cut by a scan or a paste.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.extraction import extract_text, to_json_dict

WORDS = [
    "Kính gửi:",
    "các",
    "đồng chí",
    "Phó Thủ tướng",
    "Chính phủ",
    "Bộ",
    "Sở",
    "Nội vụ",
    "Ủy ban nhân dân",
    "tỉnh",
    "xã",
    "Tập đoàn",
    "Ngân hàng Nhà nước",
    "chi nhánh",
    "khu vực",
    "14",
    "Thuế",
    "của Quốc hội",
    "Hội đồng",
    "thẩm định",
    "Nhà nước",
    "chủ trì",
    "phối hợp",
    "giao",
    "đề nghị",
    "Quý Ủy ban",
    "thực hiện",
    "báo cáo",
    "trước ngày",
    "15/12/2025",
    "năm 2026",
    "Quý IV",
    "hằng năm",
    "1.",
    "a)",
    "-",
    "II.",
    "+",
    ":",
    ";",
    ",",
    ".",
    "./.",
    "(",
    ")",
    "|",
    "\n",
    "\n\n",
    "TT",
    "Nhiệm vụ",
    "Cơ quan chủ trì",
    "Thời gian",
    "QUYẾT ĐỊNH:",
    "từ",
    "đến",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=40))
def test_any_run_of_directive_words_is_read_without_error(words: list[str]) -> None:
    text = " ".join(words)
    result = to_json_dict(extract_text(text))
    assert isinstance(result["tasks"], list)
