"""Reading the rows of a dossier export, CSV or XLSX, as a stream.

CSV files are read from their stream one line at a time, whatever their size: the encoding is decided on the first
64 KB (a UTF-8 byte-order mark; valid UTF-8; TCVN3 or VNI text recognised by :mod:`cchc.lib.legacy_encodings`;
otherwise Windows-1258, the Vietnamese Windows code page), the separator on the first line (``,``, ``;`` or tab).
XLSX files go through :func:`cchc.lib.files.check_upload` (size, zip bomb, hostile XML) and are read by
:func:`cchc.lib.spreadsheet.iter_rows`: the rows are streamed, but the file itself is held in memory, up to the upload
cap, and at most ``CCHC_IMPORT_MAX_ROWS`` data rows are read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from cchc.lib import files, spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.legacy_encodings import ENCODINGS, detect_legacy, to_unicode
from cchc.lib.spreadsheet import SheetRow

SAMPLE_BYTES = 64 * 1024
UTF8_BOM = "utf-8-sig"
UTF8 = "utf-8"
WINDOWS_1258 = "cp1258"
CSV_EXTENSIONS = (".csv", ".txt")
# A CSV field longer than this is refused (csv's own default limit is 128 KB).
MAX_FIELD_CHARS = 32 * 1024


def detect_encoding(sample: bytes) -> str:
    """``utf-8-sig``, ``utf-8``, ``tcvn3``, ``vni`` or ``cp1258`` for the first bytes of a text file."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    try:
        codecs.getincrementaldecoder(UTF8)().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return UTF8
    # Legacy bytes are read as the characters of the same code (latin-1), as legacy_encodings expects.
    legacy = detect_legacy(sample.decode("latin-1"))
    return legacy or WINDOWS_1258


def _delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


def _unreadable(number: int) -> ServiceError:
    return ServiceError(
        _("Tệp CSV có ký tự không đọc được ở dòng %(row)s; hãy lưu lại tệp với mã UTF-8 rồi tải lên.")
        % {"row": number},
        code="bad_encoding",
        field="file",
    )


def iter_csv_rows(stream: IO[bytes]) -> Iterator[SheetRow]:
    """Every non-empty line of a CSV file as a :class:`SheetRow`, read as a stream (one line in memory at a time)."""
    return _as_sheet_rows(iter_csv_lines(stream))


def _as_sheet_rows(lines: Iterator[tuple[int, list[str]]]) -> Iterator[SheetRow]:
    for number, values in lines:
        yield SheetRow(number=number, values=tuple(values))


def iter_csv_lines(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """Every non-empty line of a CSV file as its line number and its cells (a list of its own), read as a stream:
    what :func:`iter_csv_rows` gives, without a :class:`SheetRow` per line."""
    # A buffer of our own size, so that peek() shows the whole sample (a file's own buffer holds 8 KB).
    buffered: Any = io.BufferedReader(stream, SAMPLE_BYTES)  # type: ignore[arg-type,type-var]
    sample = buffered.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
    encoding = detect_encoding(sample)
    legacy = encoding if encoding in ENCODINGS else None
    text = io.TextIOWrapper(buffered, encoding="latin-1" if legacy else encoding, newline="")
    delimiter = _delimiter(sample.decode("latin-1"))
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for values in reader:
            number = reader.line_num
            line = "".join(values)  # no cell is longer than the whole line: most lines skip the check of each cell
            if len(line) > MAX_FIELD_CHARS and max(map(len, values)) > MAX_FIELD_CHARS:
                raise ServiceError(
                    _("Dòng %(row)s có một ô quá dài; tệp có thể không phải tệp CSV.") % {"row": number},
                    code="bad_file",
                    field="file",
                )
            if not line or line.isspace():
                continue
            if legacy:
                values = [to_unicode(value, legacy) for value in values]
            yield number, values
    except UnicodeDecodeError as exc:
        raise _unreadable(number + 1) from exc
    except csv.Error as exc:
        raise ServiceError(
            _("Tệp CSV bị hỏng ở dòng %(row)s.") % {"row": number + 1}, code="bad_file", field="file"
        ) from exc
    finally:
        # a stream given up half-way (read on by a parsing process) may be closed before this generator is collected
        with contextlib.suppress(ValueError):
            text.detach()


class FileRows(Iterator[SheetRow]):
    """The rows of a file, read with no other effect (no query, no progress written): the dossier import may read
    and parse them in a second process (:func:`cchc.procedures.services.dossiers_import`). Any other iterable of
    rows is read in the import's own process. For a CSV file, ``lines`` gives the rows not yet read as
    :func:`iter_csv_lines` does (line number and cells), for a reader that makes a :class:`SheetRow` only of the
    lines it needs as one; ``None`` for other files."""

    def __init__(self, rows: Iterator[SheetRow], lines: Iterator[tuple[int, list[str]]] | None = None) -> None:
        self.rows = rows
        self.lines = lines

    def __iter__(self) -> FileRows:
        return self

    def __next__(self) -> SheetRow:
        return next(self.rows)


def iter_file_rows(stream: IO[bytes], *, name: str) -> Iterator[SheetRow]:
    """The rows of an uploaded or local ``.csv`` / ``.xlsx`` file (a :class:`FileRows`); :class:`ServiceError` for
    any other kind."""
    extension = PurePath(name).suffix.lower()
    if extension in CSV_EXTENSIONS:
        lines = iter_csv_lines(stream)
        return FileRows(_as_sheet_rows(lines), lines)
    if extension in (".xlsx", ".xlsm"):
        _kind, data = files.check_upload(stream, name=name, kinds=[files.XLSX], parse_xml=False)
        return FileRows(spreadsheet.iter_rows(data, max_rows=spreadsheet.max_import_rows()))
    raise ServiceError(_("Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv)."), code="bad_extension", field="file")


__all__ = ["FileRows", "detect_encoding", "iter_csv_lines", "iter_csv_rows", "iter_file_rows"]
