"""Demo directives: the three shared seed directives, with their tasks at every stage of follow-up.

Built on the province demo (:mod:`cchc.demo.loaders`) and through the same services as the product, so the
audit trail, statuses and the published on-time rates are what a real province would see.

How the seeds are used (illustrative data, documented in each directive's note):

* **Đoan Hùng, công văn 8/2021** — read by the extraction engine against the former district's offices and
  communes. The district closed on 30/6/2025, so this is history: every task is done (some late), the yearly
  self-assessment tasks recur 2021–2024. The document leaves the day blank; 25/8/2021 is used.
* **Văn phòng UBND tỉnh, kế hoạch PAR Index và SIPAS** — read by the extraction engine against the provincial
  office's own divisions. The plan is of 2022; in the demo it is dated 75 days before the day the demo is first
  loaded, with deadlines spread around that day so the tracker is alive: done on time, done late, overdue,
  due soon, waiting for acceptance, and a monthly recurring report.
* **Phong Thổ, thông báo kết luận 176/TB-UBND** — an OCR text of a district in another province. Its tasks are
  written out by hand with their diacritics restored and given to the Phú Thọ departments that hold the same
  duties at provincial level (Phòng Nội vụ → Sở Nội vụ, Văn phòng HĐND-UBND → Văn phòng UBND tỉnh, …) and to
  every commune and ward ("UBND các xã, thị trấn"); dated 72 days before the first load.

Idempotent: a directive is looked up by its issuing unit and reference and never loaded twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.lib.periods import Period
from cchc.organisations.models import Unit, UnitKind

from . import services
from .extraction_registry import extract_text
from .models import Assignment, DeadlineKind, Directive, DirectiveKind, ExpectedOutput, Recurrence, ReviewState

NOTE = "Dữ liệu minh họa."


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


# The seed texts; the extraction engine's labelled set (tests/extraction/data/index.json) reads them from here too.
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"


@dataclass(frozen=True)
class HandTask:
    section: str
    content: str
    units: tuple[str, ...]  # unit codes; "communes" stands for every commune and ward of the province
    lead_label: str
    output: str = ExpectedOutput.OTHER


def _seed_text(name: str) -> str:
    path = SEEDS / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _users() -> dict[str, User | None]:
    names = ("thuongtruc", "daumoi", "daumoi_xa")
    found = {user.username: user for user in User.objects.filter(username__in=names)}
    return {name: found.get(name) for name in names}


def _extract(text: str, issuing_unit: Unit) -> list[Any]:
    """Proposed tasks from the extraction engine (none when the seed text is missing)."""
    if not text:
        return []
    return list(extract_text(text, issuing_unit=issuing_unit).tasks)


def _units_of(proposal: Any, day: datetime.date) -> list[Unit]:
    ids = list(proposal.lead_unit_ids) or ([proposal.lead_unit_id] if proposal.lead_unit_id else [])
    return [unit for unit in Unit.objects.filter(pk__in=ids).order_by("path") if unit.is_active(day)]


def _report(assignment: Assignment, *, day: datetime.date, percent: int, text: str, author: User | None) -> Any:
    return services.report_submit(
        actor=author, assignment=assignment, percent=percent, text=text, submitted_on=min(day, timezone.localdate())
    )


def _complete(
    assignment: Assignment, *, day: datetime.date, users: dict[str, User | None], author: User | None = None
) -> None:
    report = _report(
        assignment, day=day, percent=100, text="Đã hoàn thành nhiệm vụ, có báo cáo kết quả kèm theo.", author=author
    )
    if report.review_state == ReviewState.PENDING:
        services.report_accept(actor=users["thuongtruc"], report=report, comment="Đạt yêu cầu.", publish=False)


def _author_for(unit: Unit, users: dict[str, User | None]) -> User | None:
    if unit.code == "PT-STP":
        return users["daumoi"]
    if unit.code == "PT-X-DOANHUNG":
        return users["daumoi_xa"]
    return None


# ---------------------------------------------------------------------------
# Đoan Hùng 2021: history of a closed district


DOAN_HUNG_ISSUED = datetime.date(2021, 8, 25)
DOAN_HUNG_FALLBACK = {"Đài Truyền thanh - Truyền hình huyện": "PT-DH-TTVHTTTT"}


def _load_doan_hung(users: dict[str, User | None]) -> Directive | None:
    district = Unit.objects.filter(code="PT-DH").first()
    if district is None or Directive.objects.filter(issuing_unit=district, reference="/UBND-NV").exists():
        return None
    proposals = _extract(_seed_text("doan-hung-2021-cong-van-nang-cao-par-index.txt"), district)
    if not proposals:
        return None
    tasks = []
    for proposal in proposals:
        units = _units_of(proposal, DOAN_HUNG_ISSUED)
        if not units and proposal.lead_unit in DOAN_HUNG_FALLBACK:
            units = list(Unit.objects.filter(code=DOAN_HUNG_FALLBACK[proposal.lead_unit]))
        if not units:
            continue
        recurring = proposal.recurrence == Recurrence.YEARLY and not proposal.period_key
        tasks.append(
            services.TaskData(
                content=proposal.content,
                section=proposal.section,
                lead_label=proposal.lead_unit or "",
                units=units,
                deadline_kind=DeadlineKind.RECURRING if recurring else DeadlineKind.CONTINUOUS,
                recurrence=Recurrence.YEARLY if recurring else "",
                deadline_text=proposal.deadline_text,
            )
        )
    directive = services.directive_create_with_tasks(
        actor=None,
        data=services.DirectiveData(
            kind=DirectiveKind.OFFICIAL_LETTER,
            reference="/UBND-NV",
            issued_on=DOAN_HUNG_ISSUED,
            issuing_unit=district,
            signer="Đào Quý Cường",
            subject=(
                "V/v đẩy mạnh cải cách hành chính (CCHC), nâng cao chỉ số CCHC (PAR INDEX) và mức độ hài lòng "
                "của người dân, tổ chức về sự phục vụ hành chính."
            ),
            addressees="Ủy ban MTTQ huyện; Hội Cựu chiến binh huyện; Các phòng chuyên môn, đơn vị sự nghiệp; "
            "Bưu điện huyện; UBND các xã, thị trấn.",
            horizon_end=datetime.date(2024, 12, 31),
            note=NOTE + " Văn bản gốc để trống ngày; dùng ngày 25/8/2021. Huyện Đoan Hùng kết thúc hoạt động "
            "ngày 30/6/2025: các nhiệm vụ là lịch sử, đều đã hoàn thành.",
            text=_seed_text("doan-hung-2021-cong-van-nang-cao-par-index.txt"),
        ),
        tasks=tasks,
        reason=NOTE,
    )
    rows = directive.assignments.select_related("occurrence", "unit").order_by("pk")
    for number, assignment in enumerate(rows):
        due = assignment.due_date or datetime.date(2025, 6, 20)
        late = number % 5 == 4
        day = due + datetime.timedelta(days=12) if late else due - datetime.timedelta(days=6)
        _complete(assignment, day=day, users=users)
    return directive


# ---------------------------------------------------------------------------
# Văn phòng UBND tỉnh: the living plan


# Deadlines of the living directives, as days after the issue date ("issue") or from today ("today"), and
# what the unit did; the same index pairs them for a task given to one unit.
DUES = [("issue", 30), ("issue", 40), ("issue", 45), ("today", 5), ("today", 25), ("today", 3), ("issue", 55)]
BEHAVIOURS = ["on_time", "late", "partial", "partial", "none", "waiting", "none"]


def _due(index: int, issued: datetime.date, today: datetime.date) -> datetime.date:
    base, days = DUES[index % len(DUES)]
    return (issued if base == "issue" else today) + datetime.timedelta(days=days)


def _act(
    assignment: Assignment, behaviour: str, issued: datetime.date, today: datetime.date, users: dict[str, User | None]
) -> None:
    """Make the unit's record match ``behaviour`` relative to its due date (never in the future)."""
    due = assignment.due_date
    if due is None or behaviour == "none":
        return
    author = _author_for(assignment.unit, users)
    if behaviour == "late" and due + datetime.timedelta(days=7) > today:
        behaviour = "partial"
    if behaviour == "on_time":
        _complete(assignment, day=max(issued, min(due - datetime.timedelta(days=4), today)), users=users, author=author)
    elif behaviour == "late":
        _complete(assignment, day=due + datetime.timedelta(days=7), users=users, author=author)
    elif behaviour == "waiting":
        _report(
            assignment,
            day=max(issued, min(due - datetime.timedelta(days=2), today)),
            percent=100,
            text="Đã hoàn thành, gửi kèm báo cáo kết quả.",
            author=author,
        )
    else:
        _report(
            assignment,
            day=max(issued, min(due - datetime.timedelta(days=5), today)),
            percent=60,
            text="Đang triển khai; đã hoàn thành phần lớn nội dung.",
            author=author,
        )


