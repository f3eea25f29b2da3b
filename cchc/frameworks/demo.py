"""Demo data: the two sample frameworks of the demo province for every year the PAR INDEX demo assesses."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from cchc.demo.data import PROVINCE, calendar
from cchc.organisations.models import Unit

from .samples import SAMPLES, install_sample


def load_demo(*, stdout: Any, password: str | None = None, today: datetime.date | None = None) -> None:
    """One departments framework and one communes framework per year of the demo calendar (from the year before
    the 2025 merger to the round in progress), owned by the demo province."""
    province = Unit.objects.get(code=PROVINCE)
    created = 0
    for year in calendar(today).framework_years:
        for key in SAMPLES:
            created += install_sample(actor=None, key=key, year=year, owner=province).created
    stdout.write(_("Bộ tiêu chí mẫu: %(created)d bộ mới.") % {"created": created} + "\n")
