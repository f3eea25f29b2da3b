"""Reading scans: deskew, the choice of page segmentation mode, and years a scan may have misread."""

from __future__ import annotations

import datetime
import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from cchc.extraction import extract_document, extract_text, flag_misread_years
from cchc.extraction.ocr import (
    PLAUSIBLE_ENOUGH,
    PageReading,
    ReadLine,
    _short_lines_read_again,
    is_syllable,
    joined_pages,
    joined_texts,
    laid_out,
    margins,
    misread_year,
    plausibility,
    read_page,
    repaired_marks,
    repaired_numbers,
    skew_angle,
    tsv_lines,
)

from .labelled import DATA
from .test_extraction_files import ocr  # noqa: F401 - the fixture that skips loudly without Tesseract

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PROSE = [
    "Thực hiện chỉ đạo của Chủ tịch Ủy ban nhân dân tỉnh về công tác cải cách hành chính năm 2025,",
    "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành và Ủy ban nhân dân các xã, phường thực hiện",
    "tốt các nội dung sau đây, báo cáo kết quả về Sở Nội vụ để tổng hợp trước ngày 30 tháng 9 năm 2025.",
    "1. Sở Tư pháp chủ trì rà soát các văn bản quy phạm pháp luật do tỉnh ban hành còn hiệu lực.",
    "2. Sở Tài chính bố trí kinh phí thực hiện các nhiệm vụ cải cách hành chính theo quy định hiện hành.",
    "3. Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc việc giải quyết thủ tục hành chính trên cổng",
    "dịch vụ công trực tuyến, tổng hợp các kiến nghị của người dân và doanh nghiệp hằng tháng.",
]


def page_of(lines: list[str], *, dpi: int = 200, size: int = 26) -> Image.Image:
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), size)
    image = Image.new("L", (round(size * 62), 120 + len(lines) * (size + 20) * 2), color=255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines * 2):
        draw.text((80, 60 + number * (size + 20)), line, fill=0, font=font)
    image.info["dpi"] = (dpi, dpi)
    return image


# --- deskew -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tilt", [-3.2, -1.0, 0.4, 1.7, 2.0, 4.5])
def test_a_tilted_page_of_text_is_straightened_to_within_half_a_degree(tilt: float) -> None:
    page = page_of(PROSE).rotate(tilt, fillcolor=255)
    found = skew_angle(page)
    assert abs(found - tilt) <= 0.5
    straightened = page.rotate(-found, fillcolor=255)
    assert abs(skew_angle(straightened)) <= 0.5


def test_a_blank_page_is_left_as_it_is() -> None:
    assert skew_angle(Image.new("L", (1200, 1600), color=255)) == 0.0


# --- the more plausible reading -------------------------------------------------------------------------------------


def test_words_are_judged_by_the_shape_of_a_vietnamese_syllable() -> None:
    assert all(is_syllable(word) for word in ["ngành", "được", "nghiêng", "Quốc", "giữa", "khuya", "thuyền", "ân"])
    assert not any(is_syllable(word) for word in ["rnột", "ngàhn", "Biê", "đẩ", "d", "tiếng\u0300"])


def inside_a_word(line: str) -> int:
    """A place near the middle of the line between the last two letters of a word."""
    middle = len(line) // 2
    end = next(index for index in range(middle, len(line)) if not line[index].isalpha())
    return end - 2 if end - 2 > middle - 10 else end - 1


def test_a_reading_with_lines_cut_in_half_and_interleaved_is_less_plausible_than_the_whole_lines() -> None:
    whole = "\n".join(PROSE)
    halves: list[str] = []
    for upper, lower in zip(PROSE[::2], PROSE[1::2], strict=False):
        # What mode 4 does to a tilted page: each line cut inside a word where the tilt crosses a text row, the
        # halves interleaved ("… ban ngà" / "… nh và …").
        cut_upper, cut_lower = inside_a_word(upper), inside_a_word(lower)
        halves += [upper[:cut_upper], lower[:cut_lower], upper[cut_upper:], lower[cut_lower:]]
    interleaved = "\n".join(halves)
    assert plausibility(whole) >= PLAUSIBLE_ENOUGH
    assert plausibility(interleaved) < PLAUSIBLE_ENOUGH
    assert plausibility("rnột ngàhn tlìn qưz\nxyz ưzx") < 0.5


