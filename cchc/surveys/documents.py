"""The summary report of a questionnaire's results in Word (.docx), with its tables and charts.

The report covers what the results page shows for the same filter (period, unit subtree, channel, respondent group)
and the same reader: every figure comes from the page's own functions — ``selectors.results_with_breakdown`` for the
index, the elements, the questions and the breakdown by unit, ``selectors.results_breakdown`` for the breakdowns by
channel and respondent group, ``results.index_interval`` for the interval of the index, and
``comments.counted_comment_counts`` for the comments —; this module only lays them out.

The charts (elements against the target, the index of each unit) are drawn by matplotlib with its Agg backend into
PNG images, in DejaVu Sans (shipped with matplotlib), which has every Vietnamese letter; nothing is fetched from the
network. Like the other documents of cchc (``assessments.documents``), the report is written in Vietnamese whatever
the reader's language, so its text is not marked for translation.
"""

from __future__ import annotations

import datetime
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from cchc.indicators.selectors import Status
from cchc.lib.numbers import format_points_written

from . import selectors
from .comments import CommentCounts
from .models import Questionnaire, QuestionnaireKind, Response
from .results import SCORED_KINDS, index_interval, question_numbers

# What the report calls its figure, by kind of questionnaire (as the results page does): only satisfaction surveys
# have a satisfaction index and a target to compare it with.
FIGURE_NAMES: dict[str, tuple[str, str]] = {
    QuestionnaireKind.DOSSIER_EVALUATION: ("Điểm đánh giá", "Tỷ lệ điểm đạt"),
    QuestionnaireKind.OFFICIALS: ("Điểm quy đổi từ các phương án A–D", "Điểm quy đổi"),
}
SATISFACTION_NAMES = ("Chỉ số hài lòng", "Tỷ lệ hài lòng")


def has_target(questionnaire: Questionnaire) -> bool:
    """Is the questionnaire's figure compared with a satisfaction target? Not for evaluations nor officials."""
    return questionnaire.kind not in FIGURE_NAMES


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT_NAME = "Times New Roman"
# The breakdowns of the report, in order, with their headings.
BREAKDOWNS = (("unit", "Đơn vị"), ("channel", "Kênh thu thập"), ("group", "Nhóm đối tượng"))
MET_COLOUR = "#2e7d32"
NOT_MET_COLOUR = "#c62828"
NO_TARGET_COLOUR = "#607d8b"
# A unit chart shows at most this many units (the lowest first, those that need attention); the table lists all.
CHART_MAX_UNITS = 40


@dataclass
class SummaryReport:
    """What the report shows, gathered from the results page's functions."""

    questionnaire: Questionnaire
    report: selectors.ResultsReport | None
    breakdowns: dict[str, list[selectors.BreakdownRow]] = field(default_factory=dict)
    interval: tuple[float, float] | None = None
    comments: CommentCounts | None = None
    channel_label: str = ""
    made_on: datetime.date = field(default_factory=timezone.localdate)


def summary_report(
    questionnaire: Questionnaire,
    responses: QuerySet[Response],
    where: selectors.ResultsFilter,
    *,
    comments: CommentCounts | None = None,
    channel_label: str = "",
) -> SummaryReport:
    """The figures of the report over ``responses`` (already limited to what the reader may see) and ``where``."""
    report, by_unit = selectors.results_with_breakdown(questionnaire, responses, where, "unit")
    if report is None:
        return SummaryReport(questionnaire, None, comments=comments, channel_label=channel_label)
    breakdowns = {"unit": by_unit}
    for by, _title in BREAKDOWNS[1:]:
        breakdowns[by] = selectors.results_breakdown(report, responses, by)
    return SummaryReport(
        questionnaire,
        report,
        breakdowns=breakdowns,
        interval=index_interval(report.result),
        comments=comments,
        channel_label=channel_label,
    )


# ---------------------------------------------------------------------------
# How figures are written


def percent_text(value: float | Decimal | None) -> str:
    """A share as the report writes it: one decimal, the Vietnamese comma, "95,3 %"; a dash when there is none."""
    if value is None:
        return "—"
    return f"{float(value):.1f} %".replace(".", ",")


def number_text(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{places}f}".replace(".", ",")


def interval_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"{percent_text(low)[:-2]}–{percent_text(high)}"


def status_text(status: str, index: float | None) -> str:
    if index is None:
        return "Chưa có câu trả lời"
    return str(Status.LABELS[status])


