"""Django's own messages (form and model field errors, validators, password rules) reach people in Vietnamese.

Django's Vietnamese catalogue leaves some of them untranslated; ``cchc/locale/vi`` supplies those. English still
shows them in English.
"""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import django
import pytest
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cchc.directives import services as directive_services
from cchc.directives.models import DirectiveKind

DJANGO_DIR = Path(django.__file__).resolve().parent
# Where the messages a person can meet come from: form fields, validators, model fields, pagination, passwords.
SOURCES = (
    "forms/",
    "core/validators.py",
    "core/paginator.py",
    "db/models/fields/",
    "db/models/constraints.py",
    "contrib/auth/password_validation.py",
    "contrib/auth/validators.py",
    "utils/timesince.py",
    "utils/ipv6.py",
)
# Punctuation and protocol names that read the same in Vietnamese.
SAME_IN_VIETNAMESE = {":?.!", ":", "…", ", ", "IPv4", "IPv6"}


def _literal(text: str) -> str:
    return "".join(ast.literal_eval(line) for line in re.findall(r'^".*"$', text, re.MULTILINE))


def _django_messages() -> list[tuple[str, str, str | None]]:
    catalogues = [
        DJANGO_DIR / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
        DJANGO_DIR / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    ]
    found = []
    for path in catalogues:
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            references = " ".join(re.findall(r"^#: (.+)$", block, re.MULTILINE)).split()
            if "msgctxt" in block or not any(reference.startswith(SOURCES) for reference in references):
                continue
            match = re.search(r'^msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?', block + "\n", re.MULTILINE)
            if match is None:
                continue
            msgid = _literal(match.group(1))
            plural = _literal(match.group(2)) if match.group(2) else None
            if msgid and msgid not in SAME_IN_VIETNAMESE:
                found.append((references[0], msgid, plural))
    return found


def test_every_django_message_a_person_can_meet_has_vietnamese():
    messages = _django_messages()
    assert len(messages) > 80, "Django's catalogue was not read"
    with translation.override("vi"):
        english = [
            (source, msgid)
            for source, msgid, plural in messages
            if (translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)) in (msgid, plural)
        ]
    assert english == []


def test_form_and_password_errors_are_vietnamese_and_english_when_switched():
    def errors() -> list[str]:
        found: list[str] = []
        for field, value in ((forms.CharField(), "a\x00b"), (forms.DateField(), "31/02/2025")):
            try:
                field.clean(value)
            except ValidationError as error:
                found += error.messages
        try:
            validate_password("ngan")
        except ValidationError as error:
            found += error.messages
        return found

    with translation.override("vi"):
        vietnamese = errors()
    with translation.override("en"):
        english = errors()
    assert vietnamese[:2] == ["Không được chứa ký tự rỗng (NUL).", "Nhập một ngày hợp lệ."]
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in vietnamese
    assert english[:2] == ["Null characters are not allowed.", "Enter a valid date."]


@pytest.fixture
def directive(personas):
    return directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận về công tác cải cách hành chính quý III",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 8, 1),
        ),
    )


def test_a_form_with_a_bad_choice_answers_in_vietnamese(personas, directive):
    response = personas.client("secretariat").post(
        reverse("directives:task_create", args=[directive.pk]),
        {"content": "Rà soát thủ tục", "units": ["abc"], "fan_out": "khong-co", "deadline_kind": "date"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“abc” không phải là giá trị hợp lệ." in html
    assert "Hãy chọn một lựa chọn hợp lệ." in html
    assert "is not a valid" not in html
    assert "Select a valid choice" not in html


def test_a_bad_date_in_the_audit_filter_answers_in_vietnamese(personas):
    response = personas.client("secretariat").get(reverse("audit:entry_list"), {"date_from": "abc"})
    html = response.content.decode()
    assert "Nhập một ngày hợp lệ." in html or "không hợp lệ" in html
    assert "Enter a valid date" not in html


def test_a_form_sent_without_its_security_token_gets_a_vietnamese_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in html
    assert "CSRF verification failed" not in html
