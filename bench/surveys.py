"""Benchmark of the public survey form under load and of the results pages over a million responses.

Run from the repository root (PostgreSQL only: part 1 measures the production server on it)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_survey_bench .venv/bin/python bench/surveys.py
    DATABASE_URL=... .venv/bin/python bench/surveys.py --responses 100000 --seconds 10   # a quicker run
    DATABASE_URL=... .venv/bin/python bench/surveys.py --forms 10 --seconds 10 --skip-results   # the submit part only

Part 1, the submit endpoint. The shipped counter exit survey is published for 50 units of a province, one public
link each. gunicorn serves the production settings (``cchc.settings_production``; ``bench/surveys_settings.py`` adds
only the no-op view ``/bench/noop/`` of ``bench/surveys_urls.py``) with ``--workers`` sync workers on loopback, with
the environment a deployment gives it (a random ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``SECURE_SSL_REDIRECT=false``
because there is no TLS proxy in front, the static files collected) and the per-address and per-device limits of the
product raised by its own settings (``SURVEY_THROTTLE_PER_ADDRESS``, ``SURVEY_THROTTLE_PER_DEVICE``), since every
client of the run comes from 127.0.0.1. Each of ``--clients`` concurrent clients first opens its forms (GET, as a
phone does: the CSRF cookie, the device cookie and the signed form token) and, once the minimum fill time has passed,
sends them one after another (POST, answers valid for the form); a response is counted when the server answers with
the redirect to the thank-you page, anything else is an error. The reference, in the same run on the same server and
workers: the same clients posting the same bodies (with their CSRF cookie and token) to the no-op view for
``--seconds``. ``noop_ratio`` is the submit throughput over the no-op's (target at least 0.6); p50/p99 are the
latencies of the submits (target p99 < 100 ms), with their ratios to the no-op's. The CPU time (user and system)
the server's worker processes spent during each phase, read from ``/proc``, divided by its requests, gives the CPU
per request of each (``noop_worker_cpu_ms``, ``submit_worker_cpu_ms``) and their ratio (``cpu_ratio``): the figure
that holds on a busy machine, where the throughputs follow the other work. The CPU of the PostgreSQL backends
connected to the database (the workers' kept connections) is read the same way (``noop_database_cpu_ms``,
``submit_database_cpu_ms``); ``server_cpu_ratio`` is the no-op's workers-plus-database CPU over the submit's.

Part 2, the results. ``--responses`` responses to the shipped SIPAS questionnaire (its satisfaction questions
answered, a comment on one response in 50), spread over a year, 120 units and the three public channels, are written
straight into the tables by ``INSERT … SELECT`` from ``generate_series``; the counts are then rebuilt by ``cchc
rebuild_survey_counts`` (timed). Timed, median of 3 after a warm-up, as an administrator: the results page (HTML,
Django's test client, whole province over the year, broken down by unit) and the selector behind it
(``results_with_breakdown``). References on the same rows: one ``SELECT count(*)`` over the answers, and the
aggregation of the answers themselves that the results used before the counts (``answer_counts`` of the same
filter). Target: the results page under 0.5 s.

The last line printed is one JSON object with every figure. The database named in ``DATABASE_URL`` is dropped and
created again, so its name must contain "bench" (otherwise ``cchc_bench`` on the same server is used). It is kept
after the run: ``--reuse`` (with ``--skip-load``) measures the results again over the responses a previous run left in
it (when it holds exactly ``--responses`` of them, else it starts afresh), without writing or recounting them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
os.environ.setdefault("DEBUG", "false")  # as a production worker runs: no log of every query in memory

from survey_forms import answer_drawer  # noqa: E402  (the answers surveys_cpu.py sends too)
from units import _prepare_database  # noqa: E402  (the same database preparation as every benchmark)

PROVINCE = "BS"
DEPARTMENTS = 20
COMMUNES = 100
YEAR = 2025
ROUNDS = 3


def _median_seconds(function: Callable[[], Any], rounds: int = ROUNDS) -> float:
    function()  # warm-up
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _build_tree() -> list[int]:
    """A province with its departments and communes; the ids of all its units, the province first."""
    from cchc.organisations.models import Unit, UnitKind
    from cchc.organisations.services import UnitData, units_bulk_insert

    rows: list[tuple[UnitData, str | None]] = [
        (UnitData(name="Tỉnh Khảo Sát", kind=UnitKind.PROVINCE, code=PROVINCE), None)
    ]
    rows += [
        (UnitData(name=f"Sở Khảo Sát {n}", kind=UnitKind.DEPARTMENT, code=f"{PROVINCE}-S{n:02d}"), PROVINCE)
        for n in range(1, DEPARTMENTS + 1)
    ]
    rows += [
        (UnitData(name=f"Xã Khảo Sát {n}", kind=UnitKind.COMMUNE, code=f"{PROVINCE}-X{n:03d}"), PROVINCE)
        for n in range(1, COMMUNES + 1)
    ]
    units_bulk_insert(actor=None, rows=rows)
    return list(Unit.objects.order_by("path").values_list("pk", flat=True))


# --- Part 1: the submit endpoint under load ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _http(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One request on its own connection (gunicorn's sync workers close each one): the status and the raw reply."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    reply = await reader.read()
    writer.close()
    status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 0
    return status, reply


def _workers_cpu(master: int) -> float:
    """The CPU seconds (user + system) used so far by the server's worker processes (the children of ``master``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _database_cpu() -> dict[int, float]:
    """The CPU seconds (user + system) used so far by each PostgreSQL backend connected to the benchmark's database,
    this process's own excepted: the server's workers' connections (kept between requests). Read from ``/proc`` (the
    database server runs on this machine); the server's shared processes (WAL writer, checkpointer) are not counted."""
    from django.db import connection

    tick = os.sysconf("SC_CLK_TCK")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def _database_cpu_since(before: dict[int, float]) -> float:
    """The backends' CPU seconds since ``before``: a backend started meanwhile counts whole, one that ended meanwhile
    is left out (a connection the workers closed: its last moments are missed)."""
    return sum(used - before.get(pid, 0.0) for pid, used in _database_cpu().items())


