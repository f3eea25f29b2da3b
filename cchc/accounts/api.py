"""The caller's own account (who the token belongs to, what it may do, its tokens) and other people's tokens."""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from cchc.organisations.models import Membership
from cchc.organisations.schemas import ErrorOut, UnitRef

from . import access, selectors, services
from .models import ApiToken, RoleAssignment, User

router = Router(tags=["Tài khoản"])
users_router = Router(tags=["Tài khoản"])


class RoleOut(Schema):
    role: str = Field(
        description="Mã vai trò: admin, secretariat, leader, focal_point, appraiser, council, supervisor."
    )
    label: str = Field(description="Tên vai trò để hiển thị.")
    scope: UnitRef | None = Field(description="Phạm vi: đơn vị và các đơn vị trực thuộc; `null` là toàn hệ thống.")


class MembershipOut(Schema):
    unit: UnitRef
    position: str = Field(description="Chức vụ (có thể rỗng).")
    is_head: bool = Field(description="Là người đứng đầu đơn vị.")


class MeOut(Schema):
    id: int
    username: str
    full_name: str = Field(description="Họ và tên (hoặc tên đăng nhập khi chưa khai báo).")
    email: str
    roles: list[RoleOut]
    memberships: list[MembershipOut] = Field(description="Các đơn vị người dùng đang công tác.")


@router.get(
    "",
    response={200: MeOut, 401: ErrorOut},
    summary="Người dùng hiện tại",
    description="Tài khoản sở hữu mã truy cập: họ tên, vai trò và phạm vi của từng vai trò, đơn vị công tác.",
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    assignments = RoleAssignment.objects.filter(user=user).select_related("scope").order_by("role", "scope__path")
    memberships = Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.display_name,
        "email": user.email,
        "roles": [
            {
                "role": assignment.role,
                "label": str(assignment.get_role_display()),
                "scope": {"id": assignment.scope.pk, "name": assignment.scope.name} if assignment.scope else None,
            }
            for assignment in assignments
        ],
        "memberships": [
            {
                "unit": {"id": membership.unit.pk, "name": membership.unit.name},
                "position": membership.position,
                "is_head": membership.is_head,
            }
            for membership in memberships
        ],
    }


# ---------------------------------------------------------------------------
# API tokens

_TOKEN_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TokenOut(Schema):
    id: int
    name: str = Field(description="Tên gợi nhớ.")
    prefix: str = Field(description="Tám ký tự sau `cchc_` ở đầu mã, để nhận ra mã; mã đầy đủ không được lưu.")
    created_at: datetime.datetime
    expires_at: datetime.datetime = Field(description="Sau thời điểm này mã bị từ chối (401).")
    last_used_at: datetime.datetime | None = Field(description="Lần dùng gần nhất, chính xác đến một phút.")
    is_expired: bool


class TokenRevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=1000, description="Lý do thu hồi, ghi vào nhật ký thay đổi.")


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "is_expired": token.is_expired,
    }


@router.get(
    "/tokens",
    response={200: list[TokenOut], 401: ErrorOut},
    summary="Mã truy cập của tôi",
    description="Các mã truy cập của người dùng hiện tại, mới nhất trước, kèm thời điểm hết hạn.",
)
def my_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    return [_token_out(token) for token in selectors.api_tokens_of(user)]


@router.post(
    "/tokens/{token_id}/revoke",
    response={204: None, **_TOKEN_ERRORS},
    summary="Thu hồi mã truy cập của tôi",
    description="Thu hồi ngay một mã của chính mình (có thể là mã đang dùng để gọi); ghi nhật ký thay đổi.",
)
def my_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.auth  # type: ignore[attr-defined]
    token = access.get_api_token_for_user(user, token_id)
    services.api_token_revoke(actor=user, token=token)
    return HttpResponse(status=204)


@users_router.get(
    "/{user_id}/tokens",
    response={200: list[TokenOut], **_TOKEN_ERRORS},
    summary="Mã truy cập của một người dùng",
    description=(
        "Quản trị hệ thống, hoặc cơ quan thường trực CCHC với người dùng thuộc phạm vi của mình, xem các mã truy cập "
        "của người đó. Ngoài phạm vi: 404."
    ),
)
def user_tokens(request: HttpRequest, user_id: int) -> list[dict[str, Any]]:
    target = access.get_token_owner_for_user(request.auth, user_id)  # type: ignore[attr-defined]
    return [_token_out(token) for token in selectors.api_tokens_of(target)]


@users_router.post(
    "/{user_id}/tokens/{token_id}/revoke",
    response={204: None, **_TOKEN_ERRORS},
    summary="Thu hồi mã truy cập của một người dùng",
    description=(
        "Như trên trang người dùng: thu hồi ngay một mã, ghi nhật ký kèm lý do. Người dùng giữ vai trò vượt quá "
        "phạm vi của người gọi: 403."
    ),
)
def user_token_revoke(request: HttpRequest, user_id: int, token_id: int, payload: TokenRevokeIn) -> HttpResponse:
    actor = request.auth  # type: ignore[attr-defined]
    target = access.get_token_owner_for_user(actor, user_id, manage=True)
    token = access.get_api_token_for_user(target, token_id)
    services.api_token_revoke(actor=actor, token=token, reason=payload.reason)
    return HttpResponse(status=204)
