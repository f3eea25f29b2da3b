from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cchc.assessments import remediation
from cchc.assessments.results import compute_round
from cchc.audit.models import AuditEntry
from cchc.directives.models import Assignment, DeadlineKind, Directive, DirectiveKind, ExpectedOutput, Task
from cchc.lib.errors import ServiceError
from cchc.organisations.models import UnitKind

from .factories import build_assessment, build_framework, build_round, leaves

TODAY = datetime.date(2025, 2, 10)


@pytest.fixture
def published(personas):
    """Unit A and Sở Nội vụ both lost 10 points on 2.1; Xã Hòa Bình lost 15 on 1.2 of the commune framework."""
    departments = build_framework()
    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    round_ = build_round(organiser=personas.province, frameworks=[departments, communes])
    a = build_assessment(round_, personas.unit_a, departments, {"2.1": 20})
    home = build_assessment(round_, personas.home_affairs, departments, {"2.1": 20, "4.1": -2})
    b = build_assessment(round_, personas.unit_b, communes, {"1.2": 5})
    compute_round(round_)
    return round_, a, home, b


def _url(name, *args):
    return reverse(f"assessments:{name}", args=args)


def _next_quarter_end() -> datetime.date:
    return remediation.default_deadline(datetime.date.today())


# ---------------------------------------------------------------------------
# The service


def test_a_units_selected_gaps_become_one_plan_with_a_task_per_criterion(personas, published):
    round_, a, _home, _b = published
    criterion = leaves(a.framework)["2.1"]
    directive = remediation.remediation_tasks_create(
        actor=personas.secretariat,
        round_=round_,
        gaps=remediation.unit_selection(a, [criterion.pk]),
        deadline=datetime.date(2025, 6, 30),
        today=TODAY,
    )
    assert directive.kind == DirectiveKind.PLAN
    assert directive.issuing_unit == personas.province
    assert directive.subject == "Kế hoạch khắc phục các tiêu chí Chỉ số CCHC năm 2024 bị trừ điểm của Sở Tư pháp"
    assert directive.signer == "" and directive.reference == ""
    task = Task.objects.get(directive=directive)
    assert task.content == "Khắc phục tiêu chí 2.1 Tỷ lệ hồ sơ giải quyết đúng hạn: đạt 20/30 điểm."
    assert list(task.criteria.all()) == [criterion]
    assert task.lead_unit == personas.unit_a
    assert task.expected_output == ExpectedOutput.REPORT
    assert task.deadline_kind == DeadlineKind.DATE and task.deadline == datetime.date(2025, 6, 30)
    assignment = Assignment.objects.get(task=task)
    assert assignment.unit == personas.unit_a and assignment.due_date == datetime.date(2025, 6, 30)
    audited = set(AuditEntry.objects.filter(actor=personas.secretariat).values_list("object_type", flat=True))
    assert {"directives.directive", "directives.task"} <= audited


def test_a_criterion_from_the_points_lost_page_fans_out_to_every_unit_that_lost_points_on_it(personas, published):
    round_, a, _home, _b = published
    criterion = leaves(a.framework)["2.1"]
    directive = remediation.remediation_tasks_create(
        actor=personas.secretariat,
        round_=round_,
        gaps=remediation.round_selection(round_, [criterion.pk]),
        deadline=None,
        today=TODAY,
    )
    assert directive.subject == "Kế hoạch khắc phục các tiêu chí Chỉ số CCHC năm 2024 bị trừ điểm"
    task = Task.objects.get(directive=directive)
    assert task.lead_unit is None
    assert task.deadline == datetime.date(2025, 6, 30)  # end of the quarter after 10 February 2025
    assert list(task.criteria.all()) == [criterion]
    units = set(Assignment.objects.filter(task=task).values_list("unit__name", flat=True))
    assert units == {"Sở Tư pháp", "Sở Nội vụ"}
    assert "Sở Tư pháp đạt 20/30 điểm" in task.content and "Sở Nội vụ đạt 20/30 điểm" in task.content


