"""Demo data: the two sample frameworks of the demo province for last year and this year."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cchc.demo.data import PROVINCE
from cchc.organisations.models import Unit

from .samples import SAMPLES, install_sample

DEMO_YEARS = (2024, 2025)


def load_demo(*, stdout: Any, password: str | None = None) -> None:
    """One departments framework and one communes framework per demo year, owned by the demo province."""
    province = Unit.objects.get(code=PROVINCE)
    created = 0
    for year in DEMO_YEARS:
        for key in SAMPLES:
            created += install_sample(actor=None, key=key, year=year, owner=province).created
    stdout.write(_("Bộ tiêu chí mẫu: %(created)d bộ mới.") % {"created": created} + "\n")
