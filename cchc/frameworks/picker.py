"""The framework-criterion picker: chooses criteria of any framework by searching code or title.

It is the searchable picker of :mod:`cchc.organisations.widgets` for the criteria of the frameworks (the task form's
"related criteria", several hundred of them across the years): a text box that finds criteria by code (``1.2``) or
by words of their title or framework ignoring diacritics, a list of matches naming each one's framework, and the
chosen criteria as removable chips. The value posted is still the primary keys of the chosen criteria, checked
against the field's queryset.

The search runs on ``frameworks:criterion_search``; the page hands it a signed token naming the field's scope
(``("frameworks.criteria", {})``, :data:`CRITERION_SCOPES`), which the endpoint computes and keeps to the criteria
of the frameworks the signed-in user may read. The unit scope of a criterion's lead unit
(``frameworks.lead_units``) is registered here too. Without JavaScript the
text typed is searched when the form is submitted: one match is added to the choice, several are offered in the
list to choose from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.frameworks import access
from cchc.lib.text import search_key
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitQuerySet
from cchc.organisations.picker import UNIT_SCOPES, Scope, ScopeRegistry
from cchc.organisations.widgets import (
    QUERY_MAX_LENGTH,
    RESULT_LIMIT,
    SearchPickerFieldMixin,
    SearchPickerWidget,
)

from . import excel
from .models import Criterion, Framework


def _readable_criteria(viewer: Viewer) -> QuerySet[Criterion]:
    return Criterion.objects.filter(framework__in=access.get_frameworks_for_user(viewer))


CRITERION_SCOPES = ScopeRegistry(model=Criterion, salt="cchc.frameworks.criterion-picker", readable=_readable_criteria)


@CRITERION_SCOPES.register("frameworks.criteria")
def all_criteria(viewer: Viewer) -> QuerySet[Criterion]:
    """The criteria of every framework (the endpoint keeps those of the frameworks the user may read)."""
    return Criterion.objects.select_related("framework").order_by("-framework__year", "framework_id", "position", "pk")


def criteria_scope(viewer: Viewer | None) -> Scope:
    return CRITERION_SCOPES(viewer, "frameworks.criteria")


@UNIT_SCOPES.register("frameworks.lead_units")
def lead_units(viewer: Viewer, *, framework: int) -> UnitQuerySet:
    """The units the viewer may name as the lead unit of a criterion of ``framework`` (``excel.lead_units_for``)."""
    framework_row = Framework.objects.select_related("owner").filter(pk=int(framework)).first()
    if framework_row is None:  # deleted since the page was shown
        return Unit.objects.none()
    return excel.lead_units_for(viewer, framework_row)


TITLE_SHOWN = 90


def code_order(code: str) -> tuple[tuple[int, Any], ...]:
    """A criterion code as a sort key: "1.10" after "1.9", numbers before letters."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in code.split("."))


def _order(criterion: Criterion) -> tuple[Any, ...]:
    framework = criterion.framework
    return (-framework.year, framework.name, framework.pk, code_order(criterion.code), criterion.pk)


def search_criteria(
    criteria: QuerySet[Criterion], query: str, *, limit: int = RESULT_LIMIT
) -> tuple[list[Criterion], bool]:
    """At most ``limit`` criteria of ``criteria`` matching ``query``, best first, and whether more matched.

    A criterion matches when every word of the query is in its code, title or framework name (ignoring case and
    diacritics). The criteria whose code is the query come first, then those whose code starts with it, then the
    rest; within each, the newest framework first, then in code order.
    """
    text = " ".join(query[:QUERY_MAX_LENGTH].split()).rstrip(".")
    key = search_key(text)
    words = key.split()
    found = []
    for criterion in criteria.select_related("framework").order_by():
        code = search_key(criterion.code)
        haystack = f"{code} {search_key(criterion.title)} {search_key(criterion.framework.name)}"
        if all(word in haystack for word in words):
            found.append(criterion)

    def rank(criterion: Criterion) -> tuple[Any, ...]:
        code = search_key(criterion.code)
        position = 0 if key and code == key else 1 if key and code.startswith(key) else 2
        return (position, *_order(criterion))

    found.sort(key=rank)
    return found[:limit], len(found) > limit


def criterion_label(criterion: Criterion) -> str:
    title = criterion.title
    if len(title) > TITLE_SHOWN:
        title = title[: TITLE_SHOWN - 1] + "…"
    return f"{criterion.code} {title}"


def criterion_details(criteria: Iterable[Criterion]) -> dict[int, tuple[str, str]]:
    """For each criterion, its label and its framework (name and year); one query for those not yet joined."""
    criteria = list(criteria)
    missing = [item.pk for item in criteria if "framework" not in item._state.fields_cache]
    loaded = Criterion.objects.select_related("framework").in_bulk(missing) if missing else {}
    details = {}
    for item in criteria:
        criterion = loaded.get(item.pk, item)
        details[item.pk] = (criterion_label(criterion), f"{criterion.framework.name} ({criterion.framework.year})")
    return details


def criterion_result(criterion: Criterion, details: dict[int, tuple[str, str]]) -> dict[str, Any]:
    """One search result as the endpoint returns it."""
    name, detail = details[criterion.pk]
    return {"id": criterion.pk, "name": name, "detail": detail, "label": name}


class FrameworkCriterionPickerWidget(SearchPickerWidget):
    """Chooses several criteria of the frameworks: always the search box with chips (there are hundreds)."""

    template_name = "frameworks/widgets/criterion_picker.html"
    search_url_name = "frameworks:criterion_search"
    limit_setting = "FRAMEWORK_CRITERION_PICKER_SELECT_LIMIT"
    id_prefix = "framework-criterion-picker"
    log_name = "Framework criterion picker"
    no_match_message = _("Không tìm thấy tiêu chí nào khớp với “%(text)s”.")
    several_matches_message = _("Có nhiều tiêu chí khớp với “%(text)s”: hãy chọn trong danh sách kết quả rồi gửi lại.")
    problem_code = "criterion_search"
    allow_multiple_selected = True
    fallback_class = forms.SelectMultiple
    default_limit = 0  # always the search box

    def search(self, queryset: QuerySet[Any], text: str) -> tuple[list[Any], bool]:
        return search_criteria(queryset, text)

    def describe_rows(self, rows: list[Any]) -> dict[Any, tuple[str, str]]:
        return criterion_details(rows)

    def default_order(self, rows: list[Any]) -> list[Any]:
        missing = [row.pk for row in rows if "framework" not in row._state.fields_cache]
        loaded = Criterion.objects.select_related("framework").in_bulk(missing) if missing else {}
        return sorted(rows, key=lambda row: _order(loaded.get(row.pk, row)))


class FrameworkCriterionMultipleChoiceField(SearchPickerFieldMixin, forms.ModelMultipleChoiceField):
    """Several criteria of the frameworks, chosen with :class:`FrameworkCriterionPickerWidget`."""

    widget = FrameworkCriterionPickerWidget

    def label_from_instance(self, obj: Any) -> str:
        return f"{criterion_label(obj)} — {obj.framework.name} ({obj.framework.year})"
