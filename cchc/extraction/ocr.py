"""Reading scans: straighten each page, recognise it with Tesseract, keep the more plausible reading.

A page goes through three steps:

1. **Deskew.** A scan is rarely square: a tilt of 1–2° is enough for Tesseract to cut long lines into pieces.
   :func:`skew_angle` finds the tilt by the projection profile: the page, reduced to about 1,000 pixels and
   turned into ink (1) and paper (0), is rotated by candidate angles (every 0.5° within ±5°, then every 0.1°
   around the best); the rows of ink are summed for each, and the angle at which the profile is sharpest — the
   largest sum of squared differences between neighbouring rows, because text lines then fall into distinct rows
   with white between them — is the tilt. Only Pillow is used; the estimate takes a fraction of a second, against
   seconds for the recognition.
2. **Recognise** with Tesseract's Vietnamese data, first with page segmentation mode 4 ("a single column of text
   of variable sizes", which keeps the rows of a table and the two header columns together), then, when the
   reading is not plausible enough, with mode 3 (automatic layout analysis, which finds columns and blocks).
3. **Keep the more plausible reading** by :func:`plausibility`, documented there.

Tesseract gives its words with their boxes (``tsv`` output); the page's text is rebuilt from them one line a line,
with an empty line only where the page leaves one (:func:`laid_out`), not where Tesseract's paragraph analysis ends a
paragraph. The pages read are joined with the small marks the structure hangs on repaired (:func:`joined_pages`).

Tesseract runs as a subprocess (Debian packages ``tesseract-ocr`` and ``tesseract-ocr-vie``; scanned PDFs are
rendered to images by ``pdftoppm`` from ``poppler-utils``). Every failure is a :class:`ServiceError` with a
Vietnamese message.
"""

from __future__ import annotations

import datetime
import io
import itertools
import logging
import re
import shutil
import statistics
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.utils.translation import gettext as _
from PIL import Image, ImageSequence, UnidentifiedImageError

from cchc.lib.errors import ServiceError

logger = logging.getLogger(__name__)

OCR_LANGUAGE = "vie"
MAX_OCR_PAGES = 40
OCR_SECONDS_PER_PAGE = 120
OCR_DPI = 300
# Page segmentation modes, in the order tried: 4 (one column of variable-size text), then 3 (automatic layout).
OCR_MODES = (4, 3)
# A reading at least this plausible is kept without trying the next mode (see ``plausibility``).
PLAUSIBLE_ENOUGH = 0.95
# Tilts searched, in degrees either way, and the smallest tilt worth a rotation.
MAX_SKEW = 5.0
MIN_SKEW = 0.1
_SKEW_WIDTH = 1000

# (done, total): called before the first page with (0, total), then after each page is read.
Progress = Callable[[int, int], None]


def _error(message: str, code: str) -> ServiceError:
    return ServiceError(message, code=code, field="file")


# --- deskew ---------------------------------------------------------------------------------------------------------


def _ink(image: Image.Image) -> Image.Image:
    """The page reduced to about ``_SKEW_WIDTH`` pixels, ink 255 and paper 0."""
    gray = image.convert("L")
    scale = min(1.0, _SKEW_WIDTH / max(gray.size))
    if scale < 1.0:
        size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.BOX)
    # Paper is the light majority; ink is anything clearly darker than the page's median grey.
    threshold = max(60, _median(gray) - 60)
    return gray.point(lambda value: 255 if value < threshold else 0)


def _median(gray: Image.Image) -> int:
    histogram = gray.histogram()
    half = sum(histogram) / 2
    seen = 0
    for value, count in enumerate(histogram):
        seen += count
        if seen >= half:
            return value
    return 255


