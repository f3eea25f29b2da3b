"""The report's files: Word from the (editable) docxtpl template, PDF through WeasyPrint, the Excel appendix.

All three are laid out from one :class:`ReportContent` — the narrative sections as saved and the tables of
:func:`cchc.reports.figures.report_figures` — so the same figure is written the same way in each. Charts are drawn by
matplotlib (Agg backend, DejaVu Sans, no network) with the survey report's :func:`cchc.surveys.documents.bar_chart`
and embedded as PNG images. Like the other documents of cchc, the report is in Vietnamese whatever the reader's
language.
"""

from __future__ import annotations

import base64
import datetime
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc.audit.services import actor_user
from cchc.directives.models import Status
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.storage import StorageError
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit, UnitKind
from cchc.surveys.documents import bar_chart

from .figures import Figures, Table, report_figures, table_text
from .models import SECTION_SPECS, FileFormat, FileStatus, Report, ReportFile, ReportTemplate
from .template_source import SHIPPED_TEMPLATE

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
PART_TITLES = {
    "I": "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH",
    "II": "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
    "III": "III. KẾT QUẢ CÁC CHỈ SỐ",
    "IV": "IV. ĐÁNH GIÁ CHUNG",
    "V": "V. NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
    "VI": "VI. ĐỀ XUẤT, KIẾN NGHỊ",
}
# Which tables and charts follow which part of the outline.
PART_TABLES = {"I": ("directives",), "II": ("tasks", "kpis", "registers"), "III": ("par", "satisfaction")}
PART_CHARTS = {"II": ("tasks", "kpis"), "III": ("satisfaction",)}
NO_TEXT = "(Chưa có nội dung.)"
TASK_COLOURS = ("#2e7d32", "#f9a825", "#c62828", "#90a4ae")
CHART_MAX_UNITS = 30
CHART_TITLES = {
    "tasks": "Biểu đồ 1. Nhiệm vụ có hạn trong kỳ theo tình trạng",
    "kpis": "Biểu đồ 2. Chỉ số phục vụ so với chỉ tiêu",
    "satisfaction": "Biểu đồ 3. Chỉ số hài lòng so với chỉ tiêu",
}


@dataclass
class SectionText:
    key: str
    number: str
    title: str
    part: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        lines = [line.strip() for line in self.text.splitlines() if line.strip()]
        return lines or [NO_TEXT]


@dataclass
class ReportContent:
    """Everything a report file shows."""

    unit: Unit
    period: Period
    consolidated: bool
    figures: Figures
    sections: list[SectionText]
    reference: str = ""
    signer: str = ""
    made_on: datetime.date = field(default_factory=timezone.localdate)
    charts: dict[str, bytes] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"Kết quả thực hiện công tác cải cách hành chính {self.period.label_in_sentence}"

    @property
    def root_name(self) -> str:
        root = self.unit if self.unit.parent_id is None else Unit.objects.get(pk=self.unit.ancestor_ids[0])
        return root.name

    @property
    def place(self) -> str:
        name = self.root_name
        for prefix in ("Tỉnh ", "Thành phố ", "Xã ", "Phường "):
            if name.startswith(prefix):
                return name[len(prefix) :]
        return name

    @property
    def issuer(self) -> str:
        if self.unit.kind in (UnitKind.PROVINCE, UnitKind.COMMUNE):
            return f"ỦY BAN NHÂN DÂN {self.unit.name.upper()}"
        return self.unit.name.upper()

    @property
    def issuer_parent(self) -> str:
        if self.unit.parent_id is None or self.unit.kind == UnitKind.COMMUNE:
            return ""
        return f"UBND {self.root_name.upper()}"

    @property
    def signer_title(self) -> str:
        if self.unit.kind in (UnitKind.PROVINCE, UnitKind.COMMUNE):
            return "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
        return "GIÁM ĐỐC"

    @property
    def date_text(self) -> str:
        day = self.made_on
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"

    def parts(self) -> list[tuple[str, str, list[SectionText]]]:
        order = list(dict.fromkeys(part for _key, _title, part in SECTION_SPECS))
        return [(part, PART_TITLES[part], [s for s in self.sections if s.part == part]) for part in order]


