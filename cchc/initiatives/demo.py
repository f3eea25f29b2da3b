"""Demo initiatives: for the departments and a few communes of the province, from none to four initiatives of the
current year, some recognised at unit or province level, one applied; several units stay below the target of three.
Idempotent: a unit that already has initiatives for the year is left as it is."""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.organisations.models import Unit, UnitKind

from . import services
from .models import Initiative, RecognitionLevel

PROVINCE = "PT"
TITLES = (
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa",
    "Tổ công nghệ số cộng đồng hướng dẫn người dân nộp hồ sơ trực tuyến",
    "Ứng dụng mã QR tra cứu tiến độ giải quyết hồ sơ",
    "Ký số văn bản đi trên hệ thống quản lý văn bản điều hành",
)


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


@transaction.atomic
def load_demo(*, stdout: Writer | None = None, today: datetime.date | None = None) -> int:
    day = today or timezone.localdate()
    province = Unit.objects.filter(code=PROVINCE).first()
    secretariat = User.objects.filter(username="thuongtruc").first()
    if province is None or secretariat is None:
        return 0
    children = Unit.objects.active(day).filter(parent=province)
    units = list(children.filter(kind=UnitKind.DEPARTMENT).order_by("code")) + list(
        children.filter(kind=UnitKind.COMMUNE).order_by("code")[:6]
    )
    # The province's own initiatives last (one recognised), so that its annual report has the figure too.
    units.append(province)
    created = 0
    for index, unit in enumerate(units):
        if Initiative.objects.filter(unit=unit, year=day.year).exists():
            continue
        count = (index * 3 + 1) % 5  # 1, 4, 2, 0, 3, …
        recognised = count if index % 4 == 1 else min(count, index % 3)
        for number in range(count):
            initiative = services.initiative_propose(
                actor=secretariat,
                unit=unit,
                year=day.year,
                title=TITLES[number % len(TITLES)],
                description=_("Dữ liệu minh họa: thực trạng, nội dung giải pháp và hiệu quả sau khi áp dụng."),
            )
            created += 1
            if number < recognised:
                services.initiative_recognise(
                    actor=secretariat,
                    initiative=initiative,
                    level=RecognitionLevel.PROVINCE if number == 0 else RecognitionLevel.UNIT,
                    recognised_on=day,
                    reference=f"{100 + index}/QĐ-UBND",
                    today=day,
                )
                if number == 0 and index % 3 == 0:
                    services.initiative_mark_applied(
                        actor=secretariat, initiative=initiative, applied_on=day, today=day
                    )
    if stdout is not None and created:
        stdout.write(_("Sáng kiến CCHC minh họa: %(count)d sáng kiến.") % {"count": created} + "\n")
    return created
