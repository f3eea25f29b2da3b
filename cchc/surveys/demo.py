"""Demo data: the shipped questionnaires, published and shared by every unit."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .templates_catalogue import ensure_templates


def load_demo(*, stdout: Any) -> None:
    created = ensure_templates()
    stdout.write(_("Phiếu khảo sát mẫu: %(created)d phiếu mới.") % {"created": len(created)} + "\n")
