"""From an uploaded file to the text of the directive: Word, PDF, plain text, or a scan through OCR.

Scans (images, and PDFs whose pages carry no text layer) go through the
Tesseract OCR engine with its Vietnamese data, each page straightened first
and read in the more plausible of two page segmentation modes (:mod:`.ocr`).
Where those programs are missing the user gets a message saying so, not an
error page. :func:`scan_page_count` tells a scan from a file read at once, so
that the caller can read a scan in the background.

Word's automatic list numbers ("1.", "1.1.", "a)", "I."), which are not part
of a paragraph's text, are put back in front of their paragraphs
(:mod:`.docx_numbering`).

Text typed in the legacy Vietnamese encodings TCVN3 (ABC, fonts ``.VnTime``)
and VNI (fonts ``VNI-Times``), which Word, PDF and plain text files still carry
from before Unicode, is converted to Unicode with a warning asking the user to
check it (:mod:`cchc.lib.legacy_encodings`).

Every failure is a :class:`~cchc.lib.errors.ServiceError` with a Vietnamese
message: oversized, empty, corrupt or password-protected files, unknown
formats, and scans in which no text can be recognised.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.files import DOCX, check_office_container, max_upload_bytes
from cchc.lib.legacy_encodings import TCVN3, detect_legacy, repair, to_unicode

from .docx_numbering import DocxNumbering
from .ocr import MAX_OCR_PAGES, OCR_LANGUAGE, Progress, image_pages, ocr_available, ocr_image, ocr_pdf

__all__ = ["MAX_OCR_PAGES", "OCR_LANGUAGE", "ReadText", "ocr_available", "read_document", "scan_page_count"]

logger = logging.getLogger(__name__)

TEXT_EXTENSIONS = {".txt", ".text", ".md", ""}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".webp", ".bmp"}
# A PDF page with fewer characters than this is taken as a scan without a text layer.
MIN_TEXT_PER_PAGE = 40

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ReadText:
    text: str
    source: str  # "docx", "pdf", "text", "ocr"
    warnings: tuple[str, ...] = ()


def _error(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


def read_document(data: bytes, filename: str, *, progress: Progress | None = None) -> ReadText:
    """The text of a directive file; raises :class:`ServiceError` with a Vietnamese message when it cannot.

    ``progress`` is told ``(pages read, pages)`` while a scan is recognised (see :mod:`.ocr`).
    """
    limit = max_upload_bytes()
    if len(data) > limit:
        raise _error(_("Tệp quá lớn (tối đa %(size)s MB).") % {"size": f"{limit / (1024 * 1024):.0f}"}, "too_large")
    if not data.strip():
        raise _error(_("Tệp tải lên rỗng."), "empty")
    extension = PurePath(filename or "").suffix.lower()
    if data.startswith(_OLE_MAGIC):
        if extension == ".docx":
            raise _error(_("Tệp Word được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."), "encrypted")
        raise _error(_("Tệp Word cũ (.doc) chưa được hỗ trợ; hãy lưu lại dưới dạng .docx rồi tải lên."), "bad_file")
    if data.startswith(b"%PDF-"):
        return _read_pdf(data, progress)
    if data.startswith(b"PK\x03\x04") or extension == ".docx":
        return _with_legacy_repaired(ReadText(_read_docx(data), "docx"))
    if extension in IMAGE_EXTENSIONS or _looks_like_image(data):
        return ReadText(ocr_image(data, progress=progress), "ocr")
    if extension == ".pdf":
        raise _error(_("Tệp PDF bị hỏng hoặc không đúng định dạng."), "bad_file")
    if extension in TEXT_EXTENSIONS or extension in {".csv"} or _looks_like_text(data):
        return read_text_file(data)
    raise _error(
        _("Không đọc được loại tệp này; hãy tải lên tệp Word (.docx), PDF, ảnh chụp hoặc văn bản thuần (.txt)."),
        "bad_extension",
    )


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(
        (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
    ) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in sample or sample.count(b"\x00") > len(sample) // 4


def decode_text(data: bytes) -> str:
    """Plain text in UTF-8 or UTF-16 (with or without a byte-order mark), TCVN3, VNI or Windows-1258, as Unicode."""
    return read_text_file(data).text


def read_text_file(data: bytes) -> ReadText:
    """Plain text (see :func:`decode_text`), with a warning when it was in a legacy Vietnamese encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _with_legacy_repaired(ReadText(data[3:].decode("utf-8", errors="replace"), "text"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _with_legacy_repaired(ReadText(data.decode("utf-16", errors="replace"), "text"))
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a mark: ASCII letters leave a zero byte on one side.
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        text = data.decode("utf-16-le" if odd_zeros > even_zeros else "utf-16-be", errors="replace")
        return _with_legacy_repaired(ReadText(text, "text"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _read_single_byte(data)
    return _with_legacy_repaired(ReadText(text, "text"))


def _read_single_byte(data: bytes) -> ReadText:
    """Text in an 8-bit encoding: TCVN3 or VNI when its bytes, read as Windows-1252, say so; else Windows-1258."""
    try:
        latin = data.decode("cp1252")
    except UnicodeDecodeError:  # the five codes Windows-1252 leaves unassigned
        latin = data.decode("latin-1")
    encoding = detect_legacy(latin)
    if encoding is None:
        return ReadText(data.decode("cp1258", errors="replace"), "text")
    return ReadText(to_unicode(latin, encoding), "text", (_legacy_warning(encoding),))


def _legacy_warning(encoding: str) -> str:
    name = "TCVN3 (ABC)" if encoding == TCVN3 else "VNI"
    return _("Văn bản dùng bảng mã %(encoding)s cũ; đã chuyển sang Unicode, hãy kiểm tra lại.") % {"encoding": name}


def _with_legacy_repaired(read: ReadText) -> ReadText:
    """``read`` with any TCVN3 or VNI text in it converted to Unicode, and a warning saying so."""
    text, encoding = repair(read.text)
    if encoding is None:
        return read
    return ReadText(text, read.source, (*read.warnings, _legacy_warning(encoding)))


# --- Word ---------------------------------------------------------------------------------------------------------


def _read_docx(data: bytes) -> str:
    """The paragraphs and tables of a Word file, with the numbers Word adds to list items (:mod:`.docx_numbering`)."""
    check_office_container(data, DOCX)
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = Document(io.BytesIO(data))
        numbering = DocxNumbering.from_document(document)
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(_paragraph_text(block, numbering))
            elif isinstance(block, Table):
                lines.extend(_table_lines(block, numbering))
    except ServiceError:
        raise
    except Exception as exc:  # python-docx raises many kinds of errors on damaged files
        logger.info("unreadable docx: %s", exc)
        raise _error(_("Tệp Word bị hỏng hoặc không đúng định dạng."), "bad_file") from exc
    return "\n".join(lines)


def _paragraph_text(paragraph: object, numbering: DocxNumbering, *, in_table: bool = False) -> str:
    """The text of a python-docx paragraph after the number or bullet Word shows before it."""
    text = str(getattr(paragraph, "text", ""))
    element = getattr(paragraph, "_p", None)
    if element is None:
        return text
    return numbering.paragraph_text(element, text, in_table=in_table)


def _table_lines(table: object, numbering: DocxNumbering | None = None) -> list[str]:
    numbering = numbering if numbering is not None else DocxNumbering()
    # Keyed by the cell's element, which the dictionary keeps alive so that lxml hands back the same object.
    texts: dict[object, str] = {}

    def cell_text(cell: object) -> str:
        # A merged cell comes back once per grid column and row it covers: number its paragraphs once.
        key = getattr(cell, "_tc", cell)
        if key not in texts:
            paragraphs = getattr(cell, "paragraphs", [])
            texts[key] = "\n".join(_paragraph_text(paragraph, numbering, in_table=True) for paragraph in paragraphs)
        return texts[key]

    rows: list[list[str]] = []
    for row in getattr(table, "rows", []):
        cells: list[str] = []
        for cell in row.cells:
            text = cell_text(cell)
            if not cells or text != cells[-1]:  # a merged cell repeats its text in every grid column
                cells.append(text)
        rows.append(cells)
    if not rows:
        return []
    width = max(len(row) for row in rows)
    if width >= 3:
        return ["| " + " | ".join(" ".join(cell.split()) for cell in row) + " |" for row in rows]
    # A layout table (the two-column header block of a directive): read it column by column.
    return [line for column in range(width) for row in rows if column < len(row) for line in row[column].split("\n")]


# --- PDF ----------------------------------------------------------------------------------------------------------


def _pdf_pages(data: bytes) -> list[str]:
    """The text layer of each page of a PDF (empty strings for a scan)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _error(_("Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."), "encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ServiceError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, NotImplementedError, RecursionError) as exc:
        if "crypt" in str(exc).lower() or "password" in str(exc).lower():
            raise _error(_("Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."), "encrypted") from exc
        raise _error(_("Tệp PDF bị hỏng hoặc không đúng định dạng."), "bad_file") from exc
    if not pages:
        raise _error(_("Tệp PDF không có trang nào."), "empty")
    return pages


def _is_scanned(pages: list[str]) -> bool:
    text_chars = sum(len("".join(page.split())) for page in pages)
    return text_chars < MIN_TEXT_PER_PAGE * len(pages) / 2


def _read_pdf(data: bytes, progress: Progress | None = None) -> ReadText:
    pages = _pdf_pages(data)
    if not _is_scanned(pages):
        return _with_legacy_repaired(ReadText("\n".join(pages), "pdf"))
    return ReadText(ocr_pdf(data, len(pages), progress=progress), "ocr")


# --- OCR ----------------------------------------------------------------------------------------------------------


def scan_page_count(data: bytes, filename: str) -> int | None:
    """The number of pages to recognise when the file is a scan (an image, or a PDF without a text layer), else
    None: a scan is read in the background, page by page, any other file at once."""
    extension = PurePath(filename or "").suffix.lower()
    if data.startswith(_OLE_MAGIC) or data.startswith(b"PK\x03\x04"):
        return None
    if data.startswith(b"%PDF-"):
        try:
            pages = _pdf_pages(data)
        except ServiceError:
            return None  # refused with its message when read
        return len(pages) if pages and _is_scanned(pages) else None
    if extension in IMAGE_EXTENSIONS or _looks_like_image(data):
        try:
            return len(image_pages(data))
        except ServiceError:
            return 1
    return None
