"""Demo indicators entered by units, with the targets of the Đoan Hùng seed letter and values in every review state.

The figures come from the seed ``doan-hung-2021-cong-van-nang-cao-par-index.txt`` (UBND huyện Đoan Hùng, công văn
tháng 8/2021 về đẩy mạnh CCHC, nâng cao Chỉ số CCHC): digitisation of TTHC results at least 15 % for communes
(20 % at district level) in 2021, "mỗi năm tiếp theo tăng tối thiểu 20% ở mỗi cấp cho đến khi đạt tỷ lệ 100%" (read
here as 20 percentage points a year); by 2025 at least 80 % of dossiers circulated electronically and 80 % of TTHC with
financial obligations payable online. The values are invented for the demo. Idempotent: nothing is loaded when the
first indicator already exists.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any, Protocol

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from cchc.accounts.models import User
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, UnitKind

from . import services
from .models import EntryMode, Indicator, IndicatorSource, IndicatorValue, ValueOrigin

BASIS = "Công văn UBND huyện Đoan Hùng tháng 8/2021 về đẩy mạnh CCHC, nâng cao Chỉ số CCHC (dữ liệu mẫu)"
GROUP = "Cải cách thủ tục hành chính"
DIGITISED = "tthc.digitised_results"
ONLINE_PAYMENT = "tthc.online_payment"
E_CIRCULATION = "tthc.e_circulation"


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


def _pdf(title: str) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), content_type="application/pdf")


def _definitions() -> list[services.IndicatorData]:
    return [
        services.IndicatorData(
            code=DIGITISED,
            name="Tỷ lệ số hóa kết quả giải quyết thủ tục hành chính",
            description="Số kết quả giải quyết TTHC đã số hóa / tổng số kết quả giải quyết TTHC trong năm × 100.",
            entry=EntryMode.UNIT,
            source=IndicatorSource.PROCEDURES,
            group=GROUP,
            basis=BASIS,
        ),
        services.IndicatorData(
            code=ONLINE_PAYMENT,
            name="Tỷ lệ TTHC có yêu cầu nghĩa vụ tài chính được triển khai thanh toán trực tuyến",
            description="Số TTHC có nghĩa vụ tài chính đã cho phép thanh toán trực tuyến / tổng số TTHC có nghĩa vụ "
            "tài chính thuộc thẩm quyền × 100.",
            entry=EntryMode.UNIT,
            source=IndicatorSource.PROCEDURES,
            group=GROUP,
            basis=BASIS,
        ),
        services.IndicatorData(
            code=E_CIRCULATION,
            name="Tỷ lệ hồ sơ giải quyết TTHC được luân chuyển trên môi trường điện tử",
            description="Số hồ sơ được luân chuyển nội bộ giữa các cơ quan trên môi trường điện tử / tổng số hồ sơ "
            "phải luân chuyển × 100.",
            entry=EntryMode.UNIT,
            source=IndicatorSource.PROCEDURES,
            group=GROUP,
            basis=BASIS,
        ),
    ]


def _targets() -> list[tuple[str, services.TargetData]]:
    return [
        (
            DIGITISED,
            services.TargetData(
                year=2021,
                unit_kind=UnitKind.COMMUNE,
                value=Decimal(15),
                step=Decimal(20),
                cap=Decimal(100),
                note="Cấp xã 15% năm 2021, mỗi năm tăng tối thiểu 20% đến khi đạt 100%",
            ),
        ),
        (
            DIGITISED,
            services.TargetData(
                year=2021,
                unit_kind=UnitKind.DISTRICT,
                value=Decimal(20),
                step=Decimal(20),
                cap=Decimal(100),
                note="Cấp huyện 20% năm 2021, mỗi năm tăng tối thiểu 20% đến khi đạt 100%",
            ),
        ),
        (
            ONLINE_PAYMENT,
            services.TargetData(year=2025, value=Decimal(80), step=Decimal(0), note="Đến năm 2025, tối thiểu 80%"),
        ),
        (
            E_CIRCULATION,
            services.TargetData(year=2025, value=Decimal(80), step=Decimal(0), note="Đến năm 2025, tối thiểu 80%"),
        ),
    ]


@transaction.atomic
def load_demo(*, stdout: Writer | None = None) -> list[Indicator]:
    """Load the demo indicators, targets and values; returns the indicators created by this run."""
    _pakn()
    if Indicator.objects.filter(code=DIGITISED).exists():
        return []
    users = {user.username: user for user in User.objects.filter(username__in=["thuongtruc", "daumoi", "daumoi_xa"])}
    secretariat = users.get("thuongtruc")
    created = [services.indicator_create(actor=secretariat, data=data) for data in _definitions()]
    by_code = {indicator.code: indicator for indicator in created}
    for code, target in _targets():
        services.target_create(actor=secretariat, indicator=by_code[code], data=target)
    _values(by_code, users)
    if stdout is not None:
        stdout.write(
            _("Chỉ số minh họa: %(count)d chỉ số do đơn vị nhập, kèm chỉ tiêu và số liệu.") % {"count": len(created)}
            + "\n"
        )
    return created


def _values(indicators: dict[str, Indicator], users: dict[str, User]) -> None:
    """Last year accepted; this year one value in each state: accepted, submitted, returned, draft."""
    this_year = timezone.localdate().year
    last, current = Period(this_year - 1, PeriodKind.YEAR), Period(this_year, PeriodKind.YEAR)
    secretariat = users.get("thuongtruc")
    commune = Unit.objects.filter(code="PT-X-DOANHUNG").first()
    department = Unit.objects.filter(code="PT-STP").first()
    plan: list[tuple[str, Unit | None, User | None, Period, int, str]] = [
        (DIGITISED, commune, users.get("daumoi_xa"), last, 62, "accepted"),
        (DIGITISED, commune, users.get("daumoi_xa"), current, 78, "accepted"),
        (ONLINE_PAYMENT, commune, users.get("daumoi_xa"), last, 70, "accepted"),
        (ONLINE_PAYMENT, commune, users.get("daumoi_xa"), current, 84, "submitted"),
        (E_CIRCULATION, commune, users.get("daumoi_xa"), current, 65, "returned"),
        (DIGITISED, department, users.get("daumoi"), current, 90, "submitted"),
        (ONLINE_PAYMENT, department, users.get("daumoi"), last, 85, "accepted"),
        (ONLINE_PAYMENT, department, users.get("daumoi"), current, 81, "accepted"),
        (E_CIRCULATION, department, users.get("daumoi"), current, 72, "draft"),
    ]
    for code, unit, focal, period, amount, state in plan:
        if unit is None or focal is None:
            continue
        value = services.value_save(
            actor=focal,
            indicator=indicators[code],
            unit=unit,
            period=period,
            value=amount,
            note="Dữ liệu minh họa.",
        )
        if state == "draft":
            continue
        services.value_evidence_add(actor=focal, value=value, upload=_pdf(f"bao-cao-{code}-{period.key}"))
        services.value_submit(actor=focal, value=value)
        if state == "accepted" and secretariat is not None:
            services.value_accept(actor=secretariat, value=value)
        elif state == "returned" and secretariat is not None:
            services.value_return(
                actor=secretariat,
                value=value,
                reason="Số liệu chưa khớp báo cáo quý; đề nghị đối chiếu với hệ thống một cửa và gửi lại.",
            )


# Citizen feedback (PAKN) counts of last year's quarters, as a unit's report imported by the secretariat: received,
# handled on time, overdue. The on-time rate is computed from them. Invented figures.
PAKN_COUNTS = {
    "PT-X-DOANHUNG": [(12, 11, 1), (9, 9, 0), (15, 12, 3), (0, 0, 0)],
    "PT-STP": [(30, 27, 3), (24, 24, 0), (41, 35, 6), (28, 26, 2)],
}


def _pakn() -> None:
    """The PAKN definitions (always ensured) and, once, last year's quarterly counts of two demo units."""
    indicators = services.pakn_indicators_ensure()
    if IndicatorValue.objects.filter(indicator__code=services.PAKN_RECEIVED).exists():
        return
    secretariat = User.objects.filter(username="thuongtruc").first()
    year = timezone.localdate().year - 1
    for code, quarters in PAKN_COUNTS.items():
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        for number, (received, on_time, overdue) in enumerate(quarters, start=1):
            period = Period(year, PeriodKind.QUARTER, number)
            for key, amount in (
                (services.PAKN_RECEIVED, received),
                (services.PAKN_ON_TIME, on_time),
                (services.PAKN_OVERDUE, overdue),
            ):
                services.value_publish(
                    actor=secretariat,
                    indicator=indicators[key],
                    unit=unit,
                    period=period,
                    value=amount,
                    note="Sổ theo dõi phản ánh, kiến nghị (dữ liệu minh họa).",
                    origin=ValueOrigin.IMPORTED,
                )
