"""One visual language for status on every page: ``{% load status %}`` then ``{% status "met" %}``.

A status is always a word and a symbol, never a colour alone: "✓ Đạt", "✗ Chưa đạt", "✓ Đúng hạn", "! Quá hạn".
Each code belongs to a tone (good, bad, warn, info, neutral) that the stylesheet colours (docs/design-system.md);
``label`` replaces the default wording when a page says something more precise ("Quá hạn 3 ngày").
"""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()

GOOD, BAD, WARN, INFO, NEUTRAL = "good", "bad", "warn", "info", "neutral"
SYMBOLS = {GOOD: "✓", BAD: "✗", WARN: "!", INFO: "•", NEUTRAL: "–"}

# code → (tone, default label). Indicator statuses (indicators.selectors.Status), task statuses
# (directives.models.Status), sheet states (assessments.selectors.SheetState), deadlines, the registers' and reports'
# workflow states and background files.
STATUSES: dict[str, tuple[str, Promise]] = {
    "met": (GOOD, _("Đạt")),
    "not_met": (BAD, _("Chưa đạt")),
    "no_target": (NEUTRAL, _("Không có chỉ tiêu")),
    "no_data": (NEUTRAL, _("Chưa có dữ liệu")),
    "on_time": (GOOD, _("Đúng hạn")),
    "overdue": (BAD, _("Quá hạn")),
    "late": (WARN, _("Nộp muộn")),
    "due_soon": (WARN, _("Sắp đến hạn")),
    "waiting": (INFO, _("Chờ xác nhận")),
    "done_on_time": (GOOD, _("Hoàn thành đúng hạn")),
    "done_late": (WARN, _("Hoàn thành quá hạn")),
    "in_progress": (INFO, _("Đang thực hiện trong hạn")),
    "not_started": (NEUTRAL, _("Chưa bắt đầu")),
    "submitted": (GOOD, _("Đã nộp")),
    "appraised": (GOOD, _("Đã thẩm định xong")),
    "deadline_passed": (BAD, _("Đã quá hạn")),
    "check": (WARN, _("Cần kiểm tra")),
    # A figure that is an illustration (demo data), not a published result (indicators.external.is_illustrative).
    "illustrative": (WARN, _("Số liệu minh hoạ")),
    # Workflows of the registers and reports (inspections, initiatives, reports): the pages pass their own wording.
    "draft": (NEUTRAL, _("Đang soạn")),
    "returned": (BAD, _("Bị trả lại")),
    "accepted": (GOOD, _("Đã tiếp nhận")),
    "closed": (NEUTRAL, _("Đã kết thúc")),
    "proposed": (INFO, _("Đề xuất")),
    "recognised": (GOOD, _("Được công nhận")),
    "applied": (GOOD, _("Đã áp dụng")),
    "not_recognised": (BAD, _("Không được công nhận")),
    "remedied": (GOOD, _("Đã khắc phục")),
    "not_remedied": (WARN, _("Chưa khắc phục")),
    # A file built in the background (reports' Word, PDF and Excel files).
    "queued": (INFO, _("Đang chờ tạo")),
    "building": (INFO, _("Đang tạo")),
    "ready": (GOOD, _("Đã tạo xong")),
    "failed": (BAD, _("Không tạo được")),
}


def tone_of(code: str) -> str:
    return STATUSES.get(code, (NEUTRAL, ""))[0]


@register.simple_tag
def status(code: str, label: str | Promise = "") -> SafeString:
    """The badge of ``code``: ``<span class="status status-bad" data-status="not_met">✗ Chưa đạt</span>``."""
    tone, default = STATUSES.get(code, (NEUTRAL, ""))
    return format_html(
        '<span class="status status-{}" data-status="{}"><span aria-hidden="true">{}</span> {}</span>',
        tone,
        code,
        SYMBOLS[tone],
        label or default or code,
    )
