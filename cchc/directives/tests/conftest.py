"""Fixtures for the directives tests: a directive of the test province with tasks for unit A and unit B, the e-mail
the tests sent (Django's in-memory outbox), and a real SMTP server on localhost for the test that sends through one."""

from __future__ import annotations

import datetime
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from cchc.directives import services
from cchc.directives.models import DeadlineKind, Directive, DirectiveKind, Task
from cchc.testing.personas import Personas

ISSUED = datetime.date(2025, 8, 1)
DUE = datetime.date(2025, 9, 30)


def make_directive(personas: Personas, **overrides: object) -> Directive:
    data = services.DirectiveData(
        kind=DirectiveKind.CONCLUSION,
        subject="Kết luận của Chủ tịch UBND tỉnh tại hội nghị phân tích Chỉ số CCHC",
        issuing_unit=personas.province,
        reference="176/TB-UBND",
        issued_on=ISSUED,
        signer="Trần Bảo Trung",
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return services.directive_create(actor=personas.secretariat, data=data)


def make_task(
    personas: Personas,
    directive: Directive,
    *units: object,
    deadline: datetime.date | None = DUE,
    kind: str = DeadlineKind.DATE,
    recurrence: str = "",
    period_key: str = "",
    content: str = "Rà soát thủ tục hành chính, đề xuất phương án đơn giản hóa",
) -> Task:
    return services.task_create(
        actor=personas.secretariat,
        directive=directive,
        data=services.TaskData(
            content=content,
            deadline_kind=kind,
            units=list(units) or [personas.unit_a],  # type: ignore[arg-type]
            deadline=deadline,
            recurrence=recurrence,
            period_key=period_key,
            section="2.1",
        ),
    )


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploaded files of the tests go to a temporary folder, never to ``var/``."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def directive(personas: Personas) -> Directive:
    return make_directive(personas)


# ---------------------------------------------------------------------------
# The e-mail a test sent, parsed as a mail server receives it.


class Mailbox:
    """The messages sent so far; ``to`` picks those addressed to one person."""

    def received(self) -> list[EmailMessage]:
        raise NotImplementedError

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received() if address in str(message["To"])]


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


class Outbox(Mailbox):
    """Django's in-memory outbox (the test e-mail backend): the bytes an SMTP connection would carry, parsed."""

    def received(self) -> list[EmailMessage]:
        return [_parse(message.message().as_bytes()) for message in mail.outbox]


@pytest.fixture
def mailbox() -> Mailbox:
    """The e-mail sent during the test; pytest-django empties the outbox before each test."""
    return Outbox()


# ---------------------------------------------------------------------------
# A small SMTP server (RFC 5321 subset: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on a free local port, for
# the test that sends through a real SMTP connection end to end.


@dataclass
class SMTPMailbox(Mailbox):
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[EmailMessage]:
        with self.lock:
            return list(self.messages)


class _SMTPHandler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        mailbox: SMTPMailbox = self.server.mailbox  # type: ignore[attr-defined]
        self._reply("220 localhost cchc-test-smtp")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                self.wfile.flush()
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = _parse(b"".join(lines))
                with mailbox.lock:
                    mailbox.messages.append(message)
                self._reply("250 OK: queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def smtp_server() -> Iterator[SMTPMailbox]:
    """A real SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    server = _Server(("127.0.0.1", 0), _SMTPHandler)
    mailbox = SMTPMailbox(host="127.0.0.1", port=server.server_address[1])
    server.mailbox = mailbox  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=mailbox.host,
            EMAIL_PORT=mailbox.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield mailbox
    finally:
        server.shutdown()
        server.server_close()
