"""Excel export and import of targets and values: layout, round trip, both import modes, per-row messages, rights."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.audit.models import AuditEntry
from cchc.indicators import excel, services
from cchc.indicators.models import IndicatorValue, Measure, Target, ValueOrigin, ValueState
from cchc.lib import spreadsheet
from cchc.lib.periods import Period, PeriodKind

from .conftest import enter

pytestmark = pytest.mark.django_db

HEADER = ["Mã chỉ số", "Mã đơn vị", "Năm/kỳ", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"]
Y2025 = Period(2025, PeriodKind.YEAR)


def workbook(rows, header=HEADER):
    return spreadsheet.table_bytes(title="Số liệu", header=header, rows=rows)


def rows_of(data):
    return [list(row.values) for row in spreadsheet.read_rows(data)]


@pytest.fixture
def counts(personas):
    """A yearly count entered by units (any unit kind)."""
    return services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(code="pakn.test_count", name="Số PAKN thử", measure=Measure.COUNT),
    )


def test_an_import_publishes_imported_accepted_values_with_one_audit_entry_each(personas, digitised, counts):
    data = workbook(
        [
            ["tthc.digitised_results", "T-P-STP", "2025", "75,5", None, None, "Báo cáo năm"],
            ["pakn.test_count", "T-P-XHB", 2025, 12, None, None, None],
            ["tthc.digitised_results", "T-P-XHB", "2025", 50, 10, 20, None],
        ]
    )
    before = AuditEntry.objects.count()
    report = excel.import_values(actor=personas.secretariat, data=data)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    value = IndicatorValue.objects.get(indicator=digitised, unit=personas.unit_a, period_key="2025")
    assert (value.value, value.origin, value.state, value.note) == (
        Decimal("75.5"),
        ValueOrigin.IMPORTED,
        ValueState.ACCEPTED,
        "Báo cáo năm",
    )
    assert IndicatorValue.objects.get(unit=personas.unit_b, indicator=digitised).numerator == 10
    assert AuditEntry.objects.count() - before == 3


def test_an_exported_file_imports_back_unchanged_without_audit_entries(personas, digitised, counts):
    services.value_publish(
        actor=None, indicator=counts, unit=personas.unit_a, period=Y2025, value=7, origin=ValueOrigin.IMPORTED
    )
    accepted = enter(personas, digitised, period=Y2025, amount=66)
    services.value_accept(actor=personas.secretariat, value=accepted)
    exported = excel.export_values(IndicatorValue.objects.all())
    rows = rows_of(exported)
    assert rows[0][:6] == ["Mã chỉ số", "Tên chỉ số", "Mã đơn vị", "Tên đơn vị", "Năm/kỳ", "Giá trị"]
    assert rows[0][-2:] == ["Nguồn", "Trạng thái"]
    assert rows[1][:6] == ["pakn.test_count", "Số PAKN thử", "T-P-STP", "Sở Tư pháp", "2025", 7]
    before = AuditEntry.objects.count()
    report = excel.import_values(actor=personas.secretariat, data=exported)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert AuditEntry.objects.count() == before


def test_a_wrong_row_writes_nothing_by_default_and_each_row_says_what_is_wrong_in_vietnamese(personas, digitised):
    quarterly = services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(code="q.rate", name="Tỷ lệ theo quý", period_kind=PeriodKind.QUARTER.value),
    )
    assert quarterly.period_kind == "quarter"
    data = workbook(
        [
            ["tthc.digitised_results", "T-P-STP", "2025", 80, None, None, None],
            ["khong.co", "T-P-STP", "2025", 80, None, None, None],
            ["tthc.digitised_results", "KHONG-CO", "2025", 80, None, None, None],
            ["q.rate", "T-P-STP", "2025", 80, None, None, None],
            ["tthc.digitised_results", "T-P-XHB", "2025", "nhiều", None, None, None],
            ["tthc.digitised_results", "T-P-MTTQ", "2025", 80, 3, 4, None],
            ["tthc.digitised_results", "T-P-SNV", "2025-Q5", 80, None, None, None],
            ["tthc.digitised_results", "T-Q-X", "2025", 80, None, None, None],
        ]
    )
    report = excel.import_values(actor=personas.secretariat, data=data)
    assert not report.ok and not report.applied
    assert not IndicatorValue.objects.exists()
    messages = {error.row: error.message for error in report.errors}
    assert messages[3] == "Không có chỉ số mã “khong.co”."
    assert messages[4] == "Không có đơn vị mã “KHONG-CO” trong phạm vi bạn quản lý."
    assert "báo cáo theo quý" in messages[5] and "2026-Q1" in messages[5]
    assert messages[6] == "Giá trị “nhiều” không phải là số."
    assert messages[7] == "Tỷ lệ phải bằng tử số chia cho mẫu số, tức 75,00 %."
    assert "Kỳ “2025-Q5” không hợp lệ" in messages[8]
    # A unit of another province is outside the secretariat's scope: reported like an unknown code.
    assert messages[9] == "Không có đơn vị mã “T-Q-X” trong phạm vi bạn quản lý."
    assert 2 not in messages


def test_the_valid_rows_mode_writes_the_good_rows_and_returns_the_others_in_an_error_workbook(personas, digitised):
    data = workbook(
        [
            ["tthc.digitised_results", "T-P-STP", "2025", 80, None, None, None],
            ["tthc.digitised_results", "T-P-XHB", "2025", 120, None, None, None],
        ]
    )
    report = excel.import_values(actor=personas.secretariat, data=data, mode=excel.ImportMode.VALID_ROWS)
    assert report.applied and (report.created, len(report.errors)) == (1, 1)
    assert IndicatorValue.objects.get().unit == personas.unit_a
    errors = rows_of(excel.error_workbook(report))
    assert errors[0] == ["Dòng", *HEADER, "Lỗi"]
    assert errors[1][:5] == [3, "tthc.digitised_results", "T-P-XHB", "2025", 120]
    assert errors[1][-1] == "Giá trị: Tỷ lệ phải nằm trong khoảng 0–100%."


def test_a_value_a_unit_entered_is_not_overwritten_by_a_file(personas, digitised):
    accepted = enter(personas, digitised, period=Y2025, amount=66)
    services.value_accept(actor=personas.secretariat, value=accepted)
    data = workbook([["tthc.digitised_results", "T-P-STP", "2025", 90, None, None, None]])
    report = excel.import_values(actor=personas.secretariat, data=data)
    assert report.errors[0].message == (
        "Đơn vị đã nhập giá trị cho kỳ này (đã xác nhận); tệp không ghi đè giá trị do đơn vị nhập."
    )
    accepted.refresh_from_db()
    assert (accepted.value, accepted.origin) == (Decimal(66), ValueOrigin.ENTERED)


def test_values_of_a_computed_indicator_and_duplicate_rows_are_refused(personas, digitised):
    services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ đúng hạn")
    data = workbook(
        [
            ["tasks.on_time_rate", "T-P-STP", "2025", 90, None, None, None],
            ["tthc.digitised_results", "T-P-STP", "2025", 90, None, None, None],
            ["tthc.digitised_results", "t-p-stp", "2025", 91, None, None, None],
        ]
    )
    report = excel.import_values(actor=personas.secretariat, data=data)
    messages = {error.row: error.message for error in report.errors}
    assert messages[2] == "Chỉ số “tasks.on_time_rate” do hệ thống tính; không nhập từ tệp."
    assert messages[4] == "Trùng với dòng 3 (cùng chỉ số, đơn vị và kỳ)."


def test_a_file_without_the_required_columns_says_which_are_missing(personas):
    report = excel.import_values(actor=personas.secretariat, data=workbook([["x", 1]], header=["Mã chỉ số", "Giá"]))
    assert report.errors[0].message == "Thiếu cột: Mã đơn vị, Năm/kỳ, Giá trị. Hãy dùng tệp mẫu."


def test_targets_import_creates_and_updates_and_an_export_imports_back_unchanged(personas, digitised):
    header = ["Mã chỉ số", "Năm", "Mã đơn vị", "Loại đơn vị", "Chỉ tiêu", "Mức tăng mỗi năm", "Mức tối đa", "Căn cứ"]
    data = spreadsheet.table_bytes(
        title="Chỉ tiêu",
        header=header,
        rows=[
            ["tthc.digitised_results", 2021, None, "Xã", 25, 20, 100, "Sửa"],
            ["tthc.digitised_results", 2026, "T-P-STP", None, "90", None, None, None],
            ["tthc.digitised_results", 2026, "T-P-STP", "Xã", 90, None, None, None],
            ["tthc.digitised_results", 2026, None, "Loại lạ", 90, None, None, None],
        ],
    )
    report = excel.import_targets(actor=personas.secretariat, data=data, mode=excel.ImportMode.VALID_ROWS)
    assert (report.created, report.updated) == (1, 1)
    assert [error.message for error in report.errors] == [
        "Ghi mã đơn vị hoặc loại đơn vị, không ghi cả hai.",
        "Không rõ loại đơn vị “Loại lạ”.",
    ]
    commune = Target.objects.get(indicator=digitised, unit_kind="commune")
    assert (commune.value, commune.note) == (Decimal(25), "Sửa")
    assert Target.objects.get(unit=personas.unit_a).value == Decimal(90)
    exported = excel.export_targets(Target.objects.all())
    assert rows_of(exported)[1][:7] == [
        "tthc.digitised_results",
        digitised.name,
        2021,
        None,
        None,
        "Xã, phường, đặc khu, thị trấn",
        25,
    ]
    before = AuditEntry.objects.count()
    again = excel.import_targets(actor=personas.secretariat, data=exported)
    assert again.ok and (again.unchanged, again.written) == (2, 0)
    assert AuditEntry.objects.count() == before


def _upload(data, name="so-lieu.xlsx"):
    return SimpleUploadedFile(name, data, content_type=spreadsheet.XLSX_CONTENT_TYPE)


def test_the_import_page_is_for_the_secretariat_and_administrators(personas, digitised):
    url = reverse("indicators:import")
    for name, status in (("admin", 200), ("secretariat", 200), ("focal_a", 403), ("leader", 403)):
        assert personas.client(name).get(url).status_code == status, name
    assert personas.client("focal_a").get(reverse("indicators:import_template", args=["values"])).status_code == 403
    template = personas.client("secretariat").get(reverse("indicators:import_template", args=["targets"]))
    assert rows_of(template.content)[0][0] == "Mã chỉ số"


def test_the_import_page_imports_a_file_and_offers_the_error_workbook(personas, digitised):
    client = personas.client("secretariat")
    good = workbook([["tthc.digitised_results", "T-P-STP", "2025", 80, None, None, None]])
    response = client.post(reverse("indicators:import"), {"kind": "values", "mode": "all", "file": _upload(good)})
    assert response.status_code == 200
    assert "Đã ghi 1 số liệu (1 mới, 0 thay đổi); 0 không đổi." in response.content.decode()
    bad = workbook([["tthc.digitised_results", "T-P-XHB", "2025", "x", None, None, None]])
    response = client.post(reverse("indicators:import"), {"kind": "values", "mode": "all", "file": _upload(bad)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "chưa nhập dòng nào" in page and "data:application/vnd.openxmlformats" in page
    fake = client.post(
        reverse("indicators:import"), {"kind": "values", "mode": "all", "file": _upload(b"not a zip", "a.xlsx")}
    )
    assert fake.status_code == 400 and "Tệp không đúng định dạng Excel (.xlsx)." in fake.content.decode()


def test_the_export_holds_only_the_values_the_reader_may_see(personas, digitised):
    draft_b = enter(personas, digitised, unit=personas.unit_b, user=personas.focal_b, period=Y2025, submit=False)
    draft_a = enter(personas, digitised, period=Y2025, submit=False)
    url = reverse("indicators:values_export") + f"?indicator={digitised.pk}&year=2025"
    seen_by_a = rows_of(personas.client("focal_a").get(url).content)
    assert [row[2] for row in seen_by_a[1:]] == ["T-P-STP"]
    seen_by_secretariat = rows_of(personas.client("secretariat").get(url).content)
    assert len(seen_by_secretariat) == 1  # drafts are the units' own
    assert draft_a.state == draft_b.state == ValueState.DRAFT
    period = reverse("indicators:values_export") + f"?indicator={digitised.pk}&period=2025&unit={personas.unit_b.pk}"
    assert len(rows_of(personas.client("focal_b").get(period).content)) == 2
    assert personas.client("anonymous").get(url).status_code == 302
    targets = personas.client("leader").get(reverse("indicators:targets_export") + f"?indicator={digitised.pk}")
    assert rows_of(targets.content)[1][0] == "tthc.digitised_results"
