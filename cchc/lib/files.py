"""Checks for uploaded files, run before any parser sees the bytes.

Every module that accepts a file calls :func:`check_upload` with the kinds it
expects. The checks are, in order: size, extension, magic bytes, and for
Office files (which are zip containers) the zip structure itself: a readable
central directory, ``[Content_Types].xml``, the main part of the expected
document, no macros, and bounded uncompressed size, entry count and
compression ratio (zip-bomb protection).

The zip limits use the sizes declared in the central directory. That is
enough because Python's :mod:`zipfile` never returns more bytes than an
entry declares (a lying entry fails its CRC check instead), and openpyxl and
python-docx read through :mod:`zipfile`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cchc.lib.errors import ServiceError

XLSX = "xlsx"
DOCX = "docx"
PDF = "pdf"
IMAGE = "image"

_EXTENSIONS = {
    XLSX: {".xlsx"},
    DOCX: {".docx"},
    PDF: {".pdf"},
    IMAGE: {".png", ".jpg", ".jpeg", ".gif", ".webp"},
}
_KIND_LABELS = {
    XLSX: "Excel (.xlsx)",
    DOCX: "Word (.docx)",
    PDF: "PDF (.pdf)",
    IMAGE: gettext_noop("ảnh (.png, .jpg, .gif, .webp)"),
}
# Main part every genuine document of the kind contains.
_OFFICE_MAIN_PART = {XLSX: "xl/workbook.xml", DOCX: "word/document.xml"}
_OFFICE_MAIN_CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
_ZIP_MAGIC = b"PK\x03\x04"
# Encrypted Office files (and the old binary .doc/.xls) are OLE compound files, not zips.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Markup a browser would run if it sniffed the file as a web page (PDF+HTML polyglots). Each marker is long enough
# that compressed streams, which look like random bytes, do not contain it by chance.
_HTML_MARKERS = re.compile(rb"<(?:html|head|body|script|iframe|svg|object|embed)[\s>/]|<!doctype\s+html", re.IGNORECASE)


@dataclass(frozen=True)
class ZipLimits:
    """Bounds for Office containers; the defaults fit real workbooks of hundreds of thousands of rows."""

    max_total_uncompressed: int = 200 * 1024 * 1024
    max_entries: int = 2_000
    # Ratio checked only for entries large enough to matter: small XML parts compress very well legitimately.
    max_ratio: int = 200
    ratio_floor_bytes: int = 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "CCHC_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def zip_limits() -> ZipLimits:
    total = getattr(settings, "CCHC_MAX_UNCOMPRESSED_BYTES", None)
    return ZipLimits(max_total_uncompressed=int(total)) if total else ZipLimits()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _not_kind(kind: str) -> ServiceError:
    return ServiceError(
        _("Tệp không đúng định dạng %(kind)s.") % {"kind": _(_KIND_LABELS[kind])}, code="bad_file", field="file"
    )


def _damaged(kind: str) -> ServiceError:
    return ServiceError(
        _("Tệp %(kind)s bị hỏng, không mở được; hãy mở lại bằng phần mềm đã tạo ra nó, lưu rồi tải lên.")
        % {"kind": _(_KIND_LABELS[kind])},
        code="bad_file",
        field="file",
    )


def _encrypted(kind: str) -> ServiceError:
    return ServiceError(
        _("Tệp %(kind)s được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.") % {"kind": _(_KIND_LABELS[kind])},
        code="encrypted",
        field="file",
    )


def _hidden_markup() -> ServiceError:
    return ServiceError(
        _("Tệp có chứa mã trang web (HTML) ẩn bên trong; vì lý do an toàn, hệ thống từ chối tệp này."),
        code="polyglot",
        field="file",
    )


def _xml_entities() -> ServiceError:
    return ServiceError(
        _("Tệp có khai báo thực thể XML (DOCTYPE), có thể là tệp độc hại; hệ thống từ chối mở tệp này."),
        code="xml_entities",
        field="file",
    )


def read_upload(upload: IO[bytes], *, max_bytes: int | None = None) -> bytes:
    """The whole content of ``upload``, refusing anything over the size limit without reading it all."""
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def _too_large(limit: int) -> ServiceError:
    return ServiceError(
        _("Tệp quá lớn (tối đa %(size)s MB).") % {"size": _megabytes(limit)}, code="too_large", field="file"
    )


def detect_kind(data: bytes) -> str | None:
    """The kind suggested by the first bytes (Office kinds need :func:`check_office_container` to tell apart)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return IMAGE
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return IMAGE
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    return None


