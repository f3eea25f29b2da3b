"""Chart specifications for the dashboards, drawn in the browser by plotly's bundled JavaScript.

Each chart is a plain dictionary (``data`` and ``layout`` as plotly reads them) that the page hands to
``static/cchc/charts.js`` through ``json_script``; every chart is shown next to a table with the same figures, which is
what a screen reader, a phone without JavaScript and the printed page rely on. Decimals travel as floats rounded to
two places; the axis and hover texts use the Vietnamese decimal comma (``separators``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from cchc.assessments.selectors import RankPoint, RoundProgress, SheetState
from cchc.indicators.models import Measure

from .selectors import IndexTrend, ServiceTrend

# The design system's colours (docs/design-system.md): the series in this order.
SERIES_COLOURS = ("#0b5cad", "#8a5a00", "#17693a", "#a3161a")


def _number(value: Decimal | int | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _layout(*, height: int, y_title: str, reversed_axis: bool = False, y_range: Sequence[float] | None = None) -> dict:
    y_axis: dict[str, Any] = {"title": {"text": y_title}, "zeroline": False, "gridcolor": "#d5dae0", "fixedrange": True}
    if reversed_axis:
        y_axis["autorange"] = "reversed"
    if y_range is not None:
        y_axis["range"] = list(y_range)
    return {
        "height": height,
        "margin": {"l": 48, "r": 12, "t": 8, "b": 36},
        "separators": ",.",
        "font": {"family": "Segoe UI, Roboto, Noto Sans, Arial, sans-serif", "size": 13, "color": "#1b1f24"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {"type": "category", "fixedrange": True},
        "yaxis": y_axis,
        "legend": {"orientation": "h", "y": -0.2},
        "showlegend": True,
    }


def line_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | int | None]]],
    *,
    y_title: str = "",
    reversed_axis: bool = False,
    height: int = 260,
    highlight: Sequence[bool] = (),
) -> dict[str, Any]:
    """One line per ``(name, values)`` over ``categories`` (years, periods); gaps where a value is missing.
    ``highlight`` marks categories (the year the page is filtered on) with larger markers on every line."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": list(categories),
            "y": [_number(value) for value in values],
            "line": {"color": SERIES_COLOURS[number % len(SERIES_COLOURS)], "width": 3 if number == 0 else 2},
            "connectgaps": False,
        }
        for number, (name, values) in enumerate(series)
    ]
    if any(highlight):
        for trace in data:
            trace["marker"] = {"size": [11 if marked else 6 for marked in highlight]}
    return {"data": data, "layout": _layout(height=height, y_title=y_title, reversed_axis=reversed_axis)}


def bar_chart(
    labels: Sequence[str], values: Sequence[Decimal | int | None], *, total: int | None = None, height: int = 220
) -> dict[str, Any]:
    """Horizontal bars, one per label, top to bottom in the order given; ``total`` fixes the scale (x of y)."""
    layout = _layout(height=height, y_title="")
    layout["showlegend"] = False
    layout["margin"] = {"l": 150, "r": 12, "t": 8, "b": 30}
    layout["yaxis"] = {"type": "category", "autorange": "reversed", "fixedrange": True, "automargin": True}
    layout["xaxis"] = {"fixedrange": True, "gridcolor": "#d5dae0", "rangemode": "tozero"}
    if total:
        layout["xaxis"]["range"] = [0, total]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [_number(value) for value in values],
            "y": list(labels),
            "marker": {"color": SERIES_COLOURS[0]},
            "text": [str(value) for value in values],
            "textposition": "auto",
        }
    ]
    return {"data": data, "layout": layout}


def round_chart(progress: RoundProgress) -> dict[str, Any]:
    """Where the round stands: submitted, late, overdue, not started, appraised, over the round's sheets."""
    states = (SheetState.SUBMITTED, SheetState.LATE, SheetState.OVERDUE, SheetState.NOT_STARTED, SheetState.APPRAISED)
    return bar_chart(
        [str(SheetState.LABELS[state]) for state in states],
        [progress.count(state) for state in states],
        total=progress.total or None,
    )


def index_chart(trend: IndexTrend) -> dict[str, Any]:
    return line_chart(
        [str(year) for year in trend.years],
        [(trend.province.name, trend.values), (gettext("Trung bình các tỉnh"), trend.means)],
        y_title=gettext("điểm") if trend.index.measure == Measure.SCORE else "%",
        highlight=[year == trend.year for year in trend.years],
    )


def service_chart(service: ServiceTrend) -> dict[str, Any]:
    return line_chart(
        [label for label, _value, _in_year in service.periods],
        [(gettext("Điểm chất lượng phục vụ"), [value for _label, value, _in_year in service.periods])],
        highlight=[in_year for _label, _value, in_year in service.periods],
    )


def rank_chart(ranks: Sequence[RankPoint]) -> dict[str, Any]:
    """The unit's PAR INDEX year by year (the rank is in the table beside it)."""
    return line_chart(
        [str(point.year) for point in ranks],
        [(gettext("Chỉ số CCHC (%)"), [point.index_value for point in ranks])],
    )
