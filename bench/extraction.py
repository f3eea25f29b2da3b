"""Benchmark of the task extraction on the labelled directives.

Run from the repository root::

    .venv/bin/python bench/extraction.py

For every document of the labelled set (``tests/extraction/data/``, read by
``tests/extraction/labelled.py``) it prints the
precision, recall and F1 of the tasks found and of the (lead unit,
deadline) pairs (see ``cchc/extraction/evaluation.py``) and the
seconds per document; then the totals per split, with the recall of the
tasks that have a due day: the project's own documents (``tuning``: the rules
were developed on them; ``held_out``; ``unseen``) and the real directives of
state bodies (``real_dev``: rules may be changed for them; ``measurement``:
the frozen measurement set, labelled before the extractor ever ran on it and
never tuned on; see ``tests/extraction/LABELLING.md``). It does so twice:
with the unit registry of the labelled set, and
with no registry at all, as for a directive from a province whose units are
not registered (lead units are then the names as written). Then the time for a 10-page text
document (the longest seed with its body repeated). The reference (floor)
is reading the same text into lines and folding it, done in the same
process. The last line printed is one JSON object with all figures.

No database is needed: the unit registry of the labelled set is built in
memory.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

import django  # noqa: E402

django.setup()

from cchc.extraction import extract_text, to_json_dict  # noqa: E402
from cchc.extraction.evaluation import Score, registry_resolver, score_pairs, score_tasks  # noqa: E402
from cchc.extraction.rules import counting_rules  # noqa: E402
from cchc.lib.dates import fold_aligned  # noqa: E402
from tests.extraction.labelled import documents, memory_units  # noqa: E402

CHARS_PER_PAGE = 3000
REAL_SPLITS = {"measurement", "real_dev"}
REPEATS = 5


def _best_of(function: Any, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def ten_page_text(text: str) -> str:
    """The text with its body repeated until it is at least ten pages long."""
    lines = text.split("\n")
    start = next(index for index, line in enumerate(lines) if line.strip().startswith("1. "))
    end = next(index for index, line in enumerate(lines) if line.strip().startswith("Trên đây"))
    body = lines[start:end]
    result = lines[:end]
    while len("\n".join(result)) < 10 * CHARS_PER_PAGE:
        result.extend(body)
    return "\n".join(result + lines[end:])


def _has_numbered_body(text: str) -> bool:
    lines = [line.strip() for line in text.split("\n")]
    return any(line.startswith("1. ") for line in lines) and any(line.startswith("Trên đây") for line in lines)


def _score_mode(
    label: str,
    registry: list[Any] | None,
    units: dict[str, Any],
    splits: set[str] | None = None,
    repeats: int = REPEATS,
    learned: bool | None = None,
    per_document: bool = True,
) -> tuple[list[dict], dict]:
    """Score every labelled document (of ``splits``), with the labelled registry or (``registry`` None) with none."""
    totals: dict[str, dict[str, Score]] = {}
    rows = []
    print(f"\n{label}")
    if per_document:
        print(f"{'document':<50} {'split':<11} {'tasks P/R/F1':<20} {'lead+deadline P/R/F1':<22} {'s/doc':>7}")
    for document in documents():
        if splits and document.split not in splits:
            continue
        issuing = units.get(document.issuing_unit or "") if registry is not None else None
        chosen = registry if registry is not None else []
        text = document.text
        result = to_json_dict(extract_text(text, issuing_unit=issuing, units=chosen, learned=learned))
        seconds = _best_of(
            lambda text=text, issuing=issuing, chosen=chosen: extract_text(
                text, issuing_unit=issuing, units=chosen, learned=learned
            ),
            repeats,
        )
        expected = document.expected["tasks"]
        resolve = registry_resolver(registry, issuing) if registry is not None else None
        tasks = score_tasks(expected, result["tasks"], resolve)
        pairs = score_pairs(expected, result["tasks"], resolve)
        # Dated-task recall: of the expected tasks with a due day, how many were found with their lead and that day.
        dated = score_pairs([task for task in expected if task.get("deadline")], result["tasks"], resolve)
        for split in (document.split, "all"):
            bucket = totals.setdefault(
                split, {"tasks": Score(0, 0, 0), "pairs": Score(0, 0, 0), "dated": Score(0, 0, 0)}
            )
            bucket["tasks"] += tasks
            bucket["pairs"] += pairs
            bucket["dated"] += dated
        rows.append(
            {
                "document": document.name,
                "split": document.split,
                "tasks": tasks.as_dict(),
                "lead_deadline": pairs.as_dict(),
                "seconds": round(seconds, 4),
            }
        )
        if per_document:
            print(
                f"{document.name:<50} {document.split:<11} "
                f"{tasks.precision:.2f}/{tasks.recall:.2f}/{tasks.f1:.2f}{'':<6} "
                f"{pairs.precision:.2f}/{pairs.recall:.2f}/{pairs.f1:.2f}{'':<8} {seconds:7.3f}"
            )
    print()
    for split, bucket in totals.items():
        print(
            f"{split:<10} tasks F1 {bucket['tasks'].f1:.3f} (P {bucket['tasks'].precision:.3f}, R "
            f"{bucket['tasks'].recall:.3f})   lead+deadline F1 {bucket['pairs'].f1:.3f} "
            f"(P {bucket['pairs'].precision:.3f}, R {bucket['pairs'].recall:.3f})   dated-task recall "
            f"{bucket['dated'].recall:.3f} ({bucket['dated'].matched}/{bucket['dated'].expected})"
        )
    summary = {
        split: {
            "tasks": bucket["tasks"].as_dict(),
            "lead_deadline": bucket["pairs"].as_dict(),
            "dated_recall": round(bucket["dated"].recall, 3),
        }
        for split, bucket in totals.items()
    }
    return rows, summary


RULE_NAME = re.compile(r"(?:lead|lead_in|deadline|header|name|segment|task|table|heading)\.[a-z_]*[a-z]")


def known_rules() -> set[str]:
    """Every rule name written in the extractor's code: a string that is a whole dotted rule name."""
    package = Path(__file__).resolve().parent.parent / "cchc" / "extraction"
    names: set[str] = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_NAME.fullmatch(node.value):
                names.add(node.value)
    return names


