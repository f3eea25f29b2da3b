"""Demo procedures and dossiers: a catalogue of about sixty procedures and twelve months of one-stop dossiers.

The catalogue names real kinds of procedures (birth registration, land use certificates, building permits, business
registration…) with the product's own codes, plausible online levels and fees; the dossiers are invented, drawn from
a seeded random generator, for the departments and communes of the demo province: a few hundred to a few thousand a
year per unit, late rates between 1 % and 8 % depending on the unit, about 55 % submitted online, 40 % at the desk and
5 % by the public postal service, apology slips for most late dossiers, some dossiers still pending past their due
date, a few returned or withdrawn. Illustrative data, not statistics of any province.

:func:`dossier_rows` is the generator; the benchmark (``bench/dossiers.py``) writes its rows to a CSV file in the
national portal's layout, :func:`load_demo` stores them directly (bulk inserts, one transaction). Loading is
idempotent: the catalogue is upserted by code, and no dossier is added when the demo source already has some.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.indicators.services import indicator_set_public
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import fold
from cchc.organisations.models import Unit, UnitKind

from .kpis import kpi_indicators, kpis_publish, rollups_refresh
from .models import Channel, DataImport, DataImportKind, Dossier, DossierStatus, OnlineLevel, Procedure
from .scoring import ensure_default_score_items
from .services import ImportReport, finish_import
from .upserts import DossierWriter

SOURCE = "Hệ thống giải quyết TTHC tỉnh (dữ liệu mẫu)"
PROVINCE_CODE = "PT"  # the demo province (cchc.demo.data.PROVINCE)
SEED = 20250701
DEMO_DAYS = 365
PROVINCIAL = "Cấp tỉnh"
COMMUNAL = "Cấp xã"

FULL, PARTIAL, NONE = OnlineLevel.FULL.value, OnlineLevel.PARTIAL.value, OnlineLevel.NONE.value


def demo_file_name(start: datetime.date, end: datetime.date) -> str:
    """The name the demo import shows in the import history: what a one-stop system calls its export of the dossier
    tracking book (Mẫu 07) over the dates loaded, e.g. ``SoTheoDoiHoSo_11032025-10032026.xlsx``."""
    return f"SoTheoDoiHoSo_{start:%d%m%Y}-{end:%d%m%Y}.xlsx"


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    field: str
    level: str
    online_level: str
    fee: int  # VND, 0 when free
    days: int  # legal processing time in working days (0: the same day)
    weight: int  # relative number of dossiers among the procedures of its level


# Department (by the demo's department code) → the fields of the procedures it decides.
DEPARTMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "STP": ("Tư pháp - Lý lịch tư pháp", "Tư pháp - Công chứng, luật sư"),
    "SNNMT": ("Đất đai", "Môi trường", "Nông nghiệp"),
    "SXD": ("Xây dựng", "Giao thông - Đường bộ"),
    "STC": ("Đăng ký kinh doanh", "Đầu tư"),
    "SNV": ("Lao động - Việc làm", "Nội vụ"),
    "SYT": ("Y tế - Khám bệnh, chữa bệnh", "Y tế - Dược"),
    "SGDDT": ("Giáo dục và Đào tạo",),
    "SCT": ("Công thương",),
    "SVHTTDL": ("Văn hóa, thể thao và du lịch",),
    "SKHCN": ("Khoa học, công nghệ và thông tin",),
    "SDTTG": ("Tôn giáo",),
}

_P, _C = PROVINCIAL, COMMUNAL
# fmt: off
CATALOGUE: tuple[ProcedureSpec, ...] = (
    # Communes: civil status, certification, land, building, household businesses, social protection.
    ProcedureSpec("PT.HT.01", "Đăng ký khai sinh", "Tư pháp - Hộ tịch", _C, FULL, 0, 0, 90),
    ProcedureSpec("PT.HT.02", "Đăng ký khai tử", "Tư pháp - Hộ tịch", _C, FULL, 0, 0, 25),
    ProcedureSpec("PT.HT.03", "Đăng ký kết hôn", "Tư pháp - Hộ tịch", _C, PARTIAL, 0, 3, 20),
    ProcedureSpec("PT.HT.04", "Cấp bản sao trích lục hộ tịch", "Tư pháp - Hộ tịch", _C, FULL, 8000, 0, 35),
    ProcedureSpec("PT.HT.05", "Cấp Giấy xác nhận tình trạng hôn nhân", "Tư pháp - Hộ tịch", _C, FULL, 0, 3, 45),
    ProcedureSpec("PT.HT.06", "Đăng ký nhận cha, mẹ, con", "Tư pháp - Hộ tịch", _C, PARTIAL, 0, 3, 3),
    ProcedureSpec("PT.HT.07", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", "Tư pháp - Hộ tịch", _C, PARTIAL,
                  15000, 3, 8),
    ProcedureSpec("PT.HT.08", "Đăng ký giám hộ", "Tư pháp - Hộ tịch", _C, PARTIAL, 0, 3, 1),
    ProcedureSpec("PT.CT.01", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Tư pháp - Chứng thực", _C,
                  PARTIAL, 2000, 0, 120),
    ProcedureSpec("PT.CT.02", "Chứng thực chữ ký trong giấy tờ, văn bản", "Tư pháp - Chứng thực", _C, NONE,
                  10000, 0, 30),
    ProcedureSpec("PT.CT.03", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
                  "Tư pháp - Chứng thực", _C, NONE, 50000, 2, 10),
    ProcedureSpec("PT.CT.04", "Chứng thực hợp đồng, giao dịch liên quan đến quyền sử dụng đất, nhà ở",
                  "Tư pháp - Chứng thực", _C, NONE, 50000, 2, 12),
    ProcedureSpec("PT.DD.01", "Đăng ký biến động quyền sử dụng đất, tài sản gắn liền với đất", "Đất đai", _C, PARTIAL,
                  50000, 10, 28),
    ProcedureSpec("PT.DD.02", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", _C, PARTIAL, 100000, 20,
                  14),
    ProcedureSpec("PT.DD.03", "Chuyển mục đích sử dụng đất", "Đất đai", _C, PARTIAL, 0, 15, 6),
    ProcedureSpec("PT.DD.04", "Hòa giải tranh chấp đất đai", "Đất đai", _C, NONE, 0, 30, 2),
    ProcedureSpec("PT.XD.01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", _C, PARTIAL, 75000, 15, 12),
    ProcedureSpec("PT.XD.02", "Cấp giấy phép sửa chữa, cải tạo công trình", "Xây dựng", _C, PARTIAL, 75000, 15, 3),
    ProcedureSpec("PT.KD.01", "Đăng ký thành lập hộ kinh doanh", "Đăng ký kinh doanh", _C, FULL, 100000, 3, 14),
    ProcedureSpec("PT.KD.02", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "Đăng ký kinh doanh", _C, FULL,
                  100000, 3, 6),
    ProcedureSpec("PT.KD.03", "Tạm ngừng, chấm dứt hoạt động hộ kinh doanh", "Đăng ký kinh doanh", _C, FULL, 0, 3, 3),
    ProcedureSpec("PT.XH.01", "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", "Bảo trợ xã hội", _C,
                  PARTIAL, 0, 12, 8),
    ProcedureSpec("PT.XH.02", "Hỗ trợ chi phí mai táng", "Bảo trợ xã hội", _C, PARTIAL, 0, 5, 5),
    ProcedureSpec("PT.XH.03", "Xác định, xác định lại mức độ khuyết tật", "Bảo trợ xã hội", _C, PARTIAL, 0, 20, 4),
    ProcedureSpec("PT.XH.04", "Giải quyết chế độ người có công với cách mạng", "Người có công", _C, PARTIAL, 0, 12, 4),
    ProcedureSpec("PT.XH.05", "Đăng ký hoạt động tín ngưỡng", "Tôn giáo", _C, PARTIAL, 0, 15, 1),
    # Departments (received at the provincial public service centre, decided by the department).
    ProcedureSpec("PT.TP.01", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Tư pháp - Lý lịch tư pháp", _P,
                  FULL, 200000, 10, 100),
    ProcedureSpec("PT.TP.02", "Cấp Phiếu lý lịch tư pháp cho người nước ngoài", "Tư pháp - Lý lịch tư pháp", _P,
                  PARTIAL, 200000, 15, 3),
    ProcedureSpec("PT.TP.03", "Đăng ký hoạt động văn phòng công chứng", "Tư pháp - Công chứng, luật sư", _P, PARTIAL,
                  1000000, 10, 2),
    ProcedureSpec("PT.TP.04", "Đăng ký hành nghề luật sư với tư cách cá nhân", "Tư pháp - Công chứng, luật sư", _P,
                  PARTIAL, 100000, 7, 1),
    ProcedureSpec("PT.TN.01", "Đăng ký đất đai, tài sản gắn liền với đất lần đầu cho tổ chức", "Đất đai", _P, PARTIAL,
                  500000, 20, 10),
    ProcedureSpec("PT.TN.02", "Gia hạn sử dụng đất", "Đất đai", _P, PARTIAL, 0, 15, 4),
    ProcedureSpec("PT.TN.03", "Cấp giấy phép môi trường", "Môi trường", _P, PARTIAL, 0, 30, 4),
    ProcedureSpec("PT.TN.04", "Cấp giấy phép khai thác, sử dụng nước mặt", "Môi trường", _P, PARTIAL, 600000, 25, 2),
    ProcedureSpec("PT.TN.05", "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
                  "Nông nghiệp", _P, FULL, 700000, 15, 8),
    ProcedureSpec("PT.TN.06", "Cấp giấy phép vận chuyển thuốc bảo vệ thực vật", "Nông nghiệp", _P, FULL, 0, 7, 2),
    ProcedureSpec("PT.XD.11", "Cấp giấy phép xây dựng công trình cấp I, cấp II", "Xây dựng", _P, PARTIAL, 150000, 20,
                  8),
    ProcedureSpec("PT.XD.12", "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng", "Xây dựng", _P, PARTIAL,
                  0, 25, 4),
    ProcedureSpec("PT.XD.13", "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, III", "Xây dựng", _P, FULL,
                  300000, 20, 6),
    ProcedureSpec("PT.GT.01", "Cấp đổi giấy phép lái xe", "Giao thông - Đường bộ", _P, FULL, 135000, 5, 60),
    ProcedureSpec("PT.GT.02", "Cấp giấy phép kinh doanh vận tải bằng xe ô tô", "Giao thông - Đường bộ", _P, FULL,
                  200000, 5, 6),
    ProcedureSpec("PT.KH.01", "Đăng ký thành lập doanh nghiệp", "Đăng ký kinh doanh", _P, FULL, 50000, 3, 40),
    ProcedureSpec("PT.KH.02", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "Đăng ký kinh doanh", _P, FULL,
                  50000, 3, 55),
    ProcedureSpec("PT.KH.03", "Thông báo tạm ngừng kinh doanh", "Đăng ký kinh doanh", _P, FULL, 0, 3, 12),
    ProcedureSpec("PT.KH.04", "Cấp quyết định chủ trương đầu tư", "Đầu tư", _P, PARTIAL, 0, 35, 3),
    ProcedureSpec("PT.LD.01", "Cấp giấy phép lao động cho người nước ngoài", "Lao động - Việc làm", _P, FULL, 600000,
                  5, 14),
    ProcedureSpec("PT.LD.02", "Giải quyết hưởng trợ cấp thất nghiệp", "Lao động - Việc làm", _P, PARTIAL, 0, 20, 45),
    ProcedureSpec("PT.LD.03", "Đăng ký nội quy lao động", "Lao động - Việc làm", _P, FULL, 0, 7, 5),
    ProcedureSpec("PT.NV.01", "Thẩm định thành lập hội có phạm vi hoạt động trong tỉnh", "Nội vụ", _P, PARTIAL, 0, 30,
                  1),
    ProcedureSpec("PT.YT.01", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Y tế - Khám bệnh, chữa bệnh", _P,
                  PARTIAL, 360000, 20, 10),
    ProcedureSpec("PT.YT.02", "Cấp giấy phép hoạt động phòng khám chuyên khoa", "Y tế - Khám bệnh, chữa bệnh", _P,
                  PARTIAL, 4300000, 30, 3),
    ProcedureSpec("PT.YT.03", "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược", "Y tế - Dược", _P, FULL, 1000000,
                  20, 6),
    ProcedureSpec("PT.GD.01", "Chỉnh sửa nội dung văn bằng, chứng chỉ", "Giáo dục và Đào tạo", _P, FULL, 0, 5, 8),
    ProcedureSpec("PT.GD.02", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "Giáo dục và Đào tạo", _P, FULL, 0, 1,
                  20),
    ProcedureSpec("PT.GD.03", "Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục", "Giáo dục và Đào tạo", _P,
                  PARTIAL, 0, 20, 2),
    ProcedureSpec("PT.CN.01", "Cấp giấy phép bán lẻ sản phẩm rượu", "Công thương", _P, FULL, 1200000, 10, 6),
    ProcedureSpec("PT.CN.02", "Cấp giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu", "Công thương", _P, PARTIAL,
                  1200000, 15, 3),
    ProcedureSpec("PT.CN.03", "Xác nhận đăng ký thực hiện khuyến mại", "Công thương", _P, FULL, 0, 5, 20),
    ProcedureSpec("PT.VH.01", "Cấp giấy phép kinh doanh dịch vụ karaoke", "Văn hóa, thể thao và du lịch", _P, FULL,
                  4000000, 5, 3),
    ProcedureSpec("PT.VH.02", "Công nhận hạng cơ sở lưu trú du lịch", "Văn hóa, thể thao và du lịch", _P, PARTIAL,
                  1500000, 30, 2),
    ProcedureSpec("PT.KC.01", "Cấp giấy phép hoạt động in", "Khoa học, công nghệ và thông tin", _P, FULL, 0, 10, 2),
    ProcedureSpec("PT.KC.02", "Cấp giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
                  "Khoa học, công nghệ và thông tin", _P, FULL, 0, 15, 2),
    ProcedureSpec("PT.TG.01", "Chấp thuận tổ chức cuộc lễ ngoài cơ sở tôn giáo", "Tôn giáo", _P, PARTIAL, 0, 20, 3),
)
# fmt: on


@dataclass(frozen=True)
class UnitProfile:
    """How one receiving unit behaves in the demo: its volume, how late it is, how digital."""

    unit_id: int
    code: str
    yearly: int  # dossiers received in a year
    late_rate: float  # share of finished dossiers finished after their due date
    online_share: float  # share of dossiers submitted online where the procedure allows it
    digitised_share: float  # share of dossiers whose inputs are digitised
    procedures: tuple[int, ...]  # indexes into the procedure list
    weights: tuple[int, ...]  # cumulative weights of those procedures


class GeneratedDossier(NamedTuple):
    """One generated dossier, in the order of the dossier fields."""

    code: str
    procedure: int  # index into the procedure list given to the generator
    unit: UnitProfile
    received_on: datetime.date
    due_on: datetime.date
    finished_on: datetime.date | None
    returned_on: datetime.date | None
    status: str
    channel: str
    fee: int | None
    paid_online: bool
    inputs_digitised: bool
    results_digitised: bool
    electronic_result: bool
    apology_on: datetime.date | None
    supplement_requests: int
    returned_or_withdrawn: bool


def _working_days_after(day: int, count: int) -> int:
    """The ordinal ``count`` working days (Monday–Friday) after ordinal ``day``."""
    weeks, rest = divmod(count, 5)
    day += weeks * 7
    while rest:
        day += 1
        if datetime.date.fromordinal(day).weekday() < 5:
            rest -= 1
    return day


def dossier_rows(
    *,
    units: Sequence[UnitProfile],
    procedures: Sequence[ProcedureSpec],
    start: datetime.date,
    end: datetime.date,
    rng: random.Random,
    scale: float = 1.0,
    total: int | None = None,
) -> Iterator[GeneratedDossier]:
    """Dossiers received between ``start`` and ``end`` (both included), as seen on ``end``: ``scale`` × each unit's
    yearly volume over the days of the period, or exactly ``total`` dossiers spread over the units by volume.

    Dossiers come unit by unit, in order of their received date within a unit; codes are unique per generator run.
    """
    first, last = start.toordinal(), end.toordinal()
    days = last - first + 1
    weekdays = [ordinal for ordinal in range(first, last + 1) if datetime.date.fromordinal(ordinal).weekday() < 6]
    date_of: dict[int, datetime.date] = {}

    def day(ordinal: int) -> datetime.date:
        found = date_of.get(ordinal)
        if found is None:
            found = date_of[ordinal] = datetime.date.fromordinal(ordinal)
        return found

    volume = sum(unit.yearly for unit in units)
    counts = [
        round(total * unit.yearly / volume) if total is not None else round(unit.yearly * scale * days / 365)
        for unit in units
    ]
    if total is not None:
        counts[0] += total - sum(counts)
    due_cache: dict[tuple[int, int], int] = {}
    for unit, count in zip(units, counts, strict=True):
        prefix = f"{unit.code}-"
        received_days = sorted(rng.choice(weekdays) for _ in range(count))
        for number, received in enumerate(received_days, start=1):
            index = rng.choices(unit.procedures, cum_weights=unit.weights)[0]
            spec = procedures[index]
            key = (received, spec.days)
            due = due_cache.get(key)
            if due is None:
                due = due_cache[key] = _working_days_after(received, spec.days)
            draw = rng.random()
            if spec.online_level != NONE and draw < unit.online_share:
                channel = Channel.ONLINE.value
            elif draw > 0.95:
                channel = Channel.POSTAL.value
            else:
                channel = Channel.DIRECT.value
            online = channel == Channel.ONLINE.value
            supplements = 0 if rng.random() < 0.93 else (1 if rng.random() < 0.8 else 2)
            late = rng.random() < unit.late_rate
            if late:
                finished: int | None = due + rng.randint(1, 12)
            else:
                finished = received + int((due - received) * rng.random() ** 0.7)
            status = DossierStatus.RETURNED.value
            returned: int | None = None
            withdrawn = False
            outcome = rng.random()
            if outcome < 0.004:
                status, finished, withdrawn = DossierStatus.REJECTED.value, None, True
            elif outcome < 0.012:
                status, withdrawn = DossierStatus.WITHDRAWN.value, True
                finished = received + rng.randint(0, max(1, due - received))
            elif outcome < 0.017:
                # still pending long after its due date (the "quá hạn đang xử lý" list)
                status, finished = DossierStatus.PROCESSING.value, None
            assert finished is None or finished >= received
            if finished is not None and finished > last:
                finished = None
                status = (
                    DossierStatus.SUPPLEMENT.value
                    if supplements and rng.random() < 0.3
                    else DossierStatus.FINANCIAL.value
                    if spec.fee and rng.random() < 0.1
                    else DossierStatus.PROCESSING.value
                )
            if finished is not None and status == DossierStatus.RETURNED.value:
                returned = finished + (0 if online or rng.random() < 0.6 else rng.randint(1, 4))
                if returned > last:
                    returned = None
                    status = DossierStatus.FINISHED.value
            fee = spec.fee or None
            apology = None
            if late and finished is not None and not withdrawn and rng.random() < 0.75:
                apology = min(finished, due + rng.randint(0, 3))
            is_finished = finished is not None and not withdrawn
            yield GeneratedDossier(
                code=f"{prefix}{number:06d}",
                procedure=index,
                unit=unit,
                received_on=day(received),
                due_on=day(due),
                finished_on=day(finished) if finished is not None else None,
                returned_on=day(returned) if returned is not None else None,
                status=status,
                channel=channel,
                fee=fee,
                paid_online=bool(fee) and (rng.random() < (0.7 if online else 0.04)),
                inputs_digitised=rng.random() < (unit.digitised_share if not online else 0.97),
                results_digitised=is_finished and rng.random() < unit.digitised_share * 0.9,
                electronic_result=is_finished and online and spec.online_level == FULL and rng.random() < 0.85,
                apology_on=day(apology) if apology is not None else None,
                supplement_requests=supplements,
                returned_or_withdrawn=withdrawn,
            )


def profiles(
    units: Sequence[tuple[int, str, str]], procedures: Sequence[ProcedureSpec], rng: random.Random
) -> list[UnitProfile]:
    """A profile for each (id, code, kind) unit: departments decide the provincial procedures of their fields (the
    provincial ones of other fields when none matches), communes the communal ones; volumes, late rates and digital
    shares are drawn once per unit."""
    result = []
    for unit_id, code, kind in units:
        commune = kind == UnitKind.COMMUNE
        fields = DEPARTMENT_FIELDS.get(code.rsplit("-", 1)[-1], ())
        chosen = [
            index
            for index, spec in enumerate(procedures)
            if (spec.level == COMMUNAL) == commune and (commune or not fields or spec.field in fields)
        ]
        if not chosen:
            continue
        cumulative, running = [], 0
        for index in chosen:
            running += procedures[index].weight
            cumulative.append(running)
        result.append(
            UnitProfile(
                unit_id=unit_id,
                code=code,
                yearly=int(rng.triangular(300, 1100, 500) if commune else rng.triangular(250, 2600, 700)),
                late_rate=rng.uniform(0.015, 0.085),
                online_share=min(0.85, max(0.3, rng.gauss(0.58, 0.12))),
                digitised_share=rng.uniform(0.55, 0.95),
                procedures=tuple(chosen),
                weights=tuple(cumulative),
            )
        )
    return result


def _catalogue() -> dict[str, Procedure]:
    existing = {
        procedure.code: procedure for procedure in Procedure.objects.filter(code__in=[s.code for s in CATALOGUE])
    }
    missing = [
        Procedure(
            code=spec.code,
            name=spec.name,
            name_key=fold(spec.name),
            field=spec.field,
            level=spec.level,
            online_level=spec.online_level,
            fee_bearing=spec.fee > 0,
        )
        for spec in CATALOGUE
        if spec.code not in existing
    ]
    Procedure.objects.bulk_create(missing)
    existing.update((procedure.code, procedure) for procedure in missing)
    return existing


def _receiving_units(today: datetime.date) -> list[tuple[int, str, str]]:
    """The departments and communes of the demo province that receive dossiers today."""
    province = Unit.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return []
    return list(
        Unit.objects.filter(parent=province, kind__in=[UnitKind.DEPARTMENT, UnitKind.COMMUNE])
        .active(today)
        .order_by("code")
        .values_list("pk", "code", "kind")
    )


DEMO_AUTHOR = "thuongtruc"


# Service figures the demo secretariat publishes on the public page (issue: "service KPIs that the province chooses to
# publish"): on time, online, and the QĐ 766 score.
PUBLIC_KPIS = ("on_time_rate", "online_rate", "total_score")


def load_demo(*, stdout: Writer | None = None, today: datetime.date | None = None) -> int:
    """Load the catalogue and twelve months of dossiers ending ``today``; returns the number of dossiers added (0 when
    the demo dossiers are already there or the demo province is missing)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ensure_default_score_items()  # shipped by a migration; put back if the table was emptied
        procedures = _catalogue()
        units = _receiving_units(today)
        if not units or Dossier.objects.filter(source=SOURCE).exists():
            return 0
        rng = random.Random(SEED)
        unit_profiles = profiles(units, CATALOGUE, rng)
        start = today - datetime.timedelta(days=DEMO_DAYS - 1)
        # Attributed to the demo secretariat (when there), so that its import history is not empty.
        author = User.objects.filter(username=DEMO_AUTHOR).first()
        log = DataImport.objects.create(
            kind=DataImportKind.DOSSIERS,
            source=SOURCE,
            preset="",
            file_name=demo_file_name(start, today),
            valid_rows_only=False,
            author=author,
        )
        report = ImportReport(source=SOURCE)
        writer = DossierWriter(source=SOURCE, log=log)
        try:
            _write_rows(writer, [procedures[spec.code].pk for spec in CATALOGUE], unit_profiles, start, today, rng)
        except BaseException:
            writer.abort()
            raise
        report.created = report.rows_read = writer.created
        rollups_refresh(keys=writer.affected)  # the KPI pages read the monthly rollups
        finish_import(actor=author, log=log, report=report, details={"source": SOURCE, "file": log.file_name})
        for period in published_periods(start, today):  # the QĐ 766 figures the dashboards and reports read
            kpis_publish(actor=author, period=period)
        if author is not None:  # the figures the secretariat chooses to show on the public page
            found = kpi_indicators()
            for key in PUBLIC_KPIS:
                indicator_set_public(actor=author, indicator=found[key], on_public_page=True)
    if stdout is not None:
        stdout.write(
            _("Hồ sơ TTHC minh họa: %(procedures)s thủ tục, %(dossiers)s hồ sơ của %(units)s đơn vị.")
            % {"procedures": len(procedures), "dossiers": report.created, "units": len(unit_profiles)}
        )
    return report.created


