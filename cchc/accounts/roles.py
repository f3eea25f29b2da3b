"""Roles, their scopes and the questions every access rule is built from.

A person holds roles (``RoleAssignment``), each either system-wide (no scope) or limited to the subtree of one unit,
and works in units (``Membership``). Everything an access rule needs to know about a person comes from here:

* Administrators see and manage everything.
* The reform secretariat (with the administrators, the *managers*) manages units, people and roles inside the
  subtrees of its role scopes (the whole system when the scope is empty).
* Every other signed-in user with a role reads the unit tree of the provinces (root units) in which they work or
  hold a role; supervisors only ever read.
* Anonymous visitors and locked accounts hold no role.

The rules for each kind of record live next to it, in ``cchc/<app>/access.py``, and are written with these
functions. A user's role assignments and the units they work in are read once per user object (i.e. per request)
and cached on it. For the person signed in to the request (:func:`share_across_requests`) they are read together,
with the person's row itself (:func:`signed_in_from_cache`, decision 41), from the cache, under the versions of the
accounts' and the organisations' data (``cchc.lib.page_cache``): any write to the person, a role, a membership or a
unit makes that person's next request read them again from the database.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Q
from django.utils.crypto import constant_time_compare

from cchc.lib import page_cache
from cchc.lib.types import Viewer
from cchc.organisations.models import Membership, Unit, UnitQuerySet, encode_segment, subtree_condition

from .models import Role, RoleAssignment, User

_CACHE_ATTR = "_cchc_role_cache"
_MEMBER_IDS_ATTR = "_cchc_member_unit_ids"
_MEMBER_PATHS_ATTR = "_cchc_member_unit_paths"
_SHARED_ATTR = "_cchc_shared_across_requests"
# What a person's roles and units are read from: a write to any table of these apps reads them again.
PRINCIPAL_READS = ("accounts", "organisations")
# At most this long in the cache (a write that no Django connection saw, e.g. by hand in psql, is seen by then).
PRINCIPAL_SECONDS = 300

logger = logging.getLogger(__name__)
# Roles that may change the unit tree, people and roles (within their scope).
MANAGER_ROLES = (Role.ADMIN, Role.SECRETARIAT)


def is_signed_in(user: Viewer) -> bool:
    """Is ``user`` a signed-in person whose account is not locked?"""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _person(user: Viewer) -> User | None:
    """The account behind ``user`` for a query on its rows (``None`` for an anonymous visitor: matches no row)."""
    return user if isinstance(user, User) else None


def share_across_requests(user: Any) -> Any:
    """Let ``user`` (the person signed in to a request) read their roles and units through the cache."""
    if isinstance(user, User):
        setattr(user, _SHARED_ATTR, True)
    return user


def _principal_key(user_id: int) -> str:
    # Always the primary's versions: the roles decide what a request may do, a replica's lag must not keep old ones.
    found = page_cache.versions(PRINCIPAL_READS, using=DEFAULT_DB_ALIAS)
    return f"accounts.person:{user_id}:" + hashlib.sha256(repr(found).encode()).hexdigest()[:40]


# What the cache keeps of a person: their row without the password hash and the time of their last sign-in (both
# deferred: read from the database if asked for, and left alone by a ``save()`` of the row), the hash their sessions
# carry (Django's ``get_session_auth_hash``, made from the password hash and the secret key), their role assignments
# and the ids and paths of the units they work in.
Principal = tuple[User, str, list[RoleAssignment], list[tuple[int, str]]]


def _read_principal(user_id: int) -> Principal | None:
    """A person's entry, read from the primary database (three queries); ``None`` when there is no such person."""
    try:
        user = (
            User.objects.using(DEFAULT_DB_ALIAS)
            .defer("password", "last_login")
            .annotate(session_source=F("password"))
            .get(pk=user_id)
        )
    except User.DoesNotExist:
        return None
    session_hash = User(password=user.session_source).get_session_auth_hash()
    del user.session_source
    assignments = list(
        RoleAssignment.objects.using(DEFAULT_DB_ALIAS).filter(user_id=user_id).select_related("scope").order_by("pk")
    )
    units = list(
        Membership.objects.using(DEFAULT_DB_ALIAS)
        .filter(user_id=user_id)
        .order_by("pk")
        .values_list("unit_id", "unit__path")
    )
    return user, session_hash, assignments, units


def _principal(user_id: int) -> Principal | None:
    """The entry of the person ``user_id`` from the cache, or read and stored (``None``: no such person)."""
    key = _principal_key(user_id)
    try:
        found = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; reading user %s and their roles from the database", user_id)
        return _read_principal(user_id)
    if found is None:
        found = _read_principal(user_id)
        if found is None:
            return None
        try:
            cache.set(key, found, PRINCIPAL_SECONDS)
        except Exception:
            logger.warning("Cache unavailable; user %s and their roles were not cached", user_id)
    return found  # type: ignore[no-any-return]