def rule_counts(splits: set[str], registry: list[Any], units: dict[str, Any]) -> dict[str, dict[str, int]]:
    """How often each rule fired over the documents of ``splits``: firings, documents where it fired, and proposed
    tasks whose lead or deadline it read (a rule that only names the source of a field counts there); every rule
    of the code is listed, those that never fired with zeros."""
    firings: dict[str, int] = dict.fromkeys(known_rules(), 0)
    documents_fired: dict[str, int] = dict.fromkeys(firings, 0)
    on_tasks: dict[str, int] = dict.fromkeys(firings, 0)
    for document in documents():
        if document.split not in splits:
            continue
        with counting_rules() as fired:
            result = extract_text(document.text, issuing_unit=units.get(document.issuing_unit or ""), units=registry)
        named = set(fired)
        for task in result.tasks:
            for rule in task.rules.values():
                base = rule.removesuffix(".inherited")
                on_tasks[base] = on_tasks.get(base, 0) + 1
                named.add(base)
        for rule, count in fired.items():
            firings[rule] = firings.get(rule, 0) + count
        for rule in named:
            documents_fired[rule] = documents_fired.get(rule, 0) + 1
    return {
        rule: {
            "firings": firings.get(rule, 0),
            "documents": documents_fired.get(rule, 0),
            "tasks": on_tasks.get(rule, 0),
        }
        for rule in sorted(set(firings) | set(on_tasks))
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--split",
        action="append",
        choices=sorted({"tuning", "held_out", "unseen", *REAL_SPLITS}),
        help="score only the documents of this split (repeatable; default: every split)",
    )
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timing runs per document (best is kept)")
    parser.add_argument(
        "--rules",
        action="store_true",
        help="only print how often each extraction rule fired on the development set (split real_dev, or --split)",
    )
    parser.add_argument(
        "--learned",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="with (--learned) or without (--no-learned) the trained task labeller (cchc/extraction/learned.py), "
        "against the other way in the same run (lead+deadline F1 of each split and the ten-page time, with ratios); "
        "default: as the extractor is shipped, no comparison",
    )
    return parser.parse_args()


