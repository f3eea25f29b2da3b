"""Loading the province demo through the same services the product uses.

Every step looks the record up by its natural key first (the unit's code, the
user's username), so running the loader again creates nothing and changes
nothing; only passwords are set again when they differ from the one asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.services import password_changed, role_grant, user_create
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Membership, Unit, UnitSuccession
from cchc.organisations.services import UnitData, membership_set, unit_create, unit_merge

from .data import ACCOUNTS, REFORM_DAY, AccountSpec, merges, province_units

REASON = "Dữ liệu minh họa"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    unit: str
    password: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def _units() -> dict[str, Unit]:
    specs = province_units()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=[spec.code for spec in specs])}
    for spec in specs:
        if spec.code in units:
            continue
        data = UnitData(
            name=spec.name,
            kind=spec.kind,
            code=spec.code,
            short_name=spec.short_name,
            subtype=spec.subtype,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
        )
        parent = units[spec.parent] if spec.parent else None
        units[spec.code] = unit_create(actor=None, data=data, parent=parent, reason=REASON)
    return units


def _merges(units: dict[str, Unit]) -> None:
    for merge in merges():
        successor = units[merge.successor]
        linked = set(UnitSuccession.objects.filter(successor=successor).values_list("predecessor__code", flat=True))
        pending = [units[code] for code in merge.predecessors if code not in linked]
        if pending:
            unit_merge(
                actor=None,
                units=pending,
                into=successor,
                effective_date=REFORM_DAY,
                reason=merge.note,
                move_children=False,
            )


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc


def _account(spec: AccountSpec, units: dict[str, Unit], password: str) -> DemoAccount:
    unit = units[spec.unit]
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = user_create(
            actor=None,
            username=spec.username,
            full_name=spec.full_name,
            password=password,
            unit=unit,
            position=spec.position,
            reason=REASON,
        )
    else:
        if not Membership.objects.filter(user=user, unit=unit).exists():
            membership_set(actor=None, user=user, unit=unit, position=spec.position, reason=REASON)
        if not user.check_password(password):
            _check_password(password, user)
            user.set_password(password)
            user.save(update_fields=["password"])
            password_changed(actor=None, user=user)
    scope = units[spec.scope] if spec.scope else None
    if not RoleAssignment.objects.filter(user=user, role=spec.role, scope=scope).exists():
        role_grant(actor=None, user=user, role=spec.role, scope=scope, reason=REASON)
    return DemoAccount(
        username=user.username, full_name=user.display_name, role=spec.role, unit=unit.name, password=password
    )


@transaction.atomic
def load_province(*, password: str) -> list[DemoAccount]:
    """Load Tỉnh Phú Thọ, the former Huyện Đoan Hùng and one account per role; returns the accounts."""
    _check_password(password)
    units = _units()
    _merges(units)
    return [_account(spec, units, password) for spec in ACCOUNTS]
