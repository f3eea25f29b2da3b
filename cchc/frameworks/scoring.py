"""Scoring rules of leaf criteria: evaluate, validate and describe them. Pure functions, no database.

A rule is a ``rule_kind`` (see :class:`cchc.frameworks.models.RuleKind`) with
``rule_params`` (documented on :class:`cchc.frameworks.models.Criterion`) and
the leaf's ``max_points``. :func:`evaluate` turns the value a unit or an
indicator gives into points, always within ``0 … max_points``; whether those
points count for (bonus) or against (penalty) the unit is the criterion's
category, applied by :func:`signed_points`.

The rate-based rules (bands, proportional, indicator, survey) never give fewer
points for a higher rate: :func:`validate_params` refuses bands whose points
rise as the threshold falls.

Rules can also be written as short text (the ``Tham số`` column of the Excel
layout): :func:`params_to_text` and :func:`params_from_text`, for example
``bước=0,25``, ``≥90%: 2; ≥70%: 1; ≥0%: 0``, ``đúng hạn=1; trễ hạn=0,5; không
thực hiện=0``, ``chỉ tiêu=100``, ``chỉ số=tasks.on_time_rate; cách tính=theo mức;
≥90%: 2; ≥0%: 0``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.text import fold, normalize
from cchc.lib.validators import no_negative_zero

MANUAL = "manual"
YES_NO = "yes_no"
BANDS = "bands"
TIMELINESS = "timeliness"
PROPORTIONAL = "proportional"
INDICATOR = "indicator"
SURVEY = "survey"
RULE_KINDS = (MANUAL, YES_NO, BANDS, TIMELINESS, PROPORTIONAL, INDICATOR, SURVEY)
# Methods an indicator or survey rule applies to the value it reads.
VALUE_METHODS = (BANDS, PROPORTIONAL)

DEFAULT_STEP = Decimal("0.25")
POINTS_QUANTUM = Decimal("0.01")
ON_TIME, LATE, MISSING = "on_time", "late", "missing"
TIMELINESS_OUTCOMES = (ON_TIME, LATE, MISSING)

_YES_WORDS = {"yes", "co", "dat", "true", "1", "x"}
_NO_WORDS = {"no", "khong", "khong dat", "chua", "false", "0", ""}
_TIMELINESS_WORDS = {
    ON_TIME: {"on_time", "on time", "dung han", "dung thoi han", "kip thoi"},
    LATE: {"late", "tre han", "cham", "muon", "qua han", "tre"},
    MISSING: {"missing", "khong thuc hien", "chua thuc hien", "khong ban hanh", "chua ban hanh", "khong"},
}


# ---------------------------------------------------------------------------
# Numbers


def to_decimal(value: Any) -> Decimal:
    """A number from a number, or from text with a decimal comma or point; ``ValueError`` otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    else:
        text = normalize(str(value)).replace(" ", "").rstrip("%")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(value) from None
    if not result.is_finite():
        raise ValueError(value)
    return no_negative_zero(result)


def format_number(value: Any) -> str:
    """``0.50`` → ``0,5``; ``2.00`` → ``2`` (Vietnamese decimal comma, no trailing zeros)."""
    number = to_decimal(value)
    text = f"{number.normalize():f}" if number != 0 else "0"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _points(value: Decimal) -> Decimal:
    return value.quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)


def _param(params: Mapping[str, Any], key: str, default: Any = None) -> Decimal:
    raw = params.get(key, default)
    return to_decimal(raw)


# ---------------------------------------------------------------------------
# Evaluation


def evaluate(rule_kind: str, params: Mapping[str, Any], max_points: Any, value: Any) -> Decimal:
    """The points ``value`` earns under the rule, within ``0 … max_points``.

    ``value`` by kind: ``manual`` the points themselves; ``yes_no`` a boolean
    (or ``"có"``/``"không"``); ``bands`` and ``proportional`` a rate in
    percent; ``timeliness`` ``"on_time"``, ``"late"`` or ``"missing"`` (or
    the Vietnamese words); ``indicator`` and ``survey`` the value read from the
    indicators store. Raises :class:`ServiceError` with a Vietnamese message for
    a value the rule cannot take (off-step, out of range, not a number).
    """
    maximum = to_decimal(max_points)
    if rule_kind == MANUAL:
        return _evaluate_manual(params, maximum, value)
    if rule_kind == YES_NO:
        return maximum if _yes(value) else Decimal(0)
    if rule_kind == TIMELINESS:
        return _evaluate_timeliness(params, maximum, value)
    if rule_kind in (BANDS, PROPORTIONAL):
        return _evaluate_rate(rule_kind, params, maximum, _rate(value))
    if rule_kind in (INDICATOR, SURVEY):
        method = str(params.get("method") or BANDS)
        if method not in VALUE_METHODS:
            raise ServiceError(_("Cách tính “%(method)s” không hợp lệ.") % {"method": method}, field="rule_params")
        return _evaluate_rate(method, params, maximum, _rate(value))
    raise ServiceError(_("Cách chấm “%(kind)s” không hợp lệ.") % {"kind": rule_kind}, field="rule_kind")


