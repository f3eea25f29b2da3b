"""Faults on the production-like stack (``cchc stack``): a part is killed under load and the product holds.

Each test starts the stack of :mod:`cchc.maintenance.stack` (nginx, two gunicorn application servers with the
production settings, two ``cchc db_worker``) on the test database, which the test fills and commits, then kills one
part with ``kill -9`` while clients are working, and checks what every client saw against what the database holds.
They run on PostgreSQL only, with nginx installed (``python3 dev.py test`` installs it); each is bounded to a few
seconds of load. ``CCHC_STACK_TEST_PORT`` fixes the first of the ports they use (else free ones are picked).
"""

from __future__ import annotations

import datetime
import http.client
import io
import json
import os
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from cchc.accounts.models import User
from cchc.accounts.services import api_token_create
from cchc.audit.models import AuditEntry
from cchc.directives import services as directive_services
from cchc.directives.models import DeadlineKind, DirectiveKind, Notification, ProgressReport, ReminderLog
from cchc.imports.models import ImportKind, ImportPhase, ImportRun, ImportStatus
from cchc.imports.services import import_run_start
from cchc.maintenance.stack import Stack, free_port, nginx_binary
from cchc.organisations.excel import HEADER
from cchc.organisations.models import Membership, Unit
from cchc.testing.personas import Personas

pytestmark = [pytest.mark.stack, pytest.mark.django_db(transaction=True)]

LOAD_SECONDS = 4.0
AFTER_FAULT_SECONDS = 2.0
CLIENTS = 6


def _skip_unless_possible() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the stack runs on PostgreSQL only: set DATABASE_URL=postgres://…")
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx; python3 dev.py test installs it when it may)")


