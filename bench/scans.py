"""Benchmark of reading scans: degraded page images of labelled real directives, read the old way and the new way.

Run from the repository root (needs ``tesseract-ocr``, ``tesseract-ocr-vie``; several minutes a document)::

    .venv/bin/python bench/scans.py [DOCUMENT ...]
    .venv/bin/python bench/scans.py --set real_dev|measurement [--limit N] [--max-pages P] [--jobs J] [--old]

Labelled real directives are typeset as A4 pages (DejaVu Sans 13 pt, lines wrapped to the page) and degraded as
two kinds of scan:

* ``ordinary``: 200 dpi, tilted 1°, grey noise and a slight blur, saved as JPEG (quality 60);
* ``poor``: 150 dpi, tilted 2°.

Each set of pages is read the **new** way (:mod:`cchc.extraction.ocr`: deskew, mode 4 then mode 3 when the reading
is not plausible, the more plausible kept) and, when asked, the **old** way (Tesseract, page segmentation mode 4, no
deskew). For each it prints the character difference against the typeset text (``1 − difflib ratio`` over the text
with whitespace collapsed; 0 is identical), the (lead unit, deadline) F1 of the extraction against the expected JSON
(the scorer of ``bench/extraction.py``, with the labelled registry), the difference scan F1 − text F1, and the
seconds per page (wall clock and CPU, Tesseract included). The reference, run in the same process, is the
extraction of the clean text; the extraction of the typeset text (its lines wrapped as on the page, before any
reading: ``<scan>/typeset``) tells what the page layout alone costs, apart from the misreadings.

Without ``--set``, the named documents of the development set (``real_dev``; by default four short ones) are read
both ways. With ``--set``, every document of that split (``--limit``: the first N, fewest pages first) is read the
new way only (``--old`` adds the old way); documents longer than ``--max-pages`` (default: the most pages an upload
may have) are left out and listed, and the text F1 is also given over the whole split. Only scores and document
names are printed: the measurement set's texts and labels are never shown. Totals are the F1 over all matched,
extracted and expected pairs, as in ``bench/extraction.py``. The last line printed is one JSON object.

Pages are read in ``--jobs`` processes (Tesseract limited to one thread each). Each page's reading is cached in
``var/bench-scans/`` under a hash of its typeset text, the kind of scan, the method and the OCR code, so that an
interrupted run resumes where it stopped (``--no-cache`` reads everything again; the seconds of a cached page are
those of its first reading).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
# One Tesseract thread per page: pages are read in parallel processes instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import django  # noqa: E402

django.setup()

from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

import cchc.extraction.ocr as ocr_module  # noqa: E402
from cchc.extraction import extract_text, to_json_dict  # noqa: E402
from cchc.extraction.evaluation import Score, registry_resolver, score_pairs  # noqa: E402
from cchc.extraction.ocr import MAX_OCR_PAGES, joined_texts, ocr_available, read_page  # noqa: E402
from tests.extraction.labelled import LabelledDocument, documents, memory_units  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CACHE = ROOT / "var" / "bench-scans"
SETS = ("real_dev", "measurement")
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


def _geometry(dpi: int) -> tuple[Any, int, int, int, int, int, int]:
    """The font and the page layout at ``dpi``: font, width, height, left margin, top margin, line height, lines."""
    millimetre = dpi / 25.4
    width, height = round(210 * millimetre), round(297 * millimetre)
    size = round(13 * dpi / 72)
    font = ImageFont.truetype(str(FONT), size)
    left, top, line_height = round(25 * millimetre), round(20 * millimetre), round(size * 1.35)
    return font, width, height, left, top, line_height, (height - 2 * top) // line_height


def layout(text: str, *, dpi: int) -> list[list[str]]:
    """The lines of each A4 page the text takes at ``dpi``."""
    font, width, _height, left, _top, _line_height, per_page = _geometry(dpi)
    lines = [wrapped for line in text.split("\n") for wrapped in _wrapped(line, font, width - left * 1.8)]
    return [lines[start : start + per_page] for start in range(0, len(lines), per_page)]


def typeset(text: str, *, dpi: int) -> list[tuple[Image.Image, str]]:
    """The text on A4 pages at ``dpi`` (white, black letters), each with the text it carries."""
    font, width, height, left, top, line_height, _per_page = _geometry(dpi)
    pages = []
    for chunk in layout(text, dpi=dpi):
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


# --- reading pages, in worker processes, through the cache ---------------------------------------------------------

_OCR_CODE = hashlib.sha256(Path(ocr_module.__file__).read_bytes()).hexdigest()[:16]


def _cache_key(page_text: str, condition: str, method: str) -> str:
    parts = [page_text, condition, json.dumps(CONDITIONS[condition], sort_keys=True), method, _OCR_CODE]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _read_one(page: Image.Image, condition: str, method: str) -> dict[str, Any]:
    """Degrade one typeset page as ``condition`` and read it by ``method``: text, mode, tilt, seconds."""
    scan = degrade(page, **CONDITIONS[condition])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, started = time.process_time(), time.perf_counter()
    reading = read_page(scan, **METHODS[method])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "text": reading.text,
        "mode": reading.mode,
        "tilt": round(reading.tilt, 1),
        "margins": reading.margins,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu + children,
    }


class Reader:
    """Reads typeset pages as scans, ``jobs`` at a time, keeping each reading in ``cache`` (None: no cache)."""

    def __init__(self, jobs: int, cache: Path | None) -> None:
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.cache = cache
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)

    def read(self, requests: Sequence[tuple[Image.Image, str, str, str]]) -> list[dict[str, Any]]:
        """The readings of (page image, page text, condition, method) requests, in order."""
        results: list[dict[str, Any] | None] = [None] * len(requests)
        pending: dict[int, tuple[Future[dict[str, Any]] | None, Path | None]] = {}
        for index, (page, page_text, condition, method) in enumerate(requests):
            path = self.cache / f"{_cache_key(page_text, condition, method)}.json" if self.cache else None
            if path is not None and path.exists():
                results[index] = json.loads(path.read_text(encoding="utf-8"))
            elif self.pool is not None:
                pending[index] = (self.pool.submit(_read_one, page, condition, method), path)
            else:
                pending[index] = (None, path)
        for index, (future, path) in pending.items():
            if future is None:
                page, _text, condition, method = requests[index]
                reading = _read_one(page, condition, method)
            else:
                reading = future.result()
            if path is not None:
                path.write_text(json.dumps(reading, ensure_ascii=False), encoding="utf-8")
            results[index] = reading
        return [result for result in results if result is not None]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _margins(reading: dict[str, Any]) -> tuple[float, float] | None:
    margins = reading.get("margins")
    return (float(margins[0]), float(margins[1])) if margins else None


# --- scoring ----------------------------------------------------------------------------------------------------


def _figures(score: Score) -> dict[str, Any]:
    return {"f1": round(score.f1, 3), **{key: getattr(score, key) for key in ("matched", "extracted", "expected")}}


def score_document(
    document: LabelledDocument, methods: Sequence[str], reader: Reader, registry: list[Any], units: dict[str, Any]
) -> dict[str, Any]:
    """The text score and each scan's score of one document, with its page count, differences and seconds."""
    text_score = _pairs(document, document.text, registry, units)
    requests = []
    typed: dict[str, str] = {}
    for condition, options in CONDITIONS.items():
        typeset_pages = typeset(document.text, dpi=options["dpi"])
        typed[condition] = "\n".join(text for _page, text in typeset_pages)
        requests += [(page, text, condition, method) for method in methods for page, text in typeset_pages]
    readings = reader.read(requests)
    row: dict[str, Any] = {"document": document.name, "text": text_score, "scans": {}, "typeset": {}}
    for condition in CONDITIONS:
        # The typeset text itself, lines wrapped as on the page, before any reading: what the layout alone costs.
        row["typeset"][condition] = _pairs(document, typed[condition], registry, units)
        for method in methods:
            pages = [
                reading
                for reading, (_page, _text, kind, how) in zip(readings, requests, strict=True)
                if (kind, how) == (condition, method)
            ]
            # Joined as an upload's pages are (empty lines at page breaks from the margins, marks repaired: ocr.py).
            read = joined_texts([page["text"] for page in pages], [_margins(page) for page in pages])
            row["scans"][f"{condition}/{method}"] = {
                "score": _pairs(document, read, registry, units),
                "pages": len(pages),
                "char_difference": difference(typed[condition], read),
                "seconds": sum(page["seconds"] for page in pages),
                "cpu_seconds": sum(page["cpu_seconds"] for page in pages),
                "modes": [page["mode"] for page in pages],
                "tilts": [page["tilt"] for page in pages],
            }
    return row


