from __future__ import annotations

import datetime
import io

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook

from cchc.assessments.analysis import remediation_plan
from cchc.assessments.documents import (
    PLAN_HEADER,
    SCORING_SHEET_HEADER,
    DecisionOptions,
    date_phrase,
    decision_docx,
    decision_subject,
    default_legal_bases,
    place_name,
    points_lost_xlsx,
    ranking_xlsx,
    remediation_plan_xlsx,
    scoring_sheet_xlsx,
)
from cchc.assessments.results import compute_round
from cchc.organisations.models import UnitKind

from .factories import build_assessment, build_framework, build_round, leaves


@pytest.fixture
def published(personas):
    departments = build_framework(decision_reference="Quyết định số 2211/QĐ-UBND ngày 31/8/2024.")
    communes = build_framework(unit_kind=UnitKind.COMMUNE, decision_reference="")
    round_ = build_round(
        organiser=personas.province,
        frameworks=[departments, communes],
        publication_date=datetime.date(2025, 2, 5),
    )
    a = build_assessment(
        round_,
        personas.unit_a,
        departments,
        {"1.1.2": 7.5, "2.1": 20, "4.1": 1, "3.1": 0},
        self_scores={"1.1.2": 10, "2.1": 30},
    )
    a.scores.filter(criterion__code="2.1").update(appraisal_reason="Thiếu báo cáo quý III")
    build_assessment(round_, personas.home_affairs, departments, {"1.2": 15})
    build_assessment(round_, personas.unit_b, communes, {"2.2": 10})
    compute_round(round_)
    return round_, a


