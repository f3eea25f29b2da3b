import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from cchc.accounts import roles
from cchc.accounts.models import Role, RoleAssignment, User
from cchc.audit.models import AuditEntry
from cchc.demo.data import ACCOUNTS, DEFAULT_PASSWORD, DISTRICT, PROVINCE
from cchc.demo.loaders import load_province
from cchc.organisations.models import CommuneSubtype, Membership, Unit, UnitKind, UnitSuccession
from cchc.organisations.services import rebuild_paths

pytestmark = pytest.mark.django_db

BEFORE_REFORM = datetime.date(2025, 6, 30)
REFORM_DAY = datetime.date(2025, 7, 1)


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _log_in(username: str, password: str) -> User | None:
    user = authenticate(RequestFactory().post("/"), username=username, password=password)
    return user if isinstance(user, User) else None


@pytest.mark.usefixtures("real_password_hashing")
def test_every_demo_account_logs_in_with_the_demo_password_and_holds_its_role():
    load_province(password=DEFAULT_PASSWORD)
    for spec in ACCOUNTS:
        user = _log_in(spec.username, DEFAULT_PASSWORD)
        assert user is not None, spec.username
        assert user.password.startswith("argon2")
        assert roles.roles_of(user) == {spec.role}
        assignment = RoleAssignment.objects.get(user=user)
        assert (assignment.scope.code if assignment.scope else None) == spec.scope
        assert Membership.objects.filter(user=user, unit__code=spec.unit).exists()
    assert {spec.role for spec in ACCOUNTS} == set(Role.values)
    assert _log_in("quantri", "wrong-password-2025") is None


def test_a_weak_demo_password_is_refused_and_nothing_is_loaded():
    with pytest.raises(CommandError):
        _demo("--password", "123")
    assert not Unit.objects.exists()
    assert not User.objects.exists()


def test_the_province_has_departments_offices_communes_and_other_organisations():
    load_province(password=DEFAULT_PASSWORD)
    province = Unit.objects.get(code=PROVINCE)
    assert province.name == "Tỉnh Phú Thọ"
    assert province.is_active()
    children = Unit.objects.filter(parent=province).active()
    departments = children.filter(kind=UnitKind.DEPARTMENT)
    assert departments.count() >= 14
    assert departments.filter(name="Sở Nội vụ").exists()
    assert Unit.objects.filter(kind=UnitKind.OFFICE, parent__name="Sở Nội vụ", parent__parent=province).count() >= 4
    assert children.filter(kind=UnitKind.PUBLIC_SERVICE_UNIT, name__startswith="Trung tâm Phục vụ").exists()
    assert children.filter(kind=UnitKind.OTHER).count() == 4
    communes = children.filter(kind=UnitKind.COMMUNE)
    assert communes.count() >= 30
    assert set(communes.values_list("subtype", flat=True)) == {CommuneSubtype.COMMUNE, CommuneSubtype.WARD}
    assert set(communes.values_list("valid_from", flat=True)) == {REFORM_DAY}
    merged = UnitSuccession.objects.filter(successor=province).values_list("predecessor__name", flat=True)
    assert set(merged) == {"Tỉnh Vĩnh Phúc", "Tỉnh Hòa Bình"}


def test_the_former_district_is_closed_and_its_communes_lead_to_todays_communes():
    load_province(password=DEFAULT_PASSWORD)
    district = Unit.objects.get(code=DISTRICT)
    assert district.name == "Huyện Đoan Hùng"
    assert district.is_active(BEFORE_REFORM)
    assert not district.is_active()
    assert not district.is_active(REFORM_DAY)
    below = Unit.objects.subtree_of(district, include_self=False)
    assert {"Phòng Nội vụ", "Phòng Tư pháp", "Văn phòng HĐND và UBND huyện", "Bưu điện huyện"} <= set(
        below.values_list("name", flat=True)
    )
    assert not below.active().exists()
    assert below.active(BEFORE_REFORM).count() == below.count()
    former_communes = below.filter(kind=UnitKind.COMMUNE)
    assert former_communes.count() >= 11
    assert former_communes.filter(subtype=CommuneSubtype.TOWNSHIP, name="Thị trấn Đoan Hùng").exists()
    for commune in former_communes:
        links = UnitSuccession.objects.filter(predecessor=commune).select_related("successor")
        assert len(links) == 1, commune.name
        successor = links[0].successor
        assert successor.is_active()
        assert successor.parent_id == Unit.objects.get(code=PROVINCE).pk
        assert links[0].effective_date == REFORM_DAY
    assert UnitSuccession.objects.get(predecessor__name="Thị trấn Đoan Hùng").successor.name == "Xã Đoan Hùng"


def test_demo_accounts_reach_the_province_but_not_the_former_provinces():
    load_province(password=DEFAULT_PASSWORD)
    for spec in ACCOUNTS:
        user = User.objects.get(username=spec.username)
        visible = roles.get_units_for_user(user)
        assert visible.filter(code="PT-X-DOANHUNG").exists()
        assert visible.filter(code="PT-VPC").exists() == (spec.role == Role.ADMIN)
    secretariat = User.objects.get(username="thuongtruc")
    assert roles.get_units_for_user(secretariat, manage=True).filter(code=DISTRICT).exists()
    focal = User.objects.get(username="daumoi")
    assert not roles.get_units_for_user(focal, manage=True).exists()


def test_the_national_scale_builds_34_provinces_and_3321_communes_once():
    output = _demo("--scale", "national")
    assert "5905" in output
    national = Unit.objects.filter(code__startswith="QG-")
    assert national.filter(kind=UnitKind.PROVINCE, parent=None).count() == 34
    assert national.filter(name="Thành phố Hồ Chí Minh").exists()
    communes = national.filter(kind=UnitKind.COMMUNE).active()
    assert communes.count() == 3321
    assert communes.filter(subtype=CommuneSubtype.COMMUNE).count() == 2636
    assert communes.filter(subtype=CommuneSubtype.WARD).count() == 672
    assert communes.filter(subtype=CommuneSubtype.SPECIAL_ZONE).count() == 13
    assert communes.filter(name="Đặc khu Phú Quốc", parent__name="Tỉnh An Giang").exists()
    for province in national.filter(kind=UnitKind.PROVINCE):
        assert Unit.objects.subtree_of(province).filter(kind=UnitKind.DEPARTMENT).count() >= 14
        assert Unit.objects.subtree_of(province).filter(kind=UnitKind.OFFICE).count() >= 50
    assert rebuild_paths() == 0  # every stored path and depth already matches the parent links
    assert AuditEntry.objects.filter(object_type="organisations.unit").count() == national.count()
    units, audit = Unit.objects.count(), AuditEntry.objects.count()
    assert "0 đơn vị mới" in _demo("--scale", "national")
    assert (Unit.objects.count(), AuditEntry.objects.count()) == (units, audit)
