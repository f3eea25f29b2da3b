import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cchc.lib import files, spreadsheet
from cchc.lib.errors import ServiceError
from cchc.testing.files import pdf_bytes


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.worksheets[0].append(["Mã đơn vị", "Tên đơn vị"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _message(name: str, data: bytes, kinds=(files.XLSX,), **kwargs) -> str:
    with pytest.raises(ServiceError) as caught:
        files.check_upload(_upload(name, data), kinds=kinds, **kwargs)
    return caught.value.message


def test_a_real_workbook_passes_and_its_content_is_returned():
    data = _xlsx()
    kind, content = files.check_upload(_upload("don-vi.XLSX", data), kinds=[files.XLSX])
    assert kind == files.XLSX and content == data


def test_a_word_document_passes_as_docx_but_not_as_xlsx():
    assert files.check_upload(_upload("cong-van.docx", _docx()), kinds=[files.DOCX])[0] == files.DOCX
    assert _message("cong-van.xlsx", _docx()) == "Tệp không đúng định dạng Excel (.xlsx)."


def test_a_renamed_text_file_is_not_a_workbook():
    assert _message("danh-sach.xlsx", "Mã;Tên\n1;Sở Nội vụ".encode()) == "Tệp không đúng định dạng Excel (.xlsx)."


def test_a_truncated_workbook_is_refused():
    data = _xlsx()
    assert "không đúng định dạng Excel" in _message("cut.xlsx", data[: len(data) // 2])


def test_a_file_over_the_size_limit_is_refused_with_the_limit_in_megabytes(settings):
    settings.CCHC_MAX_UPLOAD_BYTES = 1024 * 1024
    assert _message("big.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024)) == "Tệp quá lớn (tối đa 1 MB)."


def test_an_empty_file_is_refused():
    assert _message("empty.xlsx", b"") == "Tệp tải lên rỗng."


def test_a_wrong_extension_lists_the_accepted_kinds():
    assert _message("notes.txt", b"hello", kinds=(files.PDF, files.IMAGE)) == (
        "Chỉ chấp nhận tệp PDF (.pdf), ảnh (.png, .jpg, .gif, .webp)."
    )


def test_a_macro_enabled_workbook_is_refused_by_extension_and_by_content():
    assert ".xlsm" in _message("macro.xlsm", _xlsx())
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx())) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    assert "macro" in _message("renamed.xlsx", buffer.getvalue())


def test_a_zip_bomb_of_a_few_kilobytes_is_refused_before_anything_opens_it(settings):
    settings.CCHC_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        # Entries small enough to pass the ratio check one by one; together they exceed the limit.
        for index in range(8):
            archive.writestr(f"xl/worksheets/sheet{index}.xml", b"\0" * (900 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 16 * 1024
    assert _message("bomb.xlsx", bomb) == "Tệp nén bất thường, có thể là tệp độc hại; hệ thống từ chối mở tệp này."


def test_a_highly_compressed_entry_under_the_total_limit_is_still_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/sharedStrings.xml", b"a" * (20 * 1024 * 1024))
    assert "Tệp nén bất thường" in _message("ratio.xlsx", buffer.getvalue())


def test_too_many_entries_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(30):
            archive.writestr(f"xl/part{index}.xml", "x")
    limits = files.ZipLimits(max_entries=20)
    assert "Tệp nén bất thường" in _message("many.xlsx", buffer.getvalue(), limits=limits)


def test_a_zip_without_content_types_is_not_an_office_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert _message("plain.xlsx", buffer.getvalue()) == "Tệp không đúng định dạng Excel (.xlsx)."


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("scan.pdf", pdf_bytes(), files.PDF),
        ("photo.png", b"\x89PNG\r\n\x1a\n....", files.IMAGE),
        ("photo.jpg", b"\xff\xd8\xff\xe0....", files.IMAGE),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", files.IMAGE),
    ],
)
def test_pdfs_and_images_are_recognised_by_their_first_bytes(name, data, kind):
    assert files.check_upload(_upload(name, data), kinds=[files.PDF, files.IMAGE])[0] == kind


def test_a_text_file_named_pdf_is_refused():
    assert _message("fake.pdf", b"hello", kinds=(files.PDF,)) == "Tệp không đúng định dạng PDF (.pdf)."


def test_spreadsheet_reading_refuses_bytes_that_openpyxl_cannot_open():
    with pytest.raises(ServiceError, match="Excel"):
        spreadsheet.read_rows(b"PK\x03\x04 not really a zip")


def test_spreadsheet_dates_accept_vietnamese_and_iso_forms():
    import datetime

    assert spreadsheet.cell_date("01/07/2025") == datetime.date(2025, 7, 1)
    assert spreadsheet.cell_date("2025-07-01") == datetime.date(2025, 7, 1)
    assert spreadsheet.cell_date(datetime.datetime(2025, 7, 1, 0, 0)) == datetime.date(2025, 7, 1)
    assert spreadsheet.cell_date("  ") is None
    with pytest.raises(ValueError):
        spreadsheet.cell_date("30/02/2025")


def test_header_keys_ignore_accents_case_and_punctuation():
    assert spreadsheet.header_key(" MÃ  ĐƠN VỊ: ") == spreadsheet.header_key("ma don vi")
