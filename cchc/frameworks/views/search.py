"""The search behind the framework-criterion picker."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cchc.organisations.picker import ScopeError
from cchc.organisations.widgets import QUERY_MAX_LENGTH

from ..picker import CRITERION_SCOPES, criterion_details, criterion_result, search_criteria


@require_GET
@never_cache
@login_required
def criterion_search(request: HttpRequest) -> JsonResponse:
    """The search behind the framework-criterion picker (``picker.FrameworkCriterionPickerWidget``).

    ``GET /frameworks/criteria/search/?scope=<token>&q=<text>`` answers ``{"results": [{"id", "name", "detail",
    "label"}], "more": bool}``. The token names the criteria a form offers; they are looked up among the criteria of
    the frameworks the user may read, so a token can narrow what the user sees but never widen it.
    """
    try:
        criteria = CRITERION_SCOPES.rows(request.GET.get("scope", ""), request.user)
    except signing.SignatureExpired:
        return JsonResponse({"detail": _("Trang này đã mở quá lâu; hãy tải lại trang để tìm tiêu chí.")}, status=400)
    except (signing.BadSignature, ScopeError):
        return JsonResponse({"detail": _("Yêu cầu tìm tiêu chí không hợp lệ; hãy tải lại trang.")}, status=400)
    rows, more = search_criteria(criteria, request.GET.get("q", "")[:QUERY_MAX_LENGTH])
    details = criterion_details(rows)
    return JsonResponse({"results": [criterion_result(row, details) for row in rows], "more": more})