def _sharpness(ink: Image.Image, angle: float) -> float:
    """How sharply the rows of ink separate when the page is rotated by ``angle`` degrees."""
    turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
    profile = turned.convert("F").resize((1, turned.height), Image.Resampling.BOX)
    rows = cast("list[float]", list(profile.get_flattened_data()))
    return sum((upper - lower) ** 2 for upper, lower in itertools.pairwise(rows))


def skew_angle(image: Image.Image) -> float:
    """The page's tilt in degrees, counter-clockwise positive, searched within ±5° (0.0 for a blank page)."""
    ink = _ink(image)
    coarse = [step / 2 for step in range(int(-MAX_SKEW * 2), int(MAX_SKEW * 2) + 1)]
    scores = {angle: _sharpness(ink, angle) for angle in coarse}
    best = max(coarse, key=lambda angle: (scores[angle], -abs(angle)))
    if scores[best] == 0:
        return 0.0
    fine = [round(best + step / 10, 1) for step in range(-5, 6) if abs(best + step / 10) <= MAX_SKEW]
    scores.update({angle: _sharpness(ink, angle) for angle in fine if angle not in scores})
    best = max(fine, key=lambda angle: (scores[angle], -abs(angle)))
    return -best


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """The page rotated square (grey, white where the rotation uncovers the border), and the tilt it had."""
    gray = image.convert("L")
    tilt = skew_angle(gray)
    if abs(tilt) < MIN_SKEW:
        return gray, tilt
    return gray.rotate(-tilt, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255), tilt


# --- plausibility ---------------------------------------------------------------------------------------------------

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx]"
# Vowel groups that may end a syllable, and those that need a final consonant ("ân", "biến", "muốn", "được").
_OPEN_NUCLEI = [
    *("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
    *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oa", "oe", "oi", "ôi", "ơi"),
    *("ua", "uê", "ui", "uơ", "uy", "ưa", "ưi", "ưu"),
    *("iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu"),
]
_CLOSED_NUCLEI = ["ă", "â", "iê", "yê", "uô", "ươ", "uâ", "oă", "uyê", "oa", "oe", "uê", "uy", *_OPEN_NUCLEI]


def _alternation(items: list[str]) -> str:
    return "|".join(sorted(set(items), key=len, reverse=True))


_SYLLABLE_RE = re.compile(
    rf"^(?:{_ONSETS})?(?:(?:{_alternation(_OPEN_NUCLEI)})|(?:{_alternation(_CLOSED_NUCLEI)})(?:ch|ng|nh|[cmnpt]))$"
)
_WORD_RE = re.compile(r"[^\W\d_]+")


def is_syllable(word: str) -> bool:
    """Is ``word`` shaped like a Vietnamese syllable: an initial consonant, a vowel group, a final consonant, and
    at most one tone mark? (Spelling, not a dictionary: "ngành" is, "ngàhn" and "rnột" are not.)"""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(1 for char in decomposed if char in _TONE_MARKS) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(char for char in decomposed if char not in _TONE_MARKS))
    return bool(_SYLLABLE_RE.match(bare.replace("đ", "d")))


def plausibility(text: str) -> float:
    """How much a page's reading looks like Vietnamese prose, from 0 to 1: the higher reading is kept.

    The share of its words shaped like Vietnamese syllables (:func:`is_syllable`; words in capitals that are not,
    such as "UBND" or "HĐND", are abbreviations and not counted), less the share of its lines that start or end
    with a cut word — a lower-case piece that is no syllable ("di d", "cao tốc Biê", "n Hòa", "nh theo"). A page
    has no cut words (Vietnamese splits lines between syllables), but a segmentation that cuts each line of a
    tilted page into a left and a right half and interleaves them leaves them at the ends of many lines.
    """
    words = [word for word in _WORD_RE.findall(text) if len(word) > 1 or word.islower()]
    judged = [is_syllable(word) for word in words if not (word.isupper() and not is_syllable(word))]
    if not judged:
        return 0.0
    share = sum(judged) / len(judged)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    cut = sum(1 for line in lines if _cut_word(line, 0) or _cut_word(line, -1))
    return max(0.0, share - cut / max(1, len(lines)))


