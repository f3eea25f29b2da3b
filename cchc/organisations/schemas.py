"""Input and output schemas of the units API (one per operation, documented in OpenAPI)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from cchc.lib.schemas import Date, Id, Line

from .models import SuccessionKind, Unit, UnitKind


class ErrorOut(Schema):
    """The one error shape of the whole API."""

    detail: str = Field(description="Thông báo lỗi cho người đọc (tiếng Việt).")
    code: str = Field(description="Mã lỗi cho máy: unauthenticated, forbidden, not_found, invalid, conflict.")
    field: str | None = Field(None, description="Trường dữ liệu gây lỗi, nếu có.")


class UnitFilters(Schema):
    root: Id | None = Field(None, description="Chỉ lấy đơn vị này và các đơn vị trực thuộc (mã số `id`).")
    kind: UnitKind | None = Field(None, description="Chỉ lấy đơn vị thuộc loại này.")
    q: Line | None = Field(
        None, max_length=200, description="Tìm theo tên, tên viết tắt, mã; không phân biệt dấu và hoa thường."
    )
    active_on: Date | None = Field(None, description="Chỉ lấy đơn vị còn hiệu lực vào ngày này (mặc định: hôm nay).")
    all: bool = Field(False, description="`true`: lấy cả đơn vị đã hết hiệu lực hoặc chưa có hiệu lực.")


class SubtreeFilters(Schema):
    active_on: Date | None = Field(None, description="Chỉ lấy đơn vị còn hiệu lực vào ngày này (mặc định: hôm nay).")
    all: bool = Field(False, description="`true`: lấy cả đơn vị đã hết hiệu lực hoặc chưa có hiệu lực.")


class _UnitFields(Schema):
    id: int
    name: str = Field(description="Tên đơn vị.")
    short_name: str = Field(description="Tên viết tắt (có thể rỗng).")
    code: str = Field(description="Mã định danh chính thức.")
    kind: UnitKind = Field(description="Loại đơn vị.")
    subtype: str = Field(description="Với xã: commune, ward, special_zone hoặc township; rỗng với loại khác.")
    parent_id: int | None = Field(description="Đơn vị cấp trên trực tiếp; `null` với đơn vị gốc (tỉnh).")
    depth: int = Field(description="Cấp trong cây: 0 là đơn vị gốc.")
    valid_from: datetime.date | None = Field(description="Hiệu lực từ ngày.")
    valid_to: datetime.date | None = Field(description="Hiệu lực đến ngày.")


class UnitOut(_UnitFields):
    kind_label: str = Field(description="Tên loại đơn vị để hiển thị.")

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return obj.display_kind


class UnitRef(Schema):
    id: int
    name: str


class SuccessionOut(Schema):
    id: int = Field(description="Đơn vị tiền thân hoặc kế thừa.")
    name: str
    unit_kind: UnitKind = Field(description="Loại của đơn vị tiền thân hoặc kế thừa.")
    kind: SuccessionKind = Field(
        description="Hình thức: merge (hợp nhất, sáp nhập), split (chia, tách), rename, transfer."
    )
    effective_date: datetime.date = Field(description="Ngày có hiệu lực.")


class UnitDetailOut(_UnitFields):
    kind_label: str = Field(description="Tên loại đơn vị để hiển thị.")
    ancestors: list[UnitRef] = Field(description="Các đơn vị cấp trên, từ gốc xuống.")
    children_count: int = Field(description="Số đơn vị trực thuộc trực tiếp còn hiệu lực hôm nay.")
    predecessors: list[SuccessionOut] = Field(description="Đơn vị tiền thân (trước khi hợp nhất, chia tách…).")
    successors: list[SuccessionOut] = Field(description="Đơn vị kế thừa.")