def published_periods(start: datetime.date, today: datetime.date) -> list[Period]:
    """The periods the demo publishes its dossier figures for: each quarter of the window that has ended, and the
    year so far."""
    periods = []
    quarter = Period.containing(start, PeriodKind.QUARTER)
    while quarter.end < today:
        if quarter.start >= start:
            periods.append(quarter)
        quarter = quarter.next()
    return [*periods, Period(today.year, PeriodKind.YEAR)]


def _write_rows(
    writer: DossierWriter,
    ids: list[int],
    unit_profiles: list[UnitProfile],
    start: datetime.date,
    today: datetime.date,
    rng: random.Random,
) -> None:
    for row in dossier_rows(units=unit_profiles, procedures=CATALOGUE, start=start, end=today, rng=rng):
        writer.add(
            (
                row.code,
                ids[row.procedure],
                row.unit.unit_id,
                row.received_on,
                row.due_on,
                row.finished_on,
                row.returned_on,
                row.status,
                row.channel,
                Decimal(row.fee) if row.fee is not None else None,
                row.paid_online,
                row.inputs_digitised,
                row.results_digitised,
                row.electronic_result,
                row.apology_on,
                row.supplement_requests,
                row.returned_or_withdrawn,
            )
        )
    writer.finish()


__all__ = [
    "CATALOGUE",
    "SOURCE",
    "GeneratedDossier",
    "ProcedureSpec",
    "UnitProfile",
    "demo_file_name",
    "dossier_rows",
    "load_demo",
    "profiles",
    "published_periods",
]
