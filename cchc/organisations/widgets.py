"""The unit picker: a searchable replacement for the plain ``<select>`` of every unit in scope.

A field that chooses units (``UnitChoiceField``, ``UnitMultipleChoiceField``) keeps its queryset, its validation
and its permission checks; only the way the choice is made changes:

* **Few units** (at most ``UNIT_PICKER_SELECT_LIMIT``, 200 by default): the plain select (or checkboxes), exactly as
  before.
* **Many units**: a text box that searches by name, short name or code ignoring diacritics, a list of at most
  :data:`RESULT_LIMIT` matches with each unit's parent path, and the chosen units as removable chips. The value
  submitted is still the primary key(s) of the chosen unit(s), through a select the script keeps in step.

The search runs on the endpoint ``organisations:unit_search``. The page hands it a *scope token*: the field's
queryset described as conditions on the unit table's own columns (path prefixes, kinds, validity dates, primary
keys) and signed with the secret key, so the client cannot alter it. The endpoint rebuilds the conditions and applies
them to the units the signed-in user may read (``permissions.get_units_for_user``): a token can only narrow what the
user may see, never widen it.

Without JavaScript the text box is an ordinary input: the search runs when the form is submitted. One match is
taken as the choice; several are offered in the select with a message asking to choose one and submit again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import AND, OR, NothingNode, WhereNode
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cchc.lib.text import search_key, sort_key

from . import selectors
from .models import Unit, UnitQuerySet

logger = logging.getLogger(__name__)

# Above this many units a field searches instead of listing (overridable in settings, e.g. in tests).
DEFAULT_SELECT_LIMIT = 200
# Matches returned by one search.
RESULT_LIMIT = 20
# Matching units read to rank the results (the shallowest first); more matches only set ``more``.
CANDIDATE_LIMIT = 500
# Name of the text input beside the select, posted only when the script is not running.
SEARCH_SUFFIX = "__search"
QUERY_MAX_LENGTH = 200
SIGNING_SALT = "cchc.organisations.unit-picker"
# A page left open longer than this must be reloaded before its pickers search again.
TOKEN_MAX_AGE = 12 * 60 * 60
PATH_SEPARATOR = " — "


def select_limit() -> int:
    return int(getattr(settings, "UNIT_PICKER_SELECT_LIMIT", DEFAULT_SELECT_LIMIT))


# ---------------------------------------------------------------------------
# Scope tokens: a queryset's conditions, signed


class ScopeError(ValueError):
    """The queryset cannot be described by conditions on the unit table's own columns."""


# Columns and lookups a scope may use. Anything else (joins, subqueries, expressions, raw SQL) is refused, and the
# field falls back to the plain select.
SCOPE_FIELDS = frozenset(
    {"id", "name", "short_name", "code", "kind", "subtype", "parent", "path", "depth", "valid_from", "valid_to"}
)
SCOPE_LOOKUPS = frozenset(
    {"exact", "iexact", "in", "startswith", "istartswith", "contains", "icontains", "lt", "lte", "gt", "gte", "isnull"}
)


def describe_scope(queryset: QuerySet[Unit]) -> list[Any]:
    """The ``WHERE`` clause of ``queryset`` as JSON-ready nested lists; :class:`ScopeError` when it cannot be.

    ``["and" | "or", negated, [children]]`` for a group, ``["q", field, lookup, value]`` for a condition,
    ``["none"]`` for an empty queryset. Dates are written as ``{"d": "YYYY-MM-DD"}``.
    """
    query = queryset.query
    if query.model is not Unit:
        raise ScopeError("not a unit queryset")
    if query.is_sliced or query.combinator or query.extra or query.annotations:
        raise ScopeError("sliced, combined or annotated querysets are not described")
    return _describe_node(query.where, query.get_initial_alias())


