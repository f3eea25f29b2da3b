"""Turning the text of a directive into its metadata and proposed tasks.

The body is parsed into a tree of sections (:mod:`.sections`). Every leaf
item of a section that assigns work becomes a proposed task; headings and
lead-in sentences ("… thực hiện tốt các nội dung sau:") pass their lead
unit, supporting units and deadline down to the items under them, and an
item's own statement wins over what it inherits. Sections that only explain
(purpose, requirements, assessment of results, funding) propose nothing.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from cchc.lib.dates import Deadline, Recurrence, fold_aligned, parse_deadline
from cchc.lib.periods import Period, PeriodKind

from . import learned as learned_labeller  # the optional learned second opinion, see extract_lines
from .cell_tables import DITTO, column_kind
from .cleaning import clean_lines
from .cross_references import resolve_cross_references
from .deadlines import deadline_view, periodic_rhythm, short_rhythm
from .headers import Header, parse_header
from .names import HEAD_PHRASES
from .registry_unit import RegistryUnit, UnitSource
from .rules import fire
from .sections import POLITE_REQUEST_RE as _POLITE_REQUEST_RE
from .sections import Node, Paragraph, build_tree, paragraphs
from .text_view import TextView
from .units import (
    Registry,
    UnitRef,
    canonical,
    class_of_bodies_at,
    find_issuing_unit,
    parse_unit_list,
    registry_for,
)
from .vocabulary import alternation, labelled, phrases

KINDS = ("cong_van", "ke_hoach", "thong_bao_ket_luan", "chi_thi", "quyet_dinh", "other")


@dataclass
class ProposedTask:
    section: str
    lead_unit: str | None
    lead_unit_id: int | None = None
    lead_unit_ids: list[int] = field(default_factory=list)
    supporting_units: list[str] = field(default_factory=list)
    supporting_unit_ids: list[int] = field(default_factory=list)
    content: str = ""
    deadline: datetime.date | None = None
    deadline_text: str = ""
    recurrence: str = ""
    period_key: str = ""
    unknown_units: list[str] = field(default_factory=list)
    # The full chain of section markers ("II.2.a)"), the expected output ("Sản phẩm: …") when stated.
    section_path: str = ""
    output: str = ""
    # Why the deadline needs a second look (a year a scan may have misread), empty when it does not.
    deadline_doubt: str = ""
    # Per field ("lead_unit", "deadline"): the words of the document it was read from, the rule that read it and
    # how far to trust it (0–1; below :data:`LOW_CONFIDENCE` the review page should ask for attention).
    sources: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)


@dataclass
class Extraction:
    reference: str
    date: datetime.date | None
    issuer: str
    signer: str
    subject: str
    addressees: list[str]
    kind: str
    text: str
    tasks: list[ProposedTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    issuer_unit_id: int | None = None
    signer_title: str = ""
    recipients: list[str] = field(default_factory=list)


# How far a field read by each rule is trusted, from how often the rule was right on the development set of real
# directives; an inherited field is trusted a little less than one stated in the item itself.
LEAD_CONFIDENCE = {
    "lead.field": 0.95,
    "lead.table_cell": 0.95,
    "lead.assign_cue": 0.9,
    "lead.subject_at_start": 0.85,
    "lead.passive_do": 0.85,
    "lead.chu_tri_clause": 0.8,
    "lead.about_heading": 0.8,
    "lead.described_heading": 0.7,
    "lead.described_role": 0.7,
    "lead.group_with_qualifier": 0.65,
    "lead.group_in_area": 0.65,
    "lead.later_sentence_owner": 0.6,
    "lead.lead_in_clause": 0.6,
    "lead.subject_after_opening": 0.6,
    "lead.class_heading": 0.6,
    "lead.class_heading_after_cue": 0.6,
    "lead.named_heading": 0.6,
    "lead.generic_subject": 0.5,
    "lead.place_as_subject": 0.6,
    "lead.stated_subject_carried": 0.5,
    "lead.generic_heading": 0.5,
    "lead.single_addressee": 0.5,
    "lead.polite_addressee": 0.7,
    "lead.assign_cue_described_group": 0.7,
}
DEADLINE_CONFIDENCE = {
    "deadline.field": 0.95,
    "deadline.table_cell": 0.95,
    "deadline.own": 0.85,
    "deadline.closing_sentence": 0.75,
    "deadline.closing_request": 0.7,
    "deadline.annex_reference": 0.7,
}
INHERITED_FACTOR = 0.9
LOW_CONFIDENCE = 0.6


@dataclass(frozen=True)
class _Context:
    lead: tuple[UnitRef, ...] = ()
    lead_text: str = ""
    lead_rule: str = ""
    deadline_rule: str = ""
    support: tuple[UnitRef, ...] = ()
    deadline: Deadline = field(default_factory=Deadline)
    prefix: str = ""
    section: str = ""
    path: tuple[str, ...] = ()


_SKIP_HEADINGS = re.compile(
    r"^(?:ve\s+)?(?:muc\s+dich|yeu\s+cau|muc\s+tieu(?:\s+(?:chung|cu\s+the|tong\s+quat))?$|can\s+cu|ket\s+qua"
    r"|danh\s+gia|tinh\s+hinh|ton\s+tai|han\s+che|nguyen\s+nhan|kinh\s+phi|pham\s+vi|doi\s+tuong|quan\s+diem"
    r"|bai\s+hoc|thuc\s+trang|boi\s+canh|su\s+can\s+thiet|nhan\s+xet|uu\s+diem|phuong\s+phap(?:\s+kiem\s+tra)?$"
    r"|hinh\s+thuc(?:\s+(?:kiem\s+tra|thanh\s+tra|giam\s+sat))?$|thanh\s+phan"
    r"|noi\s+dung(?:\s+va\s+\S+)?(?:\s+\S+){0,2}\s+(?:kiem\s+tra|thanh\s+tra|giam\s+sat|khao\s+sat|danh\s+gia|tuyen\s+truyen)"
    r"|noi\s+dung(?:\s+va\s+\S+)?$|thoi\s+gian(?:\s+to\s+chuc)?$|dia\s+diem(?:\s+\S+){0,2}$)"
)
_KEEP_HEADINGS = re.compile(r"nhiem\s+vu|giai\s+phap|to\s+chuc\s+thuc\s+hien|phuong\s+huong|phan\s+cong|trach\s+nhiem")
_NOT_TASK = re.compile(
    r"chiu\s+trach\s+nhiem\s+thi\s+hanh|(?:nay|van\s+ban)\s+co\s+hieu\s+luc|co\s+hieu\s+luc\s+(?:thi\s+hanh|ke\s+tu|tu\s+ngay)|ban\s+hanh\s+kem\s+theo|phu\s+luc\s+kem\s+theo"
    r"|co\s+phu\s+luc|trong\s+qua\s+trinh\s+(?:to\s+chuc\s+)?thuc\s+hien,?\s+neu\s+co"
    r"|(?:thay\s+the|bai\s+bo)\s+(?:cac\s+)?quyet\s+dinh\s+so"
)
# Words pointing to an annex for the details of a request or the things it applies to: "(hướng dẫn chi tiết tại các
# Phụ lục kèm theo)", "… đối với các thủ tục hành chính nêu tại Phụ lục kèm theo".
_ANNEX_POINTER_RE = re.compile(
    r"\((?:(?!\)).)*?chi\s+tiet\s+(?:tai|theo)\s(?:(?!\)).)*\)|(?<![a-z])neu\s+tai\s+(?:cac\s+)?phu\s+luc\s+kem\s+theo"
)
_CONTACT_RE = re.compile(
    r"\s*(?:dau\s+moi|thong\s+tin|can\s+bo|cong\s+chuc)\s+lien\s+he|\s*(?:moi\s+)?(?:thong\s+tin\s+)?chi\s+tiet\s+(?:xin\s+)?lien\s+he"
)


@functools.cache
def _permission_re() -> re.Pattern[str]:
    return re.compile(rf"\s*(?:{alternation('permission_openers')})(?![a-z])")


_ASSESSMENT_RE = re.compile(
    r"\s*(?:co\s+ban\s+)?(?:thong\s+nhat|nhat\s+tri|dong\s+y)\s+(?:voi|cao|chu\s+truong|noi\s+dung)|\s*(?:ghi\s+nhan|danh\s+gia\s+cao"
    r"|bieu\s+duong|hoan\s+nghenh|tuyen\s+duong|khen\s+ngoi|tham\s+du|qua\s+(?:kiem\s+tra|theo\s+doi)\s+cho\s+thay"
    r"|nhin\s+chung|sau\s+(?:hon\s+)?\S+\s+(?:thang|nam)\s+(?:van\s+hanh|trien\s+khai|thuc\s+hien|hoat\s+dong))(?![a-z])"
)
_ASSIGN_RE = re.compile(
    r"(?<![a-z])(?P<cue>giao(?:\s+cho)?|[dp][a-z]\s+ngh[a-z]|y[a-z]u\s+c[a-z]u|[dp][a-z]i\s+v[a-z]i|ph[a-z]n\s+c[a-z]ng"
    r"(?:\s+cho)?)\s+"
)
_CLOSING_RE = re.compile(
    r"nghiem\s+tuc\s+(?:trien\s+khai,?\s+)?thuc\s+hien|\./\.\s*$|neu\s+co\s+kho\s+khan|de\s+(?:\S+\s+){1,12}biet"
)
# After "giao": a capitalised name of up to eight words, then "chủ trì" ("Thống kê tỉnh, thành phố chủ trì").
_UNKNOWN_NAME_BEFORE_CHU_TRI_RE = re.compile(r"(?P<name>[^\W\d_][\w-]*(?:,?\s+[\w-]+){0,7}?)\s+chủ\s+trì(?![\w])")
_NOT_ASSIGN_BEFORE = re.compile(
    r"(?:duoc|phuc\s+vu|da|se|viec|nhiem vu|cong viec|theo|ket qua|khong|chua|khong duoc)\s*$"
)
_LEAD_VERB_RE = re.compile(r"\s*[,]?\s*(?:la\s+)?(?:co\s+quan\s+|don\s+vi\s+)?ch[a-z]\s+tr[a-z](?![a-z])")
_SUPPORT_RE = re.compile(r"(?<![a-z])ph[a-z]{1,2}i\s+h[a-z]{1,2}p(?:\s+ch[a-z]t\s+ch[a-z])?(?:\s+v[a-z]i)?\s+")
# After a unit that opens an item: anything but a preposition ("Sở Khoa học và Công nghệ hoàn thiện …").
_NOT_VERB_AFTER_RE = re.compile(
    r"\s*(?:cua|ve|tai|trong|tren|duoi|cho|den|o|la|da|duoc|bi|nam|thang|ngay|so|theo|va|hoac|voi|nhu|ma|thi"
    r"|nay|do|gom|bao\s+gom|\(|\d)(?![a-z])"
)
# "… hướng dẫn / Bộ Y tế, Ban Quản lý dự án và các nhà thầu để thực hiện …": a purpose after a list, not its verb.
_PURPOSE_AFTER_RE = re.compile(r"\s*(?:nham|de(?!\s+(?:nghi|xuat|ra|cao|an)(?![a-z])))(?![a-z])")
_VERB_AFTER_RE = re.compile(
    r"\s*(?::|$|la\s+(?:co\s+quan\s+|don\s+vi\s+)?(?:thuong\s+truc|chu\s+tri|dau\s+moi|dau\s+moi)|co\s+trach\s+nhiem|chiu\s+trach\s+nhiem|chu\s+tri|phoi\s+hop|tham\s+muu|trien\s+khai|thuc\s+hien"
    r"|to\s+chuc|xay\s+dung|ra\s+soat|theo\s+doi|don\s+doc|kiem\s+tra|huong\s+dan|tiep\s+tuc|nghien\s+cuu|de\s+xuat"
    r"|bao\s+cao|tong\s+hop|chi\s+dao|cap\s+nhat|hoan\s+thanh|ban\s+hanh|tuyen\s+truyen|quan\s+triet|day\s+manh"
    r"|tang\s+cuong|nang\s+cao|chu\s+dong|khan\s+truong|tap\s+trung|duy\s+tri|giam\s+sat|truc\s+tiep|can\s|lanh\s+dao"
    r"|rà|dam\s+bao|quan\s+ly|phan\s+cong|sap\s+xep|cung\s+cap|thuong\s+xuyen|t[il]ep\s+tuc"
    r"|tu\s+(?:cham|danh\s+gia|kiem\s+tra|ra\s+soat)|gui|nop|bo\s+tri|cu\s|dang\s+ky|thong\s+bao|lap\s|niem\s+yet"
    r"|cong\s+khai|su\s+dung|ung\s+dung|ap\s+dung|nghiem\s+tuc|quan\s+tam|khac\s+phuc|chan\s+chinh|bao\s+dam"
    r"|khong\s|chuan\s+bi|bo\s+sung|hoan\s+thien|trinh\s|tham\s+gia|lua\s+chon|khao\s+sat|dieu\s+tra|ket\s+noi|dong\s+bo|van\s+hanh|tiep\s+nhan|giai\s+quyet|xu\s+ly|danh\s+gia|soan\s+thao|tham\s+dinh|ho\s+tro"
    r"|phai\s|phat\s+dong|huy\s+dong|lam\s+viec\s+voi|day\s+nhanh)"
)


# An opening phrase of time or condition before the subject: "Từ tháng 10/2025, UBND các xã …",
# "Trong Quý I/2026, Sở Nội vụ …", "Căn cứ kết quả kiểm tra, Phòng Nội vụ …".
_OPENING_RE = re.compile(
    rf"(?:\s*(?:{alternation('opening_words')})"
    r"(?![a-z])[^,;:.]{0,80},\s*){1,2}|\s*(?:rieng|doi\s+voi)\s+(?=\S)"
    # "Về kinh phí: Các địa phương phải …": the topic of a paragraph, then its subject.
    r"|\s*ve\s+[^,;:.]{1,40}:\s*(?=\S)"
)
_TOPIC_RE = re.compile(r"\s*ve\s+[^,;:.]{1,40}:\s*(?=\S)")
# Qualifiers of a described group ("được giao chủ trì tại mục II", "có liên quan") before its verb.
# Verbs that make the unit before them the owner of an item's work when it opens a later sentence.
_OWNER_VERB_RE = re.compile(
    r"\s*(?:chu\s+tri|thuc\s+hien|tham\s+muu|co\s+trach\s+nhiem|chiu\s+trach\s+nhiem|phu\s+trach|la\s+co\s+quan"
    r"|la\s+dau\s+moi)(?![a-z])"
)
# The issuer speaking ("Phó Chủ tịch UBND tỉnh kết luận như sau:"), and issuing, which only a lead-in does
# ("UBND tỉnh ban hành Kế hoạch … như sau:"; "Các sở ban hành kế hoạch …" is a task).
_SPEECH_AFTER_RE = re.compile(
    r"\s*(?:ket\s+luan|chi\s+dao(?:\s+nhu\s+sau)?\s*:|co\s+y\s+kien|yeu\s+cau\s*:|yeu\s+cau\s+(?:cac|nhu\s+sau)"
    r"|thong\s+bao\s+(?:ket\s+luan|y\s+kien|nhu\s+sau))(?![a-z])"
)
# Who presided over the meeting a conclusion reports ("Ngày 20/11/2025, Phó Chủ tịch UBND tỉnh chủ trì cuộc họp …").
_MEETING_AFTER_RE = re.compile(
    r"\s*,?\s*(?:da\s+)?(?:chu\s+tri|du|tham\s+du|dong\s+chu\s+tri)\s+(?:cuoc\s+hop|hoi\s+nghi|buoi|phien|hop)(?![a-z])"
)
_ISSUING_LEAD_IN_RE = re.compile(
    r"(?<![a-z])ban\s+hanh\s+(?:ke\s+hoach|chi\s+thi|quyet\s+dinh|chuong\s+trinh|phuong\s+an|de\s+an)(?![a-z])"
    r"(?:(?!:).)*nhu\s+sau\s*:\s*$"
)
# "Xét báo cáo của Bộ Tài chính …, Phó Thủ tướng Chính phủ Hồ Đức Phớc có ý kiến như sau:": a letter conveying a
# leader's opinion; the report it answers is background, its dates are no deadline and its leader no lead.
_OPINION_LEAD_IN_RE = re.compile(r"(?<![a-z])co\s+y\s+kien(?:\s+chi\s+dao)?\s+(?:nhu\s+sau|sau\s+day)\s*:\s*$")
_ISSUING_AFTER_RE = re.compile(r"\s*ban\s+hanh\s+(?:ke\s+hoach|chi\s+thi|quyet\s+dinh|van\s+ban)(?![a-z])")
_QUALIFIER_RE = re.compile(
    r"\s*(?:neu\s+tren|noi\s+tren|co\s+ten\s+(?:tai|o)\s+\S+(?:\s+gui)?|duoc\s+kiem\s+tra|thuoc\s+doi\s+tuong(?:\s+(?:kiem\s+tra|thanh\s+tra|giam\s+sat|danh\s+gia|khao\s+sat|ap\s+dung))?|duoc\s+giao(?:\s+(?:chu\s+tri|nhiem\s+vu|thuc\s+hien))?|co\s+(?:lien\s+quan|ten|trach\s+nhiem\s+lien\s+quan)"
    r"|lien\s+quan|truc\s+thuoc|thuoc|tai|trong|o|theo|cua|co\s+chi\s+so|co\s+ty\s+le|xep\s+hang|dat"
    # "các tỉnh, thành phố từ Hà Tĩnh đến Khánh Hòa": the stretch of country the group covers.
    r"|tu\s+[^,;:.()]{2,40}?\s+den(?=\s+[^\s\d]))(?![a-z])"
)


@functools.cache
def _long_opening_re() -> re.Pattern[str]:
    return re.compile(rf"\s*(?:{alternation('opening_words')}|doi\s+voi|ve)(?![a-z])")


@functools.cache
def _class_heading_re() -> re.Pattern[str]:
    """A whole short heading "các <class of bodies> …" with no verb of its own and no sentence punctuation."""
    return re.compile(
        rf"\s*(?P<cue>(?:de\s+nghi|yeu\s+cau|giao)\s+)?(?P<class>(?:tat\s+ca\s+)?cac\s+(?:{alternation('class_of_bodies')})"
        r"(?![a-z])(?:[^.;:!?()]{0,90}))\s*:?\s*$"
    )


# A cell of a results table that says the work is done ("Đã hoàn thành", "Đã hoàn thành quá hạn").
_DONE_CELL_RE = re.compile(r"\s*da\s+hoan\s+thanh(?:\s+(?:qua\s+han|dung\s+han|truoc\s+han))?\s*\.?\s*$")
# The end of a sentence that introduces the items after it ("… các nội dung sau.", "… cụ thể như sau").
_INTRODUCES_RE = re.compile(r"(?:sau|cu\s+the|bao\s+gom|gom|nhu)\s*[.;]?\s*$")
_FRONTED_PURPOSE_RE = re.compile(r"\s*(?:\S{1,6}\s+)?(?:de|nham|tu\s+nay\s+den)\s")
# The rules that read a lead opening a paragraph (``_Extractor._opens_with_lead``).
_OPENING_LEAD_RULES = frozenset(
    {"lead.subject_at_start", "lead.assign_cue", "lead.generic_subject", "lead.group_with_qualifier"}
)
# "Tỉnh cần …", "Thành phố phải …": the province or city a conclusion speaks to, named by its level word alone.
_BARE_PLACE_SUBJECT_RE = re.compile(r"\s*(tinh|thanh\s+pho)(?=\s+(?:can|phai)\s)")
# A later sentence's subject that acts at once or must act ("… . Bộ Nông nghiệp và Môi trường chủ động phối hợp …").
_ACTING_SUBJECT_RE = re.compile(r"\s*(?:chu\s+dong|khan\s+truong|can|phai)\s")
# A subject that states what it needs to do ("Tỉnh cần …", "Sở Y tế cần …"), the way a conclusion speaks.
_MODAL_AFTER_RE = re.compile(r"\s*(?:can|phai)\s")
_LEAD_IN_CUE_RE = re.compile(r"(?<![a-z])(?:yeu\s+cau|de\s+nghi|giao|chi\s+dao)(?![a-z])")


_LEAD_IN_VERB_RE = re.compile(r"\s*(?:trien\s+khai|thuc\s+hien|to\s+chuc\s+thuc\s+hien|tap\s+trung)(?![a-z])")

# A topic put first, up to its comma: "Đối với các nhiệm vụ triển khai trong năm 2025, …", "Riêng các dự án khởi công
# trong Quý IV/2025, …".
_FRONTED_TOPIC_RE = re.compile(r"[\s\-+•*]*(?:doi\s+voi|rieng(?:\s+doi\s+voi)?)\s+[^,;:.]{3,160}?,")


def _without_fronted_purpose(text: str) -> str:
    """A lead-in with its fronted purpose or countdown blanked ("Để … hoàn thành trước ngày 30/11/2025 …, yêu cầu
    …:", "Từ nay đến ngày 19/12/2025 chỉ còn 01 tháng, … Thủ tướng yêu cầu:"): the day there is the goal the
    items serve, not when each of them is due; a day after the cue still is."""
    folded = fold_aligned(text)
    if not _FRONTED_PURPOSE_RE.match(folded):
        return text
    cues = list(_LEAD_IN_CUE_RE.finditer(folded))
    if not cues:
        return text
    fire("deadline.lead_in_purpose_blanked")
    cut = cues[-1].start()
    return " " * cut + text[cut:]


def _described_heading(folded: str, end: int) -> int | None:
    """End of a described group that makes up a whole heading ("… có tỷ lệ … dưới 50%:", "… được kiểm tra")."""
    rest = folded[end:]
    if not _QUALIFIER_RE.match(folded, end) and not re.match(r"\s*(?:co|chua|dat|con)\s", rest):
        return None
    colon = rest.find(":")
    tail = rest[:colon] if colon >= 0 else rest
    if re.search(r"[.;]", tail) or len(tail.split()) > 16:
        return None
    if colon < 0 and (not rest.strip() or len(tail.split()) > 6):
        return None
    if colon >= 0 and rest[colon + 1 :].strip():
        return None
    return end + len(tail.rstrip())


@functools.cache
def _role_opener_re() -> re.Pattern[str]:
    return re.compile(rf"\s*(?:{alternation('role_openers')})(?![a-z])")


_RESPONSIBILITY_RE = re.compile(
    r"\s*(?:co\s+trach\s+nhiem|chiu\s+trach\s+nhiem(?!\s+truoc)|la\s+dau\s+moi|la\s+co\s+quan|la\s+don\s+vi)(?![a-z])"
)


def _described_role(folded: str, *, heading: bool) -> tuple[int, int] | None:
    """(end of the role, where the item's own words start) when a text opens with a lead given as a described role:
    a whole heading ("Cơ quan chủ trì giải quyết thủ tục đầu tư dự án", "Các cơ quan đăng ký đầu tư (Sở Tài chính,
    …):") or a role followed by a word of responsibility ("Cơ quan phối hợp có trách nhiệm trả lời …")."""
    opener = _role_opener_re().match(folded)
    if opener is None:
        return None
    # A parenthesis names the members of the role; its commas are not the sentence's.
    plain = re.sub(r"\([^()]*\)", lambda found: " " * len(found.group()), folded)
    last = opener.end()
    for word in list(re.finditer(r"[a-z0-9]+", plain[opener.end() :]))[:20]:
        position = opener.end() + word.start()
        if re.search(r"[,;:.!?]", plain[last:position]):
            break
        if last > opener.end() and _RESPONSIBILITY_RE.match(plain, position - 1):
            return last, last
        last = opener.end() + word.end()
    else:
        tail = plain[last:].strip()
        if (heading or tail == ":") and tail in ("", ":") and last > opener.end():
            end = len(folded.rstrip().rstrip(":").rstrip())
            return end, len(folded)
    return None


def _subject_end(folded: str, end: int) -> int | None:
    """Where a described group that opens a sentence ends, if a verb follows it (after its qualifiers).

    "… được giao chủ trì tại mục II xây dựng …" ends before "xây dựng"; a verb right after "được giao
    (chủ trì)" belongs to the qualifier ("được giao chủ trì soạn thảo văn bản … bảo đảm …").
    """
    if _VERB_AFTER_RE.match(folded, end) and not folded[end:].lstrip().startswith((":", ",")):
        return end
    qualifier = _QUALIFIER_RE.match(folded, end)
    if qualifier is None:
        return None
    assigned = folded[end : qualifier.end()].split()[:2] == ["duoc", "giao"]
    # "… các tỉnh, thành phố tại khu vực dự báo xảy ra mưa, lũ tập trung lãnh đạo …": an area described with a
    # list of its own may hold commas before the verb.
    area = _AREA_RE.match(folded, end) is not None
    words = list(re.finditer(r"[a-z0-9]+", folded[qualifier.end() :]))
    last = qualifier.end()
    after_comma = -1  # words read since the last comma of an area's own list
    for index, word in enumerate(words[:15]):
        position = qualifier.end() + word.start()
        if re.search(r"[;:.]" if area else r"[,;:.]", folded[last:position]):
            return None
        if "," in folded[last:position]:
            after_comma = 0
        if _VERB_AFTER_RE.match(folded, position) and not (assigned and index == 0):
            # "… mưa, lũ tập trung": the list is of short nouns; "… biên giới, Sở Y tế phối hợp" names a unit.
            return last if after_comma <= 2 else None
        if after_comma >= 0:
            after_comma += 1
        last = qualifier.end() + word.end()
    return None


_AREA_RE = re.compile(r"\s*(?:tai|o)\s+(?:cac\s+)?(?:khu\s+vuc|vung|dia\s+ban)(?![a-z])")


_NAME_CONNECTORS = frozenset({"va", "tinh", "thanh", "pho", "truc", "thuoc", "cac", "cua", "khu", "vuc"})


def _named_heading_end(view: TextView) -> int | None:
    """Where a heading that is one unit's name and nothing else ends (before a closing colon), or None.

    The name opens with a capitalised head noun ("Viện", "Sở", "Bộ" …), is at most 24 words without sentence
    punctuation, has no verb of a task, and every word of it is capitalised or a connector ("và", "tỉnh", "thành
    phố", "trực thuộc") — so that "Sở Tư pháp chủ trì …" or a topic ("Về cải cách thể chế") is no name.
    """
    folded = view.folded
    end = len(folded.rstrip().rstrip(":").rstrip())
    if not view.tokens or end == 0 or re.search(r"[.;!?()]", folded[:end]):
        return None
    start = view.tokens[0][0]
    if not view.text[start].isupper() or not any(
        tuple(folded[a:b] for a, b in view.tokens[: len(phrase)]) == phrase for phrase in HEAD_PHRASES
    ):
        return None
    tokens = [(a, b) for a, b in view.tokens if b <= end]
    if not 3 <= len(tokens) <= 24:
        return None
    previous_capitalised = False
    for a, b in tokens:
        word = folded[a:b]
        capitalised = view.text[a].isupper() or view.text[a].isdigit()
        # "Văn hóa", "Du lịch": the second syllable of a capitalised word is written in lower case.
        if not (capitalised or previous_capitalised or word in _NAME_CONNECTORS):
            return None
        if _VERB_AFTER_RE.match(folded, a) and word not in _NAME_CONNECTORS:
            return None
        previous_capitalised = capitalised
    if "," not in folded[:end] and "/" not in folded[:end]:
        return None  # a name without commas is read by the name reader itself
    return end


_SCHEDULE_HEADING_RE = re.compile(
    r"(?:nhiem\s+vu|phuong\s+huong|trong\s+tam|cong\s+viec|trien\s+khai|thuc\s+hien|hoan\s+thanh|trong)"
    r"(?:\s+(?:trong\s+tam|chu\s+yeu|cong\s+tac|cai\s+cach\s+hanh\s+chinh|cchc))*\s+(?:\d\s+thang|quy|thang|nam|tuan|dot)(?![a-z])"
)


_INLINE_FIELD_RE = re.compile(
    r"(?P<label>(?:(?:co\s+quan|don\s+vi|bo\s+phan)\s+)?(?P<lead>chu\s+tri|thuc\s+hien)|(?P<owner>trach\s+nhiem|phu\s+trach)"
    r"|(?:(?:co\s+quan|don\s+vi)\s+)?(?P<support>phoi\s+hop)"
    r"|(?P<deadline>thoi\s+(?:gian|han)(?:\s+(?:thuc\s+hien|hoan\s+thanh))?|tien\s+do)"
    r"|(?P<output>san\s+pham(?:\s+dau\s+ra)?|ket\s+qua\s+dau\s+ra))\s*:\s*"
)


_ANNEX_MENTION_RE = re.compile(r"(?<![a-z])phu\s+luc(?![a-z])")
_HELPERS_RE = re.compile(r",?\s*(?:voi\s+su\s+phoi\s+hop\s+cua|phoi\s+hop\s+voi|phoi\s+hop)\s+")


def _split_helpers(value: str) -> tuple[str, str]:
    """A lead field's units and the supporting units it names after them ("…, phối hợp với …")."""
    match = _HELPERS_RE.search(fold_aligned(value))
    if match is None or match.start() == 0:
        return value, ""
    lead = value[: match.start()]
    # "Sở Văn hóa và Thể thao chủ trì, phối hợp với …": the lead without the word that says it leads.
    role = _LEAD_ROLE_END_RE.search(fold_aligned(lead))
    if role is not None and role.start() > 0:
        lead = lead[: role.start()]
    return lead, value[match.end() :]


_LEAD_ROLE_END_RE = re.compile(r"\s+(?:la\s+(?:co\s+quan\s+)?)?chu\s+tri(?:\s+thuc\s+hien)?\s*[,;]?\s*$")


_TRAILING_OWNER_RE = re.compile(
    r"\(\s*(?P<lead>[^();:]{3,90}?)\s+(?:chu\s+tri(?:\s+thuc\s+hien)?|thuc\s+hien|phu\s+trach|thuc\s+hien\s+chinh)"
    r"\s*(?:[;,]\s*(?P<deadline>[^()]{2,60}?))?\s*\)"
)


def _inline_fields(folded: str, text: str) -> dict[str, tuple[str, tuple[int, int]]]:
    """Fields stated inside an item: "(Cơ quan chủ trì: …; cơ quan phối hợp: …; thời gian: …)", "- Chủ trì: …".

    Each value runs to the next ";", ")" or line end; only labels followed by a colon count, so "Sở Nội vụ chủ trì,
    phối hợp với …" is left to the sentence reader.
    """
    found: dict[str, tuple[str, tuple[int, int]]] = {}
    owner = _TRAILING_OWNER_RE.search(folded)
    if owner is not None:
        # "… (Văn phòng HĐND và UBND xã thực hiện; tháng 9/2026)": the lead, then perhaps the time, in brackets.
        found["lead"] = (text[owner.start("lead") : owner.end("lead")].strip(" ,"), (owner.start(), owner.end()))
        if owner.group("deadline"):
            found["deadline"] = (text[owner.start("deadline") : owner.end("deadline")].strip(" .,"), (0, 0))
    for match in _INLINE_FIELD_RE.finditer(folded):
        if match.start() and folded[match.start() - 1].isalnum():
            continue
        name = next(key for key in ("lead", "owner", "support", "deadline", "output") if match.group(key))
        if (
            name == "lead"
            and match.group("lead").startswith("thuc")
            and not re.search(r"(?:co\s+quan|don\s+vi|bo\s+phan)\s+$", folded[: match.start("lead")])
        ):
            continue  # "Thực hiện:" alone is not a field; "Cơ quan thực hiện:" is
        name = "lead" if name == "owner" else name
        stop = len(folded)
        for mark in (";", ")", "\n", ". "):
            position = folded.find(mark, match.end())
            if position >= 0:
                stop = min(stop, position)
        if name not in found and stop > match.end():
            found[name] = (text[match.end() : stop].strip(" .,"), (match.start(), stop))
    return found


def _is_schedule(text: str) -> bool:
    """Is a heading a time in a schedule ("Quý III/2025:", "Tháng 9 - 10/2025"), not a topic naming a year?"""
    folded = fold_aligned(text)
    words = re.findall(r"[a-z]+", folded)
    if len(words) <= 4 or re.match(r"\s*(?:\(|thoi\s+gian|tien\s+do|thang|quy|nam|dot|giai\s+doan)", folded):
        return True
    # "Phương hướng nhiệm vụ 6 tháng cuối năm 2022", "Nhiệm vụ trọng tâm Quý IV": the period of the work;
    # "Về chấm điểm Chỉ số CCHC năm 2025" names the year of an index instead.
    return bool(_SCHEDULE_HEADING_RE.search(folded))


_SENTENCE_END_RE = re.compile(r"\.\s+(?=[A-ZĐÀ-Ỹ])")
_SPLIT_AFTER_RULES = ("lead.subject_at_start", "lead.assign_cue")


@functools.cache
def _item_deadline_re() -> re.Pattern[str]:
    """An item's last sentence that is its deadline field ("Thời hạn hoàn thành: trước ngày 30/11/2025.")."""
    labels = [label for label, kind in labelled("task_field_labels").items() if kind == "deadline"]
    alternatives = "|".join(
        r"\s+".join(map(re.escape, label.split())) for label in sorted(labels, key=len, reverse=True)
    )
    return re.compile(rf"[.;]\s+((?:{alternatives})\s*:[^.;:]*\d[^;:]*)$")


# The letter's last sentences, announcing it ("Văn phòng Chính phủ xin thông báo để … biết, thực hiện./.", "Trân
# trọng thông báo./.") or giving whom to call ("Mọi thông tin chi tiết xin liên hệ: …").
_ANNOUNCING_RE = re.compile(
    r"(?<![a-z])thong\s+bao\s+de\s+(?:\S+\s+){1,12}biet|\s*(?:tran\s+trong|xin)\s+thong\s+bao\s*\./\."
)

# "Trong quá trình thực hiện, nếu phát sinh khó khăn vướng mắc, … kịp thời báo cáo …": no task (``LABELLING.md``).
_PROBLEMS_RE = re.compile(
    r"\s*trong\s+qua\s+trinh\s+(?:to\s+chuc\s+)?(?:thuc\s+hien|trien\s+khai)(?:\s+thuc\s+hien)?,?\s+"
    r"(?:neu\s+(?:co|phat\s+sinh)|co\s+gi)(?![a-z])"
)


def _cut_closing_sentence(node: Node, *, in_item: bool) -> None:
    """Leave a paragraph's request without the letter's closing sentences the wrap joined to it.

    "…, Bộ Xây dựng làm việc với … để bổ sung các văn bản cần thiết. Văn phòng Chính phủ xin thông báo để Bộ Xây
    dựng và các cơ quan liên quan biết, thực hiện./.": the announcement ("… thông báo để … biết", "Trân trọng thông
    báo./."), a contact ("Mọi thông tin chi tiết xin liên hệ: …") and the request to report problems ("Trong quá trình
    thực hiện, nếu phát sinh …", only ``in_item``: at the root it ends the letter's general closing) would make the
    whole paragraph a closing or no task; only its last sentences are, and the sentences before them are the request.
    """
    folded = fold_aligned(node.text)
    starts = [end.end() for end in _SENTENCE_END_RE.finditer(node.text)]
    cut = len(node.text)
    for start in reversed(starts):
        sentence = folded[start:cut]
        problems = in_item and _PROBLEMS_RE.match(sentence)
        if not (_ANNOUNCING_RE.search(sentence) or _CONTACT_RE.match(sentence) or problems):
            break
        cut = start
    if cut == len(node.text):
        return
    fire("task.closing_sentence_cut")
    node.text = node.text[:cut].rstrip()


def _is_topic(folded: str) -> bool:
    """Is what "Đối với" is about a count of things or a topic of ``data/about_topics.txt``, not a body?"""
    words = " ".join(folded.split())
    if re.match(r"\d+\s", words):
        return True
    return any(words == topic or words.startswith(topic + " ") for topic in phrases("about_topics"))


_ENACTING_RE = re.compile(r"\s*(?:quyet\s+(?:dinh|nghi))\s*:?\s*$")


def _without_preamble(items: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs after a decision's enacting word ("QUYẾT ĐỊNH:", "QUYẾT NGHỊ:"), when only paragraphs precede it.

    Before it stand the legal bases and the proposal it answers ("Căn cứ Thông tư số 02/2017/TT-VPCP … của Bộ
    trưởng, Chủ nhiệm Văn phòng Chính phủ …;", "Theo đề nghị của Giám đốc Sở …"): they name bodies but give no work.
    """
    for index, item in enumerate(items):
        if item.kind == "para" and _is_upper(item.text) and _ENACTING_RE.match(fold_aligned(item.text)):
            if index and all(before.kind == "para" for before in items[:index]):
                fire("segment.preamble_skipped", index)
                return items[index + 1 :]
            return items
    return items


def _blanked(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _is_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


_ROLE_PHRASE_RE = re.compile(
    r"\s*,?\s*(?:theo|trong\s+pham\s+vi)\s+chuc\s+nang,?\s+nhiem\s+vu(?:,?\s+quyen\s+han)?(?:\s+quan\s+ly)?"
    r"(?:\s+(?:duoc\s+giao|cua\s+minh))?\s*,?"
)


def _skip_spaces(folded: str, position: int) -> int:
    while position < len(folded) and folded[position] in " \t\n":
        position += 1
    return position


def _without_manner(value: str) -> str:
    """A lead written whole (a field, a table cell) without the manner it ends with: "Các sở, ngành có liên quan theo
    chức năng, nhiệm vụ quản lý được giao" leads as "Các sở, ngành có liên quan" (``LABELLING.md``: the lead as
    written, without what says how it works)."""
    folded = fold_aligned(value)
    manner = _ROLE_PHRASE_RE.search(folded)
    if manner is None or not folded[: manner.start()].strip() or folded[manner.end() :].strip(" .,;:"):
        return value
    fire("lead.manner_dropped")
    return value[: manner.start()]


# A parenthesis that points to a list or an annex ("(theo danh sách gửi kèm tại Phụ lục)", "(có danh sách kèm theo)").
_LIST_REFERENCE_RE = re.compile(r"\s*\((?=[^()]*(?:danh\s+sach|phu\s+luc|kem\s+theo|dinh\s+kem))[^()]*\)\s*$")


def _without_list_reference(folded: str, start: int, end: int) -> int:
    """End of a lead read from ``start`` to ``end`` without a closing parenthesis that points to its list elsewhere:
    "Đối với các đơn vị thực hiện dịch vụ, thu gom … (theo danh sách gửi kèm tại Phụ lục):" names the units before
    it; the list is in the annex."""
    reference = _LIST_REFERENCE_RE.search(folded, start, end)
    if reference is None or reference.start() <= start:
        return end
    fire("lead.list_reference_dropped")
    return reference.start()


def _follows_as_subject(folded: str, end: int) -> bool:
    """Is the unit list ending at ``end`` the subject of the item (a verb, a colon or nothing follows)?"""
    role = _ROLE_PHRASE_RE.match(folded, end)
    if role:  # "Sở Nội vụ, Sở Khoa học và Công nghệ theo chức năng, nhiệm vụ được giao hướng dẫn …"
        end = role.end()
    rest = folded[end:]
    if not rest.strip() or rest.lstrip().startswith(":"):
        return True
    if rest.lstrip()[:1] in ",;.":
        return bool(_VERB_AFTER_RE.match(rest.lstrip()[1:]))
    if _VERB_AFTER_RE.match(rest):
        return True
    if _PURPOSE_AFTER_RE.match(rest):
        fire("lead.purpose_after_list")
        return False
    return not _NOT_VERB_AFTER_RE.match(rest)


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for index in range(max(0, start), min(len(chars), end)):
            chars[index] = " "
    return "".join(chars)


@dataclass
class _Own:
    lead: list[UnitRef]
    lead_text: str
    lead_rule: str
    deadline_rule: str
    lead_end: int
    lead_from_heading: bool
    support: list[UnitRef]
    deadline: Deadline
    output: str


class _Extractor:
    def __init__(self, registry: Registry, reference: datetime.date | None) -> None:
        self.registry = registry
        self.reference = reference
        self.tasks: list[ProposedTask] = []
        self.warnings: list[str] = []
        # Deadlines that items of the body give to "the annex", and the rows of annex tables with no time column.
        self.annex_deadlines: list[Deadline] = []
        self.undated_rows: list[ProposedTask] = []
        # The columns of the last task table, for its continuation after a page break.
        self.columns: dict[str, int] | None = None
        self.width = 0
        self.recent: list[str] = []
        # The node each proposal was read from (by the proposal's id), for leads a section gives once.
        self.origins: dict[int, Node] = {}
        # The one addressee of a letter, as a lead ("Kính gửi: Ủy ban nhân dân các tỉnh"), and its words.
        self.addressee: tuple[list[UnitRef], str] | None = None

    # --- reading one node ---------------------------------------------------------------------------------------

    def _lead(
        self, view: TextView, *, heading: bool = False
    ) -> tuple[str, tuple[list[UnitRef], str, int, bool, list[tuple[int, int]]]]:
        """The rule that found the lead units stated in a text, and (refs, text as written, end, named at the start
        as a heading, spans); the proposers are tried from the most to the least reliable and the first that reads a
        lead wins (:data:`LEAD_CONFIDENCE` gives the order's confidence)."""
        rule, found = self._propose_lead(view, heading=heading)
        if rule:
            fire(rule)
        return rule, found

    def _propose_lead(
        self, view: TextView, *, heading: bool = False
    ) -> tuple[str, tuple[list[UnitRef], str, int, bool, list[tuple[int, int]]]]:
        folded = view.folded
        whole_class = _class_heading_re().match(folded) if heading else None
        if whole_class is not None and whole_class.group("cue"):
            # "6. Đề nghị các tổ chức cung cấp dịch vụ chi trả", "Đề nghị các doanh nghiệp sản xuất, chế biến và xuất
            # khẩu hàng hóa" over items: the class of bodies the heading asks, as written to its end, leads them.
            start, end = whole_class.start("class"), len(folded.rstrip().rstrip(":").rstrip())
            text = view.cut(start, end)
            ref = UnitRef(text=text, start=start, end=end, kind="generic")
            return "lead.class_heading_after_cue", ([ref], text, len(folded), True, [(0, end)])
        role = _described_role(folded, heading=heading)
        if role is not None:
            # "3. Cơ quan chủ trì giải quyết thủ tục đầu tư dự án", "Cơ quan phối hợp có trách nhiệm …": the role, as
            # written, leads the item (or the items under it), not the introduction's lead above it.
            end, stop = role
            text = view.cut(0, end).strip()
            ref = UnitRef(text=text, start=0, end=end, kind="generic")
            return "lead.described_role", ([ref], text, stop, stop >= len(folded), [(0, end)])
        for match in _ASSIGN_RE.finditer(folded):
            if _NOT_ASSIGN_BEFORE.search(folded[: match.start()]):
                continue
            cue = match.group("cue")
            is_about = cue[0] in "dp" and cue.endswith(("oi", "ai", "ei")) and "v" in cue
            if is_about and match.start() > 2:
                continue  # "… đối với lĩnh vực này" inside a sentence names no lead
            refs, end = parse_unit_list(view, self.registry, match.end())
            if not refs and not is_about and whole_class is None:
                refs, end = self._class_subject(view, match.end())
            if is_about:
                # "Đối với X:" — X is the lead, even when it is a description ("các đơn vị xếp hạng thấp").
                colon = folded.find(":", match.end())
                if 0 <= colon - match.end() <= 220 and _ASSIGN_RE.search(folded, match.end(), colon):
                    continue  # "Đối với 10 nhiệm vụ …, yêu cầu các Bộ: Xây dựng; …": the cue names the lead
                if 0 <= colon - match.end() <= 220 and not refs and _is_topic(folded[match.end() : colon]):
                    # "Đối với 03 thủ tục hành chính:", "Đối với trường hợp gia hạn …:": a topic, no one's work.
                    fire("lead.about_topic_refused")
                    continue
                if 0 <= colon - match.end() <= 220 and (not refs or colon - end > 3):
                    written_end = _without_list_reference(folded, match.end(), colon)
                    text = view.cut(match.end(), written_end)
                    kind = "generic" if not refs else refs[0].kind
                    ref = UnitRef(
                        text=text,
                        start=match.end(),
                        end=written_end,
                        unit=refs[0].unit if len(refs) == 1 and kind == "unit" and colon - end <= 3 else None,
                        members=tuple(member for item in refs for member in item.members),
                        kind=kind,
                    )
                    return "lead.about_heading", ([ref], text, colon + 1, True, [(match.start(), colon)])
            if not refs and cue.startswith("g"):
                unknown = _UNKNOWN_NAME_BEFORE_CHU_TRI_RE.match(view.text, match.end())
                if unknown and unknown.group("name")[:1].isupper():
                    # "Giao Thống kê tỉnh, thành phố chủ trì, phối hợp với …": a body the name reader does not know,
                    # capitalised between the cue and "chủ trì", leads as written.
                    start, stop = unknown.span("name")
                    ref = UnitRef(text=view.cut(start, stop), start=start, end=stop, kind="unknown")
                    fire("lead.assign_cue_unknown_name")
                    return "lead.assign_cue", ([ref], ref.text, stop, False, [(match.start(), stop)])
            if (refs and any(ref.kind != "generic" for ref in refs)) or (refs and cue.startswith(("y", "d", "p"))):
                if all(ref.kind in ("group", "generic") for ref in refs):
                    # "Đề nghị … các xã, phường thuộc đối tượng kiểm tra chuẩn bị …": keep the qualifier.
                    subject_end = _subject_end(folded, end)
                    if subject_end is not None and subject_end > end:
                        text = view.cut(refs[0].start, subject_end)
                        members = tuple(member for ref in refs for member in ref.members)
                        ref = UnitRef(text=text, start=refs[0].start, end=subject_end, members=members, kind="group")
                        return "lead.assign_cue_described_group", (
                            [ref],
                            text,
                            subject_end,
                            False,
                            [(match.start(), subject_end)],
                        )
                return "lead.assign_cue", (refs, view.cut(refs[0].start, end), end, False, [(match.start(), end)])
        for match in re.finditer(r"(?<![a-z])do\s+", folded):
            # "… do Sở Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với …": the passive names the lead.
            refs, end = parse_unit_list(view, self.registry, match.end())
            if refs and refs[0].kind != "generic" and _LEAD_VERB_RE.match(folded, end):
                return "lead.passive_do", (refs, view.cut(refs[0].start, end), end, False, [(match.start(), end)])
        for match in re.finditer(r"ch[a-z]\s+tr[a-z](?![a-z])", folded):
            clause_start = max(folded.rfind(mark, 0, match.start()) for mark in (".", ";", ":", "\n"))
            start = clause_start + 1 if clause_start >= 0 else 0
            refs, end = parse_unit_list(view, self.registry, start)
            if refs and _LEAD_VERB_RE.match(folded, end) and refs[0].kind != "generic":
                return "lead.chu_tri_clause", (refs, view.cut(refs[0].start, end), end, False, [(refs[0].start, end)])
        bare = _BARE_PLACE_SUBJECT_RE.match(folded)
        if bare and view.text[bare.start(1) : bare.start(1) + 1].isupper():
            # "Tỉnh cần tập trung …": a conclusion names the province it speaks to by its level word alone.
            start, end = bare.start(1), bare.end(1)
            text = view.cut(start, end)
            ref = UnitRef(text=text, start=start, end=end, kind="generic")
            return "lead.place_as_subject", ([ref], text, end, False, [(start, end)])
        opening = _OPENING_RE.match(folded)
        for start in (0, opening.end()) if opening else (0,):
            refs, end = parse_unit_list(view, self.registry, start)
            if not refs and whole_class is None:
                # A heading made of a class of bodies ("5. Các chủ đầu tư xây dựng và kinh doanh hạ tầng …") is read
                # whole below.
                refs, end = self._class_subject(view, start)
            lead_in = folded.rstrip().endswith(":")
            if refs and (_SPEECH_AFTER_RE.match(folded, end) or (lead_in and _ISSUING_AFTER_RE.match(folded, end))):
                continue  # the issuer speaking or issuing, not a lead
            described = _described_heading(folded, end) if refs else None
            if described is not None:
                # "UBND các xã, phường có tỷ lệ hồ sơ trực tuyến dưới 50%:", "Các cơ quan, đơn vị được kiểm tra": a
                # heading that names its units by a description leads the items under it, as written.
                text = view.cut(start, described)
                members = tuple(member for ref in refs for member in ref.members)
                kind = "generic" if all(ref.kind == "generic" for ref in refs) else "group"
                ref = UnitRef(text=text, start=start, end=described, members=members, kind=kind)
                stop = folded.find(":", described) + 1 if ":" in folded[described:] else described
                return "lead.described_heading", ([ref], text, stop, True, [(start, described)])
            if refs and any(ref.kind != "generic" for ref in refs) and _follows_as_subject(folded, end):
                heading = folded[end:].lstrip().startswith(":") or not folded[end:].strip()
                stop = folded.find(":", end) + 1 if heading and ":" in folded[end:] else end
                return "lead.subject_at_start", (refs, view.cut(refs[0].start, end), stop, heading, [(start, end)])
            if refs and _AREA_RE.match(folded, end) and all(ref.kind in ("group", "unknown") for ref in refs):
                # "Bí thư tỉnh ủy, thành ủy; Chủ tịch Ủy ban nhân dân các tỉnh, thành phố tại khu vực dự báo xảy ra
                # mưa, lũ tập trung …": the groups with the area they cover lead as written, titles and all.
                subject_end = _subject_end(folded, end)
                if subject_end is not None and subject_end > end:
                    text = view.cut(start, subject_end).strip()
                    members = tuple(member for ref in refs for member in ref.members)
                    ref = UnitRef(text=text, start=start, end=subject_end, members=members, kind="group")
                    return "lead.group_in_area", ([ref], text, 0, False, [(start, subject_end)])
            if refs and all(ref.kind == "group" for ref in refs):
                # "Các sở, ngành được giao chủ trì soạn thảo văn bản bảo đảm …": a group with its qualifier.
                subject_end = _subject_end(folded, end)
                if subject_end is not None and subject_end > end:
                    return "lead.group_with_qualifier", (
                        refs,
                        view.cut(start, subject_end),
                        0,
                        False,
                        [(start, subject_end)],
                    )
            if refs and all(ref.kind == "generic" for ref in refs) and heading and folded[end:].strip() in (":", ""):
                # "c) Các bộ, cơ quan, địa phương:" over items: the described group, alone in its heading, leads them.
                text = view.cut(start, end)
                ref = UnitRef(text=text, start=start, end=end, kind="generic")
                return "lead.generic_heading", ([ref], text, len(folded), True, [(start, end)])
            if refs and all(ref.kind == "generic" for ref in refs):
                # "Các cơ quan, đơn vị tự chấm điểm …", "Thủ trưởng các cơ quan được giao chủ trì tại mục II
                # xây dựng …": a described group that is the subject leads the item, as written with its qualifier.
                subject_end = _subject_end(folded, end)
                if subject_end is not None:
                    text = view.cut(start, subject_end)
                    ref = UnitRef(text=text, start=start, end=subject_end, kind="generic")
                    return "lead.generic_subject", ([ref], text, 0, False, [(start, subject_end)])
        if _long_opening_re().match(folded) and not folded.rstrip().endswith(":"):
            # "Đối với 355 nhiệm vụ … (danh mục theo Báo cáo số …), các Bộ, cơ quan ngang Bộ khẩn trương …",
            # "Trên cơ sở các Nghị định về phân cấp, phân quyền, các Bộ … thực hiện …": a fronted phrase with
            # commas of its own, then the subject and its verb, in the first sentence.
            stops = [position for position in (folded.find(". "), folded.find(";"), folded.find(":")) if position >= 0]
            first_sentence = min(stops) if stops else len(folded)
            for comma in re.finditer(r",\s+", folded[:first_sentence]):
                refs, end = parse_unit_list(view, self.registry, comma.end())
                if (
                    refs
                    and _VERB_AFTER_RE.match(folded, end)
                    and not folded[end:].lstrip().startswith((":", ","))
                    and not _SPEECH_AFTER_RE.match(folded, end)
                    and not _ISSUING_AFTER_RE.match(folded, end)
                    and not _MEETING_AFTER_RE.match(folded, end)
                ):
                    return "lead.subject_after_opening", (
                        refs,
                        view.cut(refs[0].start, end),
                        0,
                        False,
                        [(refs[0].start, end)],
                    )
        for sentence in re.finditer(r"[.;]\s+|\(\s*|,\s+", folded):
            # "… trên các lĩnh vực trọng tâm. Sở Tư pháp thực hiện thường xuyên.": a later sentence names who does it;
            # "Khẩn trương khắc phục …, các địa phương phải huy động …": so does a clause whose subject must act.
            after_comma = sentence.group().startswith(",")
            if after_comma and not re.search(r"(?<![a-z])(?:can|phai)\s", folded[sentence.end() : sentence.end() + 80]):
                continue  # no clause of a subject that must act follows this comma
            refs, end = parse_unit_list(view, self.registry, sentence.end())
            if not refs:
                continue
            if after_comma:
                owner = bool(_MODAL_AFTER_RE.match(folded, end))
            else:
                # A list that opens with a named unit may go on with classes of bodies ("Bộ Nông nghiệp và Môi trường,
                # các ngành, các cơ quan, địa phương có liên quan cần …").
                owner = refs[0].kind in ("unit", "group", "unknown") and bool(
                    _OWNER_VERB_RE.match(folded, end) or _ACTING_SUBJECT_RE.match(folded, end)
                )
            if owner:
                return "lead.later_sentence_owner", (
                    refs,
                    view.cut(refs[0].start, end),
                    0,
                    False,
                    [(refs[0].start, end)],
                )
        if whole_class is not None:
            # "4. Các doanh nghiệp viễn thông", "Các chủ đầu tư xây dựng và kinh doanh hạ tầng Khu công nghiệp": a
            # short heading naming a class of bodies (``data/class_of_bodies.txt``) leads the items under it.
            end = len(folded.rstrip().rstrip(":").rstrip())
            text = view.cut(0, end)
            ref = UnitRef(text=text, start=0, end=end, kind="generic")
            return "lead.class_heading", ([ref], text, len(folded), True, [(0, end)])
        if heading:
            named = _named_heading_end(view)
            if named is not None:
                # "1. Viện Văn hóa, Nghệ thuật, Thể thao và Du lịch Việt Nam", "3. Sở Văn hóa, Thể thao và Du lịch/Sở
                # Văn hóa và Thể thao tỉnh, thành phố trực thuộc Trung ương": a heading that is a name with commas
                # of its own, and nothing else, leads the items under it as written.
                text = view.cut(0, named)
                ref = UnitRef(text=text, start=0, end=named, kind="unknown")
                return "lead.named_heading", ([ref], text, len(folded), True, [(0, named)])
        if folded.rstrip().endswith(":"):
            # A lead-in: "…, Văn phòng UBND tỉnh triển khai thực hiện đồng bộ các giải pháp sau:".
            for clause in re.finditer(r"[,;]\s+", folded):
                refs, end = parse_unit_list(view, self.registry, clause.end())
                if (
                    refs
                    and all(ref.kind in ("unit", "group", "unknown") for ref in refs)
                    and _LEAD_IN_VERB_RE.match(folded, end)
                    and not folded[end:].lstrip().startswith(":")
                ):
                    return "lead.lead_in_clause", (refs, view.cut(refs[0].start, end), 0, False, [(refs[0].start, end)])
        return "", ([], "", 0, False, [])

    def _class_subject(self, view: TextView, start: int) -> tuple[list[UnitRef], int]:
        """ "Các cơ sở đào tạo chủ động …", "… yêu cầu các cơ sở đào tạo gửi báo cáo …": a class of bodies
        (``data/class_of_bodies.txt``) right before a verb is the subject, as written; ([], start) otherwise."""
        position = _skip_spaces(view.folded, start)
        ref = class_of_bodies_at(view, position)
        if ref is None or not _VERB_AFTER_RE.match(view.folded, ref.end):
            return [], start
        if view.folded[ref.end :].lstrip().startswith((":", ",")) or not view.folded[ref.end :].strip():
            return [], start
        fire("lead.class_subject")
        return [ref], ref.end

    def _support(self, view: TextView) -> tuple[list[UnitRef], list[tuple[int, int]]]:
        refs: list[UnitRef] = []
        spans: list[tuple[int, int]] = []
        for match in _SUPPORT_RE.finditer(view.folded):
            found, end = parse_unit_list(view, self.registry, match.end())
            refs.extend(ref for ref in found if ref.kind != "generic")
            if found:
                spans.append((match.start(), end))
        return refs, spans

    def _own(self, node: Node, *, heading: bool) -> _Own:
        view = TextView(node.text)
        inline = _inline_fields(view.folded, node.text)
        fields = {**{name: value for name, (value, _span) in inline.items()}, **node.fields}
        if inline:
            # "(Cơ quan chủ trì: Phòng Tư pháp; cơ quan phối hợp: …; thời gian: Quý III/2024)" states the task's
            # fields; the sentence before it is read without them.
            view = TextView(_blank(node.text, [span for _value, span in inline.values()]))
        lead_rule, (lead, lead_text, lead_end, from_heading, spans) = self._lead(view, heading=heading)
        if not lead and self.addressee is not None and not heading:
            polite = _POLITE_REQUEST_RE.search(view.folded)
            if polite:
                # "…, đề nghị Quý Ủy ban gửi báo cáo … chậm nhất ngày 22/11/2025": "Quý Ủy ban" is the addressee.
                lead, lead_text = list(self.addressee[0]), self.addressee[1]
                lead_rule, spans = "lead.polite_addressee", [(polite.start(), polite.end())]
                fire(lead_rule)
        support, support_spans = self._support(view)
        if "lead" in fields:
            # "UBND các xã, phường, với sự phối hợp của Sở Khoa học và Công nghệ": the lead, then its support.
            fields["lead"], helpers = _split_helpers(fields["lead"])
            fields["lead"] = _without_manner(fields["lead"])
            if helpers and "support" not in fields:
                fields["support"] = helpers
            field_view = TextView(fields["lead"])
            refs, end = parse_unit_list(field_view, self.registry, 0)
            whole = field_view.cut(0, len(field_view.text))
            if not refs:
                refs = [UnitRef(text=whole, start=0, end=len(field_view.text), kind="unknown")]
            elif field_view.folded[end:].strip(" .,;:") and all(ref.kind != "unit" for ref in refs):
                # The field names its lead whole ("Chủ trì: các phòng chuyên môn, đơn vị thuộc UBND phường").
                members = tuple(member for ref in refs for member in ref.members)
                refs = [UnitRef(text=whole, start=0, end=len(field_view.text), members=members, kind="group")]
                end = len(field_view.text)
            lead, lead_text = refs, field_view.cut(refs[0].start, max(end, refs[-1].end))
            lead_rule = "lead.field"
            fire(lead_rule)
        if "support" in fields:
            field_view = TextView(fields["support"])
            refs, _end = parse_unit_list(field_view, self.registry, 0)
            support = [ref for ref in refs if ref.kind != "generic"]
        text_for_dates = _blank(deadline_view(view.text), [*spans, *support_spans])
        if node.kind == "para" and node.text.rstrip().endswith(":"):
            # A lead-in sets the deadline of its items only in its own last sentence, not in the situation it
            # describes first ("Đến hết Quý III/2025, vẫn còn … Sở Nội vụ đề nghị … các nội dung sau:").
            last = max(text_for_dates.rfind(". "), text_for_dates.rfind("; "))
            if last > 0:
                text_for_dates = " " * (last + 2) + text_for_dates[last + 2 :]
        topic = _FRONTED_TOPIC_RE.match(fold_aligned(text_for_dates))
        if topic and parse_deadline(text_for_dates[: topic.end()], reference=self.reference).due is not None:
            # "Đối với các nhiệm vụ triển khai trong năm 2025, các bộ … chủ động bố trí …": the year says which work
            # the sentence is about, not when it is due.
            fire("deadline.fronted_topic_blanked")
            text_for_dates = " " * topic.end() + text_for_dates[topic.end() :]
        if node.text.rstrip().endswith(":"):
            text_for_dates = _without_fronted_purpose(text_for_dates)
        elif lead_rule == "lead.assign_cue" and spans:
            # "… chi trả chế độ đến người thụ hưởng những tháng cuối năm 2025, Bộ Nội vụ đã hướng dẫn … Vì vậy, đề
            # nghị Ủy ban nhân dân các tỉnh … căn cứ …": the sentences before the request tell what happened; their
            # dates are not when the request is due.
            last = text_for_dates.rfind(". ", 0, spans[0][0])
            opening, _end = parse_unit_list(view, self.registry, 0)
            if last > 0 and text_for_dates[: last + 2].strip() and not (opening and opening[0].start == 0):
                # Not when the first sentence has a subject of its own ("Ủy ban nhân dân các tỉnh rà soát …, báo cáo
                # trước ngày 30/11/2025. Bộ Nội vụ đề nghị …"): its day is its work's.
                fire("deadline.background_before_request_blanked")
                text_for_dates = " " * (last + 2) + text_for_dates[last + 2 :]
        # In the text (not a table of overdue work), a day before the document's own date is no deadline.
        deadline = parse_deadline(
            text_for_dates,
            reference=self.reference,
            bare=heading and _is_schedule(node.text),
            not_before=self.reference,
        )
        deadline_rule = "deadline.own" if not deadline.is_empty else ""
        if deadline.recurrence == Recurrence.NONE:
            rhythm = short_rhythm(text_for_dates)
            if rhythm:
                # "báo cáo UBND tỉnh trước 19h00’ hằng ngày", "cập nhật kết quả hàng tuần": daily and weekly work
                # is continuous (``LABELLING.md``); a due day, if any, stays.
                deadline = replace(deadline, text=deadline.text or rhythm, recurrence=Recurrence.CONTINUOUS)
                deadline_rule = deadline_rule or "deadline.short_rhythm"
        if deadline.recurrence in (Recurrence.NONE, Recurrence.CONTINUOUS):
            # "Tổng hợp, đánh giá kết quả thực hiện Kế hoạch hằng năm.": a clause of periodic work closed by its
            # rhythm; a due day, if any, stays.
            words, recurrence = periodic_rhythm(text_for_dates)
            if words:
                deadline = replace(deadline, text=deadline.text or words, recurrence=recurrence)
                deadline_rule = deadline_rule or "deadline.rhythm_closing_periodic_work"
        if "deadline" in fields:
            # "năm 2026 - 2027" is read by the deadline grammar as a span, due at the end of its last year.
            stated = parse_deadline(fields["deadline"], reference=self.reference, bare=True, not_before=self.reference)
            deadline = stated if not stated.is_empty else Deadline(text=fields["deadline"].strip(" .;"))
            deadline_rule = "deadline.field"
        if deadline_rule:
            fire(deadline_rule)
        return _Own(
            lead=lead,
            lead_text=lead_text,
            lead_rule=lead_rule if lead else "",
            deadline_rule=deadline_rule,
            lead_end=lead_end if from_heading else 0,
            lead_from_heading=from_heading,
            support=support,
            deadline=deadline,
            output=fields.get("output", ""),
        )

    # --- walking the tree ---------------------------------------------------------------------------------------

    def walk(self, node: Node, context: _Context) -> None:
        sibling_context = context
        first = len(self.tasks)
        self._split_own_leads(node)
        for child in node.children:
            if child.kind == "table":
                # The texts just before a table, in document order: an annex's title names an indicator table's stage.
                self._table(child, sibling_context, title=" ".join(self.recent[-3:]))
                continue
            self.recent = [*self.recent[-2:], child.text]
            if _skip_heading(child, self.registry):
                continue
            if not child.children and self._closing(child, first, sibling_context, context):
                continue
            if not child.children:
                _cut_closing_sentence(child, in_item=child.kind != "para")
            has_children = any(grandchild.kind != "table" or grandchild.rows for grandchild in child.children)
            section = child.section or context.section
            path = _extend_path(context.path, child.section)
            own = self._own(child, heading=has_children and child.is_heading())
            merged = self._merge(sibling_context, own, section, path)
            if has_children:
                if self._parent_with_own_work(child, own):
                    # "1. Các cơ quan, đơn vị căn cứ … xây dựng kế hoạch …. / - Giới thiệu … / - Báo cáo …": the
                    # item's own sentence gives work beyond introducing the dashed items under it.
                    fire("task.parent_with_own_work")
                    self._task(child, own, merged)
                    if not own.deadline.is_empty:
                        # "(1) Bộ Y tế chỉ đạo …, hoàn thành việc xây dựng trước ngày 30/11/2025. / - Chỉ đạo … / -
                        # Chủ trì …": the day is the item's own work's; the dashed items take its lead, not its day.
                        fire("deadline.parent_work_day_kept_to_itself")
                        merged = replace(
                            merged, deadline=sibling_context.deadline, deadline_rule=sibling_context.deadline_rule
                        )
                prefix = ""
                if child.kind in ("dash", "plus", "para", "alpha") and child.text.rstrip().endswith(":"):
                    prefix = child.text[own.lead_end :].strip()
                self.walk(child, replace(merged, prefix=prefix))
                continue
            if child.kind == "para" and child.text.rstrip().endswith(":"):
                if _ISSUING_LEAD_IN_RE.search(fold_aligned(child.text)):
                    # "Ủy ban nhân dân Tỉnh ban hành Kế hoạch … đến năm 2035 … như sau:" issues the document; the
                    # span in its title is the plan's, not a deadline of the items after it.
                    fire("lead_in.issuing_passes_nothing")
                    continue
                if _OPINION_LEAD_IN_RE.search(fold_aligned(child.text)):
                    fire("lead_in.opinion_passes_nothing")
                    continue
                # A lead-in sentence: what it says applies to the items after it.
                sibling_context = replace(merged, section=context.section, path=context.path)
                continue
            if child.kind == "para" and own.lead and own.lead_from_heading and not child.text[own.lead_end :].strip():
                # "8. Đề nghị" / "Liên minh Hợp tác xã tỉnh, Đoàn TNCS Hồ Chí Minh tỉnh, …" / "- Đẩy mạnh …": a
                # paragraph that is only the names of its units leads the items after it, like a lead-in.
                fire("lead_in.names_alone")
                sibling_context = replace(merged, section=context.section, path=context.path)
                continue
            at_root = child.parent is not None and child.parent.kind == "root" and child.kind == "para"
            if at_root and (not own.lead or _CLOSING_RE.search(fold_aligned(child.text)) or _is_upper(child.text)):
                continue
            pieces = self._sentences_with_own_subject(child) if own.lead_rule in _SPLIT_AFTER_RULES else []
            if pieces:
                # "Chủ tịch Ủy ban nhân dân tỉnh Hưng Yên khẩn trương … trước ngày 03/12/2025. Ủy ban nhân dân các
                # tỉnh: Ninh Bình, Bắc Ninh … đẩy nhanh …": each sentence with its own subject is a task of its own.
                fire("task.sentence_with_own_subject", len(pieces) - 1)
                for text in pieces:
                    piece = Node(kind=child.kind, marker=child.marker, text=text, parent=child.parent)
                    piece_own = self._own(piece, heading=False)
                    self._task(piece, piece_own, self._merge(sibling_context, piece_own, section, path))
                continue
            self._task(child, own, merged)
        self._carry_stated_subject(node, first)

    @staticmethod
    def _parent_with_own_work(node: Node, own: _Own) -> bool:
        """Does a numbered item that opens with its lead and has dashed items under it end a sentence of its own?"""
        text = node.text.rstrip()
        return (
            node.kind in ("num", "decimal", "paren")
            and own.lead_rule in _OPENING_LEAD_RULES
            and text.endswith((".", ";"))
            and len(text[own.lead_end :].split()) >= 8
            and not _INTRODUCES_RE.search(fold_aligned(text[-40:]))
            and all(child.kind in ("dash", "plus") for child in node.children)
        )

    def _split_own_leads(self, node: Node) -> None:
        """Make each paragraph joined to an item that opens with a lead of its own ("1. Các địa phương phát động …"
        then "Bộ Xây dựng chỉ đạo …", "Về kinh phí: Các địa phương phải …") an item of its own with the same marker:
        a sentence with its own lead inside a numbered item is a task of its own (``LABELLING.md``)."""
        children: list[Node] = []
        for child in node.children:
            children.append(child)
            if not child.breaks or child.children or child.kind != "num":
                continue
            starts = [0, *child.breaks]
            parts = [
                child.text[start:end].strip()
                for start, end in zip(starts, [*child.breaks, len(child.text)], strict=True)
            ]
            if not self._opens_with_lead(parts[0]):
                continue  # an item that names its lead in its first words, then more paragraphs that name theirs
            child.text, child.breaks = parts[0], []
            current = child
            for part in parts[1:]:
                if self._opens_with_lead(part):
                    fire("segment.paragraph_with_own_lead")
                    current = Node(kind=child.kind, marker=child.marker, text=part, parent=node)
                    children.append(current)
                else:
                    current.text = f"{current.text} {part}"
        node.children = children

    def _opens_with_lead(self, text: str) -> bool:
        """Does a paragraph open with its lead as the subject, or with a cue naming it ("Giao Bộ Tài chính …")?"""
        view = TextView(text)
        rule, (_refs, _text, _end, _heading, spans) = self._propose_lead(view)
        if rule not in _OPENING_LEAD_RULES or not spans:
            return False
        # The lead opens the paragraph, or follows its topic ("Về kinh phí: …"); a paragraph that opens with its
        # grounds ("Căn cứ nội dung Kế hoạch này, các bộ …") goes on with the item.
        topic = _TOPIC_RE.match(view.folded)
        if spans[0][0] > (topic.end() if topic else 0) + 12:
            return False
        # A verb after the lead: "Bộ Xây dựng chỉ đạo …", not "Bộ Y tế - 65,05" or "Thời hạn ban hành: …".
        return bool(re.match(r"\s*[a-z]", view.folded[spans[0][1] :])) and bool(
            _VERB_AFTER_RE.match(view.folded, spans[0][1])
        )

    def _carry_stated_subject(self, node: Node, first: int) -> None:
        """Give the lead an item states as its subject ("1. Về tăng trưởng kinh tế: Tỉnh cần tập trung …") to the
        items after it in the same section that name no one ("2. Cần đánh giá kỹ …", "3. Rà soát …"): a conclusion
        says once whom its tasks are for (``LABELLING.md``: a lead given once applies to every item under it)."""
        carrier: ProposedTask | None = None
        for index in range(first, len(self.tasks)):
            task = self.tasks[index]
            origin = self.origins.get(index)
            if task.lead_unit:
                carrier = task if origin is not None and self._states_subject(task, origin, node) else None
                continue
            if carrier is None or origin is None or origin.parent is None:
                continue
            fire("lead.stated_subject_carried")
            task.lead_unit, task.lead_unit_id = carrier.lead_unit, carrier.lead_unit_id
            task.lead_unit_ids = list(carrier.lead_unit_ids)
            task.unknown_units = list(dict.fromkeys([*carrier.unknown_units, *task.unknown_units]))
            task.sources["lead_unit"] = carrier.sources.get("lead_unit", carrier.lead_unit or "")
            task.rules["lead_unit"] = "lead.stated_subject_carried"
            task.confidence["lead_unit"] = LEAD_CONFIDENCE["lead.stated_subject_carried"]

    @staticmethod
    def _states_subject(task: ProposedTask, origin: Node, node: Node) -> bool:
        """Was ``task`` read from an item of ``node`` (or the first paragraph under its heading) that opens with its
        lead as the subject of "cần"/"phải"?"""
        parent = origin.parent
        if parent is not node and not (
            parent is not None and parent.parent is node and parent.is_heading() and parent.children[0] is origin
        ):
            return False
        if task.rules.get("lead_unit", "").endswith(".inherited"):
            return False
        folded = fold_aligned(task.content)
        written = fold_aligned(task.sources.get("lead_unit", ""))
        return bool(written) and folded.startswith(written) and bool(_MODAL_AFTER_RE.match(folded, len(written)))

    def _sentences_with_own_subject(self, node: Node) -> list[str]:
        """The sentences of a paragraph, cut before each later sentence that opens with a unit and its verb."""
        folded = fold_aligned(node.text)
        view = TextView(node.text)
        cuts = []
        for match in _SENTENCE_END_RE.finditer(node.text):
            refs, end = parse_unit_list(view, self.registry, match.end())
            if (
                refs
                and refs[0].start == match.end()
                and all(ref.kind in ("unit", "group", "unknown") for ref in refs)
                and _VERB_AFTER_RE.match(folded, end)
                and not folded[end:].lstrip().startswith((":", ","))
                and folded[end:].strip()
            ):
                cuts.append(match.end())
        if not cuts:
            return []
        bounds = [0, *cuts, len(node.text)]
        pieces = [node.text[start:stop].strip() for start, stop in itertools.pairwise(bounds)]
        due = _item_deadline_re().search(fold_aligned(pieces[-1]))
        if due is not None:
            # "… chủ trì rà soát … . UBND thành phố Đà Nẵng khẩn trương … . Thời hạn hoàn thành: trước ngày 30/11/2025."
            # The item's last sentence, its deadline field, dates every sentence of the item.
            fire("task.item_deadline_for_each_sentence", len(pieces) - 1)
            sentence = pieces[-1][due.start(1) :]
            pieces = [f"{piece} {sentence}" for piece in pieces[:-1]] + [pieces[-1]]
        return pieces

    def _closing(self, node: Node, first: int, siblings: _Context, context: _Context) -> bool:
        """Apply a closing sentence's deadline ("Các nội dung trên hoàn thành trước ngày 15/12/2025") to items above.

        The sentence may stand alone or end the last item (a hard-wrapped text joins it to the item); the item keeps
        its own words. Tasks above that state no time of their own take the closing's deadline. Returns True when
        the node was handled here (its item, if any, proposed).
        """
        folded = fold_aligned(node.text)
        match = _closing_re().search(folded)
        if match is None:
            return False
        deadline = parse_deadline(
            deadline_view(node.text[match.start() :]), reference=self.reference, not_before=self.reference
        )
        if deadline.is_empty:
            return False
        fire("deadline.closing_sentence")
        before = node.text[: match.start()].strip()
        if before:
            node.text = before
            own = self._own(node, heading=False)
            path = _extend_path(context.path, node.section)
            self._task(node, own, self._merge(siblings, own, node.section or context.section, path))
        for task in self.tasks[first:]:
            if task.deadline is None and not task.recurrence and not task.deadline_text:
                fire("deadline.inherited_from_closing")
                task.deadline, task.deadline_text = deadline.due, deadline.text
                task.recurrence, task.period_key = str(deadline.recurrence), deadline.period_key
                task.sources["deadline"], task.rules["deadline"] = deadline.text, "deadline.closing_sentence"
                task.confidence["deadline"] = DEADLINE_CONFIDENCE["deadline.closing_sentence"]
        return True

    def _merge(self, context: _Context, own: _Own, section: str, path: tuple[str, ...]) -> _Context:
        return _Context(
            lead=tuple(own.lead) or context.lead,
            lead_text=own.lead_text if own.lead else context.lead_text,
            lead_rule=own.lead_rule if own.lead else _inherited(context.lead_rule),
            deadline_rule=own.deadline_rule if not own.deadline.is_empty else _inherited(context.deadline_rule),
            support=tuple(own.support) or (context.support if not own.lead else ()),
            deadline=own.deadline if not own.deadline.is_empty else context.deadline,
            prefix=context.prefix,
            section=section,
            path=path,
        )

    def _task(self, node: Node, own: _Own, context: _Context) -> None:
        content = node.text[own.lead_end :].strip(" :") if own.lead_from_heading else node.text
        folded = fold_aligned(content)
        if not own.deadline.is_empty and own.deadline.due is not None and _ANNEX_MENTION_RE.search(folded):
            # "… xử lý các kiến nghị (Phụ lục kèm theo), hoàn thành trước ngày 15/12/2025": the annex's rows are due
            # then, when its table gives them no time of their own.
            self.annex_deadlines.append(own.deadline)
        if not content or content.rstrip().endswith(":") or _CONTACT_RE.match(folded):
            return
        if _NOT_TASK.search(folded):
            if not _NOT_TASK.search(_ANNEX_POINTER_RE.sub(_blanked, folded)):
                # "… gửi thông tin (hướng dẫn chi tiết tại các Phụ lục kèm theo Công văn) trước ngày 24/11/2025":
                # the annex holds the details of the request, it is not an annex the document issues.
                fire("task.annex_pointer_kept")
            else:
                return
        if node.kind == "para" and own.deadline.is_empty and _PROBLEMS_RE.match(folded):
            # "Trong quá trình triển khai có gì vướng mắc, đề nghị Quý Cơ quan phản hồi về Bộ …": no task.
            fire("task.problems_request_dropped")
            return
        if node.kind == "para" and own.deadline.is_empty and _CLOSING_RE.search(folded):
            return  # "Sở Nội vụ đề nghị các cơ quan, đơn vị phối hợp thực hiện./."
        if not own.lead and _ASSESSMENT_RE.match(folded):
            return  # "Cơ bản thống nhất với báo cáo …", "Ghi nhận …": the conclusion assesses, assigns nothing
        if not own.lead and _permission_re().match(folded):
            # "b) Được phép thực hiện các giải pháp cắt giảm thủ tục …" under a heading of units: a grant, no work.
            fire("task.permission_dropped")
            return
        if len(content.split()) <= 8 and not own.lead and own.deadline.is_empty and not node.fields:
            return
        if context.prefix:
            content = f"{context.prefix} {content}"
        self.origins[len(self.tasks)] = node
        self.tasks.append(
            self._proposed(
                section=context.section,
                path=context.path,
                lead=list(context.lead),
                lead_text=context.lead_text,
                support=list(context.support),
                deadline=context.deadline,
                content=content,
                output=own.output,
                rules=(context.lead_rule, context.deadline_rule),
            )
        )

    def _proposed(
        self,
        *,
        section: str,
        path: tuple[str, ...],
        lead: list[UnitRef],
        lead_text: str,
        support: list[UnitRef],
        deadline: Deadline,
        content: str,
        output: str,
        rules: tuple[str, str] = ("", ""),
    ) -> ProposedTask:
        for error in deadline.errors:
            self.warnings.append(_("Mục %(section)s: %(error)s") % {"section": section or "?", "error": error})
        lead_ids: list[int] = []
        for ref in lead:
            lead_ids.extend(pk for pk in ref.ids if pk not in lead_ids)
        single = lead[0].unit if len(lead) == 1 and lead[0].unit is not None else None
        if single is not None:
            lead_name: str | None = single.name
        elif len(lead) > 1:
            lead_name = ", ".join(dict.fromkeys(ref.name for ref in lead))
        else:
            lead_name = lead_text or (lead[0].name if lead else None)
        lead_keys = {canonical(ref.name) for ref in lead}
        support = [ref for ref in support if canonical(ref.name) not in lead_keys]
        support_ids: list[int] = []
        for ref in support:
            support_ids.extend(pk for pk in ref.ids if pk not in support_ids and pk not in lead_ids)
        unknown = [ref.text for ref in [*lead, *support] if ref.kind == "unknown"]
        return ProposedTask(
            section=section,
            section_path=".".join(path),
            lead_unit=lead_name,
            lead_unit_id=single.id if single is not None else None,
            lead_unit_ids=lead_ids,
            supporting_units=list(dict.fromkeys(ref.name for ref in support)),
            supporting_unit_ids=support_ids,
            content=" ".join(content.split()),
            deadline=deadline.due,
            deadline_text=deadline.text,
            recurrence=str(deadline.recurrence),
            period_key=deadline.period_key,
            unknown_units=list(dict.fromkeys(unknown)),
            output=output,
            **_evidence(lead_text or lead_name, rules[0], deadline, rules[1]),
        )

    # --- tables -------------------------------------------------------------------------------------------------

    def _table(self, node: Node, context: _Context, title: str = "") -> None:
        columns: dict[str, int] | None = None
        group = ""
        rows: list[list[str]] = []
        for row in node.rows:
            folded = [re.sub(r"[^a-z0-9 ]", " ", fold_aligned(cell)) for cell in row]
            if columns is None:
                columns = _table_columns(folded)
                if columns is None and self.columns is not None and len(row) == self.width:
                    columns = self.columns  # the same table, cut in two by a page break
                else:
                    if columns is not None:
                        self.columns, self.width = columns, len(row)
                    continue
            if _table_columns(folded) is not None and all(
                column_kind(cell) != "other" for cell in folded if cell.strip()
            ):
                # The header row again, where the table goes on after a page break: no task.
                fire("table.repeated_header")
                continue
            tt = columns.get("tt")
            if rows and tt is not None and tt < len(row) and not row[tt].strip() and any(cell.strip() for cell in row):
                # A row without its number carries the wrapped ends of the cells above.
                rows[-1] = [
                    " ".join(part for part in (above, below.strip()) if part)
                    for above, below in zip(rows[-1] + [""] * (len(row) - len(rows[-1])), row, strict=False)
                ]
                continue
            rows.append(list(row))
        above: list[str] = []
        for row in rows:
            assert columns is not None
            # A cell merged over several rows is repeated (``DITTO``) in the rows after its first.
            row = [
                above[index] if text.strip() == DITTO and index < len(above) else text for index, text in enumerate(row)
            ]
            above = row
            cell = _cells(row, columns)
            if not cell["content"] or (
                all(not text for name, text in cell.items() if name not in ("content", "tt"))
                and (not cell["tt"] or re.fullmatch(r"[IVX]+\.?|[A-Z]\.?", cell["tt"]))
            ):
                if cell["content"] or cell["tt"]:
                    group = cell["tt"].rstrip(".") if cell["tt"] else group
                continue
            if any(_DONE_CELL_RE.match(fold_aligned(text)) for text in row):
                # A table of results ("Kết quả thực hiện" | "Tiến độ: Đã hoàn thành"): work done is no task.
                fire("table.done_row_skipped")
                continue
            number = cell["tt"].rstrip(".")
            # A decimal number ("1.1") already holds its group's place; a plain one ("1") is read under its group.
            section = number if "." in number else ".".join(part for part in (group, number) if part)
            lead, lead_text = self._cell_units(cell["lead"])
            support, _text = self._cell_units(cell["support"])
            stage = _indicator_stage(columns, title)
            time = _without_start_years(cell["deadline"])
            deadline = parse_deadline(time, reference=self.reference, bare=True)
            if deadline.is_empty and stage is not None:
                # A table of indicators ("Chỉ tiêu" | "Chủ trì") with no time column, titled "… đến năm 2030": each
                # lead monitors its indicator until the end of the stage (``LABELLING.md``).
                fire("deadline.indicator_stage")
                deadline = stage
            elif deadline.is_empty and cell["deadline"]:
                deadline = _year_span(time) or Deadline(text=cell["deadline"])
            elif deadline.due is None and (span := _year_span(time)) is not None:
                # "Hoàn thành trong giai đoạn 2026 - 2027 và thực hiện thường xuyên": the span's end and the rhythm.
                deadline = replace(span, recurrence=deadline.recurrence)
            deadline_rule = "deadline.table_cell" if not deadline.is_empty else _inherited(context.deadline_rule)
            if deadline.is_empty:
                deadline = context.deadline
            lead_rule = "lead.table_cell" if lead else _inherited(context.lead_rule)
            if not lead:
                lead, lead_text = list(context.lead), context.lead_text
            proposed = self._proposed(
                section=section,
                path=_extend_path(context.path, section),
                lead=lead,
                lead_text=lead_text,
                support=[ref for ref in support if ref.kind != "generic"],
                deadline=deadline,
                content=cell["content"],
                output=cell["output"],
                rules=(lead_rule, deadline_rule),
            )
            self.tasks.append(proposed)
            if "deadline" not in columns and deadline.is_empty:
                self.undated_rows.append(proposed)

    def address(self, addressees: list[str]) -> None:
        """Read the letter's one addressee as a lead ("Kính gửi: Ủy ban nhân dân các tỉnh"), if it has one."""
        self.addressee = None
        if len(addressees) != 1:
            return
        view = TextView(addressees[0])
        refs, end = parse_unit_list(view, self.registry, 0)
        whole = view.cut(0, len(view.text))
        if not whole.strip():
            return
        members = tuple(member for ref in refs for member in ref.members)
        if len(refs) == 1 and refs[0].kind == "unit" and end >= len(view.text.rstrip(" .;")) - 1:
            lead = refs
        else:
            kind = "generic" if all(ref.kind == "generic" for ref in refs) else "group"
            lead = [UnitRef(text=whole, start=0, end=len(view.text), members=members, kind=kind)]
        self.addressee = (lead, whole)

    def addressed_to(self, addressees: list[str]) -> None:
        """A letter to one addressee ("Kính gửi: Các cơ sở đào tạo trực thuộc Bộ") asks that addressee to do the
        items of its body that name no one else."""
        self.address(addressees)
        if self.addressee is None:
            return
        lead, whole = self.addressee
        view = TextView(addressees[0])
        refs, _end = parse_unit_list(view, self.registry, 0)
        ids = {pk for ref in lead for pk in ref.ids}
        named = {canonical(ref.name) for ref in lead} | {canonical(ref.text) for ref in refs}
        if any(
            task.lead_unit and ((ids and ids & set(task.lead_unit_ids)) or canonical(task.lead_unit) in named)
            for task in self.tasks
        ):
            # "1. Đối tượng … 3. Nội dung … 4. Cách thức thực hiện …" then "Bộ Tài chính trân trọng đề nghị Ủy ban
            # nhân dân các tỉnh … chỉ đạo …": the letter names its addressee where it asks something of it; the items
            # that name no one describe the event, they are no work of the addressee.
            fire("lead.single_addressee_named_elsewhere")
            return
        for task in self.tasks:
            if task.lead_unit:
                continue
            fire("lead.single_addressee")
            proposed = self._proposed(
                section=task.section,
                path=tuple(task.section_path.split(".")) if task.section_path else (),
                lead=lead,
                lead_text=whole,
                support=[],
                deadline=Deadline(),
                content=task.content,
                output=task.output,
                rules=("lead.single_addressee", task.rules.get("deadline", "")),
            )
            task.lead_unit, task.lead_unit_id, task.lead_unit_ids = (
                proposed.lead_unit,
                proposed.lead_unit_id,
                proposed.lead_unit_ids,
            )
            task.sources["lead_unit"] = proposed.sources.get("lead_unit", whole)
            task.rules["lead_unit"] = "lead.single_addressee"
            task.confidence["lead_unit"] = LEAD_CONFIDENCE["lead.single_addressee"]

    def date_by_closing_request(self, first: int) -> None:
        """A letter's last request dates the items above it that the same unit leads.

        "Đề nghị Ủy ban nhân dân các tỉnh: - Chỉ đạo …; - Giao …" then "Để đảm bảo thời gian …, đề nghị Quý Ủy ban gửi
        báo cáo … chậm nhất ngày 22/11/2025.": the one day of the letter, given once at its end, is when the work
        above is due (``LABELLING.md``: a deadline given once for a block). Only when the request is the last task of
        the body, its own day is the only one among the body's tasks, and the items above state no time.
        """
        tasks = self.tasks[first:]
        if len(tasks) < 2:
            return
        last = tasks[-1]
        if last.deadline is None or last.rules.get("deadline") != "deadline.own" or last.section_path:
            return
        above = tasks[:-1]
        if any(task.deadline is not None or task.recurrence or task.deadline_text for task in above):
            return
        lead = canonical(last.lead_unit or "")
        same = [
            task
            for task in above
            if (last.lead_unit_ids and set(task.lead_unit_ids) == set(last.lead_unit_ids))
            or (lead and canonical(task.lead_unit or "") == lead)
        ]
        if len(same) != len(above):
            if (
                not same
                or 2 * len(same) < len(above)
                or any(task.rules.get("lead_unit") == "lead.single_addressee" for task in above)
            ):
                return
            # "- Chỉ đạo các Sở, ngành …; - Giao Thống kê tỉnh, thành phố chủ trì …" then "… đề nghị Quý Ủy ban gửi
            # báo cáo … chậm nhất ngày 22/11/2025": the addressee's own work and what it hands to its office are
            # due together; most of the items are the same unit's.
            fire("deadline.closing_request_handed_on", len(above) - len(same))
            same = above
        for task in same:
            fire("deadline.closing_request")
            task.deadline, task.deadline_text = last.deadline, last.deadline_text
            task.recurrence, task.period_key = last.recurrence, last.period_key
            task.sources["deadline"], task.rules["deadline"] = last.deadline_text, "deadline.closing_request"
            task.confidence["deadline"] = DEADLINE_CONFIDENCE["deadline.closing_request"]

    def date_annex_rows(self) -> None:
        """Give the rows of an annex table with no time column the one deadline the body sets for "the annex"."""
        days = {deadline.due for deadline in self.annex_deadlines}
        if len(days) != 1 or not self.undated_rows:
            return
        deadline = self.annex_deadlines[0]
        for task in self.undated_rows:
            if task.deadline is None and not task.recurrence:
                fire("deadline.annex_reference")
                task.deadline, task.deadline_text = deadline.due, deadline.text
                task.recurrence, task.period_key = str(deadline.recurrence), deadline.period_key
                task.sources["deadline"], task.rules["deadline"] = deadline.text, "deadline.annex_reference"
                task.confidence["deadline"] = DEADLINE_CONFIDENCE["deadline.annex_reference"]

    def _cell_units(self, text: str) -> tuple[list[UnitRef], str]:
        if not text.strip():
            return [], ""
        text = _without_manner(text)
        view = TextView(text)
        refs, end = parse_unit_list(view, self.registry, 0)
        if not refs:
            return [UnitRef(text=view.cut(0, len(text)), start=0, end=len(text), kind="unknown")], view.cut(
                0, len(text)
            )
        if view.folded[end:].strip(" .,;:") and all(ref.kind in ("group", "generic") for ref in refs):
            # A unit column holds its lead whole: "Các cơ quan, bộ, ngành và địa phương", "Các thành phố trực thuộc
            # Trung ương" are read short ("Các cơ quan") by the name reader; the cell says them as the field would.
            fire("lead.table_cell_whole_group")
            whole = view.cut(refs[0].start, len(text)).strip(" .,;")
            members = tuple(member for ref in refs for member in ref.members)
            kind = "generic" if all(ref.kind == "generic" for ref in refs) else "group"
            return [UnitRef(text=whole, start=refs[0].start, end=len(text), members=members, kind=kind)], whole
        return refs, view.cut(refs[0].start, end)


_YEAR_SPAN = re.compile(
    r"^(?:(?:giai\s+doan|nam|tu\s+nam)\s+)?((?:19|20)\d{2})(?:\s*(?:-|den(?:\s+nam)?)\s*((?:19|20)\d{2}))?\b"
    r"|\b(?:giai\s+doan|nam)\s+((?:19|20)\d{2})\s*-\s*((?:19|20)\d{2})\b"
)


def _year_span(cell: str) -> Deadline | None:
    """A table's time cell that gives only years ("2026", "2026 - 2027", "Giai đoạn 2026-2030"): due at the end of
    the last year. In a table the time column is the row's own, not the plan's overall span."""
    found = _YEAR_SPAN.search(" ".join(re.sub(r"[^a-z0-9-]", " ", fold_aligned(cell)).split()))
    if found is None:
        return None
    fire("deadline.table_year_span")
    year = int(found.group(4) or found.group(2) or found.group(1) or found.group(3))
    return Deadline(
        text=cell, due=datetime.date(year, 12, 31), period=Period(year=year, kind=PeriodKind.YEAR, number=1)
    )


# "Triển khai từ năm 2026", "mở rộng sau năm 2028": when work starts or goes on, not when it is due.
_START_YEAR_RE = re.compile(r"(?<![a-z])(?:tu|sau|bat\s+dau\s+tu)\s+(?:nam\s+)?(?:19|20)\d{2}(?!\s*(?:-|den|–))")


def _without_start_years(cell: str) -> str:
    """A table's time cell with its years of start blanked ("Triển khai từ năm 2026 và thực hiện thường xuyên")."""
    blanked = _blank(cell, [found.span() for found in _START_YEAR_RE.finditer(fold_aligned(cell))])
    if blanked != cell:
        fire("deadline.table_start_year_blanked")
    return blanked


_STAGE_RE = re.compile(r"(?<![a-z])(?:den\s+nam|giai\s+doan)\s+(?:(?:19|20)\d{2}\s*[-–]\s*)?((?:19|20)\d{2})(?![0-9])")


def _indicator_stage(columns: dict[str, int] | None, title: str) -> Deadline | None:
    """The end of the stage an indicator table's title names ("Phân công thực hiện các chỉ tiêu … đến năm 2030",
    "… giai đoạn 2026 - 2030"), for a table whose content is its indicators and which has no time column."""
    if not columns or columns.get("indicator") is None or "deadline" in columns or "lead" not in columns:
        return None
    found = _STAGE_RE.search(fold_aligned(title))
    if found is None:
        return None
    year = int(found.group(1))
    return Deadline(
        text=title[found.start() : found.end()],
        due=datetime.date(year, 12, 31),
        period=Period(year=year, kind=PeriodKind.YEAR, number=1),
    )


def _table_columns(folded: list[str]) -> dict[str, int] | None:
    """The columns of a task table from its header row (the first of each kind, by :func:`column_kind`)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(folded):
        kind = column_kind(cell)
        if kind != "other":
            columns.setdefault(kind, index)
    if "content" not in columns and "output" in columns:
        columns["content"] = columns.pop("output")  # "Chỉ tiêu" is what the row asks for when nothing else does
        if "chi tieu" in " ".join(folded[columns["content"]].split()):
            columns["indicator"] = columns["content"]
    if "content" in columns and ("lead" in columns or "deadline" in columns):
        return columns
    return None


def _cells(row: list[str], columns: dict[str, int]) -> dict[str, str]:
    def at(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    return {name: at(name) for name in ("tt", "content", "lead", "support", "deadline", "output")}


def _extend_path(path: tuple[str, ...], section: str) -> tuple[str, ...]:
    """ "II" + "2" → "II.2"; "1" + "1.2" → "1.2" (a decimal marker already holds its parents)."""
    if not section:
        return path
    if path and section.startswith(path[-1] + "."):
        return (*path[:-1], section)
    return (*path, section)


def _inherited(rule: str) -> str:
    return rule if not rule or rule.endswith(".inherited") else f"{rule}.inherited"


def _confidence(table: dict[str, float], rule: str) -> float:
    inherited = rule.endswith(".inherited")
    base = table.get(rule.removesuffix(".inherited"), 0.5)
    return round(base * INHERITED_FACTOR if inherited else base, 2)


def _evidence(lead: str | None, lead_rule: str, deadline: Deadline, deadline_rule: str) -> dict[str, Any]:
    """The source words, rule and confidence of a task's lead and deadline (see :class:`ProposedTask`)."""
    sources: dict[str, str] = {}
    rules: dict[str, str] = {}
    confidence: dict[str, float] = {}
    if lead:
        sources["lead_unit"], rules["lead_unit"] = lead, lead_rule
        confidence["lead_unit"] = _confidence(LEAD_CONFIDENCE, lead_rule)
    if not deadline.is_empty:
        sources["deadline"], rules["deadline"] = deadline.text, deadline_rule
        confidence["deadline"] = _confidence(DEADLINE_CONFIDENCE, deadline_rule)
    return {"sources": sources, "rules": rules, "confidence": confidence}


@functools.cache
def _closing_re() -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=[.;]\s))\s*(?:{alternation('closing_scope')})(?![a-z])")


def _skip_heading(node: Node, registry: Registry) -> bool:
    if not node.children or not node.is_heading():
        return False
    words = re.sub(r"[^a-z0-9 ]", "", fold_aligned(node.text)).split()
    text = " ".join(words)
    if re.match(r"(?:ve\s+)?yeu\s+cau\s+(?!chung|cu\s+the|doi\s+voi|$)\S+\s+\S+", text):
        return False  # "Yêu cầu Chủ tịch UBND các xã, phường:" assigns; "Yêu cầu" alone states requirements
    if not (_SKIP_HEADINGS.match(text) and not _KEEP_HEADINGS.search(text)):
        return False
    if any("lead" in child.fields for child in node.children):
        # "II. NỘI DUNG" over "1. Tổ chức tập huấn … - Cơ quan chủ trì: Sở Nội vụ": its items name their leads.
        fire("heading.kept_for_lead_fields")
        return False
    for child in node.children:
        # A heading cut by a line wrap ("II. NỘI DUNG / THỰC HIỆN") over items that open with a named unit
        # ("1. Sở Y tế") heads tasks, whatever its first words say.
        view = TextView(child.text)
        refs, end = parse_unit_list(view, registry, 0)
        if (
            child.kind != "table"
            and refs
            and any(ref.kind in ("unit", "unknown") for ref in refs)
            # "Tỉnh Đắk Lắk (mới) có quy mô …" under "I. ĐÁNH GIÁ CHUNG" describes the unit; it is no item.
            and _VERB_AFTER_RE.match(view.folded, end)
        ):
            fire("heading.kept_for_named_units")
            return False
    fire("heading.skipped_explanation")
    return True


# How much of the shorter of two contents (pairs of words, over their first words) the other must hold for an
# undated body item to repeat an annex row of the same lead.
REPEAT_OVERLAP = 0.7
_REPEAT_WORDS = 40


def _word_pairs(text: str) -> set[str]:
    words = re.sub(r"[^a-z0-9 ]", " ", fold_aligned(text)).split()[:_REPEAT_WORDS]
    return {f"{first} {second}" for first, second in itertools.pairwise(words)}


def _same_lead(task: ProposedTask, other: ProposedTask) -> bool:
    if task.lead_unit_ids and other.lead_unit_ids:
        return set(task.lead_unit_ids) == set(other.lead_unit_ids)
    return canonical(task.lead_unit or "") == canonical(other.lead_unit or "")


def _without_body_repeats_of_rows(tasks: list[ProposedTask]) -> list[ProposedTask]:
    """Drop an undated item under a unit's heading that an annex row of the same unit repeats, with its time.

    A plan's "Tổ chức thực hiện" lists under "1. Sở Khoa học và Công nghệ:" the work its annex gives the same
    department row by row ("Xây dựng và triển khai Chương trình/ Đề án … | Sở Khoa học và Công nghệ | 2025 - 2035"):
    the work is one task, the row's, which has the time.
    """
    rows = [task for task in tasks if task.rules.get("lead_unit", "").startswith("lead.table_")]
    if not rows:
        return tasks
    kept = []
    for task in tasks:
        if (
            task.rules.get("lead_unit", "").endswith(".inherited")
            and task.deadline is None
            and not task.recurrence
            and any(_repeats(task, row) for row in rows)
        ):
            fire("task.body_repeat_of_annex_row")
            continue
        kept.append(task)
    return kept


def _repeats(task: ProposedTask, row: ProposedTask) -> bool:
    if not _same_lead(task, row):
        return False
    mine, theirs = _word_pairs(task.content), _word_pairs(row.content)
    return bool(mine and theirs) and len(mine & theirs) >= REPEAT_OVERLAP * min(len(mine), len(theirs))


def _issuer(header: Header, issuing_unit: RegistryUnit | None, text: str) -> str:
    if header.issuer_lines:
        return _proper_case(" ".join(header.issuer_lines))
    if issuing_unit is not None:
        return issuing_unit.name
    symbol = header.reference.rsplit("/", 1)[-1] if header.reference else ""
    folded = fold_aligned(text)
    if header.place and "ubnd" in fold_aligned(symbol):
        for level in ("huyen", "tinh", "thanh pho", "thi xa", "xa", "phuong"):
            if re.search(rf"(?:ubnd|uy ban nhan dan)\s+{level}(?![a-z])", folded):
                return f"UBND {level_label(level)} {header.place}"
    return ""


def level_label(level: str) -> str:
    return {
        "huyen": "huyện",
        "tinh": "tỉnh",
        "thanh pho": "thành phố",
        "thi xa": "thị xã",
        "xa": "xã",
        "phuong": "phường",
    }[level]


_KEEP_UPPER = {"ubnd", "hdnd", "mttq", "ubmttq", "uy", "ub"}
_LEVELS = {"tinh", "huyen", "xa", "phuong", "quan", "thi", "thanh", "dac"}


def _proper_case(text: str) -> str:
    """ "ỦY BAN NHÂN DÂN HUYỆN ĐOAN HÙNG" → "Ủy ban nhân dân huyện Đoan Hùng"."""
    words = text.split()
    result: list[str] = []
    name_follows = False
    for index, word in enumerate(words):
        folded = fold_aligned(word)
        if not word.isupper():
            result.append(word)
            continue
        if folded in _KEEP_UPPER and folded not in ("uy",):
            result.append(word)
        elif name_follows or index == 0:
            result.append(word[:1] + word[1:].lower())
        else:
            result.append(word.lower())
        if folded in _LEVELS:
            name_follows = folded not in ("thi", "thanh", "dac")
        elif (
            folded in ("xa", "pho", "tran", "khu")
            and index
            and fold_aligned(words[index - 1]) in ("thi", "thanh", "dac")
        ):
            name_follows = True
    return " ".join(result)


def extract_lines(
    text: str,
    *,
    issuing_unit: RegistryUnit | None = None,
    units: Iterable[RegistryUnit] | None = None,
    source: UnitSource | None = None,
    learned: bool | None = None,
) -> Extraction:
    lines = clean_lines(text)
    header = parse_header(lines)
    reference = header.reference_date
    warnings = list(header.warnings)
    on = header.date or (datetime.date(header.year, 12, 31) if header.year else None)
    if issuing_unit is None and units is None and source is not None and header.issuer_lines:
        names = [" ".join(header.issuer_lines), *header.issuer_lines[::-1]]
        issuing_unit = find_issuing_unit(names, source=source, on=on)
    registry = registry_for(issuing_unit=issuing_unit, units=units, source=source, on=on)
    if issuing_unit is None and units is not None and header.issuer_lines:
        issuing_unit = registry.match_name(" ".join(header.issuer_lines)) or registry.match_name(
            header.issuer_lines[-1]
        )
        registry.issuing = issuing_unit
    if reference is None:
        warnings.append(_("Không xác định được ngày ban hành; các thời hạn không ghi năm sẽ không được suy ra."))
    extractor = _Extractor(registry, reference)
    for number, (start, end) in enumerate(header.body or [(0, len(lines))]):
        # The directive, then each attachment (a plan, an appendix), as separate trees.
        first = len(extractor.tasks)
        extractor.address(header.addressees if number == 0 else [])
        extractor.walk(build_tree(_without_preamble(paragraphs(lines[start:end]))), _Context())
        if number == 0:
            extractor.addressed_to(header.addressees)
            extractor.date_by_closing_request(first)
    warnings.extend(extractor.warnings)
    extractor.date_annex_rows()
    # "Sở Y tế: Chủ trì các nhiệm vụ tại mục IV.5" gives its lead to the items of IV.5, which state none.
    extractor.tasks = resolve_cross_references(extractor.tasks)
    extractor.tasks = _without_body_repeats_of_rows(extractor.tasks)
    # A proposal with no lead, own or inherited, is an explanation, a principle or a target, not a task: the
    # labelled real directives give a lead to all but one of their 2,900 tasks.
    leadless = [task for task in extractor.tasks if not task.lead_unit]
    if leadless:
        fire("task.dropped_without_lead", len(leadless))
        extractor.tasks = [task for task in extractor.tasks if task.lead_unit]
    # --- optional learned second opinion (learned.py; ``learned`` None: its ENABLED_BY_DEFAULT) ---
    if learned_labeller.ENABLED_BY_DEFAULT if learned is None else learned:
        extractor.tasks = learned_labeller.refine(extractor.tasks)
    # --- end of the learned second opinion ---
    if not extractor.tasks:
        warnings.append(_("Không tìm thấy nhiệm vụ nào được giao trong văn bản; hãy thêm nhiệm vụ bằng tay."))
    unknown = sorted({name for task in extractor.tasks for name in task.unknown_units})
    if unknown:
        warnings.append(_("Đơn vị chưa có trong danh mục: %(units)s.") % {"units": "; ".join(unknown)})
    return Extraction(
        reference=header.reference,
        date=header.date,
        issuer=_issuer(header, issuing_unit, text),
        signer=header.signer,
        subject=header.subject,
        addressees=header.addressees,
        kind=header.kind if header.kind in KINDS else "other",
        text="\n".join(line for line in lines),
        tasks=extractor.tasks,
        warnings=warnings,
        issuer_unit_id=issuing_unit.id if issuing_unit is not None else None,
        signer_title=header.signer_title,
        recipients=header.recipients,
    )
