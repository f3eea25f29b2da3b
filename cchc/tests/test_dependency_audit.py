"""The dependency audit of ``python3 dev.py test``: known vulnerabilities fail, an unreachable service only warns.

The reports are written by pip-audit's own JSON formatter, so a change of its format shows up here first.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version
from pip_audit._format import JsonFormat
from pip_audit._service import ResolvedDependency, SkippedDependency, VulnerabilityResult

ROOT = Path(__file__).resolve().parents[2]

# What pip-audit prints when the machine has no route or no name resolution to the service.
OFFLINE_STDERR = """Traceback (most recent call last):
  File "/venv/bin/pip-audit", line 8, in <module>
    sys.exit(audit())
requests.exceptions.ConnectionError: HTTPSConnectionPool(port=443): Max retries exceeded with url: /v1/query
(Caused by NameResolutionError("Failed to resolve the service ([Errno -3] Temporary failure in name resolution)"))
"""


@pytest.fixture(scope="module")
def dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cchc_dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _report(*dependencies: tuple[ResolvedDependency | SkippedDependency, list[VulnerabilityResult]]) -> str:
    return JsonFormat(output_desc=False, output_aliases=True).format(dict(dependencies), [])


def _django(version: str = "5.2.1") -> ResolvedDependency:
    return ResolvedDependency(name="Django", version=Version(version))


def _advisory(fixed_in: str) -> VulnerabilityResult:
    return VulnerabilityResult(
        id="PYSEC-2025-0001",
        description="SQL injection",
        fix_versions=[Version(fixed_in)],
        aliases={"CVE-2025-0001"},
    )


def test_a_known_vulnerability_in_an_installed_package_fails_the_audit_and_names_the_fixed_version(dev) -> None:
    report = _report((_django(), [_advisory("5.2.2")]), (ResolvedDependency("segno", Version("1.6.6")), []))

    verdict = dev.audit_verdict(1, report, "Found 1 known vulnerability in 1 package")

    assert verdict.outcome == "vulnerable"
    assert verdict.lines == ["django 5.2.1: PYSEC-2025-0001 (fixed in 5.2.2)"]


def test_the_audit_passes_when_every_package_was_checked_and_none_is_vulnerable(dev) -> None:
    report = _report((_django("5.2.19"), []), (ResolvedDependency("segno", Version("1.6.6")), []))

    verdict = dev.audit_verdict(0, report, "No known vulnerabilities found")

    assert verdict.outcome == "clean"
    assert verdict.lines == ["No known vulnerability in 2 packages."]


def test_an_unreachable_vulnerability_service_is_a_warning_and_not_a_failure(dev) -> None:
    verdict = dev.audit_verdict(1, "", OFFLINE_STDERR)

    assert verdict.outcome == "offline"
    assert "Temporary failure in name resolution" in "\n".join(verdict.lines)


def test_a_service_that_knows_none_of_the_packages_audited_nothing_and_only_warns(dev) -> None:
    # A package index mirror answers "not found" for every package: nothing was audited, which is not "clean".
    skipped = [
        SkippedDependency(name=name, skip_reason=f"Dependency not found on PyPI and could not be audited: {name}")
        for name in ("django", "segno")
    ]
    report = _report(*((dependency, []) for dependency in skipped))

    verdict = dev.audit_verdict(0, report, "No known vulnerabilities found")

    assert verdict.outcome == "offline"
    assert verdict.lines == ["The service could not audit any of the 2 packages."]


def test_an_audit_that_gets_no_answer_in_time_is_a_warning(dev) -> None:
    assert dev.audit_verdict(None, "", "").outcome == "offline"


def test_pip_audit_failing_for_another_reason_than_the_network_fails_the_check(dev) -> None:
    verdict = dev.audit_verdict(2, "", "pip-audit: error: unrecognized arguments: --bogus")

    assert verdict.outcome == "broken"
    assert "unrecognized arguments" in verdict.lines[-1]


def test_dev_test_runs_the_audit_before_the_tests(dev) -> None:
    names = [name for name, _action in dev.check_plan([], browser=False)]

    assert names.index("pip-audit") < names.index("pytest (SQLite)")


def test_the_summary_of_dev_test_shows_an_audit_that_could_not_reach_the_service_as_a_warning(dev, capsys) -> None:
    step = dev.Step("pip-audit", 12.0, "warning", "the vulnerability service could not be reached: nothing was audited")

    dev.print_summary([dev.Step("ruff check", 1.0, "passed"), step], browser=True)

    printed = capsys.readouterr().out
    assert "warning  pip-audit" in printed
    assert "nothing was audited" in printed
