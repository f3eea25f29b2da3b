"""Every upload must open as what it claims to be: damaged, encrypted and disguised files are refused by kind."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.lib import files, spreadsheet
from cchc.lib.errors import ServiceError
from cchc.testing.files import (
    BILLION_LAUGHS,
    corrupt_pdf_bytes,
    docx_bytes,
    pdf_bytes,
    pdf_html_polyglot_bytes,
    replace_part,
    xlsx_bytes,
)

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ALL_KINDS = (files.PDF, files.DOCX, files.XLSX, files.IMAGE)


def _refusal(name: str, data: bytes) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        files.check_upload(SimpleUploadedFile(name, data), kinds=ALL_KINDS)
    return caught.value


def test_genuine_pdf_word_and_excel_files_pass():
    for name, data in (("a.pdf", pdf_bytes()), ("a.docx", docx_bytes()), ("a.xlsx", xlsx_bytes())):
        assert files.check_upload(SimpleUploadedFile(name, data), kinds=ALL_KINDS)[1] == data


def test_a_corrupt_pdf_is_refused_as_damaged():
    error = _refusal("bao-cao.pdf", corrupt_pdf_bytes())
    assert error.code == "bad_file"
    assert "PDF" in error.message and "bị hỏng" in error.message


def test_a_password_protected_pdf_is_refused_with_a_message_saying_so():
    error = _refusal("bao-cao.pdf", pdf_bytes(password="bi-mat"))
    assert error.code == "encrypted"
    assert "đặt mật khẩu" in error.message


def test_a_pdf_carrying_a_web_page_is_refused():
    data = pdf_html_polyglot_bytes()
    assert data.startswith(b"%PDF-")
    error = _refusal("bao-cao.pdf", data)
    assert error.code == "polyglot"
    assert "HTML" in error.message


def test_an_image_carrying_a_web_page_is_refused():
    error = _refusal("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + b"<script>alert(1)</script>")
    assert error.code == "polyglot"


@pytest.mark.parametrize(
    ("name", "data", "part"),
    [
        ("bao-cao.docx", docx_bytes(), "word/document.xml"),
        ("bang.xlsx", xlsx_bytes(), "xl/worksheets/sheet1.xml"),
        ("bang.xlsx", xlsx_bytes(), "xl/workbook.xml"),
    ],
)
def test_office_files_with_malformed_xml_are_refused_as_damaged(name, data, part):
    error = _refusal(name, replace_part(data, part, b"<worksheet><sheetData><row></sheetData"))
    assert error.code == "bad_file"
    assert "bị hỏng" in error.message


def test_an_office_file_declaring_xml_entities_is_refused():
    error = _refusal("bang.xlsx", replace_part(xlsx_bytes(), "xl/worksheets/sheet1.xml", BILLION_LAUGHS))
    assert error.code == "xml_entities"


def test_an_encrypted_office_file_is_refused_with_a_message_saying_so():
    # Office saves password-protected .docx/.xlsx as an OLE compound file.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert _refusal("bang.xlsx", ole).code == "encrypted"
    assert _refusal("bao-cao.docx", ole).code == "encrypted"


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v></c>"),
        ("xl/workbook.xml", b"<workbook><sheets><sheet"),
        ("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
    ],
)
def test_the_spreadsheet_reader_turns_broken_or_hostile_xml_into_a_damaged_file_message(part, content):
    # Imports skip the upload's XML pass and rely on the reader, so it must refuse these on its own.
    with pytest.raises(ServiceError) as caught:
        spreadsheet.read_rows(replace_part(xlsx_bytes(), part, content))
    assert "bị hỏng" in caught.value.message


def test_the_spreadsheet_reader_refuses_more_rows_than_the_cap_and_names_it():
    data = xlsx_bytes([["Mã", "Tên"], *[[str(n), "x"] for n in range(12)]])
    assert len(spreadsheet.read_rows(data, max_rows=12)) == 13
    with pytest.raises(ServiceError) as caught:
        spreadsheet.read_rows(data, max_rows=11)
    assert caught.value.code == "too_many_rows"
    assert "11 dòng" in caught.value.message


def test_the_spreadsheet_reader_ignores_cells_far_to_the_right():
    data = xlsx_bytes([["Mã", "Tên"], ["1", "Một"]])
    wide = replace_part(
        data,
        "xl/worksheets/sheet1.xml",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD2"/>'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>M</t></is></c><c r="XFD1"><v>1</v></c></row>'
        b"</sheetData></worksheet>",
    )
    rows = spreadsheet.read_rows(wide)
    assert rows[0].values == ("M",)


def test_without_the_xml_pass_an_entity_declaration_is_still_refused_from_the_start_of_the_part():
    data = replace_part(xlsx_bytes(), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    with pytest.raises(ServiceError) as caught:
        files.check_upload(SimpleUploadedFile("bang.xlsx", data), kinds=[files.XLSX], parse_xml=False)
    assert caught.value.code == "xml_entities"


def test_a_workbook_whose_shared_strings_exceed_the_bound_is_refused_before_openpyxl_reads_them(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_SHARED_STRINGS_BYTES", 100)
    buffer = io.BytesIO(xlsx_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        strings = "".join(f"<si><t>Tên rất dài số {n}</t></si>" for n in range(20))
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{SPREADSHEET_NS}">{strings}</sst>')
    with pytest.raises(ServiceError) as caught:
        spreadsheet.read_rows(buffer.getvalue())
    assert caught.value.code == "too_large" and "quá nhiều nội dung chữ" in caught.value.message


def test_opening_a_workbook_does_not_parse_its_rows_beyond_what_is_read():
    # No <dimension> (as in openpyxl's own write-only files) and a broken tail: openpyxl used to parse the whole sheet
    # when opening it, so the broken tail (or a huge sheet's full cost) was met before the first row was read.
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n}</t></is></c></row>' for n in range(1, 31))
    sheet = f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData>{rows}<row r="31"><c'.encode()
    data = replace_part(xlsx_bytes(), "xl/worksheets/sheet1.xml", sheet)
    with pytest.raises(ServiceError) as caught:
        spreadsheet.read_rows(data, max_rows=10)
    assert caught.value.code == "too_many_rows"
