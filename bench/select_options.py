"""What a list of units costs to render: Django's select (one template per option) against ``OptionsSelect`` (one
loop, the same markup: ``cchc/lib/widgets.py``), in the same process.

    .venv/bin/python bench/select_options.py              # 200 (the unit picker's list) and 1,000 units
    .venv/bin/python bench/select_options.py --units 3000

The options are labelled like the survey forms' unit lists (indented by depth, name and code). Median of 5 renders
after a warm-up, with the value of one unit selected. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")


def _median(render: object, rounds: int = 5) -> float:
    assert callable(render)
    render()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        render()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=int, nargs="*", default=[200, 1000])
    args = parser.parse_args()
    import django

    django.setup()
    from django import forms

    from cchc.lib.widgets import OptionsSelect

    figures: dict[str, object] = {"load_average_1min": round(os.getloadavg()[0], 2)}
    for count in args.units:
        choices = [("", "Tất cả")] + [
            (pk, f"{'— ' * (1 + pk % 3)}Xã Khảo Sát {pk} (BS-X{pk:04d})") for pk in range(1, count + 1)
        ]
        plain, ours = forms.Select(choices=choices), OptionsSelect(choices=choices)
        selected = str(count // 2)
        assert plain.render("unit", selected) == ours.render("unit", selected)
        before = _median(lambda: plain.render("unit", selected))  # noqa: B023 - called within the iteration
        after = _median(lambda: ours.render("unit", selected))  # noqa: B023
        print(
            f"{count} units: Django's select {1000 * before:.1f} ms, one loop {1000 * after:.1f} ms "
            f"({after / before:.3f} of it)"
        )
        figures[f"select_{count}_ms"] = round(1000 * before, 2)
        figures[f"options_select_{count}_ms"] = round(1000 * after, 2)
        figures[f"ratio_{count}"] = round(after / before, 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