def _load_vp_plan(users: dict[str, User | None], today: datetime.date) -> Directive | None:
    office = Unit.objects.filter(code="PT-VP").first()
    if office is None or Directive.objects.filter(issuing_unit=office, reference="B_3b/KH-VP").exists():
        return None
    issued = today - datetime.timedelta(days=75)
    proposals = [
        p for p in _extract(_seed_text("vp-ubnd-tinh-2022-ke-hoach-par-sipas.txt"), office) if _units_of(p, issued)
    ]
    if not proposals:
        return None
    tasks = []
    for number, proposal in enumerate(proposals):
        units = _units_of(proposal, issued)
        if proposal.recurrence == Recurrence.CONTINUOUS and number % 2:
            # "Báo cáo định kỳ Quý II, III, IV, 6 tháng, năm": followed as a monthly report.
            tasks.append(
                services.TaskData(
                    content=proposal.content,
                    section=proposal.section,
                    lead_label=proposal.lead_unit or "",
                    units=units,
                    deadline_kind=DeadlineKind.RECURRING,
                    recurrence=Recurrence.MONTHLY,
                    deadline_text=proposal.deadline_text or "định kỳ",
                    expected_output=ExpectedOutput.REPORT,
                )
            )
            continue
        tasks.append(
            services.TaskData(
                content=proposal.content,
                section=proposal.section,
                lead_label=proposal.lead_unit or "",
                units=units,
                deadline_kind=DeadlineKind.DATE,
                deadline=_due(number, issued, today),
                deadline_text=proposal.deadline_text,
            )
        )
    directive = services.directive_create_with_tasks(
        actor=None,
        data=services.DirectiveData(
            kind=DirectiveKind.PLAN,
            reference="B_3b/KH-VP",
            issued_on=issued,
            issuing_unit=office,
            signer="Lê Thị Thanh Thủy",
            subject="Kế hoạch nâng cao Chỉ số cải cách hành chính và Chỉ số hài lòng về sự phục vụ của cơ quan "
            "hành chính nhà nước",
            addressees="Các phòng, đơn vị thuộc Văn phòng UBND tỉnh.",
            note=NOTE + " Kế hoạch gốc năm 2022 (ký hiệu lưu B_3b); ngày ban hành và thời hạn được dời về thời "
            "điểm nạp dữ liệu minh họa để bảng theo dõi có đủ các tình trạng.",
            text=_seed_text("vp-ubnd-tinh-2022-ke-hoach-par-sipas.txt"),
        ),
        tasks=tasks,
        reason=NOTE,
    )
    _stage_assignments(directive, issued, today, users)
    return directive


