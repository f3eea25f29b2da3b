"""From an uploaded file to the text of the directive: Word, PDF, plain text, or a scan through OCR.

Scans (images, and PDFs whose pages carry no text layer) go through the
Tesseract OCR engine with its Vietnamese data (Debian packages
``tesseract-ocr`` and ``tesseract-ocr-vie``; scanned PDFs are rendered to
images with ``pdftoppm`` from ``poppler-utils``). Where those programs are
missing the user gets a message saying so, not an error page.

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
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.files import DOCX, check_office_container, max_upload_bytes
from cchc.lib.legacy_encodings import TCVN3, detect_legacy, repair, to_unicode

from .docx_numbering import DocxNumbering

logger = logging.getLogger(__name__)

TEXT_EXTENSIONS = {".txt", ".text", ".md", ""}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".webp", ".bmp"}
OCR_LANGUAGE = "vie"
MAX_OCR_PAGES = 40
OCR_SECONDS_PER_PAGE = 120
OCR_DPI = 300
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


def read_document(data: bytes, filename: str) -> ReadText:
    """The text of a directive file; raises :class:`ServiceError` with a Vietnamese message when it cannot."""
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
        return _read_pdf(data)
    if data.startswith(b"PK\x03\x04") or extension == ".docx":
        return _with_legacy_repaired(ReadText(_read_docx(data), "docx"))
    if extension in IMAGE_EXTENSIONS or _looks_like_image(data):
        return ReadText(ocr_image(data), "ocr")
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


def _read_pdf(data: bytes) -> ReadText:
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
    text_chars = sum(len("".join(page.split())) for page in pages)
    if text_chars >= MIN_TEXT_PER_PAGE * len(pages) / 2:
        return _with_legacy_repaired(ReadText("\n".join(pages), "pdf"))
    return ReadText(ocr_pdf(data, len(pages)), "ocr")


# --- OCR ----------------------------------------------------------------------------------------------------------


def ocr_available() -> bool:
    """Whether Tesseract and its Vietnamese data are installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return False
    try:
        result = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return False
    return OCR_LANGUAGE in (result.stdout + result.stderr).split()


def _ocr_missing() -> ServiceError:
    return _error(
        _(
            "Máy chủ chưa cài phần mềm nhận dạng chữ (Tesseract OCR với dữ liệu tiếng Việt) nên chưa đọc được bản "
            "chụp, bản quét. Hãy tải lên tệp Word hoặc PDF có chữ, hoặc đề nghị quản trị hệ thống cài gói "
            "tesseract-ocr và tesseract-ocr-vie."
        ),
        "ocr_missing",
    )


def _tesseract(image: Path) -> str:
    binary = shutil.which("tesseract")
    if binary is None or not ocr_available():
        raise _ocr_missing()
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, our own temporary file
            [binary, str(image), "stdout", "-l", OCR_LANGUAGE, "--psm", "4"],
            capture_output=True,
            timeout=OCR_SECONDS_PER_PAGE,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _error(_("Nhận dạng chữ quá lâu; hãy tải lên bản quét rõ hơn hoặc ít trang hơn."), "ocr_timeout") from exc
    if result.returncode != 0:
        logger.info("tesseract failed: %s", result.stderr[-500:])
        raise _error(_("Không nhận dạng được ảnh này; tệp ảnh có thể bị hỏng."), "bad_file")
    return result.stdout.decode("utf-8", errors="replace")


def _no_text() -> ServiceError:
    return _error(
        _("Không nhận dạng được chữ nào trong bản chụp, bản quét; hãy kiểm tra lại tệp (ảnh rõ nét, đúng chiều)."),
        "no_text",
    )


def ocr_image(data: bytes) -> str:
    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as folder:
        image = Path(folder) / "page"
        image.write_bytes(data)
        text = _tesseract(image)
    if len("".join(text.split())) < 10:
        raise _no_text()
    return text


def ocr_pdf(data: bytes, page_count: int) -> str:
    renderer = shutil.which("pdftoppm")
    if renderer is None or not ocr_available():
        raise _ocr_missing()
    if page_count > MAX_OCR_PAGES:
        raise _error(
            _("Bản quét có %(count)s trang, quá số trang đọc được một lần (%(limit)s).")
            % {"count": page_count, "limit": MAX_OCR_PAGES},
            "too_many_pages",
        )
    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as folder:
        source = Path(folder) / "scan.pdf"
        source.write_bytes(data)
        try:
            subprocess.run(  # noqa: S603 - fixed program, our own temporary files
                [renderer, "-r", str(OCR_DPI), "-gray", "-png", str(source), str(Path(folder) / "page")],
                capture_output=True,
                timeout=OCR_SECONDS_PER_PAGE * max(1, page_count),
                check=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise _error(_("Không đọc được các trang của bản quét PDF."), "bad_file") from exc
        pages = sorted(Path(folder).glob("page*.png"))
        text = "\n".join(_tesseract(page) for page in pages)
    if len("".join(text.split())) < 10:
        raise _no_text()
    return text
