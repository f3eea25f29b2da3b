"""The marker that keeps plotly's bundled map library from injecting an inline stylesheet (refused by the
Content-Security-Policy) carries the id that the served plotly file looks for: an upgrade of plotly that changes it
fails here, before a browser reports the violation."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import get_template


def test_the_marker_id_is_the_one_the_served_plotly_file_checks_before_injecting_a_style() -> None:
    marker = get_template("dashboards/_plotly_guard.html").render({})
    found = re.search(r'id="([0-9a-f]{64})"', marker)
    assert found is not None
    plotly = finders.find("vendor/plotly/plotly.min.js")
    assert plotly is not None
    source = Path(str(plotly)).read_text(encoding="utf-8")
    guard = f'if(!document.getElementById("{found.group(1)}")){{var e=document.createElement("style")'
    assert guard in source