def _port_block(size: int) -> int:
    """The first of ``size`` consecutive free ports on loopback."""
    fixed = os.environ.get("CCHC_STACK_TEST_PORT", "").strip()
    if fixed:
        return int(fixed)
    for _attempt in range(20):
        first = free_port()
        try:
            for port in range(first, first + size):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no block of free ports")


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def collected_static() -> Iterator[Path]:
    """The static files of the production settings, collected once for every stack of the session."""
    folder = Path(tempfile.mkdtemp(prefix="cchc-stack-static-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def make_stack(tmp_path: Path, collected_static: Path) -> Iterator[Callable[..., Stack]]:
    """Start a stack on the test database (stopped, whatever happens, at the end of the test)."""
    _skip_unless_possible()
    started: list[Stack] = []

    def make(*, database_url: str | None = None, **env: str) -> Stack:
        stack = Stack(
            var_dir=tmp_path / "stack",
            port=_port_block(3),
            database_url=database_url or _database_url(),
            schedule=False,
            extra_env={
                "STATIC_ROOT": str(collected_static),
                "TASK_RECOVERY_SECONDS": "2",
                "STATIC_PRECOMPRESS": "false",
                "TASKS_BACKEND": "database",
                **env,
            },
        )
        stack.prepare(migrate=False, collect_static=False)
        started.append(stack)
        stack.start(timeout=120)
        return stack

    yield make
    for stack in started:
        stack.stop()


# --- clients ----------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    started: float


def request(port: int, method: str, path: str, *, token: str = "", payload: Any = None) -> Answer:
    started = time.monotonic()
    body = json.dumps(payload).encode() if payload is not None else None
    headers = {"Host": "127.0.0.1", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        return Answer(reply.status, reply.read(), started)
    except OSError:
        return Answer(0, b"", started)
    finally:
        conn.close()


def summary(load: Load) -> str:
    """What the clients saw, printed with ``pytest -s`` for the record in ``docs/deployment.md``."""
    statuses: dict[int, int] = {}
    for answer in [*load.reads, *(answer for _text, answer in load.writes)]:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    return (
        f"{len(load.reads)} reads, {len(load.writes)} writes, statuses {dict(sorted(statuses.items()))}, "
        f"fault lasted {load.fault_over - load.fault_time:.2f} s"
    )


@dataclass
class Load:
    """What every client sent and what it was answered."""

    reads: list[Answer] = field(default_factory=list)
    fault_time: float = 0.0
    fault_over: float = 0.0
    writes: list[tuple[str, Answer]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_load(port: int, token: str, assignment_ids: list[int], *, fault_at: float, fault: Callable[[], None]) -> Load:
    """``CLIENTS`` clients alternate reading their assignment and sending a progress report on it (an audited
    write); ``fault`` is called ``fault_at`` seconds in, and the clients go on until ``LOAD_SECONDS`` have passed
    and at least ``AFTER_FAULT_SECONDS`` after the fault is over."""
    load = Load()
    stop = threading.Event()

    def client(number: int) -> None:
        assignment_id = assignment_ids[number]
        i = 0
        while not stop.is_set():
            i += 1
            read = request(port, "GET", f"/api/directives/assignments/{assignment_id}", token=token)
            text = f"Báo cáo {number}-{i}"
            path = f"/api/directives/assignments/{assignment_id}/reports"
            written = request(port, "POST", path, token=token, payload={"percent": i % 90, "text": text})
            with load.lock:
                load.reads.append(read)
                load.writes.append((text, written))

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(fault_at)
        load.fault_time = time.monotonic()
        fault()
        load.fault_over = time.monotonic()
        time.sleep(max(AFTER_FAULT_SECONDS, LOAD_SECONDS - (time.monotonic() - start)))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return load


def _assignments_for_load(personas: Personas) -> tuple[str, list[int]]:
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject="Kế hoạch kiểm tra chịu tải",
            issuing_unit=personas.province,
            reference="01/KH-UBND",
            issued_on=timezone.localdate() - datetime.timedelta(days=30),
            signer="Nguyễn Văn A",
        ),
    )
    ids = []
    for n in range(CLIENTS):
        task = directive_services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=directive_services.TaskData(
                content=f"Nhiệm vụ {n}",
                deadline_kind=DeadlineKind.DATE,
                units=[personas.unit_a],
                deadline=timezone.localdate() + datetime.timedelta(days=60),
                section=str(n),
            ),
        )
        ids.append(task.assignments.get().pk)
    _token, key = api_token_create(actor=None, user=personas.focal_a, name="tải")
    return key, ids


def _reports_and_audits(text: str) -> tuple[int, int]:
    reports = list(ProgressReport.objects.filter(text=text).values_list("pk", flat=True))
    audits = AuditEntry.objects.filter(
        object_type__icontains="progressreport", object_id__in=[str(pk) for pk in reports]
    )
    return len(reports), audits.count()


# --- the faults -------------------------------------------------------------------------------------------------


def test_killing_an_application_server_under_load_loses_no_accepted_write_and_nginx_serves_from_the_other(
    personas: Personas, make_stack: Callable[..., Stack]
) -> None:
    token, assignment_ids = _assignments_for_load(personas)
    stack = make_stack()

    load = run_load(stack.port, token, assignment_ids, fault_at=1.5, fault=lambda: stack.kill("app1"))
    print("application server killed:", summary(load))

    after = [answer for answer in load.reads if answer.started > load.fault_time + 0.5]
    assert after and all(answer.status == 200 for answer in after), "reads after the fault must all succeed"
    # A client has at most one request in flight when the server dies: only those may fail.
    assert sum(1 for answer in load.reads if answer.status != 200) <= CLIENTS
    accepted = [text for text, answer in load.writes if answer.status == 201]
    refused = [(text, answer.status) for text, answer in load.writes if answer.status != 201]
    assert any(answer.started > load.fault_time + 0.5 for _t, answer in load.writes if answer.status == 201)
    # Only the writes in flight on the killed server can fail: nginx never sends a write to a second server.
    assert len(refused) <= CLIENTS, refused
    assert all(status == 502 for _text, status in refused), refused
    for text in accepted:
        assert _reports_and_audits(text) == (1, 1), text
    for text, _status in refused:
        reports, audits = _reports_and_audits(text)
        assert reports == audits <= 1, text  # made whole or not at all
    total = ProgressReport.objects.filter(assignment_id__in=assignment_ids).count()
    assert total == len(accepted) + sum(_reports_and_audits(text)[0] for text, _s in refused)


# --- a worker killed in the middle of a job -------------------------------------------------------------------


def _running_job() -> DBTaskResult | None:
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).first()


def _part_of(worker_id: str) -> str:
    """The stack's part that runs under ``worker_id`` (``<host>-<port>-<n>-<random suffix>``)."""
    return f"worker{worker_id.rsplit('-', 2)[-2]}"


def _kill_the_worker_of_the_running_job(stack: Stack) -> str:
    job = _running_job()
    assert job is not None, "no job is running"
    part = _part_of(job.worker_ids[-1])
    stack.kill(part)
    return part