def _stage_assignments(
    directive: Directive, issued: datetime.date, today: datetime.date, users: dict[str, User | None]
) -> None:
    for task_number, task in enumerate(directive.tasks.order_by("position")):
        rows = list(task.assignments.select_related("unit", "occurrence").order_by("due_date", "unit__path"))
        if task.deadline_kind == DeadlineKind.RECURRING:
            for number, assignment in enumerate(rows):
                due = assignment.due_date
                if due is not None and due < today:
                    _act(assignment, "late" if number % 3 == 1 else "on_time", issued, today, users)
            continue
        for number, assignment in enumerate(rows):
            # Fanned-out tasks vary by unit, so one task shows several stages in its roll-up.
            _act(assignment, BEHAVIOURS[(task_number + number) % len(BEHAVIOURS)], issued, today, users)


# ---------------------------------------------------------------------------
# Phong Thổ 176/TB-UBND: conclusions given to the province's departments and communes

PHONG_THO_TASKS = [
    HandTask(
        "(1)",
        "Các đơn vị có chỉ số xếp hạng thấp: rà soát ngay các hạn chế, thiếu sót qua đánh giá công tác cải cách "
        "hành chính và kết quả khảo sát hài lòng, xây dựng kế hoạch khắc phục, xác định rõ trách nhiệm của từng "
        "bộ phận, cá nhân.",
        ("PT-P-THANHMIEU", "PT-P-VANPHU", "PT-X-TAYCOC"),
        "Các đơn vị có chỉ số xếp hạng thấp",
        ExpectedOutput.PLAN,
    ),
    HandTask(
        "(2)",
        "Chủ trì, phối hợp với các cơ quan, đơn vị, UBND các xã tổ chức triển khai có hiệu quả kế hoạch CCHC; "
        "tổ chức kiểm tra công tác cải cách hành chính; theo dõi, đôn đốc thực hiện Kế hoạch cải thiện, nâng cao "
        "Chỉ số CCHC.",
        ("PT-SNV",),
        "Sở Nội vụ",
        ExpectedOutput.REPORT,
    ),
    HandTask(
        "(3)",
        "Tham mưu xây dựng Kế hoạch công tác năm, hằng tháng và tổng hợp báo cáo kết quả thực hiện; không để hồ "
        "sơ giải quyết thủ tục hành chính ngoài hệ thống, trễ hẹn mà không có văn bản xin lỗi.",
        ("PT-VP",),
        "Văn phòng UBND tỉnh",
        ExpectedOutput.PLAN,
    ),
    HandTask(
        "(4)",
        "Hướng dẫn các cơ quan, đơn vị quản lý tài chính, ngân sách; đẩy nhanh tiến độ giải ngân, quyết toán; "
        "hạn chế tối đa sai phạm trong quản lý, sử dụng kinh phí.",
        ("PT-STC",),
        "Sở Tài chính",
    ),
    HandTask(
        "(5)",
        "Chủ trì, phối hợp với các cơ quan, đơn vị liên quan duy trì rà soát văn bản quy phạm pháp luật và theo "
        "dõi thi hành pháp luật; kiểm tra văn bản do UBND các xã ban hành theo thẩm quyền.",
        ("PT-STP",),
        "Sở Tư pháp",
        ExpectedOutput.REPORT,
    ),
    HandTask(
        "(6)",
        "Tiếp tục xây dựng, biên tập tin, bài, phóng sự tuyên truyền về cải cách hành chính và phản hồi ý kiến "
        "của người dân, doanh nghiệp.",
        ("PT-PTTH",),
        "Đài Phát thanh và Truyền hình tỉnh",
    ),
    HandTask(
        "(7)",
        "Phối hợp với Văn phòng UBND tỉnh tuyên truyền về thủ tục hành chính thực hiện qua dịch vụ bưu chính công ích.",
        ("PT-SKHCN", "PT-BD"),
        "Sở Khoa học và Công nghệ; Bưu điện tỉnh",
    ),
    HandTask(
        "(9)",
        "Xây dựng kế hoạch cụ thể hóa Kế hoạch CCHC năm và Kế hoạch cải thiện, nâng cao Chỉ số CCHC tại đơn vị; "
        "tiếp nhận hồ sơ, trả kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích; duy trì hệ "
        "thống quản lý chất lượng TCVN ISO 9001:2015.",
        ("communes",),
        "UBND các xã, phường",
        ExpectedOutput.PLAN,
    ),
]