@pytest.mark.usefixtures("ocr")
def test_a_clear_page_is_read_once_in_mode_4() -> None:
    reading = read_page(page_of(PROSE[:4]).rotate(1.0, fillcolor=255))
    assert reading.mode == 4 and reading.score >= PLAUSIBLE_ENOUGH
    assert abs(reading.tilt - 1.0) <= 0.5
    assert "Sở Tư pháp chủ trì" in reading.text


def real_page_tilted(*, dpi: int, tilt: float) -> Image.Image:
    """The first page of a real directive of the development set, typeset in 13 pt at ``dpi`` and tilted."""
    from PIL import ImageDraw, ImageFont

    text = (DATA / "real" / "vpcp-cv11414-2025-cao-toc-ben-luc-long-thanh.txt").read_text(encoding="utf-8")
    size = round(13 * dpi / 72)
    font = ImageFont.truetype(str(FONT), size)
    width, margin = round(8.27 * dpi), dpi
    lines: list[str] = []
    for line in text.split("\n"):
        current = ""
        for word in line.split():
            if current and font.getlength(f"{current} {word}") > width - 2 * margin:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
    page = Image.new("L", (width, round(11.69 * dpi)), color=255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines[:40]):
        draw.text((margin, margin + number * round(size * 1.35)), line, fill=0, font=font)
    tilted = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    tilted.info["dpi"] = (dpi, dpi)
    return tilted


@pytest.mark.usefixtures("ocr")
def test_a_reading_that_is_not_plausible_enough_is_tried_in_mode_3_and_the_better_one_kept() -> None:
    # A poor scan (150 dpi, 2° tilt) read without deskew: mode 4 cuts lines into halves and interleaves them.
    page = real_page_tilted(dpi=150, tilt=2.0)
    first = read_page(page, straighten=False, modes=(4,))
    assert first.score < PLAUSIBLE_ENOUGH
    chosen = read_page(page, straighten=False)
    assert chosen.mode == 3 and chosen.score > first.score
    # Straightened first, the same page reads whole in mode 4, and mode 3 is not needed.
    straightened = read_page(page)
    assert straightened.mode == 4 and straightened.score >= PLAUSIBLE_ENOUGH and abs(straightened.tilt - 2.0) <= 0.5
    assert "Biên Hòa - Vũng Tàu" in straightened.text


# --- years a scan may have misread ----------------------------------------------------------------------------------

ISSUED = datetime.date(2025, 8, 14)


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (datetime.date(2027, 9, 30), 2025),  # "2025." misread as "2027."
        (datetime.date(2023, 9, 30), 2025),
        (datetime.date(2036, 1, 15), 2026),  # one digit from next year ("2026" misread as "2036")
        (datetime.date(2025, 9, 30), None),
        (datetime.date(2026, 6, 30), None),
        (datetime.date(2030, 12, 31), None),  # a real far target differs in more than one digit
    ],
)
def test_a_deadline_years_from_the_document_one_digit_from_its_year_is_doubted(
    deadline: datetime.date, expected: int | None
) -> None:
    assert misread_year(deadline, ISSUED) == expected
    assert misread_year(deadline, None) is None


NOTICE = "\n".join(
    [
        "ỦY BAN NHÂN DÂN HUYỆN PHONG THỔ",
        "Số: 215/TB-UBND",
        "Phong Thổ, ngày 14 tháng 8 năm 2025",
        "THÔNG BÁO",
        "Kết luận về công tác cải cách hành chính",
        "1. Phòng Nội vụ kiểm tra công tác cải cách hành chính tại 05 xã trước ngày 30/9/2027.",
        "2. Phòng Tư pháp rà soát văn bản trước ngày 15/11/2025.",
    ]
)


def test_a_doubtful_year_is_flagged_on_its_task_and_in_the_warnings_without_changing_the_deadline() -> None:
    extraction = extract_text(NOTICE)
    flag_misread_years(extraction)
    first, second = extraction.tasks
    assert str(first.deadline) == "2027-09-30" and "2025" in first.deadline_doubt
    assert second.deadline_doubt == ""
    assert any(warning.startswith("Mục 1:") and "đọc nhầm" in warning for warning in extraction.warnings)


