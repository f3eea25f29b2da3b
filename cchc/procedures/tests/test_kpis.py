"""The KPI engine on hand-computed fixtures: rollups, figures, subtrees, aggregates, drill-downs and scores."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.audit.models import AuditEntry
from cchc.indicators.models import Indicator, IndicatorValue, Target
from cchc.indicators.selectors import Status
from cchc.lib.periods import Period
from cchc.procedures import kpis as kpis_module
from cchc.procedures import presets
from cchc.procedures.kpis import (
    KPI_KEYS,
    drilldown,
    figure_status,
    kpi_table,
    kpi_targets,
    kpis_for,
    kpis_publish,
    rollups_refresh,
)
from cchc.procedures.models import (
    Channel,
    Dossier,
    DossierAggregate,
    DossierMonth,
    DossierStatus,
    DossierUnitMonth,
    OnlineLevel,
    Procedure,
    ScoreItem,
)
from cchc.procedures.reader import iter_file_rows
from cchc.procedures.services import dossiers_import, preset_get

from . import samples

pytestmark = pytest.mark.django_db

D = datetime.date
Y2025 = Period.from_key("2025")


@pytest.fixture
def procedures(personas):
    return samples.make_procedures()


def make(unit, code, received, *, due=None, finished=None, procedure=None, **values) -> Dossier:
    values.setdefault("status", DossierStatus.FINISHED if finished else DossierStatus.PROCESSING)
    return Dossier.objects.create(
        source="test",
        code=code,
        unit=unit,
        procedure=procedure or Procedure.objects.get(code=samples.BIRTH),
        received_on=received,
        due_on=due,
        finished_on=finished,
        **values,
    )


def refreshed():
    rollups_refresh()


def rollup_rows() -> list[tuple]:
    fields = [field.name for field in DossierMonth._meta.get_fields() if field.name not in ("id",)]
    return sorted(DossierMonth.objects.values_list(*[f"{name}_id" if name == "unit" else name for name in fields]))


def test_a_unit_without_dossiers_has_zero_counts_and_no_rates(personas, procedures):
    kpis = kpis_for(personas.unit_b, Y2025)
    assert (kpis.received, kpis.finished, kpis.on_time, kpis.late, kpis.overdue_pending) == (0, 0, 0, 0, 0)
    assert kpis.on_time_rate is None
    assert kpis.average_days is None
    assert kpis.online_rate is None
    assert kpis.apology_rate is None
    assert kpis.groups[1].points is None  # group 2 has only the on-time rate
    assert kpis.groups[1].missing_items == 1


def test_all_late_dossiers_give_a_zero_on_time_rate_and_the_apology_rate_of_their_slips(personas, procedures):
    unit = personas.unit_b
    make(unit, "1", D(2025, 3, 1), due=D(2025, 3, 5), finished=D(2025, 3, 6), apology_on=D(2025, 3, 4))
    make(unit, "2", D(2025, 3, 1), due=D(2025, 3, 5), finished=D(2025, 3, 9))
    make(unit, "3", D(2025, 3, 2), due=D(2025, 3, 5), finished=D(2025, 3, 10))
    refreshed()
    kpis = kpis_for(unit, Y2025)
    assert (kpis.received, kpis.finished, kpis.on_time, kpis.late) == (3, 3, 0, 3)
    assert kpis.on_time_rate == Decimal("0.00")
    assert kpis.apology_rate == Decimal("33.33")
    assert kpis.average_days == Decimal("7.00")  # (5 + 8 + 8) / 3
    assert kpis.groups[1].points == Decimal("0.00")
    assert list(drilldown(unit, Y2025, "late_without_apology").values_list("code", flat=True)) == ["2", "3"]


def test_a_dossier_received_in_december_and_finished_in_january_counts_in_each_period_once(personas, procedures):
    unit = personas.unit_b
    make(unit, "1", D(2025, 12, 20), due=D(2026, 1, 10), finished=D(2026, 1, 5))
    refreshed()
    december = kpis_for(unit, Period.from_key("2025-12"))
    january = kpis_for(unit, Period.from_key("2026-01"))
    assert (december.received, december.finished) == (1, 0)
    assert (january.received, january.finished, january.on_time) == (0, 1, 1)
    assert january.average_days == Decimal("16.00")
    assert kpis_for(unit, Y2025).received == 1
    assert kpis_for(unit, Period.from_key("2026-Q1")).on_time_rate == Decimal("100.00")


def test_withdrawn_and_returned_dossiers_count_as_on_time_and_new_or_rejected_ones_are_not_counted(
    personas, procedures
):
    unit = personas.unit_b
    make(unit, "1", D(2025, 5, 1), due=D(2025, 5, 3), finished=D(2025, 5, 9), status=DossierStatus.WITHDRAWN)
    make(unit, "2", D(2025, 5, 1), due=D(2025, 5, 3), finished=D(2025, 5, 9), returned_or_withdrawn=True)
    make(unit, "3", D(2025, 5, 1), due=D(2025, 5, 3), finished=D(2025, 5, 9))
    make(unit, "4", D(2025, 5, 1), status=DossierStatus.NEW)
    make(unit, "5", D(2025, 5, 1), status=DossierStatus.REJECTED)
    make(unit, "6", D(2025, 5, 1), due=None, finished=D(2025, 5, 30))
    refreshed()
    kpis = kpis_for(unit, Y2025)
    assert (kpis.received, kpis.finished, kpis.on_time, kpis.late) == (4, 4, 3, 1)
    assert kpis.on_time_rate == Decimal("75.00")


def test_more_than_one_supplement_request_makes_a_dossier_late_unless_the_rule_is_disabled(
    personas, procedures, settings
):
    unit = personas.unit_b
    make(unit, "1", D(2025, 5, 1), due=D(2025, 5, 10), finished=D(2025, 5, 5), supplement_requests=1)
    make(unit, "2", D(2025, 5, 1), due=D(2025, 5, 10), finished=D(2025, 5, 5), supplement_requests=2)
    refreshed()
    assert kpis_for(unit, Y2025).on_time_rate == Decimal("50.00")
    settings.CCHC_KPI_LATE_AFTER_SUPPLEMENTS = 0
    refreshed()
    assert kpis_for(unit, Y2025).on_time_rate == Decimal("100.00")


def test_channels_digitisation_results_and_fees_give_their_rates(personas, procedures):
    unit = personas.unit_b
    _birth, marriage = procedures  # birth is offered fully online
    make(unit, "1", D(2025, 2, 1), channel=Channel.ONLINE, inputs_digitised=True, fee=Decimal(50000), paid_online=True)
    make(unit, "2", D(2025, 2, 1), channel=Channel.POSTAL, fee=Decimal(50000))
    make(unit, "3", D(2025, 2, 1), channel=Channel.DIRECT, fee=Decimal(0), procedure=marriage)
    make(unit, "4", D(2025, 2, 1), channel=Channel.ONLINE, procedure=marriage, finished=D(2025, 2, 2))
    Dossier.objects.filter(code="4").update(electronic_result=True)
    refreshed()
    kpis = kpis_for(unit, Y2025)
    assert kpis.online_rate == Decimal("50.00")
    assert kpis.postal_rate == Decimal("25.00")
    assert kpis.full_online_rate == Decimal("50.00")  # 1 of the 2 birth dossiers
    assert kpis.digitised_rate == Decimal("25.00")
    assert kpis.online_payment_rate == Decimal("50.00")  # the zero fee is not a fee
    assert kpis.e_result_rate == Decimal("100.00")
    assert list(drilldown(unit, Y2025, "fee_unpaid_online").values_list("code", flat=True)) == ["2"]
    assert list(drilldown(unit, Y2025, "full_not_online").values_list("code", flat=True)) == ["2"]


def test_a_unit_counts_its_subtree_unless_asked_for_its_own_dossiers_and_never_a_siblings(personas, procedures):
    make(personas.unit_a, "1", D(2025, 4, 1))
    make(personas.office_a, "2", D(2025, 4, 1))
    make(personas.unit_b, "3", D(2025, 4, 1))
    refreshed()
    assert kpis_for(personas.unit_a, Y2025).received == 2
    assert kpis_for(personas.unit_a, Y2025, subtree=False).received == 1
    assert kpis_for(personas.province, Y2025).received == 3
    assert list(drilldown(personas.unit_a, Y2025, "received").values_list("code", flat=True)) == ["1", "2"]
    assert drilldown(personas.unit_a, Y2025, "received", subtree=False).count() == 1


def test_the_field_filter_keeps_the_dossiers_of_that_procedure_field(personas, procedures):
    land = Procedure.objects.create(code="2.000", name="Cấp giấy chứng nhận", field="Đất đai")
    make(personas.unit_b, "1", D(2025, 4, 1))
    make(personas.unit_b, "2", D(2025, 4, 1), procedure=land, due=D(2025, 4, 2))
    refreshed()
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12), tick=False):
        kpis = kpis_for(personas.unit_b, Y2025, field="Đất đai")
        assert (kpis.received, kpis.overdue_pending) == (1, 1)
        assert kpis_for(personas.unit_b, Y2025, field="Hộ tịch").overdue_pending == 0
        assert drilldown(personas.unit_b, Y2025, "received", field="Đất đai").get().code == "2"


def test_overdue_pending_is_a_snapshot_at_the_period_end_or_today(personas, procedures):
    unit = personas.unit_b
    make(unit, "open", D(2025, 3, 1), due=D(2025, 3, 10))
    make(unit, "late-after", D(2025, 3, 1), due=D(2025, 3, 10), finished=D(2025, 4, 20))
    make(unit, "late-within", D(2025, 3, 1), due=D(2025, 3, 10), finished=D(2025, 3, 20))
    make(unit, "not-due", D(2025, 3, 1), due=D(2025, 4, 30))
    make(unit, "suspended", D(2025, 3, 1), due=D(2025, 3, 10), status=DossierStatus.SUSPENDED)
    with time_machine.travel(datetime.datetime(2025, 12, 1, 12), tick=False):
        assert kpis_for(unit, Period.from_key("2025-03")).overdue_pending == 2
        assert kpis_for(unit, Period.from_key("2025-04")).overdue_pending == 1
        assert set(drilldown(unit, Period.from_key("2025-03"), "overdue_pending").values_list("code", flat=True)) == {
            "open",
            "late-after",
        }
    with time_machine.travel(datetime.datetime(2025, 3, 15, 12), tick=False):
        assert kpis_for(unit, Y2025).overdue_pending == 3  # as of today, 15/3


def aggregate(unit, start, end, **counts):
    return DossierAggregate.objects.create(source="06a", unit=unit, period_start=start, period_end=end, **counts)


def test_a_unit_without_dossiers_uses_its_aggregate_reports_and_one_with_dossiers_ignores_them(personas, procedures):
    aggregate(
        personas.unit_b,
        D(2025, 1, 1),
        D(2025, 3, 31),
        received_new=10,
        received_online=4,
        finished_total=8,
        finished_early=2,
        finished_on_time=4,
        finished_late=2,
        processing_late=3,
    )
    aggregate(personas.unit_b, D(2025, 4, 1), D(2025, 6, 30), received_new=10, finished_total=2, finished_late=1)
    aggregate(personas.unit_b, D(2025, 1, 1), D(2025, 1, 31), received_new=99)  # inside the quarter: not added
    aggregate(personas.unit_a, D(2025, 1, 1), D(2025, 3, 31), received_new=50)
    make(personas.unit_a, "1", D(2025, 2, 1))
    refreshed()
    kpis = kpis_for(personas.unit_b, Y2025)
    assert kpis.from_aggregates
    assert (kpis.received, kpis.finished, kpis.on_time, kpis.late) == (20, 10, 7, 3)
    assert kpis.on_time_rate == Decimal("70.00")
    assert kpis.online_rate == Decimal("40.00")  # the second report has no online count
    assert kpis.overdue_pending == 0  # the latest report has no count of overdue dossiers
    assert kpis_for(personas.unit_b, Period.from_key("2025-Q1")).overdue_pending == 3
    assert kpis.digitised_rate is None
    assert kpis_for(personas.unit_a, Y2025).received == 1
    assert kpis_for(personas.province, Y2025).received == 21


def import_book(unit, rows=None):
    return dossiers_import(
        actor=None,
        rows=iter_file_rows(io.BytesIO(samples.book_xlsx(unit, rows)), name="so.xlsx"),
        source="iGate",
        preset=preset_get(presets.DEFAULT),
        file_name="so.xlsx",
    )


def test_rollups_equal_a_full_recount_after_an_import_a_reimport_and_an_update(personas, procedures):
    unit = personas.unit_b
    import_book(unit)
    after_import = rollup_rows()
    assert after_import
    rollups_refresh()
    assert rollup_rows() == after_import
    import_book(unit)
    assert rollup_rows() == after_import
    rows = samples.book_rows(unit)
    rows[2][8] = "09/02/2025"  # the open dossier is returned in February
    rows[0][6] = "30/12/2024"  # and the first one was received in December
    assert import_book(unit, rows).updated == 2
    after_update = rollup_rows()
    rollups_refresh()
    assert rollup_rows() == after_update
    assert kpis_for(unit, Period.from_key("2024-12")).received == 1
    assert kpis_for(unit, Period.from_key("2025-01")).received == 2


def both_rollups() -> tuple[list[tuple], list[tuple]]:
    totals = [field.attname for field in DossierUnitMonth._meta.concrete_fields if field.name != "id"]
    return rollup_rows(), sorted(DossierUnitMonth.objects.values_list(*totals))


def test_an_import_of_new_dossiers_adds_their_counts_to_the_rollups_already_there_as_a_recount_would(
    personas, procedures
):
    unit = personas.unit_b
    make(unit, "old-1", D(2025, 1, 3), due=D(2025, 1, 9), finished=D(2025, 1, 8), channel=Channel.ONLINE)
    make(unit, "old-2", D(2024, 12, 30), due=D(2025, 1, 2), finished=D(2025, 1, 6), apology_on=D(2025, 1, 6))
    make(personas.unit_a, "old-3", D(2025, 1, 5))
    refreshed()
    report = import_book(unit)  # a new source: every dossier is new, in months that already have rows
    assert (report.created, report.updated) == (3, 0)
    added = both_rollups()
    assert added[0] and added[1]
    rollups_refresh()
    assert both_rollups() == added
    rows = samples.book_rows(unit)
    rows.append([4, "HS-004", "Đăng ký khai sinh", "Phạm Thị Dung", "Hòa Bình", unit.name])
    rows[3] += ["03/03/2025", "04/03/2025", "04/03/2025", "Trực tiếp", None]
    report = import_book(unit, rows)  # the same source again, with one dossier more and the others unchanged
    assert (report.created, report.updated, report.unchanged) == (1, 0, 3)
    added = both_rollups()
    rollups_refresh()
    assert both_rollups() == added
    assert kpis_for(unit, Period.from_key("2025-03")).received == 1
    rows.append([5, "HS-005", "Đăng ký khai sinh", "Võ Văn Em", "Hòa Bình", unit.name])
    rows[4] += ["05/03/2025", "06/03/2025", None, None, None]
    rows[0][8] = "04/01/2025"  # one new and one changed: the months are recounted
    report = import_book(unit, rows)
    assert (report.created, report.updated) == (1, 1)
    recounted = both_rollups()
    rollups_refresh()
    assert both_rollups() == recounted


def test_a_rejected_import_leaves_the_rollups_as_they_were(personas, procedures):
    unit = personas.unit_b
    import_book(unit)
    before = rollup_rows()
    rows = samples.book_rows(unit)
    rows[0][6] = "32/01/2025"
    assert import_book(unit, rows).rejected
    assert rollup_rows() == before


def test_the_table_takes_the_same_number_of_queries_for_one_unit_as_for_many(personas, procedures):
    for index, unit in enumerate([personas.unit_a, personas.office_a, personas.unit_b]):
        make(unit, str(index), D(2025, 4, 1), due=D(2025, 4, 2))
    aggregate(personas.front, D(2025, 1, 1), D(2025, 3, 31), received_new=5)
    refreshed()
    with CaptureQueriesContext(connection) as one:
        kpi_table([personas.unit_b], Y2025)
    units = [personas.province, personas.unit_a, personas.office_a, personas.unit_b, personas.front]
    with CaptureQueriesContext(connection) as many:
        table = kpi_table(units, Y2025)
    assert len(many) == len(one)
    assert [row.received for row in table] == [8, 2, 1, 1, 5]


def test_an_unknown_drilldown_kind_is_refused(personas):
    with pytest.raises(ValueError):
        drilldown(personas.unit_b, Y2025, "everything")


def test_scores_follow_the_items_and_an_item_without_data_is_missing(personas, procedures):
    unit = personas.unit_b
    Procedure.objects.filter(code=samples.MARRIAGE).update(online_level=OnlineLevel.PARTIAL)
    make(unit, "1", D(2025, 5, 1), due=D(2025, 5, 10), finished=D(2025, 5, 5), channel=Channel.ONLINE)
    make(unit, "2", D(2025, 5, 1), due=D(2025, 5, 3), finished=D(2025, 5, 5))
    refreshed()
    kpis = kpis_for(unit, Y2025)
    by_group = {group.group: group for group in kpis.groups}
    assert by_group[2].points == Decimal("10.00")  # 50 % on time of 20 points at 100 %
    assert by_group[2].max_points == Decimal(20)
    online = {item.item.code: item for item in by_group[3].items}
    assert online["3.1"].points == Decimal("6.00")  # both procedures online, full points at 80 %
    assert online["3.3"].points == Decimal("6.00")  # 50 % online, full points at 50 %
    assert online["3.6"].missing  # no dossier with a fee
    assert by_group[1].points is None
    assert [group.max_points for group in kpis.groups] == [18, 20, 22, 22, 18]


def test_publishing_writes_computed_values_for_each_unit_and_its_ancestors_once(personas, procedures):
    make(personas.office_a, "1", D(2025, 4, 1), due=D(2025, 4, 5), finished=D(2025, 4, 3))
    make(personas.office_a, "2", D(2025, 4, 1), due=D(2025, 4, 5), finished=D(2025, 4, 9))
    refreshed()
    outcome = kpis_publish(actor=None, period=Y2025)
    assert outcome.written > 0 and outcome.unchanged == 0
    value = IndicatorValue.objects.get(indicator__code="dossiers.on_time_rate", unit=personas.unit_a)
    assert (value.value, value.origin, value.state) == (Decimal("50.0000"), "computed", "accepted")
    assert IndicatorValue.objects.filter(indicator__code="dossiers.on_time_rate", unit=personas.province).exists()
    assert not IndicatorValue.objects.filter(unit=personas.unit_b).exists()
    assert IndicatorValue.objects.filter(indicator__code="dossiers.score_766", unit=personas.office_a).get().value
    entries = AuditEntry.objects.count()
    again = kpis_publish(actor=None, period=Y2025)
    assert (again.written, again.unchanged) == (0, outcome.written)
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing written


def test_figures_are_shown_against_the_targets_of_the_indicator_store(personas, procedures):
    make(personas.unit_b, "1", D(2025, 4, 1), due=D(2025, 4, 5), finished=D(2025, 4, 3))
    refreshed()
    kpis_publish(actor=None, period=Y2025)
    indicator = Indicator.objects.get(code="dossiers.on_time_rate")
    Target.objects.create(indicator=indicator, year=2025, value=Decimal(98))
    Target.objects.create(indicator=Indicator.objects.get(code="dossiers.online_rate"), year=2025, value=Decimal(50))
    targets = kpi_targets([personas.unit_b], 2025)[personas.unit_b.pk]
    kpis = kpis_for(personas.unit_b, Y2025)
    assert figure_status("on_time_rate", kpis.on_time_rate, targets["on_time_rate"]) == Status.MET
    assert figure_status("online_rate", kpis.online_rate, targets["online_rate"]) == Status.NOT_MET
    assert figure_status("postal_rate", kpis.postal_rate, targets.get("postal_rate")) == Status.NO_TARGET


def test_the_kpis_command_prints_json_with_the_keys_and_group_scores_and_a_vietnamese_table(personas, procedures):
    make(personas.unit_a, "1", D(2025, 4, 1), due=D(2025, 4, 5), finished=D(2025, 4, 3), channel=Channel.ONLINE)
    refreshed()
    out = io.StringIO()
    call_command("kpis", "--period", "2025", "--unit", personas.province.code, "--json", stdout=out)
    rows = {row["unit"]: row for row in json.loads(out.getvalue())}
    unit_a = rows[personas.unit_a.code]
    assert set(KPI_KEYS) <= set(unit_a)
    assert (unit_a["received"], unit_a["on_time_rate"], unit_a["online_rate"]) == (1, "100.00", "100.00")
    assert unit_a["group_2"] == "20.00"
    assert {f"group_{number}" for number in range(1, 6)} <= set(unit_a)
    assert rows[personas.unit_b.code]["on_time_rate"] is None
    text = io.StringIO()
    call_command("kpis", "--period", "2025-Q2", "--unit", personas.unit_a.code, "--field", "Hộ tịch", stdout=text)
    assert "Tỷ lệ giải quyết đúng hạn: 100" in text.getvalue()
    assert "Nhóm 2. Tiến độ, kết quả giải quyết: 20/20 điểm" in text.getvalue()


def test_the_kpis_command_refuses_a_bad_period_or_unit_in_vietnamese(personas):
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("kpis", "--period", "2025-Q9")
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("kpis", "--period", "2025", "--unit", "NOPE")


def test_the_kpis_command_publishes_and_refreshes_on_request(personas, procedures):
    make(personas.unit_b, "1", D(2025, 4, 1), due=D(2025, 4, 5), finished=D(2025, 4, 3))
    call_command("kpis", "--period", "2025", "--refresh", "--publish", stdout=io.StringIO(), stderr=io.StringIO())
    assert IndicatorValue.objects.filter(indicator__code="dossiers.received", unit=personas.unit_b).get().value == 1


def test_a_long_list_of_units_is_scoped_in_python_with_the_same_figures(personas, procedures, monkeypatch):
    make(personas.unit_a, "1", D(2025, 4, 1), due=D(2025, 4, 2))
    make(personas.office_a, "2", D(2025, 4, 1), due=D(2025, 4, 2), finished=D(2025, 4, 9))
    make(personas.unit_b, "3", D(2025, 4, 1), due=D(2025, 4, 2))
    refreshed()
    units = [personas.unit_a, personas.office_a]
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12), tick=False):
        expected = [(row.received, row.finished, row.overdue_pending) for row in kpi_table(units, Y2025)]
        own = [row.received for row in kpi_table(units, Y2025, subtree=False)]
        monkeypatch.setattr(kpis_module, "SCOPE_IN_SQL", 1)
        assert [(row.received, row.finished, row.overdue_pending) for row in kpi_table(units, Y2025)] == expected
        assert [row.received for row in kpi_table(units, Y2025, subtree=False)] == own == [1, 1]
    assert expected == [(2, 1, 1), (1, 1, 0)]


def test_score_items_are_data_a_lower_threshold_caps_at_the_maximum_and_an_inactive_item_is_left_out(
    personas, procedures
):
    unit = personas.unit_b
    make(unit, "1", D(2025, 5, 1), due=D(2025, 5, 10), finished=D(2025, 5, 5))
    make(unit, "2", D(2025, 5, 1), due=D(2025, 5, 10), finished=D(2025, 5, 5))
    make(unit, "3", D(2025, 5, 1), due=D(2025, 5, 3), finished=D(2025, 5, 5))
    refreshed()
    assert kpis_for(unit, Y2025).groups[1].points == Decimal("13.33")  # 66.67 % of 20 points
    ScoreItem.objects.filter(code="2.1").update(full_at=Decimal(50))
    assert kpis_for(unit, Y2025).groups[1].points == Decimal("20.00")  # capped at the maximum
    ScoreItem.objects.filter(code="2.1").update(active=False)
    group = kpis_for(unit, Y2025).groups[1]
    assert (group.points, group.max_points, group.items) == (None, Decimal(0), ())
