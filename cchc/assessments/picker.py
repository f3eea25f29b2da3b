"""The criterion picker: chooses the leaves of a sheet an evidence item supports, by searching code or title.

It is the searchable picker of :mod:`cchc.organisations.widgets` for the scores of one sheet: a text box that finds
leaves by code (``1.2``) or by words of their title ignoring diacritics, a list of matches, and the chosen leaves as
removable chips. The value posted is still the primary keys of the chosen scores, checked against the field's
queryset (the leaves of the sheet). It replaces a list where several leaves had to be chosen with Ctrl-click.

The search runs on ``assessments:score_search``; the page hands it a signed token naming the field's scope
(``("assessments.sheet", {"assessment": 7})``: the scores of one assessment, :data:`SCORE_SCOPES`), which the
endpoint computes and keeps to the scores the signed-in user may read. Without JavaScript
the text typed is searched when the form is submitted: one match (or a code typed exactly) is added to the choice,
several are offered in the list to choose from.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.assessments import access
from cchc.frameworks.picker import TITLE_SHOWN, code_order
from cchc.lib.text import search_key
from cchc.lib.types import Viewer
from cchc.organisations.picker import Scope, ScopeRegistry
from cchc.organisations.widgets import (
    QUERY_MAX_LENGTH,
    RESULT_LIMIT,
    SearchPickerFieldMixin,
    SearchPickerWidget,
)

from .models import Assessment, Score


def _readable_scores(viewer: Viewer) -> QuerySet[Score]:
    return Score.objects.filter(assessment__in=access.get_assessments_for_user(viewer))


SCORE_SCOPES = ScopeRegistry(model=Score, salt="cchc.assessments.criterion-picker", readable=_readable_scores)


@SCORE_SCOPES.register("assessments.sheet")
def sheet_scores(viewer: Viewer, *, assessment: int) -> QuerySet[Score]:
    """The scores of one assessment (its sheet)."""
    return Score.objects.filter(assessment_id=int(assessment)).select_related("criterion")


def sheet_scope(viewer: Viewer | None, assessment: Assessment) -> Scope:
    """The scores of ``assessment``'s sheet, as the scope of a criterion picker."""
    return SCORE_SCOPES(viewer, "assessments.sheet", assessment=assessment.pk)


def search_scores(scores: QuerySet[Score], query: str, *, limit: int = RESULT_LIMIT) -> tuple[list[Score], bool]:
    """At most ``limit`` leaves of ``scores`` matching ``query``, best first, and whether more matched.

    A code typed exactly gives that leaf alone; otherwise a leaf matches when every word of the query is in its code
    and title (ignoring case and diacritics); codes starting with the query come first, then in code order.
    """
    text = " ".join(query[:QUERY_MAX_LENGTH].split())
    key = search_key(text)
    rows = list(scores.select_related("criterion").order_by())
    rows.sort(key=lambda score: code_order(score.criterion.code))
    exact = [score for score in rows if text and score.criterion.code == text.rstrip(".")]
    if exact:
        return exact[:1], False
    words = key.split()
    found = []
    for score in rows:
        haystack = f"{search_key(score.criterion.code)} {search_key(score.criterion.title)}"
        if all(word in haystack for word in words):
            found.append(score)
    found.sort(key=lambda score: 0 if key and search_key(score.criterion.code).startswith(key) else 1)
    return found[:limit], len(found) > limit


def score_label(score: Score) -> str:
    title = score.criterion.title
    if len(title) > TITLE_SHOWN:
        title = title[: TITLE_SHOWN - 1] + "…"
    return f"{score.criterion.code} {title}"


def score_result(score: Score) -> dict[str, Any]:
    """One search result as the endpoint returns it."""
    label = score_label(score)
    return {"id": score.pk, "name": label, "detail": "", "label": label}


class CriterionPickerWidget(SearchPickerWidget):
    """Chooses several leaves of a sheet: always the search box with chips (a sheet has up to a hundred leaves)."""

    template_name = "frameworks/widgets/criterion_picker.html"
    search_url_name = "assessments:score_search"
    limit_setting = "CRITERION_PICKER_SELECT_LIMIT"
    id_prefix = "criterion-picker"
    log_name = "Criterion picker"
    no_match_message = _("Không tìm thấy tiêu chí nào khớp với “%(text)s” trong phiếu này.")
    several_matches_message = _("Có nhiều tiêu chí khớp với “%(text)s”: hãy chọn trong danh sách kết quả rồi gửi lại.")
    problem_code = "criterion_search"
    allow_multiple_selected = True
    fallback_class = forms.SelectMultiple
    default_limit = 0  # always the search box

    def search(self, queryset: QuerySet[Any], text: str) -> tuple[list[Any], bool]:
        return search_scores(queryset, text)

    def describe_rows(self, rows: list[Any]) -> dict[Any, tuple[str, str]]:
        missing = [row.pk for row in rows if "criterion" not in row._state.fields_cache]
        loaded = Score.objects.select_related("criterion").in_bulk(missing) if missing else {}
        return {row.pk: (score_label(loaded.get(row.pk, row)), "") for row in rows}


class CriterionMultipleChoiceField(SearchPickerFieldMixin, forms.ModelMultipleChoiceField):
    """Several leaves of one sheet, chosen with :class:`CriterionPickerWidget`."""

    widget = CriterionPickerWidget

    def label_from_instance(self, obj: Any) -> str:
        return score_label(obj)
