"""The caller's own account: who the token belongs to and what it may do."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cchc.organisations.models import Membership
from cchc.organisations.schemas import ErrorOut, UnitRef

from .models import RoleAssignment

router = Router(tags=["Tài khoản"])


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