def test_a_penalty_gap_says_how_many_points_were_deducted(personas, published):
    round_, _a, home, _b = published
    penalty = leaves(home.framework)["4.1"]
    directive = remediation.remediation_tasks_create(
        actor=personas.secretariat, round_=round_, gaps=remediation.unit_selection(home, [penalty.pk]), today=TODAY
    )
    assert directive.tasks.get().content == "Khắc phục tiêu chí 4.1 Cán bộ vi phạm kỷ luật hành chính: bị trừ 2 điểm."


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_the_default_deadline_is_the_end_of_the_next_quarter(day):
    deadline = remediation.default_deadline(day)
    assert deadline.month in (3, 6, 9, 12)
    assert (deadline + datetime.timedelta(days=1)).day == 1
    assert 90 <= (deadline - day).days <= 184


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([], "Chọn ít nhất một tiêu chí để lập kế hoạch khắc phục."),
        (["abc"], "Tiêu chí đã chọn không hợp lệ."),
        (["1.1.1"], "Có tiêu chí đã chọn không bị mất điểm trong kỳ đánh giá này."),  # 1.1.1 is at its max
    ],
)
def test_a_selection_without_a_real_gap_is_refused_in_vietnamese(personas, published, chosen, message):
    round_, a, _home, _b = published
    ids = [leaves(a.framework)[code].pk if code == "1.1.1" else code for code in chosen]
    with pytest.raises(ServiceError) as error:
        remediation.unit_selection(a, ids)
    assert error.value.message == message
    with pytest.raises(ServiceError) as error:
        remediation.round_selection(round_, ids)
    assert error.value.message == message


def test_a_deadline_in_the_past_creates_nothing(personas, published):
    round_, a, _home, _b = published
    gaps = remediation.unit_selection(a, [leaves(a.framework)["2.1"].pk])
    with pytest.raises(ServiceError) as error:
        remediation.remediation_tasks_create(
            actor=personas.secretariat, round_=round_, gaps=gaps, deadline=datetime.date(2025, 1, 1), today=TODAY
        )
    assert error.value.message == "Thời hạn hoàn thành không được trước ngày hôm nay."
    assert not Directive.objects.exists() and not Task.objects.exists()


# ---------------------------------------------------------------------------
# The unit result page


@pytest.mark.parametrize("name", ["secretariat", "admin"])
def test_the_secretariat_turns_a_units_gaps_into_tracked_tasks(personas, published, name):
    round_, a, _home, _b = published
    client = personas.client(name)
    page = client.get(_url("results_unit", round_.pk, a.pk)).content.decode()
    assert "Tạo kế hoạch khắc phục" in page
    assert f'value="{_next_quarter_end():%Y-%m-%d}"' in page
    criterion = leaves(a.framework)["2.1"]
    response = client.post(
        _url("results_remediation_tasks", round_.pk, a.pk), {"gaps": [criterion.pk], "deadline": "30/06/2099"}
    )
    directive = Directive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:directive_detail", args=[directive.pk])
    assert Assignment.objects.get().due_date == datetime.date(2099, 6, 30)
    detail = client.get(response["Location"]).content.decode()
    assert "Khắc phục tiêu chí 2.1" in detail


