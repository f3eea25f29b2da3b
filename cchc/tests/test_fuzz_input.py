"""No user input gives a server error: random and extreme values posted to every form and query parameter.

The shared personas (one person per role, plus a council member) get a round
in self-assessment and a directive with tasks; for each of them the pages
reachable from the home page are crawled; every ``<form>`` found
(fields, action, method) and every query parameter of the links and filter
forms becomes a target. Hypothesis then sends each role's targets random and
extreme values — integers beyond 64 bits, negatives, NUL bytes, very long
text, odd Unicode, empty values, repeated values (lists), damaged files — and
every answer must be below 500. Shrinking is off and the examples are few so
that the whole run stays well under a minute per database; what fails is
reported all at once, with the page, the field and the exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cchc.accounts.models import User
from cchc.assessments.tests.conftest import build_workflow
from cchc.directives.tests.conftest import make_directive, make_task
from cchc.testing.files import corrupt_pdf_bytes, pdf_html_polyglot_bytes, replace_part, xlsx_bytes
from cchc.testing.personas import PERSONA_NAMES, Personas

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 45
EXAMPLES_PER_ROLE = 60
# Pages whose forms end the session or change who the client is, and files rather than pages; the rest is fair game.
SKIPPED = re.compile(r"/(logout|password|i18n)/|^/api/|^/static/|^/media/|/export|\.xlsx|\.docx|/download")

HUGE = "99999999999999999999999"
EXTREMES = [
    HUGE,
    "9223372036854775808",
    "-9223372036854775809",
    "-" + HUGE,
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "1.5",
    "",
    " ",
    "Xã Phường Âu Cơ ờ̉",
    "\u202e\u200b\ufeff",
    "😀" * 3,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "31/02/2025",
    "01/01/0001",
    "99/99/99999",
    "9999-12-31",
    "true",
    "[1, 2]",
    "x" * 5000,
    "a\x00b",
    "\x00",
    "y" * 200_000,
]


def _values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(EXTREMES),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.text(max_size=40),
    )


@dataclass
class Target:
    method: str
    url: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[str, str, tuple[str, ...]]:
        return self.method, re.sub(r"\d+", "N", urlsplit(self.url).path), tuple(sorted(self.fields))


class _PageParser(HTMLParser):
    """Links and forms of a page (action, method, named fields with their current values)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[Target] = []
        self._form: Target | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "a" and attributes.get("href"):
            self.links.append(urljoin(self.url, attributes["href"]))
        elif tag == "form":
            method = attributes.get("method", "get").lower()
            self._form = Target(method=method, url=urljoin(self.url, attributes.get("action") or self.url))
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select", "button"} and attributes.get("name"):
            name = attributes["name"]
            if tag == "input" and attributes.get("type") == "file":
                self._form.files.append(name)
                return
            values = self._form.fields.setdefault(name, [])
            if attributes.get("value") and attributes.get("type") not in {"checkbox", "radio"}:
                values.append(attributes["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._form is not None and self._select and attributes.get("value"):
            self._form.fields[self._select].append(attributes["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in {"", "testserver"} or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _crawl(client: Client) -> list[Target]:
    """Forms and query-string targets of the pages reachable from the home page, one per page shape."""
    queue: list[str] = ["/"]
    seen_shapes: set[str] = set()
    targets: dict[tuple[str, str, tuple[str, ...]], Target] = {}
    pages = 0
    while queue and pages < PAGES_PER_ROLE:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", urlsplit(url).path)
        if shape in seen_shapes or SKIPPED.search(url):
            continue
        seen_shapes.add(shape)
        response = client.get(url)
        pages += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _PageParser(url)
        parser.feed(response.content.decode("utf-8", "replace"))
        for link in parser.links:
            local = _local(link)
            if local and not SKIPPED.search(local):
                queue.append(local)
                query = urlsplit(local).query
                if query:
                    fields: dict[str, list[str]] = {}
                    for key, value in parse_qsl(query, keep_blank_values=True):
                        fields.setdefault(key, []).append(value)
                    target = Target("get", urlsplit(local).path, fields)
                    targets.setdefault(target.shape, target)
        for form in parser.forms:
            local = _local(form.url)
            if local and not SKIPPED.search(local) and (form.fields or form.files):
                form.url = local
                targets.setdefault(form.shape, form)
    return list(targets.values())


_FILES = [
    ("bao-cao.pdf", corrupt_pdf_bytes()),
    ("bao-cao.pdf", pdf_html_polyglot_bytes()),
    ("bang.xlsx", replace_part(xlsx_bytes(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>")),
    ("bang.xlsx", replace_part(xlsx_bytes(), "xl/workbook.xml", b"<workbook")),
    ("anh.png", b"\x89PNG\r\n\x1a\n"),
    ("rong.docx", b""),
]


@st.composite
def _payload(draw: Any, target: Target) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, offered in target.fields.items():
        choice = draw(st.integers(min_value=0, max_value=3))
        if choice == 0 and offered:
            data[name] = draw(st.sampled_from(offered))
        elif choice == 1:
            data[name] = draw(_values())
        elif choice == 2:
            data[name] = draw(st.lists(_values(), min_size=2, max_size=4))
        # choice 3: the field is left out
    for name in target.files:
        if draw(st.booleans()):
            filename, content = draw(st.sampled_from(_FILES))
            data[name] = SimpleUploadedFile(filename, content)
    return data


def _send(client: Client, target: Target, data: dict[str, Any]) -> tuple[int, str]:
    try:
        if target.method == "post":
            response = client.post(target.url, data)
        else:
            response = client.get(urlsplit(target.url).path, data)
    except Exception as exc:  # the test client re-raises what the view raised: that is the 500
        return 500, f"{type(exc).__name__}: {str(exc)[:200]}"
    return response.status_code, ""


def _failures_for(client: Client, targets: list[Target]) -> Iterator[str]:
    found: list[str] = []

    def record(target: Target, payload: dict[str, Any]) -> None:
        status, error = _send(client, target, payload)
        if status >= 500:
            shown = {key: value[:30] if isinstance(value, str) else value for key, value in payload.items()}
            found.append(f"{target.method.upper()} {target.url} {shown!r} → {error or status}")

    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def probe(data: Any) -> None:
        target = data.draw(st.sampled_from(targets))
        record(target, data.draw(_payload(target)))

    # Every target once with every field at an id no database key holds, then the random examples.
    for target in targets:
        record(target, {name: [HUGE, *offered[:1]] for name, offered in target.fields.items()})
    probe()
    yield from found


def _build_data(personas: Personas) -> list[User]:
    """A round in self-assessment and a directive with tasks for two units; the people of every role."""
    workflow = build_workflow(personas)
    directive = make_directive(personas)
    make_task(personas, directive, personas.unit_a, personas.unit_b)
    make_task(personas, directive, personas.unit_b, content="Báo cáo kết quả thực hiện hằng quý")
    people = [personas.user(name) for name in PERSONA_NAMES if name != "anonymous"]
    return [person for person in people if person is not None] + [workflow.council]


def test_random_and_extreme_values_in_every_form_and_query_parameter_never_give_a_server_error(
    personas: Personas, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    failures: list[str] = []
    covered = 0
    for person in _build_data(personas):
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        targets = _crawl(client)
        covered += len(targets)
        if targets:
            failures.extend(_failures_for(client, targets))
    assert covered > 20, "the crawl found too few forms and query parameters to mean anything"
    assert not failures, "\n".join(failures)