def group_label(row: selectors.BreakdownRow, by: str) -> str:
    if by == "group" and not row.key:
        return "Không ghi nhóm"
    return row.label


# ---------------------------------------------------------------------------
# Charts


def _colour(score: float | None, target: Decimal | None) -> str:
    if score is None or target is None:
        return NO_TARGET_COLOUR
    return MET_COLOUR if round(score, 2) >= float(target) else NOT_MET_COLOUR


def bar_chart(
    labels: Sequence[str],
    scores: Sequence[float | None],
    targets: Sequence[Decimal | None],
    title: str,
    axis: str = "Tỷ lệ hài lòng",
) -> bytes:
    """A horizontal bar chart of ``scores`` (0–100 %) with each bar's target marked, as a PNG image."""
    # matplotlib is imported here, when a report is drawn, not with the pages: it takes a while to load and most
    # requests never draw a chart. The object API (no pyplot) keeps no state between requests.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    count = len(labels)
    figure = Figure(figsize=(7.0, max(1.6, 0.45 * count + 1.0)), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(count))
    values = [score or 0.0 for score in scores]
    colours = [_colour(score, target) for score, target in zip(scores, targets, strict=True)]
    axes.barh(positions, values, color=colours, height=0.6)
    for position, score in zip(positions, scores, strict=True):
        # The figure of each bar in a column right of the axes, clear of the bars and of the target marks.
        axes.text(1.02, position, percent_text(score), transform=axes.get_yaxis_transform(), va="center", fontsize=8)
    drawn_target = False
    for position, target in zip(positions, targets, strict=True):
        if target is not None:
            axes.plot([float(target)] * 2, [position - 0.4, position + 0.4], color="black", linewidth=1.5)
            drawn_target = True
    axes.set_yticks(positions)
    axes.set_yticklabels([textwrap.shorten(label, 48, placeholder="…") for label in labels], family="DejaVu Sans")
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel(f"{axis} (%)" + (" — vạch đen: chỉ tiêu" if drawn_target else ""), family="DejaVu Sans")
    axes.set_title(title, family="DejaVu Sans", fontsize=10)
    axes.tick_params(labelsize=8)
    axes.grid(axis="x", color="#dddddd", linewidth=0.5)
    axes.set_axisbelow(True)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def elements_chart(summary: SummaryReport) -> bytes | None:
    report = summary.report
    if report is None:
        return None
    elements = [element for element in report.result.sections if element.score is not None]
    if not elements:
        return None
    if not has_target(summary.questionnaire):
        share = FIGURE_NAMES[summary.questionnaire.kind][1]
        return bar_chart(
            [element.section.title for element in elements],
            [element.score for element in elements],
            [None] * len(elements),
            f"{share} theo yếu tố",
            axis=share,
        )
    return bar_chart(
        [element.section.title for element in elements],
        [element.score for element in elements],
        [report.target] * len(elements),
        "Tỷ lệ hài lòng theo yếu tố so với chỉ tiêu",
    )


def units_chart(summary: SummaryReport) -> bytes | None:
    rows = [row for row in summary.breakdowns.get("unit", []) if row.index is not None]
    if not rows:
        return None
    rows = sorted(rows, key=lambda row: row.index or 0.0)[:CHART_MAX_UNITS]
    target = has_target(summary.questionnaire)
    heading, share = FIGURE_NAMES.get(summary.questionnaire.kind, SATISFACTION_NAMES)
    return bar_chart(
        [row.label for row in rows],
        [row.index for row in rows],
        [row.target if target else None for row in rows],
        f"{heading} theo đơn vị",
        axis=share,
    )


# ---------------------------------------------------------------------------
# The document