def report_content(
    unit: Unit, period: Period, *, report: Report | None = None, consolidated: bool | None = None
) -> ReportContent:
    """The content of ``report`` (or, without one, of an empty report of ``unit`` for ``period``)."""
    if consolidated is None:
        consolidated = report.is_consolidated if report is not None else unit.parent_id is None
    texts = dict(report.sections.values_list("key", "text")) if report is not None else {}
    sections = []
    counters: dict[str, int] = {}
    for key, title, part in SECTION_SPECS:
        counters[part] = counters.get(part, 0) + 1
        sections.append(SectionText(key, str(counters[part]), str(title), part, texts.get(key, "")))
    return ReportContent(
        unit=unit,
        period=period,
        consolidated=consolidated,
        figures=report_figures(unit, period, consolidated=consolidated),
        sections=sections,
        reference=report.reference if report is not None else "",
        signer=report.signer if report is not None else "",
    )


# ---------------------------------------------------------------------------
# Charts


def tasks_chart(figures: Figures) -> bytes | None:
    """Stacked bars of the tasks due in the period, by unit and status (the units with most tasks first)."""
    rows = sorted(figures.task_stats, key=lambda item: -sum(item.counts.values()))[:CHART_MAX_UNITS]
    if not rows:
        return None
    # matplotlib loads slowly and only documents draw: imported here, object API only (no pyplot state).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7.0, max(1.8, 0.4 * len(rows) + 1.2)), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    series = (
        ("Hoàn thành đúng hạn", [item.counts.get(Status.DONE_ON_TIME, 0) for item in rows]),
        ("Hoàn thành quá hạn", [item.late for item in rows]),
        ("Quá hạn chưa hoàn thành", [item.overdue for item in rows]),
        ("Đang thực hiện", [item.open for item in rows]),
    )
    left = [0] * len(rows)
    for (label, values), colour in zip(series, TASK_COLOURS, strict=True):
        axes.barh(positions, values, left=left, color=colour, height=0.6, label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(positions)
    axes.set_yticklabels([item.unit.name[:40] for item in rows], family="DejaVu Sans")
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Số nhiệm vụ", family="DejaVu Sans")
    axes.set_title(CHART_TITLES["tasks"], family="DejaVu Sans", fontsize=10)
    axes.tick_params(labelsize=8)
    axes.legend(fontsize=7, loc="lower right", prop={"family": "DejaVu Sans", "size": 7})
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def report_charts(figures: Figures) -> dict[str, bytes]:
    charts: dict[str, bytes] = {}
    drawn = tasks_chart(figures)
    if drawn:
        charts["tasks"] = drawn
    kpis = [(label, value, target) for label, value, target in figures.kpi_chart if value is not None]
    if kpis:
        charts["kpis"] = bar_chart(
            [label for label, _v, _t in kpis],
            [float(value) for _l, value, _t in kpis if value is not None],
            [target for _l, _v, target in kpis],
            CHART_TITLES["kpis"],
            axis="Tỷ lệ",
        )
    rows = [(label, value, target) for label, value, target in figures.satisfaction_chart if value is not None]
    if rows:
        charts["satisfaction"] = bar_chart(
            [label for label, _v, _t in rows],
            [value for _l, value, _t in rows],
            [target for _l, _v, target in rows],
            CHART_TITLES["satisfaction"],
        )
    return charts


def with_charts(content: ReportContent) -> ReportContent:
    if not content.charts:
        content.charts = report_charts(content.figures)
    return content


# ---------------------------------------------------------------------------
# Word


def template_bytes() -> bytes:
    """The template in use: the latest one the secretariat uploaded, else the shipped one."""
    uploaded = ReportTemplate.objects.order_by("-uploaded_at", "-pk").first()
    if uploaded is not None:
        try:
            with uploaded.file.open("rb") as handle:
                return handle.read()
        except StorageError as error:
            if error.code != "file_missing":
                raise  # the storage cannot be reached: its own message says so
            raise _template_lost() from error
        except OSError as error:
            raise _template_lost() from error
    return Path(SHIPPED_TEMPLATE).read_bytes()


def _template_lost() -> ServiceError:
    return ServiceError(
        _(
            "Không đọc được mẫu Word đã tải lên (tệp không còn trong kho lưu trữ); hãy tải lên lại mẫu hoặc "
            "quay lại mẫu kèm theo hệ thống."
        )
    )


def _word_table(document: Any, table: Table) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(table.title)
    run.bold = True
    run.font.size = Pt(12)
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = ""
        heading = cell.paragraphs[0].add_run(text)
        heading.bold = True
        heading.font.size = Pt(11)
    for values in table_text(table):
        cells = grid.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            written = cell.paragraphs[0].add_run(text)
            written.font.size = Pt(11)
    if table.total:
        for cell in grid.rows[-1].cells:
            for paragraph in cell.paragraphs:
                for written in paragraph.runs:
                    written.bold = True
    if table.note:
        note = document.add_paragraph()
        noted = note.add_run(table.note)
        noted.italic = True
        noted.font.size = Pt(11)


def _figures_subdoc(template: Any, content: ReportContent, part: str) -> Any:
    keys = PART_TABLES.get(part, ())
    charts = [key for key in PART_CHARTS.get(part, ()) if key in content.charts]
    if not keys and not charts:
        return ""
    subdoc = template.new_subdoc()
    for key in keys:
        _word_table(subdoc, content.figures.table(key))
    for key in charts:
        paragraph = subdoc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(content.charts[key]), width=Mm(160))
    return subdoc


