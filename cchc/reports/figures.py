"""The tables and figures of a periodic reform report, read from the owning apps' selectors.

Nothing here computes a figure of its own: each number is the one the owning app shows on its pages —
``directives.selectors.unit_stats`` (tasks due in the period by status and the on-time rate),
``directives.selectors.directives_issued``, ``assessments.selectors.unit_par_result`` / ``round_par_summary`` (PAR
INDEX results and points lost), ``procedures.kpis.kpis_for`` / ``kpi_targets`` (service indicators against their
targets), ``surveys.selectors.satisfaction_for`` (satisfaction) and, for the inspection and initiative registers, the
values published into the indicator store (``indicators.selectors.value_for``). This module only arranges them into
tables, which the page, the Word document, the PDF and the Excel appendix all lay out the same way.

The report's documents are written in Vietnamese whatever the reader's language (as the other documents of cchc):
the table headings are plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc.assessments.selectors import latest_published_round, round_par_summary, unit_par_result
from cchc.directives.models import Assignment, Directive, DirectiveKind, Status
from cchc.directives.selectors import UnitStats, directives_issued, unit_stats
from cchc.indicators.selectors import Status as TargetStatus
from cchc.indicators.selectors import value_for
from cchc.lib.periods import Period
from cchc.organisations.models import SEGMENT_WIDTH, Unit, subtree_condition
from cchc.procedures.kpis import KPI_LABELS, figure_status, kpi_targets, kpis_for
from cchc.surveys.selectors import satisfaction_for

NO_DATA = "chưa có dữ liệu"
# The registers of inspections and initiatives publish these codes into the indicator store (issue 13, section 3).
REGISTER_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("inspections.coverage_rate", "Tỷ lệ đơn vị được kiểm tra CCHC", "%"),
    ("inspections.findings_remedied_rate", "Tỷ lệ kết luận kiểm tra đã khắc phục", "%"),
    ("initiatives.recognised_count", "Số sáng kiến, giải pháp CCHC được công nhận", ""),
)
# The service indicators the report lists (QĐ 766), in order.
REPORT_KPI_KEYS = (
    "received",
    "finished",
    "on_time_rate",
    "overdue_pending",
    "online_rate",
    "digitised_rate",
    "e_result_rate",
    "online_payment_rate",
    "total_score",
)
PERCENT_KPIS = {"on_time_rate", "online_rate", "digitised_rate", "e_result_rate", "online_payment_rate"}
STATUS_TEXT = {TargetStatus.MET: "Đạt", TargetStatus.NOT_MET: "Chưa đạt", TargetStatus.NO_TARGET: "Không có chỉ tiêu"}
# The report page shows these cells as the shared status pill (``{% status %}``); the files keep the words.
STATUS_CODE_OF_TEXT = {text: str(code) for code, text in STATUS_TEXT.items()}


@dataclass
class Table:
    """One table of the report: values are numbers, Decimals, text or ``None`` (written as a dash)."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    note: str = ""
    # Columns holding a percentage (written "95,3 %").
    percent_columns: frozenset[int] = frozenset()

    @property
    def all_rows(self) -> list[list[Any]]:
        return [*self.rows, *([self.total] if self.total else [])]


@dataclass
class Figures:
    """All the tables of one report, plus the few figures the charts draw."""

    unit: Unit
    period: Period
    consolidated: bool
    tables: list[Table]
    task_stats: list[UnitStats]
    task_total: UnitStats
    kpi_chart: list[tuple[str, Decimal | None, Decimal | None]]
    satisfaction_chart: list[tuple[str, float | None, Decimal | None]]

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


# ---------------------------------------------------------------------------
# How values are written


def number_text(value: Any, *, percent: bool = False) -> str:
    """A value as the report writes it: thousands with dots, decimals with a comma, "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        value = Decimal(str(round(value, 2)))
    if isinstance(value, int):
        text = f"{value:,}".replace(",", ".")
    else:
        text = f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        if "," in text:
            text = text.rstrip("0").rstrip(",")
    return f"{text} %" if percent else text


def table_text(table: Table) -> list[list[str]]:
    """Every row (with the total) as text."""
    return [
        [number_text(value, percent=column in table.percent_columns) for column, value in enumerate(row)]
        for row in table.all_rows
    ]


# ---------------------------------------------------------------------------
# The tables


def _summed(unit: Unit, rows: list[UnitStats]) -> UnitStats:
    counts: dict[str, int] = {}
    for row in rows:
        for status, count in row.counts.items():
            counts[status] = counts.get(status, 0) + count
    return UnitStats(
        unit=unit, due=sum(row.due for row in rows), on_time=sum(row.on_time for row in rows), counts=counts
    )


def by_child(unit: Unit, stats: list[UnitStats]) -> list[UnitStats]:
    """The per-unit figures summed into the unit's direct children (each with its subtree) and the unit itself."""
    children = {child.path: child for child in Unit.objects.filter(parent=unit)}
    width = len(unit.path) + SEGMENT_WIDTH
    grouped: dict[int, tuple[Unit, list[UnitStats]]] = {}
    for row in stats:
        owner = children.get(row.unit.path[:width], unit) if row.unit.pk != unit.pk else unit
        grouped.setdefault(owner.pk, (owner, []))[1].append(row)
    return sorted((_summed(owner, rows) for owner, rows in grouped.values()), key=lambda item: item.unit.path)


