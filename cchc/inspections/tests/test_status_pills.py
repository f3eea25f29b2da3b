"""The registers' and reports' pages show every status through the shared ``{% status %}`` pill (word and symbol,
docs/design-system.md), never a hand-made badge."""

from __future__ import annotations

import re
from pathlib import Path

import cchc

TEMPLATES = [
    path
    for app in ("inspections", "initiatives", "reports")
    for path in sorted((Path(cchc.__file__).parent / app / "templates").rglob("*.html"))
]
# A badge that carries a status (a tone class or a status word) instead of the shared pill.
HAND_MADE = re.compile(
    r'class="badge [^"]|class="badge"[^<]*>\s*(?:\{% translate ")?(?:đạt|chưa đạt|quá hạn|Chưa lập)', re.I
)


def test_no_register_or_report_template_draws_its_own_status_badge() -> None:
    assert TEMPLATES
    offenders = [
        f"{path.name}: {match.group(0)}" for path in TEMPLATES for match in HAND_MADE.finditer(path.read_text())
    ]
    assert offenders == []