def step_of(params: Mapping[str, Any]) -> Decimal:
    try:
        step = _param(params, "step", DEFAULT_STEP)
    except ValueError:
        return DEFAULT_STEP
    return step if step > 0 else DEFAULT_STEP


def _evaluate_manual(params: Mapping[str, Any], maximum: Decimal, value: Any) -> Decimal:
    step = step_of(params)
    message = _("Điểm phải từ 0 đến %(max)s và theo bước %(step)s.") % {
        "max": format_number(maximum),
        "step": format_number(step),
    }
    try:
        points = to_decimal(value)
    except ValueError:
        raise ServiceError(message, field="score") from None
    if points < 0 or points > maximum or points % step != 0:
        raise ServiceError(message, field="score")
    return points


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        return value != 0
    word = fold(str(value or "")).strip()
    if word in _YES_WORDS:
        return True
    if word in _NO_WORDS:
        return False
    raise ServiceError(_("Hãy chọn “Có” hoặc “Không”."), field="score")


def timeliness_outcome(value: Any) -> str:
    word = fold(str(value or "")).strip().replace("-", " ")
    for outcome, words in _TIMELINESS_WORDS.items():
        if word in words or word == outcome:
            return outcome
    raise ServiceError(_("Hãy chọn “Đúng hạn”, “Trễ hạn” hoặc “Không thực hiện”."), field="score")


def timeliness_points(params: Mapping[str, Any], maximum: Decimal) -> dict[str, Decimal]:
    defaults = {ON_TIME: maximum, LATE: _points(maximum / 2), MISSING: Decimal(0)}
    return {outcome: _param(params, outcome, defaults[outcome]) for outcome in TIMELINESS_OUTCOMES}


def _evaluate_timeliness(params: Mapping[str, Any], maximum: Decimal, value: Any) -> Decimal:
    points = timeliness_points(params, maximum)[timeliness_outcome(value)]
    return min(max(points, Decimal(0)), maximum)


def _rate(value: Any) -> Decimal:
    try:
        rate = to_decimal(value)
    except ValueError:
        raise ServiceError(_("Tỷ lệ phải là một số (ví dụ 85 hoặc 85,5)."), field="value") from None
    if rate < 0:
        raise ServiceError(_("Tỷ lệ không được âm."), field="value")
    return rate


def bands_of(params: Mapping[str, Any]) -> list[tuple[Decimal, Decimal]]:
    """``(min, points)`` pairs, highest threshold first."""
    bands = [(to_decimal(band["min"]), to_decimal(band["points"])) for band in params.get("bands") or []]
    return sorted(bands, key=lambda band: band[0], reverse=True)


def _evaluate_rate(method: str, params: Mapping[str, Any], maximum: Decimal, rate: Decimal) -> Decimal:
    if method == BANDS:
        for threshold, points in bands_of(params):
            if rate >= threshold:
                return min(max(points, Decimal(0)), maximum)
        return Decimal(0)
    target = _param(params, "target", 100)
    if target <= 0:
        raise ServiceError(_("Chỉ tiêu phải lớn hơn 0."), field="rule_params")
    return min(_points(rate / target * maximum), maximum)


def signed_points(category: str, points: Decimal) -> Decimal:
    """What ``points`` add to a unit's total: penalty items subtract, others add."""
    return -points if category == "penalty" else points


# ---------------------------------------------------------------------------
# Validation


