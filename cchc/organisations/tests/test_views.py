import base64
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cchc.accounts.models import User
from cchc.audit.models import AuditEntry
from cchc.organisations.excel import HEADER
from cchc.organisations.models import Membership, Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create

pytestmark = pytest.mark.django_db

READERS = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")
READ_ONLY = ("leader", "focal_a", "focal_b", "appraiser", "supervisor")


def _url(name, *args):
    return reverse(f"organisations:{name}", args=args)


def _write_urls(p):
    """Every page that changes something, for a unit in the province."""
    membership = Membership.objects.get(user=p.focal_a, unit=p.unit_a)
    return [
        _url("unit_create") + f"?parent={p.unit_a.pk}",
        _url("unit_edit", p.unit_a.pk),
        _url("unit_move", p.unit_a.pk),
        _url("unit_merge", p.unit_a.pk),
        _url("unit_split", p.unit_a.pk),
        _url("unit_delete", p.unit_a.pk),
        _url("membership_edit", p.unit_a.pk, membership.pk),
        _url("membership_remove", p.unit_a.pk, membership.pk),
    ]


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("name", READERS)
def test_everyone_with_a_role_reads_the_tree_of_their_province_only(personas, name):
    response = personas.client(name).get(_url("unit_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sở Tư pháp" in content
    assert ("Tỉnh Bên Cạnh" in content) == (name == "admin")


@pytest.mark.parametrize("name", READERS)
def test_everyone_with_a_role_opens_a_unit_page_but_not_one_of_another_province(personas, name):
    client = personas.client(name)
    assert client.get(_url("unit_detail", personas.unit_b.pk)).status_code == 200
    expected = 200 if name == "admin" else 404
    assert client.get(_url("unit_detail", personas.other_commune.pk)).status_code == expected


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_unit_page(personas):
    client = personas.client("anonymous")
    urls = [_url("unit_list"), _url("unit_detail", personas.unit_a.pk), _url("unit_export"), _url("unit_import")]
    for url in [*urls, *_write_urls(personas)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]
    for url in [_url("unit_import"), _url("membership_add", personas.unit_a.pk), *_write_urls(personas)]:
        assert client.post(url).status_code == 302, url


def test_the_list_filters_by_diacritic_free_search_and_kind(personas):
    client = personas.client("secretariat")
    content = client.get(_url("unit_list"), {"q": "tu phap"}).content.decode()
    assert "Sở Tư pháp" in content and "Xã Hòa Bình" not in content
    content = client.get(_url("unit_list"), {"kind": "commune"}).content.decode()
    assert "Xã Hòa Bình" in content and "Sở Tư pháp" not in content


def test_an_htmx_search_returns_only_the_table_partial(personas):
    response = personas.client("leader").get(_url("unit_list"), {"q": "hoa binh"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="unit-table">')
    assert "<html" not in content and "Xã Hòa Bình" in content


def test_closed_units_are_hidden_unless_asked_for(personas):
    unit_create(
        actor=None,
        data=UnitData(name="Xã Đã Giải Thể", kind=UnitKind.COMMUNE, code="OLD", valid_to=datetime.date(2020, 1, 1)),
        parent=personas.province,
    )
    client = personas.client("leader")
    assert "Xã Đã Giải Thể" not in client.get(_url("unit_list")).content.decode()
    assert "Xã Đã Giải Thể" in client.get(_url("unit_list"), {"inactive": "1"}).content.decode()


def test_only_managers_see_the_change_buttons_and_the_history_of_a_unit(personas):
    url = _url("unit_detail", personas.unit_a.pk)
    content = personas.client("secretariat").get(url).content.decode()
    assert 'data-testid="unit-actions"' in content and 'data-testid="unit-history"' in content
    assert "Tạo mới" in content  # the creation entry
    for name in READ_ONLY:
        content = personas.client(name).get(url).content.decode()
        assert 'data-testid="unit-actions"' not in content
        assert "Lịch sử thay đổi" not in content


def test_a_user_without_any_role_cannot_read_the_tree(personas, django_user_model):
    from django.test import Client

    nobody = django_user_model.objects.create_user(username="khach", password="x")
    client = Client()
    client.force_login(nobody)
    assert client.get(_url("unit_list")).status_code == 403
    assert client.get(_url("unit_export")).status_code == 403


# ---------------------------------------------------------------------------
# Access to the pages that change things


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_personas_get_403_on_every_write_page_and_post(personas, name):
    client = personas.client(name)
    before = (Unit.objects.count(), AuditEntry.objects.count(), Membership.objects.count())
    for url in [*_write_urls(personas), _url("unit_import"), _url("unit_create")]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reason": "thử", "name": "X", "code": "X", "kind": "office"}).status_code == 403, url
    assert client.post(_url("membership_add", personas.unit_a.pk), {"user": personas.focal_b.pk}).status_code == 403
    assert (Unit.objects.count(), AuditEntry.objects.count(), Membership.objects.count()) == before


def test_the_secretariat_opens_every_write_page_in_its_province(personas):
    client = personas.client("secretariat")
    for url in [*_write_urls(personas), _url("unit_import"), _url("unit_create")]:
        assert client.get(url).status_code == 200, url


def test_the_secretariat_gets_404_for_units_of_another_province(personas):
    client = personas.client("secretariat")
    other = personas.other_commune.pk
    for name in ("unit_edit", "unit_move", "unit_merge", "unit_split", "unit_delete", "membership_add"):
        assert client.post(_url(name, other), {"reason": "thử"}).status_code == 404
    assert client.get(_url("unit_create") + f"?parent={personas.other_province.pk}").status_code == 404
    assert Unit.objects.get(pk=other).name == "Xã Ngoài Phạm Vi"


def test_the_admin_may_edit_units_of_any_province(personas):
    response = personas.client("admin").post(
        _url("unit_edit", personas.other_commune.pk),
        {"name": "Xã Ngoài Phạm Vi Mới", "code": "T-Q-X", "kind": "commune", "subtype": "commune"},
    )
    assert response.status_code == 302
    assert Unit.objects.get(code="T-Q-X").name == "Xã Ngoài Phạm Vi Mới"


# ---------------------------------------------------------------------------
# Changes


def test_the_secretariat_creates_a_unit_under_a_parent_with_a_reason_in_the_audit_trail(personas):
    response = personas.client("secretariat").post(
        _url("unit_create") + f"?parent={personas.unit_a.pk}",
        {
            "parent": personas.unit_a.pk,
            "name": "Phòng Hành chính tư pháp",
            "code": "T-P-STP-HCTP",
            "kind": "office",
            "reason": "Quyết định 5/QĐ-STP",
        },
    )
    unit = Unit.objects.get(code="T-P-STP-HCTP")
    assert response.status_code == 302 and response["Location"] == _url("unit_detail", unit.pk)
    assert unit.parent_id == personas.unit_a.pk
    entry = AuditEntry.objects.get(object_id=str(unit.pk), action="create")
    assert entry.reason == "Quyết định 5/QĐ-STP" and entry.actor == personas.secretariat


def test_a_scoped_secretariat_must_choose_a_parent_and_cannot_pick_another_province(personas):
    client = personas.client("secretariat")
    data = {"name": "Sở Mới", "code": "NEW", "kind": "department"}
    response = client.post(_url("unit_create"), data)
    assert response.status_code == 200
    assert "Hãy chọn đơn vị cấp trên trong phạm vi bạn quản lý." in response.content.decode()
    response = client.post(_url("unit_create"), {**data, "parent": personas.other_province.pk})
    assert "Đơn vị cấp trên không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý." in response.content.decode()
    assert not Unit.objects.filter(code="NEW").exists()


def test_service_errors_are_shown_on_the_form(personas):
    response = personas.client("secretariat").post(
        _url("unit_create"), {"parent": personas.province.pk, "name": "Trùng", "code": "T-P-STP", "kind": "department"}
    )
    assert response.status_code == 200
    assert "Mã đơn vị “T-P-STP” đã được dùng cho đơn vị khác." in response.content.decode()


def test_form_errors_are_in_vietnamese(personas):
    response = personas.client("secretariat").post(
        _url("unit_edit", personas.unit_a.pk),
        {"name": "", "code": "T-P-STP", "kind": "department", "subtype": "ward", "valid_from": "31/02/2025"},
    )
    content = response.content.decode()
    assert "Trường này là bắt buộc." in content
    assert "Ngày không hợp lệ; ghi theo dạng ngày/tháng/năm." in content


def test_editing_a_unit_records_old_and_new_values(personas):
    response = personas.client("secretariat").post(
        _url("unit_edit", personas.unit_a.pk),
        {"name": "Sở Tư pháp tỉnh", "code": "T-P-STP", "kind": "department", "short_name": "STP", "reason": ""},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_id=str(personas.unit_a.pk), action="update")
    assert entry.changes["name"] == ["Sở Tư pháp", "Sở Tư pháp tỉnh"]


def test_moving_needs_a_reason_and_a_parent_inside_the_scope_outside_the_subtree(personas):
    client = personas.client("secretariat")
    url = _url("unit_move", personas.office_a.pk)
    response = client.post(url, {"new_parent": personas.home_affairs.pk})
    assert "Hãy ghi lý do hoặc căn cứ của thay đổi này." in response.content.decode()
    response = client.post(_url("unit_move", personas.unit_a.pk), {"new_parent": personas.office_a.pk, "reason": "x"})
    assert "không phải chính đơn vị này" in response.content.decode()
    response = client.post(url, {"new_parent": personas.other_province.pk, "reason": "x"})
    assert response.status_code == 200
    response = client.post(url, {"new_parent": personas.home_affairs.pk, "reason": "Quyết định 7/QĐ-UBND"})
    assert response.status_code == 302
    personas.office_a.refresh_from_db()
    assert personas.office_a.parent_id == personas.home_affairs.pk
    assert AuditEntry.objects.filter(action="move", reason="Quyết định 7/QĐ-UBND").exists()


def test_merging_sibling_units_into_a_new_unit(personas):
    province = personas.province
    a = unit_create(actor=None, data=UnitData(name="Xã A", kind="commune", code="XA"), parent=province)
    b = unit_create(actor=None, data=UnitData(name="Xã B", kind="commune", code="XB"), parent=province)
    response = personas.client("secretariat").post(
        _url("unit_merge", a.pk),
        {
            "sources": [a.pk, b.pk],
            "target": "new",
            "new_name": "Phường AB",
            "new_code": "PAB",
            "new_kind": "commune",
            "new_subtype": "ward",
            "effective_date": "01/07/2025",
            "move_children": "on",
            "reason": "Nghị quyết 1/NQ-UBTVQH",
        },
    )
    merged = Unit.objects.get(code="PAB")
    assert response.status_code == 302 and response["Location"] == _url("unit_detail", merged.pk)
    assert set(merged.predecessors.all()) == {a, b}
    a.refresh_from_db()
    assert a.valid_to == datetime.date(2025, 6, 30)


def test_merging_into_an_existing_unit_that_is_also_a_source_is_refused(personas):
    response = personas.client("secretariat").post(
        _url("unit_merge", personas.unit_a.pk),
        {
            "sources": [personas.unit_a.pk],
            "target": "existing",
            "into": personas.unit_a.pk,
            "effective_date": "2025-07-01",
            "reason": "x",
        },
    )
    assert "không được nằm trong danh sách đơn vị bị hợp nhất" in response.content.decode()
    assert not Unit.objects.get(pk=personas.unit_a.pk).valid_to


def test_a_merge_cannot_take_units_of_another_province(personas):
    response = personas.client("secretariat").post(
        _url("unit_merge", personas.unit_b.pk),
        {
            "sources": [personas.unit_b.pk, personas.other_commune.pk],
            "target": "existing",
            "into": personas.front.pk,
            "effective_date": "2025-07-01",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert Unit.objects.get(pk=personas.other_commune.pk).valid_to is None


def _split_data(**parts):
    data = {
        "parts-TOTAL_FORMS": "4",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "20",
        "effective_date": "2025-07-01",
        "reason": "Quyết định chia tách",
    }
    for index in range(4):
        data[f"parts-{index}-kind"] = "commune"
    data.update(parts)
    return data


def test_splitting_a_unit_into_two_new_units(personas):
    response = personas.client("secretariat").post(
        _url("unit_split", personas.unit_b.pk),
        _split_data(
            **{
                "parts-0-name": "Xã Hòa Bình Đông",
                "parts-0-code": "HBD",
                "parts-0-subtype": "commune",
                "parts-1-name": "Phường Hòa Bình Tây",
                "parts-1-code": "HBT",
                "parts-1-subtype": "ward",
            }
        ),
    )
    assert response.status_code == 302
    assert {unit.code for unit in Unit.objects.get(pk=personas.unit_b.pk).successors.all()} == {"HBD", "HBT"}


def test_splitting_into_a_single_unit_shows_the_service_message(personas):
    response = personas.client("secretariat").post(
        _url("unit_split", personas.unit_b.pk), _split_data(**{"parts-0-name": "Xã X", "parts-0-code": "XX"})
    )
    assert "Chia tách cần ít nhất hai đơn vị mới." in response.content.decode()
    assert not Unit.objects.filter(code="XX").exists()


def test_deleting_a_unit_entered_by_mistake(personas):
    unit = unit_create(actor=None, data=UnitData(name="Nhầm", kind="office", code="NHAM"), parent=personas.unit_a)
    response = personas.client("secretariat").post(_url("unit_delete", unit.pk), {"reason": "Nhập nhầm"})
    assert response.status_code == 302 and response["Location"] == _url("unit_detail", personas.unit_a.pk)
    assert not Unit.objects.filter(code="NHAM").exists()
    assert AuditEntry.objects.get(action="delete", object_repr="Nhầm").reason == "Nhập nhầm"


def test_deleting_a_unit_with_children_is_explained_and_closing_is_offered(personas):
    client = personas.client("secretariat")
    url = _url("unit_delete", personas.unit_a.pk)
    response = client.post(url, {"reason": "x"})
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="delete-refused"' in content
    assert "Không thể xóa đơn vị còn đơn vị trực thuộc." in content
    assert Unit.objects.filter(pk=personas.unit_a.pk).exists()
    response = client.post(url, {"action": "close", "valid_to": "2025-06-30", "reason": "Sắp xếp bộ máy"})
    assert response.status_code == 302
    assert Unit.objects.get(pk=personas.unit_a.pk).valid_to == datetime.date(2025, 6, 30)


def test_managing_the_people_of_a_unit(personas):
    client = personas.client("secretariat")
    unit = personas.unit_a
    response = client.post(
        _url("membership_add", unit.pk), {"user": personas.focal_b.pk, "position": "Chuyên viên", "reason": "Điều động"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=personas.focal_b, unit=unit)
    assert membership.position == "Chuyên viên"
    response = client.post(
        _url("membership_edit", unit.pk, membership.pk), {"position": "Phó Giám đốc", "is_head": "on"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_head and membership.position == "Phó Giám đốc"
    response = client.post(_url("membership_remove", unit.pk, membership.pk), {"reason": "Nghỉ hưu"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(object_type="organisations.membership").count() == 3


def test_a_membership_of_another_unit_is_not_found_through_this_unit(personas):
    other = Membership.objects.get(user=personas.focal_b, unit=personas.unit_b)
    client = personas.client("secretariat")
    assert client.get(_url("membership_edit", personas.unit_a.pk, other.pk)).status_code == 404


def test_a_person_outside_the_secretariats_scope_cannot_be_added(personas, django_user_model):
    stranger = django_user_model.objects.create_user(username="nguoingoai", password="x")
    Membership.objects.create(user=stranger, unit=personas.other_commune)
    response = personas.client("secretariat").post(_url("membership_add", personas.unit_a.pk), {"user": stranger.pk})
    assert response.status_code == 200
    assert not Membership.objects.filter(user=stranger, unit=personas.unit_a).exists()


# ---------------------------------------------------------------------------
# Excel


def test_the_export_streams_a_workbook_of_the_visible_filtered_units(personas):
    response = personas.client("secretariat").get(_url("unit_export"), {"kind": "department"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert {row[1] for row in rows[1:]} == {"T-P-SNV", "T-P-STP"}


def test_the_export_never_contains_another_province(personas):
    data = b"".join(personas.client("focal_a").get(_url("unit_export")).streaming_content)
    codes = {row[1] for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert "T-P-STP" in codes and "T-Q" not in codes and "T-Q-X" not in codes


def test_a_good_import_creates_units_and_reports_the_counts(personas):
    upload = SimpleUploadedFile(
        "don-vi.xlsx",
        _xlsx([[1, "T-P-STP-P1", "Phòng Bổ trợ tư pháp", "", "Phòng chuyên môn", "", "T-P-STP", None, None, ""]]),
    )
    client = personas.client("secretariat")
    response = client.post(_url("unit_import"), {"file": upload}, follow=True)
    assert "Thêm mới 1, cập nhật 0" in response.content.decode()
    assert Unit.objects.get(code="T-P-STP-P1").parent_id == personas.unit_a.pk


def test_a_bad_import_lists_errors_offers_an_error_file_and_imports_nothing(personas):
    upload = SimpleUploadedFile(
        "don-vi.xlsx",
        _xlsx(
            [
                [1, "N1", "Phòng Một", "", "Phòng chuyên môn", "", "T-P-STP", None, None, ""],
                [2, "N2", "Xã Hai", "", "Xã", "", "T-Q", None, None, ""],
            ]
        ),
    )
    response = personas.client("secretariat").post(_url("unit_import"), {"file": upload})
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in content
    assert "Đơn vị cấp trên “T-Q” nằm ngoài phạm vi quản lý của bạn." in content
    match = re.search(r'href="data:[^;]+;base64,([^"]+)"', content)
    assert match
    rows = list(load_workbook(io.BytesIO(base64.b64decode(match.group(1)))).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi" and "T-Q" in str(rows[2][-1])
    assert not Unit.objects.filter(code__in=["N1", "N2"]).exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(personas):
    upload = SimpleUploadedFile("don-vi.xlsx", "Mã;Tên".encode())
    response = personas.client("secretariat").post(_url("unit_import"), {"file": upload})
    assert "Tệp không đúng định dạng Excel (.xlsx)." in response.content.decode()


def test_a_dry_run_import_reports_without_saving(personas):
    upload = SimpleUploadedFile(
        "don-vi.xlsx", _xlsx([[1, "N1", "Phòng Một", "", "Phòng chuyên môn", "", "T-P-STP", None, None, ""]])
    )
    response = personas.client("secretariat").post(_url("unit_import"), {"file": upload, "dry_run": "on"})
    assert 'data-testid="import-dry-run"' in response.content.decode()
    assert not Unit.objects.filter(code="N1").exists()


# ---------------------------------------------------------------------------
# Query counts


def _grow(personas, count):
    parent = personas.province
    for index in range(count):
        kind = "department" if index % 5 == 0 else "office"
        unit = unit_create(
            actor=None, data=UnitData(name=f"Đơn vị {index}", kind=kind, code=f"G{index}"), parent=parent
        )
        if index % 7 == 0:
            Membership.objects.create(user=personas.focal_b, unit=unit)
        if kind == "department":
            parent = unit
    return unit


def test_the_unit_list_runs_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    _grow(personas, 50)
    for name in ("secretariat", "focal_a"):
        client = personas.client(name)
        # Two more than the page's own the first time: the data versions and memberships the roles are kept under.
        with django_assert_max_num_queries(10):
            response = client.get(_url("unit_list"))
        assert response.content.decode().count("/units/") > 50


def test_the_unit_page_runs_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    last = _grow(personas, 50)
    department = Unit.objects.get(code="G45")
    for index in range(5):
        Membership.objects.create(
            user=User.objects.create_user(username=f"nv{index}"),
            unit=department,
        )
    client = personas.client("secretariat")
    for unit in (personas.province, department, last):
        with django_assert_max_num_queries(16):  # the data versions the roles are kept under read once more
            assert client.get(_url("unit_detail", unit.pk)).status_code == 200


def test_the_unit_history_speaks_in_field_labels_and_readable_values(personas):
    personas.client("secretariat").post(
        _url("unit_edit", personas.unit_b.pk),
        {"name": "Xã Hòa Bình", "code": "T-P-XHB", "kind": "commune", "subtype": "ward", "reason": "Nâng cấp"},
    )
    content = personas.client("secretariat").get(_url("unit_detail", personas.unit_b.pk)).content.decode()
    assert "<strong>Loại xã</strong>: Xã → Phường" in content
    assert "Nâng cấp" in content


def test_a_unit_no_longer_in_force_offers_no_new_children_merge_or_split(personas):
    closed = unit_create(
        actor=None,
        data=UnitData(name="Xã Đã Sáp Nhập", kind=UnitKind.COMMUNE, code="GONE", valid_to=datetime.date(2025, 6, 30)),
        parent=personas.province,
    )
    client = personas.client("secretariat")
    content = client.get(_url("unit_detail", closed.pk)).content.decode()
    assert 'data-testid="unit-actions"' in content and "Sửa" in content
    for label in ("Thêm đơn vị trực thuộc", "Hợp nhất", "Chia tách"):
        assert label not in content
    current = client.get(_url("unit_detail", personas.unit_a.pk)).content.decode()
    assert "Hợp nhất" in current and "Chia tách" in current
