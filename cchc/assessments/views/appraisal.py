"""The appraiser's pages: the worklist of a round (filtered by unit, area and status, paginated, with “Đồng ý” for
the selected leaves) and one unit's sheet area by area, where each leaf the appraiser's unit leads shows the
unit's score, note and evidence with “Đồng ý” and “Điều chỉnh”.

Access: an appraiser (role ``appraiser``) sees the submitted sheets in their scope holding a leaf their unit leads
(:func:`access.get_assessments_for_user`); appraising a leaf needs
:func:`access.can_appraise_score`. How many leaves of a sheet are appraised is
:func:`selectors.appraisal_progress` ("đã thẩm định x/y tiêu chí").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.accounts.models import Role
from cchc.assessments import access
from cchc.lib.ids import parse_id
from cchc.lib.text import sort_key

from .. import selectors, services
from ..forms import AppraisalAdjustForm, AppraisalForm, WorklistFilterForm
from ..models import Assessment, Score

NAV = "assessments"
PAGE_SIZE = 50


def _int(raw: Any) -> int | None:
    """An id from the page (``None`` when it is not one: text, negative, beyond a 64-bit key)."""
    return parse_id(raw)


def _version(raw: Any) -> int | None:
    """A score version from the page: 0 or more, ``None`` when it is not a number."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def adjust_form(score: Score, data: Any = None) -> AppraisalAdjustForm:
    """The “Điều chỉnh” form of one leaf; ids carry the score so that a page of many leaves has no duplicate ids."""
    initial = None if data is not None else AppraisalForm.initial_for(score)
    return AppraisalAdjustForm(data, initial=initial, criterion=score.criterion, auto_id=f"adjust{score.pk}-%s")


def appraisal_url(assessment_id: int, area_id: int | None = None, score_id: int | None = None) -> str:
    url = reverse("assessments:appraisal_sheet", args=[assessment_id])
    if area_id:
        url += f"?area={area_id}"
    if score_id:
        url += f"#leaf-{score_id}"
    return url


def appraisal_context(
    request: HttpRequest,
    assessment: Assessment,
    area_id: int | None,
    *,
    bound: dict[int, AppraisalAdjustForm] | None = None,
) -> dict[str, Any]:
    user = request.user
    try:
        sheet = selectors.area_sheet(assessment, area_id, lead_unit_ids=access.appraisal_lead_unit_ids(user))
    except LookupError:
        raise Http404 from None
    bound = bound or {}
    selectors.attach_explanations(sheet.leaves)
    for row in sheet.leaves:
        score = row.score
        row.can_appraise = access.can_appraise_score(user, score)
        row.can_accept = row.can_appraise and score.self_score is not None
        row.adjust_form = bound.get(score.pk) or (adjust_form(score) if row.can_appraise else None)
        row.rule_text = services.rule_text(row.criterion)
        row.declared = services.declared_text(score.self_value, score.self_choice)
        row.appraised_declared = services.declared_text(score.appraised_value, score.appraised_choice)
    appraised, total = selectors.appraisal_progress(assessment)
    return {
        "assessment": assessment,
        "round": assessment.round,
        "sheet": sheet,
        "appraised": appraised,
        "appraisal_total": total,
        "bulk_allowed": any(row.can_accept and not row.appraised for row in sheet.leaves),
        "nav_active": NAV,
    }


def appraisal_page(
    request: HttpRequest,
    assessment: Assessment,
    area_id: int | None,
    status: int = 200,
    *,
    bound: dict[int, AppraisalAdjustForm] | None = None,
) -> HttpResponse:
    context = appraisal_context(request, assessment, area_id, bound=bound)
    context["next_unit"] = _next_unit(request, assessment)
    return render(request, "assessments/appraisal_sheet.html", context, status=status)


def _next_unit(request: HttpRequest, assessment: Assessment) -> Assessment | None:
    """The next sheet of the round the appraiser works on, in Vietnamese order of unit names."""
    sheets = list(
        selectors.open_for_appraisal(access.get_assessments_for_user(request.user), assessment.round)
        .select_related("unit")
        .distinct()
    )
    sheets.sort(key=lambda item: sort_key(item.unit.name))
    index = next((i for i, item in enumerate(sheets) if item.pk == assessment.pk), None)
    if index is None or index + 1 >= len(sheets):
        return None
    return sheets[index + 1]


@require_GET
@login_required
def appraisal_sheet(request: HttpRequest, assessment_id: int) -> HttpResponse:
    roles.require(roles.has_role(request.user, Role.APPRAISER))
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    return appraisal_page(request, assessment, _int(request.GET.get("area")))