def validate_params(rule_kind: str, params: Any, max_points: Any) -> list[str]:
    """Vietnamese descriptions of everything wrong with the rule; empty when it is usable."""
    try:
        maximum = to_decimal(max_points)
    except ValueError:
        return [_("Điểm tối đa phải là một số.")]
    if maximum < 0:
        return [_("Điểm tối đa không được âm.")]
    if rule_kind not in RULE_KINDS:
        return [_("Cách chấm “%(kind)s” không hợp lệ.") % {"kind": rule_kind}]
    if not isinstance(params, Mapping):
        return [_("Tham số chấm điểm phải là một bảng khóa – giá trị.")]
    errors: list[str] = []
    if rule_kind == MANUAL:
        _check_step(params, maximum, errors)
    elif rule_kind == TIMELINESS:
        _check_timeliness(params, maximum, errors)
    elif rule_kind in (BANDS, PROPORTIONAL):
        _check_rate_method(rule_kind, params, maximum, errors)
    elif rule_kind in (INDICATOR, SURVEY):
        code = str(params.get("indicator") or "").strip()
        if not code:
            errors.append(_("Cần mã chỉ số lấy dữ liệu (ví dụ tasks.on_time_rate)."))
        elif not re.fullmatch(r"[A-Za-z0-9_.\-]{1,80}", code):
            errors.append(_("Mã chỉ số “%(code)s” không hợp lệ.") % {"code": code})
        method = params.get("method") or BANDS
        if method not in VALUE_METHODS:
            errors.append(_("Cách tính phải là “theo mức” hoặc “tỷ lệ so với chỉ tiêu”."))
        else:
            _check_rate_method(str(method), params, maximum, errors)
    return errors


def _check_number(params: Mapping[str, Any], key: str, label: str, errors: list[str]) -> Decimal | None:
    try:
        return _param(params, key)
    except (ValueError, TypeError):
        errors.append(_("%(label)s phải là một số.") % {"label": label})
        return None


def _check_step(params: Mapping[str, Any], maximum: Decimal, errors: list[str]) -> None:
    if "step" not in params:
        return
    step = _check_number(params, "step", _("Bước điểm"), errors)
    if step is None:
        return
    if step <= 0:
        errors.append(_("Bước điểm phải lớn hơn 0."))
    elif maximum % step != 0:
        errors.append(
            _("Điểm tối đa %(max)s không chia hết cho bước %(step)s.")
            % {"max": format_number(maximum), "step": format_number(step)}
        )


def _check_points_range(points: Decimal, maximum: Decimal, label: str, errors: list[str]) -> None:
    if points < 0 or points > maximum:
        errors.append(
            _("%(label)s: %(points)s điểm nằm ngoài khoảng 0 đến %(max)s.")
            % {"label": label, "points": format_number(points), "max": format_number(maximum)}
        )


def _check_timeliness(params: Mapping[str, Any], maximum: Decimal, errors: list[str]) -> None:
    labels = timeliness_labels()
    values: dict[str, Decimal] = {}
    for outcome in TIMELINESS_OUTCOMES:
        if outcome not in params:
            continue
        number = _check_number(params, outcome, labels[outcome], errors)
        if number is not None:
            _check_points_range(number, maximum, labels[outcome], errors)
            values[outcome] = number
    if errors:
        return
    points = timeliness_points(params, maximum)
    if not points[ON_TIME] >= points[LATE] >= points[MISSING]:
        errors.append(_("Điểm phải giảm dần: đúng hạn ≥ trễ hạn ≥ không thực hiện."))


def _check_rate_method(method: str, params: Mapping[str, Any], maximum: Decimal, errors: list[str]) -> None:
    if method == PROPORTIONAL:
        if "target" in params:
            target = _check_number(params, "target", _("Chỉ tiêu"), errors)
            if target is not None and target <= 0:
                errors.append(_("Chỉ tiêu phải lớn hơn 0."))
        return
    raw = params.get("bands")
    if not isinstance(raw, list) or not raw:
        errors.append(_("Cần ít nhất một mức (ví dụ ≥90%: 2; ≥70%: 1; ≥0%: 0)."))
        return
    bands: list[tuple[Decimal, Decimal]] = []
    for index, band in enumerate(raw, start=1):
        try:
            threshold, points = to_decimal(band["min"]), to_decimal(band["points"])
        except (ValueError, TypeError, KeyError):
            errors.append(_("Mức %(index)s cần ngưỡng tỷ lệ và số điểm là số.") % {"index": index})
            continue
        if threshold < 0:
            errors.append(_("Mức %(index)s: ngưỡng tỷ lệ không được âm.") % {"index": index})
        _check_points_range(points, maximum, _("Mức %(index)s") % {"index": index}, errors)
        bands.append((threshold, points))
    if errors:
        return
    thresholds = [threshold for threshold, _points in bands]
    if any(later >= earlier for earlier, later in itertools.pairwise(thresholds)):
        errors.append(_("Các mức phải xếp theo ngưỡng tỷ lệ giảm dần, không trùng nhau."))
        return
    points_in_order = [points for _threshold, points in bands]
    if any(later > earlier for earlier, later in itertools.pairwise(points_in_order)):
        errors.append(_("Mức có ngưỡng thấp hơn không được nhiều điểm hơn mức có ngưỡng cao hơn."))