def _wait_until_finished(job_id: Any, timeout: float = 90) -> DBTaskResult:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = DBTaskResult.objects.get(pk=job_id)
        if job.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the job {job_id} did not finish: {DBTaskResult.objects.get(pk=job_id).status}")


class _SinkHandler(socketserver.StreamRequestHandler):
    """A mail server that takes every message, except that it calls ``before_ack`` before acknowledging one; when
    that kills the sender, the message was never accepted (as with a real server)."""

    def _reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        sink: MailSink = self.server.sink  # type: ignore[attr-defined]
        self._reply("220 localhost")
        recipients: list[str] = []
        while raw := self.rfile.readline():
            verb = raw.decode("ascii", "replace").strip()[:4].upper()
            if verb == "RCPT":
                recipients.append(raw.decode().split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                if not sink.before_ack(recipients):
                    return  # the sender died: nothing was accepted
                with sink.lock:
                    sink.accepted.extend(recipients)
                recipients = []
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 OK")


@dataclass
class MailSink:
    before_ack: Callable[[list[str]], bool]
    accepted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink(before_ack=lambda recipients: True)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SinkHandler)
    server.daemon_threads = True
    server.sink = sink  # type: ignore[attr-defined]
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()


def _people_to_remind(personas: Personas, count: int) -> list[User]:
    """``count`` members of the office of unit A (it has no focal point, so each member is reminded)."""
    people = []
    for n in range(count):
        user = User.objects.create_user(username=f"nhac{n}", email=f"nhac{n}@example.gov.vn", password=None)
        Membership.objects.create(user=user, unit=personas.office_a)
        people.append(user)
    return people


def test_killing_a_worker_in_the_middle_of_a_reminder_run_sends_each_reminder_once(
    personas: Personas, make_stack: Callable[..., Stack], mail_sink: MailSink
) -> None:
    people = _people_to_remind(personas, 6)
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject="Kế hoạch nhắc việc",
            issuing_unit=personas.province,
            reference="02/KH-UBND",
            issued_on=timezone.localdate() - datetime.timedelta(days=30),
            signer="Nguyễn Văn A",
        ),
    )
    directive_services.task_create(
        actor=personas.secretariat,
        directive=directive,
        data=directive_services.TaskData(
            content="Báo cáo kết quả rà soát",
            deadline_kind=DeadlineKind.DATE,
            units=[personas.office_a],
            deadline=timezone.localdate(),
            section="1",
        ),
    )
    stack = make_stack(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_sink.port),
    )
    killed: list[str] = []

    def kill_at_the_third_message(recipients: list[str]) -> bool:
        with mail_sink.lock:
            if killed or len(mail_sink.accepted) < 2:
                return True
        killed.append(_kill_the_worker_of_the_running_job(stack))
        return False

    mail_sink.before_ack = kill_at_the_third_message
    day = timezone.localdate().isoformat()
    subprocess.run(  # noqa: S603 - our own interpreter and command
        [stack.python, "-m", "cchc.manage", "send_reminders", "--enqueue", "--date", day], env=stack.env, check=True
    )
    job = _wait_until_finished(DBTaskResult.objects.get().pk)

    assert killed, "the worker was not killed: the run finished first"
    assert job.status == TaskResultStatus.SUCCESSFUL, job.traceback
    assert len(job.worker_ids) == 2 and _part_of(job.worker_ids[0]) == killed[0]
    assert sorted(mail_sink.accepted) == sorted(person.email for person in people)
    logs = ReminderLog.objects.filter(recipient__in=people)
    assert logs.count() == len(people) and not logs.filter(emailed=False).exists()
    assert Notification.objects.filter(user__in=people).count() == len(people)


