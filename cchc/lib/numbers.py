"""Numbers as people read them: points on the scoring pages, measured values on the indicator pages, counts.

Pure formatting in the current language (``0,25`` and ``37.000`` in Vietnamese, ``0.25`` and ``37,000`` in English),
shared by the pages that show these numbers and by the audit trail, which shows changed values the same way.

Thousands are grouped here, not by ``USE_THOUSAND_SEPARATOR``: that setting would also group every id Django prints
into links and form values. Django's Vietnamese formats name the separator (``.``) but no grouping, so the grouping
of three is given here for every language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, numberformat
from django.utils.translation import gettext_lazy as _

# How a value reads after its number: "66,67 %", "8,5 điểm", "3 ngày" ("count" needs nothing after it).
_MEASURE_SUFFIXES = {"percent": " %", "score": _(" điểm"), "days": _(" ngày")}


# Digits between two thousands separators: Vietnamese and English both group by three (37.000, 37,000).
THOUSANDS = 3


def _grouped(value: Decimal | int) -> str:
    """``value`` with the current language's decimal and thousands separators, thousands always grouped."""
    return numberformat.format(
        value,
        str(formats.get_format("DECIMAL_SEPARATOR")),
        grouping=THOUSANDS,
        thousand_sep=str(formats.get_format("THOUSAND_SEPARATOR")),
        force_grouping=True,
    )


def format_count(value: Decimal | int) -> str:
    """A count as people read it: ``37.000`` in Vietnamese, ``37,000`` in English (dossiers, rows, values)."""
    return _grouped(value)


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """``numerator / denominator × 100`` rounded half up to hundredths (``66.67``); ``None`` when there is nothing to
    divide by. The one rounding of every rate the indicators store, compute or check."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def format_points(value: Decimal) -> str:
    """Points as the reader writes them (``0,25`` in Vietnamese)."""
    return formats.number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)


def format_points_written(value: Decimal | None) -> str:
    """Points as officials write them in documents and plan texts: "8,5", "10", "0,25".

    Rounded half up to hundredths, without trailing zeros, always with the Vietnamese decimal comma (the documents
    are Vietnamese whatever the reader's language); empty for no value.
    """
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# Decimals of every rate shown (pages, messages, the audit trail): the store's own rounding (:func:`percent`), so
# "87,10 %" stands next to "87,09 %", never "87,1 %".
RATE_DECIMALS = 2
_RATE_QUANTUM = Decimal(1).scaleb(-RATE_DECIMALS)


def format_rate(value: Decimal) -> str:
    """A rate as every page shows it: always :data:`RATE_DECIMALS` decimals, rounded half up, with " %".

    ``Decimal("87.1")`` reads "87,10 %" and ``Decimal("87.094")`` "87,09 %" in Vietnamese ("87.10 %" in English);
    thousands are grouped. The one formatting of a rate; exports keep the number itself.
    """
    if not value.is_finite():
        return f"{value} %"
    rounded = value.quantize(_RATE_QUANTUM, ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0,00 %"
    return f"{_grouped(rounded)} %"


def format_amount(value: Decimal, measure: str = "") -> str:
    """``value`` as people read it in the current language, with the measure's unit.

    A rate (``percent``) goes through :func:`format_rate` ("66,67 %", "80,00 %"); other values lose their trailing
    zeros (``8,5`` điểm). Thousands are grouped (``37.000`` dossiers, ``1.250.000`` đồng).
    """
    if measure == "percent":
        return format_rate(value)
    plain = Decimal(f"{value.normalize():f}") if value.is_finite() else value
    return f"{_grouped(plain) if plain.is_finite() else plain}{_MEASURE_SUFFIXES.get(measure, '')}"
