"""The dossier list (filtered within what the reader may see, 50 a page) and one dossier."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cchc.organisations.picker import unit_scope

from .. import access, selectors
from ..forms import DossierFilterForm

DOSSIERS_PER_PAGE = 50


@require_GET
@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    form = DossierFilterForm(request.GET or None, units=unit_scope(request.user, "procedures.dossier_units"))
    dossiers = access.get_dossiers_for_user(request.user)
    status = 200
    if form.is_bound and not form.is_valid():
        dossiers = dossiers.none()
        status = 400
    elif form.is_bound:
        data = form.cleaned_data
        dossiers = selectors.filter_dossiers(
            dossiers,
            code=data["q"],
            unit=data.get("unit"),
            status=data["status"],
            channel=data["channel"],
            procedure=data["procedure"],
            received_from=data["received_from"],
            received_to=data["received_to"],
            late=data["late"],
        )
    else:
        dossiers = selectors.filter_dossiers(dossiers)
    page = Paginator(dossiers, DOSSIERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    rows = [(dossier, selectors.is_late(dossier, today)) for dossier in page.object_list]
    return render(
        request,
        "procedures/dossiers/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_import": access.can_import_dossiers(request.user),
            "nav_active": "procedures",
        },
        status=status,
    )


@require_GET
@login_required
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = access.get_dossier_for_user(request.user, dossier_id)
    return render(
        request,
        "procedures/dossiers/detail.html",
        {
            "dossier": dossier,
            "late": selectors.is_late(dossier),
            "can_import": access.can_import_dossiers(request.user),
            "nav_active": "procedures",
        },
    )
