"""Named scopes: what a picker offers, said by name and arguments, and the signed token its search endpoint reads.

A picker field (units, people, criteria) offers a set of rows that depends on who reads the form and on the page:
the units the user manages, the units a directive can give work to, the leaves of one sheet. Each such set is a
*scope function* ``(viewer, **args) -> QuerySet`` registered under a name in a :class:`ScopeRegistry`, one registry
per kind of row (:data:`UNIT_SCOPES` here; people in ``cchc.accounts.picker``; criteria in ``cchc.frameworks.picker``
and ``cchc.assessments.picker``). Apps register the scopes that need their own rules (the units a secretariat may
issue directives for are registered by ``directives``), so this module imports nothing above ``organisations``.

A field declares its scope as a :class:`Scope` (name, JSON arguments, viewer). Its queryset, against which the
posted keys are checked, is the scope function's result; the page hands the search endpoint a token that signs the
name, the arguments and the page's viewer with the secret key (``{"s": name, "a": args, "u": user id}``). The
endpoint (:meth:`ScopeRegistry.rows`) calls the same function for that viewer and keeps only the rows the signed-in
user may read (the registry's ``readable``), so a token can narrow what the user sees, never widen it. A tampered,
expired or malformed token, an unknown name or arguments the function does not take are refused with a 400, never a
500.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet

from cchc.accounts import roles
from cchc.lib.types import Viewer

from .models import Unit, UnitKind, UnitQuerySet

# A page left open longer than this must be reloaded before its pickers search again.
TOKEN_MAX_AGE = 12 * 60 * 60
SIGNING_SALT = "cchc.organisations.unit-picker"

ScopeFunction = Callable[..., QuerySet[Any]]
F = TypeVar("F", bound=ScopeFunction)


class ScopeError(ValueError):
    """A scope that cannot be used: an unknown name, arguments its function does not take, a malformed token."""


def _check_json(value: Any) -> None:
    """:class:`ScopeError` unless ``value`` is JSON made of strings, numbers, booleans, ``None`` and lists."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item)
        return
    raise ScopeError(f"a scope argument of type {type(value).__name__}")


class ScopeRegistry:
    """The scopes of one kind of row, by name, and the salt their tokens are signed with.

    ``readable(viewer)`` is everything the viewer may read of that kind: the search endpoint never answers outside it.
    """

    def __init__(self, *, model: type[Model], salt: str, readable: Callable[[Any], QuerySet[Any]]) -> None:
        self.model = model
        self.salt = salt
        self.readable = readable
        self._functions: dict[str, ScopeFunction] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Decorator: ``fn(viewer, **args)`` is the scope ``name``. A name is registered once."""

        def decorate(function: F) -> F:
            if self._functions.get(name, function) is not function:
                raise ValueError(f"the scope {name!r} is already registered")
            self._functions[name] = function
            return function

        return decorate

    @staticmethod
    def _viewer(pk: int) -> Any:
        user = get_user_model()._default_manager.filter(pk=pk).first()
        if user is None:
            raise ScopeError("the page's viewer no longer exists")
        return user

    def names(self) -> list[str]:
        return sorted(self._functions)

    def __call__(self, viewer: Viewer | None, name: str, **args: Any) -> Scope:
        """The scope ``name`` with ``args`` as seen by ``viewer``; :class:`ScopeError` if it cannot be used."""
        self._bind(name, args)
        return Scope(
            registry=self, name=name, args=dict(args), viewer=viewer if viewer is not None else AnonymousUser()
        )

    def _bind(self, name: str, args: Mapping[str, Any]) -> ScopeFunction:
        function = self._functions.get(name)
        if function is None:
            raise ScopeError(f"no scope named {name!r}")
        _check_json(list(args.values()))
        try:
            inspect.signature(function).bind(None, **args)
        except TypeError as exc:
            raise ScopeError(f"scope {name!r}: {exc}") from None
        return function

    def resolve(self, viewer: Viewer, name: str, args: Mapping[str, Any]) -> QuerySet[Any]:
        """The rows of the scope ``name`` with ``args`` for ``viewer``; :class:`ScopeError` if it cannot be used."""
        function = self._bind(name, args)
        try:
            rows = function(viewer, **args)
        except (TypeError, ValueError, ValidationError, ObjectDoesNotExist) as exc:
            raise ScopeError(f"scope {name!r}: {exc}") from None
        if not isinstance(rows, QuerySet) or rows.model is not self.model:
            raise ScopeError(f"scope {name!r} does not give {self.model.__name__} rows")
        return rows

    def token(self, name: str, args: Mapping[str, Any], viewer: Viewer | None = None) -> str:
        """The signed token naming the scope ``name`` with ``args`` as ``viewer`` (who the page was rendered for)
        sees it."""
        self._bind(name, args)
        owner = getattr(viewer, "pk", None)
        return signing.dumps({"s": name, "a": dict(args), "u": owner}, salt=self.salt, compress=True)

    def rows(self, token: str, viewer: Viewer) -> QuerySet[Any]:
        """The rows ``viewer`` may read of the scope the token names, as the page's own viewer sees that scope.

        Raises :class:`signing.SignatureExpired`, :class:`signing.BadSignature` or :class:`ScopeError`.
        """
        data = signing.loads(token, salt=self.salt, max_age=TOKEN_MAX_AGE)
        if not isinstance(data, dict) or set(data) != {"s", "a", "u"}:
            raise ScopeError("malformed token")
        name, args, owner = data["s"], data["a"], data["u"]
        if not isinstance(name, str) or not isinstance(args, dict) or not all(isinstance(key, str) for key in args):
            raise ScopeError("malformed token")
        if owner is not None and not isinstance(owner, int):
            raise ScopeError("malformed token")
        page_viewer = viewer if owner is None or owner == getattr(viewer, "pk", None) else self._viewer(owner)
        scoped = self.resolve(page_viewer, name, args)
        # A subquery, so that the joins of the scope and of the readable set do not multiply each other's rows.
        return self.readable(viewer).filter(pk__in=scoped.values("pk"))


@dataclass(frozen=True, eq=False)
class Scope:
    """A named scope with its arguments, as seen by one viewer: what a picker field offers."""

    registry: ScopeRegistry
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    viewer: Viewer = field(default_factory=AnonymousUser)

    def rows(self) -> QuerySet[Any]:
        """The rows of the scope: the field's queryset."""
        return self.registry.resolve(self.viewer, self.name, self.args)

    def token(self) -> str:
        """The signed token the page hands the search endpoint."""
        return self.registry.token(self.name, self.args, self.viewer)

    def replace(self, **args: Any) -> Scope:
        """The same scope with some arguments changed."""
        return self.registry(self.viewer, self.name, **{**self.args, **args})