# ---------------------------------------------------------------------------
# Canonical form, text form and description


def canonical_params(rule_kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters with numbers as plain decimal strings and only the keys the kind uses."""

    def number(value: Any) -> str:
        return f"{to_decimal(value).normalize():f}"

    result: dict[str, Any] = {}
    if rule_kind in (INDICATOR, SURVEY):
        result["indicator"] = str(params.get("indicator") or "").strip()
        result["method"] = str(params.get("method") or BANDS)
    method = result.get("method", rule_kind)
    if rule_kind == MANUAL and "step" in params:
        result["step"] = number(params["step"])
    if rule_kind == TIMELINESS:
        result.update({key: number(params[key]) for key in TIMELINESS_OUTCOMES if key in params})
    if method == BANDS:
        result["bands"] = [
            {"min": number(threshold), "points": number(points)} for threshold, points in bands_of(params)
        ]
    if method == PROPORTIONAL and "target" in params:
        result["target"] = number(params["target"])
    return result


def timeliness_labels() -> dict[str, str]:
    return {ON_TIME: _("Đúng hạn"), LATE: _("Trễ hạn"), MISSING: _("Không thực hiện")}


def _bands_text(params: Mapping[str, Any]) -> str:
    return "; ".join(f"≥{format_number(t)}%: {format_number(p)}" for t, p in bands_of(params))


def params_to_text(rule_kind: str, params: Mapping[str, Any]) -> str:
    """The short text form written in the Excel ``Tham số`` column (read back by :func:`params_from_text`)."""
    parts: list[str] = []
    method = rule_kind
    if rule_kind in (INDICATOR, SURVEY):
        method = str(params.get("method") or BANDS)
        parts.append(f"chỉ số={params.get('indicator', '')}")
        parts.append("cách tính=" + ("theo mức" if method == BANDS else "tỷ lệ"))
    if rule_kind == MANUAL and "step" in params:
        parts.append(f"bước={format_number(params['step'])}")
    if rule_kind == TIMELINESS:
        words = {ON_TIME: "đúng hạn", LATE: "trễ hạn", MISSING: "không thực hiện"}
        parts += [f"{words[key]}={format_number(params[key])}" for key in TIMELINESS_OUTCOMES if key in params]
    if method == BANDS and params.get("bands"):
        parts.append(_bands_text(params))
    if method == PROPORTIONAL and "target" in params:
        parts.append(f"chỉ tiêu={format_number(params['target'])}")
    return "; ".join(parts)


_TEXT_KEYS = {
    "buoc": "step",
    "step": "step",
    "dung han": ON_TIME,
    "on time": ON_TIME,
    "tre han": LATE,
    "late": LATE,
    "khong thuc hien": MISSING,
    "missing": MISSING,
    "chi tieu": "target",
    "target": "target",
    "chi so": "indicator",
    "indicator": "indicator",
    "cach tinh": "method",
    "method": "method",
}
_METHOD_WORDS = {
    "theo muc": BANDS,
    "bands": BANDS,
    "muc": BANDS,
    "ty le": PROPORTIONAL,
    "ty le so voi chi tieu": PROPORTIONAL,
    "proportional": PROPORTIONAL,
}
_BAND = re.compile(r"^(?:>=|≥|>)?\s*([0-9]+(?:[.,][0-9]+)?)\s*%?\s*:\s*(\S+)$")


def params_from_text(rule_kind: str, text: str) -> dict[str, Any]:
    """Parameters from the short text form (or from JSON); ``ValueError`` with a Vietnamese message."""
    text = normalize(text)
    if not text:
        return {}
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(_("Tham số dạng JSON không hợp lệ.")) from None
        if not isinstance(loaded, dict):
            raise ValueError(_("Tham số dạng JSON phải là một đối tượng {…}."))
        return loaded
    params: dict[str, Any] = {}
    bands: list[dict[str, str]] = []
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        band = _BAND.match(item)
        if band:
            try:
                bands.append({"min": f"{to_decimal(band.group(1)):f}", "points": f"{to_decimal(band.group(2)):f}"})
            except ValueError:
                raise ValueError(_("Không hiểu mức “%(item)s”.") % {"item": item}) from None
            continue
        key, sep, value = item.partition("=")
        name = _TEXT_KEYS.get(fold(key).strip())
        if not sep or name is None:
            raise ValueError(_("Không hiểu tham số “%(item)s”.") % {"item": item})
        value = value.strip()
        if name == "indicator":
            params[name] = value
        elif name == "method":
            method = _METHOD_WORDS.get(fold(value))
            if method is None:
                raise ValueError(_("Cách tính “%(value)s” không hợp lệ.") % {"value": value})
            params[name] = method
        else:
            try:
                params[name] = f"{to_decimal(value):f}"
            except ValueError:
                raise ValueError(_("“%(item)s”: giá trị phải là một số.") % {"item": item}) from None
    if bands:
        params["bands"] = bands
    if rule_kind in (INDICATOR, SURVEY) and "method" not in params:
        params["method"] = PROPORTIONAL if "target" in params and not bands else BANDS
    return params


def describe(rule_kind: str, params: Mapping[str, Any], max_points: Any = None) -> str:
    """A readable Vietnamese sentence for the rule (shown in the tree and the exported guide)."""
    try:
        return _describe(rule_kind, params, max_points)
    except (ValueError, TypeError, KeyError, ServiceError):
        return _("Tham số chấm điểm chưa hợp lệ.")


def _describe(rule_kind: str, params: Mapping[str, Any], max_points: Any) -> str:
    maximum = format_number(max_points) if max_points is not None else _("điểm tối đa")
    if rule_kind == MANUAL:
        return _("Chấm trực tiếp từ 0 đến %(max)s điểm, theo bước %(step)s.") % {
            "max": maximum,
            "step": format_number(step_of(params)),
        }
    if rule_kind == YES_NO:
        return _("Có: %(max)s điểm; không: 0 điểm.") % {"max": maximum}
    if rule_kind == TIMELINESS:
        if max_points is None:
            base = Decimal(1)
            values = {key: to_decimal(params[key]) for key in TIMELINESS_OUTCOMES if key in params}
            points = {**timeliness_points(params, base), **values}
        else:
            points = timeliness_points(params, to_decimal(max_points))
        labels = timeliness_labels()
        return "; ".join(f"{labels[key]}: {format_number(points[key])}" for key in TIMELINESS_OUTCOMES) + "."
    if rule_kind in (BANDS, PROPORTIONAL):
        text = _describe_rate(rule_kind, params, maximum)
        return text[:1].upper() + text[1:]
    if rule_kind in (INDICATOR, SURVEY):
        method = str(params.get("method") or BANDS)
        if rule_kind == INDICATOR:
            lead = _("Tự động từ chỉ số “%(code)s”") % {"code": params.get("indicator", "")}
        else:
            lead = _("Từ kết quả khảo sát “%(code)s”") % {"code": params.get("indicator", "")}
        return f"{lead}: {_describe_rate(method, params, maximum)}"
    return _("Cách chấm “%(kind)s” không hợp lệ.") % {"kind": rule_kind}


def _describe_rate(method: str, params: Mapping[str, Any], maximum: str) -> str:
    if method == BANDS:
        bands = bands_of(params)
        parts = []
        for index, (threshold, points) in enumerate(bands):
            if index == 0:
                label = f"≥{format_number(threshold)}%"
            else:
                label = f"{format_number(threshold)}–<{format_number(bands[index - 1][0])}%"
            if threshold == 0 and index > 0:
                label = f"<{format_number(bands[index - 1][0])}%"
            parts.append(f"{label}: {format_number(points)}")
        if bands and bands[-1][0] > 0:
            parts.append(f"<{format_number(bands[-1][0])}%: 0")
        return "; ".join(parts) + "."
    target = format_number(params.get("target", 100))
    return _("tỷ lệ đạt / %(target)s%% × %(max)s điểm, tối đa %(max)s điểm.") % {"target": target, "max": maximum}
