"""Benchmark of reading scans: degraded page images of labelled real directives, read the old way and the new way.

Run from the repository root (needs ``tesseract-ocr``, ``tesseract-ocr-vie``; several minutes)::

    .venv/bin/python bench/scans.py [DOCUMENT ...]

A few documents of the development set of real directives (split ``real_dev`` of ``tests/extraction/data/``;
never the frozen measurement set) are typeset as A4 pages (DejaVu Sans 13 pt, lines wrapped to the page) and
degraded as two kinds of scan:

* ``ordinary``: 200 dpi, tilted 1°, grey noise and a slight blur, saved as JPEG (quality 60);
* ``poor``: 150 dpi, tilted 2°.

Each set of pages is read twice: the **old** way (Tesseract, page segmentation mode 4, no deskew) and the **new**
way (:mod:`cchc.extraction.ocr`: deskew, mode 4 then mode 3 when the reading is not plausible, the more plausible
kept). For each it prints the character difference against the typeset text (``1 − difflib ratio`` over the text
with whitespace collapsed; 0 is identical), the (lead unit, deadline) F1 of the extraction against the expected
JSON, and the seconds per page. The reference, run in the same process, is the extraction of the clean text: its
F1 is the ceiling, and each scan's F1 is also given as a ratio of it. The last line printed is one JSON object.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

import django  # noqa: E402

django.setup()

from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from cchc.extraction import extract_text, to_json_dict  # noqa: E402
from cchc.extraction.evaluation import Score, registry_resolver, score_pairs  # noqa: E402
from cchc.extraction.ocr import read_pages  # noqa: E402
from tests.extraction.labelled import LabelledDocument, documents, memory_units  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Short documents of the development set on which the extraction of the clean text finds something to lose.
DOCUMENTS = (
    "vpcp-cv11414-2025-cao-toc-ben-luc-long-thanh",
    "vpcp-cv11520-2025-nhien-lieu-sinh-hoc",
    "vpcp-cv11654-2025-vat-lieu-cao-toc-ct08",
    "ttg-cd231-2025-bao-so-15",
)
CONDITIONS: dict[str, dict[str, Any]] = {
    "ordinary": {"dpi": 200, "tilt": 1.0, "noise": True, "jpeg": 60},
    "poor": {"dpi": 150, "tilt": 2.0, "noise": False, "jpeg": None},
}
METHODS: dict[str, dict[str, Any]] = {
    "old": {"straighten": False, "modes": (4,)},
    "new": {},
}


def _wrapped(line: str, font: Any, width: float) -> list[str]:
    words, lines, current = line.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current]


def typeset(text: str, *, dpi: int) -> list[tuple[Image.Image, str]]:
    """The text on A4 pages at ``dpi`` (white, black letters), each with the text it carries."""
    millimetre = dpi / 25.4
    width, height = round(210 * millimetre), round(297 * millimetre)
    size = round(13 * dpi / 72)
    font = ImageFont.truetype(str(FONT), size)
    left, top, line_height = round(25 * millimetre), round(20 * millimetre), round(size * 1.35)
    lines = [wrapped for line in text.split("\n") for wrapped in _wrapped(line, font, width - left * 1.8)]
    per_page = (height - 2 * top) // line_height
    pages = []
    for start in range(0, len(lines), per_page):
        chunk = lines[start : start + per_page]
        page = Image.new("L", (width, height), color=255)
        draw = ImageDraw.Draw(page)
        for number, line in enumerate(chunk):
            draw.text((left, top + number * line_height), line, fill=0, font=font)
        pages.append((page, "\n".join(chunk)))
    return pages


def degrade(page: Image.Image, *, dpi: int, tilt: float, noise: bool, jpeg: int | None) -> Image.Image:
    """A scan of ``page``: tilted by ``tilt`` degrees, with noise and JPEG artefacts when asked."""
    scanned = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if noise:
        grain = Image.effect_noise(scanned.size, 60)
        scanned = Image.blend(scanned, grain, 0.12).filter(ImageFilter.GaussianBlur(0.6))
    if jpeg:
        buffer = io.BytesIO()
        scanned.save(buffer, format="JPEG", quality=jpeg)
        scanned = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    scanned.info["dpi"] = (dpi, dpi)
    return scanned


def difference(clean: str, read: str) -> float:
    a, b = " ".join(clean.split()), " ".join(read.split())
    return 1 - SequenceMatcher(None, a, b, autojunk=False).ratio()


def _pairs(document: LabelledDocument, text: str, registry: list[Any], units: dict[str, Any]) -> Score:
    issuing = units.get(document.issuing_unit or "")
    result = to_json_dict(extract_text(text, issuing_unit=issuing, units=registry))
    return score_pairs(document.expected["tasks"], result["tasks"], registry_resolver(registry, issuing))


def main(names: list[str]) -> dict[str, Any]:
    units = memory_units()
    registry = list(units.values())
    chosen = [document for document in documents() if document.name in names]
    if any(document.split != "real_dev" for document in chosen) or len(chosen) != len(names):
        raise SystemExit("only documents of the real_dev split, by name")
    totals: dict[str, Score] = {}
    seconds: dict[str, float] = {}
    pages_read: dict[str, int] = {}
    differences: dict[str, list[float]] = {}
    rows = []
    print(f"{'document':<46} {'scan':<9} {'method':<6} {'pages':>5} {'char diff':>9} {'F1':>5} {'s/page':>7}")
    for document in chosen:
        clean = _pairs(document, document.text, registry, units)
        totals["clean"] = totals.get("clean", Score(0, 0, 0)) + clean
        print(f"{document.name:<46} {'clean':<9} {'text':<6} {'':>5} {'':>9} {clean.f1:5.2f}")
        for condition, options in CONDITIONS.items():
            typeset_pages = typeset(document.text, dpi=options["dpi"])
            scans = [degrade(page, **options) for page, _text in typeset_pages]
            typed = "\n".join(text for _page, text in typeset_pages)
            for method, settings in METHODS.items():
                key = f"{condition}/{method}"
                started = time.perf_counter()
                readings = read_pages(scans, **settings)
                elapsed = time.perf_counter() - started
                text = "\n".join(reading.text for reading in readings)
                pairs = _pairs(document, text, registry, units)
                diff = difference(typed, text)
                totals[key] = totals.get(key, Score(0, 0, 0)) + pairs
                seconds[key] = seconds.get(key, 0.0) + elapsed
                pages_read[key] = pages_read.get(key, 0) + len(scans)
                differences.setdefault(key, []).append(diff)
                modes = [reading.mode for reading in readings]
                tilts = [round(reading.tilt, 1) for reading in readings]
                rows.append(
                    {
                        "document": document.name,
                        "scan": condition,
                        "method": method,
                        "pages": len(scans),
                        "char_difference": round(diff, 3),
                        "f1": round(pairs.f1, 3),
                        "clean_f1": round(clean.f1, 3),
                        "seconds_per_page": round(elapsed / len(scans), 1),
                        "modes": modes,
                        "tilts": tilts,
                    }
                )
                print(
                    f"{document.name:<46} {condition:<9} {method:<6} {len(scans):>5} {diff:9.3f} {pairs.f1:5.2f} "
                    f"{elapsed / len(scans):7.1f}  modes {modes} tilts {tilts}"
                )
    print()
    reference = totals["clean"].f1
    summary: dict[str, Any] = {"clean_f1": round(reference, 3), "documents": [d.name for d in chosen]}
    for key in (f"{condition}/{method}" for condition in CONDITIONS for method in METHODS):
        f1 = totals[key].f1
        mean_diff = sum(differences[key]) / len(differences[key])
        per_page = seconds[key] / pages_read[key]
        print(
            f"{key:<14} F1 {f1:.2f} ({f1 / reference if reference else 0:.2f} of the clean text's {reference:.2f}), "
            f"char difference {mean_diff:.3f}, {per_page:.1f} s/page"
        )
        summary[key] = {
            "f1": round(f1, 3),
            "ratio_to_clean": round(f1 / reference, 3) if reference else None,
            "char_difference": round(mean_diff, 3),
            "seconds_per_page": round(per_page, 1),
        }
    summary["rows"] = rows
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:] or list(DOCUMENTS))
