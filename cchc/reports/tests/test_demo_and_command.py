"""The demo gives a complete annual report on its first run, and ``cchc make_report`` writes each kind of file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from cchc.demo.data import PROVINCE
from cchc.demo.loaders import load_province
from cchc.reports.demo import load_demo
from cchc.reports.models import SECTION_KEYS, Report, ReportStatus
from cchc.testing.personas import Personas

from .conftest import Year


@pytest.mark.django_db
def test_the_demo_province_gets_a_complete_annual_report_consolidated_from_accepted_unit_reports() -> None:
    load_province(password="Mat-khau-minh-hoa-2025")
    report = load_demo(province_code=PROVINCE, stdout=io.StringIO())
    assert report is not None and report.is_consolidated
    texts = dict(report.sections.values_list("key", "text"))
    assert all(texts.get(key, "").strip() for key in SECTION_KEYS)
    assert texts["institutional"].startswith("Sở Tư pháp: ")
    statuses = sorted(Report.objects.filter(is_consolidated=False).values_list("status", flat=True))
    assert statuses == sorted(
        [ReportStatus.ACCEPTED, ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.DRAFT]
    )
    assert load_demo(province_code=PROVINCE) is None  # a second run adds nothing


@pytest.mark.parametrize(
    ("kind", "period", "suffix"),
    [("quarter", "2025-Q1", "docx"), ("half", "2025-H1", "xlsx"), ("year", "2025", "docx")],
)
def test_make_report_writes_the_file_named_for_each_kind(
    personas: Personas, year: Year, tmp_path: Path, kind: str, period: str, suffix: str
) -> None:
    out = tmp_path / f"bao-cao.{suffix}"
    call_command(
        "make_report",
        "--kind",
        kind,
        "--period",
        period,
        "--unit",
        personas.province.code,
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.stat().st_size > 0
    if suffix == "docx":
        assert "BÁO CÁO" in "\n".join(paragraph.text for paragraph in Document(str(out)).paragraphs)


def test_make_report_refuses_a_period_of_another_kind_and_an_unknown_unit(personas: Personas, tmp_path: Path) -> None:
    out = str(tmp_path / "bao-cao.docx")
    with pytest.raises(CommandError, match="không phải loại"):
        call_command("make_report", "--kind", "year", "--period", "2025-Q3", "--unit", "T-P", "--out", out)
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("make_report", "--kind", "year", "--period", "2025", "--unit", "KHONG-CO", "--out", out)
    with pytest.raises(CommandError, match="Kỳ báo cáo không hợp lệ"):
        call_command("make_report", "--kind", "year", "--period", "2025-13", "--out", out)
