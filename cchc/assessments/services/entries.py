"""A leaf's entry as a person reads it: the choices a leaf offers and what was declared, labelled in Vietnamese.

The rule behind them (which entry a leaf takes, the points each choice gives) is read by
:mod:`cchc.frameworks.rule_inputs`; the words are those of :class:`~cchc.assessments.models.RuleChoice`.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from cchc.frameworks import scoring
from cchc.frameworks.models import Criterion
from cchc.frameworks.rule_inputs import LeafRule, rule_of
from cchc.lib.numbers import format_points

from ..models import RuleChoice


def rule_choices(rule: LeafRule) -> list[tuple[str, str]]:
    """The choices a yes/no or timeliness rule offers, each labelled with the points it gives."""
    return [
        (
            value,
            _("%(label)s (%(points)s điểm)") % {"label": RuleChoice(value).label, "points": format_points(points)},
        )
        for value, points in rule.options()
    ]


def choices_for(criterion: Criterion) -> list[tuple[str, str]]:
    """The choices a yes/no or timeliness leaf offers, each labelled with the points it gives."""
    return rule_choices(rule_of(criterion))


def declared_text(value: Decimal | None, choice: str) -> str:
    """What was declared for a leaf, as read: ``85,5%``, ``Có``, ``Trễ hạn``; empty when points were typed."""
    if value is not None:
        return f"{scoring.format_number(value)}%"
    if choice in RuleChoice.values:
        return str(RuleChoice(choice).label)
    return ""
