"""Bad submissions of the import page: a Vietnamese message on the form, never a server error, nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.indicators.external import HEADER
from cchc.indicators.models import IndicatorValue
from cchc.testing.files import pdf_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

IMPORT = reverse("indicators:external_import")


def _post(personas, data):
    response = personas.client("secretariat").post(IMPORT, data)
    assert response.status_code in (200, 400), response.status_code
    return response, response.content.decode()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(8):
            archive.writestr(f"xl/worksheets/sheet{index}.xml", b"\0" * (900 * 1024))
    return buffer.getvalue()


def test_an_empty_submit_answers_400_with_a_vietnamese_message_on_the_file_field(personas):
    response, page = _post(personas, {})
    assert response.status_code == 400
    assert "Hãy chọn tệp cần nhập." in page
    assert "This field is required" not in page


def test_a_submit_with_only_the_mode_or_an_unknown_mode_says_what_is_missing_in_vietnamese(personas):
    response, page = _post(personas, {"mode": "all"})
    assert response.status_code == 400 and "Hãy chọn tệp cần nhập." in page
    data = xlsx_bytes([HEADER, ["T-P", 2023, "papi.d1", 5, ""]])
    response, page = _post(personas, {"file": SimpleUploadedFile("a.xlsx", data), "mode": "everything"})
    assert response.status_code == 400 and "Cách nhập không hợp lệ; hãy chọn một trong hai cách." in page
    response, page = _post(personas, {"file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 400 and "Hãy chọn cách nhập." in page
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ket-qua.pdf", pdf_bytes(), "Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        ("ket-qua", b"abc", "Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        ("ket-qua.xlsx", pdf_bytes(), "Excel"),
        ("ket-qua.xlsx", b"", "rỗng"),
        ("ket-qua.csv", b"", "Tệp tải lên rỗng."),
        ("ket-qua.csv", b"\x00\x01\x02", "Tệp CSV bị hỏng hoặc không phải tệp văn bản."),
        ("ket-qua.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
    ],
)
def test_a_wrong_or_damaged_file_is_refused_with_a_vietnamese_message(personas, name, content, message):
    response, page = _post(personas, {"file": SimpleUploadedFile(name, content), "mode": "all"})
    assert response.status_code == 400
    assert message in page
    assert not IndicatorValue.objects.exists()


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_opened(personas, settings):
    settings.CCHC_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    response, page = _post(personas, {"file": SimpleUploadedFile("papi.xlsx", _bomb()), "mode": "valid"})
    assert response.status_code == 400
    assert "Tệp nén bất thường, có thể là tệp độc hại; hệ thống từ chối mở tệp này." in page
    assert not IndicatorValue.objects.exists()


def test_duplicate_rows_are_named_by_row_in_vietnamese_and_nothing_is_written(personas):
    data = xlsx_bytes([HEADER, ["T-P", 2023, "papi.d1", 5, ""], ["Tỉnh Thử Nghiệm", 2023, "PAPI.D1", 6, ""]])
    response, page = _post(personas, {"file": SimpleUploadedFile("a.xlsx", data), "mode": "all"})
    assert response.status_code == 400
    assert "Trùng với dòng 2 (cùng tỉnh, năm và mã)." in page
    assert not IndicatorValue.objects.exists()


def test_a_province_choice_that_is_not_a_province_is_a_form_error(personas):
    data = xlsx_bytes([HEADER, ["T-P", 2023, "papi.d1", 5, ""]])
    response, page = _post(
        personas, {"file": SimpleUploadedFile("a.xlsx", data), "mode": "all", "province": personas.unit_a.pk}
    )
    assert response.status_code == 400 and "Hãy chọn một tỉnh, thành phố trong danh sách." in page
    assert not IndicatorValue.objects.exists()
