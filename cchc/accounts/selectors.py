"""Reads on people and roles."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from cchc.lib.text import search_key
from cchc.organisations.models import Membership, Unit, subtree_condition

from .models import ApiToken, RoleAssignment, User


def search_users(users: QuerySet[User], query: str) -> QuerySet[User]:
    """People whose username or full name contains every word of ``query``, ignoring case and accents.

    ``nguyen thi`` finds “Nguyễn Thị …”. The folding is done in Python on the
    (already scoped) candidate rows because no database folds Vietnamese
    accents the same way everywhere.
    """
    words = search_key(query).split()
    if not words:
        return users
    matching = [
        pk
        for pk, username, full_name in users.values_list("pk", "username", "full_name")
        if all(word in search_key(f"{username} {full_name}") for word in words)
    ]
    return users.filter(pk__in=matching)


def user_rows(
    users: QuerySet[User],
    *,
    query: str = "",
    unit: Unit | None = None,
    role: str = "",
) -> QuerySet[User]:
    """The user list: search, filters, and everything each row shows prefetched."""
    if unit is not None:
        within = Membership.objects.filter(subtree_condition([unit.path], "unit"))
        users = users.filter(pk__in=within.values("user_id"))
    if role:
        users = users.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    users = search_users(users, query)
    return users.order_by("username").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit").order_by("unit__path")),
        Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("scope").order_by("role")),
    )


def user_context(user: User) -> dict[str, Any]:
    """What the person page shows about ``user``."""
    return {
        "memberships": list(user.memberships.select_related("unit").order_by("unit__path")),  # type: ignore[attr-defined]
        "assignments": list(user.role_assignments.select_related("scope").order_by("role", "scope__path")),  # type: ignore[attr-defined]
    }


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's API tokens, newest first (expired ones too, marked by ``is_expired``)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
