"""The REST API (django-ninja): one ``NinjaAPI`` with a router per app, docs at ``/api/docs``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer

from cchc.accounts.services import api_token_authenticate
from cchc.lib.errors import ServiceError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; tokens are created on the profile page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="cchc API",
    version="1",
    description="API quản lý cải cách hành chính. Xác thực bằng mã truy cập: `Authorization: Bearer <mã>`.",
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    status = 403 if exc.code == "forbidden" else 409 if exc.code == "conflict" else 400
    return api.create_response(request, {"detail": exc.message, "code": exc.code, "field": exc.field}, status=status)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Bạn không có quyền thực hiện thao tác này.", "code": "forbidden"}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Không tìm thấy.", "code": "not_found"}, status=404)


api.add_router("/units", "cchc.organisations.api.router")
