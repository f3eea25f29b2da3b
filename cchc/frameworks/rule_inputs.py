"""What a person enters for a leaf criterion, read against the leaf's scoring rule.

A leaf asks for what its rule takes (:class:`InputKind`): points for a manual leaf, a choice for a yes/no or a
timeliness leaf, a rate in percent for the rate rules, nothing for a leaf scored from the indicator store.
:func:`rule_of` reads a criterion's ``rule_kind`` and ``rule_params`` once into a typed rule (one frozen class per
kind of input); the services, forms and API of the PAR INDEX cycle ask that object what to show and what an entry
is worth. The points themselves are computed by the one evaluator of the rules, :func:`scoring.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_points
from cchc.lib.text import normalize
from cchc.lib.validators import no_negative_zero

from . import scoring
from .models import Criterion, RuleKind

DEFAULT_STEP = Decimal("0.25")
AUTO_RULE_KINDS = (RuleKind.INDICATOR, RuleKind.SURVEY)
RATE_MAX = Decimal(100)
YES, NO = "yes", "no"
# The timeliness outcomes in the order they are offered.
RULE_ORDER = scoring.TIMELINESS_OUTCOMES


class InputKind:
    """What the forms and the API ask for, by the leaf's ``rule_kind``."""

    POINTS = "points"  # manual: the points themselves
    YES_NO = "yes_no"  # a choice “Có” / “Không”
    RATE = "rate"  # bands, proportional: a rate in percent
    TIMELINESS = "timeliness"  # a choice “Đúng hạn” / “Trễ hạn” / “Không thực hiện”
    AUTO = "auto"  # indicator, survey: filled from the indicator store, read-only


# The field a client sends for each kind of input.
_INPUT_FIELDS = {
    InputKind.POINTS: "points",
    InputKind.YES_NO: "choice",
    InputKind.RATE: "value",
    InputKind.TIMELINESS: "choice",
    InputKind.AUTO: "points",
}


# ---------------------------------------------------------------------------
# Numbers typed by a person