def _units_workbook(rows: int, parent_code: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đơn vị")
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        name = f"Tổ dân phố số {number} thuộc phường thử nghiệm"
        sheet.append([number, f"K-{number:06d}", name, f"TDP {number}", "Khác", "", parent_code, "01/07/2025", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_killing_a_worker_in_the_middle_of_a_large_import_imports_each_row_once(
    personas: Personas, make_stack: Callable[..., Stack], settings: Any, tmp_path: Path
) -> None:
    rows = 2500
    data = _units_workbook(rows, personas.province.code)
    stack = make_stack()
    settings.MEDIA_ROOT = stack.var_dir / "media"  # the upload waits where the workers read it
    run = import_run_start(actor=personas.secretariat, kind=ImportKind.UNITS, data=data, file_name="to-dan-pho.xlsx")
    deadline = time.monotonic() + 60
    while ImportRun.objects.get(pk=run.pk).phase != ImportPhase.WRITING:
        assert time.monotonic() < deadline and not ImportRun.objects.get(pk=run.pk).finished, "never writing"
        time.sleep(0.05)
    killed = _kill_the_worker_of_the_running_job(stack)

    job = _wait_until_finished(DBTaskResult.objects.get().pk, timeout=180)

    assert job.status == TaskResultStatus.SUCCESSFUL, job.traceback
    assert len(job.worker_ids) == 2 and _part_of(job.worker_ids[0]) == killed
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and not run.errors, run.message
    assert Unit.objects.filter(code__startswith="K-").count() == rows
    assert AuditEntry.objects.filter(object_type__icontains="unit", action="create").count() >= rows


# --- PostgreSQL restarted under load --------------------------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own, in a temporary folder: the shared server is never restarted."""

    folder: Path
    port: int

    def ctl(self, *arguments: str) -> None:
        subprocess.run(  # noqa: S603 - fixed programs, arguments built here
            [RUNUSER, "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), *arguments],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.ctl("-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def restart(self) -> None:
        # pg_ctl does not remember the log file: without it the server would write to (and hold) our pipe.
        self.ctl("-m", "fast", "-l", str(self.folder / "server.log"), "-w", "restart")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not Path(RUNUSER).is_file() or not (PG_BIN / "initdb").is_file():
        pytest.skip(f"PostgreSQL's server programs ({PG_BIN}) or runuser are missing: no cluster of the test's own")
    if os.geteuid() != 0:
        pytest.skip("a PostgreSQL cluster of the test's own is started as the postgres user, which needs root")
    folder = Path(tempfile.mkdtemp(prefix="cchc-stack-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, _port_block(4) + 3)
    subprocess.run(  # noqa: S603 - fixed programs, arguments built here
        [RUNUSER, "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _copy_test_database_to(cluster: Cluster, name: str) -> None:
    """The committed test data, schema and rows, into a database of the cluster."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    source = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or "postgres"),
    ]
    target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
    subprocess.run([str(PG_BIN / "createdb"), *target, name], check=True, timeout=60)  # noqa: S603
    dump = subprocess.run(  # noqa: S603
        [str(PG_BIN / "pg_dump"), *source, "--no-owner", str(db["NAME"])], env=env, check=True, capture_output=True
    )
    subprocess.run(  # noqa: S603
        [str(PG_BIN / "psql"), *target, "-q", "-v", "ON_ERROR_STOP=1", name],
        input=dump.stdout,
        check=True,
        timeout=120,
        capture_output=True,
    )


def test_restarting_postgresql_under_load_fails_only_the_requests_in_flight_with_the_error_page(
    personas: Personas, make_stack: Callable[..., Stack], cluster: Cluster
) -> None:
    token, assignment_ids = _assignments_for_load(personas)
    _copy_test_database_to(cluster, "cchc_stack_fault")
    stack = make_stack(database_url=cluster.url("cchc_stack_fault"))
    load = run_load(stack.port, token, assignment_ids, fault_at=1.5, fault=cluster.restart)
    print("PostgreSQL restarted:", summary(load))

    answers = [*load.reads, *(answer for _text, answer in load.writes)]
    failed = [answer for answer in answers if answer.status not in (200, 201)]
    assert all(answer.status == 500 for answer in failed), sorted({answer.status for answer in failed})
    for answer in failed:
        page = answer.body.decode()
        assert "Lỗi hệ thống" in page and "Traceback" not in page, page[:300]
    # Failures are those sent while the database was down (or in flight when it went), none later.
    assert all(answer.started < load.fault_over for answer in failed)
    after = [answer for answer in answers if answer.started > load.fault_over + 0.5]
    assert after and all(answer.status in (200, 201) for answer in after)
    accepted = [text for text, answer in load.writes if answer.status == 201]
    # What the clients saw, against the restarted database.
    with _connection_to(cluster.url("cchc_stack_fault")) as cursor:
        for text in accepted:
            cursor.execute("SELECT count(*) FROM directives_progressreport WHERE text = %s", [text])
            assert cursor.fetchone() == (1,), text
        cursor.execute(
            "SELECT count(*) FROM directives_progressreport r WHERE NOT EXISTS (SELECT 1 FROM audit_auditentry a"
            " WHERE a.object_type ILIKE '%%progressreport%%' AND a.object_id = r.id::text)"
        )
        assert cursor.fetchone() == (0,), "a report without its audit entry"


def _connection_to(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True).cursor()
