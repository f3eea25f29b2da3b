"""The QĐ 766/QĐ-TTg score items shipped by default, and the secretariat's edits of them.

Group maxima 18/20/22/22/18 and the points of items 1.2 (4), 2.1 (20), 3.5 (2), 3.6 (6) and 5.4 (6) come from the
domain notes (/work/shared/domain.md §4); the other points and every threshold not stated there are unofficial defaults
chosen so that each group adds up to its maximum, marked ``[chưa chính thức]`` in ``note`` (the page shows it) and
``[unofficial]`` in ``docs/kpis.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.types import Actor

from .models import ScoreItem

SOURCE = "QĐ 766/QĐ-TTg"
UNOFFICIAL = "[chưa chính thức] "  # a default no document confirms yet; the page shows the note as it is, in Vietnamese

# (group, code, name, kpi key, indicator code, max points, full at %, note)
DEFAULT_SCORE_ITEMS: tuple[tuple[int, str, str, str, str, str, str, str], ...] = (
    (1, "1.1", "Tỷ lệ TTHC công bố đúng hạn", "", "qd766.published_on_time_rate", "5", "100", UNOFFICIAL + SOURCE),
    (
        1,
        "1.2",
        "Tỷ lệ TTHC cập nhật, công khai đúng hạn trên CSDLQG",
        "",
        "qd766.disclosed_on_time_rate",
        "4",
        "100",
        SOURCE,
    ),
    (
        1,
        "1.3",
        "Tỷ lệ TTHC công khai đầy đủ nội dung",
        "",
        "qd766.disclosed_complete_rate",
        "5",
        "100",
        UNOFFICIAL + SOURCE,
    ),
    (1, "1.4", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", "", "qd766.synced_rate", "4", "100", UNOFFICIAL + SOURCE),
    (2, "2.1", "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", "on_time_rate", "", "20", "100", SOURCE),
    (
        3,
        "3.1",
        "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến",
        "procedures_online_share",
        "",
        "6",
        "80",
        UNOFFICIAL + SOURCE,
    ),
    (3, "3.3", "Tỷ lệ hồ sơ nộp trực tuyến", "online_rate", "", "6", "50", UNOFFICIAL + SOURCE),
    (
        3,
        "3.5",
        "Tỷ lệ TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến",
        "",
        "qd766.fee_integrated_rate",
        "2",
        "80",
        SOURCE,
    ),
    (3, "3.5b", "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến", "", "qd766.fee_transaction_rate", "2", "80", SOURCE),
    (3, "3.6", "Tỷ lệ hồ sơ thanh toán trực tuyến", "online_payment_rate", "", "6", "100", SOURCE),
    (
        4,
        "4.1",
        "Tỷ lệ hồ sơ có cấp kết quả giải quyết TTHC điện tử",
        "e_result_rate",
        "",
        "6",
        "100",
        UNOFFICIAL + SOURCE,
    ),
    (4, "4.2", "Tỷ lệ hồ sơ TTHC thực hiện số hóa", "digitised_rate", "", "6", "80", UNOFFICIAL + SOURCE),
    (
        4,
        "4.3",
        "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
        "",
        "qd766.reuse_rate",
        "4",
        "80",
        UNOFFICIAL + SOURCE,
    ),
    (
        4,
        "4.4",
        "Tỷ lệ hồ sơ số hóa có kết nối, chia sẻ dữ liệu",
        "",
        "qd766.shared_rate",
        "3",
        "100",
        UNOFFICIAL + SOURCE,
    ),
    (4, "4.5", "Tỷ lệ ứng dụng dữ liệu dân cư", "", "qd766.population_data_rate", "3", "100", UNOFFICIAL + SOURCE),
    (5, "5.2", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", "", "pakn.on_time_rate", "6", "100", UNOFFICIAL + SOURCE),
    (
        5,
        "5.3",
        "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
        "",
        "pakn.satisfaction_rate",
        "6",
        "100",
        UNOFFICIAL + SOURCE,
    ),
    (5, "5.4", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", "not_overdue_rate", "", "6", "90", SOURCE),
)


def ensure_default_score_items() -> int:
    """Create the shipped items whose code is missing (an edited item is left as it is); returns how many."""
    existing = set(ScoreItem.objects.values_list("code", flat=True))
    created = [
        ScoreItem(
            group=group,
            code=code,
            name=name,
            kpi=kpi,
            indicator_code=indicator_code,
            max_points=Decimal(max_points),
            full_at=Decimal(full_at),
            order=order,
            note=note,
        )
        for order, (group, code, name, kpi, indicator_code, max_points, full_at, note) in enumerate(
            DEFAULT_SCORE_ITEMS, start=1
        )
        if code not in existing
    ]
    ScoreItem.objects.bulk_create(created)
    return len(created)


@dataclass(frozen=True)
class ScoreItemData:
    max_points: Any
    full_at: Any
    active: bool


AUDIT_FIELDS = ("max_points", "full_at", "active")


def _number(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(_("Hãy nhập một số."), field=field) from exc
    if not number.is_finite():
        raise ServiceError(_("Hãy nhập một số."), field=field)
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def score_item_update(*, actor: Actor, item: ScoreItem, data: ScoreItemData) -> ScoreItem:
    """Change an item's maximum points, the rate that earns them all, and whether it is scored; audited."""
    max_points = _number(data.max_points, "max_points")
    full_at = _number(data.full_at, "full_at")
    if not Decimal(0) <= max_points <= Decimal(100):
        raise ServiceError(_("Điểm tối đa phải từ 0 đến 100."), field="max_points")
    if not Decimal(0) < full_at <= Decimal(100):
        raise ServiceError(_("Tỷ lệ đạt điểm tối đa phải lớn hơn 0 và không quá 100%."), field="full_at")
    before = snapshot(item, AUDIT_FIELDS)
    item.max_points, item.full_at, item.active = max_points, full_at, bool(data.active)
    changes = diff(before, snapshot(item, AUDIT_FIELDS))
    if changes:
        item.save(update_fields=[*AUDIT_FIELDS, "updated_at"])
        record(actor=actor, action=AuditAction.UPDATE, instance=item, changes=changes)
    return item
