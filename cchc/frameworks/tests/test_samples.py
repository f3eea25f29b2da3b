"""The shipped sample frameworks, the command that loads them, and the demo."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cchc.audit.models import AuditEntry
from cchc.demo.data import DEFAULT_PASSWORD
from cchc.demo.loaders import load_province
from cchc.frameworks import samples, selectors
from cchc.frameworks.demo import load_demo
from cchc.frameworks.models import Criterion, Framework
from cchc.testing.personas import Personas


@pytest.mark.parametrize("key", samples.SAMPLES)
def test_each_sample_is_a_consistent_100_point_framework_with_rules_and_sources(personas: Personas, key: str) -> None:
    installed = samples.install_sample(actor=None, key=key, year=2025, owner=personas.province)
    framework = installed.framework
    assert installed.created and framework.is_sample and framework.scale == 100
    assert "KHÔNG phải số liệu chính thức" in framework.notes and "https://" in framework.notes
    problems = selectors.framework_validate(framework)
    assert [p.message for p in problems if p.is_error] == []
    leaves = Criterion.objects.filter(framework=framework, children__isnull=True)
    assert 60 <= leaves.count() <= 100
    assert {"indicator", "survey", "bands", "timeliness", "yes_no", "manual", "proportional"} <= set(
        leaves.values_list("rule_kind", flat=True)
    )
    on_time = leaves.get(rule_kind="indicator")
    assert on_time.rule_params["indicator"] == "tasks.on_time_rate"
    assert leaves.get(rule_kind="survey").rule_params["indicator"] == "sipas.satisfaction"
    assert set(framework.criteria.values_list("category", flat=True)) == {"base", "bonus", "penalty"}
    # The personas' province has Home Affairs and Justice only: those areas get their lead unit, the others wait.
    assert leaves.get(code="2.1.1").lead_unit == personas.unit_a
    assert leaves.get(code="1.1.1").lead_unit == personas.home_affairs
    assert leaves.filter(code__startswith="6.", lead_unit__isnull=True).exists()
    assert all(leaf.scoring_guide and leaf.evidence_requirement for leaf in leaves)


def test_the_command_loads_both_samples_once(personas: Personas) -> None:
    out = StringIO()
    call_command("load_sample_frameworks", "--year", "2025", "--owner", personas.province.code, stdout=out)
    call_command("load_sample_frameworks", "--year", "2025", "--owner", personas.province.code, stdout=out)
    assert Framework.objects.filter(year=2025, owner=personas.province).count() == 2
    assert "không nạp lại" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_has_one_department_and_one_commune_framework_per_year_and_reruns_change_nothing(
    settings: object,
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    load_province(password=DEFAULT_PASSWORD)
    load_demo(stdout=StringIO())
    state = sorted(Criterion.objects.values_list("framework__name", "code", "lead_unit__code", "position"))
    audit = AuditEntry.objects.count()
    load_demo(stdout=StringIO())
    assert AuditEntry.objects.count() == audit
    assert sorted(Criterion.objects.values_list("framework__name", "code", "lead_unit__code", "position")) == state
    for year in (2024, 2025):
        for kind in ("department", "commune"):
            assert Framework.objects.filter(year=year, unit_kind=kind).count() == 1
    framework = Framework.objects.get(year=2025, unit_kind="department")
    leads = dict(framework.criteria.filter(parent__isnull=True).values_list("code", "lead_unit__code"))
    assert leads == {
        "1": "PT-SNV",
        "2": "PT-STP",
        "3": "PT-VP",
        "4": "PT-SNV",
        "5": "PT-SNV",
        "6": "PT-STC",
        "7": "PT-SKHCN",
        "8": "PT-SNV",
        "T": "PT-SNV",
        "TR": "PT-SNV",
    }
    assert not [p for p in selectors.framework_validate(framework) if p.severity == "warning"]
