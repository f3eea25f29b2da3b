"""Result pages of a round: ranking, a unit's result, points lost, downloads, and the public page.

All read-only. Access through :mod:`cchc.assessments.access`:
:func:`~cchc.assessments.access.get_results_round_for_user` (404 for a round
the user may not see), ``can_view_all_round_results`` for the cross-unit
analysis, ``can_view_unit_result`` / ``result_unit_paths`` for a unit's page,
``can_view_public_round_results`` for anonymous visitors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.assessments import access
from cchc.directives.services import DirectiveExistsError
from cchc.lib import page_cache
from cchc.lib.errors import ServiceError
from cchc.lib.replica import use_replica
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.lib.types import Viewer
from cchc.lib.validators import validate_date_range
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.selectors import successors_on

from .. import analysis, documents, remediation, selectors
from ..models import Assessment, Result, Round
from ..results import area_entry

NAV = "results"


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _assessment_in_round(request: HttpRequest, round_: Round, assessment_id: Any) -> Assessment:
    try:
        pk = int(assessment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    assessment = (
        Assessment.objects.select_related("unit", "framework", "round__organiser").filter(round=round_, pk=pk).first()
    )
    if assessment is None or not access.can_view_unit_result(request.user, round_, assessment.unit):
        raise Http404
    return assessment


# The apps whose tables the ranking reads: results and sheets, the frameworks' areas, the units and their mergers.
RANKING_READS = ("assessments", "frameworks", "organisations")


def _ranking_tables(
    user: Viewer, round_: Round, asked: str
) -> tuple[list[tuple[str, str]], str, str, list[tuple[str, str]]]:
    """The round's kinds of unit, the one shown (``asked`` if ranked, else the first), its rendered tables, and the
    sheets of that kind the council approved without a full appraisal (unit name, reason), by unit name."""
    groups = analysis.ranking(round_)
    kinds = [(group.unit_kind, str(group.label)) for group in groups]
    kind = asked if asked in {value for value, _label in kinds} else (kinds[0][0] if kinds else "")
    shown = [group for group in groups if group.unit_kind == kind]
    context = {"round": round_, "groups": shown, "openable": _openable(user, round_, shown), "show_areas": True}
    overrides = [
        (sheet.unit.name, sheet.approval_override_reason)
        for sheet in selectors.by_unit_name(
            round_.assessments.filter(framework__unit_kind=kind)
            .exclude(approval_override_reason="")
            .select_related("unit")
        )
    ]
    return kinds, kind, str(render_to_string("assessments/results/_ranking_table.html", context)), overrides


def _openable(user: Viewer, round_: Round, groups: list[analysis.RankingGroup]) -> set[int] | None:
    """Assessment ids whose result page the user may open from the ranking; ``None``: all of them."""
    paths = access.result_unit_paths(user, round_)
    if paths is None:
        return None
    if not paths:
        return set()
    unit_ids = {row.unit_id for group in groups for row in group.rows}
    allowed = {
        pk
        for pk, path in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path")
        if any(path.startswith(prefix) for prefix in paths)
    }
    return {row.assessment_id for group in groups for row in group.rows if row.unit_id in allowed}


# ---------------------------------------------------------------------------
# Pages


@require_GET
@login_required
@use_replica()
def results_index(request: HttpRequest) -> HttpResponse:
    """Rounds whose results the user may see."""
    rounds = (
        access.get_rounds_for_user(request.user)
        .select_related("organiser")
        .annotate(has_results=Exists(Result.objects.filter(assessment__round=OuterRef("pk"))))
        .filter(has_results=True)
    )
    visible = []
    for round_ in rounds:
        if access.can_view_round_results(request.user, round_):
            visible.append(round_)
    return render(request, "assessments/results/index.html", {"rounds": visible, "nav_active": NAV})


@require_GET
@login_required
@use_replica()
def ranking_page(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id, from_cache=True)
    asked = request.GET.get("kind", "")
    paths = access.result_unit_paths(request.user, round_)
    # The ranking tables are the same for everybody who may open the same units' result pages: kept in the cache
    # under the version of the data they read (a kind nobody ranks falls back to the first, so it makes no entry).
    kinds, kind, table, overrides = page_cache.fragment(
        "assessments.ranking.sections",
        reads=RANKING_READS,
        scope=(round_.pk, asked if asked in UnitKind.values else "", None if paths is None else tuple(sorted(paths))),
        compute=lambda: _ranking_tables(request.user, round_, asked),
    )
    context = {
        "round": round_,
        "kinds": kinds,
        "kind": kind,
        "ranking_table": mark_safe(table),  # noqa: S308 - rendered by our own template, escaped there
        "can_view_all": access.can_view_all_round_results(request.user, round_),
        "overrides": overrides,
        "nav_active": NAV,
    }
    return render(request, "assessments/results/ranking.html", context)


class RemediationPlanForm(forms.Form):
    gaps = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Tiêu chí cần khắc phục"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Chọn ít nhất một tiêu chí để lập kế hoạch khắc phục."),
            "invalid_choice": gettext_lazy("Tiêu chí đã chọn không hợp lệ."),
        },
    )
    deadline = forms.DateField(
        label=gettext_lazy("Thời hạn hoàn thành"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": gettext_lazy("Thời hạn hoàn thành không hợp lệ (ví dụ 30/06/2025).")},
        validators=[validate_date_range],
    )

    def __init__(self, *args: Any, gaps: list[analysis.Gap], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gaps"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(gap.criterion.id, f"{gap.criterion.code} {gap.criterion.title}") for gap in gaps]


class RoundRemediationForm(forms.Form):
    """Criteria of the points-lost page to turn into tasks for every unit that lost points on them."""

    gaps = RemediationPlanForm.base_fields["gaps"]
    deadline = RemediationPlanForm.base_fields["deadline"]

    def __init__(self, *args: Any, rows: list[analysis.LossRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gaps"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (row.criterion.id, f"{row.criterion.code} {row.criterion.title}") for row in rows if row.loss.total_lost > 0
        ]


def _unit_context(
    request: HttpRequest, round_: Round, assessment: Assessment, form: RemediationPlanForm | None
) -> dict[str, Any]:
    result = Result.objects.filter(assessment=assessment).first()
    gaps = analysis.unit_gaps(assessment)
    change = analysis.year_over_year(round_).get(assessment.pk) if result else None
    areas = []
    if result:
        titles = dict(assessment.framework.criteria.filter(parent__isnull=True).values_list("code", "title"))
        stored = result.area_indices if isinstance(result.area_indices, dict) else {}
        for code in sorted(stored, key=analysis._natural):
            entry = area_entry(stored, code)
            if entry is not None:
                areas.append({"code": code, "title": titles.get(code, ""), "area": entry})
    form = form or RemediationPlanForm(
        gaps=gaps,
        initial={"gaps": [gap.criterion.id for gap in gaps], "deadline": remediation.default_deadline()},
    )
    selected = set()
    for value in form["gaps"].value() or []:
        try:
            selected.add(int(value))
        except (TypeError, ValueError):
            continue
    return {
        "round": round_,
        "assessment": assessment,
        "result": result,
        "change": change,
        "areas": areas,
        "gaps": gaps,
        "lost_total": sum((gap.lost for gap in gaps), analysis.ZERO),
        "form": form,
        "selected": selected,
        "can_create_tasks": access.can_create_remediation_tasks(request.user, round_),
        "inherited": _inherited_labels([assessment.unit]),
        "nav_active": NAV,
    }


def _inherited_labels(units: list[Any]) -> list[str]:
    """``Xã Bằng Luân (kế thừa Xã Bằng Doãn)`` for each unit closed since the round that has successors today."""
    closed = successors_on(units, timezone.localdate())
    by_pk = {unit.pk: unit for unit in units}
    return [remediation.successor_label(by_pk[pk], found) for pk, found in closed.items() if found]


@require_GET
@login_required
@use_replica()
def unit_result(request: HttpRequest, round_id: int, assessment_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    assessment = _assessment_in_round(request, round_, assessment_id)
    return render(request, "assessments/results/unit.html", _unit_context(request, round_, assessment, None))


def _points_lost_context(
    request: HttpRequest, round_: Round, rows: list[analysis.LossRow], form: RoundRemediationForm | None
) -> dict[str, Any]:
    kinds = dict(round_.frameworks.values_list("pk", "unit_kind"))
    labels = dict(UnitKind.choices)
    can_create = access.can_create_remediation_tasks(request.user, round_)
    if can_create and form is None:
        form = RoundRemediationForm(rows=rows, initial={"deadline": remediation.default_deadline()})
    selected = set()
    for value in (form["gaps"].value() or []) if form is not None else []:
        try:
            selected.add(int(value))
        except (TypeError, ValueError):
            continue
    return {
        "round": round_,
        "rows": [(row, labels.get(kinds.get(row.framework_id, ""), "")) for row in rows],
        "form": form if can_create else None,
        "selected": selected,
        "inherited": _inherited_labels(list(Unit.objects.filter(assessments__round=round_).order_by("path")))
        if can_create
        else [],
        "nav_active": NAV,
    }


@require_GET
@login_required
@use_replica()
def points_lost_page(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    roles.require(access.can_view_all_round_results(request.user, round_))
    rows = analysis.round_points_lost(round_)
    return render(request, "assessments/results/points_lost.html", _points_lost_context(request, round_, rows, None))


# ---------------------------------------------------------------------------
# Remediation plans as tracked tasks (see :mod:`cchc.assessments.remediation`)


def _created(request: HttpRequest, directive: Any) -> HttpResponse:
    count = directive.tasks.count()
    messages.success(
        request,
        ngettext(
            "Đã tạo kế hoạch khắc phục với %(count)d nhiệm vụ để theo dõi.",
            "Đã tạo kế hoạch khắc phục với %(count)d nhiệm vụ để theo dõi.",
            count,
        )
        % {"count": count},
    )
    return redirect("directives:directive_detail", directive.pk)


def _already_created(request: HttpRequest, error: DirectiveExistsError) -> HttpResponse:
    """The same plan was submitted again (a second click, another tab): show the one that exists."""
    directive = error.directive
    messages.warning(
        request,
        gettext(
            "Kế hoạch khắc phục cho các tiêu chí đã chọn đã được tạo lúc %(when)s; không tạo thêm. Đây là kế hoạch đó."
        )
        % {"when": f"{timezone.localtime(directive.created_at):%H:%M %d/%m/%Y}"},
    )
    return redirect("directives:directive_detail", directive.pk)


@require_POST
@login_required
def remediation_tasks_unit(request: HttpRequest, round_id: int, assessment_id: int) -> HttpResponse:
    """Turn the selected gaps of one unit into a tracked plan: one task per criterion for that unit."""
    round_ = access.get_results_round_for_user(request.user, round_id)
    assessment = _assessment_in_round(request, round_, assessment_id)
    roles.require(access.can_create_remediation_tasks(request.user, round_))
    form = RemediationPlanForm(request.POST, gaps=analysis.unit_gaps(assessment))
    if form.is_valid():
        try:
            directive = remediation.remediation_tasks_create(
                actor=request.user,
                round_=round_,
                gaps=remediation.unit_selection(assessment, form.cleaned_data["gaps"]),
                deadline=form.cleaned_data["deadline"],
            )
        except DirectiveExistsError as exc:
            return _already_created(request, exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return _created(request, directive)
    context = _unit_context(request, round_, assessment, form)
    return render(request, "assessments/results/unit.html", context, status=400)


@require_POST
@login_required
def remediation_tasks_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """Turn the selected criteria of the points-lost page into tasks for every unit that lost points on them."""
    round_ = access.get_results_round_for_user(request.user, round_id)
    roles.require(access.can_view_all_round_results(request.user, round_))
    roles.require(access.can_create_remediation_tasks(request.user, round_))
    rows = analysis.round_points_lost(round_)
    form = RoundRemediationForm(request.POST, rows=rows)
    if form.is_valid():
        try:
            directive = remediation.remediation_tasks_create(
                actor=request.user,
                round_=round_,
                gaps=remediation.round_selection(round_, form.cleaned_data["gaps"]),
                deadline=form.cleaned_data["deadline"],
            )
        except DirectiveExistsError as exc:
            return _already_created(request, exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return _created(request, directive)
    context = _points_lost_context(request, round_, rows, form)
    return render(request, "assessments/results/points_lost.html", context, status=400)


@require_GET
@use_replica()
def public_results(request: HttpRequest, round_id: int) -> HttpResponse:
    """The public page of a published round marked public (no login)."""
    round_ = Round.objects.select_related("organiser").filter(pk=round_id).first()
    if round_ is None or not access.can_view_public_round_results(round_):
        raise Http404
    groups = analysis.ranking(round_)
    context = {"round": round_, "groups": groups, "openable": set()}
    return render(request, "assessments/results/public.html", context)


# ---------------------------------------------------------------------------
# Downloads


def _name(round_: Round, what: str, extension: str) -> str:
    return f"{slugify(what)}-{round_.year}-{round_.pk}.{extension}"


@require_GET
@login_required
@use_replica()
def ranking_download(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    return _download(documents.ranking_xlsx(round_), _name(round_, "xep-hang", "xlsx"), XLSX_CONTENT_TYPE)


@require_GET
@login_required
@use_replica()
def decision_download(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    return _download(
        documents.decision_docx(round_), _name(round_, "quyet-dinh-cong-bo", "docx"), documents.DOCX_CONTENT_TYPE
    )


@require_GET
@login_required
@use_replica()
def points_lost_download(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    roles.require(access.can_view_all_round_results(request.user, round_))
    return _download(documents.points_lost_xlsx(round_), _name(round_, "diem-bi-mat", "xlsx"), XLSX_CONTENT_TYPE)


@require_GET
@login_required
def scoring_sheet_download(request: HttpRequest, round_id: int, assessment_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    assessment = _assessment_in_round(request, round_, assessment_id)
    name = f"phieu-cham-diem-{slugify(assessment.unit.code or str(assessment.unit.pk))}-{round_.year}.xlsx"
    return _download(documents.scoring_sheet_xlsx(assessment), name, XLSX_CONTENT_TYPE)


@require_POST
@login_required
def remediation_plan_download(request: HttpRequest, round_id: int, assessment_id: int) -> HttpResponse:
    round_ = access.get_results_round_for_user(request.user, round_id)
    assessment = _assessment_in_round(request, round_, assessment_id)
    gaps = analysis.unit_gaps(assessment)
    form = RemediationPlanForm(request.POST, gaps=gaps)
    if not form.is_valid():
        context = _unit_context(request, round_, assessment, form)
        return render(request, "assessments/results/unit.html", context, status=400)
    items = analysis.remediation_plan(assessment, form.cleaned_data["gaps"], deadline=form.cleaned_data["deadline"])
    name = f"ke-hoach-khac-phuc-{slugify(assessment.unit.code or str(assessment.unit.pk))}-{round_.year}.xlsx"
    return _download(documents.remediation_plan_xlsx(assessment, items), name, XLSX_CONTENT_TYPE)


__all__ = [
    "decision_download",
    "points_lost_download",
    "points_lost_page",
    "public_results",
    "ranking_download",
    "ranking_page",
    "remediation_plan_download",
    "remediation_tasks_round",
    "remediation_tasks_unit",
    "results_index",
    "scoring_sheet_download",
    "unit_result",
]
