"""The unit picker: a searchable replacement for the plain ``<select>`` of every unit in scope.

A field that chooses units (``UnitChoiceField``, ``UnitMultipleChoiceField``) keeps its queryset, its validation
and its permission checks; only the way the choice is made changes:

* **Few units** (at most ``UNIT_PICKER_SELECT_LIMIT``, 200 by default): the plain select (or checkboxes), exactly as
  before.
* **Many units**: a text box that searches by name, short name or code ignoring diacritics, a list of at most
  :data:`RESULT_LIMIT` matches with each unit's parent path, and the chosen units as removable chips. The value
  submitted is still the primary key(s) of the chosen unit(s), through a select the script keeps in step.

The search runs on the endpoint ``organisations:unit_search``. The field declares its scope by name and arguments
(a :class:`cchc.organisations.picker.Scope`, e.g. ``("units.visible", {"manage": true})``); its queryset is what that
scope gives, and the page hands the endpoint a token signing the name and the arguments with the secret key, so the
client cannot alter them. The endpoint calls the same scope function for the signed-in user and keeps the units that
user may read (``cchc.accounts.roles.get_units_for_user``): a token can only narrow what the user may see, never
widen it.
A field without a named scope keeps the full select (with a logged warning).

Without JavaScript the text box is an ordinary input: the search runs when the form is submitted. One match is
taken as the choice; several are offered in the select with a message asking to choose one and submit again.

The machinery is not tied to units: :class:`SearchPickerWidget` is the widget with the search, the label of each
choice and the endpoint left to subclasses, and :class:`SearchPickerFieldMixin` gives a field its named scope. The
person picker (``cchc.accounts.picker``) and the criterion pickers are the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cchc.lib.text import search_key, sort_key

from . import selectors
from .models import Unit, UnitQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .picker import Scope

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
PATH_SEPARATOR = " — "


def select_limit() -> int:
    return int(getattr(settings, "UNIT_PICKER_SELECT_LIMIT", DEFAULT_SELECT_LIMIT))


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


def flat_order(units: Iterable[Unit]) -> list[Unit]:
    """Units in Vietnamese order of their names (then codes), for lists that do not show the tree."""
    return sorted(units, key=lambda unit: (sort_key(unit.name), sort_key(unit.code), unit.pk))


# ---------------------------------------------------------------------------
# Widgets


PLAIN, SMALL, SEARCH = "plain", "small", "search"


@dataclass
class _Mode:
    kind: str
    rows: list[Any] = field(default_factory=list)
    token: str = ""
    small_widget: forms.Widget | None = None


@dataclass
class _Search:
    """A search typed without JavaScript and posted with the form."""

    text: str
    matches: list[Any]
    more: bool
    resolved: bool = False


class SearchPickerWidget(forms.Select):
    """Chooses one row of a large queryset: a plain select for few rows, a search box for many.

    Subclasses name the search endpoint, the setting that sets the limit, the
    search itself (:meth:`search`) and how each row is shown (:meth:`describe_rows`). Works with any
    ``ModelChoiceField``; the search box needs a field with :class:`SearchPickerFieldMixin` and a named scope (its
    token is what the endpoint searches), and such fields also report a search typed without JavaScript that matched
    nothing or several rows. ``fallback`` is the widget used for few rows.
    """

    template_name = "organisations/widgets/unit_picker.html"
    fallback_class: type[forms.Widget] = forms.Select
    search_url_name = "organisations:unit_search"
    limit_setting = "UNIT_PICKER_SELECT_LIMIT"
    # The limit when ``limit_setting`` is not set: above it the search box replaces the select (0: always search).
    default_limit = DEFAULT_SELECT_LIMIT
    id_prefix = "picker"
    log_name = "Picker"
    # What a search posted without JavaScript says when it finds nothing, or several rows (``%(text)s``: the text).
    no_match_message: StrOrPromise
    several_matches_message: StrOrPromise
    problem_code = "picker_search"

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
        self._search_cache: dict[str, tuple[list[Any], bool]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> SearchPickerWidget:
        copy = super().__deepcopy__(memo)
        assert isinstance(copy, SearchPickerWidget)
        copy._reset()
        return copy

    # -- what subclasses say -------------------------------------------------

    def select_limit(self) -> int:
        return int(getattr(settings, self.limit_setting, self.default_limit))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        if self.allow_multiple_selected:
            return False  # an empty multiple select posts nothing, like SelectMultiple
        return super().value_omitted_from_data(data, files, name)

    def search(self, queryset: QuerySet[Any], text: str) -> tuple[list[Any], bool]:
        """At most :data:`RESULT_LIMIT` rows of ``queryset`` matching ``text``, best first, and whether more did."""
        raise NotImplementedError

    def describe_rows(self, rows: list[Any]) -> dict[Any, tuple[str, str]]:
        """For each row (by primary key), its name and the detail shown after it (a unit's parent path)."""
        raise NotImplementedError

    def default_order(self, rows: list[Any]) -> list[Any]:
        """The rows of a listed choice in the order shown when the field does not say (``order_units``)."""
        return rows

    def order_rows(self, rows: list[Any]) -> list[Any]:
        """The rows of a listed choice in the order shown: the field's ``order_units`` if it has one, else the
        widget's :meth:`default_order`. Names are ordered in Python (Vietnamese order), never by the database."""
        field = getattr(self.choices, "field", None)
        order = getattr(field, "order_units", None)
        return list(order(rows)) if order is not None else self.default_order(rows)

    # -- which presentation -------------------------------------------------

    def mode(self) -> _Mode:
        """Plain select, small select (rows read once) or search; decided once per set of choices."""
        choices = self.choices
        if self._mode is not None and self._mode_for is choices:
            return self._mode
        if not isinstance(choices, ModelChoiceIterator):
            mode = _Mode(PLAIN)
        else:
            limit = self.select_limit()
            rows = list(choices.queryset[: limit + 1])
            if len(rows) <= limit:
                mode = _Mode(SMALL, rows=rows)
            else:
                scope: Scope | None = getattr(choices.field, "scope", None)
                if scope is not None:
                    mode = _Mode(SEARCH, token=scope.token())
                else:
                    logger.warning("%s falls back to a full select: the field names no scope", self.log_name)
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
        rows = self.order_rows(mode.rows)
        options: list[Any] = [("", model_field.empty_label)] if model_field.empty_label is not None else []
        options.extend(iterator.choice(row) for row in rows)
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
            self._search_cache[text] = self.search(self.choices.queryset, text)
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
        """Why the search posted without JavaScript did not give a row, or ``None``."""
        search = self._search
        if search is None or search.resolved:
            return None
        message = self.several_matches_message if search.matches else self.no_match_message
        return ValidationError(message, code=self.problem_code, params={"text": search.text})

    # -- rendering ---------------------------------------------------------

    def _plain_widget(self) -> forms.Widget:
        """The select of every row: for choices that are not a queryset, or one the search cannot describe."""
        widget = (forms.SelectMultiple if self.allow_multiple_selected else forms.Select)(attrs=self.attrs)
        iterator = self.choices
        if isinstance(iterator, ModelChoiceIterator):
            empty_label = iterator.field.empty_label
            options: list[Any] = [("", empty_label)] if empty_label is not None else []
            options.extend(iterator.choice(row) for row in self.order_rows(list(iterator.queryset)))
            widget.choices = options
        else:
            widget.choices = iterator
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
        base_id = select_attrs.get("id") or f"{self.id_prefix}-{name}"
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
        chosen: list[Any] = []
        if chosen_ids:
            found = {row.pk: row for row in iterator.queryset.filter(pk__in=chosen_ids)}
            chosen = self.order_rows([found[pk] for pk in dict.fromkeys(chosen_ids) if pk in found])
        search = self._search if self._search is not None and not self._search.resolved else None
        candidates = [row for row in (search.matches if search else []) if row.pk not in set(chosen_ids)]
        described = self.describe_rows([*chosen, *candidates])

        def option(row: Any, selected: bool) -> dict[str, Any]:
            name, detail = described[row.pk]
            return {
                "value": str(row.pk),
                "name": name,
                "path": detail,
                "label": f"{name}{PATH_SEPARATOR}{detail}" if detail else name,
                "selected": selected,
            }

        options = [option(row, True) for row in chosen] + [option(row, False) for row in candidates]
        if not self.allow_multiple_selected:
            empty_label = getattr(iterator.field, "empty_label", None) or "—"
            options.insert(0, {"value": "", "label": empty_label, "name": "", "path": "", "selected": not chosen})
        widget["attrs"] = select_attrs
        widget["picker"] = {
            "url": f"{reverse(self.search_url_name)}?scope={self.mode().token}",
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


class UnitPickerWidget(SearchPickerWidget):
    """Chooses one unit: a plain select for few units, a search box for many (see the module docstring).

    Works with any ``ModelChoiceField`` over units; the fields of ``organisations.forms`` also report a search typed
    without JavaScript that matched nothing or several units. ``fallback`` is the widget used for few units.
    """

    template_name = "organisations/widgets/unit_picker.html"
    search_url_name = "organisations:unit_search"
    limit_setting = "UNIT_PICKER_SELECT_LIMIT"
    id_prefix = "unit-picker"
    log_name = "Unit picker"
    no_match_message = _("Không tìm thấy đơn vị nào khớp với “%(text)s” trong phạm vi được chọn.")
    several_matches_message = _("Có nhiều đơn vị khớp với “%(text)s”: hãy chọn trong danh sách kết quả rồi gửi lại.")
    problem_code = "unit_search"

    def search(self, queryset: QuerySet[Any], text: str) -> tuple[list[Any], bool]:
        return search_units(queryset, text)

    def describe_rows(self, rows: list[Any]) -> dict[Any, tuple[str, str]]:
        paths = parent_paths(rows)
        return {unit.pk: (unit.name, paths.get(unit.pk, "")) for unit in rows}

    def default_order(self, rows: list[Any]) -> list[Any]:
        return flat_order(rows)


class UnitMultiplePickerWidget(UnitPickerWidget):
    """Chooses several units: a plain multiple select (or checkboxes) for few, search with chips for many."""

    allow_multiple_selected = True
    fallback_class = forms.SelectMultiple


# The queryset property of Django's model choice fields, which the picker fields wrap to guard their scope.
_MODEL_CHOICE_QUERYSET = cast(property, vars(forms.ModelChoiceField)["queryset"])


class ScopedQuerysetError(TypeError):
    """A queryset assigned directly to a picker field that has a named scope (see :class:`SearchPickerFieldMixin`)."""


class SearchPickerFieldMixin:
    """For picker fields: the named scope of the choices, and a search posted without JavaScript that did not give one
    row is a field error.

    ``scope`` (a :class:`cchc.organisations.picker.Scope`) says what the field offers; the queryset is what that scope
    gives, built by the same function the search endpoint calls, so the two cannot drift apart. Set it when creating
    the field (``scope=``) or later with :meth:`use_scope` (assigning ``field.scope`` does the same). A field with a
    scope refuses a queryset assigned directly (``field.queryset = ...`` raises :class:`ScopedQuerysetError`): the
    token would still name the scope while the field checked the posted keys against other rows. To offer other rows,
    use another scope, or drop the scope first (``field.scope = None``: the field then lists every row, unsearched).
    """

    _scope: Scope | None = None
    # True only while the field itself gives its queryset (from its scope, or when copied with its form).
    _deriving = False

    def __init__(self, *args: Any, scope: Scope | None = None, **kwargs: Any) -> None:
        if scope is not None:
            kwargs["queryset"] = scope.rows()
        super().__init__(*args, **kwargs)
        self._scope = scope

    @property
    def scope(self) -> Scope | None:
        return self._scope

    @scope.setter
    def scope(self, scope: Scope | None) -> None:
        if scope is None:
            self._scope = None
        else:
            self.use_scope(scope)

    @property
    def queryset(self) -> QuerySet[Any] | None:
        return cast(QuerySet[Any] | None, _MODEL_CHOICE_QUERYSET.fget(self))  # type: ignore[misc]

    @queryset.setter
    def queryset(self, queryset: QuerySet[Any] | None) -> None:
        if self._scope is not None and not self._deriving:
            raise ScopedQuerysetError(
                f"the queryset of a field with the scope {self._scope.name!r} is that scope's rows; "
                "use use_scope() with another scope, or set scope = None first"
            )
        _MODEL_CHOICE_QUERYSET.fset(self, queryset)  # type: ignore[misc]

    def _give_queryset(self, queryset: QuerySet[Any] | None) -> None:
        self._deriving = True
        try:
            self.queryset = queryset
        finally:
            del self._deriving

    def use_scope(self, scope: Scope) -> None:
        """Offer the rows of ``scope``."""
        rows = scope.rows()
        self._scope = scope
        self._give_queryset(rows)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # As ModelChoiceField.__deepcopy__ (a new queryset, hence a new choice iterator, for the copy), the copy
        # keeping its scope and that scope's rows.
        result = cast(Any, forms.Field).__deepcopy__(self, memo)
        if self.queryset is not None:
            result._give_queryset(self.queryset.all())
        return result

    def clean(self, value: Any) -> Any:
        widget = getattr(self, "widget", None)
        if isinstance(widget, SearchPickerWidget) and (problem := widget.search_problem()) is not None:
            raise problem
        return super().clean(value)  # type: ignore[misc]


UnitPickerFieldMixin = SearchPickerFieldMixin
