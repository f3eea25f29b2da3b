"""Who may read the audit trail.

Administrators read every entry; the reform secretariat reads the entries of the records that belong to units inside
its role scopes (every entry when the scope is empty), through the unit path stored on each entry. Nobody else reads
the trail.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import has_role, is_admin, is_manager, scope_paths
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import path_condition

from .models import AuditEntry
from .selectors import history_for


def can_view_audit(user: Viewer) -> bool:
    return is_manager(user)


def get_audit_entries_for_user(user: Viewer) -> QuerySet[AuditEntry]:
    """The entries the user may read."""
    if is_admin(user):
        return AuditEntry.objects.all()
    if not has_role(user, Role.SECRETARIAT):
        return AuditEntry.objects.none()
    paths = scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(path_condition(paths, "unit_path"))


def get_audit_entry_for_user(user: Viewer, entry_id: Any) -> AuditEntry:
    pk = id_or_404(entry_id)
    entry = get_audit_entries_for_user(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def get_history_for_user(user: Viewer, instance: models.Model) -> QuerySet[AuditEntry]:
    """The entries of one record that the user may read, newest first."""
    return history_for(instance, entries=get_audit_entries_for_user(user))
