"""Abbreviations of unit names in directives, expanded before matching against the unit registry.

Keys and values are folded (lower case, no diacritics, ``đ`` → ``d``), as
:func:`cchc.lib.text.fold` makes them, so "HĐND", "HDND" and an OCR "Hdnd"
all find "hoi dong nhan dan". Compound keys are written with the hyphen that
directives use ("vh-tt"); the matcher also looks them up with ``&`` or
without a separator ("vh&tt", "vhtt"). Single parts of a compound that is
not listed are expanded one by one ("tc-kh" → "tai chinh ke hoach").

| written | meaning |
|---|---|
| UBND, UB | Ủy ban nhân dân |
| HĐND | Hội đồng nhân dân |
| MTTQ, UBMTTQ | (Ủy ban) Mặt trận Tổ quốc |
| CCHC | cải cách hành chính |
| VP | Văn phòng |
| VH-TT, VHTT | Văn hóa - Thông tin |
| VH-TT&DL, VHTTDL | Văn hóa, Thể thao và Du lịch |
| VH-TT-TT, VH-TT&TT | Văn hóa, Thể thao và Truyền thông |
| TC-KH | Tài chính - Kế hoạch |
| KT-HT | Kinh tế - Hạ tầng |
| TN-MT, TN&MT | Tài nguyên và Môi trường |
| LĐ-TB&XH | Lao động - Thương binh và Xã hội |
| NN-PTNT, NN&PTNT | Nông nghiệp và Phát triển nông thôn |
| GD-ĐT, GD&ĐT | Giáo dục và Đào tạo |
| KH-CN, KH&CN | Khoa học và Công nghệ |
| TT-TT, TT&TT | Thông tin và Truyền thông |
| KH-ĐT, KH&ĐT | Kế hoạch và Đầu tư |
| HC-TC | Hành chính - Tổ chức |
| TT-TH, TTTH | Truyền thanh - Truyền hình |
| PT-TH, PTTH | Phát thanh - Truyền hình |
| CCB | Cựu chiến binh |
| TTPVHCC | Trung tâm Phục vụ hành chính công |
| BCHQS | Ban Chỉ huy quân sự |
| KBNN | Kho bạc Nhà nước |
| BHXH | Bảo hiểm xã hội |
| TTDT | Thông tin điện tử |
| TTHC | thủ tục hành chính |
| TP | thành phố |
| SNV, PNV | Sở Nội vụ, Phòng Nội vụ |
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    "ubnd": "uy ban nhan dan",
    "ub": "uy ban",
    "hdnd": "hoi dong nhan dan",
    "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc",
    "cchc": "cai cach hanh chinh",
    "vp": "van phong",
    "vh-tt": "van hoa thong tin",
    "vh-tt-dl": "van hoa the thao du lich",
    "vhtt-dl": "van hoa the thao du lich",
    "vhttdl": "van hoa the thao du lich",
    "vh-tt-tt": "van hoa the thao truyen thong",
    "tc-kh": "tai chinh ke hoach",
    "kt-ht": "kinh te ha tang",
    "tn-mt": "tai nguyen moi truong",
    "ld-tb-xh": "lao dong thuong binh xa hoi",
    "ldtb-xh": "lao dong thuong binh xa hoi",
    "ldtbxh": "lao dong thuong binh xa hoi",
    "nn-ptnt": "nong nghiep phat trien nong thon",
    "gd-dt": "giao duc dao tao",
    "kh-cn": "khoa hoc cong nghe",
    "tt-tt": "thong tin truyen thong",
    "kh-dt": "ke hoach dau tu",
    "hc-tc": "hanh chinh to chuc",
    "tt-th": "truyen thanh truyen hinh",
    "pt-th": "phat thanh truyen hinh",
    "ccb": "cuu chien binh",
    "ttpvhcc": "trung tam phuc vu hanh chinh cong",
    "bchqs": "ban chi huy quan su",
    "kbnn": "kho bac nha nuoc",
    "bhxh": "bao hiem xa hoi",
    "ttdt": "thong tin dien tu",
    "tthc": "thu tuc hanh chinh",
    "tp": "thanh pho",
    "snv": "so noi vu",
    "pnv": "phong noi vu",
    # Parts that only occur inside compounds.
    "vh": "van hoa",
    "tc": "tai chinh",
    "kh": "ke hoach",
    "kt": "kinh te",
    "ht": "ha tang",
    "tn": "tai nguyen",
    "mt": "moi truong",
    "ld": "lao dong",
    "tb": "thuong binh",
    "xh": "xa hoi",
    "nn": "nong nghiep",
    "ptnt": "phat trien nong thon",
    "gd": "giao duc",
    "dt": "dao tao",
    "dl": "du lich",
}

# Compounds written without a separator, looked up after the separated forms.
_JOINED = {key.replace("-", ""): value for key, value in ABBREVIATIONS.items() if "-" in key}


def expand(token: str) -> str:
    """The folded expansion of one folded token ("vh&tt" → "van hoa thong tin"); unknown tokens unchanged."""
    key = token.replace("&", "-")
    if key in ABBREVIATIONS:
        return ABBREVIATIONS[key]
    if "-" in key:
        if key.replace("-", "") in _JOINED:
            return _JOINED[key.replace("-", "")]
        parts = [part for part in key.split("-") if part]
        if parts and all(part in ABBREVIATIONS or len(part) > 3 for part in parts):
            return " ".join(ABBREVIATIONS.get(part, part) for part in parts)
        return " ".join(parts)
    return _JOINED.get(key, token)
