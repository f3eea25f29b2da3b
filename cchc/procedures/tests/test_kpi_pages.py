"""The KPI pages per persona: who sees which units, drill-downs and their Excel export, score item edits."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.audit.models import AuditEntry
from cchc.indicators.models import Indicator, IndicatorValue, Target
from cchc.lib.periods import Period
from cchc.procedures.access import get_kpi_units_for_user
from cchc.procedures.jobs import publication_execute
from cchc.procedures.kpis import KPI_LABELS, kpi_indicators, rollups_refresh, units_with_data
from cchc.procedures.models import Dossier, DossierStatus, KpiPublication, ScoreItem

from . import samples

pytestmark = pytest.mark.django_db

D = datetime.date
QUERY = {"period": "2025"}
Y2025 = Period.from_key("2025")


@pytest.fixture
def dossiers(personas):
    birth, _marriage = samples.make_procedures()
    for code, unit, finished in (
        ("HS-a", personas.unit_a, D(2025, 3, 9)),
        ("HS-office", personas.office_a, D(2025, 3, 3)),
        ("HS-b", personas.unit_b, None),
        ("HS-other", personas.other_commune, D(2025, 3, 3)),
    ):
        Dossier.objects.create(
            source="s",
            code=code,
            procedure=birth,
            unit=unit,
            received_on=D(2025, 3, 1),
            due_on=D(2025, 3, 5),
            finished_on=finished,
            status=DossierStatus.FINISHED if finished else DossierStatus.PROCESSING,
        )
    rollups_refresh()


def table_units(response) -> list[str]:
    return [row.unit.code for row in (row.kpis for row in response.context["rows"])]


def test_the_secretariat_sees_the_province_and_its_units_with_figures_against_targets(personas, dossiers):
    kpi_indicators()
    Target.objects.create(indicator=Indicator.objects.get(code="dossiers.on_time_rate"), year=2025, value=98)
    response = personas.client("secretariat").get(reverse("procedures:kpi_table"), QUERY)
    assert response.status_code == 200
    units = table_units(response)
    assert units[0] == personas.province.code
    assert personas.unit_a.code in units
    assert personas.other_province.code not in units
    html = response.content.decode()
    assert 'data-status="not_met"' in html  # 50 % on time against 98 %
    assert reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "late"]) in html


def test_a_units_focal_point_sees_its_own_subtree_only_and_gets_404_elsewhere(personas, dossiers):
    client = personas.client("focal_a")
    response = client.get(reverse("procedures:kpi_table"), QUERY)
    assert table_units(response) == [personas.unit_a.code, personas.office_a.code]
    assert response.context["rows"][0].kpis.received == 2
    assert client.get(reverse("procedures:kpi_unit", args=[personas.office_a.pk]), QUERY).status_code == 200
    for unit in (personas.unit_b, personas.province, personas.other_commune):
        assert client.get(reverse("procedures:kpi_unit", args=[unit.pk]), QUERY).status_code == 404
        assert client.get(reverse("procedures:kpi_dossiers", args=[unit.pk, "received"]), QUERY).status_code == 404
        assert client.get(reverse("procedures:kpi_table"), {"unit": unit.pk}).status_code == 404


def test_people_without_a_role_are_refused_and_anonymous_ones_sent_to_log_in(personas, dossiers, django_user_model):
    assert personas.client("anonymous").get(reverse("procedures:kpi_table")).status_code == 302
    nobody = django_user_model.objects.create_user(username="khach", password="x")
    client = personas.client("anonymous")
    client.force_login(nobody)
    assert client.get(reverse("procedures:kpi_table")).status_code == 403


def test_the_table_page_takes_a_bounded_number_of_queries(personas, dossiers, django_assert_max_num_queries):
    client = personas.client("secretariat")
    client.get(reverse("procedures:kpi_table"), QUERY)
    with django_assert_max_num_queries(21):
        response = client.get(reverse("procedures:kpi_table"), QUERY)
    assert response.status_code == 200
    birth = Dossier.objects.get(code="HS-a").procedure
    for index in range(20):
        Dossier.objects.create(
            source="more",
            code=str(index),
            procedure=birth,
            unit=personas.home_affairs if index % 2 else personas.front,
            received_on=D(2025, 4, 1),
            status=DossierStatus.RECEIVED,
        )
    rollups_refresh()
    with django_assert_max_num_queries(21):
        assert client.get(reverse("procedures:kpi_table"), QUERY).status_code == 200


def test_the_unit_page_shows_figures_trend_and_group_scores(personas, dossiers):
    response = personas.client("focal_a").get(reverse("procedures:kpi_unit", args=[personas.unit_a.pk]), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nhóm 2. Tiến độ, kết quả giải quyết" in html
    assert 'data-group="2">10<' in html  # 1 of 2 on time: 10 of 20 points
    assert "chưa có số liệu" in html
    assert 'data-trend="none"' in html
    own = personas.client("focal_a").get(
        reverse("procedures:kpi_unit", args=[personas.unit_a.pk]), {**QUERY, "own": "1"}
    )
    assert own.context["kpis"].received == 1


def test_a_bad_period_falls_back_to_this_year_with_a_message(personas, dossiers):
    response = personas.client("focal_a").get(reverse("procedures:kpi_table"), {"period": "2025-Q7"})
    assert response.status_code == 200
    assert "không hợp lệ" in response.content.decode()


def test_the_drilldown_lists_the_late_dossiers_and_exports_them_to_excel(personas, dossiers):
    client = personas.client("focal_a")
    url = reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "late_without_apology"])
    response = client.get(url, QUERY)
    assert response.status_code == 200
    assert [dossier.code for dossier in response.context["page"].object_list] == ["HS-a"]
    assert "Hồ sơ trễ hạn chưa có phiếu xin lỗi" in response.content.decode()
    assert client.get(reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "bogus"])).status_code == 404
    export = client.get(reverse("procedures:kpi_export", args=[personas.unit_a.pk, "late_without_apology"]), QUERY)
    assert export.status_code == 200
    assert (
        f'filename="ho-so-tre-han-chua-co-phieu-xin-loi-{personas.unit_a.code}-2025.xlsx"'
        in export["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Mã hồ sơ", "Nguồn dữ liệu")
    assert rows[1][0] == "HS-a"
    assert rows[1][6] == datetime.datetime(2025, 3, 1)
    assert sheet.cell(row=2, column=7).number_format == "DD/MM/YYYY"


def test_the_export_writes_every_dossier_in_vietnamese_in_a_fixed_number_of_queries(
    personas, dossiers, django_assert_max_num_queries
):
    birth = Dossier.objects.get(code="HS-a").procedure
    Dossier.objects.bulk_create(
        Dossier(
            source="s",
            code=f"NHIEU-{number:04}",
            procedure=birth,
            unit=personas.office_a,
            received_on=D(2025, 5, 1 + number % 28),
            status=DossierStatus.PROCESSING,
            channel="postal" if number % 2 else "",
            fee=Decimal("50000") if number % 3 == 0 else None,
            paid_online=number % 3 == 0,
        )
        for number in range(600)
    )
    client = personas.client("focal_a")
    page = client.get(reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "received"]), QUERY)
    assert "Tải Excel (602 hồ sơ)" in page.content.decode()
    with django_assert_max_num_queries(12):
        export = client.get(reverse("procedures:kpi_export", args=[personas.unit_a.pk, "received"]), QUERY)
        content = b"".join(export.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 603
    by_code = {row[0]: row for row in rows[1:]}
    postal = by_code["NHIEU-0003"]
    assert postal[9] == "Đang xử lý" and postal[10] == "Bưu chính công ích"
    assert (postal[11], postal[12]) == (50000, "Có")
    assert by_code["NHIEU-0002"][10] is None and by_code["NHIEU-0002"][12] == "Không"
    assert by_code["NHIEU-0002"][6] == datetime.datetime(2025, 5, 3)


def test_more_received_dossiers_than_last_period_read_as_more_not_as_better(personas, dossiers):
    response = personas.client("focal_a").get(reverse("procedures:kpi_unit", args=[personas.unit_a.pk]), QUERY)
    trends = {figure.key: figure.trend for figure in response.context["figures"]}
    assert trends["received"] == "up"
    assert trends["finished"] == "up"
    assert trends["on_time_rate"] == "none"
    assert 'data-trend="up">tăng<' in response.content.decode()


def test_the_table_marks_only_figures_with_a_target_and_the_unit_page_says_when_there_is_none(personas, dossiers):
    kpi_indicators()
    Target.objects.create(indicator=Indicator.objects.get(code="dossiers.on_time_rate"), year=2025, value=98)
    client = personas.client("secretariat")
    table = client.get(reverse("procedures:kpi_table"), QUERY).content.decode()
    assert 'data-status="not_met"' in table
    assert 'data-status="no_target"' not in table
    assert "số liệu không ghi gì là chưa có chỉ tiêu" in table
    unit = client.get(reverse("procedures:kpi_unit", args=[personas.unit_a.pk]), QUERY).content.decode()
    assert 'data-status="no_target"' in unit


def test_the_late_drilldown_shows_the_supplement_requests_that_made_a_timely_dossier_late(personas, dossiers):
    Dossier.objects.filter(code="HS-office").update(supplement_requests=3)
    rollups_refresh()
    client = personas.client("focal_a")
    response = client.get(reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "late"]), QUERY)
    html = response.content.decode()
    assert [dossier.code for dossier in response.context["page"].object_list] == ["HS-office", "HS-a"]
    assert 'data-supplements="3"' in html
    assert "yêu cầu bổ sung quá 1 lần tính là trễ hạn" in html
    received = client.get(reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "received"]), QUERY)
    assert "data-supplements" not in received.content.decode()


def test_the_scoring_page_gives_the_grounds_of_each_item_in_vietnamese(personas, dossiers):
    html = personas.client("focal_a").get(reverse("procedures:score_item_list")).content.decode()
    assert "[chưa chính thức] QĐ 766/QĐ-TTg" in html
    assert "unofficial" not in html
    assert "domain.md" not in html


def test_score_items_read_from_the_indicator_store_show_the_indicators_name_not_its_code(personas, dossiers):
    item = ScoreItem.objects.exclude(indicator_code="").first()
    assert item is not None
    Indicator.objects.update_or_create(code=item.indicator_code, defaults={"name": "Tỷ lệ mẫu trong kho"})
    html = personas.client("secretariat").get(reverse("procedures:score_item_list")).content.decode()
    assert "Tỷ lệ mẫu trong kho" in html
    assert item.indicator_code not in html


def test_the_secretariat_edits_a_score_item_with_audit_and_a_focal_point_may_not(personas, dossiers):
    item = ScoreItem.objects.get(code="2.1")
    url = reverse("procedures:score_item_edit", args=[item.pk])
    assert personas.client("focal_a").get(url).status_code == 403
    assert personas.client("focal_a").get(reverse("procedures:score_item_list")).status_code == 200
    client = personas.client("secretariat")
    bad = client.post(url, {"max_points": "abc", "full_at": "100", "active": "on"})
    assert bad.status_code == 200
    assert "Hãy nhập một số." in bad.content.decode()
    response = client.post(url, {"max_points": "10", "full_at": "90", "active": "on"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.max_points, item.full_at, item.active) == (Decimal("10.00"), Decimal("90.00"), True)
    entry = AuditEntry.objects.filter(object_type__icontains="scoreitem").latest("at")
    assert entry.changes["max_points"][1] in ("10.00", 10.0, "10")


def test_the_score_item_form_shows_its_error_as_an_error_and_its_history_with_field_labels(personas, dossiers):
    item = ScoreItem.objects.get(code="2.1")
    url = reverse("procedures:score_item_edit", args=[item.pk])
    bad = personas.client("secretariat").post(url, {"max_points": "abc", "full_at": "100", "active": "on"})
    assert '<div class="message error form-errors" role="alert" data-form-error><p>Hãy nhập một số.</p></div>' in (
        bad.content.decode()
    )
    personas.client("secretariat").post(url, {"max_points": "10", "full_at": "100", "active": "on"})
    html = personas.client("admin").get(url).content.decode()
    assert 'data-testid="score-item-history"' in html
    assert "max_points" not in html.split('data-testid="score-item-history"')[1]
    assert "→ 10" in html


def test_a_scoped_secretariat_sees_the_changes_of_score_items_and_a_focal_point_does_not(personas, dossiers):
    # Score items belong to no unit; the secretariat (scoped to the province) still reads their history.
    item = ScoreItem.objects.get(code="3.3")
    personas.client("secretariat").post(
        reverse("procedures:score_item_edit", args=[item.pk]), {"max_points": "7", "full_at": "60", "active": "on"}
    )
    for persona in ("secretariat", "admin"):
        html = personas.client(persona).get(reverse("procedures:score_item_list")).content.decode()
        history = html.split('data-testid="score-items-history"')[1]
        assert "Lịch sử thay đổi" in html
        assert f"3.3 {item.name}" in history and "Nguyễn Thị Thường Trực" in history
        assert "→ 7" in history and "→ 60" in history and "max_points" not in history
        edit = personas.client(persona).get(reverse("procedures:score_item_edit", args=[item.pk])).content.decode()
        assert "→ 7" in edit.split('data-testid="score-item-history"')[1]
    focal = personas.client("focal_a").get(reverse("procedures:score_item_list")).content.decode()
    assert "Lịch sử thay đổi" not in focal and "score-items-history" not in focal


def test_the_menu_links_the_kpi_table_for_people_who_read_dossiers(personas, dossiers):
    html = personas.client("focal_a").get(reverse("procedures:score_item_list")).content.decode()
    assert f'href="{reverse("procedures:kpi_table")}"' in html


def test_each_drilldown_row_links_to_its_dossier_which_the_reader_may_open(personas, dossiers):
    client = personas.client("focal_a")
    url = reverse("procedures:kpi_dossiers", args=[personas.unit_a.pk, "received"])
    html = client.get(url, QUERY).content.decode()
    for dossier in Dossier.objects.filter(code__in=["HS-a", "HS-office"]):
        detail = reverse("procedures:dossier_detail", args=[dossier.pk])
        assert f'href="{detail}"' in html
        assert client.get(detail).status_code == 200
    # The links keep the access rules: a dossier of a sibling unit is not listed and does not open.
    sibling = Dossier.objects.get(code="HS-b")
    assert reverse("procedures:dossier_detail", args=[sibling.pk]) not in html
    assert client.get(reverse("procedures:dossier_detail", args=[sibling.pk])).status_code == 404


def test_the_secretariat_publishes_the_periods_figures_after_a_confirmation_and_twice_writes_once(personas, dossiers):
    client = personas.client("secretariat")
    url = reverse("procedures:kpi_publish")
    table = client.get(reverse("procedures:kpi_table"), QUERY).content.decode()
    assert f"{url}?period=2025" in table
    confirmation = client.get(url, QUERY)
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "dossiers.on_time_rate" not in html and str(KPI_LABELS["on_time_rate"]) in html
    assert "sẽ được thay bằng số liệu hiện tại" in html
    # Units with data in the secretariat's subtree: the province, units A (with its office) and B.
    assert confirmation.context["unit_count"] == 4
    assert not IndicatorValue.objects.exists()
    response = client.post(f"{url}?period=2025", {"confirm": "yes"}, follow=True)
    assert "Đã công bố" in response.content.decode()
    assert "4 đơn vị" in response.content.decode()
    value = IndicatorValue.objects.get(indicator__code="dossiers.on_time_rate", unit=personas.unit_a, period_key="2025")
    assert value.value == Decimal("50.0000")
    assert not IndicatorValue.objects.filter(unit=personas.other_commune).exists()
    entries = AuditEntry.objects.filter(object_type__icontains="indicatorvalue")
    written = entries.count()
    assert written == IndicatorValue.objects.count()
    values = IndicatorValue.objects.count()
    # A second submit (a double click) finds every value unchanged: nothing more is written or audited.
    client.post(f"{url}?period=2025", {"confirm": "yes"})
    assert IndicatorValue.objects.count() == values
    assert entries.count() == written


def test_only_the_secretariat_and_administrators_publish_and_each_within_what_they_read(personas, dossiers):
    url = reverse("procedures:kpi_publish")
    for name in ("focal_a", "leader", "supervisor"):
        client = personas.client(name)
        assert client.get(url, QUERY).status_code == 403
        assert client.post(f"{url}?period=2025", {"confirm": "yes"}).status_code == 403
    assert "publish-link" not in personas.client("focal_a").get(reverse("procedures:kpi_table"), QUERY).content.decode()
    assert not IndicatorValue.objects.exists()
    admin = personas.client("admin").get(url, QUERY)
    assert admin.context["unit_count"] == 6  # also the other province and its commune


def test_a_period_without_figures_has_nothing_to_publish(personas, dossiers):
    client = personas.client("secretariat")
    url = reverse("procedures:kpi_publish")
    assert "chưa có số liệu" in client.get(url, {"period": "2019"}).content.decode()
    response = client.post(f"{url}?period=2019", {"confirm": "yes"}, follow=True)
    assert "chưa có số liệu nào để công bố" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_a_publication_of_many_units_goes_to_the_worker_and_the_page_shows_its_outcome(personas, dossiers, settings):
    settings.CCHC_KPI_PUBLISH_BACKGROUND_UNITS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client = personas.client("secretariat")
    url = f"{reverse('procedures:kpi_publish')}?period=2025"
    response = client.post(url, {"confirm": "yes"}, follow=True)
    html = response.content.decode()
    assert "trong nền" in html and "năm 2025" in html and "Năm 2025 của" not in html
    publication = KpiPublication.objects.get()
    assert (publication.status, publication.unit_count, publication.requested_by) == ("queued", 4, personas.secretariat)
    section = html.split('data-testid="publications"')[1].split("</section>")[0]
    assert "Đang chờ" in section and 'hx-trigger="every 3s"' in html and "Nguyễn Thị Thường Trực" in section
    assert not IndicatorValue.objects.exists()
    ids = [unit.pk for unit in units_with_data(Y2025)]
    mine = list(get_kpi_units_for_user(personas.secretariat).filter(pk__in=ids).order_by("path"))
    assert len(mine) == publication.unit_count
    publication_execute(publication.pk, mine)  # what the worker does
    value = IndicatorValue.objects.get(indicator__code="dossiers.on_time_rate", unit=personas.unit_a, period_key="2025")
    assert value.value == Decimal("50.0000")
    entry = AuditEntry.objects.filter(object_type__icontains="indicatorvalue").first()
    assert entry is not None and entry.actor_id == personas.secretariat.pk
    written = IndicatorValue.objects.count()
    html = client.get(url).content.decode()
    section = html.split('data-testid="publications"')[1].split("</section>")[0]
    assert "Đã công bố" in section and f"{written} giá trị ghi mới hoặc thay đổi, 0 giá trị không đổi" in section
    assert "every 3s" not in html
    # A second publication finds every value unchanged, and says so.
    client.post(url, {"confirm": "yes"})
    publication_execute(KpiPublication.objects.latest("pk").pk, mine)
    section = client.get(url).content.decode().split('data-testid="publications"')[1].split("</section>")[0]
    assert f"0 giá trị ghi mới hoặc thay đổi, {written} giá trị không đổi" in section


def test_a_publication_refused_by_a_value_a_unit_entered_shows_why_and_writes_nothing(personas, dossiers):
    indicator = kpi_indicators()["on_time_rate"]
    IndicatorValue.objects.create(
        indicator=indicator,
        unit=personas.unit_a,
        period_kind="year",
        period_key="2025",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        value=Decimal(90),
        origin="entered",
        state="submitted",
    )
    client = personas.client("secretariat")
    url = f"{reverse('procedures:kpi_publish')}?period=2025"
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Chưa công bố được" in response.content.decode()
    assert IndicatorValue.objects.count() == 1
    publication = KpiPublication.objects.get()
    assert publication.status == "failed" and "không ghi đè" in publication.message
    section = client.get(url).content.decode().split('data-testid="publications"')[1].split("</section>")[0]
    assert "Không công bố được" in section and "không ghi đè" in section


def test_the_kpi_table_shows_every_rate_and_target_with_two_decimals(personas, dossiers):
    kpi_indicators()
    on_time = Indicator.objects.get(code="dossiers.on_time_rate")
    Target.objects.create(indicator=on_time, year=2025, value=Decimal("87.1"))
    html = personas.client("secretariat").get(reverse("procedures:kpi_table"), QUERY).content.decode()
    assert "50,00 %" in html  # the province: one of two finished dossiers on time
    assert "/ 87,10 %" in html and "87,1 %" not in html
    assert not re.search(r"\d,\d %", html)  # no rate with one decimal anywhere
    assert not re.search(r"[^\d,.]\d+ %", html)  # nor a whole number without decimals