def render_docx(content: ReportContent, template: bytes | None = None) -> bytes:
    """The report in Word from the template in use (or ``template``)."""
    from docxtpl import DocxTemplate  # loads jinja2 and lxml templates: only when a document is written

    with_charts(content)
    document = DocxTemplate(io.BytesIO(template if template is not None else template_bytes()))
    parts = [
        {
            "heading": heading,
            "sections": [
                {"heading": f"{section.number}. {section.title}", "paragraphs": section.paragraphs}
                for section in sections
            ],
            "figures": _figures_subdoc(document, content, part),
        }
        for part, heading, sections in content.parts()
    ]
    context = {
        "issuer_parent": content.issuer_parent,
        "issuer": content.issuer,
        "reference": content.reference or "        /BC",
        "place": content.place,
        "date_text": content.date_text,
        "subject": content.subject,
        "period": content.period.label,
        "parts": parts,
        "recipients": "- Như trên;\n- Lưu: VT.",
        "signer_title": content.signer_title,
        "signer": content.signer,
    }
    document.render(context, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# PDF and Excel


def render_html(content: ReportContent) -> str:
    with_charts(content)
    charts = {key: base64.b64encode(data).decode("ascii") for key, data in content.charts.items()}
    parts = [
        {
            "heading": heading,
            "sections": sections,
            "tables": [
                (table, table_text(table)) for table in (content.figures.table(k) for k in PART_TABLES.get(part, ()))
            ],
            "charts": [(CHART_TITLES[key], charts[key]) for key in PART_CHARTS.get(part, ()) if key in charts],
        }
        for part, heading, sections in content.parts()
    ]
    return render_to_string("reports/report_print.html", {"content": content, "parts": parts})


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF, rendered by WeasyPrint from the print page (A4, Decree 30 margins)."""
    import weasyprint  # loads Pango through cffi: only when a PDF is written

    return bytes(weasyprint.HTML(string=render_html(content)).write_pdf())


def render_xlsx(content: ReportContent) -> bytes:
    """The statistics appendix: one sheet per table, numbers as numbers."""
    workbook = Workbook()
    first = True
    for table in content.figures.tables:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = table.title.split(".")[0][:31]
        sheet.append([f"{table.title} — {content.unit.name}, {content.period.label_in_sentence}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.all_rows:
            sheet.append([float(value) if hasattr(value, "as_tuple") else value for value in row])
        if table.total:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 48
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Files built in the background
#
# The report's Word, PDF and Excel files, built in the background (Django Tasks API, ``django-tasks``).
#
# Writing a report's file reads every table of the period and, for Word and PDF, draws the charts and lays out the
# document: seconds of work that no web request should hold. The report page asks for a file
# (:func:`report_file_request`): one :class:`~cchc.reports.models.ReportFile` row per report and format records the
# request and its state, and :func:`build_report_file_job` is queued. A ``cchc db_worker`` process (or the request
# itself, with ``TASKS_BACKEND=immediate``) builds it (:func:`report_file_build`) and keeps it in Django's storage
# (``default_storage``: a folder today, object storage tomorrow); the page follows the state (queued, building, ready
# with its link, failed with a Vietnamese message). A request while a build is queued or under way — a double click,
# two people — starts nothing new. ``cchc make_report`` writes a file directly, for scripts.

logger = logging.getLogger(__name__)

RENDERERS: dict[str, Callable[[ReportContent], bytes]] = {
    FileFormat.DOCX: render_docx,
    FileFormat.PDF: render_pdf,
    FileFormat.XLSX: render_xlsx,
}


def report_file_request(*, actor: ActorOrSystem, report: Report, fmt: str) -> ReportFile:
    """Queue the build of ``report``'s file in ``fmt`` and return its row; while a build of that file is queued or
    under way, return it as it is and queue nothing (one job for a double click)."""
    if fmt not in RENDERERS:
        raise ServiceError(_("Định dạng tệp không hợp lệ."), field="fmt")
    with transaction.atomic():
        _row, created = ReportFile.objects.get_or_create(report=report, fmt=fmt)
        stored = ReportFile.objects.select_for_update().get(report=report, fmt=fmt)
        if stored.is_pending and not created:
            return stored
        stored.status = FileStatus.QUEUED
        stored.message = ""
        stored.requested_by = actor_user(actor)
        stored.requested_at = timezone.now()
        stored.started_at = stored.finished_at = None
        stored.save(update_fields=["status", "message", "requested_by", "requested_at", "started_at", "finished_at"])
        # The database queue's row is written in the same transaction as the request's (committed together); the
        # immediate backend builds the file here and now.
        build_report_file_job.enqueue(file_id=stored.pk)
    stored.refresh_from_db()
    return stored


@task()
def build_report_file_job(file_id: int) -> dict[str, Any]:
    """The background job: build the :class:`~cchc.reports.models.ReportFile` ``file_id`` (safe to run twice: a file
    no longer queued is left as it is)."""
    stored = report_file_build(file_id)
    return {"file": file_id, "status": stored.status if stored is not None else "gone"}


def _set(stored: ReportFile, **values: Any) -> None:
    for name, value in values.items():
        setattr(stored, name, value)
    ReportFile.objects.filter(pk=stored.pk).update(**values)


def report_file_build(file_id: int) -> ReportFile | None:
    """Build a queued file (what the worker does): render it from the report as it is now and store it."""
    with transaction.atomic():
        stored = (
            ReportFile.objects.select_for_update(of=("self",)).select_related("report__unit").filter(pk=file_id).first()
        )
        if stored is None or stored.status != FileStatus.QUEUED:
            return stored
        _set(stored, status=FileStatus.BUILDING, started_at=timezone.now())
    report = stored.report
    try:
        content = report_content(report.unit, report.period, report=report, consolidated=report.is_consolidated)
        data = RENDERERS[stored.fmt](content)
    except ServiceError as error:
        _set(stored, status=FileStatus.FAILED, message=error.message[:500], finished_at=timezone.now())
        return stored
    except Exception:
        logger.exception("report file %s failed", stored.pk)
        message = _("Lỗi hệ thống khi tạo tệp; hãy thử tạo lại, nếu vẫn lỗi hãy báo quản trị hệ thống.")
        _set(stored, status=FileStatus.FAILED, message=message, finished_at=timezone.now())
        return stored
    previous = stored.file.name if stored.file else ""
    stored.file.save(stored.download_name, ContentFile(data), save=False)
    _set(stored, status=FileStatus.READY, file=stored.file.name, message="", finished_at=timezone.now())
    if previous and previous != stored.file.name:
        stored.file.storage.delete(previous)
    return stored
