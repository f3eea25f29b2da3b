"""Framework services: criteria, tree order, validation, locking, clone and diff."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.assessments.models import Round, Stage
from cchc.audit.models import AuditEntry
from cchc.frameworks import selectors, services
from cchc.frameworks.models import Criterion
from cchc.lib.errors import ServiceError
from cchc.testing.personas import Personas

from .factories import BANDS, add, make_framework, small_tree


def _problems(framework: object) -> list[tuple[str, str, str]]:
    return [(p.severity, p.code, p.message) for p in selectors.framework_validate(framework)]  # type: ignore[arg-type]


def test_a_consistent_framework_has_only_lead_unit_warnings(personas: Personas) -> None:
    framework = small_tree(personas.province, lead=personas.home_affairs)
    assert _problems(framework) == [
        ("warning", "1.2", "Chưa có cơ quan chủ trì thẩm định."),
    ]


def test_positions_follow_tree_order_and_codes_sort_by_number(personas: Personas) -> None:
    framework = make_framework(personas.province)
    area = add(framework, "1", "Lĩnh vực", 10)
    add(framework, "1.10", "Mười", 1, area)
    add(framework, "1.2", "Hai", 1, area)
    add(framework, "2", "Lĩnh vực hai", 0)
    add(framework, "1.2.1", "Hai một", 1, Criterion.objects.get(framework=framework, code="1.2"))
    rows = list(framework.criteria.order_by("position").values_list("code", "depth"))
    assert rows == [("1", 0), ("1.2", 1), ("1.2.1", 2), ("1.10", 1), ("2", 0)]


def test_parent_total_scale_and_rule_problems_are_reported(personas: Personas) -> None:
    framework = make_framework(personas.province, scale=100)
    area = add(framework, "1", "Lĩnh vực", 5)
    leaf = add(framework, "1.1", "Tiêu chí", 2, area, rule_kind="bands", rule_params=BANDS)
    Criterion.objects.filter(pk=leaf.pk).update(rule_params={"bands": [{"min": 50, "points": 3}]})
    add(framework, "2.1", "Mã lệch", 0, area)
    problems = _problems(framework)
    assert ("error", "", "Tổng điểm tối đa các lĩnh vực là 5, khác thang điểm 100.") in problems
    assert ("error", "1", "Điểm tối đa 5 khác tổng điểm các tiêu chí con (2).") in problems
    assert ("error", "1.1", "Cách chấm: Mức 1: 3 điểm nằm ngoài khoảng 0 đến 2.") in problems
    assert ("warning", "2.1", "Mã “2.1” không bắt đầu bằng mã cấp trên “1.”.") in problems
    assert ("warning", "2.1", "Tiêu chí có điểm tối đa bằng 0.") in problems


def test_bonus_and_penalty_sections_stay_outside_the_base_total(personas: Personas) -> None:
    framework = small_tree(personas.province, lead=personas.home_affairs)
    bonus = add(framework, "III", "Điểm thưởng", 1, category="bonus")
    add(
        framework, "III.1", "Sáng kiến CCHC được công nhận", 1, bonus, category="bonus", lead_unit=personas.home_affairs
    )
    penalty = add(framework, "IV", "Điểm trừ", 2, category="penalty")
    add(framework, "IV.1", "Để xảy ra sai phạm", 2, penalty, category="penalty", lead_unit=personas.home_affairs)
    assert [p for p in _problems(framework) if p[0] == "error"] == []
    assert selectors.totals(framework) == {"base": 10, "bonus": 1, "penalty": 2}
    with pytest.raises(ServiceError, match="phải cùng loại"):
        add(framework, "IV.2", "Tiêu chí thường", 1, penalty)


def test_codes_are_unique_within_a_framework(personas: Personas) -> None:
    framework = small_tree(personas.province)
    with pytest.raises(ServiceError, match=r"Mã “1\.1” đã có"):
        add(framework, "1.1", "Trùng", 1)


def test_a_bad_rule_is_refused_with_a_vietnamese_message_and_nothing_is_written(personas: Personas) -> None:
    framework = small_tree(personas.province)
    before = framework.criteria.count()
    bad = {"bands": [{"min": 70, "points": 1}, {"min": 90, "points": 2}]}
    with pytest.raises(ServiceError, match="giảm dần"):
        add(framework, "2.3", "Sai", 2, rule_kind="bands", rule_params=bad)
    assert framework.criteria.count() == before


def test_a_lead_unit_outside_the_owner_province_is_refused(personas: Personas) -> None:
    framework = small_tree(personas.province)
    with pytest.raises(ServiceError, match="phải thuộc"):
        add(framework, "2.3", "Ngoài tỉnh", 0, lead_unit=personas.other_commune)


def test_changes_are_audited_against_the_owner(personas: Personas) -> None:
    framework = small_tree(personas.province)
    leaf = Criterion.objects.get(framework=framework, code="2.1")
    data = services.CriterionData(code="2.1", title="Rà soát, hệ thống hóa văn bản", max_points=Decimal(2))
    services.criterion_update(actor=personas.secretariat, criterion=leaf, data=data, reason="Theo góp ý")
    entry = AuditEntry.objects.filter(object_type="frameworks.criterion", object_id=str(leaf.pk)).latest("pk")
    assert entry.changes["title"] == ["Rà soát văn bản quy phạm pháp luật", "Rà soát, hệ thống hóa văn bản"]
    assert entry.unit_path == personas.province.path
    assert entry.reason == "Theo góp ý"


def test_deleting_a_criterion_takes_its_subtree_and_renumbers(personas: Personas) -> None:
    framework = small_tree(personas.province)
    area = Criterion.objects.get(framework=framework, code="1")
    assert services.criterion_delete(actor=None, criterion=area) == 3
    assert list(framework.criteria.order_by("position").values_list("code", "position")) == [
        ("2", 0),
        ("2.1", 1),
        ("2.2", 2),
    ]


def test_a_framework_used_by_a_started_round_refuses_every_change(personas: Personas) -> None:
    framework = small_tree(personas.province)
    round_ = Round.objects.create(name="Kỳ 2025", year=2025, organiser=personas.province, stage=Stage.DRAFT)
    round_.frameworks.add(framework)
    add(framework, "2.3", "Còn được thêm khi kỳ đánh giá đang chuẩn bị", 0)
    Round.objects.filter(pk=round_.pk).update(stage=Stage.SELF_ASSESSMENT)
    leaf = Criterion.objects.get(framework=framework, code="2.1")
    with pytest.raises(ServiceError, match="không thể thay đổi") as error:
        add(framework, "2.4", "Không còn được thêm", 0)
    assert error.value.code == "conflict"
    with pytest.raises(ServiceError, match="không thể thay đổi"):
        services.criterion_delete(actor=None, criterion=leaf)
    with pytest.raises(ServiceError, match="không thể thay đổi"):
        services.criteria_replace(actor=None, framework=framework, nodes=[])
    with pytest.raises(ServiceError, match="không thể xóa"):
        services.framework_delete(actor=None, framework=framework)


def test_clone_copies_the_whole_tree_and_diff_shows_what_changed(personas: Personas) -> None:
    old = small_tree(personas.province, lead=personas.home_affairs)
    new = services.framework_clone(actor=personas.secretariat, framework=old, year=2026, name="Bộ tiêu chí sở 2026")
    assert new.based_on == old and new.year == 2026 and new.owner == personas.province
    assert list(new.criteria.order_by("position").values_list("code", "depth", "rule_kind")) == list(
        old.criteria.order_by("position").values_list("code", "depth", "rule_kind")
    )
    assert selectors.framework_diff(old, new) == []
    leaf = Criterion.objects.get(framework=new, code="2.2")
    services.criterion_update(
        actor=None,
        criterion=leaf,
        data=services.CriterionData(
            code="2.2", title="Kiểm tra việc thực hiện văn bản", max_points=Decimal(2), rule_kind="manual"
        ),
    )
    services.criterion_delete(actor=None, criterion=Criterion.objects.get(framework=new, code="2.1"))
    add(new, "2.3", "Theo dõi thi hành pháp luật", 2, Criterion.objects.get(framework=new, code="2"))
    differences = selectors.framework_diff(old, new)
    assert [(d.kind, d.code) for d in differences] == [("changed", "2.2"), ("added", "2.3"), ("removed", "2.1")]
    labels = [label for label, _old, _new in differences[0].changes]
    assert labels == ["Cách chấm", "Cơ quan chủ trì thẩm định"]


def test_framework_names_are_unique_per_owner_year_and_kind(personas: Personas) -> None:
    make_framework(personas.province)
    with pytest.raises(ServiceError, match="Đã có bộ tiêu chí"):
        make_framework(personas.province)
    make_framework(personas.other_province)
