"""A national-size unit tree for benchmarks: 34 provinces and 3,321 commune-level units.

The 34 provincial units are the real ones after 1 July 2025 (6 centrally-run
cities and 28 provinces) and the 13 special zones carry their real names; the
communes and wards are generated ("Xã Tân Phú 2") and spread evenly, so that
the totals match the national figures (2,636 communes, 672 wards, 13 special
zones). Illustrative data, not an official register.
"""

from __future__ import annotations

from dataclasses import dataclass

from cchc.organisations.models import CommuneSubtype, Unit, UnitKind
from cchc.organisations.services import UnitData, units_bulk_insert

from .data import DEPARTMENTS, REFORM_DAY

CODE_PREFIX = "QG"
PROVINCE_COUNT = 34
COMMUNE_TOTALS = {CommuneSubtype.COMMUNE: 2636, CommuneSubtype.WARD: 672, CommuneSubtype.SPECIAL_ZONE: 13}
WARDS_PER_CITY = 40

# (name, is a centrally-run city, special zones)
PROVINCES: list[tuple[str, bool, tuple[str, ...]]] = [
    ("Hà Nội", True, ()),
    ("Cao Bằng", False, ()),
    ("Tuyên Quang", False, ()),
    ("Điện Biên", False, ()),
    ("Lai Châu", False, ()),
    ("Sơn La", False, ()),
    ("Lào Cai", False, ()),
    ("Thái Nguyên", False, ()),
    ("Lạng Sơn", False, ()),
    ("Quảng Ninh", False, ("Vân Đồn", "Cô Tô")),
    ("Bắc Ninh", False, ()),
    ("Phú Thọ", False, ()),
    ("Hải Phòng", True, ("Cát Hải", "Bạch Long Vĩ")),
    ("Hưng Yên", False, ()),
    ("Ninh Bình", False, ()),
    ("Thanh Hóa", False, ()),
    ("Nghệ An", False, ()),
    ("Hà Tĩnh", False, ()),
    ("Quảng Trị", False, ("Cồn Cỏ",)),
    ("Huế", True, ()),
    ("Đà Nẵng", True, ("Hoàng Sa",)),
    ("Quảng Ngãi", False, ("Lý Sơn",)),
    ("Gia Lai", False, ()),
    ("Khánh Hòa", False, ("Trường Sa",)),
    ("Đắk Lắk", False, ()),
    ("Lâm Đồng", False, ("Phú Quý",)),
    ("Đồng Nai", False, ()),
    ("Hồ Chí Minh", True, ("Côn Đảo",)),
    ("Tây Ninh", False, ()),
    ("Đồng Tháp", False, ()),
    ("Vĩnh Long", False, ()),
    ("An Giang", False, ("Phú Quốc", "Kiên Hải", "Thổ Châu")),
    ("Cần Thơ", True, ()),
    ("Cà Mau", False, ()),
]

PLACE_NAMES = [
    "An Bình", "An Hòa", "An Phú", "An Thạnh", "Bình An", "Bình Minh", "Bình Thạnh", "Cẩm Bình",
    "Chiến Thắng", "Đại Đồng", "Đông Hòa", "Đông Sơn", "Đồng Tâm", "Hải An", "Hải Ninh", "Hòa An",
    "Hòa Bình", "Hòa Hiệp", "Hòa Thuận", "Hồng Phong", "Hợp Thành", "Hùng Vương", "Hưng Long", "Kim Sơn",
    "Lạc Thủy", "Long Hưng", "Minh Đức", "Minh Tân", "Mỹ Lộc", "Nam Sơn", "Nghĩa Hưng", "Ngọc Sơn",
    "Phú Hòa", "Phú Lộc", "Phú Mỹ", "Phú Thành", "Phúc Thịnh", "Quang Trung", "Quảng Phú", "Quyết Thắng",
    "Sơn Hà", "Tam Hiệp", "Tân An", "Tân Bình", "Tân Hiệp", "Tân Lập", "Tân Phú", "Tân Thành",
    "Thạnh Phú", "Thanh Bình", "Thắng Lợi", "Thịnh Hưng", "Thuận An", "Tiên Phong", "Trung Hòa", "Trường Sơn",
    "Vĩnh Hòa", "Vĩnh Phú", "Xuân Lộc", "Xuân Phú", "Yên Bình", "Yên Hòa", "Yên Thành", "Đức Thắng",
]  # fmt: skip