def parse_points(raw: Any, *, field: str = "points") -> Decimal | None:
    """A number typed by a person (``1,5`` or ``1.5``); empty means no score."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    text = str(raw).strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ServiceError(_("Điểm phải là một số, ví dụ 1,5."), code="invalid", field=field) from None
    if not value.is_finite():
        raise ServiceError(_("Điểm phải là một số, ví dụ 1,5."), code="invalid", field=field)
    return no_negative_zero(value)


def auto_score_error() -> ServiceError:
    """The refusal of points sent for a leaf computed from data."""
    return ServiceError(
        _("Điểm của tiêu chí này được tính tự động từ số liệu; đơn vị chỉ ghi ý kiến, không sửa điểm."),
        code="auto_score",
        field="points",
    )


# ---------------------------------------------------------------------------
# The typed rule of a leaf


@dataclass(frozen=True)
class RuleInput:
    """Points for a leaf, with the rate or choice they were computed from (``None`` / ``""`` when typed directly)."""

    points: Decimal | None
    value: Decimal | None = None
    choice: str = ""


@dataclass(frozen=True)
class LeafRule:
    """A leaf's scoring rule as its input is read: the parameters parsed once, the checks of an entry.

    ``params`` are kept as stored for :func:`scoring.evaluate` and :func:`scoring.describe`; ``step`` is the
    granularity of points typed directly (any leaf not scored from data may take points directly, for example an
    explanation's proposed score), ``DEFAULT_STEP`` when the parameters give none or an unusable one.
    """

    kind: str
    code: str
    max_points: Decimal
    params: Mapping[str, Any]
    step: Decimal

    input_kind: ClassVar[str] = InputKind.POINTS

    @property
    def is_auto(self) -> bool:
        """Scored from the indicator store (an indicator or a survey result): the unit may comment, not overwrite."""
        return self.input_kind == InputKind.AUTO

    @property
    def input_field(self) -> str:
        """The field that carries the leaf's entry in a form (``points`` for a leaf computed from data)."""
        return _INPUT_FIELDS[self.input_kind]

    @property
    def entry_field(self) -> str | None:
        """The field a client sends for the leaf: ``points``, ``choice`` or ``value``; ``None`` when it is computed."""
        return None if self.is_auto else self.input_field

    def text(self) -> str:
        """The rule as a readable sentence (shown beside the input)."""
        return scoring.describe(self.kind, self.params, self.max_points)

    def input_word(self) -> str:
        """What the leaf asks for, as a word for a message: ``tỷ lệ (%)``, ``lựa chọn`` or ``điểm``."""
        return _("điểm")

    def options(self) -> list[tuple[str, Decimal]]:
        """The choices the leaf offers with the points each gives; empty for a leaf that takes no choice."""
        return []

    def check_points(self, value: Decimal, *, field: str = "points") -> Decimal:
        """``value`` if it lies in 0..max and on the step; otherwise a Vietnamese message."""
        if value < 0 or value > self.max_points:
            raise ServiceError(
                _("Điểm phải từ 0 đến %(max)s (điểm tối đa của tiêu chí %(code)s).")
                % {"max": format_points(self.max_points), "code": self.code},
                code="out_of_range",
                field=field,
            )
        if value % self.step != 0:
            raise ServiceError(
                _("Điểm phải chấm theo bước %(step)s điểm (ví dụ 0; %(step)s; %(double)s…).")
                % {"step": format_points(self.step), "double": format_points(self.step * 2)},
                code="off_step",
                field=field,
            )
        return no_negative_zero(value.quantize(Decimal("0.01")))

    def read_choice(self, raw: str, *, field: str) -> str:
        """The choice a person made, as a stored value; refused for a leaf that takes no choice."""
        raise ServiceError(
            _("Tiêu chí %(code)s không chấm theo lựa chọn; hãy nhập %(what)s.")
            % {"code": self.code, "what": self.input_word()},
            code="invalid",
            field=field,
        )

    def read_rate(self, value: Any, *, field: str) -> Decimal:
        """The rate a person entered; refused for a leaf that is not scored by a rate."""
        raise ServiceError(
            _("Tiêu chí %(code)s không chấm theo tỷ lệ; hãy nhập %(what)s.")
            % {"code": self.code, "what": self.input_word()},
            code="invalid",
            field=field,
        )

    def points_for(self, entry: Any, *, field: str) -> Decimal:
        """The points an entry (a rate or a choice) earns under the rule, within 0..max."""
        try:
            points = scoring.evaluate(self.kind, self.params, self.max_points, entry)
        except (ValueError, TypeError, KeyError, InvalidOperation):
            raise ServiceError(
                _("Quy tắc chấm của tiêu chí %(code)s chưa hợp lệ; hãy báo cơ quan thường trực.") % {"code": self.code},
                code="invalid_rule",
                field=field,
            ) from None
        except ServiceError as exc:
            raise ServiceError(exc.message, code="invalid", field=field) from None
        return min(max(points, Decimal(0)), self.max_points).quantize(Decimal("0.01"))

    def resolve(
        self,
        *,
        points: Decimal | None = None,
        value: Decimal | None = None,
        choice: str | None = None,
        fields: tuple[str, str, str] = ("points", "value", "choice"),
    ) -> RuleInput:
        """The points a person's entry gives under the rule, computed by :func:`scoring.evaluate`.

        One of ``points`` (checked against 0..max and the step), ``value`` (a rate in percent, for the rate rules)
        or ``choice`` (``yes``/``no``, ``on_time``/``late``/``missing``); nothing at all means no score.
        """
        points_field, value_field, choice_field = fields
        choice = (choice or "").strip() or None
        given = [
            name
            for name, item in ((points_field, points), (value_field, value), (choice_field, choice))
            if item is not None
        ]
        if len(given) > 1:
            raise ServiceError(_("Chỉ nhập một trong: điểm, tỷ lệ hoặc lựa chọn."), code="invalid", field=given[-1])
        if value is not None:
            rate = self.read_rate(value, field=value_field)
            return RuleInput(points=self.points_for(rate, field=value_field), value=rate)
        if choice is not None:
            chosen = self.read_choice(choice, field=choice_field)
            return RuleInput(points=self.points_for(chosen, field=choice_field), choice=chosen)
        if points is not None:
            return RuleInput(points=self.check_points(points, field=points_field))
        return RuleInput(points=None)

    def allowed_entries(self) -> str:
        """The entries the leaf takes, for a message that refuses points typed directly."""
        return _("từ 0 đến 100")

    def require_entry(self, *, points: Decimal | None) -> None:
        """Refuse points typed directly for a leaf whose rule computes them, as the self-assessment page does.

        That page asks a manual leaf for points, a yes/no or timeliness leaf for a choice, a rate leaf for a rate
        and an indicator or survey leaf for nothing; the API's self-score write holds its clients to the same
        entries.
        """
        if points is None or self.input_kind == InputKind.POINTS:
            return
        field = self.entry_field
        if field is None:
            raise auto_score_error()
        raise ServiceError(
            _(
                "Tiêu chí %(code)s chấm theo quy tắc “%(rule)s”, không nhận điểm nhập trực tiếp: hãy gửi %(what)s "
                "trong trường “%(field)s” (%(allowed)s); điểm được tính theo quy tắc."
            )
            % {
                "code": self.code,
                "rule": RuleKind(self.kind).label,
                "what": self.input_word(),
                "field": field,
                "allowed": self.allowed_entries(),
            },
            code="rule_input",
            field="points",
        )


@dataclass(frozen=True)
class ManualRule(LeafRule):
    """Points typed directly, 0..max on the step (also the reading of a rule kind this version does not know)."""


@dataclass(frozen=True)
class YesNoRule(LeafRule):
    """A choice “Có” (the maximum) or “Không” (0)."""

    input_kind: ClassVar[str] = InputKind.YES_NO

    def input_word(self) -> str:
        return _("lựa chọn")

    def options(self) -> list[tuple[str, Decimal]]:
        return [(YES, self.max_points), (NO, Decimal(0))]

    def read_choice(self, raw: str, *, field: str) -> str:
        word = normalize(str(raw))
        if word in (YES, NO):
            return word
        try:
            return YES if scoring.evaluate(RuleKind.YES_NO, {}, 1, word) else NO
        except ServiceError:
            raise ServiceError(_("Hãy chọn “Có” hoặc “Không”."), code="invalid", field=field) from None

    def allowed_entries(self) -> str:
        return f"{YES}, {NO}"


@dataclass(frozen=True)
class TimelinessRule(LeafRule):
    """A choice “Đúng hạn” / “Trễ hạn” / “Không thực hiện”; ``outcome_points`` is ``None`` when unreadable."""

    outcome_points: Mapping[str, Decimal] | None = None

    input_kind: ClassVar[str] = InputKind.TIMELINESS

    def input_word(self) -> str:
        return _("lựa chọn")

    def options(self) -> list[tuple[str, Decimal]]:
        if self.outcome_points is None:
            return []
        return [
            (outcome, min(max(self.outcome_points[outcome], Decimal(0)), self.max_points)) for outcome in RULE_ORDER
        ]

    def read_choice(self, raw: str, *, field: str) -> str:
        try:
            return scoring.timeliness_outcome(normalize(str(raw)))
        except ServiceError:
            raise ServiceError(
                _("Hãy chọn “Đúng hạn”, “Trễ hạn” hoặc “Không thực hiện”."), code="invalid", field=field
            ) from None

    def allowed_entries(self) -> str:
        return ", ".join(RULE_ORDER)


@dataclass(frozen=True)
class RateRule(LeafRule):
    """A rate in percent, turned into points by bands or in proportion to a target."""

    input_kind: ClassVar[str] = InputKind.RATE

    def input_word(self) -> str:
        return _("tỷ lệ (%)")

    def read_rate(self, value: Any, *, field: str) -> Decimal:
        try:
            rate = scoring.to_decimal(value)
        except ValueError:
            raise ServiceError(_("Tỷ lệ phải là một số (ví dụ 85 hoặc 85,5)."), code="invalid", field=field) from None
        if rate < 0 or rate > RATE_MAX:
            raise ServiceError(_("Tỷ lệ phải từ 0 đến 100%."), code="out_of_range", field=field)
        return no_negative_zero(rate.quantize(Decimal("0.0001")))


@dataclass(frozen=True)
class AutoRule(LeafRule):
    """Scored from the value of ``indicator`` in the indicator store (an indicator or a survey result)."""

    indicator: str = ""

    input_kind: ClassVar[str] = InputKind.AUTO

    def points_for_value(self, value: Decimal) -> Decimal | None:
        """Points for a value read from the store (``None`` when the rule cannot tell)."""
        try:
            points = scoring.evaluate(self.kind, self.params, self.max_points, value)
        except (ServiceError, ValueError, TypeError, KeyError, InvalidOperation):
            return None
        if points is None:
            return None
        points = min(max(Decimal(str(points)), Decimal(0)), self.max_points)
        return points.quantize(Decimal("0.01"))


_RULE_CLASSES: dict[str, type[LeafRule]] = {
    RuleKind.MANUAL: ManualRule,
    RuleKind.YES_NO: YesNoRule,
    RuleKind.BANDS: RateRule,
    RuleKind.PROPORTIONAL: RateRule,
    RuleKind.TIMELINESS: TimelinessRule,
    RuleKind.INDICATOR: AutoRule,
    RuleKind.SURVEY: AutoRule,
}


def _step(params: Mapping[str, Any]) -> Decimal:
    raw = params.get("step")
    try:
        step = Decimal(str(raw)) if raw not in (None, "") else DEFAULT_STEP
    except InvalidOperation:
        return DEFAULT_STEP
    return step if step > 0 else DEFAULT_STEP


def rule_of(criterion: Criterion) -> LeafRule:
    """The criterion's rule, its parameters read once, as the object of its kind of input."""
    params = criterion.rule_params or {}
    kind = criterion.rule_kind
    code, maximum, step = criterion.code, criterion.max_points, _step(params)
    cls = _RULE_CLASSES.get(kind, ManualRule)
    if cls is TimelinessRule:
        try:
            outcome_points: dict[str, Decimal] | None = scoring.timeliness_points(params, maximum)
        except ValueError:
            outcome_points = None
        return TimelinessRule(kind, code, maximum, params, step, outcome_points=outcome_points)
    if cls is AutoRule:
        indicator = params.get("indicator")
        return AutoRule(kind, code, maximum, params, step, indicator=str(indicator) if indicator else "")
    return cls(kind, code, maximum, params, step)


# ---------------------------------------------------------------------------
# The same questions, asked of a criterion


def is_auto(criterion: Criterion) -> bool:
    """Scored from the indicator store (an indicator or a survey result): the unit may comment, not overwrite."""
    return criterion.rule_kind in AUTO_RULE_KINDS


def input_kind(criterion: Criterion) -> str:
    return rule_of(criterion).input_kind


def step_of(criterion: Criterion) -> Decimal:
    return rule_of(criterion).step


def rule_text(criterion: Criterion) -> str:
    """The leaf's rule as a readable sentence (shown beside the input)."""
    return rule_of(criterion).text()


def entry_field(criterion: Criterion) -> str | None:
    """The field a client sends for the leaf: ``points``, ``choice`` or ``value``; ``None`` when it is computed."""
    return rule_of(criterion).entry_field


def check_points(criterion: Criterion, value: Decimal, *, field: str = "points") -> Decimal:
    """``value`` if it lies in 0..max and on the criterion's step; otherwise a Vietnamese message."""
    return rule_of(criterion).check_points(value, field=field)


def require_rule_entry(criterion: Criterion, *, points: Decimal | None) -> None:
    """Refuse points typed directly for a leaf whose rule computes them (see :meth:`LeafRule.require_entry`)."""
    rule_of(criterion).require_entry(points=points)


def resolve_input(
    criterion: Criterion,
    *,
    points: Decimal | None = None,
    value: Decimal | None = None,
    choice: str | None = None,
    fields: tuple[str, str, str] = ("points", "value", "choice"),
) -> RuleInput:
    """The points a person's entry gives under the leaf's rule (see :meth:`LeafRule.resolve`)."""
    return rule_of(criterion).resolve(points=points, value=value, choice=choice, fields=fields)