@pytest.mark.parametrize(
    ("name", "status"), [("focal_a", 403), ("leader", 403), ("appraiser", 403), ("supervisor", 403)]
)
def test_others_do_not_see_the_button_and_cannot_create_the_tasks(personas, published, name, status):
    round_, a, _home, _b = published
    client = personas.client(name)
    page = client.get(_url("results_unit", round_.pk, a.pk))
    assert page.status_code == 200
    assert "Tạo kế hoạch khắc phục" not in page.content.decode()
    assert "Lập kế hoạch khắc phục (Excel)" in page.content.decode()
    criterion = leaves(a.framework)["2.1"]
    response = client.post(_url("results_remediation_tasks", round_.pk, a.pk), {"gaps": [criterion.pk]})
    assert response.status_code == status
    assert not Directive.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(personas, published):
    round_, a, _home, _b = published
    response = personas.client("anonymous").post(
        _url("results_remediation_tasks", round_.pk, a.pk), {"gaps": [leaves(a.framework)["2.1"].pk]}
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Directive.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "2099-06-30"}, "Chọn ít nhất một tiêu chí để lập kế hoạch khắc phục."),
        ({"deadline": "không rõ"}, "Thời hạn hoàn thành không hợp lệ"),
        ({"deadline": "2001-01-01"}, "Thời hạn hoàn thành không được trước ngày hôm nay."),
        ({"gaps": ["abc"]}, "Tiêu chí đã chọn không hợp lệ."),
    ],
)
def test_bad_input_on_the_unit_page_answers_in_vietnamese_and_creates_nothing(personas, published, data, message):
    round_, a, _home, _b = published
    if "gaps" not in data:
        data = {**data, "gaps": [leaves(a.framework)["2.1"].pk]} if "ít nhất" not in message else data
    response = personas.client("secretariat").post(_url("results_remediation_tasks", round_.pk, a.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Directive.objects.exists() and not Task.objects.exists()


def test_the_created_tasks_show_up_in_the_assessed_units_task_list(personas, published):
    round_, a, _home, _b = published
    criterion = leaves(a.framework)["2.1"]
    personas.client("secretariat").post(_url("results_remediation_tasks", round_.pk, a.pk), {"gaps": [criterion.pk]})
    assert Directive.objects.count() == 1
    mine = personas.client("focal_a").get(reverse("directives:my_tasks")).content.decode()
    assert "Khắc phục tiêu chí 2.1" in mine
    other = personas.client("focal_b").get(reverse("directives:my_tasks")).content.decode()
    assert "Khắc phục tiêu chí 2.1" not in other


def test_the_excel_plan_is_still_downloaded_from_the_same_form(personas, published):
    round_, a, _home, _b = published
    response = personas.client("secretariat").post(
        _url("results_remediation_plan_xlsx", round_.pk, a.pk), {"gaps": [leaves(a.framework)["2.1"].pk]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not Directive.objects.exists()


# ---------------------------------------------------------------------------
# The points-lost page


def test_the_secretariat_creates_tasks_for_every_unit_from_the_points_lost_page(personas, published):
    round_, a, _home, b = published
    client = personas.client("secretariat")
    page = client.get(_url("results_points_lost", round_.pk)).content.decode()
    assert "Tạo kế hoạch khắc phục" in page
    chosen = [leaves(a.framework)["2.1"].pk, leaves(b.framework)["1.2"].pk]
    response = client.post(_url("results_points_lost_tasks", round_.pk), {"gaps": chosen, "deadline": "2099-03-31"})
    directive = Directive.objects.get()
    assert response["Location"] == reverse("directives:directive_detail", args=[directive.pk])
    rows = set(Assignment.objects.filter(directive=directive).values_list("task__section", "unit__name"))
    assert rows == {("2.1", "Sở Tư pháp"), ("2.1", "Sở Nội vụ"), ("1.2", "Xã Hòa Bình")}
    assert "Khắc phục tiêu chí 1.2" in personas.client("focal_b").get(reverse("directives:my_tasks")).content.decode()


def test_the_leader_sees_the_points_lost_page_without_the_button_and_cannot_post(personas, published):
    round_, a, _home, _b = published
    client = personas.client("leader")
    page = client.get(_url("results_points_lost", round_.pk))
    assert page.status_code == 200 and "Tạo kế hoạch khắc phục" not in page.content.decode()
    response = client.post(_url("results_points_lost_tasks", round_.pk), {"gaps": [leaves(a.framework)["2.1"].pk]})
    assert response.status_code == 403
    assert not Directive.objects.exists()


def test_the_points_lost_page_refuses_a_criterion_nobody_lost_points_on(personas, published):
    round_, a, _home, _b = published
    at_max = leaves(a.framework)["1.1.1"].pk
    response = personas.client("secretariat").post(_url("results_points_lost_tasks", round_.pk), {"gaps": [at_max]})
    assert response.status_code == 400
    assert "Tiêu chí đã chọn không hợp lệ." in response.content.decode()
    assert not Directive.objects.exists()


# ---------------------------------------------------------------------------
# Units that merged away after the round, and plans submitted twice


MERGER = datetime.date(2025, 7, 1)


@pytest.fixture
def merged_away(personas):
    """Xã Bằng Doãn lost 5 points on 1.2 in the 2024 round, then merged into Phường Sông Lô on 1 July 2025."""
    from cchc.organisations.services import UnitData, unit_create, unit_merge

    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    round_ = build_round(organiser=personas.province, frameworks=[communes])
    old = unit_create(
        actor=None,
        data=UnitData(name="Xã Bằng Doãn", kind=UnitKind.COMMUNE, code="T-P-XBD", subtype="commune"),
        parent=personas.province,
    )
    assessment = build_assessment(round_, old, communes, {"1.2": 5})
    compute_round(round_)
    ward = unit_merge(
        actor=None,
        units=[old],
        new_unit=UnitData(name="Phường Sông Lô", kind=UnitKind.COMMUNE, code="T-P-PSL", subtype="ward"),
        parent=personas.province,
        effective_date=MERGER,
    )
    return round_, assessment, ward


def test_points_lost_by_a_commune_merged_away_are_assigned_to_its_successor_named_as_such(personas, merged_away):
    round_, assessment, ward = merged_away
    criterion = leaves(assessment.framework)["1.2"]
    directive = remediation.remediation_tasks_create(
        actor=personas.secretariat, round_=round_, gaps=remediation.unit_selection(assessment, [criterion.pk])
    )
    task = directive.tasks.get()
    assert [assignment.unit for assignment in task.assignments.all()] == [ward]
    assert "Phường Sông Lô (kế thừa Xã Bằng Doãn)" in task.content
    assert task.lead_label == "Phường Sông Lô (kế thừa Xã Bằng Doãn)"
    assert task.succession_note == "Xã Bằng Doãn → Phường Sông Lô"
    assert directive.subject.endswith("của Phường Sông Lô (kế thừa Xã Bằng Doãn)")
    assert directive.addressees == "Phường Sông Lô"


def test_the_plan_preview_and_the_excel_plan_name_the_successor(personas, merged_away):
    from io import BytesIO

    from openpyxl import load_workbook

    round_, assessment, _ward = merged_away
    client = personas.client("secretariat")
    page = client.get(_url("results_unit", round_.pk, assessment.pk)).content.decode()
    assert "Phường Sông Lô (kế thừa Xã Bằng Doãn)" in page
    lost = client.get(_url("results_points_lost", round_.pk)).content.decode()
    assert "Phường Sông Lô (kế thừa Xã Bằng Doãn)" in lost
    criterion = leaves(assessment.framework)["1.2"]
    response = client.post(_url("results_remediation_plan_xlsx", round_.pk, assessment.pk), {"gaps": [criterion.pk]})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "Phường Sông Lô (kế thừa Xã Bằng Doãn)" in cells


def test_the_plan_for_a_merged_commune_is_created_from_its_result_page(personas, merged_away):
    round_, assessment, ward = merged_away
    criterion = leaves(assessment.framework)["1.2"]
    response = personas.client("secretariat").post(
        _url("results_remediation_tasks", round_.pk, assessment.pk), {"gaps": [criterion.pk]}
    )
    assert response.status_code == 302
    assert Assignment.objects.get().unit == ward


def test_a_commune_closed_without_a_successor_is_refused_with_its_name(personas, published):
    round_, _a, _home, b = published
    b.unit.valid_to = datetime.date(2025, 6, 30)
    b.unit.save(update_fields=["valid_to"])
    criterion = leaves(b.framework)["1.2"]
    with pytest.raises(ServiceError, match="chưa có đơn vị kế thừa: Xã Hòa Bình"):
        remediation.remediation_tasks_create(
            actor=personas.secretariat, round_=round_, gaps=remediation.unit_selection(b, [criterion.pk])
        )
    assert not Directive.objects.exists()


def test_the_same_plan_submitted_twice_is_created_once_and_named(personas, published):
    from cchc.directives.services import DirectiveExistsError

    round_, a, _home, _b = published
    criterion = leaves(a.framework)["2.1"]
    first = remediation.remediation_tasks_create(
        actor=personas.secretariat, round_=round_, gaps=remediation.unit_selection(a, [criterion.pk])
    )
    with pytest.raises(DirectiveExistsError) as raised:
        remediation.remediation_tasks_create(
            actor=personas.secretariat, round_=round_, gaps=remediation.unit_selection(a, [criterion.pk])
        )
    assert raised.value.directive == first
    assert Directive.objects.count() == 1 and Task.objects.count() == 1
    # Another selection is another plan.
    other = remediation.remediation_tasks_create(
        actor=personas.secretariat, round_=round_, gaps=remediation.round_selection(round_, [criterion.pk])
    )
    assert other != first


def test_the_database_refuses_a_second_directive_from_the_same_source(personas, published):
    from django.db import IntegrityError, transaction

    round_, a, _home, _b = published
    criterion = leaves(a.framework)["2.1"]
    first = remediation.remediation_tasks_create(
        actor=personas.secretariat, round_=round_, gaps=remediation.unit_selection(a, [criterion.pk])
    )
    assert first.origin_key.startswith(f"remediation:{round_.pk}:")
    with pytest.raises(IntegrityError), transaction.atomic():
        Directive.objects.create(
            kind=first.kind, subject=first.subject, issuing_unit=first.issuing_unit, origin_key=first.origin_key
        )


def test_clicking_create_plan_twice_says_the_plan_exists_and_links_to_it(personas, published):
    round_, a, _home, _b = published
    client = personas.client("secretariat")
    criterion = leaves(a.framework)["2.1"]
    url = _url("results_remediation_tasks", round_.pk, a.pk)
    first = client.post(url, {"gaps": [criterion.pk]})
    second = client.post(url, {"gaps": [criterion.pk]}, follow=True)
    directive = Directive.objects.get()
    assert first["Location"] == reverse("directives:directive_detail", args=[directive.pk])
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "đã được tạo lúc" in second.content.decode() and "không tạo thêm" in second.content.decode()
    assert Task.objects.count() == 1 and Assignment.objects.count() == 1


def test_the_points_lost_page_submitted_twice_goes_to_the_plan_already_created(personas, published):
    round_, a, _home, b = published
    client = personas.client("secretariat")
    chosen = [leaves(a.framework)["2.1"].pk, leaves(b.framework)["1.2"].pk]
    url = _url("results_points_lost_tasks", round_.pk)
    first = client.post(url, {"gaps": chosen})
    second = client.post(url, {"gaps": list(reversed(chosen))}, follow=True)
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "không tạo thêm" in second.content.decode()
    assert Directive.objects.count() == 1 and Task.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_the_same_plan_create_one(personas, published):
    """Two requests at once (a double click reaching two workers): the unique origin key lets one through."""
    import threading

    from django.db import connection, connections

    from cchc.directives.services import DirectiveExistsError

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    round_, a, _home, _b = published
    gaps = remediation.unit_selection(a, [leaves(a.framework)["2.1"].pk])
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def submit() -> None:
        try:
            start.wait()
            outcomes.append(remediation.remediation_tasks_create(actor=personas.secretariat, round_=round_, gaps=gaps))
        except DirectiveExistsError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    directive = Directive.objects.get()
    assert Task.objects.count() == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, DirectiveExistsError)]
    assert len(outcomes) == 2 and len(errors) == 1 and errors[0].directive == directive
