"""Reading the name of a unit that is not in the registry out of a sentence.

A directive from another province, or naming a body the registry lacks,
still names its units in the shape every Vietnamese administrative name
has: a head noun ("Sở", "Phòng", "Trung tâm", "UBND", "Công an" …) followed
by the field it covers ("Khoa học và Công nghệ", "Tài chính - Kế hoạch",
"Phục vụ hành chính công"), optionally a level ("tỉnh", "huyện", "xã") and
a place name ("tỉnh Lai Châu", "phường Tân Phong"). The name ends where the
sentence goes on with a verb or a preposition ("Sở Y tế **có trách nhiệm** …").

Two signals say a word still belongs to the name: the words of the field
are capitalised ("Khoa học và Công nghệ": each part starts with a capital),
and the fields of the state apparatus are a small vocabulary (below), which
also serves texts whose case was lost (OCR, all lower case). A word that is
neither ends the name. Commas and "và" join parts of one name ("Sở Văn hóa,
Thể thao và Du lịch" is one unit) unless a new head noun follows them
("Sở Nội vụ, Sở Tư pháp" are two).

The vocabulary names the fields of Vietnamese state bodies as they appear
in the names of ministries, departments, district offices and mass
organisations (Nghị định 150/2025/NĐ-CP and 24/2014/NĐ-CP on the
specialised agencies of provinces, Nghị định 37/2014/NĐ-CP on those of
districts); it is written folded (no case, no diacritics).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from .rules import fire
from .text_view import TextView
from .vocabulary import phrases, words

# Head nouns that open a unit name. Ambiguous ones (folded "so" is also "số", "ban" also "ban hành") must be
# capitalised in the text unless the text has no capitals at all.
_HEADS = [
    "uy ban nhan dan",
    "hoi dong nhan dan",
    "uy ban mat tran to quoc viet nam",
    "uy ban mat tran to quoc",
    "mat tran to quoc",
    "uy ban mttq viet nam",
    "uy ban mttq",
    "ubmttq",
    "mttq",
    "ubnd",
    "hdnd",
    "ub",
    "van phong",
    "trung tam",
    "so",
    "phong",
    "phdng",  # "Phòng" as OCR often reads it
    "ban quan ly",
    "ban chi huy",
    "bo chi huy",
    "ban chi dao",
    "ban",
    "chi cuc",
    "cuc",
    "tong cuc",
    "bo",
    "cong an",
    "kho bac nha nuoc",
    "kho bac",
    "bao hiem xa hoi",
    "dai",
    "bao",
    "buu dien",
    "vien kiem sat nhan dan",
    "toa an nhan dan",
    "thanh tra",
    "lien doan lao dong",
    "lien doan",
    "hoi lien hiep phu nu",
    "hoi nong dan",
    "hoi cuu chien binh",
    "hoi",
    "doan thanh nien",
    "tinh doan",
    "huyen doan",
    "thanh doan",
    "dang uy",
    "tinh uy",
    "huyen uy",
    "thanh uy",
    "truong",
    "benh vien",
    "vien",
    "chi nhanh",
    "cong ty",
    "tong cong ty",
    "ngan hang",
    "dien luc",
    "vien thong",
    "quy",
    "doi",
    "to",
    "bo phan",
    "hoi dong",
    "cong thong tin dien tu",
    "trang thong tin dien tu",
    "trang thong tin",
    "trang tin",
    "co quan",
    "doan kiem tra",
    "doan cong tac",
    "doan giam sat",
    "to kiem tra",
    "to cong tac",
    "to giup viec",
    "viettel",
    "vnpt",
    "mobifone",
    # "Tập đoàn", "Ủy ban", "Liên minh" … (data/name_heads.txt), read only when capitalised.
    *phrases("name_heads"),
]
# Heads that are also common words; they open a name only when written with a capital.
_AMBIGUOUS_HEADS = {
    "so",
    "ban",
    "bo",
    "bao",
    "dai",
    "quy",
    "doi",
    "to",
    "hoi",
    "vien",
    "truong",
    "cuc",
    "phong",
    "phdng",
    "co quan",
    "hoi dong",
    "bo phan",
    "lien doan",
    "thanh tra",
    *phrases("name_heads"),
}
# Heads that belong inside another name ("Văn phòng HĐND và UBND huyện", "Ban Thường trực Ủy ban MTTQ").
_INNER_HEADS = sorted(
    (
        tuple(name.split())
        for name in (
            "ubnd",
            "hdnd",
            "uy ban nhan dan",
            "hoi dong nhan dan",
            "ub",
            "mttq",
            "ubmttq",
            "uy ban mttq",
            # "Văn phòng Ban Chỉ đạo phòng thủ dân sự quốc gia", "Văn phòng Thường trực Ban Chỉ đạo 389".
            "ban chi dao",
            "ban chi huy",
            # "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Văn phòng Thành ủy".
            "tinh uy",
            "thanh uy",
            "huyen uy",
            "dang uy",
            # "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam", "Ban Thường trực Mặt trận Tổ quốc tỉnh".
            "mat tran to quoc viet nam",
            "mat tran to quoc",
        )
    ),
    key=len,
    reverse=True,
)
_INNER_OWNERS = {"van phong", "ban", "thuong truc", "uy ban"}

_LEVELS = ["thanh pho", "thi xa", "thi tran", "dac khu", "tinh", "huyen", "xa", "phuong", "quan"]

# Folded phrases of the fields named in unit names.
_FIELDS = """
noi vu | tu phap | tai chinh | ke hoach | dau tu | cong thuong | xay dung | giao thong | van tai | nong nghiep
phat trien nong thon | phat trien | nong thon | moi truong | tai nguyen | khoa hoc | cong nghe | thong tin
truyen thong | giao duc | dao tao | y te | lao dong | thuong binh | xa hoi | van hoa | the thao | du lich
ngoai vu | dan toc | ton giao | kinh te | ha tang | do thi | quan ly | hanh chinh | to chuc | tong hop
cai cach | kiem soat | thu tuc | phuc vu | cong | dich vu | mot cua | tiep nhan | tra ket qua | truyen hinh
phat thanh | truyen thanh | thong ke | thue | nha nuoc | bao hiem | quan su | chi huy | bien phong | mat tran
to quoc | viet nam | nhan dan | hoi dong | uy ban | thuong truc | nong dan | phu nu | lien hiep
cuu chien binh | thanh nien | cong san | ho chi minh | chu thap do | dang ky | dat dai | quy hoach | kiem tra
thanh tra | giam sat | tiep cong dan | thi dua | khen thuong | van thu | luu tru | chuyen doi so | so
du lieu | tin hoc | buu chinh | vien thong | buu dien | dien luc | cap nuoc | khu kinh te | khu cong nghiep
cua khau | ban | du an | quy dat | ho tro | doanh nghiep | xuc tien | thuong mai | hop tac | kiem lam
thuy san | thuy loi | thu y | bao ve thuc vat | trong trot | chan nuoi | khuyen nong | hoc tap cong dong
thuong xuyen | nghe nghiep | du phong | benh tat | dan so | gia dinh | chinh tri | boi duong | tuyen giao
dan van | kiem sat | toa an | dien tu | khu vuc | an ninh | trat tu | phong chay | chua chay | cuu nan
cuu ho | canh sat | hanh chinh cong | phap che | nhan su | ky thuat | nghiep vu | quan tri | chi dao | truong
benh vien | da khoa | trung tam | van phong | tiep dan | cong chuc | vien chuc | viec lam | bien che
chinh quyen | lich su | phi chinh phu | cong tac | khoa giao | van xa | noi chinh | tai vu | cong bao | nganh
hoa giai | cong chung | tro giup phap ly | phap ly | ho tich | dia chinh | moi | hanh chinh nha nuoc
kinh te ha tang | van hoa xa hoi | tai chinh ke hoach | hdnd | ubnd | mttq | dang | doan | khoi | co quan
phong chong | tham nhung | tieu cuc | dan chu | co so | ve sinh | an toan | thuc pham | nuoc sach | rung
duong bo | duong thuy | cang | hang khong | ha tang ky thuat | nha o | bat dong san | cong so | tai san
bo doi | hai quan | xuc tien dau tu | phong thu | dan su | quoc gia | co phan | cong trinh | tieu chuan
do luong | chat luong | dau khi | luong thuc | du tru | tham dinh | hop tac xa | chu tich nuoc
""".replace("\n", " | ")
_FIELD_PHRASES = sorted(
    {tuple(phrase.split()) for phrase in _FIELDS.split("|") if phrase.strip()}, key=len, reverse=True
)
# Fields that are also verbs ("Phòng Nội vụ tổng hợp …"): inside a cased text they belong to a name only when
# capitalised ("Phòng Tổng hợp").
_VERB_FIELDS = {
    tuple(phrase.split())
    for phrase in (
        "tong hop",
        "kiem tra",
        "giam sat",
        "quan ly",
        "phat trien",
        "ho tro",
        "dang ky",
        "thanh tra",
        "tiep nhan",
        "chi dao",
        "xuc tien",
        "hop tac",
        "phuc vu",
        "bao ve thuc vat",
        "kiem soat",
        "cai cach",
        "phong chong",
        "hoa giai",
        "boi duong",
        "thi dua",
        "dao tao",
        "tuyen giao",
        "thong tin",
        "to chuc",
        "dau tu",
        "xay dung",
        "ke hoach",
        "tham dinh",
    )
}
_FUZZY_FIELDS = [phrase for phrase in _FIELD_PHRASES if len(phrase) == 2]
# Common words after a name that are close to a field ("khẩn trương" ~ "khen thưởng"): never a field.
_NEVER_FIELDS = {
    "khan truong",
    "chu dong",
    "tap trung",
    "thuong xuyen",
    "tiep tuc",
    "theo doi",
    "tham muu",
    "phoi hop",
    "chu tri",
    "huong dan",
    "trien khai",
    "thuc hien",
    "ra soat",
    "bao cao",
    "hoan thanh",
    "de xuat",
    "don doc",
    "cap nhat",
    "co trach",
    "chiu trach",
}
FUZZY_FIELD_RATIO = 0.8
_FIELD_STARTS: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _FIELD_PHRASES:
    _FIELD_STARTS.setdefault(_phrase[0], []).append(_phrase)
_HEAD_PHRASES = sorted((tuple(head.split()) for head in _HEADS), key=len, reverse=True)
_HEAD_SET = frozenset(_HEAD_PHRASES)
# The head nouns of unit names, as word tuples (for readers outside this module).
HEAD_PHRASES = tuple(_HEAD_PHRASES)
_LEVEL_PHRASES = sorted((tuple(level.split()) for level in _LEVELS), key=len, reverse=True)
# Abbreviations that stand for a whole field ("Phòng TC-KH", "Sở KH&CN", "Văn phòng HĐND-UBND").
_ABBREVIATION_RE = re.compile(r"^[a-z]{1,6}(?:[-&][a-z]{1,6})+$|^[a-z]{2,7}$")
_MAX_WORDS = 18


def _words(view: TextView, index: int, count: int) -> tuple[str, ...]:
    return tuple(view.folded[start:end] for start, end in view.tokens[index : index + count])


def _phrase_at(view: TextView, index: int, phrases: list[tuple[str, ...]]) -> int:
    """Length (in tokens) of the longest phrase of ``phrases`` at token ``index``, or 0."""
    for phrase in phrases:
        if _words(view, index, len(phrase)) == phrase and _joined(view, index, len(phrase)):
            return len(phrase)
    return 0


def _joined(view: TextView, index: int, count: int) -> bool:
    """Are tokens ``index`` … ``index + count - 1`` written with only spaces between them? (Not when the text ends
    before the last of them.)"""
    if index + count > len(view.tokens):
        return False
    for position in range(index + 1, index + count):
        if view.folded[view.tokens[position - 1][1] : view.tokens[position][0]].strip():
            return False
    return True


def _capitalised(view: TextView, index: int) -> bool:
    start, _end = view.tokens[index]
    return view.text[start].isupper()


# How the one-syllable heads are spelt: a syllable folded alike but with other marks is another word ("Đổi mới" is not
# "Đội", "Sớm" not "Sở"). A syllable written without any mark (a scan that lost them) still counts.
_HEAD_SPELLINGS = {
    "so": {"sở"},
    "bo": {"bộ"},
    "doi": {"đội"},
    "to": {"tổ"},
    "hoi": {"hội"},
    "vien": {"viện"},
    "cuc": {"cục"},
    "quy": {"quỹ"},
    "dai": {"đài"},
    "bao": {"báo"},
    "truong": {"trường"},
    "phong": {"phòng"},
    "thue": {"thuế"},
}


def _spelt_as_head(view: TextView, index: int, phrase: str) -> bool:
    spellings = _HEAD_SPELLINGS.get(phrase)
    if spellings is None:
        return True
    start, end = view.tokens[index]
    written = unicodedata.normalize("NFC", view.text[start:end]).lower()
    return written.isascii() or written in spellings


def _head_at(view: TextView, index: int, *, cased: bool) -> int:
    length = _phrase_at(view, index, _HEAD_PHRASES)
    if not length:
        return 0
    phrase = " ".join(_words(view, index, length))
    if not _spelt_as_head(view, index, phrase):
        return 0
    if phrase in _AMBIGUOUS_HEADS and cased and not _capitalised(view, index):
        # "giao phòng Hành chính - Tổ chức": a lower-case head still opens a name whose field is capitalised.
        after = index + length
        if after >= len(view.tokens) or not _joined(view, after - 1, 2) or not _capitalised(view, after):
            return 0
    return length


def _field_at(view: TextView, index: int, *, cased: bool = False) -> int:
    """Tokens of the field phrase at ``index`` (0 if none); OCR-damaged two-word fields are matched loosely."""
    phrases = _FIELD_STARTS.get(view.folded[view.tokens[index][0] : view.tokens[index][1]])
    length = _phrase_at(view, index, phrases) if phrases else 0
    if length:
        if cased and _words(view, index, length) in _VERB_FIELDS and not _capitalised(view, index):
            return 0
        return length
    pair = _words(view, index, 2)
    if len(pair) == 2 and _joined(view, index, 2):
        text = " ".join(pair)
        if text in _NEVER_FIELDS:
            return 0
        for phrase in _FUZZY_FIELDS:
            if cased and phrase in _VERB_FIELDS and not _capitalised(view, index):
                continue
            # One word intact, the other damaged letter for letter ("Nai vu" for "Nội vụ", "dién tw" for "điện tử").
            if phrase[0] != pair[0] and phrase[1] != pair[1]:
                continue
            if phrase[0][0] != pair[0][0] or any(len(a) != len(b) for a, b in zip(phrase, pair, strict=True)):
                continue
            if SequenceMatcher(None, text, " ".join(phrase)).ratio() >= FUZZY_FIELD_RATIO:
                return 2
    return 0


def _name_word_at(view: TextView, index: int, *, cased: bool) -> int:
    """Tokens at ``index`` that belong to the body of a name: a field phrase, a capitalised word, an abbreviation.

    In a cased text only the first syllable of each word of a name is capitalised ("Bộ Quốc phòng", "Tổng công ty
    Đường sắt Việt Nam"): a capitalised syllable takes the lower-case one after it, unless that one opens a word that
    never continues a name (``data/name_stops.txt``: "Bộ Công Thương chỉ đạo").
    """
    length = _field_at(view, index, cased=cased)
    start, end = view.tokens[index]
    word = view.text[start:end]
    if cased and word[:1].isupper() and length <= 1:
        if _lower_syllable_after(view, index):
            fire("name.capitalised_compound")
            return 2
        return 1
    if length:
        return length
    if cased and word.isupper() and len(word) > 1 and _ABBREVIATION_RE.match(view.folded[start:end]):
        return 1
    return 0


def _lower_syllable_after(view: TextView, index: int) -> bool:
    """Does the lower-case syllable after the capitalised token ``index`` belong to the same word of a name?"""
    following = index + 1
    if following >= len(view.tokens) or not _joined(view, index, 2):
        return False
    start, end = view.tokens[following]
    if not view.text[start:end].islower() or not view.text[start:end].isalpha():
        return False
    stops = words("name_stops")
    single = view.folded[start:end]
    pair = " ".join(_words(view, following, 2))
    if single in stops or pair in stops or _phrase_at(view, following, _LEVEL_PHRASES):
        return False
    return not _head_at(view, following, cased=True)


def _plural_levels(view: TextView, index: int) -> int:
    """Tokens of "các huyện, thị xã, thành phố" at ``index`` (0 if none)."""
    if view.folded[view.tokens[index][0] : view.tokens[index][1]] != "cac":
        return 0
    taken = 1
    while index + taken < len(view.tokens):
        level = _phrase_at(view, index + taken, _LEVEL_PHRASES)
        if not level:
            break
        taken += level
        following = index + taken
        if following >= len(view.tokens):
            break
        gap = view.folded[view.tokens[following - 1][1] : view.tokens[following][0]].strip()
        word = view.folded[view.tokens[following][0] : view.tokens[following][1]]
        if gap == "," and _phrase_at(view, following, _LEVEL_PHRASES):
            continue
        if not gap and word == "va" and _phrase_at(view, following + 1, _LEVEL_PHRASES):
            taken += 1
            continue
        break
    return taken if taken > 1 else 0


def _levels_named(view: TextView, index: int) -> int:
    """Tokens of "cấp tỉnh", "cấp tỉnh, cấp xã" at ``index`` (0 if none)."""
    taken = 0
    while index + taken + 1 < len(view.tokens):
        position = index + taken
        if taken:
            gap = view.folded[view.tokens[position - 1][1] : view.tokens[position][0]].strip()
            if gap != "," and not (gap == "" and _words(view, position, 1) == ("va",)):
                break
            if gap == "":
                position += 1
        if _words(view, position, 1) != ("cap",) or not _joined(view, position, 2):
            break
        level = _phrase_at(view, position + 1, _LEVEL_PHRASES)
        if not level:
            break
        taken = position + 1 + level - index
    return taken


def _inner_at(view: TextView, index: int, head_words: str) -> int:
    return _phrase_at(view, index, _INNER_HEADS) if head_words in _INNER_OWNERS else 0


def _place_name(view: TextView, index: int, *, cased: bool) -> int:
    """A place name after a level word: capitalised words ("Lai Châu", "Tân Phong"), or a number ("phường 3")."""
    taken = 0
    while index + taken < len(view.tokens) and taken < 4:
        position = index + taken
        if not _joined(view, position - 1, 2):
            break
        word = view.folded[view.tokens[position][0] : view.tokens[position][1]]
        if not (cased and _capitalised(view, position)) and not (taken == 0 and word.isdigit()):
            break
        taken += 1
    return taken


_NUMBERED_HEADS = {"ban chi dao"}


def _steering_number(view: TextView, index: int, before: tuple[str, ...]) -> int:
    """1 when token ``index`` is the number of a steering committee just named ("Ban Chỉ đạo 389"), else 0."""
    if before != ("chi", "dao") or index >= len(view.tokens) or not _joined(view, index - 1, 2):
        return 0
    return 1 if view.folded[view.tokens[index][0] : view.tokens[index][1]].isdigit() else 0


def _owning_body(view: TextView, index: int) -> int:
    """Tokens of a capitalised owning body (``data/owning_bodies.txt``: "Quốc hội") at ``index``, or 0."""
    if index >= len(view.tokens) or not _capitalised(view, index) or not _joined(view, index - 1, 2):
        return 0
    for phrase in phrases("owning_bodies"):
        length = len(phrase.split())
        if " ".join(_words(view, index, length)) == phrase and _joined(view, index, length):
            return length
    return 0


# "các đồng chí" before a title: the honorific of a member of the Party or the Government.
_COMRADE = (("cac", "dong", "chi"), ("dong", "chi"), ("cac",))


def leader_span(view: TextView, position: int) -> tuple[int, int] | None:
    """Start and end of a member of the Government named as the lead at ``position``
    (``data/government_leaders.txt``), with the person's name when it follows ("Phó Thủ tướng Chính phủ Trần Hồng
    Hà"); None if none. An honorific before the title ("các đồng chí Phó Thủ tướng") is not part of the lead. The
    title must be capitalised, the name is two to four capitalised words."""
    first = view.token_at(position)
    if first is None or view.tokens[first][0] != position:
        return None
    index = first
    title_start = position
    for honorific in _COMRADE:
        if _words(view, index, len(honorific)) == honorific and _joined(view, index, len(honorific) + 1):
            index += len(honorific)
            break
    if index >= len(view.tokens) or not _capitalised(view, index):
        return None
    if index > first and _words(view, index - 2, 2) == ("dong", "chi"):
        title_start = view.tokens[index][0]  # "các Phó Thủ tướng" keeps its "các", "đồng chí" is dropped
    for title in phrases("government_leaders"):
        length = len(title.split())
        if " ".join(_words(view, index, length)) == title and _joined(view, index, length):
            break
    else:
        return None
    index += length
    name = 0
    while index + name < len(view.tokens) and name < 4:
        position = index + name
        word = view.text[view.tokens[position][0] : view.tokens[position][1]]
        if not _joined(view, position - 1, 2) or not word[:1].isupper() or not word.isalpha():
            break
        if _phrase_at(view, position, _LEVEL_PHRASES) or _head_at(view, position, cased=True):
            break
        name += 1
    if name == 1:
        name = 0  # one capitalised word is no person's name ("Phó Thủ tướng Thường trực" is read by the titles)
    fire("name.government_leader")
    return title_start, view.tokens[index + name - 1][1]


# Heads followed only by a level and a place, or by a place ("Thuế tỉnh Đắk Lắk", "Thuế Đồng Nai"): with a field they
# name a tax ("Thuế tài nguyên", "Thuế GTGT"), not an office.
_PLACE_ONLY_HEADS = {"thue"}


def _place_only_end(view: TextView, index: int, *, cased: bool) -> int | None:
    """End of a name of :data:`_PLACE_ONLY_HEADS` whose head ends before token ``index``; None if no place follows."""
    if index >= len(view.tokens) or not _joined(view, index - 1, 2):
        return None
    level = _phrase_at(view, index, _LEVEL_PHRASES)
    if level:
        index += level
        index += _place_name(view, index, cased=cased)
        fire("name.place_only_head")
        return view.tokens[index - 1][1]
    # A place of two words or more, each capitalised and none an abbreviation ("Đồng Nai", not "Thu nhập", "GTGT").
    taken = 0
    while index + taken < len(view.tokens) and taken < 4 and _joined(view, index + taken - 1, 2):
        start, end = view.tokens[index + taken]
        word = view.text[start:end]
        if not cased or not word[:1].isupper() or (len(word) > 1 and word.isupper()):
            break
        taken += 1
    if taken < 2:
        return None
    fire("name.place_only_head")
    return view.tokens[index + taken - 1][1]


def is_bare_head(key: str) -> bool:
    """Is a folded name only a head noun ("van phong", "uy ban nhan dan"), a name that says no field or place?"""
    return tuple(key.split()) in _HEAD_SET


def unknown_name_end(view: TextView, position: int) -> int | None:
    """End of the unit name starting at ``position``, read by the shape of names (module docstring); None if none."""
    first = view.token_at(position)
    if first is None or view.tokens[first][0] != position:
        return None
    cased = any(char.isupper() for char in view.text) and any(char.islower() for char in view.text)
    head = _head_at(view, first, cased=cased)
    if not head:
        return None
    head_words = " ".join(_words(view, first, head))
    index = first + head
    if head_words in _PLACE_ONLY_HEADS:
        return _place_only_end(view, index, cased=cased)
    body = 0
    count = len(view.tokens)
    while index < count and index - first < _MAX_WORDS:
        gap = view.folded[view.tokens[index - 1][1] : view.tokens[index][0]]
        stripped = gap.strip()
        word = view.folded[view.tokens[index][0] : view.tokens[index][1]]
        if stripped and stripped not in ("-", "–", "—", ",", "&"):
            break
        if word == "va" and not stripped:
            # "và" joins two parts of one name when a part follows, not a new unit.
            inner_next = index + 1 < count and _inner_at(view, index + 1, head_words)
            if inner_next and _joined(view, index, 2):
                index += 1 + inner_next
                body += inner_next
                continue
            following = index + 1 < count and _head_at(view, index + 1, cased=cased)
            if (
                index + 1 < count
                and following < _field_at(view, index + 1, cased=cased) + (0 if following else 1)
                and (body or head_words == "bao")
            ):
                # "Báo và Phát thanh, Truyền hình Quảng Ngãi" joins its parts right after the head.
                step = _name_word_at(view, index + 1, cased=cased)
                if step and _joined(view, index, 2):
                    index += 1 + step
                    body += step
                    continue
            break
        if stripped == ",":
            if not body or _head_at(view, index, cased=cased):
                break
            # "Sở Văn hóa, Thể thao và Du lịch", "Phòng Công chức, viên chức": a field goes on after a comma.
            step = _field_at(view, index, cased=cased)
            if not step:
                break
            index += step
            body += step
            continue
        inner = _inner_at(view, index, head_words)
        if not inner and body and _words(view, index - 2, 2) == ("thuong", "truc") and _joined(view, index - 1, 2):
            # "Bộ Tài chính - Cơ quan Thường trực Ban Chỉ đạo 751": the standing body of a committee names it.
            inner = _phrase_at(view, index, _INNER_HEADS)
            if inner:
                fire("name.standing_body_of_committee")
        if inner:
            index += inner
            body += inner
            index += _steering_number(view, index, _words(view, index - 2, 2))
            continue
        if not body and head_words in _NUMBERED_HEADS:
            # "Ban Chỉ đạo 389 quốc gia": a steering committee named by its number.
            taken = _steering_number(view, index, ("chi", "dao"))
            if taken:
                index += taken
                body += taken
                continue
        levels = _levels_named(view, index) if body else 0
        if levels:
            # "Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã": the same body at each level named.
            index += levels
            body += levels
            break
        plural = _plural_levels(view, index) if body or head_words in _LEVEL_OWNERS else 0
        if plural:
            # "Phòng Nội vụ các huyện, thị xã, thành phố": the same office in every district.
            index += plural
            body += plural
            break
        level = _phrase_at(view, index, _LEVEL_PHRASES)
        if level == 1 and cased and _capitalised(view, index) and _lower_syllable_after(view, index):
            # "Tập đoàn Công nghiệp - Viễn thông Quân đội": a capitalised syllable of a word ("Quân đội") is no level.
            fire("name.level_syllable_in_word")
            level = 0
        if level and level >= _field_at(view, index, cased=cased) and (body or head > 1 or head_words in _LEVEL_OWNERS):
            index += level
            index += _place_name(view, index, cased=cased)
            body += level
            break
        if body and word.isdigit() and not stripped and _words(view, index - 2, 2) == ("khu", "vuc"):
            # "Ngân hàng Nhà nước chi nhánh khu vực 14": a region named by its number ends the name.
            fire("name.numbered_region")
            index += 1
            break
        if body and stripped in ("-", "–", "") and _words(view, index, 2) == ("chi", "nhanh"):
            # "Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II": the branch is part of the name.
            index += 2
            body += 2
            continue
        if body and _head_at(view, index, cased=cased) > _field_at(view, index, cased=cased):
            break
        if body and word == "cua" and not stripped:
            # "Ủy ban Kinh tế và Tài chính của Quốc hội": the body that owns it ends the name.
            owner = _owning_body(view, index + 1)
            if owner:
                fire("name.owning_body")
                index += 1 + owner
                break
        step = _name_word_at(view, index, cased=cased)
        if not step and not body and cased and head > 1 and _capitalised(view, first):
            # "Hội đồng thẩm định Nhà nước", "Cơ quan thanh tra": only the first word of a name is capitalised, and
            # the field right after a head of two words may be one that is also a verb.
            step = _field_at(view, index)
            if step and _words(view, index, step) in _VERB_FIELDS:
                fire("name.lower_case_field_after_head")
            else:
                step = 0
        if not step:
            break
        index += step
        body += step
    if not body:
        return view.tokens[first + head - 1][1] if head_words in _STANDALONE_HEADS else None
    return view.tokens[index - 1][1]


# Heads that are a whole name on their own ("Kho bạc Nhà nước", "Công an").
_STANDALONE_HEADS = {
    "doan kiem tra",
    "doan cong tac",
    "doan giam sat",
    "to kiem tra",
    "to cong tac",
    "to giup viec",
    "viettel",
    "vnpt",
    "mobifone",
    "kho bac nha nuoc",
    "bao hiem xa hoi",
    "cong an",
    "buu dien",
    "tinh doan",
    "huyen doan",
    "thanh doan",
    "lien doan lao dong",
    "vien kiem sat nhan dan",
    "toa an nhan dan",
    "dien luc",
    "uy ban mat tran to quoc viet nam",
    "uy ban mttq viet nam",
    "hoi nong dan",
    "hoi cuu chien binh",
    "hoi lien hiep phu nu",
    "doan thanh nien",
    "trang thong tin dien tu",
    "cong thong tin dien tu",
}
# Heads whose name may be a level and a place alone ("UBND xã Tân Phong", "Công an tỉnh").
_LEVEL_OWNERS = {
    "uy ban nhan dan",
    "ubnd",
    "ub",
    "hoi dong nhan dan",
    "hdnd",
    "cong an",
    "van phong",
    "thanh tra",
    "uy ban mat tran to quoc",
    "uy ban mttq",
    "ubmttq",
    "mttq",
    "uy ban mat tran to quoc viet nam",
    "uy ban mttq viet nam",
    "mat tran to quoc",
    "bao hiem xa hoi",
    "kho bac nha nuoc",
    "buu dien",
    "tinh doan",
    "huyen doan",
    "lien doan lao dong",
    "dang uy",
    # "Thuế tỉnh Đắk Lắk", "Thuế cơ sở 1": the tax office of a province (since July 2025).
    "thue",
}