def _cookies(reply: bytes) -> dict[str, str]:
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    found = {}
    for line in head.split("\r\n"):
        if line.lower().startswith("set-cookie:"):
            name, _, value = line.split(":", 1)[1].strip().split(";", 1)[0].partition("=")
            found[name] = value
    return found


class Client:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.forms: list[bytes] = []

    def headers(self, *, post: bool) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if post:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers


async def _prepare(port: int, clients: list[Client], paths: list[str], forms: int, answers: Callable[[], dict]) -> None:
    """Each client opens ``forms`` forms of its link and keeps what it will send."""

    async def one(client: Client, path: str) -> None:
        for _ in range(forms):
            status, reply = await _http(port, "GET", path, client.headers(post=False))
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")
            client.cookies.update(_cookies(reply))
            html = reply.decode("utf-8", "replace")
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            token = re.search(r'name="form_token" value="([^"]+)"', html)
            if csrf is None or token is None:
                raise SystemExit("the form has no CSRF or form token")
            fields = {"csrfmiddlewaretoken": csrf.group(1), "form_token": token.group(1), **answers()}
            client.forms.append(urlencode(fields, doseq=True).encode())

    await asyncio.gather(*(one(client, path) for client, path in zip(clients, paths, strict=True)))


async def _load(
    port: int, clients: list[Client], paths: list[str], *, seconds: float | None, expect: int
) -> dict[str, Any]:
    """Every client sends its forms (to its path) one after another: for ``seconds`` when given (the same body
    again and again), else until its forms are all sent. Returns the throughput, latencies and errors."""
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()

    async def one(client: Client, path: str) -> None:
        nonlocal errors
        position = 0
        while True:
            if seconds is not None:
                if time.perf_counter() - started >= seconds:
                    return
                body = client.forms[position % len(client.forms)]
            else:
                if position >= len(client.forms):
                    return
                body = client.forms[position]
            position += 1
            sent = time.perf_counter()
            try:
                status, _ = await _http(port, "POST", path, client.headers(post=True), body)
            except OSError:
                status = 0
            latencies.append(time.perf_counter() - sent)
            if status != expect:
                errors += 1

    await asyncio.gather(*(one(client, path) for client, path in zip(clients, paths, strict=True)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
        "errors": errors,
    }


def part_submit(args: argparse.Namespace, unit_ids: list[int]) -> dict[str, Any]:
    from django.db import connections

    from cchc.organisations.models import Unit
    from cchc.surveys.collection import PointData, collection_point_create
    from cchc.surveys.demo import COUNTER_SURVEY
    from cchc.surveys.inbox import inbox_process
    from cchc.surveys.models import Channel, PendingResponse, Questionnaire, Response, VersionState
    from cchc.surveys.selectors import ordered_questions

    questionnaire = Questionnaire.objects.get(code=COUNTER_SURVEY)
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    units = list(Unit.objects.filter(pk__in=unit_ids[1 : args.clients + 1]).order_by("pk"))
    points = [
        collection_point_create(
            actor=None, questionnaire=questionnaire, data=PointData(unit=u, channel=Channel.COUNTER)
        )
        for u in units
    ]
    questions = [q for q in ordered_questions(version) if q.condition_question_id is None]
    answers = answer_drawer(questions)

    connections.close_all()
    static = tempfile.mkdtemp(prefix="cchc-bench-static-")
    cache = _start_redis(Path(static)) if args.redis else None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "surveys_settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static,
        "SURVEY_THROTTLE_PER_ADDRESS": "1000000000",
        "SURVEY_THROTTLE_PER_DEVICE": "1000000000",
        "DEBUG": "false",
        "REDIS_URL": cache[1] if cache else "",
    }
    subprocess.run(
        [sys.executable, "-m", "cchc.manage", "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT
    )
    port = args.port or _free_port()
    server_log = open(Path(static) / "gunicorn.log", "w")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cchc.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            *(["--threads", str(args.threads)] if args.threads > 1 else []),
            "--timeout",
            "60",
        ],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=server_log,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)

        # Warm-up: each worker's first request imports the pages and compiles the templates (seconds).
        async def warm() -> None:
            for _ in range(3):
                await asyncio.gather(*(_http(port, "GET", f"/s/{p.token}/", {}) for p in points[: args.workers]))

        asyncio.run(warm())
        clients = [Client() for _ in points]
        paths = [f"/s/{point.token}/" for point in points]
        before = Response.objects.filter(questionnaire=questionnaire).count()
        prepared = time.perf_counter()
        asyncio.run(_prepare(port, clients, paths, args.forms, answers))
        print(f"forms opened: {sum(len(c.forms) for c in clients)}", flush=True)
        prepare_seconds = time.perf_counter() - prepared
        load_before = os.getloadavg()[0]
        cpu, database = _workers_cpu(server.pid), _database_cpu()
        noop = asyncio.run(_load(port, clients, ["/bench/noop/"] * len(clients), seconds=args.seconds, expect=200))
        noop["worker_cpu_ms"] = round(1000 * (_workers_cpu(server.pid) - cpu) / max(1, noop["requests"]), 3)
        noop["database_cpu_ms"] = round(1000 * _database_cpu_since(database) / max(1, noop["requests"]), 3)
        time.sleep(max(0.0, 5.5 - (time.perf_counter() - prepared - prepare_seconds)))  # the minimum fill time
        cpu, database = _workers_cpu(server.pid), _database_cpu()
        submit = asyncio.run(_load(port, clients, paths, seconds=None, expect=302))
        submit["worker_cpu_ms"] = round(1000 * (_workers_cpu(server.pid) - cpu) / max(1, submit["requests"]), 3)
        submit["database_cpu_ms"] = round(1000 * _database_cpu_since(database) / max(1, submit["requests"]), 3)
        load_after = os.getloadavg()[0]
        accepted = PendingResponse.objects.filter(questionnaire=questionnaire).count()
        # What the background job does after the run: the accepted responses stored as responses, answers, counts.
        processed = time.perf_counter()
        inbox_process()
        process_seconds = time.perf_counter() - processed
        stored = Response.objects.filter(questionnaire=questionnaire).count() - before
        connections.close_all()
    except BaseException:
        server_log.flush()
        print((Path(static) / "gunicorn.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=90)  # gunicorn's graceful stop, slow on a loaded machine
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        server_log.close()
        if cache is not None:
            cache[0].terminate()
            cache[0].wait(timeout=30)
    return {
        "prepare_seconds": round(prepare_seconds, 1),
        "noop": noop,
        "submit": submit,
        "accepted": accepted,
        "stored": stored,
        "process_seconds": round(process_seconds, 2),
        "load_average": (round(load_before, 2), round(load_after, 2)),
    }


def _start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A Redis server of the run's own (no persistence) on a free port, and its address for ``REDIS_URL``."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - the packaged server, our own arguments
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"redis://127.0.0.1:{port}/0"


# --- Part 2: results over a million responses -----------------------------------------------------------------------


def _generate(questionnaire_id: int, version_id: int, unit_ids: list[int], total: int) -> float:
    """``total`` responses and their answers written by the database itself; returns the seconds taken."""
    from django.db import connection, transaction

    from cchc.surveys.models import QuestionKind, QuestionnaireVersion

    version = QuestionnaireVersion.objects.get(pk=version_id)
    scored = list(version.questions.filter(kind=QuestionKind.SATISFACTION5).values_list("pk", flat=True))
    text = version.questions.filter(kind=QuestionKind.LONG_TEXT).values_list("pk", flat=True).first()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Generated rows are consistent by construction: skip the foreign-key triggers for them (bench only).
        cursor.execute("SET LOCAL session_replication_role = replica")
        # Answers go to the generated responses only (the questionnaire may already have some, e.g. the demo's).
        cursor.execute("SELECT coalesce(max(id), 0) FROM surveys_response")
        after = int(cursor.fetchone()[0])
        cursor.execute(
            "INSERT INTO surveys_response (questionnaire_id, version_id, unit_id, collection_point_id, channel, "
            "counter_label, dossier_code, respondent_group, started_at, submitted_at, fingerprint, idempotency_key) "
            "SELECT %(q)s, %(v)s, (%(units)s::bigint[])[1 + (i * 7919) %% %(n)s], NULL, "
            "CASE WHEN i %% 10 < 6 THEN 'counter' WHEN i %% 10 < 9 THEN 'online' ELSE 'adhoc' END, '', '', '', NULL, "
            "%(start)s::timestamptz + make_interval(secs => ((i * 104729) %% %(total)s) * 31536000.0 / %(total)s), "
            "'', '' FROM generate_series(1::bigint, %(total)s::bigint) AS i",
            {
                "q": questionnaire_id,
                "v": version_id,
                "units": unit_ids,
                "n": len(unit_ids),
                "total": total,
                "start": f"{YEAR}-01-01T00:00:00+07:00",
            },
        )
        # Satisfied with a probability between 0.80 and 0.99 depending on the unit, so some units miss the target.
        cursor.execute(
            "INSERT INTO surveys_answer (response_id, question_id, choice_value, choice_values, text_value) "
            "SELECT r.id, q.id, CASE WHEN random() < 0.80 + (r.unit_id %% 20) / 100.0 "
            "THEN (4 + (random() < 0.5)::int)::text ELSE (1 + floor(random() * 3))::int::text END, '[]'::jsonb, '' "
            "FROM surveys_response r CROSS JOIN unnest(%(scored)s::bigint[]) AS q(id) "
            "WHERE r.questionnaire_id = %(q)s AND r.id > %(after)s",
            {"q": questionnaire_id, "scored": scored, "after": after},
        )
        if text is not None:
            cursor.execute(
                "INSERT INTO surveys_answer (response_id, question_id, choice_value, choice_values, text_value) "
                "SELECT r.id, %(t)s, '', '[]'::jsonb, 'Thời gian chờ còn lâu, đề nghị bố trí thêm quầy.' "
                "FROM surveys_response r WHERE r.questionnaire_id = %(q)s AND r.id > %(after)s AND r.id %% 50 = 0",
                {"q": questionnaire_id, "t": text, "after": after},
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def part_results(args: argparse.Namespace, unit_ids: list[int]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as TestClient
    from django.urls import reverse

    from cchc.accounts.models import User
    from cchc.lib.periods import Period, PeriodKind
    from cchc.organisations.models import Unit
    from cchc.surveys.demo import SIPAS_SURVEY
    from cchc.surveys.models import AnswerCount, Questionnaire, Response, ResponseCount, VersionState
    from cchc.surveys.selectors import ResultsFilter, answer_counts, filtered_responses, results_with_breakdown

    questionnaire = Questionnaire.objects.get(code=SIPAS_SURVEY)
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    generate_seconds = rebuild_seconds = None
    if not args.reused:
        generate_seconds = _generate(questionnaire.pk, version.pk, unit_ids, args.responses)
        started = time.perf_counter()
        call_command("rebuild_survey_counts", stdout=open(os.devnull, "w"))  # noqa: SIM115
        rebuild_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_answercount")
        cursor.execute("ANALYZE surveys_responsecount")
        cursor.execute("SELECT count(*) FROM surveys_answer")
        answers = int(cursor.fetchone()[0])

    province = Unit.objects.get(pk=unit_ids[0])
    where = ResultsFilter(period=Period(YEAR, PeriodKind.YEAR), unit=province)
    responses = Response.objects.filter(questionnaire=questionnaire)

    def selector() -> None:
        report, rows = results_with_breakdown(questionnaire, responses, where, "unit")
        assert report is not None and report.responses == args.responses and rows

    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        username="bench-admin", password=secrets.token_urlsafe(16)
    )
    browser = TestClient()
    browser.force_login(admin)
    url = reverse("surveys:results", args=[questionnaire.pk]) + f"?period={YEAR}&unit={province.pk}&by=unit"

    def page() -> None:
        reply = browser.get(url)
        assert reply.status_code == 200, reply.status_code

    def count_answers() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM surveys_answer")
            cursor.fetchone()

    def raw_aggregation() -> None:
        answer_counts(filtered_responses(responses, where))

    return {
        "responses": args.responses,
        "answers": answers,
        "answer_count_rows": AnswerCount.objects.count(),
        "response_count_rows": ResponseCount.objects.count(),
        "generate_seconds": None if generate_seconds is None else round(generate_seconds, 1),
        "rebuild_seconds": None if rebuild_seconds is None else round(rebuild_seconds, 1),
        "page_seconds": _median_seconds(page),
        "selector_seconds": _median_seconds(selector),
        "count_seconds": _median_seconds(count_answers),
        "raw_aggregation_seconds": _median_seconds(raw_aggregation, rounds=1),
    }


def _previous_responses() -> int | None:
    """The number of SIPAS responses a previous run left in the benchmark database; ``None`` without one."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "bench" not in str(config["NAME"]):
        return None
    try:
        with psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname=str(config["NAME"]),
        ) as connection:
            row = connection.execute(
                "SELECT count(*) FROM surveys_response r JOIN surveys_questionnaire q ON q.id = r.questionnaire_id "
                "WHERE q.code = %s AND EXISTS (SELECT 1 FROM surveys_responsecount)",
                ["sipas-2640"],  # demo.SIPAS_SURVEY (Django is not set up yet)
            ).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else None


def _keep_database() -> Callable[[], None]:
    os.environ.setdefault("CCHC_VAR_DIR", tempfile.mkdtemp(prefix="cchc-bench-"))
    return lambda: None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread workers when above 1)")
    parser.add_argument("--port", type=int, default=0, help="the server's port on loopback (default: a free one)")
    parser.add_argument("--redis", action="store_true", help="the throttling counters in a Redis server (REDIS_URL)")
    parser.add_argument("--forms", type=int, default=30, help="forms each client sends")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of the no-op reference")
    parser.add_argument("--skip-load", action="store_true", help="only the results part")
    parser.add_argument(
        "--reuse", action="store_true", help="with --skip-load: measure over the responses a previous run left"
    )
    parser.add_argument("--skip-results", action="store_true", help="only the submit part")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…/cchc_survey_bench.")
    if args.reuse and not args.skip_load:
        raise SystemExit("--reuse measures only the results: give --skip-load too.")
    args.reused = args.reuse and _previous_responses() == args.responses
    cleanup = _keep_database() if args.reused else _prepare_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from cchc.surveys.templates_catalogue import ensure_templates

        call_command("migrate", verbosity=0)
        if args.reused:
            from cchc.organisations.models import Unit

            unit_ids = list(Unit.objects.order_by("path").values_list("pk", flat=True))
            print(f"reusing the {args.responses:,} responses of the previous run")
        else:
            unit_ids = _build_tree()
            ensure_templates()
        figures: dict[str, Any] = {
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
            "cache": "redis" if args.redis else "locmem",
        }
        if not args.skip_load:
            load = part_submit(args, unit_ids)
            noop, submit = load["noop"], load["submit"]
            cache = "Redis" if args.redis else "per-process memory"
            server = f"{args.workers} workers × {args.threads} threads, {cache} cache"
            print(f"no-op view, {args.clients} clients, {server}: {noop}")
            print(
                f"submit: {submit} ({load['accepted']} accepted into the inbox, then {load['stored']} stored as "
                f"responses by the inbox job in {load['process_seconds']} s; "
                f"forms opened in {load['prepare_seconds']} s)"
            )
            noop_ratio = submit["per_second"] / noop["per_second"]
            print(f"throughput ratio submit/no-op: {noop_ratio:.2f} (target >= 0.6); p99 {submit['p99_ms']} ms")
            print(
                f"CPU of the server's workers per request: no-op {noop['worker_cpu_ms']} ms, submit "
                f"{submit['worker_cpu_ms']} ms (no-op/submit "
                f"{noop['worker_cpu_ms'] / max(submit['worker_cpu_ms'], 1e-9):.3f})"
            )
            print(
                f"CPU of the PostgreSQL backends per request: no-op {noop['database_cpu_ms']} ms, submit "
                f"{submit['database_cpu_ms']} ms"
            )
            print(f"load average (1 min) before the no-op and after the submits: {load['load_average']}")
            figures |= {
                "responses_per_second": submit["per_second"],
                "noop_per_second": noop["per_second"],
                "noop_ratio": round(noop_ratio, 3),
                "p50_ms": submit["p50_ms"],
                "p99_ms": submit["p99_ms"],
                "noop_p50_ms": noop["p50_ms"],
                "noop_p99_ms": noop["p99_ms"],
                "p50_ratio": round(submit["p50_ms"] / noop["p50_ms"], 2) if noop["p50_ms"] else None,
                "p99_ratio": round(submit["p99_ms"] / noop["p99_ms"], 2) if noop["p99_ms"] else None,
                "noop_worker_cpu_ms": noop["worker_cpu_ms"],
                "submit_worker_cpu_ms": submit["worker_cpu_ms"],
                "cpu_ratio": round(noop["worker_cpu_ms"] / submit["worker_cpu_ms"], 3)
                if submit["worker_cpu_ms"]
                else None,
                "noop_database_cpu_ms": noop["database_cpu_ms"],
                "submit_database_cpu_ms": submit["database_cpu_ms"],
                "server_cpu_ratio": round(
                    (noop["worker_cpu_ms"] + noop["database_cpu_ms"])
                    / (submit["worker_cpu_ms"] + submit["database_cpu_ms"]),
                    3,
                )
                if submit["worker_cpu_ms"] + submit["database_cpu_ms"]
                else None,
                "errors": submit["errors"],
                "noop_errors": noop["errors"],
                "submits": submit["requests"],
                "accepted": load["accepted"],
                "stored": load["stored"],
                "process_seconds": load["process_seconds"],
                "load_average_1min": load["load_average"],
            }
        else:
            figures |= dict.fromkeys(("responses_per_second", "noop_ratio", "p50_ms", "p99_ms"))
        if args.skip_results:
            print(json.dumps(figures))
            return
        results = part_results(args, unit_ids)
        print(
            f"{results['responses']:,} responses, {results['answers']:,} answers written in "
            f"{results['generate_seconds']} s; counts rebuilt in {results['rebuild_seconds']} s "
            f"({results['answer_count_rows']:,} answer-count rows, "
            f"{results['response_count_rows']:,} response-count rows)"
        )
        ratio = results["page_seconds"] / results["raw_aggregation_seconds"]
        print(
            f"results page {results['page_seconds']:.3f} s, selector {results['selector_seconds']:.3f} s; "
            f"SELECT count(*) of the answers {results['count_seconds']:.3f} s; "
            f"aggregating the answers themselves {results['raw_aggregation_seconds']:.3f} s (page/that {ratio:.3f})"
        )
        figures |= {
            "results_seconds": round(results["page_seconds"], 3),
            "selector_seconds": round(results["selector_seconds"], 3),
            "count_seconds": round(results["count_seconds"], 3),
            "raw_aggregation_seconds": round(results["raw_aggregation_seconds"], 3),
            "results_to_raw_ratio": round(ratio, 4),
            "results_to_count_ratio": round(results["page_seconds"] / results["count_seconds"], 3),
            "responses": results["responses"],
            "answers": results["answers"],
            "answer_count_rows": results["answer_count_rows"],
            "response_count_rows": results["response_count_rows"],
            "generate_seconds": results["generate_seconds"],
            "rebuild_seconds": results["rebuild_seconds"],
        }
        print(json.dumps(figures))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