def _rows(data: bytes, sheet: int = 0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return [tuple(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def _table(rows: list[tuple], header: tuple) -> list[tuple]:
    start = next(index for index, row in enumerate(rows) if tuple(row[: len(header)]) == header)
    return rows[start + 1 :]


def test_the_scoring_sheet_has_the_official_columns_and_sums_parents(published):
    _round, assessment = published
    rows = _rows(scoring_sheet_xlsx(assessment))
    assert rows[0][0] == "PHIẾU CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024"
    assert rows[1][0] == "Đơn vị: Sở Tư pháp"
    body = _table(rows, SCORING_SHEET_HEADER)
    by_code = {row[0]: row for row in body if row[0]}
    assert by_code["1"][1] == "Công tác chỉ đạo, điều hành cải cách hành chính"
    assert by_code["1.1.2"][2:6] == (10, 10, 7.5, 7.5)
    assert by_code["1.1"][2:6] == (20, 20, 17.5, 17.5)
    assert by_code["2.1"][6] == "Thiếu báo cáo quý III"
    assert by_code["4.1"][2] == -5 and by_code["4.1"][5] == -1
    totals = {row[1]: row for row in body if not row[0]}
    assert totals["TỔNG ĐIỂM ĐẠT"][5] == 86.5
    assert totals["CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (%)"][5] == 86.5
    assert totals["XẾP HẠNG"][5] == 2
    assert totals["XẾP LOẠI"][5] == "B"


def test_the_scoring_sheet_computes_totals_when_results_are_not_stored_yet(personas):
    framework = build_framework()
    round_ = build_round(organiser=personas.province, frameworks=[framework], stage="appraisal")
    assessment = build_assessment(round_, personas.unit_a, framework, {"1.2": 10})
    totals = {row[1]: row for row in _rows(scoring_sheet_xlsx(assessment)) if row[0] is None}
    assert totals["TỔNG ĐIỂM ĐẠT"][5] == 92
    assert "XẾP HẠNG" not in totals


def test_the_ranking_workbook_has_one_sheet_per_unit_kind_with_component_indices(published):
    round_, _assessment = published
    workbook = load_workbook(io.BytesIO(ranking_xlsx(round_)))
    assert workbook.sheetnames == ["Sở, ban, ngành", "Xã, phường, đặc khu, thị trấn"]
    rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "STT")
    assert header[:8] == (
        "STT",
        "Đơn vị",
        "Tổng điểm đạt",
        "Điểm tối đa",
        "Chỉ số (%)",
        "Xếp hạng",
        "Xếp loại",
        "So với năm trước",
    )
    assert str(header[8]).startswith("1. Công tác chỉ đạo")
    body = _table(rows, header)
    assert [row[1] for row in body] == ["Sở Nội vụ", "Sở Tư pháp"]
    assert body[0][2:7] == (97, 100, 97, 1, "A")
    assert body[1][8] == 93.75  # area 1: 17.5 + 20 of 40


def test_the_points_lost_workbook_lists_criteria_and_every_units_gaps(published):
    round_, _assessment = published
    data = points_lost_xlsx(round_)
    by_criterion = _rows(data, 0)
    header = by_criterion[2]
    assert header[0] == "STT" and header[9] == "Tổng điểm bị mất"
    first = by_criterion[3]
    assert (first[1], first[9]) == ("2.2", 20)  # the commune's survey leaf: 10 of 30
    per_unit = _rows(data, 1)
    assert per_unit[0] == ("STT", "Đơn vị", "Mã", "Tiêu chí", "Điểm tối đa", "Điểm đạt", "Điểm bị mất")
    sở_tư_pháp = [row[2] for row in per_unit[1:] if row[1] == "Sở Tư pháp"]
    assert sở_tư_pháp == ["1.1.2", "2.1", "4.1"]


def test_the_remediation_plan_workbook_has_the_plan_columns(published):
    _round, assessment = published
    criteria = leaves(assessment.framework)
    items = remediation_plan(assessment, [criteria["2.1"].pk, criteria["4.1"].pk], deadline=datetime.date(2025, 9, 30))
    rows = _rows(remediation_plan_xlsx(assessment, items))
    assert str(rows[0][0]).startswith("KẾ HOẠCH KHẮC PHỤC")
    body = _table(rows, PLAN_HEADER)
    assert body[0][:6] == (1, "2.1. Tỷ lệ hồ sơ giải quyết đúng hạn", 30, 20, 10, "Sở Tư pháp")
    assert body[0][7] == datetime.datetime(2025, 9, 30)
    assert body[1][2:5] == (0, -1, 1)
    assert "2025" in body[1][6]


# ---------------------------------------------------------------------------
# The Word decision


def _mm(length) -> int:
    assert length is not None
    return round(length.mm)


def _texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def _cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_place_names_and_dates_are_written_as_the_decree_asks():
    assert place_name("Tỉnh Phú Thọ") == "Phú Thọ"
    assert place_name("Thành phố Hà Nội") == "Hà Nội"
    assert date_phrase(datetime.date(2025, 2, 5), 2025) == "ngày 05 tháng 02 năm 2025"
    assert date_phrase(datetime.date(2025, 11, 15), 2025) == "ngày 15 tháng 11 năm 2025"
    assert date_phrase(None, 2025).startswith("ngày ") and date_phrase(None, 2025).endswith("năm 2025")
    assert decision_subject(["department", "commune"], 2024) == (
        "Về việc công bố Chỉ số cải cách hành chính năm 2024 của các sở, ban, ngành và "
        "Ủy ban nhân dân các xã, phường, đặc khu"
    )


def test_the_decision_has_the_decree_30_layout_and_the_ranking_appendix(published):
    round_, _assessment = published
    data = decision_docx(round_, options=DecisionOptions(number="125", signer_name="Nguyễn Văn A"))
    document = Document(io.BytesIO(data))

    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)  # A4, stored in twips
    assert 20 <= _mm(section.top_margin) <= 25 and 20 <= _mm(section.bottom_margin) <= 25
    assert 30 <= _mm(section.left_margin) <= 35 and 15 <= _mm(section.right_margin) <= 20

    header = _cell_texts(document.tables[0])[0]
    assert header[0].split("\n")[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH THỬ NGHIỆM"]
    assert "Số: 125/QĐ-UBND" in header[0]
    assert header[1].split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert "Thử Nghiệm, ngày 05 tháng 02 năm 2025" in header[1]
    date_paragraph = next(p for p in document.tables[0].rows[0].cells[1].paragraphs if "ngày" in p.text)
    assert all(run.font.italic for run in date_paragraph.runs)

    texts = _texts(document)
    assert "QUYẾT ĐỊNH" in texts and "QUYẾT ĐỊNH:" in texts
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in texts
    bases = [text for text in texts if text.startswith("Căn cứ")]
    assert bases[0].startswith("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015")
    assert any("892/QĐ-BNV" in text for text in bases)
    assert any("2211/QĐ-UBND ngày 31/8/2024 ban hành tiêu chí" in text for text in bases)
    assert texts.index("QUYẾT ĐỊNH:") > texts.index(bases[-1])
    for article in ("Điều 1. ", "Điều 2. ", "Điều 3. "):
        paragraph = next(p for p in document.paragraphs if p.text.startswith(article))
        assert paragraph.runs[0].font.bold
    assert "Về việc công bố Chỉ số cải cách hành chính năm 2024" in " ".join(texts)

    signature = _cell_texts(document.tables[1])[0]
    assert signature[0].startswith("Nơi nhận:")
    assert "KT. CHỦ TỊCH" in signature[1] and signature[1].rstrip().endswith("Nguyễn Văn A")

    appendix = next(p for p in document.paragraphs if p.text == "PHỤ LỤC")
    assert appendix.paragraph_format.page_break_before
    ranking_tables = document.tables[2:]
    assert len(ranking_tables) == 2
    departments = _cell_texts(ranking_tables[0])
    assert departments[0] == ["STT", "Đơn vị", "Điểm đạt", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
    assert departments[1] == ["1", "Sở Nội vụ", "97", "97,00", "1", "A"]
    assert departments[2] == ["2", "Sở Tư pháp", "86,5", "86,50", "2", "B"]
    assert _cell_texts(ranking_tables[1])[1][1] == "Xã Hòa Bình"


def test_the_legal_bases_follow_the_issue_date():
    assert default_legal_bases(datetime.date(2025, 3, 20), 2025)[0].startswith(
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"
    )
    assert "892/QĐ-BNV" in default_legal_bases(datetime.date(2025, 3, 20), 2025)[1]
    assert "16 tháng 6 năm 2025" in default_legal_bases(datetime.date(2026, 3, 1), 2026)[0]
    assert "876/QĐ-BNV" in default_legal_bases(datetime.date(2024, 3, 1), 2024)[1]
    assert "876/QĐ-BNV" in default_legal_bases(None, 2023)[1]


def test_article_one_counts_the_units_and_the_appendix_names_the_issuer_in_a_sentence(published):
    round_, _assessment = published
    texts = _texts(Document(io.BytesIO(decision_docx(round_))))
    article = next(text for text in texts if text.startswith("Điều 1."))
    assert "của 2 sở, ban, ngành và Ủy ban nhân dân 1 xã, phường, đặc khu (chi tiết tại Phụ lục" in article
    assert any(text.endswith("của Chủ tịch Ủy ban nhân dân tỉnh Thử Nghiệm)") for text in texts)


def test_every_run_of_the_decision_is_times_new_roman_between_11_and_14_points(published):
    round_, _assessment = published
    document = Document(io.BytesIO(decision_docx(round_)))
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size == Pt(14)
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                runs.extend(run for paragraph in cell.paragraphs for run in paragraph.runs)
    assert runs
    for run in runs:
        assert run.font.name == "Times New Roman"
        assert run.font.size is not None and Pt(11) <= run.font.size <= Pt(14)
    body = [run.font.size for paragraph in document.paragraphs for run in paragraph.runs]
    assert all(size is not None and Pt(13) <= size <= Pt(14) for size in body)


def test_an_unsigned_decision_leaves_the_number_and_date_to_fill(personas):
    framework = build_framework()
    round_ = build_round(organiser=personas.province, frameworks=[framework])
    build_assessment(round_, personas.unit_a, framework)
    compute_round(round_)
    document = Document(io.BytesIO(decision_docx(round_)))
    header = _cell_texts(document.tables[0])[0]
    assert "/QĐ-UBND" in header[0]
    assert "năm 2025" in header[1]
    assert _cell_texts(document.tables[2])[1][1] == "Sở Tư pháp"