def _keep(user: User, assignments: list[RoleAssignment], units: list[tuple[int, str]]) -> None:
    if user.is_active:
        setattr(user, _CACHE_ATTR, assignments)
    setattr(user, _MEMBER_IDS_ATTR, [unit_id for unit_id, _path in units])
    setattr(user, _MEMBER_PATHS_ATTR, [path for _unit_id, path in units])


def signed_in_from_cache(user_id: int, session_hash: str) -> User | None:
    """The person of a session (``user_id``, and the hash the session was signed in with), with their roles and
    units, from the cache: one query (the versions of the data, read once per request anyway) and one request to
    the cache. ``None`` unless the person exists, is active and the session's hash is their current one: the caller
    then asks Django, which reads the person from the database and signs the session out, or accepts it under a
    former secret key."""
    found = _principal(user_id)
    if found is None:
        return None
    user, current_hash, assignments, units = found
    if not (user.is_active and session_hash and constant_time_compare(session_hash, current_hash)):
        return None
    _keep(user, assignments, units)
    return share_across_requests(user)  # type: ignore[no-any-return]


def _load_shared(user: User) -> None:
    """Role assignments and units of the signed-in ``user`` from the cache, or read and stored."""
    found = _principal(user.pk)
    if found is None:  # the person was deleted during the request
        _keep(user, [], [])
        return
    _row, _hash, assignments, units = found
    _keep(user, assignments, units)


def _shared(user: Viewer, attribute: str) -> bool:
    """Is ``attribute`` still to be read for a signed-in ``user`` whose reads go through the cache? Reads it."""
    if getattr(user, attribute, None) is None and getattr(user, _SHARED_ATTR, False) and isinstance(user, User):
        _load_shared(user)
        return getattr(user, attribute, None) is not None
    return False


def role_assignments(user: Viewer) -> list[RoleAssignment]:
    """The user's role assignments (with their scope units), read once per user object."""
    if not is_signed_in(user):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None and not _shared(user, _CACHE_ATTR):
        cached = list(RoleAssignment.objects.filter(user=_person(user)).select_related("scope"))
        setattr(user, _CACHE_ATTR, cached)
    return list(getattr(user, _CACHE_ATTR))