def _table(document: object, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
    table = document.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    document.add_paragraph()  # type: ignore[attr-defined]


def _scope_lines(summary: SummaryReport) -> list[tuple[str, str]]:
    report = summary.report
    where = report.where if report is not None else selectors.ResultsFilter()
    unit = f"{where.unit.name} và các đơn vị trực thuộc" if where.unit else "Tất cả đơn vị trong phạm vi người lập xem"
    lines = [
        ("Phiếu khảo sát", summary.questionnaire.title),
        ("Kỳ", where.period.label if where.period else "Toàn bộ thời gian"),
        ("Đơn vị", unit),
        ("Kênh thu thập", summary.channel_label or "Tất cả"),
        ("Nhóm đối tượng", where.group or "Tất cả"),
    ]
    if report is not None:
        lines.append(("Phiên bản phiếu", f"Phiên bản {report.version.number}"))
    lines.append(("Ngày lập báo cáo", summary.made_on.strftime("%d/%m/%Y")))
    return lines


def _method(document: object, summary: SummaryReport) -> None:
    report = summary.report
    add = document.add_paragraph  # type: ignore[attr-defined]
    add(
        "Tỷ lệ hài lòng của một câu hỏi theo thang 5 mức là số câu trả lời “Hài lòng” và “Rất hài lòng” chia cho số "
        "câu trả lời hợp lệ (mức 1 đến 5), tính theo phần trăm; câu hỏi chấm điểm 0/1/2 tính số điểm đạt trên số điểm "
        "tối đa; câu hỏi phương án A–D tính bình quân điểm của các phương án (mặc định A = 100 %, B = 60 %, "
        "C = 20 %, D = 0 %). Tỷ lệ của một yếu tố là bình quân gia quyền tỷ lệ các câu hỏi của yếu tố; chỉ số hài "
        "lòng là bình quân gia quyền tỷ lệ các yếu tố. Câu hỏi, yếu tố chưa có câu trả lời hợp lệ hoặc có trọng số 0 "
        "không được tính."
    )
    if report is not None:
        weights = "; ".join(
            f"{element.section.title}: {format_points_written(element.section.weight)}"
            for element in report.result.sections
            if element.questions
        )
        if weights:
            add(f"Trọng số các yếu tố: {weights}. Trọng số câu hỏi để trống được tính bằng 1.")
    add(
        "Khoảng tin cậy 95 % của mỗi tỷ lệ là khoảng Wilson. Khoảng tin cậy của chỉ số áp dụng cùng công thức cho cận "
        "dưới và cận trên của các câu hỏi (coi các câu trả lời của một người là liên quan hoàn toàn), nên là khoảng "
        "thận trọng, không hẹp hơn thực tế; chỉ tính khi mọi câu hỏi được chấm theo thang hài lòng 5 mức."
    )
    add(
        "Cỡ mẫu tối thiểu khuyến nghị n = N / (1 + N·e²) với e = 5 % và N là số hồ sơ đơn vị tiếp nhận trong kỳ, "
        "chỉ tính khi chọn một đơn vị và một kỳ và đã biết N."
    )
    if report is not None and has_target(summary.questionnaire):
        source = (
            f"chỉ tiêu của chỉ số “{report.indicator_code}” trong kho chỉ số của hệ thống, năm "
            f"{report.where.period.year if report.where.period else summary.made_on.year}"
        )
        add(
            f"Chỉ tiêu so sánh: {source} ({percent_text(report.target)}). Mặc định: khảo sát thường xuyên (tại quầy, "
            "trực tuyến) 95 %, khảo sát đột xuất 85 %."
        )


def summary_docx(summary: SummaryReport) -> bytes:
    """The report as a Word document."""
    with translation.override("vi"):
        return _document(summary)


def _document(summary: SummaryReport) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = FONT_NAME  # type: ignore[attr-defined]
    style.font.size = Pt(13)  # type: ignore[attr-defined]
    report = summary.report
    period = report.where.period.label if report is not None and report.where.period else "toàn bộ thời gian"
    target = has_target(summary.questionnaire)
    heading, share = FIGURE_NAMES.get(summary.questionnaire.kind, SATISFACTION_NAMES)
    title = document.add_heading(
        "Báo cáo kết quả khảo sát sự hài lòng" if target else "Báo cáo kết quả khảo sát", level=0
    )
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(f"{summary.questionnaire.title} — {period}").bold = True
    for label, value in _scope_lines(summary):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if report is None:
        document.add_paragraph("Phiếu chưa được ban hành nên chưa có kết quả.")
        return _save(document)
    if report.responses == 0:
        document.add_heading("1. Kết quả chung", level=1)
        document.add_paragraph("Chưa có phiếu trả lời nào trong phạm vi và kỳ đã chọn, nên chưa có kết quả để báo cáo.")
        document.add_heading("2. Phương pháp tính", level=1)
        _method(document, summary)
        return _save(document)

    document.add_heading("1. Kết quả chung", level=1)
    interval = summary.interval
    if report.recommended:
        recommended = f"{report.recommended} (N = {report.population} hồ sơ tiếp nhận trong kỳ, sai số 5 %)"
    else:
        recommended = "Chưa xác định (cần chọn một đơn vị, một kỳ và đã biết số hồ sơ tiếp nhận)"
    _table(
        document,
        ("Nội dung", "Kết quả"),
        [
            (heading, percent_text(report.result.index)),
            ("Khoảng tin cậy 95 %", interval_text(*interval) if interval else "—"),
            *(
                [
                    ("Chỉ tiêu", percent_text(report.target)),
                    ("Đánh giá", status_text(report.status, report.result.index)),
                ]
                if target
                else [("Chỉ tiêu", "Không áp dụng cho loại phiếu này")]
            ),
            ("Số phiếu trả lời (cỡ mẫu)", str(report.responses)),
            ("Cỡ mẫu tối thiểu khuyến nghị", recommended),
        ],
        (7.0, 9.5),
    )
    if report.below_recommended:
        warning = document.add_paragraph()
        run = warning.add_run(
            f"Lưu ý: số phiếu trả lời ({report.responses}) ít hơn cỡ mẫu tối thiểu khuyến nghị ({report.recommended}): "
            "kết quả chưa đủ tin cậy để kết luận."
        )
        run.bold = True
        run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    if (chart := elements_chart(summary)) is not None:
        document.add_picture(io.BytesIO(chart), width=Cm(16))

    document.add_heading("2. Kết quả theo yếu tố", level=1)
    _table(
        document,
        ("Yếu tố", "Trọng số", share),
        [
            (
                element.section.title,
                format_points_written(element.section.weight),
                percent_text(element.score),
            )
            for element in report.result.sections
            if element.questions
        ],
        (10.0, 2.5, 4.0),
    )

    document.add_heading("3. Kết quả theo câu hỏi", level=1)
    questions = [score for score in report.result.questions if score.question.kind in SCORED_KINDS]
    numbers = question_numbers(selectors.shape_of(report.version))
    with_mean = summary.questionnaire.kind != QuestionnaireKind.OFFICIALS  # A–D options have no mean
    if questions:
        _table(
            document,
            ("Câu hỏi", "Số trả lời", "Tỷ lệ", "Khoảng tin cậy 95 %", *(["Điểm trung bình"] if with_mean else [])),
            [
                (
                    f"Câu {numbers[score.question.code]}. {score.question.text}"
                    if score.question.code in numbers
                    else score.question.text,
                    str(score.n),
                    percent_text(score.score),
                    interval_text(score.ci_low, score.ci_high),
                    *([number_text(score.mean)] if with_mean else []),
                )
                for score in questions
            ],
            (7.5, 2.0, 2.2, 3.0, 2.0) if with_mean else (9.5, 2.0, 2.2, 3.0),
        )
    else:
        document.add_paragraph("Phiếu không có câu hỏi chấm điểm (thang hài lòng, điểm 0/1/2, phương án A–D).")

    for number, (by, label) in enumerate(BREAKDOWNS, start=4):
        document.add_heading(f"{number}. Phân tích theo {label.lower()}", level=1)
        rows = summary.breakdowns.get(by, [])
        if not rows:
            document.add_paragraph("Không có phiếu trả lời.")
            continue
        _table(
            document,
            (label, "Số phiếu", share, *(["Chỉ tiêu", "Đánh giá"] if target else [])),
            [
                (
                    group_label(row, by),
                    str(row.responses),
                    percent_text(row.index),
                    *([percent_text(row.target), status_text(row.status, row.index)] if target else []),
                )
                for row in rows
            ],
            (6.5, 2.0, 2.5, 2.5, 3.0) if target else (9.0, 3.0, 4.5),
        )
        if by == "unit" and (chart := units_chart(summary)) is not None:
            document.add_picture(io.BytesIO(chart), width=Cm(16))

    document.add_heading("7. Ý kiến góp ý", level=1)
    counts = summary.comments
    if counts is None:
        document.add_paragraph("Ý kiến góp ý do cơ quan thường trực theo dõi và xử lý.")
    else:
        document.add_paragraph(
            f"Có {counts.total} ý kiến góp ý bằng chữ: đã xử lý {counts.handled}, chưa xử lý {counts.not_handled}; "
            f"đã giao việc cho đơn vị {counts.tasked}."
        )

    document.add_heading("8. Phương pháp tính", level=1)
    _method(document, summary)
    return _save(document)


def _save(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()
