"""Directive files typed in the legacy TCVN3 (ABC) and VNI encodings are read as Unicode, with a warning."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cchc.directives.extraction_registry import extract_document
from cchc.extraction.reading import decode_text, read_document
from cchc.lib.legacy_encodings import TCVN3, VNI, from_unicode

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
HEADER = [
    "ỦY BAN NHÂN DÂN HUYỆN PHONG THỔ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 215/TB-UBND",
    "Phong Thổ, ngày 14 tháng 8 năm 2023",
    "THÔNG BÁO",
    "Kết luận về công tác cải cách hành chính",
]
BODY = [
    "1. Phòng Nội vụ kiểm tra công tác cải cách",
    "hành chính tại 05 xã trước ngày 30/9/2023.",
    "2. Phòng Tư pháp rà soát văn bản trước",
    "ngày 15/11/2023.",
]
NOTICE = "\n".join(HEADER + BODY)
TCVN3_WARNING = "Văn bản dùng bảng mã TCVN3 (ABC) cũ; đã chuyển sang Unicode, hãy kiểm tra lại."
VNI_WARNING = "Văn bản dùng bảng mã VNI cũ; đã chuyển sang Unicode, hãy kiểm tra lại."


def _legacy_bytes(text: str, encoding: str) -> bytes:
    """The bytes a legacy editor saved: each legacy code is the Windows-1252 byte of the same value."""
    return from_unicode(text, encoding).encode("cp1252")


def _docx(runs: list[list[tuple[str, str]]]) -> bytes:
    """A Word file: one paragraph per list of (text, font name) runs."""
    from docx import Document

    document = Document()
    for paragraph_runs in runs:
        paragraph = document.add_paragraph()
        for text, font in paragraph_runs:
            paragraph.add_run(text).font.name = font
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _text_pdf(lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    for line in lines:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_the_notice_bytes_really_are_legacy_bytes() -> None:
    assert _legacy_bytes("Cộng hoà", TCVN3) == b"C\xe9ng ho\xb5"
    assert _legacy_bytes("Cộng hòa", VNI) == b"Co\xe4ng ho\xf8a"
    with pytest.raises(UnicodeDecodeError):
        _legacy_bytes(NOTICE, TCVN3).decode("utf-8")


def test_a_tcvn3_text_file_is_read_as_unicode_with_a_warning() -> None:
    read = read_document(_legacy_bytes(NOTICE, TCVN3), "thong-bao.txt")
    assert read.source == "text"
    assert read.text == NOTICE
    assert read.warnings == (TCVN3_WARNING,)


def test_a_vni_text_file_is_read_as_unicode_with_a_warning() -> None:
    read = read_document(_legacy_bytes(NOTICE, VNI), "thong-bao.txt")
    assert read.text == NOTICE
    assert read.warnings == (VNI_WARNING,)


def test_a_legacy_text_file_with_windows_line_ends_keeps_them() -> None:
    data = _legacy_bytes(NOTICE.replace("\n", "\r\n"), VNI)
    assert decode_text(data) == NOTICE.replace("\n", "\r\n")


def test_tcvn3_text_pasted_into_a_utf8_file_is_converted_too() -> None:
    # Copying from a .VnTime document into Notepad and saving as UTF-8 keeps the legacy characters.
    data = from_unicode(NOTICE, TCVN3).encode("utf-8")
    read = read_document(data, "thong-bao.txt")
    assert read.text == NOTICE
    assert read.warnings == (TCVN3_WARNING,)


def test_unicode_and_windows_1258_text_files_get_no_legacy_warning() -> None:
    assert read_document(NOTICE.encode("utf-8"), "thong-bao.txt").warnings == ()
    english = b"Minutes of the meeting in Montr\xe9al: caf\xe9, cr\xe8me br\xfbl\xe9e and a r\xe9sum\xe9 for each."
    read = read_document(english, "minutes.txt")
    assert read.warnings == ()
    assert read.text == english.decode("cp1258")


def test_a_word_file_whose_runs_hold_tcvn3_text_is_read_as_unicode() -> None:
    runs = [[(from_unicode(line, TCVN3), ".VnTimeH" if line.isupper() else ".VnTime")] for line in HEADER + BODY]
    read = read_document(_docx(runs), "thong-bao.docx")
    assert read.source == "docx"
    assert read.text == NOTICE
    assert read.warnings == (TCVN3_WARNING,)


def test_a_word_file_mixing_a_tcvn3_header_with_a_unicode_body_converts_only_the_header() -> None:
    runs = [[(from_unicode(line, TCVN3), ".VnTime")] for line in HEADER[1:3]]
    runs += [[(line, "Times New Roman")] for line in BODY * 3]
    read = read_document(_docx(runs), "thong-bao.docx")
    assert read.text == "\n".join(HEADER[1:3] + BODY * 3)
    assert read.warnings == (TCVN3_WARNING,)


def test_a_word_file_with_a_paragraph_split_into_legacy_runs_is_read_whole() -> None:
    line = from_unicode("Cộng hòa xã hội chủ nghĩa Việt Nam", VNI)
    read = read_document(_docx([[(line[:9], "VNI-Times"), (line[9:], "VNI-Times")]]), "thong-bao.docx")
    assert read.text == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert read.warnings == (VNI_WARNING,)


def test_a_unicode_word_file_gets_no_legacy_warning() -> None:
    read = read_document(_docx([[(line, "Times New Roman")] for line in HEADER + BODY]), "thong-bao.docx")
    assert read.text == NOTICE
    assert read.warnings == ()


def test_a_pdf_printed_from_a_tcvn3_document_is_read_as_unicode() -> None:
    read = read_document(_text_pdf([from_unicode(line, TCVN3) for line in HEADER + BODY]), "thong-bao.pdf")
    assert read.source == "pdf"
    assert read.text.split("\n")[:3] == HEADER[:3]
    assert read.warnings == (TCVN3_WARNING,)


def test_the_tasks_of_a_vni_notice_are_extracted_and_the_user_is_warned(db: None) -> None:
    extraction = extract_document(_legacy_bytes(NOTICE, VNI), "thong-bao.txt")
    assert extraction.reference == "215/TB-UBND"
    assert [(task.section, str(task.deadline)) for task in extraction.tasks] == [
        ("1", "2023-09-30"),
        ("2", "2023-11-15"),
    ]
    assert extraction.warnings[0] == VNI_WARNING
