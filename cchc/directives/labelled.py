"""Confirmed directives written out as labelled data, so that the extractor's development set grows from real use.

The files have the layout of ``tests/extraction/data``: ``<slug>.txt`` (the text the extractor read),
``<slug>.expected.json`` (the confirmed header and tasks, in the format of ``tests/extraction/LABELLING.md``) and an
``index.json`` listing them with the split ``confirmed``. The page offers them as one .zip;
``cchc export_labelled_directives DIR`` writes them into a folder.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from .selectors import LabelledDocument

SPLIT = "confirmed"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def labelled_files(documents: Sequence[LabelledDocument]) -> Iterator[tuple[str, str]]:
    """``(file name, content)`` of every file of the export, ``index.json`` last."""
    entries = []
    for document in documents:
        yield f"{document.slug}.txt", document.text
        yield f"{document.slug}.expected.json", _json(document.expected)
        entries.append(
            {
                "name": document.slug,
                "text": f"{document.slug}.txt",
                "expected": f"{document.slug}.expected.json",
                "issuing_unit": document.issuing_unit,
                "split": SPLIT,
                "source": document.source,
            }
        )
    yield (
        "index.json",
        _json(
            {
                "about": "Directives confirmed on the review page of cchc: the text the extractor read and the tasks "
                "the user confirmed, labelled in the format of tests/extraction/LABELLING.md.",
                "documents": entries,
            }
        ),
    )


def labelled_zip(documents: Sequence[LabelledDocument]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in labelled_files(documents):
            archive.writestr(name, content)
    return buffer.getvalue()


def labelled_write(documents: Sequence[LabelledDocument], directory: Path) -> int:
    """Write the export into ``directory`` (created if missing); the number of files written."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, content in labelled_files(documents):
        (directory / name).write_text(content, encoding="utf-8")
        count += 1
    return count
