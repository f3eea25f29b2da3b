"""Framework pages through HTTP: who sees and changes what, forms with Vietnamese errors, import, clone, diff."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.assessments.models import Round, Stage
from cchc.frameworks import excel
from cchc.frameworks.models import Criterion, Framework
from cchc.testing.personas import Personas

from .factories import make_framework, small_tree

READERS = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")
MANAGERS = ("admin", "secretariat")
READ_ONLY = ("leader", "focal_a", "focal_b", "appraiser", "supervisor")


@pytest.fixture
def framework(personas: Personas) -> Framework:
    return small_tree(personas.province, lead=personas.home_affairs)


def _status(personas: Personas, name: str, url: str, method: str = "get", data: dict | None = None) -> int:
    client = personas.client(name)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


@pytest.mark.parametrize("name", READERS)
def test_every_role_reads_the_list_and_the_tree(personas: Personas, framework: Framework, name: str) -> None:
    client = personas.client(name)
    listing = client.get(reverse("frameworks:framework_list"))
    assert listing.status_code == 200
    assert framework.name in listing.content.decode()
    detail = client.get(reverse("frameworks:framework_detail", args=[framework.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Mức độ thực hiện kế hoạch CCHC" in page
    assert "≥90%: 2; 70–&lt;90%: 1; &lt;70%: 0." in page
    assert "Chưa có cơ quan chủ trì thẩm định." in page
    assert ("criterion_create" in page or "/criteria/new/" in page) == (name in MANAGERS)
    assert client.get(reverse("frameworks:framework_export", args=[framework.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(personas: Personas, framework: Framework) -> None:
    response = personas.client("anonymous").get(reverse("frameworks:framework_detail", args=[framework.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_framework_of_another_province_is_not_found(personas: Personas) -> None:
    elsewhere = make_framework(personas.other_province, name="Bộ tiêu chí tỉnh bên cạnh")
    for name in ("secretariat", "leader", "focal_b", "supervisor"):
        assert _status(personas, name, reverse("frameworks:framework_detail", args=[elsewhere.pk])) == 404
    assert _status(personas, "admin", reverse("frameworks:framework_detail", args=[elsewhere.pk])) == 200
    listing = personas.client("focal_a").get(reverse("frameworks:framework_list")).content.decode()
    assert "Bộ tiêu chí tỉnh bên cạnh" not in listing


@pytest.mark.parametrize("name", READ_ONLY)
def test_readers_cannot_open_or_post_any_management_page(personas: Personas, framework: Framework, name: str) -> None:
    leaf = Criterion.objects.get(framework=framework, code="2.1")
    urls = [
        reverse("frameworks:framework_create"),
        reverse("frameworks:framework_edit", args=[framework.pk]),
        reverse("frameworks:framework_delete", args=[framework.pk]),
        reverse("frameworks:framework_clone", args=[framework.pk]),
        reverse("frameworks:framework_import", args=[framework.pk]),
        reverse("frameworks:criterion_create", args=[framework.pk]),
        reverse("frameworks:criterion_edit", args=[framework.pk, leaf.pk]),
        reverse("frameworks:criterion_delete", args=[framework.pk, leaf.pk]),
    ]
    for url in urls:
        assert _status(personas, name, url) == 403, url
        assert _status(personas, name, url, "post", {"reason": "x", "title": "x"}) == 403, url
    assert _status(personas, name, reverse("frameworks:sample_load"), "post", {"year": 2025}) == 403
    assert Criterion.objects.filter(pk=leaf.pk).exists()


@pytest.mark.parametrize("name", MANAGERS)
def test_managers_add_edit_and_delete_criteria(personas: Personas, framework: Framework, name: str) -> None:
    client = personas.client(name)
    area = Criterion.objects.get(framework=framework, code="2")
    url = reverse("frameworks:criterion_create", args=[framework.pk]) + f"?parent={area.pk}"
    form = client.get(url).content.decode()
    assert 'value="2.3"' in form
    response = client.post(
        url,
        {
            "code": "2.3",
            "title": "Theo dõi thi hành pháp luật",
            "max_points": "1,5",
            "category": "base",
            "lead_unit": personas.unit_a.pk,
            "rule_kind": "bands",
            "rule_params": "≥100%: 1,5; ≥80%: 1; ≥0%: 0",
        },
    )
    assert response.status_code == 302
    created = Criterion.objects.get(framework=framework, code="2.3")
    assert created.max_points == Decimal("1.5") and created.depth == 1 and created.lead_unit == personas.unit_a
    edit = reverse("frameworks:criterion_edit", args=[framework.pk, created.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {"code": "2.3", "title": "Theo dõi THPL", "max_points": "1,5", "category": "base", "rule_kind": "manual"},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.title == "Theo dõi THPL" and created.rule_kind == "manual" and created.lead_unit is None
    delete = reverse("frameworks:criterion_delete", args=[framework.pk, created.pk])
    assert client.post(delete, {}).status_code == 302
    assert not Criterion.objects.filter(pk=created.pk).exists()


def test_bad_criterion_input_gets_vietnamese_errors_and_changes_nothing(
    personas: Personas, framework: Framework
) -> None:
    client = personas.client("secretariat")
    url = reverse("frameworks:criterion_create", args=[framework.pk])
    cases: list[tuple[dict[str, object], str]] = [
        ({"code": "1", "max_points": "1"}, "Mã “1” đã có trong bộ tiêu chí này."),
        ({"max_points": "hai"}, "Hãy nhập một số (ví dụ 2 hoặc 0,5)."),
        ({"rule_kind": "bands", "rule_params": "≥70%: 1; ≥90%: 2"}, "giảm dần"),
        ({"rule_kind": "bands", "rule_params": "gì cũng được"}, "Không hiểu tham số"),
        ({"lead_unit": personas.other_commune.pk}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"title": ""}, "Hãy nhập nội dung tiêu chí."),
    ]
    before = Criterion.objects.count()
    for change, message in cases:
        data = {"code": "3", "title": "Lĩnh vực mới", "max_points": "2", "category": "base", "rule_kind": "manual"}
        data.update({key: str(value) for key, value in change.items()})
        response = client.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert Criterion.objects.count() == before


def test_the_page_of_a_locked_framework_offers_no_edits_and_posts_are_refused(
    personas: Personas, framework: Framework
) -> None:
    round_ = Round.objects.create(name="Kỳ 2025", year=2025, organiser=personas.province, stage=Stage.APPRAISAL)
    round_.frameworks.add(framework)
    client = personas.client("secretariat")
    page = client.get(reverse("frameworks:framework_detail", args=[framework.pk])).content.decode()
    assert 'data-testid="locked-banner"' in page and "/criteria/new/" not in page
    response = client.post(
        reverse("frameworks:criterion_create", args=[framework.pk]),
        {"code": "3", "title": "Mới", "max_points": "1", "category": "base", "rule_kind": "manual"},
    )
    assert "không thể thay đổi" in response.content.decode()
    assert not Criterion.objects.filter(framework=framework, code="3").exists()


def test_the_secretariat_creates_a_framework_for_its_province_only(personas: Personas) -> None:
    client = personas.client("secretariat")
    url = reverse("frameworks:framework_create")
    assert client.get(url).status_code == 200
    data = {"name": "Bộ tiêu chí xã 2026", "year": "2026", "unit_kind": "commune", "scale": "100"}
    response = client.post(url, {**data, "owner": personas.other_province.pk})
    assert response.status_code == 200 and not Framework.objects.filter(year=2026).exists()
    response = client.post(url, {**data, "owner": ""})
    assert response.status_code == 200 and not Framework.objects.filter(year=2026).exists()
    response = client.post(url, {**data, "owner": personas.province.pk})
    assert response.status_code == 302
    assert Framework.objects.get(year=2026).owner == personas.province


def test_import_page_reports_bad_rows_and_a_wrong_file(personas: Personas, framework: Framework) -> None:
    client = personas.client("secretariat")
    url = reverse("frameworks:framework_import", args=[framework.pk])
    rows = [["1", "Lĩnh vực", 10], ["1.1", "", 10]]
    data = excel.spreadsheet.table_bytes(title="x", header=["STT", "Nội dung", "Điểm tối đa"], rows=rows)
    response = client.post(url, {"file": SimpleUploadedFile("bo.xlsx", data)})
    page = response.content.decode()
    assert "Thiếu nội dung tiêu chí." in page and "chưa nhập tiêu chí nào" in page
    response = client.post(url, {"file": SimpleUploadedFile("bo.xlsx", b"not a zip at all")})
    assert "Tệp không đúng định dạng Excel (.xlsx)" in response.content.decode()
    assert framework.criteria.filter(code="1.2").exists()
    good = excel.export_framework(framework)
    response = client.post(url, {"file": SimpleUploadedFile("bo.xlsx", good)})
    assert response.status_code == 302


def test_clone_then_diff_through_the_pages(personas: Personas, framework: Framework) -> None:
    client = personas.client("secretariat")
    response = client.post(
        reverse("frameworks:framework_clone", args=[framework.pk]), {"year": "2026", "name": "Bộ tiêu chí sở 2026"}
    )
    assert response.status_code == 302
    copy = Framework.objects.get(year=2026)
    Criterion.objects.filter(framework=copy, code="2.1").update(title="Rà soát, hệ thống hóa văn bản")
    page = personas.client("focal_a").get(reverse("frameworks:framework_diff", args=[copy.pk])).content.decode()
    assert "Rà soát văn bản quy phạm pháp luật → Rà soát, hệ thống hóa văn bản" in page
    assert client.get(reverse("frameworks:framework_diff", args=[copy.pk]) + "?other=abc").status_code == 404


def test_sample_frameworks_are_loaded_from_the_list_and_show_their_banner(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = client.post(
        reverse("frameworks:sample_load"),
        {"year": "2025", "owner": personas.province.pk, "samples": ["departments", "communes"]},
    )
    assert response.status_code == 302
    assert Framework.objects.filter(year=2025, is_sample=True).count() == 2
    sample = Framework.objects.get(year=2025, unit_kind="department")
    page = personas.client("leader").get(reverse("frameworks:framework_detail", args=[sample.pk])).content.decode()
    assert 'data-testid="sample-banner"' in page


def test_the_tree_page_reads_the_framework_in_a_few_queries(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    from cchc.frameworks.samples import install_sample

    sample = install_sample(actor=None, key="departments", year=2025, owner=personas.province).framework
    client = personas.client("supervisor")
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        assert client.get(reverse("frameworks:framework_detail", args=[sample.pk])).status_code == 200
