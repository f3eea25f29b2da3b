"""The production-like stack under load: the busiest pages and API calls at 10 and 50 concurrent users.

Run from the repository root (PostgreSQL only)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_load_bench .venv/bin/python bench/load.py
    DATABASE_URL=... .venv/bin/python bench/load.py --seconds 5 --users 10 --scenarios login_page,tracker
    DATABASE_URL=... .venv/bin/python bench/load.py --reuse --redis   # same database, sessions in Redis

The stack, all on loopback: the database named in ``DATABASE_URL`` is dropped and created again (its name must
contain "bench"), migrated and filled by ``cchc demo``; gunicorn serves ``cchc.settings_production`` with
``--workers 4 --timeout 60`` as ``docs/deployment.md`` says, with the environment of a deployment (a random
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_CONN_MAX_AGE=60``, static files collected) except
``SECURE_SSL_REDIRECT=false`` (no TLS proxy in front). Every client comes from 127.0.0.1, so the public survey form's
per-address and per-device limits are raised by their settings and its minimum fill time set to 0 for the run.
``--redis`` adds ``REDIS_URL`` (the local Redis, a database number of its own, emptied first).

Scenarios (each virtual user signs in once before the clock starts, then repeats its request for ``--seconds``):

- ``login_page``: the login page, anonymous: the reference every other scenario's throughput is divided by;
- ``secretariat_home``: the home page of the province's secretariat (``thuongtruc``);
- ``leader_home``: the home page of the province's leader (``lanhdao``), with its dashboard;
- ``tracker``: the task tracker, every task (``?status=all``), as the secretariat;
- ``ranking``: last year's published PAR INDEX ranking, as the secretariat;
- ``focal_sheet``: the focal point (``daumoi``) alternately opens their tasks and their self-assessment sheet;
- ``api_list``: ``GET /api/directives/`` with the secretariat's API token;
- ``api_score_writes``: each user writes the note of a score of its own on the focal point's open sheet through
  ``PUT /api/assessments/scores/{id}/self`` with the version it last read; the audit entries written are counted;
- ``survey_submit``: a phone opens the public counter survey form and sends it (only the sending is timed).

Then ``--logins`` people sign in at the same moment (the login page opened first), three times: p50/p99/max.

Printed per scenario and number of users: requests per second, p50/p95/p99 latency, errors (any other status than
the expected one, or a dropped connection), server CPU per request (user and system time of the gunicorn master and
workers from ``/proc``, over the requests answered) and the ratio of the throughput to the login page's at the same
number of users in the same run; the load average before and after, and the session rows in the database. The
last line is one JSON object: ``scenarios`` (``name@users`` → ``rps``, ``p50_ms``, ``p95_ms``, ``p99_ms``,
``errors``, ``cpu_ms``, ``ratio``), ``worst_p99_ms``, ``logins`` and the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
os.environ.setdefault("DEBUG", "false")

from units import _prepare_database  # noqa: E402  (the same database preparation as every benchmark)

from cchc.maintenance.stack import (  # noqa: E402  (the same environment and helpers as ``cchc stack``)
    free_port,
    process_tree_cpu_seconds,
    production_environment,
    wait_for_port,
)

SCENARIOS = (
    "login_page",
    "secretariat_home",
    "leader_home",
    "tracker",
    "ranking",
    "focal_sheet",
    "api_list",
    "api_score_writes",
    "survey_submit",
)
SECRETARIAT = "thuongtruc"
LEADER = "lanhdao"
FOCAL_POINT = "daumoi"
REDIS_DB = 7


# --- HTTP on loopback -------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers:
            if name == "set-cookie":
                key, _, rest = value.split(";", 1)[0].partition("=")
                found[key.strip()] = rest
        return found


async def http(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Reply:
    """One request on its own connection (gunicorn's sync workers close each one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split(" ", 2)[1]) if head_lines[0].startswith("HTTP/") else 0
    parsed = []
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        parsed.append((name.strip().lower(), value.strip()))
    return Reply(status, parsed, content)


@dataclass
class User:
    """One virtual user: its cookies, and whatever its scenario keeps between requests."""

    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def get(self, port: int, path: str) -> Reply:
        reply = await http(port, "GET", path, self.headers())
        self.cookies.update(reply.cookies())
        return reply

    async def post_form(self, port: int, path: str, fields: dict[str, Any]) -> Reply:
        body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}, doseq=True).encode()
        headers = self.headers({"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"})
        reply = await http(port, "POST", path, headers, body)
        self.cookies.update(reply.cookies())
        return reply