def _task_table(unit: Unit, period: Period) -> tuple[Table, list[UnitStats], UnitStats]:
    assignments = Assignment.objects.filter(subtree_condition([unit.path], "unit"))
    stats = unit_stats(assignments, period)
    total = _summed(unit, stats)
    table = Table(
        key="tasks",
        title="Biểu 1. Tình hình thực hiện nhiệm vụ được giao có hạn trong kỳ",
        header=[
            "Đơn vị",
            "Tổng số nhiệm vụ",
            "Hoàn thành đúng hạn",
            "Hoàn thành quá hạn",
            "Quá hạn chưa hoàn thành",
            "Đang thực hiện, chưa đến hạn",
            "Tỷ lệ hoàn thành đúng hạn",
        ],
        percent_columns=frozenset({6}),
        note="Nhiệm vụ theo các văn bản chỉ đạo được theo dõi, có hạn trong kỳ; tỷ lệ đúng hạn tính trên số nhiệm vụ "
        "đã đến hạn hoặc đã hoàn thành.",
    )

    def row(label: str, item: UnitStats) -> list[Any]:
        return [
            label,
            sum(item.counts.values()),
            item.counts.get(Status.DONE_ON_TIME, 0),
            item.late,
            item.overdue,
            item.open,
            item.rate,
        ]

    ordered = by_child(unit, stats)
    table.rows = [row(item.unit.name, item) for item in ordered]
    if len(ordered) != 1:
        table.total = row("Tổng cộng", total)
    return table, ordered, total


def _directive_table(unit: Unit, period: Period) -> Table:
    counts = directives_issued(Directive.objects.filter(subtree_condition([unit.path], "issuing_unit")), period)
    table = Table(
        key="directives",
        title="Biểu 2. Văn bản chỉ đạo, điều hành về cải cách hành chính ban hành trong kỳ",
        header=["Loại văn bản", "Số lượng"],
    )
    table.rows = [[str(label), counts.get(value, 0)] for value, label in DirectiveKind.choices]
    table.total = ["Tổng cộng", sum(counts.values())]
    return table


def _par_table(unit: Unit, period: Period, consolidated: bool) -> Table:
    round_ = latest_published_round(unit, period.year)
    if round_ is None:
        return Table(
            key="par",
            title="Biểu 3. Kết quả Chỉ số cải cách hành chính",
            header=["Nội dung", "Kết quả"],
            rows=[["Kết quả Chỉ số CCHC đã công bố", NO_DATA]],
        )
    if consolidated:
        summary = round_par_summary(round_)
        table = Table(
            key="par",
            title=f"Biểu 3. Kết quả Chỉ số CCHC {round_.year} của các đơn vị ({round_.name})",
            header=[
                "Khối đơn vị",
                "Số đơn vị",
                "Chỉ số cao nhất",
                "Đơn vị cao nhất",
                "Chỉ số thấp nhất",
                "Đơn vị thấp nhất",
            ],
            percent_columns=frozenset({2, 4}),
        )
        for group in summary.groups:
            best = max(group.rows, key=lambda row: row.index_value)
            worst = min(group.rows, key=lambda row: row.index_value)
            table.rows.append(
                [group.label, len(group.rows), best.index_value, best.unit_name, worst.index_value, worst.unit_name]
            )
        table.total = ["Tổng cộng", summary.units, None, "", None, f"Bình quân: {number_text(summary.average_index)} %"]
        losses = "; ".join(
            f"{row.criterion.code} {row.criterion.title} ({number_text(row.loss.total_lost)} điểm)"
            for row in summary.losses
        )
        table.note = f"Tiêu chí bị trừ nhiều điểm nhất: {losses}." if losses else ""
        return table
    found = unit_par_result(round_, unit)
    table = Table(
        key="par",
        title=f"Biểu 3. Kết quả Chỉ số CCHC {round_.year} ({round_.name})",
        header=["Nội dung", "Điểm tối đa", "Điểm đạt", "Điểm bị trừ"],
    )
    result = found.result
    if result is None:
        table.rows = [["Đơn vị chưa có kết quả trong kỳ đánh giá này", None, None, None]]
        return table
    rank = f"{result.rank}{' (đồng hạng)' if result.rank_tied else ''}" if result.rank else "—"
    table.rows = [
        ["Tổng điểm", result.max_points, result.total_points, result.max_points - result.total_points],
        *[
            [f"{gap.criterion.code} {gap.criterion.title}", gap.max_points, gap.final_score, gap.lost]
            for gap in found.gaps
        ],
    ]
    table.note = (
        f"Chỉ số CCHC: {number_text(result.index_value)} %; xếp hạng: {rank}"
        + (f"; xếp loại: {result.grade}" if result.grade else "")
        + ". Các dòng sau tổng điểm là những tiêu chí bị trừ nhiều điểm nhất."
    )
    return table


