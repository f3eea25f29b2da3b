"""Which unit of the tree is the province this site serves (the "home" province).

The unit tree may hold several provinces: the provinces whose national results (PAR INDEX, SIPAS, PAPI) are imported
to rank against, former provinces kept for history after a merger, or a second province sharing the server. Pages
that speak for the province — the public page first — need the one this deployment serves, decided by data and one
setting, never by "every root unit":

1. ``CCHC_PROVINCE_CODE`` (environment ``PROVINCE_CODE``), when set, names it: the unit with that code, of kind
   province and in force today. A code naming no such unit gives no province (the pages say it is not configured)
   rather than a guess.
2. Otherwise the province is the only root unit of kind province, in force today, that has units under it (the
   provinces loaded only for the national rankings have none). With none or several such units there is no home
   province until the setting names one.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from .models import Unit, UnitKind


def configured_code() -> str:
    return str(getattr(settings, "CCHC_PROVINCE_CODE", "") or "").strip()


def home_province(on: datetime.date | None = None) -> Unit | None:
    """The province this site serves, or ``None`` when the data and ``CCHC_PROVINCE_CODE`` do not decide one."""
    provinces = Unit.objects.active(on).filter(kind=UnitKind.PROVINCE)
    code = configured_code()
    if code:
        return provinces.filter(code=code).first()
    candidates = list(provinces.filter(parent__isnull=True, children__isnull=False).distinct().order_by("pk")[:2])
    return candidates[0] if len(candidates) == 1 else None
