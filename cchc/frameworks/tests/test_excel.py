"""Excel import and export of a framework in the provinces' layout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cchc.frameworks import excel, selectors
from cchc.frameworks.models import Criterion
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas

from .factories import make_framework, small_tree

HEADER = [
    "STT",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm tối đa",
    "Hướng dẫn chấm",
    "Tài liệu kiểm chứng",
    "Cơ quan chủ trì thẩm định",
    "Cách chấm",
    "Tham số",
]
GOOD_ROWS: list[list[Any]] = [
    ["1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", 6, "", "", "", "", ""],
    ["1.1", "Kế hoạch CCHC năm", 3, "", "", "", "", ""],
    [
        "1.1.1",
        "Ban hành kế hoạch CCHC năm",
        1,
        "Ban hành trước 31/12 năm trước",
        "Kế hoạch CCHC năm",
        "so noi vu",
        "Đúng hạn / trễ hạn / không thực hiện",
        "đúng hạn=1; trễ hạn=0,5; không thực hiện=0",
    ],
    [
        "1.1.2",
        "Mức độ thực hiện kế hoạch CCHC",
        2,
        "",
        "Báo cáo CCHC năm",
        "T-P-SNV",
        "Theo mức tỷ lệ",
        "≥90%: 2; ≥70%: 1; ≥0%: 0",
    ],
    ["1.2", "Báo cáo CCHC", "3", "", "", "Sở Nội vụ", "", ""],
    ["2", "CẢI CÁCH THỂ CHẾ", "4", "", "", "Sở Tư pháp", "", ""],
    ["2.1", "Tỷ lệ văn bản được rà soát", "4", "", "", "Sở Tư pháp", "Tỷ lệ so với chỉ tiêu", "chỉ tiêu=100"],
    ["III", "Điểm thưởng", "1", "", "", "", "", ""],
    ["III.1", "Sáng kiến CCHC được công nhận", "1", "", "", "Sở Nội vụ", "Có / không", ""],
]


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    return spreadsheet.table_bytes(title="Bộ tiêu chí", header=header, rows=rows)


def _import(framework: Any, rows: list[list[Any]]) -> excel.ImportReport:
    return excel.import_framework(
        actor=None, framework=framework, data=_xlsx(rows), units=Unit.objects.subtree_of(framework.owner)
    )


def test_a_good_file_replaces_the_criteria_with_the_tree_and_rules(personas: Personas) -> None:
    framework = small_tree(personas.province)
    report = _import(framework, GOOD_ROWS)
    assert report.ok, report.lines()
    assert report.imported == 9
    rows = list(framework.criteria.order_by("position").values_list("code", "depth", "category"))
    assert rows[:3] == [("1", 0, "base"), ("1.1", 1, "base"), ("1.1.1", 2, "base")]
    assert rows[-1] == ("III.1", 1, "bonus")
    leaf = Criterion.objects.get(framework=framework, code="1.1.1")
    assert leaf.rule_kind == "timeliness"
    assert leaf.rule_params == {"on_time": "1", "late": "0.5", "missing": "0"}
    assert leaf.lead_unit == personas.home_affairs
    assert leaf.evidence_requirement == "Kế hoạch CCHC năm"
    assert Criterion.objects.get(framework=framework, code="2.1").lead_unit == personas.unit_a
    assert [p.message for p in report.problems if p.is_error] == []


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["", "Không mã", 1, "", "", "", "", ""], "STT", "Thiếu STT (mã tiêu chí)."),
        (["2.2", "", 1, "", "", "", "", ""], "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Thiếu nội dung tiêu chí."),
        (["2.2", "Điểm chữ", "hai", "", "", "", "", ""], "Điểm tối đa", "Điểm tối đa “hai” không phải là số."),
        (["2.2", "Điểm âm", -1, "", "", "", "", ""], "Điểm tối đa", "Điểm tối đa không được âm."),
        (["1.1.1", "Trùng mã", 1, "", "", "", "", ""], "STT", "STT trùng với dòng 4."),
        (["7.1", "Không có cấp trên", 1, "", "", "", "", ""], "STT", "Không có dòng “7” (cấp trên của “7.1”)."),
        (
            ["2.2", "Cơ quan lạ", 1, "", "", "Sở Không Có", "", ""],
            "Cơ quan chủ trì thẩm định",
            "Không tìm thấy cơ quan “Sở Không Có”.",
        ),
        (
            ["2.2", "Cơ quan tỉnh khác", 1, "", "", "Xã Ngoài Phạm Vi", "", ""],
            "Cơ quan chủ trì thẩm định",
            "Không tìm thấy cơ quan “Xã Ngoài Phạm Vi”.",
        ),
        (["2.2", "Cách chấm lạ", 1, "", "", "", "Bốc thăm", ""], "Cách chấm", "Cách chấm “Bốc thăm” không hợp lệ."),
        (
            ["2.2", "Tham số lạ", 1, "", "", "", "Theo mức tỷ lệ", "tùy ý"],
            "Tham số",
            "Không hiểu tham số “tùy ý”.",
        ),
        (
            ["2.2", "Mức tăng dần", 2, "", "", "", "Theo mức tỷ lệ", "≥70%: 1; ≥90%: 2"],
            "Tham số",
            "Các mức phải xếp theo ngưỡng tỷ lệ giảm dần, không trùng nhau.",
        ),
        (
            ["2.2", "Điểm mức quá lớn", 1, "", "", "", "Theo mức tỷ lệ", "≥90%: 2; ≥0%: 0"],
            "Tham số",
            "Mức 1: 2 điểm nằm ngoài khoảng 0 đến 1.",
        ),
        (["III.2", "Trừ trong mục thưởng", 1, "", "", "", "", ""], "", ""),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_changes(
    personas: Personas, row: list[Any], column: str, message: str
) -> None:
    framework = small_tree(personas.province)
    before = list(framework.criteria.values_list("pk", flat=True))
    if row[0] == "III.2":
        header = [*HEADER, "Loại"]
        rows = [[*r, ""] for r in GOOD_ROWS] + [[*row, "Điểm trừ"]]
        report = excel.import_framework(
            actor=None, framework=framework, data=_xlsx(rows, header), units=Unit.objects.all()
        )
        column, message = "Loại", "Tiêu chí phải cùng loại với mục cấp trên."
    else:
        report = _import(framework, [*GOOD_ROWS, row])
    assert not report.ok
    assert [(e.row, e.column, e.message) for e in report.errors] == [(len(GOOD_ROWS) + 2, column, message)]
    assert list(framework.criteria.values_list("pk", flat=True)) == before
    assert excel.error_workbook(report)


def test_a_file_without_the_required_columns_is_refused_as_a_whole(personas: Personas) -> None:
    framework = make_framework(personas.province)
    with pytest.raises(ServiceError, match="thiếu cột bắt buộc: Điểm tối đa"):
        excel.import_framework(
            actor=None, framework=framework, data=_xlsx([["1", "A"]], ["STT", "Nội dung"]), units=Unit.objects.all()
        )
    with pytest.raises(ServiceError, match="không đúng định dạng"):
        excel.import_framework(actor=None, framework=framework, data=b"PK\x03\x04junk", units=Unit.objects.all())


def test_export_then_import_gives_back_the_same_framework(personas: Personas) -> None:
    original = small_tree(personas.province, lead=personas.home_affairs)
    Criterion.objects.filter(framework=original, code="1.2").update(
        scoring_guide="Tỷ lệ = nhiệm vụ hoàn thành / nhiệm vụ trong kế hoạch", evidence_requirement="Báo cáo năm"
    )
    data = excel.export_framework(original)
    copy = make_framework(personas.province, name="Bản nhập lại")
    report = excel.import_framework(actor=None, framework=copy, data=data, units=Unit.objects.all())
    assert report.ok, report.lines()
    assert selectors.framework_diff(original, copy) == []
    fields = ("code", "depth", "title", "max_points", "scoring_guide", "evidence_requirement", "rule_params")
    assert list(copy.criteria.order_by("position").values_list(*fields)) == list(
        original.criteria.order_by("position").values_list(*fields)
    )
    assert copy.criteria.get(code="1").max_points == Decimal(6)


def test_a_sample_framework_survives_export_and_import_unchanged(personas: Personas) -> None:
    from cchc.frameworks.samples import install_sample

    sample = install_sample(actor=None, key="communes", year=2025, owner=personas.province).framework
    copy = make_framework(personas.province, name="Bộ xã nhập lại", scale=100)
    report = excel.import_framework(
        actor=None,
        framework=copy,
        data=excel.export_framework(sample),
        units=Unit.objects.subtree_of(personas.province),
    )
    assert report.ok, report.lines()
    assert selectors.framework_diff(sample, copy) == []
    fields = ("code", "category", "rule_kind", "rule_params", "scoring_guide", "evidence_requirement", "lead_unit")
    assert list(copy.criteria.order_by("position").values_list(*fields)) == list(
        sample.criteria.order_by("position").values_list(*fields)
    )