def test_a_typed_document_keeps_its_far_deadlines_unflagged() -> None:
    extraction = extract_document(NOTICE.encode(), "thong-bao.txt")
    assert [task.deadline_doubt for task in extraction.tasks] == ["", ""]
    assert not any("đọc nhầm" in warning for warning in extraction.warnings)


@pytest.mark.usefixtures("ocr")
def test_a_scanned_document_gets_its_doubtful_year_flagged() -> None:
    from PIL import ImageDraw, ImageFont

    lines = NOTICE.split("\n")
    font = ImageFont.truetype(str(FONT), 34)
    image = Image.new("L", (2000, 80 + len(lines) * 56), color=255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((60, 40 + number * 56), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    extraction = extract_document(buffer.getvalue(), "thong-bao.png")
    assert [str(task.deadline) for task in extraction.tasks] == ["2027-09-30", "2025-11-15"]
    assert extraction.tasks[0].deadline_doubt and not extraction.tasks[1].deadline_doubt


# --- lines and empty lines, from the boxes of the words -----------------------------------------------------------


def tsv(lines: list[tuple[int, str]], *, height: int = 36) -> str:
    """Tesseract's tsv output for lines of words at the given tops (one block, one paragraph, as mode 4 often has)."""
    rows = ["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"]
    for number, (top, text) in enumerate(lines, start=1):
        rows.append(f"4\t1\t1\t1\t{number}\t0\t100\t{top}\t1500\t{height}\t-1\t")
        for index, word in enumerate(text.split(), start=1):
            rows.append(
                f"5\t1\t1\t1\t{number}\t{index}\t{100 + index * 80}\t{top + index % 3}\t70\t{height}\t95\t{word}"
            )
    return "\n".join(rows) + "\n"


def test_an_empty_line_is_kept_where_the_page_leaves_one_and_nowhere_else() -> None:
    # A table flattened one cell a paragraph (from a development document): cells set off by empty lines, a cell
    # wrapped over two lines. The pitch is 49 pixels.
    read = tsv(
        [
            (100, "Quy định về chế độ trực tại Ban Chỉ huy Phòng thủ"),
            (149, "dân sự cấp tỉnh, cấp xã"),
            (247, "Văn phòng Ban Chỉ huy"),
            (345, "2025"),
            (443, "2"),
            (541, "Xây dựng Quy chế về công tác trực ban, họp và ban"),
            (590, "hành công điện chỉ đạo"),
        ]
    )
    assert laid_out(tsv_lines(read)) == (
        "Quy định về chế độ trực tại Ban Chỉ huy Phòng thủ\ndân sự cấp tỉnh, cấp xã\n\nVăn phòng Ban Chỉ huy\n\n"
        "2025\n\n2\n\nXây dựng Quy chế về công tác trực ban, họp và ban\nhành công điện chỉ đạo\n"
    )


def test_a_page_of_one_line_cells_still_gets_its_empty_lines() -> None:
    read = tsv([(100, "STT"), (198, "Nhiệm vụ"), (296, "Đơn vị chủ trì"), (394, "Thời gian"), (492, "1")])
    assert laid_out(tsv_lines(read)) == "STT\n\nNhiệm vụ\n\nĐơn vị chủ trì\n\nThời gian\n\n1\n"


def test_lines_of_a_paragraph_with_wide_spacing_are_not_set_apart() -> None:
    read = tsv(
        [(100, "Ủy ban nhân dân tỉnh đề nghị các sở,"), (165, "ban, ngành thực hiện"), (230, "tốt các nội dung")]
    )
    assert laid_out(tsv_lines(read)) == "Ủy ban nhân dân tỉnh đề nghị các sở,\nban, ngành thực hiện\ntốt các nội dung\n"


def test_a_page_that_ends_a_sentence_is_set_apart_from_the_next_by_an_empty_line() -> None:
    first = PageReading(text="Trung Bộ và Tây Nguyên mới được hình thành.\n", mode=4, tilt=0.0, score=1.0)
    second = PageReading(text="Sau khi phương án phân vùng mới được cấp có thẩm\n", mode=4, tilt=0.0, score=1.0)
    assert joined_pages([first, second]) == (
        "Trung Bộ và Tây Nguyên mới được hình thành.\n\nSau khi phương án phân vùng mới được cấp có thẩm\n"
    )


def test_pages_are_joined_line_after_line() -> None:
    first = PageReading(text="Giao Bộ Công Thương chủ trì, bảo đảm yêu cầu\n", mode=4, tilt=0.0, score=1.0)
    second = PageReading(
        text="về nguồn cung trong tháng 11 năm 2025.\n\n2, Bộ Tài chính\n", mode=4, tilt=0.0, score=1.0
    )
    assert joined_pages([first, second]) == (
        "Giao Bộ Công Thương chủ trì, bảo đảm yêu cầu\nvề nguồn cung trong tháng 11 năm 2025.\n\n2. Bộ Tài chính\n"
    )


def test_the_margins_of_a_page_are_counted_in_line_pitches_without_the_border_straightening_added() -> None:
    # Lines 49 pixels apart; the first starts 300 pixels down a 1,000-pixel page straightened with 20 pixels added
    # above and below, the last ends at 436.
    lines = tsv_lines(tsv([(300, "Ủy ban nhân dân tỉnh"), (349, "đề nghị các sở, ngành"), (398, "thực hiện")]))
    top, foot = margins(lines, 1000, border=20) or (0.0, 0.0)
    assert top == pytest.approx(280 / 49)
    assert foot == pytest.approx((1000 - 436 - 20) / 49)


def test_a_page_of_one_line_has_no_margins_to_compare() -> None:
    assert margins(tsv_lines(tsv([(300, "Nơi nhận:")])), 1000) is None


def page(text: str, top: float, foot: float) -> PageReading:
    return PageReading(text=text, mode=4, tilt=0.0, score=1.0, margins=(top, foot))


def test_a_page_that_starts_a_line_lower_than_the_others_is_set_apart_from_the_one_before() -> None:
    # The empty line between a table's number cell and the next cell fell at the top of the second page.
    first = page("STT\n\nNội dung\n\nĐơn vị thực hiện\n\n1\n", 4.0, 3.0)
    second = page("Rà soát thủ tục hành chính\n\nSở Nội vụ\n\n2\n", 5.0, 3.1)
    third = page("Số hóa hồ sơ\n\nSở Tư pháp\n", 4.1, 20.0)
    assert joined_pages([first, second, third]) == (
        "STT\n\nNội dung\n\nĐơn vị thực hiện\n\n1\n\nRà soát thủ tục hành chính\n\nSở Nội vụ\n\n2\n"
        "Số hóa hồ sơ\n\nSở Tư pháp\n"
    )


def test_a_page_that_ends_a_line_higher_than_the_others_is_set_apart_from_the_next() -> None:
    first = page("Giao Sở Tài chính chủ trì\n", 4.0, 4.1)
    second = page("Sở Xây dựng\n", 4.0, 3.0)
    third = page("Bộ phận một cửa\n", 4.0, 12.0)
    assert joined_pages([first, second, third]) == "Giao Sở Tài chính chủ trì\n\nSở Xây dựng\nBộ phận một cửa\n"


def test_a_page_that_ends_a_sentence_on_its_last_line_runs_on_when_no_margin_is_wider() -> None:
    first = page("Các sở thực hiện nghiêm túc.\n", 4.0, 3.0)
    second = page("Sở Nội vụ theo dõi, đôn đốc\n", 4.1, 25.0)
    assert joined_pages([first, second]) == "Các sở thực hiện nghiêm túc.\nSở Nội vụ theo dõi, đôn đốc\n"


def test_pages_without_margins_are_set_apart_after_a_sentences_end() -> None:
    assert joined_texts(["Các sở thực hiện nghiêm túc.\n", "Sở Nội vụ\n"]) == (
        "Các sở thực hiện nghiêm túc.\n\nSở Nội vụ\n"
    )


def lines_drawn(texts: list[str]) -> tuple[Image.Image, list[ReadLine]]:
    """A 200 dpi page with the texts one under another, and each line's box as Tesseract would give it."""
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 36)
    image = Image.new("L", (1600, 140 + 98 * len(texts)), color=255)
    draw = ImageDraw.Draw(image)
    lines = []
    for number, text in enumerate(texts):
        left, top, right, bottom = draw.textbbox((200, 80 + number * 98), text, font=font)
        draw.text((200, 80 + number * 98), text, fill=0, font=font)
        lines.append(ReadLine(text, top, bottom, left, right))
    image.info["dpi"] = (200, 200)
    return image, lines


@pytest.mark.usefixtures("ocr")
def test_a_misread_short_line_is_read_again_on_its_own(tmp_path: Path) -> None:
    # A table's row number alone on its line and an item's number, read "ý:" and "Tổ" on a noisy scan.
    image, lines = lines_drawn(["7", "Sở Tài chính chủ trì, phối hợp với các sở, ngành", "1."])
    misread = [replace(lines[0], text="ý:"), lines[1], replace(lines[2], text="Tổ")]
    assert [line.text for line in _short_lines_read_again(image, misread, tmp_path)] == [
        "7",
        "Sở Tài chính chủ trì, phối hợp với các sở, ngành",
        "1.",
    ]


@pytest.mark.usefixtures("ocr")
def test_a_long_line_is_not_read_again(tmp_path: Path) -> None:
    image, lines = lines_drawn(["Sở Tài chính chủ trì", "12"])
    kept = replace(lines[0], text="Sở Tài chinh chủ tri")
    assert [line.text for line in _short_lines_read_again(image, [kept, lines[1]], tmp_path)] == [
        "Sở Tài chinh chủ tri",
        "12",
    ]


# --- the numbers of items a scan misread ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "repaired"),
    [
        # From a development document read as a poor scan: "5." became "5,", and item 5 was taken into item 4.
        (
            "báo cáo Ủy ban nhân dân tỉnh.\n5, Các Sở, ngành, đơn vị liên quan",
            "báo cáo Ủy ban nhân dân tỉnh.\n5. Các Sở, ngành, đơn vị liên quan",
        ),
        ("II. NỘI DUNG KẾ HOẠCH\n\n1:\n\nTrên cơ sở tài liệu", "II. NỘI DUNG KẾ HOẠCH\n\n1.\n\nTrên cơ sở tài liệu"),
        ("thực hiện như sau:\n3.1, Tham gia góp ý kiến", "thực hiện như sau:\n3.1. Tham gia góp ý kiến"),
    ],
)
def test_the_stop_of_an_items_number_read_as_a_comma_or_colon_is_put_back(read: str, repaired: str) -> None:
    assert repaired_numbers(read) == repaired