def compare_learned(splits: set[str], registry: list[Any], units: dict[str, Any], long_text: str, issuing: Any) -> dict:
    """Lead+deadline scores per split and the 10-page time, rules alone against rules with the labeller."""
    scores: dict[str, dict[str, Any]] = {}
    for mode, flag in (("rules", False), ("learned", True)):
        _rows, totals = _score_mode(
            f"Lead+deadline with the registry, {'with' if flag else 'without'} the trained task labeller:",
            registry,
            units,
            splits,
            repeats=1,
            learned=flag,
            # Aggregates only: the documents of the measurement set are never looked at one by one.
            per_document=False,
        )
        seconds = _best_of(
            lambda flag=flag: extract_text(long_text, issuing_unit=issuing, units=registry, learned=flag)
        )
        scores[mode] = {"totals": totals, "ten_pages_seconds": round(seconds, 4)}
    print()
    comparison: dict[str, Any] = {}
    for split in scores["rules"]["totals"]:
        rules = scores["rules"]["totals"][split]["lead_deadline"]
        with_model = scores["learned"]["totals"][split]["lead_deadline"]
        ratio = with_model["f1"] / rules["f1"] if rules["f1"] else float("nan")
        comparison[split] = {"rules": rules, "learned": with_model, "f1_ratio": round(ratio, 3)}
        print(
            f"{split:<10} lead+deadline F1 rules {rules['f1']:.3f} "
            f"(P {rules['precision']:.3f}, R {rules['recall']:.3f})"
            f"  with labeller {with_model['f1']:.3f} (P {with_model['precision']:.3f}, R {with_model['recall']:.3f})"
            f"  ratio {ratio:.3f}"
        )
    ten = {mode: scores[mode]["ten_pages_seconds"] for mode in scores}
    ten["ratio"] = round(ten["learned"] / ten["rules"], 3)
    print(
        f"10-page text: rules {ten['rules']:.3f} s, with labeller {ten['learned']:.3f} s (ratio {ten['ratio']:.2f}, "
        "target < 1 s)"
    )
    return {"splits": comparison, "ten_pages": ten}


def _ten_pages(units: dict[str, Any]) -> tuple[str, Any]:
    """The 10-page text and its issuing unit."""
    # The 10-page text repeats the body of the longest of the project's own documents (the real ones are timed one
    # by one above), so that the figure stays comparable from run to run.
    longest = max(
        (
            document
            for document in documents()
            if document.split not in REAL_SPLITS and _has_numbered_body(document.text)
        ),
        key=lambda document: len(document.text),
    )
    return ten_page_text(longest.text), units.get(longest.issuing_unit or "")


def main() -> None:
    arguments = _arguments()
    splits = set(arguments.split or ())
    units = memory_units()
    registry = list(units.values())
    if arguments.rules:
        # Never on the measurement set unless asked: its documents must not steer the rules.
        counts = rule_counts(splits or {"real_dev"}, registry, units)
        print(f"{'rule':<48} {'firings':>8} {'documents':>10} {'tasks':>6}")
        for rule, count in counts.items():
            print(f"{rule:<48} {count['firings']:>8} {count['documents']:>10} {count['tasks']:>6}")
        never = [rule for rule, count in counts.items() if not count["documents"]]
        print(f"\n{len(counts)} rules, {len(never)} never used on these documents: {', '.join(never) or 'none'}")
        print(
            json.dumps({"splits": sorted(splits or {"real_dev"}), "rules": counts, "never": never}, ensure_ascii=False)
        )
        return
    if arguments.learned is not None:
        # Rules alone against rules with the trained labeller, in the same run (--learned / --no-learned says which
        # is the candidate; both are printed). Like the other figures, the measurement set only when --split says so.
        long_text, issuing = _ten_pages(units)
        result = compare_learned(splits or {"real_dev"}, registry, units, long_text, issuing)
        result["candidate"] = "learned" if arguments.learned else "rules"
        print(json.dumps(result, ensure_ascii=False))
        return
    rows, totals = _score_mode(
        "With the unit registry of the labelled set:", registry, units, splits, arguments.repeats
    )
    _rows, bare_totals = _score_mode(
        "Without any unit registry (names read from the text, as for a province not yet registered):",
        None,
        units,
        splits,
        arguments.repeats,
    )
    long_text, issuing = _ten_pages(units)
    long_seconds = _best_of(lambda: extract_text(long_text, issuing_unit=issuing, units=registry))
    floor = _best_of(lambda: [fold_aligned(line) for line in long_text.split("\n")])
    pages = len(long_text) / CHARS_PER_PAGE
    print()
    print(
        f"10-page text ({len(long_text)} characters, {pages:.1f} pages of {CHARS_PER_PAGE}): "
        f"{long_seconds:.3f} s (target < 1 s); floor (fold every line) {floor * 1000:.1f} ms, "
        f"ratio {long_seconds / floor:.0f}x; registry of {len(registry)} units"
    )
    summary = {
        "documents": rows,
        "totals": totals,
        "totals_without_registry": bare_totals,
        "ten_pages": {
            "characters": len(long_text),
            "seconds": round(long_seconds, 4),
            "floor_seconds": round(floor, 5),
            "ratio": round(long_seconds / floor, 1),
            "registry_units": len(registry),
        },
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
