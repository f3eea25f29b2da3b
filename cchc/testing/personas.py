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
    user = User(username=username, full_name=full_name, password=persona_password_hash())
    user.save()
    Membership.objects.create(user=user, unit=unit)
    RoleAssignment.objects.create(user=user, role=role, scope=scope)
    return user


# The personas' natural keys: units by code, users by username.
UNIT_CODES = {
    "province": "T-P",
    "home_affairs": "T-P-SNV",
    "unit_a": "T-P-STP",
    "office_a": "T-P-STP-VP",
    "front": "T-P-MTTQ",
    "unit_b": "T-P-XHB",
    "other_province": "T-Q",
    "other_commune": "T-Q-X",
}
USERNAMES = {
    "admin": "quantri",
    "secretariat": "thuongtruc",
    "leader": "lanhdao",
    "focal_a": "daumoi_a",
    "focal_b": "daumoi_b",
    "appraiser": "thamdinh",
    "supervisor": "giamsat",
}


def build_personas() -> Personas:
    """Create the personas through the services, as an administrator setting up a province would."""
    code = UNIT_CODES
    province = _unit("Tỉnh Thử Nghiệm", UnitKind.PROVINCE, code["province"], None)
    home_affairs = _unit("Sở Nội vụ", UnitKind.DEPARTMENT, code["home_affairs"], province)
    unit_a = _unit("Sở Tư pháp", UnitKind.DEPARTMENT, code["unit_a"], province)
    office_a = _unit("Văn phòng Sở Tư pháp", UnitKind.OFFICE, code["office_a"], unit_a)
    front = _unit("Ủy ban MTTQ tỉnh", UnitKind.OTHER, code["front"], province)
    unit_b = _unit("Xã Hòa Bình", UnitKind.COMMUNE, code["unit_b"], province, subtype="commune")
    other_province = _unit("Tỉnh Bên Cạnh", UnitKind.PROVINCE, code["other_province"], None)
    other_commune = _unit(
        "Xã Ngoài Phạm Vi", UnitKind.COMMUNE, code["other_commune"], other_province, subtype="commune"
    )
    name = USERNAMES
    return Personas(
        province=province,
        home_affairs=home_affairs,
        unit_a=unit_a,
        office_a=office_a,
        front=front,
        unit_b=unit_b,
        other_province=other_province,
        other_commune=other_commune,
        admin=_user(name["admin"], "Quản Trị Viên", home_affairs, Role.ADMIN, None),
        secretariat=_user(name["secretariat"], "Nguyễn Thị Thường Trực", home_affairs, Role.SECRETARIAT, province),
        leader=_user(name["leader"], "Trần Văn Lãnh Đạo", province, Role.LEADER, province),
        focal_a=_user(name["focal_a"], "Lê Thị Đầu Mối", unit_a, Role.FOCAL_POINT, unit_a),
        focal_b=_user(name["focal_b"], "Phạm Văn Đầu Mối", unit_b, Role.FOCAL_POINT, unit_b),
        appraiser=_user(name["appraiser"], "Hoàng Văn Thẩm Định", home_affairs, Role.APPRAISER, province),
        supervisor=_user(name["supervisor"], "Vũ Thị Giám Sát", front, Role.SUPERVISOR, province),
    )


def load_personas() -> Personas | None:
    """Fresh objects for the personas already in the database (two queries), or ``None`` if any is missing.

    The test run builds the personas once; every test reads its own copies, so what one test caches on a user
    (its roles) or changes in memory never reaches the next test.
    """
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=UNIT_CODES.values())}
    users = {user.username: user for user in User.objects.filter(username__in=USERNAMES.values())}
    if len(units) != len(UNIT_CODES) or len(users) != len(USERNAMES):
        return None
    found: dict[str, Any] = {field: units[code] for field, code in UNIT_CODES.items()}
    found.update({field: users[username] for field, username in USERNAMES.items()})
    return Personas(**found)


def persona_password_hash() -> str:
    """The hash of :data:`PASSWORD` under the password hashers in force now (made once per configuration)."""
    from django.conf import settings

    return _password_hash(tuple(settings.PASSWORD_HASHERS))


def as_dict(personas: Personas) -> dict[str, Any]:
    return {name: personas.user(name) for name in PERSONA_NAMES}
