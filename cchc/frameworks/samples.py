"""The two sample frameworks shipped in ``data/`` (departments; communes and wards).

They are built from the structures and example rubrics gathered from public
sources (each file names them under ``sources``) and are labelled as samples:
the point values are illustrative, and a province replaces them with the
criteria of its own decision. Lead units are named by role (``home_affairs``,
``justice``, ``finance``, ``office``, ``digital``) and found among the owner
province's departments by code or name.

File format (JSON): ``name``, ``unit_kind``, ``scale``, ``notice``,
``sources``, ``lead_units`` (role → ``codes`` and ``names``), and ``criteria``:
nested objects with ``code``, ``title``, ``max``, optional ``lead`` (role,
inherited by the children), ``category`` (``bonus``/``penalty``, inherited),
``children``; leaves add ``rule`` (a rule kind), ``params`` (the short text form
of :func:`cchc.frameworks.scoring.params_from_text`), ``guide`` and
``evidence``. A leaf without a guide gets the rule's description.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.lib.text import fold
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit, UnitKind

from . import scoring
from .models import CriterionCategory, Framework
from .services import CriterionData, CriterionNode, FrameworkData, criteria_replace, framework_create

SAMPLES = ("departments", "communes")


def read_sample(key: str) -> dict[str, Any]:
    if key not in SAMPLES:
        raise ValueError(key)
    text = resources.files("cchc.frameworks").joinpath("data", f"{key}.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def sample_name(document: dict[str, Any], year: int) -> str:
    return f"{document['name']} năm {year}"


def sample_notes(document: dict[str, Any]) -> str:
    lines = [document["notice"], "", _("Nguồn tham khảo:")]
    lines += [f"- {source}" for source in document["sources"]]
    return "\n".join(lines)


def resolve_lead_units(document: dict[str, Any], owner: Unit | None) -> dict[str, Unit | None]:
    """Each lead role's department in the owner's tree, by code (``PT-SNV`` ends with ``SNV``) or by name."""
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT).active()
    if owner is not None:
        departments = departments.subtree_of(owner)
    units = list(departments.only("id", "code", "name", "short_name", "path"))
    result: dict[str, Unit | None] = {}
    for role, spec in document["lead_units"].items():
        codes = {fold(code) for code in spec.get("codes", [])}
        names = {fold(name) for name in spec.get("names", [])}
        by_code = [unit for unit in units if fold(unit.code).rsplit("-", 1)[-1] in codes or fold(unit.code) in codes]
        by_name = [unit for unit in units if fold(unit.name) in names]
        found = by_code if len(by_code) == 1 else by_name
        result[role] = found[0] if len(found) == 1 else None
    return result


def sample_nodes(document: dict[str, Any], lead_units: dict[str, Unit | None]) -> list[CriterionNode]:
    def build(item: dict[str, Any], lead: str | None, category: str) -> CriterionNode:
        lead = item.get("lead", lead)
        category = item.get("category", category)
        children = item.get("children", [])
        rule_kind = item.get("rule", "manual")
        params = scoring.params_from_text(rule_kind, item.get("params", "")) if not children else {}
        max_points = Decimal(item["max"])
        guide = item.get("guide", "")
        if not children and not guide:
            guide = scoring.describe(rule_kind, params, max_points)
        data = CriterionData(
            code=item["code"],
            title=item["title"],
            max_points=max_points,
            category=category,
            scoring_guide=guide,
            evidence_requirement=item.get("evidence", ""),
            lead_unit=lead_units.get(lead) if lead else None,
            rule_kind=rule_kind if not children else "manual",
            rule_params=params,
        )
        return CriterionNode(data=data, children=[build(child, lead, category) for child in children])

    return [build(item, None, CriterionCategory.BASE) for item in document["criteria"]]


@dataclass(frozen=True)
class Installed:
    framework: Framework
    created: bool


@transaction.atomic
def install_sample(*, actor: ActorOrSystem, key: str, year: int, owner: Unit | None) -> Installed:
    """Create the sample framework ``key`` for ``year`` (idempotent: an existing one of the same name is kept)."""
    document = read_sample(key)
    name = sample_name(document, year)
    existing = Framework.objects.filter(owner=owner, year=year, unit_kind=document["unit_kind"], name=name).first()
    if existing is not None:
        return Installed(existing, False)
    reason = _("Nạp bộ tiêu chí mẫu.")
    framework = framework_create(
        actor=actor,
        data=FrameworkData(
            name=name,
            year=year,
            unit_kind=document["unit_kind"],
            owner=owner,
            scale=Decimal(document["scale"]),
            is_sample=True,
            notes=sample_notes(document),
        ),
        reason=reason,
    )
    nodes = sample_nodes(document, resolve_lead_units(document, owner))
    criteria_replace(actor=actor, framework=framework, nodes=nodes, reason=reason)
    return Installed(framework, True)
