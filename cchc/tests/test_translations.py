"""The English catalogue: complete, compiled, in step with the code, and used by the pages.

The msgids are Vietnamese (the source language); ``cchc/locale/en`` holds the
English translation. See ``docs/translations.md`` for how to update it.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

import cchc
from cchc.testing.personas import Personas

PACKAGE_DIR = Path(cchc.__file__).resolve().parent
MESSAGES_DIR = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_PATH = MESSAGES_DIR / "django.po"
MO_PATH = MESSAGES_DIR / "django.mo"

# The options the catalogue is generated with (docs/translations.md).
MAKEMESSAGES_IGNORES = [".venv", "var", "tests", "bench"]

_PLACEHOLDER_RE = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd]|\{\{[^}]*\}\}")
_LINE_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural.get(index, "") for index in range(max(len(self.msgstr_plural), 2))]


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the message entries of a PO file (enough of the format for our catalogues)."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: tuple[str, int | None] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            current = None
            continue
        if current is None:
            current = Entry()
            entries.append(current)
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = _LINE_RE.match(line)
        if match:
            keyword, index, literal = match.groups()
            last = (keyword, int(index) if index is not None else None)
            _append(current, last, ast.literal_eval(literal), start=True)
        elif line.startswith('"') and last is not None:
            _append(current, last, ast.literal_eval(line), start=False)
        else:
            raise ValueError(f"{path}: cannot read line {raw!r}")
    header, *messages = entries
    assert header.msgid == "", "the catalogue starts with its header"
    return header, messages


def _append(entry: Entry, target: tuple[str, int | None], text: str, *, start: bool) -> None:
    keyword, index = target
    if keyword == "msgstr" and index is not None:
        entry.msgstr_plural[index] = ("" if start else entry.msgstr_plural[index]) + text
    elif keyword == "msgctxt":
        entry.msgctxt = ("" if start or entry.msgctxt is None else entry.msgctxt) + text
    elif keyword == "msgid_plural":
        entry.msgid_plural = ("" if start or entry.msgid_plural is None else entry.msgid_plural) + text
    else:
        setattr(entry, keyword, ("" if start else getattr(entry, keyword)) + text)


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    return parse_po(PO_PATH)


def test_the_catalogue_declares_english_plural_forms(catalogue: tuple[Entry, list[Entry]]) -> None:
    header, _messages = catalogue
    assert "Language: en\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr
    assert "fuzzy" not in header.flags


def test_every_message_has_an_english_translation_and_none_is_fuzzy(catalogue: tuple[Entry, list[Entry]]) -> None:
    _header, messages = catalogue
    assert len(messages) > 100, "the catalogue looks truncated"
    untranslated = [entry.msgid for entry in messages if not all(text.strip() for text in entry.translations)]
    fuzzy = [entry.msgid for entry in messages if "fuzzy" in entry.flags]
    obsolete = [entry.msgid for entry in messages if entry.obsolete]
    assert untranslated == []
    assert fuzzy == []
    assert obsolete == []


def test_plural_messages_have_singular_and_plural_english_forms(catalogue: tuple[Entry, list[Entry]]) -> None:
    _header, messages = catalogue
    plurals = [entry for entry in messages if entry.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
        assert entry.msgstr_plural[0] != entry.msgstr_plural[1], entry.msgid


def test_translations_keep_every_placeholder_of_the_vietnamese_text(catalogue: tuple[Entry, list[Entry]]) -> None:
    _header, messages = catalogue
    for entry in messages:
        expected = sorted(_PLACEHOLDER_RE.findall(entry.msgid_plural or entry.msgid))
        for text in entry.translations:
            assert sorted(_PLACEHOLDER_RE.findall(text)) == expected, (entry.msgid, text)


def test_no_english_translation_is_left_in_vietnamese(catalogue: tuple[Entry, list[Entry]]) -> None:
    _header, messages = catalogue
    vietnamese_letters = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ]", re.IGNORECASE)
    # Proper names keep their spelling, the language switch names Vietnamese in Vietnamese, document
    # symbols keep their letters (2211/QĐ-UBND), and Excel headers and rule keywords quoted in help texts
    # are the literal Vietnamese a user types into the import templates.
    allowed = {"Tiếng Việt", "Phú Thọ", "Vĩnh Phúc", "Hòa Bình", "Đoan Hùng", "Hiệu lực từ", "QĐ"}
    allowed |= {"Cách chấm", "Tham số", "Theo mức tỷ lệ", "Điểm thưởng", "Điểm trừ", "bước", "đúng hạn"}
    allowed |= {"trễ hạn", "không thực hiện", "chỉ tiêu", "chỉ số", "cách tính", "theo mức", "tỷ lệ"}
    allowed |= {"Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mức độ DVC trực tuyến", "Có phí, lệ phí"}
    allowed |= {"toàn trình", "một phần", "không", "chưa chính thức"}
    for entry in messages:
        for text in entry.translations:
            remainder = text
            for word in sorted(allowed, key=len, reverse=True):
                remainder = remainder.replace(word, "")
            assert not vietnamese_letters.search(remainder), (entry.msgid, text)


def test_the_compiled_catalogue_matches_the_po_file(catalogue: tuple[Entry, list[Entry]]) -> None:
    _header, messages = catalogue
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("language") == "en"
    stale: list[tuple[object, ...]] = []
    for entry in messages:
        if entry.msgid_plural is not None:
            for count, expected in ((1, entry.msgstr_plural[0]), (2, entry.msgstr_plural[1])):
                if entry.msgctxt is None:
                    actual = compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                else:
                    actual = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                if actual != expected:
                    stale.append((entry.msgid, count, actual))
        else:
            actual = (
                compiled.gettext(entry.msgid)
                if entry.msgctxt is None
                else compiled.pgettext(entry.msgctxt, entry.msgid)
            )
            if actual != entry.msgstr:
                stale.append((entry.msgid, actual))
    assert stale == [], "django.mo is out of date: run `cchc compilemessages --ignore=.venv`"


def _gettext_tools_available() -> bool:
    return shutil.which("xgettext") is not None and shutil.which("msgmerge") is not None


def test_every_translatable_text_in_the_code_is_in_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue: tuple[Entry, list[Entry]]
) -> None:
    if not _gettext_tools_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("GNU gettext (xgettext, msgmerge) must be installed on CI to check the catalogue")
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed; cannot extract messages from the code")
    _header, committed = catalogue
    copy = tmp_path / "cchc"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests"))
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=["en"],
            ignore_patterns=MAKEMESSAGES_IGNORES,
            no_obsolete=True,
            verbosity=0,
        )
    _header, extracted = parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    known = {entry.key for entry in committed}
    missing = sorted((entry.key for entry in extracted if entry.key not in known), key=str)
    assert missing == [], (
        "texts marked for translation are missing from cchc/locale/en/LC_MESSAGES/django.po; see docs/translations.md"
    )


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_login_page_is_vietnamese_by_default(personas: Personas) -> None:
    page = personas.client("anonymous").get("/accounts/login/").content.decode()
    assert "<h1>Đăng nhập</h1>" in page
    assert "Log in" not in page


def test_the_login_page_is_english_with_the_language_cookie(personas: Personas) -> None:
    page = _english(personas.client("anonymous")).get("/accounts/login/").content.decode()
    assert "<h1>Log in</h1>" in page
    assert "Username" in page
    assert "Đăng nhập" not in page


def test_the_menu_names_the_lists_in_the_plural_in_english(personas: Personas) -> None:
    page = _english(personas.client("secretariat")).get("/").content.decode()
    for label in ("Home", "Units", "Users", "Audit trail", "Log out"):
        assert f">{label}<" in page, label
    assert "Nhật ký thay đổi" not in page


def test_a_form_error_from_the_code_is_shown_in_english(personas: Personas) -> None:
    client = _english(personas.client("anonymous"))
    page = client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"}).content.decode()
    assert "Incorrect username or password" in page


def test_an_english_request_leaves_the_thread_in_vietnamese_afterwards(personas: Personas) -> None:
    _english(personas.client("anonymous")).get("/accounts/login/")
    assert translation.get_language() == settings.LANGUAGE_CODE == "vi"
    assert translation.gettext("Đăng nhập") == "Đăng nhập"