def _hand_units(codes: Sequence[str], province: Unit, day: datetime.date) -> list[Unit]:
    if "communes" in codes:
        return list(Unit.objects.subtree_of(province).active(day).filter(kind=UnitKind.COMMUNE).order_by("path"))
    return list(Unit.objects.filter(code__in=codes).active(day).order_by("path"))


def _load_phong_tho(users: dict[str, User | None], today: datetime.date) -> Directive | None:
    province = Unit.objects.filter(code="PT").first()
    if province is None or Directive.objects.filter(issuing_unit=province, reference="176/TB-UBND").exists():
        return None
    issued = today - datetime.timedelta(days=72)
    tasks = []
    for number, hand in enumerate(PHONG_THO_TASKS):
        units = _hand_units(hand.units, province, issued)
        if not units:
            continue
        tasks.append(
            services.TaskData(
                content=hand.content,
                section=hand.section,
                lead_label=hand.lead_label,
                units=units,
                expected_output=hand.output,
                deadline_kind=DeadlineKind.DATE,
                deadline=_due(number + 2, issued, today),
                deadline_text="6 tháng cuối năm",
            )
        )
    directive = services.directive_create_with_tasks(
        actor=None,
        data=services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            reference="176/TB-UBND",
            issued_on=issued,
            issuing_unit=province,
            signer="Vũ Văn Trung",
            subject="Kết luận của Chủ tịch UBND tại Hội nghị phân tích, đánh giá Chỉ số cải cách hành chính "
            "(PAR INDEX) và công bố Chỉ số cải cách hành chính của UBND các xã",
            addressees="Các cơ quan chuyên môn; UBND các xã, phường.",
            note=NOTE + " Chuyển thể từ Thông báo 176/TB-UBND ngày 09/9/2022 của UBND huyện Phong Thổ (bản OCR): "
            "nhiệm vụ của các phòng huyện được giao cho các sở có chức năng tương ứng của tỉnh; ngày tháng được "
            "dời về thời điểm nạp dữ liệu minh họa.",
            text=_seed_text("phong-tho-2022-thong-bao-ket-luan-ocr.txt"),
        ),
        tasks=tasks,
        reason=NOTE,
    )
    _stage_assignments(directive, issued, today, users)
    return directive


def _publish(directives: Iterable[Directive]) -> None:
    periods: set[Period] = set()
    for directive in directives:
        for due in directive.assignments.exclude(due_date__isnull=True).values_list("due_date", flat=True).distinct():
            if due is not None:
                periods.update(services.periods_containing(due))
    for period in sorted(periods):
        services.stats_publish(actor=None, period=period)


@transaction.atomic
def load_demo(*, stdout: Writer | None = None, today: datetime.date | None = None) -> list[Directive]:
    """Load the seed directives onto the province demo; returns the directives created by this run."""
    day = today or timezone.localdate()
    users = _users()
    loaded = [
        directive
        for directive in (_load_doan_hung(users), _load_vp_plan(users, day), _load_phong_tho(users, day))
        if directive is not None
    ]
    _publish(loaded)
    if stdout is not None and loaded:
        count = sum(directive.assignments.count() for directive in loaded)
        stdout.write(
            _("Văn bản chỉ đạo minh họa: %(directives)d văn bản, %(assignments)d lượt theo dõi nhiệm vụ.")
            % {"directives": len(loaded), "assignments": count}
            + "\n"
        )
    return loaded