def _kpi_table(unit: Unit, period: Period) -> tuple[Table, list[tuple[str, Decimal | None, Decimal | None]]]:
    kpis = kpis_for(unit, period)
    targets = kpi_targets([unit], period.year)[unit.pk]
    table = Table(
        key="kpis",
        title="Biểu 4. Chỉ số chất lượng phục vụ người dân, doanh nghiệp (QĐ 766) so với chỉ tiêu",
        header=["Chỉ số", "Kết quả", "Chỉ tiêu", "Đánh giá"],
    )
    chart = []
    for key in REPORT_KPI_KEYS:
        value = kpis.value(key)
        target = targets.get(key)
        status = figure_status(key, value, target)
        label = str(KPI_LABELS[key])
        percent = key in PERCENT_KPIS
        table.rows.append(
            [
                label,
                number_text(value, percent=percent),
                number_text(target, percent=percent),
                STATUS_TEXT.get(status or "", NO_DATA) if value is not None else NO_DATA,
            ]
        )
        if percent:
            chart.append((label, value, target))
    return table, chart


def _satisfaction_table(unit: Unit, period: Period) -> tuple[Table, list[tuple[str, float | None, Decimal | None]]]:
    rows = satisfaction_for(unit, period)
    table = Table(
        key="satisfaction",
        title="Biểu 5. Mức độ hài lòng của người dân, tổ chức (khảo sát tại quầy và trực tuyến)",
        header=["Phiếu khảo sát", "Số phiếu trả lời", "Chỉ số hài lòng", "Chỉ tiêu", "Đánh giá"],
        percent_columns=frozenset({2, 3}),
    )
    for row in rows:
        index = Decimal(str(round(row.index, 2))) if row.index is not None else None
        table.rows.append([row.questionnaire.title, row.responses, index, row.target, STATUS_TEXT[row.status]])
    if not rows:
        table.rows.append(["Khảo sát trong kỳ", NO_DATA, None, None, ""])
    return table, [(row.questionnaire.title, row.index, row.target) for row in rows]


def register_value(code: str, unit: Unit, period: Period) -> Decimal | None:
    """A register's published value for the unit and period (``None``: the register has published nothing)."""
    value = value_for(code, unit, period)
    return value.value if value is not None else None


def _register_table(unit: Unit, period: Period) -> Table:
    table = Table(
        key="registers",
        title="Biểu 6. Kiểm tra cải cách hành chính và sáng kiến, giải pháp",
        header=["Nội dung", "Kết quả"],
    )
    for code, label, unit_sign in REGISTER_INDICATORS:
        value = register_value(code, unit, period)
        table.rows.append([label, NO_DATA if value is None else number_text(value, percent=unit_sign == "%")])
    return table


def report_figures(unit: Unit, period: Period, *, consolidated: bool = False) -> Figures:
    """Every table of the report of ``unit`` (with its subtree) for ``period``."""
    tasks, task_stats, task_total = _task_table(unit, period)
    kpis, kpi_chart = _kpi_table(unit, period)
    satisfaction, satisfaction_chart = _satisfaction_table(unit, period)
    return Figures(
        unit=unit,
        period=period,
        consolidated=consolidated,
        tables=[
            tasks,
            _directive_table(unit, period),
            _par_table(unit, period, consolidated),
            kpis,
            satisfaction,
            _register_table(unit, period),
        ],
        task_stats=task_stats,
        task_total=task_total,
        kpi_chart=kpi_chart,
        satisfaction_chart=satisfaction_chart,
    )
