"""The shared personas every view test uses to check allowed and forbidden access.

Tree::

    Tỉnh Thử Nghiệm (province P)
    ├── Sở Nội vụ (secretariat's department)
    ├── Sở Tư pháp (unit A)
    │   └── Văn phòng Sở Tư pháp (office inside A)
    ├── Ủy ban MTTQ tỉnh (other organisation; the supervisor works here)
    └── Xã Hòa Bình (unit B)
    Tỉnh Bên Cạnh (province Q, outside everybody's scope except the admin's)
    └── Xã Ngoài Phạm Vi
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.test import Client

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.organisations.models import Membership, Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create

PASSWORD = "Mat-khau-thu-nghiem-2025"
PERSONA_NAMES = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor", "anonymous")


@dataclass
class Personas:
    province: Unit
    home_affairs: Unit
    unit_a: Unit
    office_a: Unit
    front: Unit
    unit_b: Unit
    other_province: Unit
    other_commune: Unit
    admin: User
    secretariat: User
    leader: User
    focal_a: User
    focal_b: User
    appraiser: User
    supervisor: User

    def user(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)

    def client(self, name: str) -> Client:
        """A test client logged in as the named persona (anonymous: not logged in)."""
        client = Client()
        user = self.user(name)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client


def _unit(name: str, kind: str, code: str, parent: Unit | None, subtype: str = "") -> Unit:
    return unit_create(actor=None, data=UnitData(name=name, kind=kind, code=code, subtype=subtype), parent=parent)


@functools.cache
def _password_hash(hashers: tuple[str, ...]) -> str:
    """One real hash of :data:`PASSWORD` per hasher configuration (Argon2 is slow on purpose)."""
    return make_password(PASSWORD)


def _user(username: str, full_name: str, unit: Unit, role: str, scope: Unit | None) -> User:
    from django.conf import settings

    user = User(username=username, full_name=full_name, password=_password_hash(tuple(settings.PASSWORD_HASHERS)))
    user.save()
    Membership.objects.create(user=user, unit=unit)
    RoleAssignment.objects.create(user=user, role=role, scope=scope)
    return user


def build_personas() -> Personas:
    province = _unit("Tỉnh Thử Nghiệm", UnitKind.PROVINCE, "T-P", None)
    home_affairs = _unit("Sở Nội vụ", UnitKind.DEPARTMENT, "T-P-SNV", province)
    unit_a = _unit("Sở Tư pháp", UnitKind.DEPARTMENT, "T-P-STP", province)
    office_a = _unit("Văn phòng Sở Tư pháp", UnitKind.OFFICE, "T-P-STP-VP", unit_a)
    front = _unit("Ủy ban MTTQ tỉnh", UnitKind.OTHER, "T-P-MTTQ", province)
    unit_b = _unit("Xã Hòa Bình", UnitKind.COMMUNE, "T-P-XHB", province, subtype="commune")
    other_province = _unit("Tỉnh Bên Cạnh", UnitKind.PROVINCE, "T-Q", None)
    other_commune = _unit("Xã Ngoài Phạm Vi", UnitKind.COMMUNE, "T-Q-X", other_province, subtype="commune")
    return Personas(
        province=province,
        home_affairs=home_affairs,
        unit_a=unit_a,
        office_a=office_a,
        front=front,
        unit_b=unit_b,
        other_province=other_province,
        other_commune=other_commune,
        admin=_user("quantri", "Quản Trị Viên", home_affairs, Role.ADMIN, None),
        secretariat=_user("thuongtruc", "Nguyễn Thị Thường Trực", home_affairs, Role.SECRETARIAT, province),
        leader=_user("lanhdao", "Trần Văn Lãnh Đạo", province, Role.LEADER, province),
        focal_a=_user("daumoi_a", "Lê Thị Đầu Mối", unit_a, Role.FOCAL_POINT, unit_a),
        focal_b=_user("daumoi_b", "Phạm Văn Đầu Mối", unit_b, Role.FOCAL_POINT, unit_b),
        appraiser=_user("thamdinh", "Hoàng Văn Thẩm Định", home_affairs, Role.APPRAISER, province),
        supervisor=_user("giamsat", "Vũ Thị Giám Sát", front, Role.SUPERVISOR, province),
    )


def as_dict(personas: Personas) -> dict[str, Any]:
    return {name: personas.user(name) for name in PERSONA_NAMES}