def _readable_units(viewer: Viewer) -> QuerySet[Any]:
    return roles.get_units_for_user(viewer)


UNIT_SCOPES = ScopeRegistry(model=Unit, salt=SIGNING_SALT, readable=_readable_units)


def unit_scope(viewer: Viewer | None, name: str, **args: Any) -> Scope:
    """The unit scope ``name`` with ``args`` for ``viewer`` (see :data:`UNIT_SCOPES`)."""
    return UNIT_SCOPES(viewer, name, **args)


def units_of(scope: Scope) -> UnitQuerySet:
    return cast(UnitQuerySet, scope.rows())


def read_date(value: str | None) -> datetime.date | None:
    """A date argument (``YYYY-MM-DD``) of a scope, or ``None``; ``ValueError`` on anything else."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("a date argument is written YYYY-MM-DD")
    return datetime.date.fromisoformat(value)


# ---------------------------------------------------------------------------
# The unit scopes of organisations


@UNIT_SCOPES.register("units.visible")
def visible_units(
    viewer: Viewer,
    *,
    manage: bool = False,
    active: bool = False,
    kinds: list[str] | None = None,
    exclude_kinds: list[str] | None = None,
) -> UnitQuerySet:
    """The units the viewer may read (``manage``: change); ``active``: in force today; ``kinds``: of these kinds only,
    ``exclude_kinds``: not of these."""
    units = roles.get_units_for_user(viewer, manage=bool(manage))
    if active:
        units = units.active()
    if kinds is not None:
        units = units.filter(kind__in=[str(kind) for kind in kinds])
    if exclude_kinds:
        units = units.exclude(kind__in=[str(kind) for kind in exclude_kinds])
    return units


@UNIT_SCOPES.register("units.parents")
def parent_units(viewer: Viewer, *, moving: int | None = None) -> UnitQuerySet:
    """The units the viewer may put a unit under: managed, in force, not an office; when ``moving`` a unit, not that
    unit nor one of its own subtree."""
    units = visible_units(viewer, manage=True, active=True, exclude_kinds=[UnitKind.OFFICE.value])
    if moving is not None:
        unit = Unit.objects.get(pk=int(moving))
        units = units.exclude(pk__in=Unit.objects.subtree_of(unit).values("pk"))
    return units


@UNIT_SCOPES.register("units.siblings")
def sibling_units(viewer: Viewer, *, unit: int) -> UnitQuerySet:
    """The units in force with the same parent as ``unit`` that the viewer manages: the candidates for a merge."""
    parent_id = Unit.objects.values_list("parent_id", flat=True).get(pk=int(unit))
    return visible_units(viewer, manage=True, active=True).filter(parent_id=parent_id)
