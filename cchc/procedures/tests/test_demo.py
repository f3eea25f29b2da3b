"""The demo catalogue and dossiers: plausible volumes, late rates and channels, loaded once."""

from __future__ import annotations

import datetime
import io
import random

import pytest
from django.db.models import Count, F, Q

from cchc.accounts.models import User
from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.indicators.models import IndicatorValue, ValueState
from cchc.lib.periods import Period
from cchc.organisations.models import Unit

from ..access import get_data_imports_for_user
from ..demo import CATALOGUE, SOURCE, demo_file_name, dossier_rows, load_demo, profiles, published_periods
from ..kpis import SCORE_CODE, kpis_for
from ..models import Channel, DataImport, Dossier, DossierStatus, Procedure

TODAY = datetime.date(2026, 3, 10)


@pytest.mark.django_db
def test_the_demo_loads_a_year_of_plausible_dossiers_once() -> None:
    load_province(password="cchc-demo-2025")
    out = io.StringIO()
    added = load_demo(stdout=out, today=TODAY)
    assert 25_000 <= added <= 45_000 and f"{added} hồ sơ" in out.getvalue()
    dossiers = Dossier.objects.filter(source=SOURCE)
    assert dossiers.count() == added
    assert Procedure.objects.count() == len(CATALOGUE) >= 55
    assert len({spec.field for spec in CATALOGUE}) >= 15

    first, last = dossiers.order_by("received_on").values_list("received_on", flat=True)[:: added - 1]
    assert first >= TODAY - datetime.timedelta(days=365) and last <= TODAY

    counted = dossiers.exclude(status=DossierStatus.REJECTED)
    channels = dict(counted.values_list("channel").annotate(n=Count("id")))
    total = sum(channels.values())
    assert 0.45 < channels[Channel.ONLINE] / total < 0.65
    assert 0.30 < channels[Channel.DIRECT] / total < 0.50
    assert 0.02 < channels[Channel.POSTAL] / total < 0.08

    finished = counted.filter(finished_on__isnull=False, returned_or_withdrawn=False)
    per_unit = finished.values("unit").annotate(n=Count("id"), late=Count("id", filter=Q(finished_on__gt=F("due_on"))))
    rates = [row["late"] / row["n"] for row in per_unit if row["n"] >= 200]
    assert len(rates) >= 30
    assert 0.002 < min(rates) < 0.03 and 0.05 < max(rates) < 0.10  # late rates differ from unit to unit
    late = finished.filter(finished_on__gt=F("due_on"))
    assert 0.5 < late.filter(apology_on__isnull=False).count() / late.count() < 0.95
    assert dossiers.filter(finished_on__isnull=True, due_on__lt=TODAY, status=DossierStatus.PROCESSING).count() > 50
    assert dossiers.filter(status=DossierStatus.WITHDRAWN).count() > 50
    assert dossiers.filter(fee__gt=0, paid_online=True).exists() and dossiers.filter(inputs_digitised=True).exists()
    assert dossiers.filter(electronic_result=True).exists() and dossiers.filter(supplement_requests__gt=0).exists()
    assert AuditEntry.objects.filter(action="import").count() == 1
    secretariat = User.objects.get(username="thuongtruc")  # the demo import is in the secretariat's history
    assert list(get_data_imports_for_user(secretariat).values_list("author__username", flat=True)) == ["thuongtruc"]
    # The history names the demo import like an export of the one-stop system, never "demo".
    assert DataImport.objects.get(source=SOURCE).file_name == "SoTheoDoiHoSo_11032025-10032026.xlsx"
    province = Unit.objects.get(code="PT")
    year = kpis_for(province, Period.from_key(str(TODAY.year)))  # read from the rollups the demo refreshed
    assert year.received == counted.filter(received_on__year=TODAY.year).count() > 5_000
    assert year.on_time_rate is not None and 90 < year.on_time_rate < 99.5
    # The QĐ 766 total of the ended quarters and of the year so far is published, as the dashboards read it.
    scores = IndicatorValue.objects.filter(indicator__code=SCORE_CODE, unit=province, state=ValueState.ACCEPTED)
    assert sorted(scores.values_list("period_key", flat=True)) == ["2025-Q2", "2025-Q3", "2025-Q4", "2026"]

    audit = AuditEntry.objects.count()
    assert load_demo(stdout=io.StringIO(), today=TODAY) == 0
    assert dossiers.count() == added and Procedure.objects.count() == len(CATALOGUE)
    assert AuditEntry.objects.count() == audit


def test_the_demo_publishes_the_quarters_that_ended_inside_its_year_and_the_year_so_far() -> None:
    periods = published_periods(datetime.date(2025, 12, 8), datetime.date(2026, 12, 7))

    assert [period.key for period in periods] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026"]


def test_the_generator_gives_the_same_dossiers_for_the_same_seed() -> None:
    units = [(1, "PT-STP", "department"), (2, "PT-X-A", "commune")]

    def rows() -> list[tuple]:
        rng = random.Random(5)
        generated = dossier_rows(
            units=profiles(units, CATALOGUE, rng),
            procedures=CATALOGUE,
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 6, 30),
            rng=rng,
        )
        return [(row.code, row.procedure, row.received_on, row.finished_on, row.channel) for row in generated]

    first = rows()
    assert first == rows() and len(first) > 300
    assert len({code for code, *_rest in first}) == len(first)


def test_the_demo_import_is_named_like_a_one_stop_system_s_export_of_its_dates() -> None:
    name = demo_file_name(datetime.date(2025, 3, 11), datetime.date(2026, 3, 10))
    assert name == "SoTheoDoiHoSo_11032025-10032026.xlsx"
    assert "demo" not in name.lower()
