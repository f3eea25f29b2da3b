"""The indicator pages over HTTP: who may open each page (the personas), and what each page does."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.audit.models import AuditEntry
from cchc.indicators import services
from cchc.indicators.models import Indicator, IndicatorValue, Target, ValueState
from cchc.lib.periods import Period, PeriodKind
from cchc.testing.personas import PERSONA_NAMES

from .conftest import enter, pdf_upload

pytestmark = pytest.mark.django_db

Y2024 = Period(2024, PeriodKind.YEAR)
Y2025 = Period(2025, PeriodKind.YEAR)
READERS = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")
MANAGERS = ("admin", "secretariat")


@pytest.fixture
def world(personas, digitised):
    """unit A: accepted 2024, draft 2025; unit B: submitted 2025; another province: accepted 2025."""
    accepted = enter(personas, digitised, period=Y2024, amount=60)
    services.value_accept(actor=personas.secretariat, value=accepted)
    draft = enter(personas, digitised, period=Y2025, submit=False)
    submitted = enter(personas, digitised, unit=personas.unit_b, user=personas.focal_b, period=Y2025, amount=30)
    outside = services.value_save(
        actor=personas.admin, indicator=digitised, unit=personas.other_commune, period=Y2025, value=10
    )
    services.value_evidence_add(actor=personas.admin, value=outside, upload=pdf_upload())
    services.value_submit(actor=personas.admin, value=outside)
    return {"indicator": digitised, "accepted": accepted, "draft": draft, "submitted": submitted, "outside": outside}


def _expected(name, allowed, *, forbidden=403, key=""):
    if name == "anonymous":
        return 302
    if name == "focal_a" and key in ("accept_b", "return_b"):
        return 404
    return 200 if name in allowed else forbidden


def _urls(world, personas):
    indicator = world["indicator"]
    target = indicator.targets.get()
    return {
        "list": (reverse("indicators:indicator_list"), READERS, 403),
        "detail": (reverse("indicators:indicator_detail", args=[indicator.pk]), READERS, 404),
        "create": (reverse("indicators:indicator_create"), MANAGERS, 403),
        "edit": (reverse("indicators:indicator_edit", args=[indicator.pk]), MANAGERS, 403),
        "target_create": (reverse("indicators:target_create", args=[indicator.pk]), MANAGERS, 403),
        "target_edit": (reverse("indicators:target_edit", args=[indicator.pk, target.pk]), MANAGERS, 403),
        "target_delete": (reverse("indicators:target_delete", args=[indicator.pk, target.pk]), MANAGERS, 403),
        "entry_list": (reverse("indicators:entry_list"), ("admin", "focal_a", "focal_b"), 403),
        "value_edit_a": (
            reverse("indicators:value_edit", args=[indicator.pk, personas.unit_a.pk, "2026"]),
            ("admin", "focal_a"),
            403,
        ),
        "draft_a": (reverse("indicators:value_detail", args=[world["draft"].pk]), ("admin", "focal_a"), 404),
        "draft_a_evidence": (
            reverse("indicators:evidence_download", args=[world["draft"].pk, world["draft"].evidence.get().pk]),
            ("admin", "focal_a"),
            404,
        ),
        "submitted_b": (
            reverse("indicators:value_detail", args=[world["submitted"].pk]),
            tuple(name for name in READERS if name != "focal_a"),
            404,
        ),
        "accepted_a": (reverse("indicators:value_detail", args=[world["accepted"].pk]), READERS, 404),
        "outside": (reverse("indicators:value_detail", args=[world["outside"].pk]), ("admin",), 404),
        "review_queue": (reverse("indicators:review_queue"), MANAGERS, 403),
        # Another unit's value waiting for review is not found by the focal point of unit A (its existence hidden).
        "accept_b": (reverse("indicators:value_accept", args=[world["submitted"].pk]), MANAGERS, 403),
        "return_b": (reverse("indicators:value_return", args=[world["submitted"].pk]), MANAGERS, 403),
    }


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_every_page_answers_each_persona_as_the_rules_say(personas, world, name):
    client = personas.client(name)
    answers = {key: client.get(url).status_code for key, (url, _allowed, _forbidden) in _urls(world, personas).items()}
    expected = {
        key: _expected(name, allowed, forbidden=forbidden, key=key)
        for key, (_url, allowed, forbidden) in _urls(world, personas).items()
    }
    assert answers == expected


def test_the_secretariat_outside_its_province_does_not_find_the_value(personas, world):
    client = personas.client("secretariat")
    url = reverse("indicators:value_accept", args=[world["outside"].pk])
    assert client.post(url).status_code == 404
    world["outside"].refresh_from_db()
    assert world["outside"].state == ValueState.SUBMITTED


def test_the_list_filters_by_entry_group_and_search(personas, world):
    services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ nhiệm vụ hoàn thành đúng hạn")
    client = personas.client("leader")
    page = client.get(reverse("indicators:indicator_list")).content.decode()
    assert "Tỷ lệ số hóa" in page and "Tỷ lệ nhiệm vụ" in page
    page = client.get(reverse("indicators:indicator_list"), {"entry": "unit"}).content.decode()
    assert "Tỷ lệ số hóa" in page and "Tỷ lệ nhiệm vụ" not in page
    page = client.get(reverse("indicators:indicator_list"), {"q": "đúng hạn"}).content.decode()
    assert "Tỷ lệ số hóa" not in page and "Tỷ lệ nhiệm vụ" in page


def test_the_detail_shows_definition_escalating_targets_and_values_with_status_and_trend(personas, world):
    indicator = world["indicator"]
    client = personas.client("leader")
    response = client.get(reverse("indicators:indicator_detail", args=[indicator.pk]), {"period": "2025"})
    page = response.content.decode()
    assert "Công văn Đoan Hùng 8/2021" in page
    assert "2021: 15" in page and "2022: 35" in page and "… 100" in page
    rows = response.context["rows"]
    assert [row.value.unit for row in rows] == [personas.unit_b]  # unit A's draft is not the leader's to see
    assert rows[0].target == Decimal(95) and rows[0].status == "not_met"
    assert 'data-status="not_met"' in page and "Chưa đạt" in page


def test_the_unit_filter_narrows_the_values_to_a_subtree(personas, world):
    indicator = world["indicator"]
    client = personas.client("leader")
    url = reverse("indicators:indicator_detail", args=[indicator.pk])
    services.value_accept(actor=personas.secretariat, value=world["submitted"])
    services.value_submit(actor=personas.focal_a, value=world["draft"])
    rows = client.get(url, {"period": "2025"}).context["rows"]
    assert {row.value.unit for row in rows} == {personas.unit_a, personas.unit_b}
    rows = client.get(url, {"period": "2025", "unit": personas.unit_b.pk}).context["rows"]
    assert [row.value.unit for row in rows] == [personas.unit_b]
    # Unit B's focal point reads its own value, not unit A's waiting for review.
    rows = personas.client("focal_b").get(url, {"period": "2025"}).context["rows"]
    assert [row.value.unit for row in rows] == [personas.unit_b]
    assert client.get(url, {"period": "not-a-period"}).status_code == 404


def test_the_secretariat_creates_and_edits_a_definition(personas):
    client = personas.client("secretariat")
    data = {
        "code": "tthc.online_payment",
        "name": "Tỷ lệ TTHC thanh toán trực tuyến",
        "measure": "percent",
        "higher_is_better": "1",
        "entry": "unit",
        "source": "procedures",
        "period_kind": "year",
        "unit_kind": "",
        "group": "TTHC",
        "description": "",
        "basis": "NQ 76/NQ-CP",
    }
    response = client.post(reverse("indicators:indicator_create"), data)
    indicator = Indicator.objects.get(code="tthc.online_payment")
    assert response.status_code == 302
    response = client.post(reverse("indicators:indicator_create"), data)
    assert "đã có" in response.content.decode()
    response = client.post(reverse("indicators:indicator_edit", args=[indicator.pk]), {**data, "higher_is_better": "0"})
    indicator.refresh_from_db()
    assert response.status_code == 302 and indicator.higher_is_better is False
    assert AuditEntry.objects.filter(object_type="indicators.indicator", action="update").exists()


def test_the_secretariat_adds_edits_and_deletes_a_target_with_confirmation(personas, digitised):
    client = personas.client("secretariat")
    url = reverse("indicators:target_create", args=[digitised.pk])
    response = client.post(url, {"year": "2025", "unit_kind": "", "value": "80,5", "step": "", "cap": "", "note": ""})
    assert response.status_code == 302
    target = Target.objects.get(year=2025)
    assert target.value == Decimal("80.5")
    response = client.post(url, {"year": "2026", "value": "12", "step": "5", "cap": "3"})
    assert "Mức tối đa" in response.content.decode()
    response = client.post(url, {"year": "2026", "value": "mười"})
    assert "Hãy nhập một số" in response.content.decode()
    edit = reverse("indicators:target_edit", args=[digitised.pk, target.pk])
    assert client.post(edit, {"year": "2025", "value": "85"}).status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal(85)
    delete = reverse("indicators:target_delete", args=[digitised.pk, target.pk])
    assert "Xóa" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert client.post(delete).status_code == 302  # a second click
    assert not Target.objects.filter(pk=target.pk).exists()
    assert AuditEntry.objects.filter(object_type="indicators.target", action="delete").count() == 1


def test_a_focal_point_enters_uploads_and_submits_through_the_pages(personas, digitised):
    client = personas.client("focal_b")
    entries = client.get(reverse("indicators:entry_list"), {"year": "2025"})
    assert any(row.unit == personas.unit_b and row.target == Decimal(95) for row in entries.context["rows"])
    url = reverse("indicators:value_edit", args=[digitised.pk, personas.unit_b.pk, "2025"])
    assert "95" in client.get(url).content.decode()
    assert "0–100" in client.post(url, {"value": "120"}).content.decode()
    response = client.post(url, {"value": "96,5", "note": "Theo hệ thống một cửa"})
    value = IndicatorValue.objects.get(unit=personas.unit_b)
    assert response.url == reverse("indicators:value_detail", args=[value.pk])
    submit = reverse("indicators:value_submit", args=[value.pk])
    response = client.post(submit, follow=True)
    assert "minh chứng" in response.content.decode()
    bad = client.post(reverse("indicators:evidence_add", args=[value.pk]), {"file": pdf_upload("x.exe")}, follow=True)
    assert bad.status_code == 200 and value.evidence.count() == 0
    client.post(reverse("indicators:evidence_add", args=[value.pk]), {"file": pdf_upload()})
    assert value.evidence.count() == 1
    client.post(submit)
    value.refresh_from_db()
    assert value.state == ValueState.SUBMITTED and value.value == Decimal("96.5")
    assert client.get(url).status_code == 302  # no longer editable: back to the value's page


def test_the_secretariat_accepts_once_even_when_clicking_twice(personas, world):
    client = personas.client("secretariat")
    value = world["submitted"]
    queue = client.get(reverse("indicators:review_queue")).context["values"]
    assert list(queue) == [value]
    url = reverse("indicators:value_accept", args=[value.pk])
    assert "được khóa" in client.get(url).content.decode()
    client.post(url)
    response = client.post(url, follow=True)
    assert "đã được xác nhận" in response.content.decode()
    value.refresh_from_db()
    assert value.state == ValueState.ACCEPTED
    states = [
        entry.changes.get("state")
        for entry in AuditEntry.objects.filter(object_type="indicators.indicatorvalue", object_id=str(value.pk))
    ]
    assert states.count(["submitted", "accepted"]) == 1


def test_the_secretariat_returns_with_a_reason(personas, world):
    client = personas.client("secretariat")
    value = world["submitted"]
    url = reverse("indicators:value_return", args=[value.pk])
    assert "Hãy ghi lý do" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Thiếu số liệu quý IV"}).status_code == 302
    value.refresh_from_db()
    assert value.state == ValueState.RETURNED and value.return_reason == "Thiếu số liệu quý IV"
    page = personas.client("focal_b").get(reverse("indicators:value_detail", args=[value.pk])).content.decode()
    assert "Thiếu số liệu quý IV" in page and "Gửi để xác nhận" in page


def test_the_navigation_links_to_the_indicators(personas):
    page = personas.client("supervisor").get(reverse("indicators:indicator_list")).content.decode()
    assert reverse("indicators:indicator_list") in page


def test_a_value_page_shows_the_trend_and_the_unit_removes_evidence_before_sending(personas, world):
    client = personas.client("focal_a")
    draft = world["draft"]
    response = client.get(reverse("indicators:value_detail", args=[draft.pk]))
    assert response.context["row"].previous == Decimal(60)  # the accepted 2024 value
    assert 'data-trend="better"' in response.content.decode()
    evidence = draft.evidence.get()
    url = reverse("indicators:evidence_delete", args=[draft.pk, evidence.pk])
    assert personas.client("focal_b").post(url).status_code == 404
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second click
    assert not draft.evidence.exists()
    accepted = world["accepted"]
    locked = accepted.evidence.get()
    client.post(reverse("indicators:evidence_delete", args=[accepted.pk, locked.pk]))
    assert accepted.evidence.filter(pk=locked.pk).exists()


def test_the_detail_offers_the_periods_that_have_values_of_another_kind(personas, digitised):
    rate = services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ nhiệm vụ hoàn thành đúng hạn")
    quarter = Period(2025, PeriodKind.QUARTER, 3)
    services.value_publish(actor=None, indicator=rate, unit=personas.unit_a, period=quarter, value=75)
    client = personas.client("leader")
    url = reverse("indicators:indicator_detail", args=[rate.pk])
    assert quarter in client.get(url).context["periods"]
    rows = client.get(url, {"period": quarter.key}).context["rows"]
    assert [(row.value.value, row.status, row.value.get_origin_display()) for row in rows] == [
        (Decimal(75), "no_target", "Hệ thống tính")
    ]


def test_the_list_and_detail_pages_read_a_bounded_number_of_queries(personas, world, django_assert_max_num_queries):
    client = personas.client("secretariat")
    indicator = world["indicator"]
    for unit in (personas.front, personas.home_affairs, personas.office_a):
        services.value_publish(
            actor=None,
            indicator=services.indicator_ensure(code="x.rate", name="Tỷ lệ khác"),
            unit=unit,
            period=Period(2025, PeriodKind.YEAR),
            value=50,
        )
    client.get(reverse("indicators:indicator_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("indicators:indicator_list"))
    with django_assert_max_num_queries(20):
        client.get(reverse("indicators:indicator_detail", args=[indicator.pk]), {"period": "2025"})


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_writes_answer_each_persona_as_the_rules_say(personas, world, name):
    client = personas.client(name)
    draft, submitted = world["draft"], world["submitted"]
    evidence = draft.evidence.get()
    answers = {
        "submit_draft_a": client.post(reverse("indicators:value_submit", args=[draft.pk])).status_code,
        "evidence_add_a": client.post(
            reverse("indicators:evidence_add", args=[draft.pk]), {"file": pdf_upload("khac.pdf")}
        ).status_code,
        "evidence_delete_a": client.post(
            reverse("indicators:evidence_delete", args=[draft.pk, evidence.pk + 1000])
        ).status_code,
        "return_b": client.post(reverse("indicators:value_return", args=[submitted.pk]), {"reason": ""}).status_code,
        "create": client.post(reverse("indicators:indicator_create"), {}).status_code,
    }
    owner = {"admin": 302, "focal_a": 302, "anonymous": 302}
    expected = {
        "submit_draft_a": owner.get(name, 404),
        "evidence_add_a": owner.get(name, 404),
        "evidence_delete_a": owner.get(name, 404),
        "return_b": {"admin": 200, "secretariat": 200, "anonymous": 302, "focal_a": 404}.get(name, 403),
        "create": {"admin": 200, "secretariat": 200, "anonymous": 302}.get(name, 403),
    }
    assert answers == expected
    submitted.refresh_from_db()
    assert submitted.state == ValueState.SUBMITTED


def test_the_detail_opens_on_the_latest_period_with_a_value_the_reader_may_see(personas, digitised):
    services.value_publish(
        actor=None, indicator=digitised, unit=personas.unit_a, period=Period(2024, PeriodKind.YEAR), value=40
    )
    url = reverse("indicators:indicator_detail", args=[digitised.pk])
    response = personas.client("leader").get(url)
    assert response.context["period"] == Period(2024, PeriodKind.YEAR)
    assert [row.value.value for row in response.context["rows"] if row.value is not None] == [Decimal(40)]
    assert personas.client("leader").get(url, {"period": "2025"}).context["period"] == Period(2025, PeriodKind.YEAR)


def test_the_list_names_each_indicator_in_vietnamese_and_shows_its_code_to_the_secretariat_only(personas, world):
    services.indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ nhiệm vụ hoàn thành đúng hạn")
    url = reverse("indicators:indicator_list")
    leader = personas.client("leader").get(url).content.decode()
    assert '<a href="' in leader and ">Tỷ lệ nhiệm vụ hoàn thành đúng hạn</a>" in leader
    assert "tasks.on_time_rate" not in leader
    secretariat = personas.client("secretariat").get(url).content.decode()
    assert '<small class="muted" data-testid="indicator-code">tasks.on_time_rate</small>' in secretariat
