"""The report files: the Word document re-opened and its tables read back, the PDF rendered page by page, the Excel
appendix, for each kind of period."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from cchc.lib.periods import Period
from cchc.reports import services
from cchc.reports.documents import render_docx, render_pdf, render_xlsx, report_content
from cchc.reports.template_source import build_template
from cchc.testing.personas import Personas

from .conftest import YEAR, Year


def _word_tables(data: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def _written_province_report(personas: Personas) -> services.Report:
    report = services.report_start(actor=personas.secretariat, unit=personas.province, period=YEAR)
    text = "Ban hành kế hoạch CCHC năm 2025.\nHọp giao ban quý."
    services.section_save(actor=personas.secretariat, report=report, key="direction", text=text)
    return services.report_details_save(
        actor=personas.secretariat, report=report, reference="25/BC-UBND", signer="Nguyễn Văn A"
    )


@pytest.mark.parametrize("key", ["2025-Q1", "2025-H1", "2025"])
def test_the_word_report_of_each_kind_holds_the_hand_counted_task_table(
    personas: Personas, year: Year, key: str
) -> None:
    period = Period.from_key(key)
    data = render_docx(report_content(personas.province, period, consolidated=True))
    tables = _word_tables(data)
    tasks = next(table for table in tables if table[0][0] == "Đơn vị" and "Tổng số nhiệm vụ" in table[0])
    expected = {
        "2025-Q1": ["Tổng cộng", "2", "1", "0", "1", "0", "50 %"],
        "2025-H1": ["Tổng cộng", "2", "1", "0", "1", "0", "50 %"],
        "2025": ["Tổng cộng", "5", "1", "1", "3", "0", "20 %"],
    }[key]
    assert tasks[-1] == expected
    text = _text(data)
    assert f"Kết quả thực hiện công tác cải cách hành chính {period.label_in_sentence}" in text
    assert "BÁO CÁO" in text


def test_the_word_report_carries_the_decree_30_header_the_narrative_and_the_signature(
    personas: Personas, year: Year
) -> None:
    report = _written_province_report(personas)
    data = render_docx(report_content(report.unit, report.period, report=report))
    header = _word_tables(data)[0][0]
    assert "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in header[0]
    assert "Số: 25/BC-UBND" in header[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1]
    assert "Thử Nghiệm, ngày 20 tháng 01 năm 2026" in header[1]
    text = _text(data)
    assert "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH" in text
    assert "Ban hành kế hoạch CCHC năm 2025." in text
    assert "Họp giao ban quý." in text
    assert "VI. ĐỀ XUẤT, KIẾN NGHỊ" in text
    assert "Nguyễn Văn A" in _word_tables(data)[-1][0][1]
    # the charts are embedded as images
    document = Document(io.BytesIO(data))
    assert len(document.inline_shapes) >= 1


def test_an_uploaded_template_is_used_for_the_word_report(personas: Personas, year: Year) -> None:
    edited = Document(io.BytesIO(build_template()))
    title = next(paragraph for paragraph in edited.paragraphs if paragraph.text == "BÁO CÁO")
    title.runs[0].text = "BÁO CÁO NHANH"
    upload = io.BytesIO()
    edited.save(upload)
    upload.seek(0)
    services.template_upload(actor=personas.secretariat, upload=upload, name="mau.docx")
    data = render_docx(report_content(personas.province, YEAR, consolidated=True))
    assert "BÁO CÁO NHANH" in _text(data)


def test_a_template_with_broken_tags_is_refused_with_a_message(personas: Personas) -> None:
    edited = Document(io.BytesIO(build_template()))
    loop = next(paragraph for paragraph in edited.paragraphs if paragraph.text == "{%p for part in parts %}")
    loop.runs[0].text = "{%p for part in %}"
    buffer = io.BytesIO()
    edited.save(buffer)
    broken = buffer.getvalue()
    with pytest.raises(services.ServiceError) as caught:
        services.template_upload(actor=personas.secretariat, upload=io.BytesIO(broken), name="mau.docx")
    assert "Mẫu Word" in caught.value.message


def test_the_excel_appendix_has_one_sheet_per_table_with_numbers(personas: Personas, year: Year) -> None:
    data = render_xlsx(report_content(personas.province, YEAR, consolidated=True))
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.sheetnames) == 6
    tasks = workbook[workbook.sheetnames[0]]
    rows = list(tasks.iter_rows(values_only=True))
    assert ("Tổng cộng", 5, 1, 1, 3, 0, 20.0) in [row[:7] for row in rows]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_renders_page_by_page(personas: Personas, year: Year, tmp_path: Path) -> None:
    report = _written_province_report(personas)
    data = render_pdf(report_content(report.unit, report.period, report=report))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = "".join(page.extract_text() for page in reader.pages)
    assert "BÁO CÁO" in text and "Tổng cộng" in text
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == len(reader.pages)
    keep = Path("/tmp/reports_pdf")  # noqa: S108 - kept for a person to look at after the run
    keep.mkdir(exist_ok=True)
    for page in pages:
        shutil.copy(page, keep / page.name)
