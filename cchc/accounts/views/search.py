"""The search behind the person picker (``picker.PersonPickerWidget``).

``GET /accounts/users/search/?scope=<token>&q=<text>`` answers JSON: ``{"results": [{"id", "name", "username",
"email", "detail", "label"}], "more": bool}`` with at most ``picker.RESULT_LIMIT`` people. The token (signed when the
form was rendered) names the field's scope and its arguments (``picker.PERSON_SCOPES``); the endpoint computes that
scope for the signed-in user and keeps the people that user may manage (``access.get_users_for_user``), so a
token can narrow what the user sees but never widen it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cchc.organisations.picker import ScopeError
from cchc.organisations.widgets import QUERY_MAX_LENGTH

from .. import roles
from ..picker import PERSON_SCOPES, person_details, person_result, search_people


@require_GET
@never_cache
@login_required
def user_search(request: HttpRequest) -> JsonResponse:
    roles.require(bool(roles.roles_of(request.user)) or roles.is_admin(request.user))
    try:
        people = PERSON_SCOPES.rows(request.GET.get("scope", ""), request.user)
    except signing.SignatureExpired:
        return JsonResponse({"detail": _("Trang này đã mở quá lâu; hãy tải lại trang để tìm người dùng.")}, status=400)
    except (signing.BadSignature, ScopeError):
        return JsonResponse({"detail": _("Yêu cầu tìm người dùng không hợp lệ; hãy tải lại trang.")}, status=400)
    rows, more = search_people(people, request.GET.get("q", "")[:QUERY_MAX_LENGTH])
    details = person_details(rows)
    return JsonResponse({"results": [person_result(person, details) for person in rows], "more": more})