def _worklist_filters(request: HttpRequest, sheets: list[Assessment], areas: list[Any]) -> WorklistFilterForm:
    units = sorted(
        {(sheet.unit_id, sheet.unit.name) for sheet in sheets},
        key=lambda item: sort_key(item[1]),
    )
    params = request.GET.copy()
    if params.get("pending") == "1" and not params.get("status"):  # older links
        params["status"] = selectors.WorklistStatus.PENDING
    params.setdefault("status", selectors.WorklistStatus.ALL)
    return WorklistFilterForm(
        params,
        units=units,
        areas=areas,
        statuses=selectors.WORKLIST_STATUSES,
        several_frameworks=len({area.framework_id for area in areas}) > 1,
    )


@require_GET
@login_required
def appraisal_list(request: HttpRequest, round_id: int) -> HttpResponse:
    user = request.user
    round_ = access.get_round_for_user(user, round_id)
    roles.require(roles.has_role(user, Role.APPRAISER))
    readable = access.get_assessments_for_user(user)
    lead_unit_ids = access.appraisal_lead_unit_ids(user)
    sheets = list(selectors.open_for_appraisal(readable, round_).select_related("unit").distinct())
    sheets.sort(key=lambda sheet: sort_key(sheet.unit.name))
    areas = selectors.round_areas(round_)
    form = _worklist_filters(request, sheets, areas)
    unit_id = _int(form.value("unit"))
    area_id = _int(form.value("area"))
    status = form.value("status") or selectors.WorklistStatus.ALL
    area = next((item for item in areas if item.pk == area_id), None)
    scores = selectors.filter_worklist(
        selectors.appraisal_worklist(round_=round_, assessments=readable, lead_unit_ids=lead_unit_ids),
        unit_id=unit_id,
        leaf_ids=selectors.area_leaf_ids(area) if area is not None else None,
        status=status,
    )
    page = Paginator(selectors.in_unit_order(scores, sheets), PAGE_SIZE).get_page(request.GET.get("page"))
    area_of = selectors.round_area_of(round_)
    rows = list(page.object_list)
    for score in rows:
        score.area_id = area_of.get(score.criterion_id)  # type: ignore[attr-defined]
        score.can_accept = score.appraised_score is None and score.self_score is not None  # type: ignore[attr-defined]
    shown = [sheet for sheet in sheets if unit_id is None or sheet.unit_id == unit_id]
    progress = selectors.appraisal_progress_by_assessment(Assessment.objects.filter(pk__in=[s.pk for s in shown]))
    units = [(sheet, *progress.get(sheet.pk, (0, 0))) for sheet in shown]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "round": round_,
        "form": form,
        "page": page,
        "rows": rows,
        "units": units,
        "status": status,
        "query_string": query.urlencode(),
        "here": request.get_full_path(),
        "nav_active": NAV,
    }
    return render(request, "assessments/appraisal_list.html", context)


@require_POST
@login_required
def appraisal_accept(request: HttpRequest, round_id: int) -> HttpResponse:
    """“Đồng ý” for the selected leaves: each accepted leaf is audited; the others are named with the reason."""
    user = request.user
    round_ = access.get_round_for_user(user, round_id)
    roles.require(roles.has_role(user, Role.APPRAISER))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    back = back or reverse("assessments:appraisal_list", args=[round_.pk])
    ids = [pk for pk in (_int(raw) for raw in request.POST.getlist("scores")) if pk is not None]
    if not ids:
        messages.error(request, _("Hãy chọn ít nhất một tiêu chí để đồng ý."))
        return redirect(back)
    worklist = selectors.appraisal_worklist(
        round_=round_,
        assessments=access.get_assessments_for_user(user),
        lead_unit_ids=access.appraisal_lead_unit_ids(user),
    )
    scores = list(worklist.filter(pk__in=ids[:1000]).select_related("assessment__round", "assessment__unit"))
    allowed = [score for score in scores if access.leads_criterion(user, score.criterion, score.assessment.unit)]
    versions = {}
    for score in allowed:
        version = _version(request.POST.get(f"version_{score.pk}"))
        if version is not None:
            versions[score.pk] = version
    result = services.scores_accept_bulk(actor=user, scores=allowed, versions=versions)
    if result.accepted:
        count = len(result.accepted)
        messages.success(
            request,
            ngettext(
                "Đã đồng ý điểm tự chấm của %(count)d tiêu chí.",
                "Đã đồng ý điểm tự chấm của %(count)d tiêu chí.",
                count,
            )
            % {"count": count},
        )
    if result.skipped:
        names = "; ".join(
            f"{item.score.criterion.code} ({item.score.assessment.unit.name}): {item.reason}" for item in result.skipped
        )
        messages.warning(request, _("Không đồng ý được các tiêu chí sau — %(items)s") % {"items": names})
    if not result.accepted and not result.skipped:
        messages.error(request, _("Không có tiêu chí nào được chọn mà bạn thẩm định được."))
    return redirect(back)