@pytest.mark.parametrize(
    "read",
    [
        "theo quy định tại khoản\n5, Điều 3 của Luật",  # a wrapped line: the line before ends no sentence
        "kết thúc năm học.\n2025, Ủy ban nhân dân tỉnh",  # a year, not a number of an item
        "Thời gian thực hiện:\n15, 16 và 17 tháng 12",  # a list of days, no capital after the comma
        "các nội dung sau:\n5, đối với các sở, ngành",  # a small letter after the comma
    ],
)
def test_a_number_with_a_comma_that_starts_no_item_is_left_alone(read: str) -> None:
    assert repaired_numbers(read) == read


@pytest.mark.parametrize(
    "read", ["biết, thực hiện /.", "biết, thực hiện/.", "biết, thực hiện./,", "biết, thực hiện . /."]
)
def test_the_mark_that_closes_the_body_is_put_back_when_its_stop_was_lost(read: str) -> None:
    assert repaired_marks(f"Văn phòng Chính phủ thông báo để các bộ\n{read}\nNơi nhận:") == (
        "Văn phòng Chính phủ thông báo để các bộ\nbiết, thực hiện./.\nNơi nhận:"
    )


def test_a_fraction_at_the_end_of_a_line_is_no_closing_mark() -> None:
    assert repaired_marks("theo Thông báo số 591/.\nsố 12/,") == "theo Thông báo số 591/.\nsố 12/,"


@pytest.mark.parametrize(("read", "repaired"), [("|", "I"), ("||", "II"), ("lI", "II")])
def test_a_roman_number_alone_on_its_line_read_as_bars_is_put_back(read: str, repaired: str) -> None:
    # From a development document's annex table: the cell "I" of a group row, set off by empty lines, read "|".
    assert repaired_marks(f"TT\n\nNhiệm vụ\n\n{read}\n\nCÔNG TÁC CHỈ ĐẠO\n") == (
        f"TT\n\nNhiệm vụ\n\n{repaired}\n\nCÔNG TÁC CHỈ ĐẠO\n"
    )


def test_bars_inside_a_line_are_left_alone() -> None:
    assert repaired_marks("Sở Tư pháp | 2025\nl|l|l") == "Sở Tư pháp | 2025\nl|l|l"
