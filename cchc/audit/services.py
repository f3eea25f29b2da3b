"""Writing the audit trail. Every service that changes an important record calls :func:`record`."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models

from cchc.accounts.models import User
from cchc.lib.types import ActorOrSystem

from .models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from cchc.organisations.models import Unit


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """JSON-ready values of ``fields``; foreign keys are shown by their text."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = getattr(instance, name)
            values[name] = str(related) if related is not None else None
        else:
            values[name] = _jsonable(getattr(instance, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def actor_user(actor: ActorOrSystem) -> User | None:
    """The account to link an entry to: ``None`` for the system and for an anonymous visitor."""
    return actor if isinstance(actor, User) else None


def actor_label(actor: ActorOrSystem) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""  # shown as the translated word for "system" (AuditEntry.actor_display)
    return f"{actor.get_username()} ({getattr(actor, 'display_name', actor.get_username())})"


def record(
    *,
    actor: ActorOrSystem,
    action: AuditAction | str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    unit: Unit | None = None,
) -> AuditEntry | None:
    """Append one entry; call inside the same transaction as the change.

    An update that changed nothing is not an event: no entry is written for it (``None`` is returned).
    """
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        unit=unit,
        unit_path=getattr(unit, "path", "") or "",
        changes={key: _jsonable(value) for key, value in (changes or {}).items()},
        reason=reason,
    )


def record_created(
    *,
    actor: ActorOrSystem,
    instances: Sequence[models.Model],
    fields: Iterable[str],
    reason: str = "",
    unit_of: Callable[[Any], Unit | None] | None = None,
    batch_size: int = 1000,
) -> None:
    """Append one "create" entry per instance of a bulk insert, in batches; the same entries :func:`record` writes.

    ``unit_of`` gives the unit each record belongs to (the unit itself for units).
    """
    names = list(fields)
    user, label = actor_user(actor), actor_label(actor)
    entries = []
    for instance in instances:
        unit = unit_of(instance) if unit_of is not None else None
        entries.append(
            AuditEntry(
                actor=user,
                actor_label=label,
                action=AuditAction.CREATE,
                object_type=instance._meta.label_lower,
                object_id=str(instance.pk),
                object_repr=str(instance)[:300],
                unit=unit,
                unit_path=getattr(unit, "path", "") or "",
                changes={key: _jsonable(value) for key, value in diff({}, snapshot(instance, names)).items()},
                reason=reason,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