OTHER_ORGANISATIONS = [
    ("MTTQ", "Ủy ban MTTQ Việt Nam {level}", UnitKind.OTHER),
    ("CCB", "Hội Cựu chiến binh {level}", UnitKind.OTHER),
    ("BD", "Bưu điện {level}", UnitKind.OTHER),
    ("PTTH", "Đài Phát thanh và Truyền hình {level}", UnitKind.OTHER),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công {level}", UnitKind.PUBLIC_SERVICE_UNIT),
]


@dataclass(frozen=True)
class NationalResult:
    created: int
    total: int


def province_code(number: int) -> str:
    return f"{CODE_PREFIX}-{number:02d}"


def _commune_counts() -> list[dict[str, int]]:
    """Communes, wards and special zones per province, adding up to the national totals."""
    cities = sum(1 for _name, is_city, _zones in PROVINCES if is_city)
    province_wards = COMMUNE_TOTALS[CommuneSubtype.WARD] - cities * WARDS_PER_CITY
    provinces = len(PROVINCES) - cities
    total = sum(COMMUNE_TOTALS.values())
    counts: list[dict[str, int]] = []
    province_index = 0
    for index, (_name, is_city, zones) in enumerate(PROVINCES):
        units = total // len(PROVINCES) + (1 if index < total % len(PROVINCES) else 0)
        if is_city:
            wards = WARDS_PER_CITY
        else:
            wards = province_wards // provinces + (1 if province_index < province_wards % provinces else 0)
            province_index += 1
        counts.append(
            {
                CommuneSubtype.WARD: wards,
                CommuneSubtype.SPECIAL_ZONE: len(zones),
                CommuneSubtype.COMMUNE: units - wards - len(zones),
            }
        )
    return counts


def _generated_names(prefix: str, count: int, offset: int) -> list[str]:
    names = []
    for index in range(offset, offset + count):
        stem = PLACE_NAMES[index % len(PLACE_NAMES)]
        round_ = index // len(PLACE_NAMES)
        names.append(f"{prefix} {stem}" + (f" {round_ + 1}" if round_ else ""))
    return names


def national_rows() -> list[tuple[UnitData, str | None]]:
    """Every unit of the national tree with its parent's code, parents first."""
    rows: list[tuple[UnitData, str | None]] = []
    for number, ((name, is_city, zones), counts) in enumerate(zip(PROVINCES, _commune_counts(), strict=True), 1):
        code = province_code(number)
        level = "thành phố" if is_city else "tỉnh"
        full_name = f"Thành phố {name}" if is_city else f"Tỉnh {name}"
        rows.append((UnitData(name=full_name, kind=UnitKind.PROVINCE, code=code, short_name=name), None))
        for department_code, department_name, short_name, offices in DEPARTMENTS:
            department = f"{code}-{department_code}"
            department_name = department_name.replace(" tỉnh", f" {level}")
            rows.append(
                (UnitData(name=department_name, kind=UnitKind.DEPARTMENT, code=department, short_name=short_name), code)
            )
            rows += [
                (UnitData(name=office, kind=UnitKind.OFFICE, code=f"{department}-P{index}"), department)
                for index, office in enumerate(offices[:4], 1)
            ]
        rows += [
            (UnitData(name=template.format(level=level), kind=kind, code=f"{code}-{suffix}"), code)
            for suffix, template, kind in OTHER_ORGANISATIONS
        ]
        communes = (
            [(f"Đặc khu {zone}", CommuneSubtype.SPECIAL_ZONE) for zone in zones]
            + [(n, CommuneSubtype.WARD) for n in _generated_names("Phường", counts[CommuneSubtype.WARD], number)]
            + [(n, CommuneSubtype.COMMUNE) for n in _generated_names("Xã", counts[CommuneSubtype.COMMUNE], number * 7)]
        )
        rows += [
            (
                UnitData(
                    name=commune_name,
                    kind=UnitKind.COMMUNE,
                    subtype=subtype,
                    code=f"{code}-C{index:04d}",
                    valid_from=REFORM_DAY,
                ),
                code,
            )
            for index, (commune_name, subtype) in enumerate(communes, 1)
        ]
    return rows


def load_national() -> NationalResult:
    """Build the national tree; units already present (by code) are left as they are."""
    rows = national_rows()
    codes = [data.code for data, _parent in rows]
    existing: set[str] = set()
    for start in range(0, len(codes), 500):
        existing.update(Unit.objects.filter(code__in=codes[start : start + 500]).values_list("code", flat=True))
    missing = [(data, parent) for data, parent in rows if data.code not in existing]
    if missing:
        units_bulk_insert(actor=None, rows=missing, reason="Dữ liệu minh họa quy mô toàn quốc")
    return NationalResult(created=len(missing), total=len(rows))