def clear_cache(user: Viewer) -> None:
    """Forget the role assignments read for ``user`` (after granting or revoking a role)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user: Viewer) -> set[str]:
    return {assignment.role for assignment in role_assignments(user)}


def has_role(user: Viewer, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_admin(user: Viewer) -> bool:
    return has_role(user, Role.ADMIN) or bool(getattr(user, "is_superuser", False) and user.is_active)


def is_manager(user: Viewer) -> bool:
    """Is the user an administrator or the secretariat (somewhere)?"""
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def require(condition: bool) -> None:
    """Raise ``PermissionDenied`` unless ``condition`` holds."""
    if not condition:
        raise PermissionDenied


# ---------------------------------------------------------------------------
# Scopes


def scope_paths(user: Viewer, roles: tuple[str, ...]) -> list[str] | None:
    """Paths of the subtrees in which the user holds one of ``roles``; ``None`` means everywhere."""
    paths: list[str] = []
    for assignment in role_assignments(user):
        if assignment.role not in roles:
            continue
        if assignment.scope is None:
            return None
        paths.append(assignment.scope.path)
    return paths


def home_root_paths(user: Viewer) -> list[str] | None:
    """Root-unit paths of every unit the user works in or holds a role for; ``None`` means everywhere."""
    paths: list[str] = []
    for assignment in role_assignments(user):
        if assignment.scope is None:
            return None
        paths.append(assignment.scope.path[: _root_width()])
    unit_paths = Membership.objects.filter(user=_person(user)).values_list("unit__path", flat=True)
    paths.extend(path[: _root_width()] for path in unit_paths)
    return paths


def _root_width() -> int:
    return len(encode_segment(0))


def covers(user: Viewer, roles: tuple[str, ...], unit: Unit | None) -> bool:
    """Does one of the user's ``roles`` apply to ``unit`` (a scope that is empty or an ancestor-or-self of it)?

    ``unit=None`` asks about the whole system: only a role without a scope covers it.
    """
    paths = scope_paths(user, roles)
    if paths is None:
        return True
    if unit is None:
        return False
    return unit.is_within_any(paths)


def manages(user: Viewer, unit: Unit | None) -> bool:
    """May the user change ``unit`` and what belongs to it (``None``: the whole system, e.g. create a root unit)?"""
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), unit)


def get_units_for_user(user: Viewer, *, manage: bool = False) -> UnitQuerySet:
    """Units the user may read (or, with ``manage``, change)."""
    if is_admin(user):
        return Unit.objects.all()
    if manage:
        paths = scope_paths(user, (Role.SECRETARIAT,))
    else:
        paths = home_root_paths(user) if role_assignments(user) else []
    if paths is None:
        return Unit.objects.all()
    return Unit.objects.in_subtrees(paths)


# ---------------------------------------------------------------------------
# The units a person works in and acts for


def member_unit_ids(user: Viewer) -> list[int]:
    """Ids of the units the user works in (Membership), read once per user object."""
    cached = getattr(user, _MEMBER_IDS_ATTR, None)
    if cached is None and not _shared(user, _MEMBER_IDS_ATTR):
        cached = list(Membership.objects.filter(user=_person(user)).values_list("unit_id", flat=True))
        setattr(user, _MEMBER_IDS_ATTR, cached)
    return list(getattr(user, _MEMBER_IDS_ATTR))


def member_unit_paths(user: Viewer) -> list[str]:
    """Paths of the units the user works in (Membership), read once per user object."""
    cached = getattr(user, _MEMBER_PATHS_ATTR, None)
    if cached is None and not _shared(user, _MEMBER_PATHS_ATTR):
        cached = list(Membership.objects.filter(user=_person(user)).values_list("unit__path", flat=True))
        setattr(user, _MEMBER_PATHS_ATTR, cached)
    return list(getattr(user, _MEMBER_PATHS_ATTR))


def is_focal_point_for(user: Viewer, unit: Unit) -> bool:
    """Does the user answer for ``unit`` (a focal point whose scope covers it; without a scope, the units they work in)?

    The self-assessment of a unit is filled in by its focal point.
    """
    if not has_role(user, Role.FOCAL_POINT):
        return False
    paths = scope_paths(user, (Role.FOCAL_POINT,))
    if paths is None:
        return unit.pk in member_unit_ids(user)
    return unit.is_within_any(paths)


def is_own_unit(user: Viewer, unit: Unit) -> bool:
    """Does the user act for ``unit`` (works in it, or is a focal point whose scope covers it)?"""
    if Membership.objects.filter(user=_person(user), unit=unit).exists() and roles_of(user) != {Role.SUPERVISOR}:
        return True
    return unit.is_within_any(scope_paths(user, (Role.FOCAL_POINT,)) or [])


def _focal_scopes(user: Viewer) -> list[Unit]:
    """The scope units of the user's focal-point roles; none at all when one of them has no scope (as
    :func:`scope_paths` says "everywhere", which the units one acts for do not follow)."""
    scopes = [assignment.scope for assignment in role_assignments(user) if assignment.role == Role.FOCAL_POINT]
    return [] if any(scope is None for scope in scopes) else [scope for scope in scopes if scope is not None]


def own_unit_condition(user: Viewer, field: str) -> Q:
    """Rows whose ``field`` (a unit relation) is one of the units the user acts for (the query twin of the above)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    unit_ids = list(Membership.objects.filter(user=_person(user)).values_list("unit_id", flat=True))
    condition = Q(**{f"{field}_id__in": unit_ids}) if unit_ids else Q(pk__in=[])
    focal = [scope.path for scope in _focal_scopes(user)]
    if focal:
        condition |= subtree_condition(focal, field)
    return condition


def own_unit_scope(user: Viewer) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Everything :func:`own_unit_condition` looks at: the units the user works in and the scope units of their
    focal-point roles. Two people with the same own-unit scope act for the same units; a section of a page kept in
    the cache (``cchc.lib.page_cache``) showing those units' work is keyed by it. The paths of the scope units are
    not part of it: a unit moved in the tree is a write to the units' table, which moves the data's version."""
    if not is_signed_in(user):
        return (), ()
    focal = {scope.pk for scope in _focal_scopes(user)}
    return tuple(sorted(set(member_unit_ids(user)))), tuple(sorted(focal))


# ---------------------------------------------------------------------------
# Granting roles


def grantable_roles(user: Viewer) -> list[tuple[str, str]]:
    """``(value, label)`` of the roles the user may grant to somebody (in some scope)."""
    if is_admin(user):
        return [(value, str(label)) for value, label in Role.choices]
    if has_role(user, Role.SECRETARIAT):
        return [(value, str(label)) for value, label in Role.choices if value != Role.ADMIN]
    return []


def can_grant_role(user: Viewer, role: str, scope: Unit | None) -> bool:
    """Administrators grant anything; the secretariat grants non-admin roles inside its scope."""
    if is_admin(user):
        return True
    if role == Role.ADMIN or not has_role(user, Role.SECRETARIAT):
        return False
    return manages(user, scope)
