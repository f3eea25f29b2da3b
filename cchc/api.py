"""The REST API (django-ninja): one ``NinjaAPI`` with a router per app, docs at ``/api/docs``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer

from cchc.accounts.services import ApiTokenRefused, api_token_authenticate
from cchc.lib.errors import ServiceError
from cchc.lib.schemas import error_field, validation_message


class TokenRefused(AuthenticationError):
    """A known token that may no longer be used (expired): 401 with a message saying why."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; tokens are created on the profile page and expire."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user = api_token_authenticate(token)
        except ApiTokenRefused as exc:
            raise TokenRefused(message=exc.message) from exc
        if user is not None:
            request.user = user
        return user


_ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


class Api(NinjaAPI):
    """The API whose OpenAPI schema also declares the errors any operation may answer, whatever its router says.

    Three answers come from the machinery every request goes through rather than from an operation: 400 (a NUL
    character anywhere in the request, refused by ``NFCMiddleware``; a body that is not JSON, or a form where JSON
    is expected), 401 (no token, an unknown or an expired one) and 422 (a parameter or a body that does not fit its
    schema). They are added here to every operation that can meet them, in the one error shape, so that a client
    generated from the schema knows every answer it can get.
    """

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema["paths"].values():
            for operation in methods.values():
                declare_common_errors(operation)
        return schema


def declare_common_errors(operation: dict[str, Any]) -> None:
    """Add the 400, 401 and 422 answers an operation can give to its OpenAPI description."""
    statuses = [400]
    if operation.get("security"):
        statuses.append(401)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append(422)
    responses = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(
            status,
            {
                "description": HTTPStatus(status).phrase,
                "content": {"application/json": {"schema": _ERROR_SCHEMA}},
            },
        )


api = Api(
    title="cchc API",
    version="1",
    description="API quản lý cải cách hành chính. Xác thực bằng mã truy cập: `Authorization: Bearer <mã>`.",
    auth=TokenAuth(),
    urls_namespace="api",
    # Swagger UI from the files bundled with django-ninja (``ninja`` in INSTALLED_APPS); no spec validator
    # badge, which would send the schema address to an outside service.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    status = {"forbidden": 403, "conflict": 409, "file_missing": 404}.get(exc.code, 400)
    if exc.code in {"storage_unavailable", "storage_full"}:
        status = 503  # the file storage failed, not the request: the same request may succeed later
    return api.create_response(request, {"detail": exc.message, "code": exc.code, "field": exc.field}, status=status)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Bạn không có quyền thực hiện thao tác này."), "code": "forbidden"}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Không tìm thấy."), "code": "not_found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message if isinstance(exc, TokenRefused) else _("Thiếu mã truy cập hoặc mã truy cập không hợp lệ.")
    response = api.create_response(request, {"detail": detail, "code": "unauthenticated"}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages = [validation_message(error) for error in exc.errors]
    return api.create_response(
        request,
        {
            "detail": " ".join(messages) or _("Dữ liệu gửi lên không hợp lệ."),
            "code": "invalid",
            "field": error_field(exc.errors[0]) if exc.errors else None,
        },
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja's only 400 is a body that is not JSON ("Cannot parse request body").
        detail = _("Nội dung gửi lên không phải JSON hợp lệ (hoặc không mã hóa UTF-8).")
    else:
        detail = _("Yêu cầu không thực hiện được (mã %(status)s).") % {"status": exc.status_code}
    return api.create_response(request, {"detail": detail, "code": "invalid", "field": None}, status=exc.status_code)


api.add_router("/units", "cchc.organisations.api.router")
api.add_router("/me", "cchc.accounts.api.router")
api.add_router("/users", "cchc.accounts.api.users_router")
api.add_router("/frameworks", "cchc.frameworks.api.router")
api.add_router("/assessments", "cchc.assessments.api.router")
api.add_router("/results", "cchc.assessments.api.results_router")
api.add_router("/directives", "cchc.directives.api.router")
api.add_router("/external", "cchc.indicators.api_external.router")
api.add_router("/indicators", "cchc.indicators.api.router")
api.add_router("/inspections", "cchc.inspections.api.router")
api.add_router("/initiatives", "cchc.initiatives.api.router")


@api.exception_handler(RawPostDataException)
def form_body_for_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """A form (multipart) body sent to an endpoint that reads JSON: the form was already parsed, so say what to send."""
    detail = _("Nội dung gửi lên phải là JSON (Content-Type: application/json), không phải biểu mẫu.")
    return api.create_response(request, {"detail": detail, "code": "invalid", "field": None}, status=400)