def _csrf(reply: Reply) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', reply.body)
    if match is None:
        raise SystemExit("the page has no CSRF token")
    return match.group(1).decode()


async def sign_in(user: User, port: int, username: str, password: str) -> float:
    """Open the login page and sign in; returns the seconds the sign-in itself took."""
    page = await user.get(port, "/accounts/login/")
    token = _csrf(page)
    started = time.perf_counter()
    reply = await user.post_form(
        port, "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    elapsed = time.perf_counter() - started
    if reply.status != 302:
        raise SystemExit(f"signing in as {username} answered {reply.status}")
    return elapsed


# --- the data the scenarios use ----------------------------------------------------------------------------------


def discover(password: str) -> dict[str, Any]:
    """Ids, tokens and survey answers from the demo, read and made in this process (not timed)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from cchc.accounts.models import User as Account
    from cchc.accounts.services import api_token_create
    from cchc.assessments.models import Assessment, Round, Stage
    from cchc.organisations.models import Unit
    from cchc.surveys.collection import PointData, collection_point_create
    from cchc.surveys.demo import COUNTER_SURVEY
    from cchc.surveys.models import Channel, Questionnaire, VersionState
    from cchc.surveys.selectors import ordered_questions

    call_command("axes_reset", verbosity=0)  # failed sign-ins of an earlier run must not lock the accounts
    secretariat = Account.objects.get(username=SECRETARIAT)
    focal = Account.objects.get(username=FOCAL_POINT)
    published = Round.objects.filter(stage=Stage.PUBLISHED).order_by("-year").first()
    sheet = Assessment.objects.filter(unit__code="PT-STP", round__stage=Stage.SELF_ASSESSMENT).order_by("-pk").first()
    if published is None or sheet is None:
        raise SystemExit("the demo has no published round or no open sheet for PT-STP")
    scores = list(sheet.scores.filter(criterion__children__isnull=True).order_by("pk").values_list("pk", "version"))
    _token, secretariat_key = api_token_create(actor=None, user=secretariat, name="bench")
    _token, focal_key = api_token_create(actor=None, user=focal, name="bench")
    questionnaire = Questionnaire.objects.get(code=COUNTER_SURVEY)
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    point = collection_point_create(
        actor=None,
        questionnaire=questionnaire,
        data=PointData(unit=Unit.objects.get(code="PT-STP"), channel=Channel.COUNTER),
    )
    answers: dict[str, list[str]] = {}
    rng = random.Random(14)
    for question in ordered_questions(version):
        if question.condition_question_id is not None:
            continue
        values = [choice.value for choice in question.choices.all()]
        if values:
            answers[f"q{question.pk}"] = [rng.choice(values[-2:])]
        elif question.required:
            answers[f"q{question.pk}"] = ["1"]
    connections.close_all()
    return {
        "password": password,
        "ranking": f"/assessments/results/{published.pk}/",
        "sheet": f"/assessments/{sheet.pk}/",
        "scores": scores,
        "secretariat_token": secretariat_key,
        "focal_token": focal_key,
        "survey": f"/s/{point.token}/",
        "answers": answers,
    }


def audit_entries_of_scores() -> int:
    from django.db import connections

    from cchc.audit.models import AuditEntry

    count = AuditEntry.objects.filter(object_type__icontains="score").count()
    connections.close_all()
    return count


def session_rows() -> tuple[int, int]:
    from django.contrib.sessions.models import Session
    from django.db import connections
    from django.utils import timezone

    rows = Session.objects.count(), Session.objects.filter(expire_date__gt=timezone.now()).count()
    connections.close_all()
    return rows


# --- the server --------------------------------------------------------------------------------------------------


class Server:
    """gunicorn as ``docs/deployment.md`` runs it, in the environment ``cchc stack`` gives its application servers
    (:mod:`cchc.maintenance.stack`), without nginx: the figures are the application's."""

    def __init__(self, args: argparse.Namespace, app_root: Path) -> None:
        self.static = tempfile.mkdtemp(prefix="cchc-load-static-")
        self.port = free_port()
        redis_url = f"redis://127.0.0.1:6379/{args.redis_db}" if args.redis else ""
        self.env = production_environment(
            database_url=os.environ["DATABASE_URL"],
            var_dir=Path(self.static),
            redis_url=redis_url,
            extra={
                "PYTHONPATH": str(app_root),
                "ALLOWED_HOSTS": "127.0.0.1",
                "CCHC_VAR_DIR": os.environ.get("CCHC_VAR_DIR", self.static),
                "STATIC_ROOT": self.static,
                "SURVEY_THROTTLE_PER_ADDRESS": "1000000000",
                "SURVEY_THROTTLE_PER_DEVICE": "1000000000",
                "SURVEY_MIN_FILL_SECONDS": "0",
            },
        )
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        self.app_root = app_root
        self.workers = args.workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "cchc.manage", "collectstatic", "--noinput", "-v0"],
            env=self.env,
            check=True,
            cwd=self.app_root,
        )
        self.log = open(Path(self.static) / "gunicorn.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                *(sys.executable, "-m", "gunicorn", "cchc.wsgi", "--bind", f"127.0.0.1:{self.port}"),
                *("--workers", str(self.workers), "--timeout", "60"),
            ],
            env=self.env,
            cwd=self.app_root,
            stdout=self.log,
            stderr=self.log,
        )
        if not wait_for_port(self.port, timeout=60, process=self.process):
            raise SystemExit("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """User and system time of the master and its workers so far."""
        assert self.process is not None
        return process_tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.log.close()
        shutil.rmtree(self.static, ignore_errors=True)

    def tail(self) -> str:
        return (Path(self.static) / "gunicorn.log").read_text(errors="replace")[-3000:]


# --- scenarios ---------------------------------------------------------------------------------------------------

Step = Callable[[User, int], Any]  # returns a coroutine yielding (status, expected status)


def scenario(name: str, data: dict[str, Any]) -> tuple[str | None, Callable[[User, int, int], Any]]:
    """The account a user of the scenario signs in as (None: anonymous or token) and its request."""

    async def page(path: str, user: User, port: int) -> tuple[int, int]:
        return (await user.get(port, path)).status, 200

    if name == "login_page":
        return None, lambda user, port, i: page("/accounts/login/", user, port)
    if name == "secretariat_home":
        return SECRETARIAT, lambda user, port, i: page("/", user, port)
    if name == "leader_home":
        return LEADER, lambda user, port, i: page("/", user, port)
    if name == "tracker":
        return SECRETARIAT, lambda user, port, i: page("/directives/tracker/?status=all", user, port)
    if name == "ranking":
        return SECRETARIAT, lambda user, port, i: page(data["ranking"], user, port)
    if name == "focal_sheet":
        return FOCAL_POINT, lambda user, port, i: page("/directives/mine/" if i % 2 else data["sheet"], user, port)
    if name == "api_list":

        async def listing(user: User, port: int, i: int) -> tuple[int, int]:
            user.token = data["secretariat_token"]
            return (await user.get(port, "/api/directives/")).status, 200

        return None, listing
    if name == "api_score_writes":

        async def write(user: User, port: int, i: int) -> tuple[int, int]:
            user.token = data["focal_token"]
            score_id, version = user.state["score"]
            body = json.dumps({"note": f"Thuyết minh lần {i}", "version": version}).encode()
            headers = user.headers({"Content-Type": "application/json"})
            reply = await http(port, "PUT", f"/api/assessments/scores/{score_id}/self", headers, body)
            if reply.status == 200:
                user.state["score"] = (score_id, json.loads(reply.body)["version"])
            return reply.status, 200

        return None, write
    if name == "survey_submit":

        async def submit(user: User, port: int, i: int) -> tuple[int, int]:
            form = await user.get(port, data["survey"])
            token = re.search(rb'name="form_token" value="([^"]+)"', form.body)
            if form.status != 200 or token is None:
                return form.status, 200
            user.state["started"] = time.perf_counter()  # only the sending is timed
            fields = {"csrfmiddlewaretoken": _csrf(form), "form_token": token.group(1).decode(), **data["answers"]}
            return (await user.post_form(port, data["survey"], fields)).status, 302

        return None, submit
    raise SystemExit(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


async def run_scenario(name: str, users: int, seconds: float, server: Server, data: dict[str, Any]) -> dict[str, Any]:
    account, step = scenario(name, data)
    people = [User() for _ in range(users)]
    if account is not None:
        await asyncio.gather(*(sign_in(person, server.port, account, data["password"]) for person in people))
    if name == "api_score_writes":
        if users > len(data["scores"]):
            raise SystemExit(f"only {len(data['scores'])} scores to write")
        for person, score in zip(people, data["scores"], strict=False):
            person.state["score"] = tuple(score)
    for person in people:  # one untimed request each: the first hit of a page in a worker compiles its templates
        await step(person, server.port, 0)
    latencies: list[float] = []
    errors = 0
    error_statuses: dict[int, int] = {}
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()

    async def loop(person: User) -> None:
        nonlocal errors
        i = 1
        while time.perf_counter() - started < seconds:
            sent = time.perf_counter()
            person.state.pop("started", None)
            try:
                status, expected = await step(person, server.port, i)
            except OSError:
                status, expected = 0, 200
            latencies.append(time.perf_counter() - person.state.get("started", sent))
            if status != expected:
                errors += 1
                error_statuses[status] = error_statuses.get(status, 0) + 1
            i += 1

    await asyncio.gather(*(loop(person) for person in people))
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    if name == "api_score_writes":  # the next run starts from the versions this one left
        for position, person in enumerate(people):
            data["scores"][position] = person.state["score"]
    ordered = sorted(latencies)
    count = len(ordered)
    if name == "survey_submit":
        cpu /= 2  # each submission is a GET and a POST: the figure is per request
    return {
        "users": users,
        "requests": count,
        "rps": round(count / elapsed, 1),
        "p50_ms": round(1000 * percentile(ordered, 0.50), 1),
        "p95_ms": round(1000 * percentile(ordered, 0.95), 1),
        "p99_ms": round(1000 * percentile(ordered, 0.99), 1),
        "errors": errors,
        "cpu_ms": round(1000 * cpu / max(count, 1), 2),
        "error_statuses": error_statuses,
    }


async def simultaneous_logins(server: Server, count: int, password: str) -> dict[str, Any]:
    # One sign-in first: a hash made with other Argon2 parameters is rewritten on it, so the timed ones all check
    # a hash of the parameters the server runs with.
    await sign_in(User(), server.port, SECRETARIAT, password)
    timings: list[float] = []
    for _round in range(3):
        people = [User() for _ in range(count)]
        pages = await asyncio.gather(*(person.get(server.port, "/accounts/login/") for person in people))
        tokens = [_csrf(reply) for reply in pages]

        async def one(person: User, token: str) -> None:
            started = time.perf_counter()
            reply = await person.post_form(
                server.port,
                "/accounts/login/",
                {"csrfmiddlewaretoken": token, "username": SECRETARIAT, "password": password},
            )
            timings.append(time.perf_counter() - started if reply.status == 302 else float("inf"))

        await asyncio.gather(*(one(person, token) for person, token in zip(people, tokens, strict=True)))
    ordered = sorted(timings)
    return {
        "count": count,
        "p50_ms": round(1000 * percentile(ordered, 0.5), 1),
        "p99_ms": round(1000 * percentile(ordered, 0.99), 1),
        "max_ms": round(1000 * ordered[-1], 1),
        "failed": sum(1 for t in ordered if t == float("inf")),
    }


# --- main --------------------------------------------------------------------------------------------------------


def load_demo(app_root: Path, password: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(app_root), "DJANGO_SETTINGS_MODULE": "cchc.settings"}
    for command in (["migrate", "-v0"], ["demo", "--password", password]):
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "cchc.manage", *command],
            env=env,
            cwd=app_root,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each scenario at each user count")
    parser.add_argument("--users", default="10,50", help="concurrent users, comma-separated")
    known = ", ".join(SCENARIOS)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, from: {known}")
    parser.add_argument("--logins", type=int, default=50, help="simultaneous sign-ins (0: skip)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", action="store_true", help="REDIS_URL set: cache and sessions in the local Redis")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the Redis database number (emptied first)")
    parser.add_argument("--reuse", action="store_true", help="keep the database a previous run loaded")
    parser.add_argument("--app-root", default=str(ROOT), help="the checkout whose code gunicorn serves")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench/load.py measures the production stack: set DATABASE_URL to a PostgreSQL database")
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    counts = [int(value) for value in args.users.split(",") if value.strip()]
    for name in names:
        scenario(name, {})  # an unknown name stops here, before anything is loaded
    app_root = Path(args.app_root).resolve()
    password = os.environ.get("CCHC_DEMO_PASSWORD") or "cchc-demo-2025"  # cchc.demo.data.DEFAULT_PASSWORD

    if args.reuse:
        os.environ.setdefault("CCHC_VAR_DIR", tempfile.mkdtemp(prefix="cchc-bench-"))
    else:
        _prepare_database()
        started = time.perf_counter()
        load_demo(app_root, password)
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", flush=True)
    data = discover(password)
    sessions_before = session_rows()
    audits_before = audit_entries_of_scores()
    server = Server(args, app_root)
    results: dict[str, dict[str, Any]] = {}
    load_before = os.getloadavg()[0]
    try:
        server.start()
        # One sign-in per account first, alone: a hash made with other Argon2 parameters is rewritten then, which
        # ends the account's other sessions; done by many users at once, it would sign earlier ones out.
        for account in (SECRETARIAT, LEADER, FOCAL_POINT):
            asyncio.run(sign_in(User(), server.port, account, password))
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{server.port}, redis={'yes' if args.redis else 'no'}")
        header = f"{'scenario':<18}{'users':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        print(header + f"{'errors':>8}{'CPU ms':>8}{'ratio':>7}", flush=True)
        for users in counts:
            for name in names:
                result = asyncio.run(run_scenario(name, users, args.seconds, server, data))
                results[f"{name}@{users}"] = result
                reference = results.get(f"login_page@{users}")
                result["ratio"] = round(result["rps"] / reference["rps"], 3) if reference else None
                ratio = f"{result['ratio']:.3f}" if result["ratio"] is not None else "-"
                print(
                    f"{name:<18}{users:>6}{result['rps']:>9}{result['p50_ms']:>9}{result['p95_ms']:>9}"
                    f"{result['p99_ms']:>9}{result['errors']:>8}{result['cpu_ms']:>8}{ratio:>7}",
                    flush=True,
                )
        logins = asyncio.run(simultaneous_logins(server, args.logins, password)) if args.logins else None
        if logins:
            print(
                f"{logins['count']} simultaneous sign-ins (3 times): p50 {logins['p50_ms']} ms, "
                f"p99 {logins['p99_ms']} ms, max {logins['max_ms']} ms, failed {logins['failed']}",
                flush=True,
            )
    except BaseException:
        print(server.tail(), file=sys.stderr)
        raise
    finally:
        server.stop()
    load_after = os.getloadavg()[0]
    sessions_after = session_rows()
    writes = sum(r["requests"] - r["errors"] for key, r in results.items() if key.startswith("api_score_writes@"))
    # The warm-up write of each user is accepted too.
    warmups = sum(r["users"] for key, r in results.items() if key.startswith("api_score_writes@"))
    audited = audit_entries_of_scores() - audits_before
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after")
    print(
        f"session rows: {sessions_before[0]} before, {sessions_after[0]} after ({sessions_after[1]} not expired)",
        flush=True,
    )
    if writes:
        print(f"score writes accepted: {writes + warmups}, audit entries written: {audited}")
    worst = max((r["p99_ms"] for r in results.values()), default=0.0)
    print(
        json.dumps(
            {
                "scenarios": results,
                "worst_p99_ms": worst,
                "logins": logins,
                "sessions": {"before": sessions_before[0], "after": sessions_after[0]},
                "score_writes": {"accepted": writes + warmups, "audited": audited},
                "load_average": [round(load_before, 2), round(load_after, 2)],
                "workers": args.workers,
                "redis": args.redis,
                "seconds": args.seconds,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
