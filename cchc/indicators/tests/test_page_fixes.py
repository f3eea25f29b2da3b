"""Fixes of the indicator pages: long lists paginated, upload errors at the top, true entry labels, the entry list for
administrators, and the e-mail to the unit when the secretariat returns a value."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cchc.indicators import services
from cchc.indicators.models import EntryMode, IndicatorSource, IndicatorValue, ValueOrigin, ValueState
from cchc.indicators.views import definitions, values
from cchc.lib.periods import Period, PeriodKind

from .conftest import enter

pytestmark = pytest.mark.django_db

Y2025 = Period(2025, PeriodKind.YEAR)


def test_the_review_queue_shows_two_hundred_values_a_page_with_links_to_the_others(personas, digitised):
    monthly = services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(code="monthly.rate", name="Tỷ lệ theo tháng", period_kind="month"),
    )
    periods = [Period(2000 + index // 12, PeriodKind.MONTH, index % 12 + 1) for index in range(201)]
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=monthly,
            unit=personas.unit_a,
            period_kind="month",
            period_key=period.key,
            period_start=period.start,
            period_end=period.end,
            value=50,
            origin=ValueOrigin.ENTERED,
            state=ValueState.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for period in periods
    )
    client = personas.client("secretariat")
    first = client.get(reverse("indicators:review_queue"))
    assert values.REVIEW_PER_PAGE == 200
    assert len(first.context["values"]) == 200
    assert "Trang 1/2" in first.content.decode() and "page=2" in first.content.decode()
    second = client.get(reverse("indicators:review_queue"), {"page": 2, "q": "tháng"})
    assert len(second.context["values"]) == 1 and "q=th" in second.content.decode()


def test_the_values_table_of_an_indicator_is_paginated(personas, digitised, monkeypatch):
    monkeypatch.setattr(definitions, "VALUES_PER_PAGE", 1)
    for unit in (personas.unit_a, personas.unit_b):
        services.value_publish(
            actor=None, indicator=digitised, unit=unit, period=Y2025, value=40, origin=ValueOrigin.IMPORTED
        )
    client = personas.client("leader")
    url = reverse("indicators:indicator_detail", args=[digitised.pk])
    first = client.get(url, {"period": "2025"})
    assert [row.value.unit for row in first.context["rows"]] == [personas.unit_a]
    assert "period=2025&amp;page=2" in first.content.decode()
    second = client.get(url, {"period": "2025", "page": 2})
    assert [row.value.unit for row in second.context["rows"]] == [personas.unit_b]


def test_an_evidence_upload_without_a_file_says_so_at_the_top_of_the_value_page(personas, digitised):
    value = enter(personas, digitised, period=Y2025, submit=False)
    response = personas.client("focal_a").post(
        reverse("indicators:evidence_add", args=[value.pk]), {"file": ""}, follow=True
    )
    page = response.content.decode()
    message = "Hãy chọn tệp minh chứng cần tải lên."
    assert message in page
    assert page.index('class="messages"') < page.index(message) < page.index("<h1>")
    assert page.count(message) == 1


def test_computed_indicators_are_labelled_by_the_module_that_computes_them_never_as_typed_by_hand(personas):
    survey = services.indicator_ensure(code="sipas.satisfaction", name="Mức độ hài lòng")
    tasks = services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ nhiệm vụ đúng hạn")
    other = services.indicator_ensure(code="local.rate", name="Tỷ lệ khác")
    assert (survey.source, tasks.source, other.source) == (
        IndicatorSource.SURVEYS,
        IndicatorSource.DIRECTIVES,
        IndicatorSource.MANUAL,
    )
    client = personas.client("leader")
    labels = {}
    for indicator in (survey, tasks, other):
        page = client.get(reverse("indicators:indicator_detail", args=[indicator.pk])).content.decode()
        labels[indicator.code] = page
    assert "Hệ thống tính (Khảo sát)" in labels["sipas.satisfaction"]
    assert "Hệ thống tính (Theo dõi nhiệm vụ)" in labels["tasks.on_time_rate"]
    assert "Nhập tay" not in labels["local.rate"] and "<dd>Hệ thống tính</dd>" in labels["local.rate"]


def test_a_computed_indicator_stored_as_typed_by_hand_takes_its_publishers_source(personas):
    stored = services.indicator_create(
        actor=None,
        data=services.IndicatorData(
            code="tasks.on_time_rate", name="Tỷ lệ", entry=EntryMode.COMPUTED, source=IndicatorSource.MANUAL
        ),
    )
    assert stored.source == IndicatorSource.MANUAL
    again = services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ", source=IndicatorSource.DIRECTIVES)
    assert again.source == IndicatorSource.DIRECTIVES
    assert again.provenance_label == "Hệ thống tính (Theo dõi nhiệm vụ)"


def test_an_administrator_opens_the_values_to_enter_and_chooses_a_unit(personas, digitised):
    client = personas.client("admin")
    url = reverse("indicators:entry_list")
    response = client.get(url, {"year": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="admin-hint"' in page and response.context["rows"] == []
    assert "Chọn một đơn vị để xem số liệu cần nhập." in page
    chosen = client.get(url, {"year": 2025, "unit": personas.unit_b.pk})
    assert [(row.indicator, row.unit) for row in chosen.context["rows"]] == [(digitised, personas.unit_b)]


@pytest.mark.parametrize("name", ["leader", "secretariat", "supervisor"])
def test_a_person_who_enters_no_values_gets_a_clear_vietnamese_refusal(personas, name):
    response = personas.client(name).get(reverse("indicators:entry_list"))
    assert response.status_code == 403
    assert "Trang này dành cho cán bộ đầu mối CCHC của đơn vị" in response.content.decode()


def test_the_units_focal_points_are_emailed_when_the_secretariat_returns_a_value(
    personas, digitised, django_capture_on_commit_callbacks
):
    personas.focal_a.email = "daumoi.a@example.gov.vn"
    personas.focal_a.save(update_fields=["email"])
    personas.focal_b.email = "daumoi.b@example.gov.vn"
    personas.focal_b.save(update_fields=["email"])
    value = enter(personas, digitised, period=Y2025)
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client("secretariat").post(
            reverse("indicators:value_return", args=[value.pk]), {"reason": "Thiếu biên bản số hóa"}
        )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["daumoi.a@example.gov.vn"]]
    body = mail.outbox[0].body
    assert "Thiếu biên bản số hóa" in body and reverse("indicators:value_detail", args=[value.pk]) in body
    assert mail.outbox[0].subject.startswith("[CCHC] Số liệu chỉ số bị trả lại")


@pytest.mark.parametrize("url_name", ["indicators:import", "indicators:external_import"])
def test_the_import_pages_list_their_vietnamese_column_headers_in_the_text_font_not_as_code(personas, url_name):
    # The monospace font drew the tone marks of "Mã chỉ số" beside their letters; the headers are words, not code.
    page = personas.client("secretariat").get(reverse(url_name)).content.decode()
    assert 'class="column-names"' in page and "Mã" in page
    assert "<code>Mã" not in page and "<code>Tỉnh" not in page


@pytest.mark.parametrize(
    ("name", "url_name"), [("secretariat", "indicators:review_queue"), ("focal_a", "indicators:entry_list")]
)
def test_the_entry_and_review_pages_mark_the_indicators_menu_item_as_current(personas, name, url_name):
    page = personas.client(name).get(reverse(url_name)).content.decode()
    current = f'<a href="{reverse("indicators:indicator_list")}" aria-current="page">'
    assert current in page


def test_the_entry_form_of_a_count_asks_for_no_numerator_or_denominator(personas, digitised):
    count = services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(
            code="pakn.test_received", name="Số PAKN tiếp nhận", measure="count", entry=EntryMode.UNIT
        ),
    )
    client = personas.client("focal_a")
    url = reverse("indicators:value_edit", args=[count.pk, personas.unit_a.pk, "2025"])
    page = client.get(url).content.decode()
    assert 'name="value"' in page and 'name="numerator"' not in page and "Mẫu số" not in page
    response = client.post(url, {"value": "12", "note": "Sổ theo dõi"})
    assert response.status_code == 302
    saved = IndicatorValue.objects.get(indicator=count)
    assert (saved.value, saved.numerator, saved.denominator) == (12, None, None)
    rate = client.get(reverse("indicators:value_edit", args=[digitised.pk, personas.unit_a.pk, "2025"]))
    assert 'name="numerator"' in rate.content.decode()


def test_each_entry_and_review_link_names_its_indicator_unit_and_period_for_screen_readers(personas, digitised):
    # Every row's link read "Nhập" (or "Xem, xác nhận hoặc trả lại") alone: a screen reader's list of links could not
    # tell them apart.
    enter(personas, digitised, period=Period(2025, PeriodKind.YEAR))
    entry = personas.client("focal_a").get(reverse("indicators:entry_list"), {"year": 2025}).content.decode()
    assert '<span class="visually-hidden">: Tỷ lệ số hóa kết quả giải quyết TTHC, Sở Tư pháp, Năm 2025</span>' in entry
    review = personas.client("secretariat").get(reverse("indicators:review_queue")).content.decode()
    assert 'hoặc trả lại<span class="visually-hidden">: Tỷ lệ số hóa kết quả giải quyết TTHC, Sở Tư pháp,' in review