def _cut_word(line: str, position: int) -> bool:
    """Does the line start (``position`` 0) or end (-1) with a piece of a word cut off?"""
    words = _WORD_RE.findall(line)
    if not words:
        return False
    word = words[position]
    touches = line.startswith(word) if position == 0 else line.endswith(word)
    return touches and word.islower() and not is_syllable(word)


# --- marks -------------------------------------------------------------------------------------------------------

_SENTENCE_ENDS = (".", ":", ";", "!", "?")

# A number that starts an item, read with a comma or a colon for its full stop ("5, Các sở", "1:" alone on its line).
_MISREAD_NUMBER_RE = re.compile(r"^(\s*)(\d{1,2}(?:\.\d{1,2}){0,3})[,:](?=\s*$|\s+(\w))")
# The mark that closes a directive's body ("biết, thực hiện./."), read without its first stop or with a comma.
_CLOSING_MARK_RE = re.compile(r"(?<=[^\W\d_])\s*\.?\s*/\s*[.,]\s*$")


# A Roman number alone on its line (a group's cell in a table: "I", "II") read as bars or small L's.
_LONE_ROMAN_RE = re.compile(r"^(\s*)([|lI]{1,3})(\s*)$")


def repaired_marks(text: str) -> str:
    """The reading with the small marks the structure hangs on put back: items' numbers (:func:`repaired_numbers`),
    a Roman group number alone on its line read "|" or "l" (the number cell of a table's group row), and the "./."
    that closes the body, which Tesseract reads as " /." or "./," on a blurred scan (after it the extractor takes no
    more tasks, so a lost mark makes the closing sentence, "Văn phòng Chính phủ thông báo để … biết", a task)."""
    lines = []
    for line in repaired_numbers(text).split("\n"):
        line = _LONE_ROMAN_RE.sub(lambda match: match[1] + "I" * len(match[2]) + match[3], line)
        lines.append(_CLOSING_MARK_RE.sub("./.", line))
    return "\n".join(lines)


def repaired_numbers(text: str) -> str:
    """The reading with the full stop of an item's number put back where Tesseract read a comma or a colon.

    The stop after "5" in "5. Các sở, ngành" is a few pixels; on a noisy or blurred scan it is often read as "," or
    ":", and "5, Các sở" no longer starts an item, so the item is merged into the one before it. A number of one or
    two digits (or "3.1") followed by "," or ":" is read as "5." when it starts a line after the end of a sentence, a
    blank line or nothing, and is followed by a capital letter or by nothing (a wrapped "khoản\n5, Điều 3" follows a
    line that does not end a sentence, and "2025, Ủy ban" has four digits).
    """
    lines = text.split("\n")
    previous = ""
    for index, line in enumerate(lines):
        if line.strip():
            match = _MISREAD_NUMBER_RE.match(line)
            after_sentence = not previous or previous.rstrip().endswith(_SENTENCE_ENDS)
            if match and after_sentence and (match[3] is None or match[3].isupper()):
                lines[index] = f"{match[1]}{match[2]}.{line[match.end() :]}"
            previous = lines[index]
        else:
            previous = ""
    return "\n".join(lines)


# --- lines and blank lines -----------------------------------------------------------------------------------

# A step from one line's top to the next's of at least this many line pitches leaves an empty line between them.
BLANK_LINE_STEPS = 1.5
# The pitch taken is at most this many times the height of a line (a page of one-line cells set off by empty lines
# has few steps of one pitch).
MAX_PITCH_HEIGHTS = 1.6


@dataclass(frozen=True)
class ReadLine:
    """A line as Tesseract found it: its text and the top, bottom, left and right of its words, in pixels."""

    text: str
    top: int
    bottom: int
    left: int = 0
    right: int = 0