def _describe_node(node: Any, alias: str | None) -> list[Any]:
    if isinstance(node, NothingNode):
        return ["none"]
    if isinstance(node, WhereNode):
        if node.connector not in (AND, OR):
            raise ScopeError(f"connector {node.connector}")
        children = [_describe_node(child, alias) for child in node.children]
        return ["and" if node.connector == AND else "or", bool(node.negated), children]
    if isinstance(node, Lookup):
        lhs = node.lhs
        if not isinstance(lhs, Col) or lhs.alias != alias or lhs.target.model is not Unit:
            raise ScopeError("a condition on another table or on an expression")
        name, lookup = lhs.target.name, node.lookup_name
        if name not in SCOPE_FIELDS or lookup not in SCOPE_LOOKUPS:
            raise ScopeError(f"{name}__{lookup}")
        return ["q", name, lookup, _describe_value(node.rhs)]
    raise ScopeError(type(node).__name__)


def _describe_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.datetime):
        raise ScopeError("date-times are not described")
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_describe_value(item) for item in value]
        if any(isinstance(item, list) for item in items):
            raise ScopeError("nested lists")
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    raise ScopeError(f"value of type {type(value).__name__}")


def scope_condition(description: Any) -> Q:
    """The :class:`Q` that :func:`describe_scope` described; :class:`ScopeError` on anything unexpected."""
    if not isinstance(description, list) or not description:
        raise ScopeError("malformed scope")
    kind = description[0]
    if kind == "none" and len(description) == 1:
        return Q(pk__in=[])
    if kind == "q" and len(description) == 4:
        _kind, name, lookup, value = description
        if name not in SCOPE_FIELDS or lookup not in SCOPE_LOOKUPS:
            raise ScopeError("condition outside the allowed columns")
        return Q(**{f"{name}__{lookup}": _read_value(value)})
    if kind in ("and", "or") and len(description) == 3 and isinstance(description[2], list):
        _kind, negated, children = description
        condition = Q()
        for child in children:
            part = scope_condition(child)
            condition = (condition & part) if kind == "and" else (condition | part)
        if kind == "or" and not children:
            condition = Q()
        return ~condition if negated and children else condition
    raise ScopeError("malformed scope")