def page_count(document: LabelledDocument) -> int:
    """How many pages the document takes typeset for the ordinary scan."""
    return len(layout(document.text, dpi=CONDITIONS["ordinary"]["dpi"]))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "documents", nargs="*", help="documents of the real_dev split by name (default: four short ones)"
    )
    parser.add_argument("--set", choices=SETS, help="read every document of this split instead of named ones")
    parser.add_argument("--limit", type=int, help="with --set: only the first N documents, fewest pages first")
    parser.add_argument(
        "--max-pages",
        type=int,
        default=MAX_OCR_PAGES,
        help=f"with --set: leave out documents of more pages (default {MAX_OCR_PAGES}, the most an upload may have)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="pages read at once, in separate processes")
    parser.add_argument(
        "--old",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also read the old way (default: yes for named documents, no with --set)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="minutes: a document is not started when, at the pace so far, it would end after them (it is listed)",
    )
    parser.add_argument("--no-cache", action="store_true", help=f"read every page again (cache: {CACHE})")
    return parser.parse_args(argv)


def _chosen(arguments: argparse.Namespace) -> tuple[list[LabelledDocument], list[LabelledDocument], list[str]]:
    """The documents to read, every document of the split (for the text F1 over it), and those left out."""
    if arguments.set is None:
        names = arguments.documents or list(DOCUMENTS)
        chosen = [document for document in documents() if document.name in names]
        if any(document.split != "real_dev" for document in chosen) or len(chosen) != len(names):
            raise SystemExit("only documents of the real_dev split, by name")
        return chosen, chosen, []
    if arguments.documents:
        raise SystemExit("either --set or document names")
    everything = [document for document in documents() if document.split == arguments.set]
    counted = sorted(((page_count(document), document.name, document) for document in everything), key=lambda x: x[:2])
    too_long = [name for pages, name, _document in counted if pages > arguments.max_pages]
    chosen = [document for pages, _name, document in counted if pages <= arguments.max_pages]
    if arguments.limit is not None:
        chosen = chosen[: arguments.limit]
    return chosen, everything, too_long


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = _arguments(argv)
    if not ocr_available():
        raise SystemExit("Tesseract with Vietnamese data is needed (tesseract-ocr, tesseract-ocr-vie)")
    methods = ["new"]
    if arguments.old if arguments.old is not None else arguments.set is None:
        methods.insert(0, "old")
    units = memory_units()
    registry = list(units.values())
    chosen, everything, too_long = _chosen(arguments)
    keys = [f"{condition}/{method}" for condition in CONDITIONS for method in methods]
    reader = Reader(arguments.jobs, None if arguments.no_cache else CACHE)
    load_before = os.getloadavg()
    started = time.perf_counter()
    text_total = Score(0, 0, 0)
    typeset_totals = {condition: Score(0, 0, 0) for condition in CONDITIONS}
    totals = {key: Score(0, 0, 0) for key in keys}
    seconds = dict.fromkeys(keys, 0.0)
    cpu_seconds = dict.fromkeys(keys, 0.0)
    pages = dict.fromkeys(keys, 0)
    differences: dict[str, list[float]] = {key: [] for key in keys}
    rows = []
    not_read: list[str] = []
    header = f"{'document':<50} {'pages':>5} {'text F1':>7}" + "".join(f" {c + ' wrap':>13}" for c in CONDITIONS)
    print(header + "".join(f" {key + ' F1':>15} {'Δ':>6} {'char':>6} {'s/page':>6}" for key in keys), flush=True)
    try:
        for document in chosen:
            done = sum(pages.values())
            pace = (time.perf_counter() - started) / done if done else 0.0
            if arguments.budget and time.perf_counter() - started + pace * page_count(document) * len(keys) > (
                arguments.budget * 60
            ):
                not_read.append(document.name)
                continue
            row = score_document(document, methods, reader, registry, units)
            text_total += row["text"]
            line = f"{document.name:<50} {row['scans'][keys[0]]['pages']:>5} {row['text'].f1:7.2f}"
            entry: dict[str, Any] = {"document": document.name, "text_f1": round(row["text"].f1, 3)}
            for condition, score in row["typeset"].items():
                typeset_totals[condition] += score
                line += f" {score.f1:13.2f}"
                entry[f"{condition}/typeset_f1"] = round(score.f1, 3)
            for key in keys:
                scan = row["scans"][key]
                totals[key] += scan["score"]
                seconds[key] += scan["seconds"]
                cpu_seconds[key] += scan["cpu_seconds"]
                pages[key] += scan["pages"]
                differences[key].append(scan["char_difference"])
                delta = scan["score"].f1 - row["text"].f1
                line += (
                    f" {scan['score'].f1:15.2f} {delta:+6.2f} {scan['char_difference']:6.3f} "
                    f"{scan['seconds'] / scan['pages']:6.1f}"
                )
                entry[key] = {
                    "f1": round(scan["score"].f1, 3),
                    "difference": round(delta, 3),
                    "pages": scan["pages"],
                    "char_difference": round(scan["char_difference"], 3),
                    "seconds_per_page": round(scan["seconds"] / scan["pages"], 1),
                    "modes": scan["modes"],
                    "tilts": scan["tilts"],
                }
            rows.append(entry)
            print(line, flush=True)
    finally:
        reader.close()
    elapsed = time.perf_counter() - started
    print()
    summary: dict[str, Any] = {
        "set": arguments.set or "named",
        "documents": len(rows),
        "left_out_over_max_pages": too_long,
        "not_read_over_budget": not_read,
        "methods": methods,
        "text": _figures(text_total),
    }
    if len(everything) != len(chosen):
        whole = Score(0, 0, 0)
        for document in everything:
            whole += _pairs(document, document.text, registry, units)
        summary["text_whole_split"] = {"documents": len(everything), **_figures(whole)}
        print(f"text F1 over the whole split ({len(everything)} documents): {whole.f1:.3f}")
    print(f"text F1 over the {len(rows)} documents read: {text_total.f1:.3f}")
    for condition, score in typeset_totals.items():
        print(f"{condition + '/typeset':<14} F1 {score.f1:.3f} (typeset − text {score.f1 - text_total.f1:+.3f})")
        summary[f"{condition}/typeset"] = {**_figures(score), "difference": round(score.f1 - text_total.f1, 3)}
    for key in keys:
        f1, count = totals[key].f1, max(1, pages[key])
        mean_diff = sum(differences[key]) / max(1, len(differences[key]))
        print(
            f"{key:<14} F1 {f1:.3f} (scan − text {f1 - text_total.f1:+.3f}), char difference {mean_diff:.3f}, "
            f"{pages[key]} pages, {seconds[key] / count:.1f} s/page ({cpu_seconds[key] / count:.1f} s CPU)"
        )
        summary[key] = {
            **_figures(totals[key]),
            "difference": round(f1 - text_total.f1, 3),
            "ratio_to_text": round(f1 / text_total.f1, 3) if text_total.f1 else None,
            "char_difference": round(mean_diff, 3),
            "pages": pages[key],
            "seconds_per_page": round(seconds[key] / count, 1),
            "cpu_seconds_per_page": round(cpu_seconds[key] / count, 1),
        }
    summary["jobs"] = arguments.jobs
    summary["wall_seconds"] = round(elapsed)
    summary["load_average"] = {
        "start": [round(x, 2) for x in load_before],
        "end": [round(x, 2) for x in os.getloadavg()],
    }
    summary["rows"] = rows
    print(json.dumps(summary, ensure_ascii=False))
    return summary


if __name__ == "__main__":
    main()
