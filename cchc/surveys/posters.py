"""The QR code of a public link (PNG, SVG) and the A4 poster to print and stick at the counter (PDF).

QR codes are drawn by segno; the poster by fpdf2 with a TrueType font that has the Vietnamese letters, found among
``SURVEY_POSTER_FONTS`` (paths of a regular and a bold font, DejaVu Sans or Liberation Sans by default, both in the
usual Linux font packages). When none is there the poster cannot be made and the page says so.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF

from cchc.lib.errors import ServiceError

from .models import CollectionPoint

DEFAULT_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
)


def _qr(url: str) -> segno.QRCode:
    # Level M survives a scratched or badly printed poster and keeps the code small enough for old phones.
    return segno.make_qr(url, error="m")


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=True, title=url)
    return buffer.getvalue()


def poster_fonts() -> tuple[str, str] | None:
    """The regular and bold fonts for the poster, the first pair whose files are both present."""
    candidates = getattr(settings, "SURVEY_POSTER_FONTS", None) or DEFAULT_FONTS
    for regular, bold in candidates:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


def poster_pdf(point: CollectionPoint, url: str) -> bytes:
    """An A4 page: the unit, the questionnaire, the QR code, the link written out and three short instructions."""
    fonts = poster_fonts()
    if fonts is None:
        raise ServiceError(
            _("Máy chủ chưa có phông chữ tiếng Việt để in áp phích (cần DejaVu Sans hoặc Liberation Sans)."),
            code="unavailable",
        )
    pdf = FPDF(format="A4")
    pdf.set_title(f"{point.questionnaire.title} · {point.unit.name}")
    pdf.set_creator("cchc")
    pdf.add_font("poster", "", fonts[0])
    pdf.add_font("poster", "B", fonts[1])
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 40
    pdf.set_font("poster", "B", 22)
    pdf.multi_cell(width, 11, point.unit.name, align="C")
    if point.counter_label:
        pdf.set_font("poster", "", 16)
        pdf.multi_cell(width, 9, point.counter_label, align="C")
    pdf.ln(4)
    pdf.set_font("poster", "B", 26)
    pdf.multi_cell(width, 12, _("Ông/bà hài lòng với chúng tôi không?"), align="C")
    pdf.set_font("poster", "", 14)
    pdf.multi_cell(width, 8, point.questionnaire.title, align="C")
    size = 110
    top = pdf.get_y() + 6
    pdf.image(io.BytesIO(qr_png(url, scale=12)), x=(pdf.w - size) / 2, y=top, w=size, h=size)
    pdf.set_y(top + size + 6)
    pdf.set_font("poster", "", 14)
    steps = [
        _("1. Mở máy ảnh hoặc ứng dụng Zalo trên điện thoại, quét mã QR ở trên."),
        _("2. Trả lời các câu hỏi; chỉ mất khoảng một phút, không cần đăng nhập."),
        _("3. Bấm «Gửi ý kiến». Ý kiến được gửi ẩn danh, giúp chúng tôi phục vụ tốt hơn."),
    ]
    for step in steps:
        pdf.multi_cell(width, 8, step, align="L")
    pdf.ln(3)
    pdf.set_font("poster", "", 10)
    pdf.multi_cell(width, 6, _("Hoặc nhập đường dẫn: %(url)s") % {"url": url}, align="C")
    return bytes(pdf.output())
