"""The select written in one loop gives the page exactly what Django's select gives."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from cchc.lib.widgets import OptionsSelect

CHOICES: list[Any] = [
    ("", "— Tất cả —"),
    (1, 'Sở Tư pháp <Hà Nội> & "Văn phòng"'),
    ("Xã, phường", [(2, "— Xã Đông Hưng"), (3, "— — Văn phòng UBND xã")]),
    (4, "Ủy ban nhân dân tỉnh"),
]


@pytest.mark.parametrize("value", [None, "", "1", 3, "99"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_unit", "required": True, "disabled": False, "data-note": 'a "quoted" <b>'}]
)
def test_the_options_select_writes_the_markup_of_djangos_select(value: Any, attrs: dict[str, Any] | None) -> None:
    expected = forms.Select(attrs=attrs, choices=CHOICES).render("unit", value)
    assert OptionsSelect(attrs=attrs, choices=CHOICES).render("unit", value) == expected


def test_a_form_field_with_the_options_select_renders_and_reads_like_a_select() -> None:
    class UnitForm(forms.Form):
        unit = forms.ChoiceField(choices=CHOICES, widget=OptionsSelect)

    class PlainForm(forms.Form):
        unit = forms.ChoiceField(choices=CHOICES)

    for data in ({"unit": "3"}, {"unit": "7"}):
        ours, theirs = UnitForm(data), PlainForm(data)
        assert str(ours["unit"]) == str(theirs["unit"]) and ours.is_valid() == theirs.is_valid()
