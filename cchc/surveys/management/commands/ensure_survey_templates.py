"""``cchc ensure_survey_templates``: install the shipped questionnaires that are missing (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.surveys.templates_catalogue import TEMPLATES, ensure_templates


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Nạp các phiếu khảo sát mẫu kèm theo hệ thống (SIPAS 5 yếu tố 22 tiêu chí, phiếu hộ gia đình từ 2022, "
            "đánh giá hồ sơ 9 chỉ số, khảo sát nhanh tại quầy, điều tra xã hội học). Phiếu đã có thì giữ nguyên."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = ensure_templates()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("Phiếu khảo sát mẫu: %(created)d phiếu mới, %(total)d phiếu mẫu tất cả.")
            % {"created": len(created), "total": len(TEMPLATES)}
        )