def check_office_container(data: bytes, kind: str, *, limits: ZipLimits | None = None, parse_xml: bool = True) -> None:
    """Refuse corrupt, encrypted, macro-enabled or zip-bomb Office files before a parser opens them.

    With ``parse_xml`` every XML part is also read through (streamed, never
    held whole) and must be well-formed, without a DOCTYPE or entity
    declarations (billion laughs, external entities). Imports pass ``False``:
    only the start of each part is searched for a DOCTYPE, and their reader
    parses the parts once, with entities refused, and reports a damaged file
    itself.
    """
    limits = limits or zip_limits()
    if data.startswith(_OLE_MAGIC):
        raise _encrypted(kind)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _not_kind(kind) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise _suspicious()
        total = 0
        for entry in entries:
            total += entry.file_size
            if total > limits.max_total_uncompressed:
                raise _suspicious()
            if entry.file_size > limits.ratio_floor_bytes and (
                entry.compress_size == 0 or entry.file_size / entry.compress_size > limits.max_ratio
            ):
                raise _suspicious()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or _OFFICE_MAIN_PART[kind] not in names:
            raise _not_kind(kind)
        try:
            content_types = archive.read("[Content_Types].xml")
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _not_kind(kind) from exc
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in content_types:
        raise ServiceError(
            _("Tệp có chứa macro; vì lý do an toàn, hãy lưu lại dưới dạng %(kind)s không có macro rồi tải lên.")
            % {"kind": _(_KIND_LABELS[kind])},
            code="macro",
            field="file",
        )
    if _OFFICE_MAIN_CONTENT_TYPES[kind].encode() not in content_types:
        raise _not_kind(kind)
    if parse_xml:
        _check_office_xml(data, kind)
    else:
        _check_office_prologs(data, kind)


def _refuse_declarations(*_args: object) -> None:
    raise _xml_entities()


def _check_office_xml(data: bytes, kind: str) -> None:
    """Every ``.xml`` and ``.rels`` part is well-formed XML with no DOCTYPE."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not entry.filename.lower().endswith((".xml", ".rels")):
                continue
            parser = expat.ParserCreate()
            parser.StartDoctypeDeclHandler = _refuse_declarations
            parser.EntityDeclHandler = _refuse_declarations
            parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
            try:
                with archive.open(entry) as stream:
                    parser.ParseFile(stream)
            except ServiceError:
                raise
            except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise _damaged(kind) from exc


_PROLOG_BYTES = 4096
_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_office_prologs(data: bytes, kind: str) -> None:
    """The cheap part of :func:`_check_office_xml`: no DOCTYPE at the start of any XML part.

    A DOCTYPE can only come before the root element, so the first bytes of each part are enough for any file a
    normal program writes; a prolog padded beyond them is still refused by the reader (``defusedxml``).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not entry.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(entry) as stream:
                    start = stream.read(_PROLOG_BYTES)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise _damaged(kind) from exc
            if _DECLARATIONS.search(start):
                raise _xml_entities()


def check_pdf(data: bytes) -> None:
    """A PDF that opens, is not password-protected, has pages and hides no web page."""
    if _HTML_MARKERS.search(data):
        raise _hidden_markup()
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _encrypted(PDF)
        if len(reader.pages) == 0:
            raise _damaged(PDF)
    except ServiceError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise _damaged(PDF) from exc


def check_image(data: bytes) -> None:
    """An image that hides no web page (images are not decoded here: browsers show them, nothing parses them)."""
    if _HTML_MARKERS.search(data):
        raise _hidden_markup()


def _suspicious() -> ServiceError:
    return ServiceError(
        _("Tệp nén bất thường, có thể là tệp độc hại; hệ thống từ chối mở tệp này."), code="zip_bomb", field="file"
    )


def check_upload(
    upload: IO[bytes],
    *,
    name: str | None = None,
    kinds: Iterable[str],
    max_bytes: int | None = None,
    limits: ZipLimits | None = None,
    parse_xml: bool = True,
) -> tuple[str, bytes]:
    """Check an uploaded file against the allowed ``kinds``; return ``(kind, content)``.

    Beyond size, extension and first bytes, the file must open as what it
    claims to be: a PDF is read with pypdf (refused when damaged, encrypted,
    without pages, or carrying HTML), an Office file's zip and XML parts are
    read through (see :func:`check_office_container`), an image carries no
    HTML. ``name`` defaults to ``upload.name``. Raises :class:`ServiceError`
    with a Vietnamese message, one per kind of failure, that the view shows
    next to the file field.
    """
    allowed = list(kinds)
    filename = name if name is not None else str(getattr(upload, "name", "") or "")
    data = read_upload(upload, max_bytes=max_bytes)
    if not data:
        raise ServiceError(_("Tệp tải lên rỗng."), code="empty", field="file")
    extension = PurePath(filename).suffix.lower()
    kind = next((k for k in allowed if extension in _EXTENSIONS[k]), None)
    if kind is None:
        if extension == ".xlsm" and XLSX in allowed:
            raise ServiceError(
                _("Tệp Excel có macro (.xlsm) không được chấp nhận; hãy lưu lại dưới dạng .xlsx rồi tải lên."),
                code="macro",
                field="file",
            )
        labels = ", ".join(_(_KIND_LABELS[k]) for k in allowed)
        raise ServiceError(_("Chỉ chấp nhận tệp %(kinds)s.") % {"kinds": labels}, code="bad_extension", field="file")
    detected = detect_kind(data)
    if kind in _OFFICE_MAIN_PART:
        if data.startswith(_OLE_MAGIC):
            raise _encrypted(kind)
        if detected != "zip":
            raise _not_kind(kind)
        check_office_container(data, kind, limits=limits, parse_xml=parse_xml)
    elif detected != kind:
        raise _not_kind(kind)
    elif kind == PDF:
        check_pdf(data)
    elif kind == IMAGE:
        check_image(data)
    return kind, data


__all__ = [
    "DOCX",
    "IMAGE",
    "PDF",
    "XLSX",
    "ZipLimits",
    "check_image",
    "check_office_container",
    "check_pdf",
    "check_upload",
    "detect_kind",
    "max_upload_bytes",
    "read_upload",
]
