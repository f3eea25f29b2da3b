"""The dossier list (filtered within what the reader may see, 50 a page), its Excel export, and one dossier."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cchc.lib.numbers import format_count
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations.picker import unit_scope

from .. import access, selectors
from ..excel import dossiers_export
from ..forms import DossierFilterForm
from ..models import Dossier

DOSSIERS_PER_PAGE = 50


def _filtered(request: HttpRequest) -> tuple[DossierFilterForm, QuerySet[Dossier], bool]:
    """The filter form, the dossiers it selects among those the reader may see, and whether the filter is valid."""
    form = DossierFilterForm(request.GET or None, units=unit_scope(request.user, "procedures.dossier_units"))
    dossiers = access.get_dossiers_for_user(request.user)
    if form.is_bound and not form.is_valid():
        return form, dossiers.none(), False
    if not form.is_bound:
        return form, selectors.filter_dossiers(dossiers), True
    data = form.cleaned_data
    chosen = selectors.filter_dossiers(
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
    return form, chosen, True


def export_limit() -> int:
    """The most dossiers one export writes (setting ``DOSSIER_EXPORT_MAX_ROWS``)."""
    return int(settings.DOSSIER_EXPORT_MAX_ROWS)


def too_many_message(count: int) -> str:
    return _(
        "Danh sách có %(count)s hồ sơ, vượt quá %(limit)s hồ sơ mỗi lần xuất Excel. Hãy thu hẹp bộ lọc (theo đơn vị, "
        "khoảng ngày tiếp nhận, trạng thái…) rồi xuất lại."
    ) % {"count": format_count(count), "limit": format_count(export_limit())}


@require_GET
@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    form, dossiers, valid = _filtered(request)
    page = Paginator(dossiers, DOSSIERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    rows = [(dossier, selectors.is_late(dossier, today)) for dossier in page.object_list]
    total = page.paginator.count
    return render(
        request,
        "procedures/dossiers/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_import": access.can_import_dossiers(request.user),
            "export_refused": too_many_message(total) if total > export_limit() else "",
            "nav_active": "procedures",
        },
        status=200 if valid else 400,
    )


@require_GET
@login_required
def dossier_list_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as an Excel file (the same dossiers as the list, every page), written as it is read by the
    KPI drill-down's export (``excel.dossiers_export``); above the cap, back to the list with the reason."""
    _form, dossiers, valid = _filtered(request)
    query = request.GET.urlencode()
    back = f"{reverse('procedures:dossier_list')}{'?' if query else ''}{query}"
    if not valid:
        messages.error(request, _("Bộ lọc chưa hợp lệ; hãy sửa bộ lọc rồi xuất lại."))
        return redirect(back)
    count = dossiers.count()
    if count > export_limit():
        messages.error(request, too_many_message(count))
        return redirect(back)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    dossiers_export(spool, dossiers, title=_("Hồ sơ TTHC"))
    spool.seek(0)
    filename = f"ho-so-tthc-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


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
