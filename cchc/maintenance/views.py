"""The health endpoint: public, without a session, read by the load balancer and the stack runner."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import server_health


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 (with which one failed) when not."""
    state = server_health()
    return JsonResponse(state.as_dict(), status=200 if state.ok else 503)
