"""The procedure catalogue: search by code, name or field, filter by online level."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import roles

from .. import access, selectors
from ..forms import ProcedureFilterForm

PROCEDURES_PER_PAGE = 50


@require_GET
@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_read_catalogue(request.user))
    form = ProcedureFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    procedures = selectors.search_procedures(data.get("q", ""), data.get("online_level", ""))
    page = Paginator(procedures, PROCEDURES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procedures/catalogue/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_import": access.can_import_dossiers(request.user),
            "nav_active": "procedures",
        },
    )
