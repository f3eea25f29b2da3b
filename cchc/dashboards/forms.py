"""The filters every dashboard shares: year, unit kind and subtree."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.organisations.forms import UnitChoiceField
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.picker import Scope

from .selectors import BoardFilters

YEARS_BACK = 6


def year_choices(today: datetime.date | None = None) -> list[tuple[int, str]]:
    """This year, the next one and the five before, latest first."""
    current = (today or timezone.localdate()).year
    return [(year, str(year)) for year in range(current + 1, current - YEARS_BACK, -1)]


class BoardFilterForm(forms.Form):
    """Bound to the query string; a wrong value is dropped (the default applies), never an error page."""

    FIELDS = ("year", "kind", "unit")

    def __init__(self, data: Any, *, units: Scope, default_year: int | None = None) -> None:
        # Bound to the query string, with the default year filled in so that the year shown is the year read.
        self.default_year = default_year or timezone.localdate().year
        values = data.copy()
        if not values.get("year"):
            values["year"] = str(self.default_year)
        super().__init__(values, label_suffix="")
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Năm"), choices=year_choices(), coerce=int, required=False, empty_value=None
        )
        self.fields["kind"] = forms.ChoiceField(
            label=_("Loại đơn vị"), choices=[("", _("Tất cả")), *UnitKind.choices], required=False
        )
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị (cả đơn vị trực thuộc)"), scope=units, required=False, empty_label=_("Tất cả")
        )

    def filters(self) -> BoardFilters:
        default = self.default_year
        self.is_valid()
        cleaned = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        unit = cleaned.get("unit")
        return BoardFilters(
            year=cleaned.get("year") or default,
            kind=cleaned.get("kind") or "",
            unit=unit if isinstance(unit, Unit) else None,
        )