def tsv_lines(tsv: str) -> list[ReadLine]:
    """The lines of Tesseract's ``tsv`` output, in its reading order (words of one block, paragraph and line)."""
    return [line for _page, line in _tsv_lines(tsv)]


def _tsv_lines(tsv: str) -> list[tuple[int, ReadLine]]:
    """The lines of a ``tsv`` output, each with the number of the image it was read on."""
    words: dict[tuple[str, ...], list[tuple[str, int, int, int, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(cell) for cell in cells[6:10])
        words.setdefault(tuple(cells[1:5]), []).append((cells[11].strip(), top, top + height, left, left + width))
    return [
        (
            int(key[0]),
            ReadLine(
                text=" ".join(word[0] for word in line),
                top=min(word[1] for word in line),
                bottom=max(word[2] for word in line),
                left=min(word[3] for word in line),
                right=max(word[4] for word in line),
            ),
        )
        for key, line in words.items()
    ]


def line_pitch(lines: Sequence[ReadLine]) -> float | None:
    """The page's line pitch in pixels: the lower quartile of the steps from one line's top to the next's (most
    steps are one pitch), at most :data:`MAX_PITCH_HEIGHTS` times the median height of a line; steps shorter than
    half a line's height (two columns side by side) are not counted. None when the page has no such step."""
    if not lines:
        return None
    height = statistics.median(line.bottom - line.top for line in lines)
    steps = sorted(
        later.top - earlier.top for earlier, later in itertools.pairwise(lines) if later.top - earlier.top >= height / 2
    )
    return min(steps[len(steps) // 4], MAX_PITCH_HEIGHTS * height) if steps else None


def margins(lines: Sequence[ReadLine], page_height: float, border: float = 0.0) -> tuple[float, float] | None:
    """The paper left above the page's first line and below its last, in line pitches (None without a pitch), less
    the ``border`` in pixels that straightening added above and below the page.

    An empty line at the top or at the foot of a page leaves no line to read, only a wider margin; the pages'
    margins compared (:func:`joined_texts`) tell where a page break falls on one."""
    pitch = line_pitch(lines)
    if pitch is None or pitch <= 0:
        return None
    top = min(line.top for line in lines) - border
    foot = page_height - max(line.bottom for line in lines) - border
    return max(0.0, top) / pitch, max(0.0, foot) / pitch


def laid_out(lines: Sequence[ReadLine]) -> str:
    """The page's text, one line a line, with an empty line where the page leaves one between two lines.

    Tesseract's own text puts an empty line wherever its paragraph analysis ends a paragraph: between the lines of
    one wrapped paragraph as often as not, and not always where the page has an empty line. The extractor reads an
    empty line as the end of a paragraph or of a table's cell (a table flattened one cell a paragraph), so the empty
    lines are set from the page instead: one wherever the step from a line's top to the next line's is at least
    :data:`BLANK_LINE_STEPS` times the page's line pitch (:func:`line_pitch`).
    """
    if not lines:
        return ""
    pitch = line_pitch(lines)
    text = [lines[0].text]
    for earlier, later in itertools.pairwise(lines):
        if pitch is not None and later.top - earlier.top >= BLANK_LINE_STEPS * pitch:
            text.append("")
        text.append(later.text)
    return "\n".join(text) + "\n"


# --- dates ------------------------------------------------------------------------------------------------------


def misread_year(day: datetime.date, document_date: datetime.date | None) -> int | None:
    """The year a deadline read from a scan was probably meant to have, or None when it looks right.

    A deadline two or more years from the document's own date whose year differs in one digit from the document's
    year or the next ("2027" in a letter of 2025, where the scan's "2025." lost its last stroke) is more likely a
    misread digit than a real deadline. It is flagged for the reader, never changed: plans do set far deadlines,
    and those ("2030") mostly differ in more than one digit.
    """
    if document_date is None or abs(day.year - document_date.year) < 2:
        return None
    for plausible in (document_date.year, document_date.year + 1):
        if sum(1 for ours, theirs in zip(f"{day.year:04d}", f"{plausible:04d}", strict=True) if ours != theirs) == 1:
            return plausible
    return None


# --- Tesseract ------------------------------------------------------------------------------------------------------


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


def ocr_missing() -> ServiceError:
    return _error(
        _(
            "Máy chủ chưa cài phần mềm nhận dạng chữ (Tesseract OCR với dữ liệu tiếng Việt) nên chưa đọc được bản "
            "chụp, bản quét. Hãy tải lên tệp Word hoặc PDF có chữ, hoặc đề nghị quản trị hệ thống cài gói "
            "tesseract-ocr và tesseract-ocr-vie."
        ),
        "ocr_missing",
    )


def _tesseract(image: Path, mode: int) -> list[ReadLine]:
    return [line for _page, line in _tesseract_tsv(image, mode)]


def _tesseract_tsv(image: Path, mode: int) -> list[tuple[int, ReadLine]]:
    """The lines Tesseract reads on ``image`` (or on each image a ``.txt`` file lists), with the image's number."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise ocr_missing()
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, our own temporary file
            [binary, str(image), "stdout", "-l", OCR_LANGUAGE, "--psm", str(mode), "tsv"],
            capture_output=True,
            timeout=OCR_SECONDS_PER_PAGE,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _error(_("Nhận dạng chữ quá lâu; hãy tải lên bản quét rõ hơn hoặc ít trang hơn."), "ocr_timeout") from exc
    if result.returncode != 0:
        logger.info("tesseract failed: %s", result.stderr[-500:])
        raise _error(_("Không nhận dạng được ảnh này; tệp ảnh có thể bị hỏng."), "bad_file")
    return _tsv_lines(result.stdout.decode("utf-8", errors="replace"))


# A line of at most this many characters is read again on its own (:func:`_short_lines_read_again`).
SHORT_LINE = 4
# Page segmentation mode for a line read on its own: "a single text line".
LINE_MODE = 7


def _short_lines_read_again(page: Image.Image, lines: list[ReadLine], folder: Path) -> list[ReadLine]:
    """The page's lines with each short one (:data:`SHORT_LINE` characters at most) read again on its own.

    A line of one to four characters — an item's number "1.", a table's row number "12", its number column's header
    "TT" — is what a noisy scan misreads most: with no words around it, Tesseract reads the grain as part of it
    ("1Ì", "ý:" for "7", "Tổ" for "1.") or as another mark, and the item or the table row is lost to the extractor.
    Each such line is cut out of the page with a margin of its own height and read again as a single line (mode
    :data:`LINE_MODE`), all of a page's in one run of Tesseract; the new reading is kept when it is one word (a
    reading with a space has taken in grain beside the line)."""
    short = [index for index, line in enumerate(lines) if len(line.text.replace(" ", "")) <= SHORT_LINE]
    if not short:
        return lines
    listed = []
    for number, index in enumerate(short):
        line = lines[index]
        height = max(1, line.bottom - line.top)
        box = (
            max(0, line.left - height),
            max(0, line.top - height // 2),
            min(page.width, line.right + height),
            min(page.height, line.bottom + height // 2),
        )
        path = folder / f"line-{number}.png"
        page.crop(box).save(path, format="PNG", dpi=page.info.get("dpi") or (OCR_DPI, OCR_DPI))
        listed.append(str(path))
    listing = folder / "lines.txt"
    listing.write_text("\n".join(listed) + "\n", encoding="utf-8")
    again: dict[int, list[str]] = {}
    for number, line in _tesseract_tsv(listing, LINE_MODE):
        again.setdefault(number, []).append(line.text)
    mended = list(lines)
    for number, index in enumerate(short, start=1):
        words = " ".join(again.get(number, [])).split()
        if len(words) == 1:
            mended[index] = ReadLine(
                words[0], lines[index].top, lines[index].bottom, lines[index].left, lines[index].right
            )
    return mended


@dataclass(frozen=True)
class PageReading:
    """One page as read: its text, the segmentation mode kept, the tilt corrected, the text's plausibility, and the
    paper above its first line and below its last in line pitches (:func:`margins`; None when not known)."""

    text: str
    mode: int
    tilt: float
    score: float
    margins: tuple[float, float] | None = None


def read_page(image: Image.Image, *, straighten: bool = True, modes: Sequence[int] = OCR_MODES) -> PageReading:
    """Read one page image: deskewed (unless ``straighten`` is false), then each of ``modes`` in turn until a
    reading is :data:`PLAUSIBLE_ENOUGH`; the most plausible reading is kept (the first on a tie)."""
    page, tilt = deskew(image) if straighten else (image.convert("L"), 0.0)
    dpi = getattr(image, "info", {}).get("dpi")
    # Straightening widens the page: the border added above (and below) it is no margin of the page.
    border = max(0.0, (page.height - image.height) / 2)
    best: PageReading | None = None
    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as folder:
        path = Path(folder) / "page.png"
        page.save(path, format="PNG", **({"dpi": dpi} if dpi else {}))
        for mode in modes:
            lines = _short_lines_read_again(page, _tesseract(path, mode), Path(folder))
            text = laid_out(lines)
            reading = PageReading(
                text=text, mode=mode, tilt=tilt, score=plausibility(text), margins=margins(lines, page.height, border)
            )
            if best is None or reading.score > best.score:
                best = reading
            if best.score >= PLAUSIBLE_ENOUGH:
                break
    if best is None:
        raise ValueError("no segmentation mode given")
    return best


def _no_text() -> ServiceError:
    return _error(
        _("Không nhận dạng được chữ nào trong bản chụp, bản quét; hãy kiểm tra lại tệp (ảnh rõ nét, đúng chiều)."),
        "no_text",
    )


def _too_many_pages(count: int) -> ServiceError:
    return _error(
        _("Bản quét có %(count)s trang, quá số trang đọc được một lần (%(limit)s).")
        % {"count": count, "limit": MAX_OCR_PAGES},
        "too_many_pages",
    )


def read_pages(
    pages: Sequence[Image.Image],
    *,
    progress: Progress | None = None,
    straighten: bool = True,
    modes: Sequence[int] = OCR_MODES,
) -> list[PageReading]:
    """Read every page in order, reporting after each."""
    if not ocr_available():
        raise ocr_missing()
    total = len(pages)
    if progress is not None:
        progress(0, total)
    readings = []
    for number, page in enumerate(pages, start=1):
        readings.append(read_page(page, straighten=straighten, modes=modes))
        if progress is not None:
            progress(number, total)
    return readings


# A page whose margin at the top (or foot) is this many line pitches wider than the pages' usual one starts (or
# ends) with an empty line.
WIDER_MARGIN = 0.6


def joined_texts(texts: Iterable[str], margins: Sequence[tuple[float, float] | None] = ()) -> str:
    """The texts of the pages read, in order, with an empty line where a page break falls on one and the marks of the
    structure repaired (:func:`repaired_marks`).

    An empty line at the foot or the top of a page is not read, but it leaves the margin there one line pitch wider
    than on the other pages: where the pages' ``margins`` (:func:`margins`, in the order of ``texts``) are known, an
    empty line separates two pages when the first one's foot or the second one's top is at least
    :data:`WIDER_MARGIN` pitches wider than usual (the lower quartile over the pages; the last page's foot, which
    ends the document, is not counted), and nowhere else — so the cells of a table set off by empty lines stay apart
    across a page break, and a paragraph the page break cut goes on on the next line. Without the margins, an empty
    line follows a page that ends a sentence (".", ":", ";", "!", "?"), where a page break mostly falls between
    paragraphs."""
    pages = [(text, margin) for text, margin in itertools.zip_longest(texts, margins) if text is not None]
    pages = [(text, margin) for text, margin in pages if text.strip()]
    known = [margin for _text, margin in pages if margin is not None]
    usual_top = _lower_quartile([top for top, _foot in known])
    usual_foot = _lower_quartile([foot for _top, foot in known[:-1]] if len(known) > 1 else [])
    joined = ""
    previous: tuple[float, float] | None = None
    for text, margin in pages:
        if joined:
            if previous is not None and margin is not None and usual_top is not None and usual_foot is not None:
                wide = previous[1] >= usual_foot + WIDER_MARGIN or margin[0] >= usual_top + WIDER_MARGIN
            else:
                wide = joined.rstrip().endswith(_SENTENCE_ENDS)
            joined += "\n" if wide else ""
        joined += text if text.endswith("\n") else f"{text}\n"
        previous = margin
    return repaired_marks(joined)


def _lower_quartile(values: Sequence[float]) -> float | None:
    return sorted(values)[len(values) // 4] if values else None


def joined_pages(readings: Iterable[PageReading]) -> str:
    """The text of the pages read, joined by :func:`joined_texts` with their margins."""
    readings = list(readings)
    return joined_texts([reading.text for reading in readings], [reading.margins for reading in readings])


def _joined(readings: Iterable[PageReading]) -> str:
    text = joined_pages(readings)
    if len("".join(text.split())) < 10:
        raise _no_text()
    return text


def image_pages(data: bytes) -> list[Image.Image]:
    """The pages of an image file (a multi-page TIFF has several), decoded by Pillow."""
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
        if count > MAX_OCR_PAGES:
            raise _too_many_pages(count)
        pages = []
        for frame in ImageSequence.Iterator(image):
            page = frame.convert("L")
            page.info["dpi"] = image.info.get("dpi") or frame.info.get("dpi")
            if not page.info["dpi"]:
                del page.info["dpi"]
            pages.append(page)
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.info("unreadable image: %s", exc)
        raise _error(_("Không nhận dạng được ảnh này; tệp ảnh có thể bị hỏng."), "bad_file") from exc
    return pages


def ocr_image(data: bytes, *, progress: Progress | None = None) -> str:
    """The text of a scanned or photographed page (or of each page of a multi-page TIFF)."""
    if not ocr_available():
        raise ocr_missing()
    return _joined(read_pages(image_pages(data), progress=progress))


def _rendered(data: bytes, page_count: int, folder: Path) -> Iterator[Path]:
    renderer = shutil.which("pdftoppm")
    if renderer is None:
        raise ocr_missing()
    source = folder / "scan.pdf"
    source.write_bytes(data)
    try:
        subprocess.run(  # noqa: S603 - fixed program, our own temporary files
            [renderer, "-r", str(OCR_DPI), "-gray", "-png", str(source), str(folder / "page")],
            capture_output=True,
            timeout=OCR_SECONDS_PER_PAGE * max(1, page_count),
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise _error(_("Không đọc được các trang của bản quét PDF."), "bad_file") from exc
    yield from sorted(folder.glob("page*.png"))


def ocr_pdf(data: bytes, page_count: int, *, progress: Progress | None = None) -> str:
    """The text of a scanned PDF: its pages rendered at :data:`OCR_DPI` and read one by one."""
    if shutil.which("pdftoppm") is None or not ocr_available():
        raise ocr_missing()
    if page_count > MAX_OCR_PAGES:
        raise _too_many_pages(page_count)
    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as folder:
        pages = []
        for path in _rendered(data, page_count, Path(folder)):
            with Image.open(path) as rendered:
                page = rendered.convert("L")
            page.info["dpi"] = (OCR_DPI, OCR_DPI)
            pages.append(page)
    return _joined(read_pages(pages, progress=progress))