def _read_value(value: Any) -> Any:
    if isinstance(value, dict):
        try:
            return datetime.date.fromisoformat(value["d"])
        except (KeyError, TypeError, ValueError):
            raise ScopeError("malformed date") from None
    if isinstance(value, list):
        return [_read_value(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    raise ScopeError("malformed value")


def scope_token(queryset: QuerySet[Unit]) -> str:
    """A signed token naming ``queryset``'s conditions; :class:`ScopeError` when they cannot be described."""
    return signing.dumps({"w": describe_scope(queryset)}, salt=SIGNING_SALT, compress=True)


def units_in_scope(token: str, readable: UnitQuerySet) -> UnitQuerySet:
    """The units of ``readable`` (what the user may read) that the token's queryset contains.

    Raises :class:`signing.SignatureExpired`, :class:`signing.BadSignature` or :class:`ScopeError`.
    """
    data = signing.loads(token, salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
    if not isinstance(data, dict) or "w" not in data:
        raise ScopeError("malformed token")
    return readable.filter(scope_condition(data["w"]))


# ---------------------------------------------------------------------------
# Search and labels


def search_units(units: QuerySet[Unit], query: str, *, limit: int = RESULT_LIMIT) -> tuple[list[Unit], bool]:
    """At most ``limit`` units of ``units`` matching ``query``, best first, and whether more matched.

    Matching is the unit list's search (every word of the query in the name, short name or code, ignoring case and
    diacritics). Ranking: the exact code, the exact name, names starting with the query, names containing it as
    whole words, then the rest; within each, higher units first, then in Vietnamese alphabetical order.
    """
    key = search_key(query[:QUERY_MAX_LENGTH])
    matches = selectors.search(cast(UnitQuerySet, units), key).order_by("depth", "path")
    candidates = list(matches[: max(CANDIDATE_LIMIT, limit + 1)])

    def rank(unit: Unit) -> tuple[int, int, Any]:
        name = search_key(unit.name)
        if not key or search_key(unit.code) == key:
            position = 0
        elif name == key:
            position = 1
        elif name.startswith(key):
            position = 2
        elif f" {key}" in f" {name}":
            position = 3
        else:
            position = 4
        return position, unit.depth, sort_key(unit.name)

    candidates.sort(key=rank)
    return candidates[:limit], len(candidates) > limit


def parent_paths(units: Iterable[Unit]) -> dict[int, str]:
    """For each unit, the names of its ancestors from the nearest up (``Sở Nội vụ — Tỉnh Phú Thọ``); one query."""
    units = list(units)
    ancestor_ids = {pk for unit in units for pk in unit.ancestor_ids}
    names = dict(Unit.objects.filter(pk__in=ancestor_ids).values_list("pk", "name")) if ancestor_ids else {}
    return {
        unit.pk: PATH_SEPARATOR.join(names[pk] for pk in reversed(unit.ancestor_ids) if pk in names) for unit in units
    }


def unit_result(unit: Unit, paths: dict[int, str]) -> dict[str, Any]:
    """One search result as the endpoint returns it."""
    path = paths.get(unit.pk, "")
    return {
        "id": unit.pk,
        "name": unit.name,
        "code": unit.code,
        "path": path,
        "label": f"{unit.name}{PATH_SEPARATOR}{path}" if path else unit.name,
    }


def tree_order(units: Sequence[Unit]) -> list[Unit]:
    """Units already read, in tree order with ``tree_level`` set, like :func:`selectors.tree_rows` (no query)."""
    present = {unit.pk for unit in units}
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id if unit.parent_id in present else None, []).append(unit)
    for siblings in by_parent.values():
        siblings.sort(key=lambda unit: (selectors._KIND_ORDER.get(unit.kind, 99), sort_key(unit.name)))
    top_depth = min((unit.depth for unit in units), default=0)
    ordered: list[Unit] = []
    stack = list(reversed(by_parent.get(None, [])))
    while stack:
        unit = stack.pop()
        unit.tree_level = unit.depth - top_depth  # type: ignore[attr-defined]
        ordered.append(unit)
        stack.extend(reversed(by_parent.get(unit.pk, [])))
    return ordered


# ---------------------------------------------------------------------------
# Widgets


PLAIN, SMALL, SEARCH = "plain", "small", "search"


@dataclass
class _Mode:
    kind: str
    rows: list[Unit] = field(default_factory=list)
    token: str = ""
    small_widget: forms.Widget | None = None


@dataclass
class _Search:
    """A search typed without JavaScript and posted with the form."""

    text: str
    matches: list[Unit]
    more: bool
    resolved: bool = False


class UnitPickerWidget(forms.Select):
    """Chooses one unit: a plain select for few units, a search box for many (see the module docstring).

    Works with any ``ModelChoiceField`` over units; the fields of ``organisations.forms`` also report a search typed
    without JavaScript that matched nothing or several units. ``fallback`` is the widget used for few units.
    """

    template_name = "organisations/widgets/unit_picker.html"
    fallback_class: type[forms.Widget] = forms.Select

    def __init__(
        self, attrs: dict[str, Any] | None = None, choices: Any = (), *, fallback: type[forms.Widget] | None = None
    ) -> None:
        super().__init__(attrs, choices)
        self.fallback = fallback or self.fallback_class
        self._reset()

    def _reset(self) -> None:
        self._mode_for: Any = None
        self._mode: _Mode | None = None
        self._search: _Search | None = None
        self._search_cache: dict[str, tuple[list[Unit], bool]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> UnitPickerWidget:
        copy = super().__deepcopy__(memo)
        assert isinstance(copy, UnitPickerWidget)
        copy._reset()
        return copy

    # -- which presentation -------------------------------------------------

    def mode(self) -> _Mode:
        """Plain select, small select (rows read once) or search; decided once per set of choices."""
        choices = self.choices
        if self._mode is not None and self._mode_for is choices:
            return self._mode
        if not isinstance(choices, ModelChoiceIterator):
            mode = _Mode(PLAIN)
        else:
            limit = select_limit()
            rows = list(choices.queryset[: limit + 1])
            if len(rows) <= limit:
                mode = _Mode(SMALL, rows=rows)
            else:
                try:
                    mode = _Mode(SEARCH, token=scope_token(choices.queryset))
                except ScopeError as exc:
                    logger.warning("Unit picker falls back to a full select: %s", exc)
                    mode = _Mode(PLAIN)
        self._mode_for, self._mode = choices, mode
        return mode

    def _small_widget(self) -> forms.Widget:
        mode = self.mode()
        if mode.small_widget is not None:
            return mode.small_widget
        iterator = self.choices
        assert isinstance(iterator, ModelChoiceIterator)
        model_field = iterator.field
        order = getattr(model_field, "order_units", None)
        rows = order(mode.rows) if order is not None else mode.rows
        options: list[Any] = [("", model_field.empty_label)] if model_field.empty_label is not None else []
        options.extend(iterator.choice(unit) for unit in rows)
        widget = self.fallback(attrs=self.attrs)
        widget.choices = options  # type: ignore[attr-defined]
        widget.is_required = self.is_required
        mode.small_widget = widget
        return widget

    def use_required_attribute(self, initial: Any) -> bool:
        kind = self.mode().kind
        if kind == SEARCH:
            return False  # the hidden select must not block submission; the text box says aria-required
        widget = self._small_widget() if kind == SMALL else self._plain_widget()
        return widget.use_required_attribute(initial)

    @property
    def use_fieldset(self) -> bool:  # type: ignore[override]
        return self.mode().kind == SMALL and bool(getattr(self.fallback, "use_fieldset", False))

    def id_for_label(self, id_: str, index: str | None = None) -> str:  # type: ignore[override]
        kind = self.mode().kind
        if kind == SEARCH and index is None and id_:
            return f"{id_}_search"
        widget = self._small_widget() if kind == SMALL else self._plain_widget()
        return widget.id_for_label(id_) if index is None else widget.id_for_label(id_, index)  # type: ignore[call-arg]

    # -- reading the posted value ------------------------------------------

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        text = " ".join(str(data.get(name + SEARCH_SUFFIX) or "").split())[:QUERY_MAX_LENGTH]
        self._search = None
        if not text or not isinstance(self.choices, ModelChoiceIterator):
            return value
        if text not in self._search_cache:
            self._search_cache[text] = search_units(self.choices.queryset, text)
        matches, more = self._search_cache[text]
        self._search = _Search(text=text, matches=matches, more=more)
        if len(matches) == 1 and not more:
            pk = str(matches[0].pk)
            self._search.resolved = True
            if not self.allow_multiple_selected:
                return pk
            chosen = [str(item) for item in value or []]
            return chosen if pk in chosen else [*chosen, pk]
        return value

    def search_problem(self) -> ValidationError | None:
        """Why the search posted without JavaScript did not give a unit, or ``None``."""
        search = self._search
        if search is None or search.resolved:
            return None
        if not search.matches:
            return ValidationError(
                _("Không tìm thấy đơn vị nào khớp với “%(text)s” trong phạm vi được chọn."),
                code="unit_search",
                params={"text": search.text},
            )
        return ValidationError(
            _("Có nhiều đơn vị khớp với “%(text)s”: hãy chọn trong danh sách kết quả rồi gửi lại."),
            code="unit_search",
            params={"text": search.text},
        )

    # -- rendering ---------------------------------------------------------

    def _plain_widget(self) -> forms.Widget:
        """The select of every unit: for choices that are not a unit queryset, or one the search cannot describe."""
        widget = (forms.SelectMultiple if self.allow_multiple_selected else forms.Select)(attrs=self.attrs)
        widget.choices = self.choices
        widget.is_required = self.is_required
        return widget

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        kind = self.mode().kind
        if kind == SEARCH:
            return self._search_context(name, value, attrs)
        widget = self._small_widget() if kind == SMALL else self._plain_widget()
        return widget.get_context(name, value, attrs)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        kind = self.mode().kind
        if kind == SEARCH:
            return super().render(name, value, attrs, renderer)
        widget = self._small_widget() if kind == SMALL else self._plain_widget()
        return widget.render(name, value, attrs, renderer)

    def _search_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        select_attrs = dict(widget["attrs"])
        base_id = select_attrs.get("id") or f"unit-picker-{name}"
        select_attrs["id"] = base_id
        input_attrs: dict[str, Any] = {}
        if "aria-invalid" in select_attrs:
            input_attrs["aria-invalid"] = select_attrs.pop("aria-invalid")
        if select_attrs.get("disabled"):
            input_attrs["disabled"] = True
        described_by = [str(select_attrs.pop("aria-describedby", "")), f"{base_id}_hint"]
        if select_attrs.pop("required", False) or self.is_required:
            input_attrs["aria-required"] = "true"
        if not self.allow_multiple_selected:
            select_attrs.pop("size", None)
        select_attrs["class"] = f"{select_attrs.get('class', '')} unit-picker-select".strip()
        iterator = self.choices
        assert isinstance(iterator, ModelChoiceIterator)
        chosen_ids = [int(item) for item in widget["value"] if str(item).isdigit()]
        chosen: list[Unit] = []
        if chosen_ids:
            found = {unit.pk: unit for unit in iterator.queryset.filter(pk__in=chosen_ids)}
            chosen = [found[pk] for pk in dict.fromkeys(chosen_ids) if pk in found]
        search = self._search if self._search is not None and not self._search.resolved else None
        candidates = [unit for unit in (search.matches if search else []) if unit.pk not in set(chosen_ids)]
        paths = parent_paths([*chosen, *candidates])

        def option(unit: Unit, selected: bool) -> dict[str, Any]:
            path = paths.get(unit.pk, "")
            return {
                "value": str(unit.pk),
                "name": unit.name,
                "path": path,
                "label": f"{unit.name}{PATH_SEPARATOR}{path}" if path else unit.name,
                "selected": selected,
            }

        options = [option(unit, True) for unit in chosen] + [option(unit, False) for unit in candidates]
        if not self.allow_multiple_selected:
            empty_label = getattr(iterator.field, "empty_label", None) or "—"
            options.insert(0, {"value": "", "label": empty_label, "name": "", "path": "", "selected": not chosen})
        widget["attrs"] = select_attrs
        widget["picker"] = {
            "url": f"{reverse('organisations:unit_search')}?scope={self.mode().token}",
            "multiple": self.allow_multiple_selected,
            "input_id": f"{base_id}_search",
            "input_name": f"{name}{SEARCH_SUFFIX}",
            "input_attrs": input_attrs,
            "listbox_id": f"{base_id}_results",
            "status_id": f"{base_id}_status",
            "hint_id": f"{base_id}_hint",
            "describedby": " ".join(part for part in described_by if part),
            "options": options,
            # Several matches are offered in the select and the box is emptied, so that choosing one and submitting
            # again does not repeat the search; a search without a match stays in the box to be corrected.
            "search_text": search.text if search and not search.matches else "",
            "searched_for": search.text if search and search.matches else "",
            "search_more": bool(search and search.more),
        }
        return context


class UnitMultiplePickerWidget(UnitPickerWidget):
    """Chooses several units: a plain multiple select (or checkboxes) for few, search with chips for many."""

    allow_multiple_selected = True
    fallback_class = forms.SelectMultiple

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an empty multiple select posts nothing, like SelectMultiple


class UnitPickerFieldMixin:
    """For unit fields: a search posted without JavaScript that did not give one unit is a field error."""

    def clean(self, value: Any) -> Any:
        widget = getattr(self, "widget", None)
        if isinstance(widget, UnitPickerWidget) and (problem := widget.search_problem()) is not None:
            raise problem
        return super().clean(value)  # type: ignore[misc]
