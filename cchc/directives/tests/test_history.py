"""Directives issued before a reorganisation of the unit tree (such as the merger of 1 July 2025), and continuous
tasks whose period report waits for the secretariat's acceptance."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditEntry
from cchc.directives import services
from cchc.directives.models import Assignment, DeadlineKind, Directive, DirectiveKind, Task
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.selectors import successors_on
from cchc.organisations.services import UnitData, unit_create, unit_merge, unit_split
from cchc.testing.personas import Personas

from .conftest import make_task

ISSUED_2021 = datetime.date(2021, 8, 25)
MERGER = datetime.date(2025, 7, 1)


def build_history(personas: Personas) -> dict[str, Unit]:
    """Huyện Sông Cũ (closed, no successor) with Xã Bằng Doãn, merged into Phường Sông Lô on 1 July 2025."""
    district = unit_create(
        actor=None,
        data=UnitData(
            name="Huyện Sông Cũ", kind=UnitKind.DISTRICT, code="T-P-HSC", valid_to=MERGER - datetime.timedelta(days=1)
        ),
        parent=personas.province,
    )
    commune = unit_create(
        actor=None,
        data=UnitData(name="Xã Bằng Doãn", kind=UnitKind.COMMUNE, code="T-P-HSC-BD", subtype="commune"),
        parent=district,
    )
    ward = unit_merge(
        actor=None,
        units=[commune],
        new_unit=UnitData(name="Phường Sông Lô", kind=UnitKind.COMMUNE, code="T-P-PSL", subtype="ward"),
        parent=personas.province,
        effective_date=MERGER,
        move_children=False,
    )
    return {"district": district, "commune": Unit.objects.get(pk=commune.pk), "ward": ward}


@pytest.fixture
def history(personas: Personas) -> dict[str, Unit]:
    return build_history(personas)


def _old_directive(personas: Personas, history: dict[str, Unit]) -> Directive:
    return services.directive_create(
        actor=personas.secretariat,
        data=services.DirectiveData(
            kind=DirectiveKind.OFFICIAL_LETTER,
            subject="Về việc nâng cao Chỉ số CCHC",
            issuing_unit=history["district"],
            reference="512/UBND-NV",
            issued_on=ISSUED_2021,
        ),
    )


# ---------------------------------------------------------------------------
# The issuer


def test_the_issuer_list_offers_the_units_in_force_on_the_issue_date(
    personas: Personas, history: dict[str, Unit]
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:directive_create")
    today = client.get(url).content.decode()
    assert "Huyện Sông Cũ" not in today and "Phường Sông Lô" in today
    assert 'hx-post="/directives/new/"' in today and 'id="issuer-field"' in today
    # The date field's request (htmx), or the button shown without JavaScript, reloads the list for the date.
    posted = {"kind": "cong_van", "subject": "Về việc nâng cao Chỉ số CCHC", "issued_on": "25/08/2021"}
    page = client.post(url, {**posted, "_issuer_refresh": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and not Directive.objects.exists()
    assert "Huyện Sông Cũ" in html and "Phường Sông Lô" not in html
    assert "Về việc nâng cao Chỉ số CCHC" in html  # what was typed is kept
    assert "errorlist" not in html


def test_a_directive_of_a_district_closed_since_is_registered_with_its_real_date(
    personas: Personas, history: dict[str, Unit]
) -> None:
    response = personas.client("secretariat").post(
        reverse("directives:directive_create"),
        {
            "kind": "cong_van",
            "subject": "Về việc nâng cao Chỉ số CCHC",
            "issued_on": "2021-08-25",
            "issuing_unit": history["district"].pk,
        },
    )
    directive = Directive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:task_create", args=[directive.pk])
    assert directive.issuing_unit == history["district"] and directive.issued_on == ISSUED_2021


def test_an_issuer_not_in_force_on_the_issue_date_is_refused_in_the_form_and_the_service(
    personas: Personas, history: dict[str, Unit]
) -> None:
    response = personas.client("secretariat").post(
        reverse("directives:directive_create"),
        {"kind": "cong_van", "subject": "Kết luận", "issued_on": "2021-08-25", "issuing_unit": history["ward"].pk},
    )
    assert response.status_code == 200
    assert "không hoạt động vào ngày ban hành văn bản (25/08/2021)" in response.content.decode()
    with pytest.raises(ServiceError, match="Huyện Sông Cũ không hoạt động vào ngày 01/09/2025"):
        services.directive_create(
            actor=personas.secretariat,
            data=services.DirectiveData(
                kind=DirectiveKind.OFFICIAL_LETTER,
                subject="Kết luận",
                issuing_unit=history["district"],
                issued_on=datetime.date(2025, 9, 1),
            ),
        )
    assert not Directive.objects.exists()


# ---------------------------------------------------------------------------
# Tasks of units closed since


def test_a_task_for_a_commune_merged_since_asks_to_confirm_its_successor(
    personas: Personas, history: dict[str, Unit]
) -> None:
    directive = _old_directive(personas, history)
    client = personas.client("secretariat")
    url = reverse("directives:task_create", args=[directive.pk])
    data: dict[str, Any] = {
        "content": "Rà soát, đơn giản hóa thủ tục hành chính",
        "units": [history["commune"].pk, history["district"].pk],
        "deadline_kind": "date",
        "deadline": "2021-12-31",
        "expected_output": "report",
    }
    page = client.post(url, data)
    html = page.content.decode()
    assert page.status_code == 200 and not Task.objects.exists()
    assert "Xã Bằng Doãn (Huyện Sông Cũ) → Phường Sông Lô" in html
    assert "Huyện Sông Cũ → không có đơn vị kế thừa" in html
    assert 'name="successors" value="use"' in html and 'name="successors" value="keep"' in html
    response = client.post(url, {**data, "successors": "use"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert sorted(task.assignments.values_list("unit__name", flat=True)) == ["Huyện Sông Cũ", "Phường Sông Lô"]
    assert task.succession_note == "Xã Bằng Doãn → Phường Sông Lô"
    entry = AuditEntry.objects.get(object_type="directives.task", object_id=str(task.pk))
    assert entry.changes["succession_note"] == [None, "Xã Bằng Doãn → Phường Sông Lô"]
    detail = client.get(reverse("directives:directive_detail", args=[directive.pk])).content.decode()
    assert "Giao đơn vị kế thừa:" in detail and "Xã Bằng Doãn → Phường Sông Lô" in detail


def test_keeping_the_units_as_written_assigns_the_closed_commune_and_going_back_saves_nothing(
    personas: Personas, history: dict[str, Unit]
) -> None:
    directive = _old_directive(personas, history)
    client = personas.client("secretariat")
    url = reverse("directives:task_create", args=[directive.pk])
    data = {
        "content": "Báo cáo kết quả năm 2021",
        "units": [history["commune"].pk],
        "deadline_kind": "date",
        "deadline": "2021-12-15",
        "expected_output": "report",
    }
    back = client.post(url, {**data, "successors": "edit"})
    assert back.status_code == 200 and "Báo cáo kết quả năm 2021" in back.content.decode()
    assert not Task.objects.exists()
    assert client.post(url, {**data, "successors": "keep"}).status_code == 302
    assert Assignment.objects.get().unit == history["commune"]
    assert Task.objects.get().succession_note == ""


def test_a_task_of_a_directive_whose_units_are_all_in_force_needs_no_confirmation(
    personas: Personas, directive: Directive
) -> None:
    response = personas.client("secretariat").post(
        reverse("directives:task_create", args=[directive.pk]),
        {
            "content": "Rà soát",
            "units": [personas.unit_a.pk],
            "deadline_kind": "date",
            "deadline": "2025-09-30",
            "expected_output": "report",
        },
    )
    assert response.status_code == 302 and Task.objects.count() == 1


def test_the_service_hands_over_only_units_closed_since_that_have_successors(
    personas: Personas, history: dict[str, Unit]
) -> None:
    directive = _old_directive(personas, history)

    def task(*inherits: Unit) -> Task:
        return services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=services.TaskData(
                content="Rà soát",
                deadline_kind=DeadlineKind.DATE,
                deadline=datetime.date(2021, 12, 31),
                units=[history["commune"]],
                inherits_from=inherits,
            ),
        )

    with pytest.raises(ServiceError, match="vẫn đang hoạt động"):
        task(personas.unit_a)
    with pytest.raises(ServiceError, match="không có đơn vị kế thừa đang hoạt động: Huyện Sông Cũ"):
        task(history["district"])
    assert [assignment.unit for assignment in task(history["commune"]).assignments.all()] == [history["ward"]]


def test_successors_are_followed_through_later_reorganisations(personas: Personas, history: dict[str, Unit]) -> None:
    later = datetime.date(2026, 1, 1)
    halves = unit_split(
        actor=None,
        unit=history["ward"],
        into=[
            UnitData(name="Phường Đông", kind=UnitKind.COMMUNE, code="T-P-PD", subtype="ward"),
            UnitData(name="Phường Tây", kind=UnitKind.COMMUNE, code="T-P-PT", subtype="ward"),
        ],
        effective_date=later,
    )
    found = successors_on([history["commune"], personas.unit_a], later)
    assert found == {history["commune"].pk: halves}
    assert successors_on([history["commune"]], MERGER) == {history["commune"].pk: [history["ward"]]}


def test_a_deadline_before_the_issue_date_is_refused_with_a_message(
    personas: Personas, history: dict[str, Unit]
) -> None:
    directive = _old_directive(personas, history)
    url = reverse("directives:task_create", args=[directive.pk])
    client = personas.client("secretariat")
    data = {
        "content": "Rà soát",
        "units": [history["district"].pk],
        "deadline_kind": "date",
        "deadline": "2021-08-01",
        "expected_output": "report",
    }
    page = client.post(url, data).content.decode()
    assert "Thời hạn không được trước ngày ban hành văn bản (25/08/2021)." in page
    period = client.post(url, {**data, "deadline_kind": "period", "period_key": "2021-Q2"}).content.decode()
    assert "Kỳ của thời hạn đã kết thúc trước ngày ban hành văn bản." in period
    assert not Task.objects.exists()
    with pytest.raises(ServiceError, match="Thời hạn không được trước ngày ban hành văn bản"):
        services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=services.TaskData(
                content="Rà soát",
                deadline_kind=DeadlineKind.DATE,
                deadline=datetime.date(2021, 8, 1),
                units=[history["district"]],
            ),
        )


# ---------------------------------------------------------------------------
# Continuous tasks: a 100 % report waits for acceptance everywhere it is shown


def test_a_full_report_on_a_continuous_task_reads_as_waiting_for_acceptance_everywhere(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(datetime.date(2025, 9, 10), tick=False):
        task = make_task(personas, directive, personas.unit_a, kind=DeadlineKind.CONTINUOUS, deadline=None)
        assignment = task.assignments.get(occurrence__period_key="2025-Q3")
        focal = personas.client("focal_a")
        response = focal.post(
            reverse("directives:report_create", args=[assignment.pk]),
            {"percent": 100, "text": "Đã thực hiện đầy đủ trong quý III"},
            follow=True,
        )
        page = response.content.decode()
        assert "đang chờ cơ quan thường trực xác nhận" in page
        assert "Hoàn thành đúng hạn" not in page
        mine = focal.get(reverse("directives:my_tasks")).content.decode()
        waiting = mine.split('data-testid="waiting"', 1)[1].split("</section>", 1)[0]
        assert task.content[:40] in waiting
        tracker = personas.client("secretariat").get(reverse("directives:tracker")).content.decode()
        assert "Hoàn thành đúng hạn</span>" not in tracker and "chờ xác nhận" in tracker
        _token, raw = api_token_create(actor=personas.focal_a, user=personas.focal_a, name="thử")
        api = focal.get(
            f"/api/directives/assignments/{assignment.pk}", headers={"Authorization": f"Bearer {raw}"}
        ).json()
        assert api["status"] == "in_progress" and api["review_pending"] is True
    with time_machine.travel(datetime.date(2025, 10, 2), tick=False):
        # Past the period's end and still unaccepted: due, not done on time, in the published rates too.
        assert services.on_time_counts(Period(2025, PeriodKind.QUARTER, 3))[personas.unit_a.pk] == (0, 1)


def test_a_successor_with_the_same_name_is_told_apart_from_the_closed_unit(personas: Personas) -> None:
    old = unit_create(
        actor=None,
        data=UnitData(name="Xã Bằng Luân", kind=UnitKind.COMMUNE, code="T-P-XBL-CU", subtype="commune"),
        parent=personas.province,
    )
    new = unit_merge(
        actor=None,
        units=[old],
        new_unit=UnitData(name="Xã Bằng Luân", kind=UnitKind.COMMUNE, code="T-P-XBL", subtype="commune"),
        parent=personas.province,
        effective_date=MERGER,
    )
    old.refresh_from_db()
    assert services.succession_note([old], {old.pk: [new]}) == "Xã Bằng Luân cũ → Xã Bằng Luân"


def test_continuous_periods_completed_without_acceptance_are_reopened_by_the_migration(
    personas: Personas, directive: Directive
) -> None:
    import importlib

    from django.apps import apps

    from cchc.directives.models import ProgressReport

    migration = importlib.import_module("cchc.directives.migrations.0006_reopen_unaccepted_continuous_reports")
    task = make_task(personas, directive, personas.unit_a, kind=DeadlineKind.CONTINUOUS, deadline=None)
    q3, q4 = task.assignments.order_by("due_date")[:2]
    with time_machine.travel(datetime.date(2025, 9, 10), tick=False):
        full = services.report_submit(actor=personas.focal_a, assignment=q3, percent=100, text="Quý III")
        services.report_submit(actor=personas.focal_a, assignment=q4, percent=60, text="Quý IV")
    # What the former rule stored: the period completed on the report's day, nobody accepted it.
    ProgressReport.objects.filter(pk=full.pk).update(review_state="")
    Assignment.objects.filter(pk__in=[q3.pk, q4.pk]).update(
        completed_on=datetime.date(2025, 9, 10), review_pending=False
    )
    migration.reopen(apps, None)
    q3.refresh_from_db()
    q4.refresh_from_db()
    full.refresh_from_db()
    assert q3.completed_on is None and q3.review_pending and full.review_state == "pending"
    assert q4.completed_on is None and not q4.review_pending


def test_the_issuer_search_box_searches_the_units_in_force_on_the_issue_date(
    personas: Personas, history: dict[str, Unit], settings: Any
) -> None:
    import html as html_lib
    import re
    from urllib.parse import quote

    settings.UNIT_PICKER_SELECT_LIMIT = 2  # the search box, as for a province with hundreds of units
    client = personas.client("secretariat")
    url = reverse("directives:directive_create")

    def search_url(page: str) -> str:
        block = page.split('id="issuer-field"', 1)[1]
        found = re.search(r'data-url="([^"]+)"', block)
        assert found is not None
        return html_lib.unescape(found.group(1))

    today = search_url(client.get(url).content.decode())
    then = search_url(client.post(url, {"issued_on": "2021-08-25", "_issuer_refresh": "1"}).content.decode())

    def names(address: str, text: str) -> list[str]:
        return [row["name"] for row in client.get(f"{address}&q={quote(text)}").json()["results"]]

    assert names(today, "Sông Cũ") == [] and names(today, "Sông Lô") == ["Phường Sông Lô"]
    assert names(then, "Sông Cũ") == ["Huyện Sông Cũ"] and names(then, "Sông Lô") == []
    # Without JavaScript the typed search is resolved on the server against the same date.
    response = client.post(
        url,
        {
            "kind": "cong_van",
            "subject": "Về việc nâng cao Chỉ số CCHC",
            "issued_on": "2021-08-25",
            "issuing_unit__search": "Huyện Sông Cũ",
        },
    )
    assert response.status_code == 302 and Directive.objects.get().issuing_unit == history["district"]


# ---------------------------------------------------------------------------
# Open work of units that closed after the directive was registered


@pytest.fixture
def registered_before_merger(personas: Personas) -> dict[str, Any]:
    """A plan registered in June 2025 gives a task to Xã Bằng Doãn and Xã Hòa Bình; Xã Bằng Doãn merges on 1 July."""
    commune = unit_create(
        actor=None,
        data=UnitData(name="Xã Bằng Doãn", kind=UnitKind.COMMUNE, code="T-P-XBD", subtype="commune"),
        parent=personas.province,
    )
    directive = services.directive_create(
        actor=personas.secretariat,
        data=services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject="Kế hoạch CCHC năm 2025",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 6, 1),
        ),
    )
    plain = make_task(personas, directive, commune, personas.unit_b, deadline=datetime.date(2025, 12, 31))
    make_task(personas, directive, commune, deadline=datetime.date(2025, 6, 20), content="Báo cáo sơ kết 6 tháng")
    quarterly = make_task(
        personas, directive, commune, kind=DeadlineKind.RECURRING, recurrence="quarterly", deadline=None
    )
    reported = quarterly.assignments.get(occurrence__period_key="2025-Q2")
    with time_machine.travel(datetime.date(2025, 6, 20), tick=False):
        services.report_submit(actor=personas.secretariat, assignment=reported, percent=50, text="Đang thực hiện")
    ward = unit_merge(
        actor=None,
        units=[commune],
        new_unit=UnitData(name="Phường Sông Lô", kind=UnitKind.COMMUNE, code="T-P-PSL", subtype="ward"),
        parent=personas.province,
        effective_date=MERGER,
    )
    return {"directive": directive, "commune": commune, "ward": ward, "plain": plain, "quarterly": quarterly}


def test_open_work_of_a_commune_merged_since_is_handed_over_to_its_successor_after_confirmation(
    personas: Personas, registered_before_merger: dict[str, Any]
) -> None:
    setup = registered_before_merger
    directive, commune, ward = setup["directive"], setup["commune"], setup["ward"]
    client = personas.client("secretariat")
    detail = client.get(reverse("directives:directive_detail", args=[directive.pk])).content.decode()
    assert "Xã Bằng Doãn → Phường Sông Lô (3 lượt theo dõi)" in " ".join(detail.split())
    url = reverse("directives:directive_hand_over", args=[directive.pk])
    page = client.get(url).content.decode()
    assert 'name="units"' in page and "Phường Sông Lô" in page
    assert Assignment.objects.filter(unit=ward).count() == 0  # nothing moves without the confirmation
    response = client.post(url, {"units": [commune.pk]})
    assert response.status_code == 302
    plain = setup["plain"].assignments
    assert sorted(plain.values_list("unit__name", flat=True)) == ["Phường Sông Lô", "Xã Hòa Bình"]
    assert plain.get(unit=ward).due_date == datetime.date(2025, 12, 31)
    quarterly = setup["quarterly"].assignments
    # Work due before the merger and the quarter the commune reported on stay its record; the rest goes to the
    # ward with its due dates.
    assert Assignment.objects.get(task__content="Báo cáo sơ kết 6 tháng").unit == commune
    assert list(quarterly.filter(unit=commune).values_list("occurrence__period_key", flat=True)) == ["2025-Q2"]
    assert sorted(quarterly.filter(unit=ward).values_list("occurrence__period_key", flat=True)) == [
        "2025-Q3",
        "2025-Q4",
    ]
    setup["plain"].refresh_from_db()
    assert setup["plain"].succession_note == "Xã Bằng Doãn → Phường Sông Lô"
    assert AuditEntry.objects.filter(object_type="directives.task", changes__has_key="succession_note").count() == 2
    again = client.get(reverse("directives:directive_detail", args=[directive.pk])).content.decode()
    assert 'data-testid="hand-over"' not in again


def test_hand_over_needs_a_choice_and_the_right_to_manage_the_directive(
    personas: Personas, registered_before_merger: dict[str, Any]
) -> None:
    directive = registered_before_merger["directive"]
    url = reverse("directives:directive_hand_over", args=[directive.pk])
    response = personas.client("secretariat").post(url, {})
    assert response.status_code == 400 and "Chọn ít nhất một đơn vị" in response.content.decode()
    assert personas.client("leader").post(url, {"units": [registered_before_merger["commune"].pk]}).status_code == 403
    assert personas.client("focal_b").get(url).status_code in (403, 404)
    assert not Assignment.objects.filter(unit=registered_before_merger["ward"]).exists()
    with pytest.raises(ServiceError, match="vẫn đang hoạt động"):
        services.directive_hand_over(actor=personas.secretariat, directive=directive, units=[personas.unit_b])
