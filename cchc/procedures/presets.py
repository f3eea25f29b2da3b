"""Column mappings for the dossier exports of one-stop systems: the presets shipped with the product.

A preset says, for each dossier field, which header texts may name its column (compared without accents, case or
punctuation, see :func:`cchc.lib.spreadsheet.header_key`), what the coded values of a column mean, and how dates are
written. People may save their own presets (:class:`cchc.procedures.models.ImportPreset`); a saved preset of the same
name as a shipped one is not allowed.

Fields: ``code``, ``procedure_code``, ``procedure_name`` (one of the two is needed), ``unit_code``, ``unit_name`` (one
of the two), ``received_on`` (required), ``due_on``, ``finished_on``, ``returned_on``, ``status``, ``channel``,
``fee``, ``paid_online``, ``inputs_digitised``, ``results_digitised``, ``electronic_result``, ``apology_on``,
``supplement_requests``, ``returned_or_withdrawn``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

DMY = "dmy"
PORTAL_TIMESTAMP = "yyyyMMddHHmmss"
DATE_FORMATS = (DMY, PORTAL_TIMESTAMP)

FIELDS = (
    "code",
    "procedure_code",
    "procedure_name",
    "unit_code",
    "unit_name",
    "received_on",
    "due_on",
    "finished_on",
    "returned_on",
    "status",
    "channel",
    "fee",
    "paid_online",
    "inputs_digitised",
    "results_digitised",
    "electronic_result",
    "apology_on",
    "supplement_requests",
    "returned_or_withdrawn",
)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    source_document: str
    columns: dict[str, tuple[str, ...]]
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str = DMY
    shipped: bool = True
    # The title people read (the name is the key the command line and the stored imports use).
    title: Any = ""

    @property
    def label(self) -> str:
        return str(self.title or self.name)

    def snapshot(self) -> dict[str, Any]:
        """The mapping as JSON data, kept by a queued import so that deleting or changing the saved preset meanwhile
        does not change what the import reads (see :meth:`from_snapshot`)."""
        return {
            "name": self.name,
            "description": self.description,
            "source_document": self.source_document,
            "columns": {key: list(labels) for key, labels in self.columns.items()},
            "codes": {key: dict(table) for key, table in self.codes.items()},
            "date_format": self.date_format,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Preset:
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            source_document=str(data.get("source_document", "")),
            columns={key: tuple(labels) for key, labels in data.get("columns", {}).items()},
            codes={
                key: {str(raw): str(value) for raw, value in table.items()}
                for key, table in data.get("codes", {}).items()
            },
            date_format=str(data.get("date_format", DMY)),
            shipped=False,
            title=str(data["name"]),
        )

    @classmethod
    def from_saved(cls, saved: Any) -> Preset:
        """A preset from an :class:`~cchc.procedures.models.ImportPreset` row."""
        return cls(
            name=saved.name,
            description=saved.description,
            source_document=saved.source_document,
            columns={key: tuple(labels) for key, labels in (saved.columns or {}).items()},
            codes={
                key: {str(raw): str(value) for raw, value in table.items()}
                for key, table in (saved.codes or {}).items()
            },
            date_format=saved.date_format,
            shipped=False,
            title=saved.name,
        )


# Words that mean "yes" and "no" in the flag columns, whatever the preset (compared folded).
YES = ("1", "x", "co", "có", "true", "yes", "đã", "da", "dung", "đúng")
NO = ("0", "khong", "không", "false", "no", "chua", "chưa", "sai")

# Sổ theo dõi hồ sơ, Mẫu số 07 of Thông tư 03/2025/TT-VPCP (BM.07 as published in QĐ 3621/QĐ-BYT 2025), with the
# column names of the TT 01/2018 Mẫu 06 book and of the tracking-book export of a provincial one-stop system
# (formats.md §1.1–1.3). The book has no status, channel or flags: a dossier with a "Trả kết quả" date is returned,
# one without is being processed. "Cơ quan chủ trì giải quyết" names the unit by its name.
TRACKING_BOOK = Preset(
    name="mau-07-so-theo-doi",
    title=_("Sổ theo dõi hồ sơ (Mẫu số 07)"),
    description="Sổ theo dõi hồ sơ (Mẫu số 07, TT 03/2025/TT-VPCP; Mẫu 06 cũ của TT 01/2018/TT-VPCP)",
    source_document=(
        "Thông tư 03/2025/TT-VPCP, Mẫu số 07 (bố cục BM.07 trong QĐ 3621/QĐ-BYT năm 2025); "
        "Thông tư 01/2018/TT-VPCP, Mẫu số 06"
    ),
    columns={
        "code": ("Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ"),
        "procedure_code": ("Mã TTHC", "Mã thủ tục"),
        "procedure_name": ("Tên TTHC", "Tên thủ tục hành chính", "Tên thủ tục", "Nội dung hồ sơ"),
        "unit_code": ("Mã đơn vị",),
        "unit_name": ("Cơ quan chủ trì giải quyết", "Cơ quan giải quyết", "Đơn vị"),
        "received_on": ("Nhận hồ sơ", "Ngày nhận hồ sơ", "Ngày tiếp nhận"),
        "due_on": ("Hẹn trả kết quả", "Ngày hẹn trả"),
        "finished_on": ("Nhận kết quả từ cơ quan giải quyết", "Ngày hoàn thành"),
        "returned_on": (
            "Trả kết quả",
            "Trả kết quả cho cá nhân, tổ chức",
            "Ngày nhận kết quả",
            "Ngày trả kết quả",
        ),
    },
)

# The case record a provincial one-stop system syncs to the national portal (Cổng DVCQG), exported flat with one
# column per field of the record (class HoSoDongBoDVC of the TD.DichVuCongApi code, formats.md §2). Status codes
# TrangThaiHoSo 1–10, channel codes KenhThucHien 1/2/3, dates yyyyMMddHHmmss. A vendor implementation, not the
# Government Office's specification, which is not public.
PORTAL_SYNC = Preset(
    name="dvcqg-dong-bo",
    title=_("Hồ sơ đồng bộ Cổng Dịch vụ công quốc gia"),
    description="Bản ghi hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia (mã trạng thái 1–10, kênh 1/2/3)",
    source_document=(
        "Bản ghi HoSoDongBoDVC của hệ thống thông tin giải quyết TTHC TD.DichVuCongApi "
        "(ISyncLocalDataToDVCQGService.cs); không phải đặc tả chính thức của VPCP"
    ),
    columns={
        "code": ("MaHoSo",),
        "procedure_code": ("MaTTHC",),
        "procedure_name": ("TenTTHC",),
        "unit_code": ("MaDonVi", "MaDonViXuLy", "DonViXuLy"),
        "unit_name": ("TenDonVi",),
        "received_on": ("NgayTiepNhan",),
        "due_on": ("NgayHenTra",),
        "finished_on": ("NgayKetThucXuLy",),
        "returned_on": ("NgayTra",),
        "status": ("TrangThaiHoSo",),
        "channel": ("KenhThucHien",),
        "fee": ("LePhi", "TongPhiLePhi", "PhiLePhi"),
        "paid_online": ("DuocThanhToanTrucTuyen",),
        "inputs_digitised": ("HoSoCoThanhPhanSoHoa",),
        "results_digitised": ("KetQuaSoHoa", "DaSoHoaKetQua"),
        "electronic_result": ("CoKetQuaDienTu", "KetQuaDienTu"),
        "apology_on": ("NgayXinLoi",),
        "supplement_requests": ("SoLanBoSung",),
    },
    codes={
        "status": {
            "1": "new",
            "2": "received",
            "3": "rejected",
            "4": "processing",
            "5": "supplement",
            "6": "financial",
            "7": "withdrawn",
            "8": "suspended",
            "9": "finished",
            "10": "returned",
        },
        "channel": {"1": "direct", "2": "online", "3": "postal"},
    },
    date_format=PORTAL_TIMESTAMP,
)

SHIPPED: dict[str, Preset] = {preset.name: preset for preset in (TRACKING_BOOK, PORTAL_SYNC)}
DEFAULT = TRACKING_BOOK.name


# --- Aggregate reports (biểu 06a / 07a): counts per unit or per field for a period --------------------------------


@dataclass(frozen=True)
class AggregatePreset:
    """The layout of an aggregate report: what identifies a row (``"unit"`` or ``"field"``) and, for each count, the
    path of header texts above its column, from the top header row down (each text compared as a prefix, without
    accents, case or punctuation)."""

    name: str
    description: str
    source_document: str
    row_key: str
    row_labels: tuple[str, ...]
    counts: dict[str, tuple[str, ...]]
    shipped: bool = True
    title: Any = ""

    @property
    def label(self) -> str:
        return str(self.title or self.name)


# "Tình hình, kết quả giải quyết TTHC tại cơ quan, đơn vị trực tiếp giải quyết TTHC", one row per unit, as the 06a view
# of the TD.DichVuCongApi one-stop system shows it (formats.md §3.1). The numbering follows the periodic report forms
# of the Government Office (attributed to TT 01/2020/TT-VPCP, not checked against the circular).
REPORT_06A = AggregatePreset(
    name="bieu-06a",
    title=_("Biểu 06a (theo đơn vị)"),
    description="Biểu 06a: tình hình, kết quả giải quyết TTHC theo đơn vị (số liệu tổng hợp của kỳ)",
    source_document=(
        "Biểu 06a của chế độ báo cáo định kỳ về TTHC (được cho là TT 01/2020/TT-VPCP, chưa đối chiếu); "
        "bố cục theo màn hình BaoCaoTongHop06a của hệ thống TD.DichVuCongApi"
    ),
    row_key="unit",
    row_labels=("Đơn vị", "Tên đơn vị", "Cơ quan, đơn vị"),
    counts={
        "received_total": ("Số hồ sơ nhận giải quyết", "Tổng số"),
        "received_online": ("Số hồ sơ nhận giải quyết", "Trong kỳ", "Trực tuyến"),
        "received_direct_postal": ("Số hồ sơ nhận giải quyết", "Trong kỳ", "Trực tiếp"),
        "received_previous": ("Số hồ sơ nhận giải quyết", "Kỳ trước"),
        "finished_total": ("Số lượng hồ sơ đã giải quyết", "Tổng số"),
        "finished_early": ("Số lượng hồ sơ đã giải quyết", "Trước hạn"),
        "finished_on_time": ("Số lượng hồ sơ đã giải quyết", "Đúng hạn"),
        "finished_late": ("Số lượng hồ sơ đã giải quyết", "Quá hạn"),
        "processing_total": ("Số lượng hồ sơ đang giải quyết", "Tổng số"),
        "processing_on_time": ("Số lượng hồ sơ đang giải quyết", "Đúng hạn"),
        "processing_late": ("Số lượng hồ sơ đang giải quyết", "Quá hạn"),
    },
)

# The 07a view of the same system: one unit's report, one row per field (lĩnh vực) (formats.md §3.1).
REPORT_07A = AggregatePreset(
    name="bieu-07a",
    title=_("Biểu 07a (theo lĩnh vực)"),
    description="Biểu 07a: kết quả giải quyết TTHC của một đơn vị theo lĩnh vực (số liệu tổng hợp của kỳ)",
    source_document=(
        "Biểu 07a của chế độ báo cáo định kỳ về TTHC (được cho là TT 01/2020/TT-VPCP, chưa đối chiếu); "
        "bố cục theo màn hình BaoCaoTongHop07a của hệ thống TD.DichVuCongApi"
    ),
    row_key="field",
    row_labels=("Lĩnh vực", "Lĩnh vực giải quyết"),
    counts={
        "received_total": ("Số hồ sơ nhận giải quyết", "Tổng số"),
        "received_previous": ("Số hồ sơ nhận giải quyết", "Số kỳ trước"),
        "received_new": ("Số hồ sơ nhận giải quyết", "Số mới tiếp nhận"),
        "finished_total": ("Kết quả giải quyết", "Số hồ sơ đã giải quyết", "Tổng số"),
        "finished_on_time": ("Kết quả giải quyết", "Số hồ sơ đã giải quyết", "Trả đúng thời hạn"),
        "finished_late": ("Kết quả giải quyết", "Số hồ sơ đã giải quyết", "Trả quá hạn"),
        "processing_total": ("Kết quả giải quyết", "Số hồ sơ đang giải quyết", "Tổng số"),
        "processing_on_time": ("Kết quả giải quyết", "Số hồ sơ đang giải quyết", "Chưa đến hạn"),
        "processing_late": ("Kết quả giải quyết", "Số hồ sơ đang giải quyết", "Quá hạn"),
        "supplement": ("Bổ sung",),
        "returned": ("Trả lại",),
    },
)

AGGREGATES: dict[str, AggregatePreset] = {preset.name: preset for preset in (REPORT_06A, REPORT_07A)}


def title_of(name: str) -> str:
    """The title of the preset stored under ``name`` (a shipped one's Vietnamese title; a saved one's own name, which
    its author typed); empty for no name."""
    shipped = SHIPPED.get(name) or AGGREGATES.get(name)
    return shipped.label if shipped is not None else name


__all__ = [
    "AGGREGATES",
    "DATE_FORMATS",
    "DEFAULT",
    "DMY",
    "FIELDS",
    "NO",
    "PORTAL_SYNC",
    "PORTAL_TIMESTAMP",
    "REPORT_06A",
    "REPORT_07A",
    "SHIPPED",
    "TRACKING_BOOK",
    "YES",
    "AggregatePreset",
    "Preset",
    "title_of",
]
