"""The search behind the unit picker (``widgets.UnitPickerWidget``).

``GET /units/search/?scope=<token>&q=<text>`` answers JSON: ``{"results": [{"id", "name", "code", "path",
"label"}], "more": bool}`` with at most ``widgets.RESULT_LIMIT`` units. The token (signed when the form was rendered)
names the field's scope and its arguments (``picker.UNIT_SCOPES``); the endpoint computes that scope for the
signed-in user and keeps the units that user may read, so a token can narrow what the user sees but never widen it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cchc.accounts import roles

from ..picker import UNIT_SCOPES, ScopeError
from ..widgets import QUERY_MAX_LENGTH, parent_paths, search_units, unit_result


@require_GET
@never_cache
@login_required
def unit_search(request: HttpRequest) -> JsonResponse:
    roles.require(bool(roles.roles_of(request.user)) or roles.is_admin(request.user))
    try:
        units = UNIT_SCOPES.rows(request.GET.get("scope", ""), request.user)
    except signing.SignatureExpired:
        return JsonResponse({"detail": _("Trang này đã mở quá lâu; hãy tải lại trang để tìm đơn vị.")}, status=400)
    except (signing.BadSignature, ScopeError):
        return JsonResponse({"detail": _("Yêu cầu tìm đơn vị không hợp lệ; hãy tải lại trang.")}, status=400)
    rows, more = search_units(units, request.GET.get("q", "")[:QUERY_MAX_LENGTH])
    paths = parent_paths(rows)
    return JsonResponse({"results": [unit_result(unit, paths) for unit in rows], "more": more})
