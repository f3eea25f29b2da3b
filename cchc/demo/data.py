"""The demo organisation: Tỉnh Phú Thọ after 1 July 2025 and the former Huyện Đoan Hùng.

Illustrative data for demonstrations and tests, not an official register:
names follow real usage (the seed directives of Đoan Hùng and Phú Thọ), but
the lists are incomplete, the codes are the product's own and the successor
links only sketch how the 2025 commune mergers happened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from cchc.accounts.models import Role
from cchc.lib.text import fold
from cchc.organisations.models import CommuneSubtype, UnitKind

REFORM_DAY = datetime.date(2025, 7, 1)
LAST_DAY_BEFORE_REFORM = datetime.date(2025, 6, 30)
DEFAULT_PASSWORD = "cchc-demo-2025"  # noqa: S105 - the published demo password, printed by the command
# The last PAR INDEX year assessed on the units as they were before 1 July 2025 (former districts and communes).
PRE_MERGER_YEAR = REFORM_DAY.year - 1
# How far ahead of the day the demo is loaded the self-assessment deadline of the round in progress falls.
DEADLINE_AHEAD = datetime.timedelta(days=24)


@dataclass(frozen=True)
class DemoCalendar:
    """The years and deadlines of the demo, worked out from the day it is loaded so that a demo loaded on any day
    shows a plausible situation: a round in self-assessment with its deadline a few weeks ahead, last year's round
    published, and the rounds needed to follow units through the 2025 merger (the year before it and the first
    year after it). The same day always gives the same calendar."""

    today: datetime.date

    @property
    def round_year(self) -> int:
        """The year assessed by the round in progress: a year is self-assessed from its second half into the first
        months of the next one (the deadline is in those months)."""
        return self.today.year if self.today.month >= 7 else self.today.year - 1

    @property
    def published_years(self) -> list[int]:
        """Years whose round is published: the year before the merger, the merger year, and the two years before
        the round in progress (those after the round in progress excluded)."""
        last = self.round_year - 1
        return sorted(year for year in {PRE_MERGER_YEAR, REFORM_DAY.year, last - 1, last} if year <= last)

    @property
    def framework_years(self) -> list[int]:
        return [*self.published_years, self.round_year]

    @property
    def self_assessment_deadline(self) -> datetime.date:
        return self.today + DEADLINE_AHEAD


def calendar(today: datetime.date | None = None) -> DemoCalendar:
    """The demo calendar of ``today`` (the local date by default)."""
    return DemoCalendar(today or timezone.localdate())


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    subtype: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


@dataclass(frozen=True)
class MergeSpec:
    """Former units (by code) carried on by one unit since ``REFORM_DAY``."""

    successor: str
    predecessors: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class AccountSpec:
    username: str
    full_name: str
    role: str
    unit: str
    position: str
    scope: str | None = None


PROVINCE = "PT"
DISTRICT = "PT-DH"

# Departments with the offices (phòng chuyên môn) inside them. The same list
# serves the national-size tree, where every department gets its offices.
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    (
        "VP",
        "Văn phòng UBND tỉnh",
        "VP UBND",
        [
            "Phòng Hành chính - Tổ chức",
            "Phòng Kiểm soát thủ tục hành chính",
            "Phòng Tổng hợp",
            "Phòng Khoa giáo - Văn xã",
        ],
    ),
    (
        "SNV",
        "Sở Nội vụ",
        "SNV",
        [
            "Văn phòng Sở",
            "Phòng Tổ chức, biên chế và Tổ chức phi chính phủ",
            "Phòng Cải cách hành chính và Văn thư - Lưu trữ",
            "Phòng Công chức, viên chức",
            "Phòng Lao động, Tiền lương và Bảo hiểm xã hội",
        ],
    ),
    (
        "STP",
        "Sở Tư pháp",
        "STP",
        [
            "Văn phòng Sở",
            "Phòng Xây dựng và Kiểm tra văn bản quy phạm pháp luật",
            "Phòng Phổ biến, giáo dục pháp luật và Theo dõi thi hành pháp luật",
            "Phòng Hành chính tư pháp và Bổ trợ tư pháp",
        ],
    ),
    (
        "STC",
        "Sở Tài chính",
        "STC",
        [
            "Văn phòng Sở",
            "Phòng Quản lý ngân sách",
            "Phòng Quản lý giá và Công sản",
            "Phòng Doanh nghiệp, kinh tế tập thể và tư nhân",
        ],
    ),
    (
        "SCT",
        "Sở Công Thương",
        "SCT",
        ["Văn phòng Sở", "Phòng Quản lý thương mại", "Phòng Quản lý công nghiệp", "Phòng Quản lý năng lượng"],
    ),
    (
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        "SNN&MT",
        ["Văn phòng Sở", "Phòng Kế hoạch - Tài chính", "Phòng Quản lý đất đai", "Phòng Môi trường"],
    ),
    (
        "SXD",
        "Sở Xây dựng",
        "SXD",
        [
            "Văn phòng Sở",
            "Phòng Quản lý quy hoạch - kiến trúc",
            "Phòng Kinh tế - Vật liệu xây dựng",
            "Phòng Quản lý giao thông",
        ],
    ),
    (
        "SKHCN",
        "Sở Khoa học và Công nghệ",
        "SKH&CN",
        ["Văn phòng Sở", "Phòng Chuyển đổi số", "Phòng Bưu chính, viễn thông", "Phòng Quản lý khoa học"],
    ),
    (
        "SGDDT",
        "Sở Giáo dục và Đào tạo",
        "SGD&ĐT",
        ["Văn phòng Sở", "Phòng Giáo dục Mầm non và Tiểu học", "Phòng Giáo dục Trung học", "Phòng Tổ chức cán bộ"],
    ),
    (
        "SYT",
        "Sở Y tế",
        "SYT",
        ["Văn phòng Sở", "Phòng Nghiệp vụ Y", "Phòng Nghiệp vụ Dược", "Phòng Kế hoạch - Tài chính"],
    ),
    (
        "SVHTTDL",
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTT&DL",
        [
            "Văn phòng Sở",
            "Phòng Quản lý văn hóa và Gia đình",
            "Phòng Quản lý thể dục thể thao",
            "Phòng Quản lý du lịch",
        ],
    ),
    (
        "SDTTG",
        "Sở Dân tộc và Tôn giáo",
        "SDT&TG",
        ["Văn phòng Sở", "Phòng Chính sách dân tộc", "Phòng Tôn giáo", "Phòng Kế hoạch - Tổng hợp"],
    ),
    (
        "TTR",
        "Thanh tra tỉnh",
        "TTT",
        ["Văn phòng", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2", "Phòng Tiếp công dân và Xử lý đơn thư"],
    ),
    (
        "BQLKCN",
        "Ban Quản lý các khu công nghiệp",
        "BQL KCN",
        [
            "Văn phòng Ban",
            "Phòng Quản lý đầu tư",
            "Phòng Quản lý doanh nghiệp",
            "Phòng Quản lý quy hoạch và Môi trường",
        ],
    ),
]
# Departments whose offices are part of the province demo (the others show a department without offices).
DEMO_OFFICES_IN = ("VP", "SNV", "STP", "STC", "SKHCN", "SYT", "SGDDT")

PROVINCE_OTHER_ORGANISATIONS = [
    ("MTTQ", "Ủy ban MTTQ Việt Nam tỉnh", "UBMTTQ", UnitKind.OTHER),
    ("CCB", "Hội Cựu chiến binh tỉnh", "Hội CCB", UnitKind.OTHER),
    ("BD", "Bưu điện tỉnh", "BĐT", UnitKind.OTHER),
    ("PTTH", "Đài Phát thanh và Truyền hình tỉnh", "Đài PT-TH", UnitKind.OTHER),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC", UnitKind.PUBLIC_SERVICE_UNIT),
]

WARDS = [
    "Việt Trì",
    "Nông Trang",
    "Thanh Miếu",
    "Vân Phú",
    "Phong Châu",
    "Phú Thọ",
    "Âu Cơ",
    "Vĩnh Phúc",
    "Vĩnh Yên",
    "Phúc Yên",
    "Xuân Hòa",
    "Hòa Bình",
    "Kỳ Sơn",
    "Thống Nhất",
    "Tân Hòa",
]
COMMUNES = [
    "Đoan Hùng",
    "Tây Cốc",
    "Chân Mộng",
    "Chí Đám",
    "Bằng Luân",
    "Hạ Hòa",
    "Thanh Ba",
    "Cẩm Khê",
    "Tam Nông",
    "Lâm Thao",
    "Thanh Sơn",
    "Tân Sơn",
    "Yên Lập",
    "Tam Đảo",
    "Lập Thạch",
    "Mai Châu",
    "Lạc Sơn",
    "Kim Bôi",
    "Cao Phong",
]

# The former district, as named in its 2021 directive on the PAR INDEX.
DISTRICT_OFFICES = [
    ("PNV", "Phòng Nội vụ", UnitKind.OFFICE),
    ("PTP", "Phòng Tư pháp", UnitKind.OFFICE),
    ("PTCKH", "Phòng Tài chính - Kế hoạch", UnitKind.OFFICE),
    ("VP", "Văn phòng HĐND và UBND huyện", UnitKind.OFFICE),
    ("PVHTT", "Phòng Văn hóa và Thông tin", UnitKind.OFFICE),
    ("PKTHT", "Phòng Kinh tế và Hạ tầng", UnitKind.OFFICE),
    ("PTNMT", "Phòng Tài nguyên và Môi trường", UnitKind.OFFICE),
    ("TTVHTTTT", "Trung tâm Văn hóa, Thể thao và Truyền thông huyện", UnitKind.PUBLIC_SERVICE_UNIT),
    ("MTTQ", "Ủy ban MTTQ Việt Nam huyện", UnitKind.OTHER),
    ("CCB", "Hội Cựu chiến binh huyện", UnitKind.OTHER),
    ("BD", "Bưu điện huyện", UnitKind.OTHER),
]
# Former communes of Đoan Hùng grouped by the commune that carries them on since 1/7/2025.
DISTRICT_COMMUNES: dict[str, list[tuple[str, str]]] = {
    "Đoan Hùng": [("Đoan Hùng", CommuneSubtype.TOWNSHIP), ("Sóc Đăng", "commune"), ("Ngọc Quan", "commune")],
    "Bằng Luân": [("Bằng Doãn", "commune"), ("Bằng Luân", "commune"), ("Phú Lâm", "commune")],
    "Chí Đám": [("Chí Đám", "commune"), ("Hùng Xuyên", "commune")],
    "Chân Mộng": [("Chân Mộng", "commune"), ("Minh Lương", "commune")],
    "Tây Cốc": [("Tây Cốc", "commune"), ("Ca Đình", "commune"), ("Vân Du", "commune")],
}
# Provinces merged into Phú Thọ on 1/7/2025.
FORMER_PROVINCES = [("VPC", "Tỉnh Vĩnh Phúc"), ("HBH", "Tỉnh Hòa Bình")]


def _code_word(name: str) -> str:
    return "".join(ch for ch in fold(name).upper() if ch.isalnum())


def commune_code(name: str, subtype: str) -> str:
    prefix = {"ward": "P", "commune": "X", "township": "TT", "special_zone": "DK"}[subtype]
    return f"{PROVINCE}-{prefix}-{_code_word(name)}"


def former_commune_code(name: str, subtype: str) -> str:
    prefix = "TT" if subtype == CommuneSubtype.TOWNSHIP else "X"
    return f"{DISTRICT}-{prefix}-{_code_word(name)}"


def _subtype_label(subtype: str) -> str:
    return {"ward": "Phường", "commune": "Xã", "township": "Thị trấn", "special_zone": "Đặc khu"}[subtype]


def province_units() -> list[UnitSpec]:
    """Every unit of the demo, parents before children."""
    units = [UnitSpec(PROVINCE, "Tỉnh Phú Thọ", UnitKind.PROVINCE, None, short_name="Phú Thọ")]
    units += [
        UnitSpec(
            f"{PROVINCE}-{code}",
            name,
            UnitKind.PROVINCE,
            None,
            short_name=name.removeprefix("Tỉnh "),
            valid_to=LAST_DAY_BEFORE_REFORM,
        )
        for code, name in FORMER_PROVINCES
    ]
    for code, name, short_name, offices in DEPARTMENTS:
        department = f"{PROVINCE}-{code}"
        units.append(UnitSpec(department, name, UnitKind.DEPARTMENT, PROVINCE, short_name=short_name))
        if code in DEMO_OFFICES_IN:
            units += [
                UnitSpec(f"{department}-P{number}", office, UnitKind.OFFICE, department)
                for number, office in enumerate(offices, start=1)
            ]
    units += [
        UnitSpec(f"{PROVINCE}-{code}", name, kind, PROVINCE, short_name=short_name)
        for code, name, short_name, kind in PROVINCE_OTHER_ORGANISATIONS
    ]
    for subtype, names in ((CommuneSubtype.WARD, WARDS), (CommuneSubtype.COMMUNE, COMMUNES)):
        units += [
            UnitSpec(
                commune_code(name, subtype),
                f"{_subtype_label(subtype)} {name}",
                UnitKind.COMMUNE,
                PROVINCE,
                subtype=subtype,
                valid_from=REFORM_DAY,
            )
            for name in names
        ]
    units.append(
        UnitSpec(
            DISTRICT,
            "Huyện Đoan Hùng",
            UnitKind.DISTRICT,
            PROVINCE,
            short_name="Đoan Hùng",
            valid_to=LAST_DAY_BEFORE_REFORM,
        )
    )
    units += [
        UnitSpec(f"{DISTRICT}-{code}", name, kind, DISTRICT, valid_to=LAST_DAY_BEFORE_REFORM)
        for code, name, kind in DISTRICT_OFFICES
    ]
    # Former communes are created open and closed by the merge, so that the
    # closing is recorded like any other reorganisation.
    units += [
        UnitSpec(
            former_commune_code(name, subtype),
            f"{_subtype_label(subtype)} {name}",
            UnitKind.COMMUNE,
            DISTRICT,
            subtype=subtype,
        )
        for group in DISTRICT_COMMUNES.values()
        for name, subtype in group
    ]
    return units


def merges() -> list[MergeSpec]:
    result = [
        MergeSpec(
            successor=commune_code(successor, CommuneSubtype.COMMUNE),
            predecessors=tuple(former_commune_code(name, subtype) for name, subtype in group),
            note="Sắp xếp đơn vị hành chính cấp xã từ ngày 01/7/2025 (dữ liệu minh họa).",
        )
        for successor, group in DISTRICT_COMMUNES.items()
    ]
    result.append(
        MergeSpec(
            successor=PROVINCE,
            predecessors=tuple(f"{PROVINCE}-{code}" for code, _name in FORMER_PROVINCES),
            note="Hợp nhất tỉnh Phú Thọ, tỉnh Vĩnh Phúc và tỉnh Hòa Bình từ ngày 01/7/2025.",
        )
    )
    return result


ACCOUNTS = [
    AccountSpec("quantri", "Nguyễn Minh Quân", Role.ADMIN, "PT-SKHCN", "Chuyên viên Phòng Chuyển đổi số"),
    AccountSpec(
        "thuongtruc",
        "Trần Thị Thu Hằng",
        Role.SECRETARIAT,
        "PT-SNV",
        "Trưởng phòng Cải cách hành chính và Văn thư - Lưu trữ",
        scope=PROVINCE,
    ),
    AccountSpec("lanhdao", "Lê Quang Vinh", Role.LEADER, "PT-VP", "Chánh Văn phòng UBND tỉnh", scope=PROVINCE),
    AccountSpec("daumoi", "Phạm Thị Lan Anh", Role.FOCAL_POINT, "PT-STP", "Chuyên viên Văn phòng Sở", scope="PT-STP"),
    AccountSpec(
        "thamdinh", "Hoàng Đức Thắng", Role.APPRAISER, "PT-SNV", "Chuyên viên Phòng Cải cách hành chính", scope=PROVINCE
    ),
    AccountSpec("hoidong", "Vũ Thị Minh Nguyệt", Role.COUNCIL, "PT-STC", "Phó Giám đốc Sở Tài chính", scope=PROVINCE),
    AccountSpec(
        "giamsat",
        "Đỗ Văn Khải",
        Role.SUPERVISOR,
        "PT-MTTQ",
        "Phó Chủ tịch Ủy ban MTTQ Việt Nam tỉnh",
        scope=PROVINCE,
    ),
    AccountSpec(
        "daumoi_xa",
        "Bùi Thị Hồng Nhung",
        Role.FOCAL_POINT,
        "PT-X-DOANHUNG",
        "Công chức Văn phòng - Thống kê",
        scope="PT-X-DOANHUNG",
    ),
]
