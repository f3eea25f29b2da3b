"""CPU per request of a public survey submission and of the no-op view, in one process, through the whole stack.

What ``surveys.py`` compares under load, measured without the load: the same settings (``surveys_settings``: the
production settings plus ``/bench/noop/``), the same environment a deployment gives the server, Django's
:class:`~django.core.handlers.wsgi.WSGIHandler` called directly (as gunicorn's worker calls it, the response read and
closed), the same requests: forms of the shipped counter exit survey opened by GET (the CSRF and device cookies, the
signed form token), then the same bodies POSTed to their links (a response answered with the redirect to the
thank-you page, not followed) and to ``/bench/noop/``. The two alternate in blocks of ``--block`` requests and each
block's CPU time (``time.process_time``: this process only, not PostgreSQL's) is summed per kind.

Needs the database a run of ``surveys.py`` left (its collection points and published survey)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_svcpu_bench .venv/bin/python bench/surveys_cpu.py --forms 2000
    ... bench/surveys_cpu.py --forms 500 --profile submit     # cProfile of the submissions, top functions printed
    valgrind --tool=callgrind --toggle-collect=functools_reduce .venv/bin/python bench/surveys_cpu.py --forms 200 \
        --only submit       # instructions of the requests alone (the loop runs inside functools.reduce)

Under valgrind set ``SURVEY_INBOX_DELAY_SECONDS=3600`` as well: a submission queues the inbox job at most once per
that many seconds per process, and valgrind's slowness would otherwise make the number of jobs queued in a run (an
ORM insert each) depend on how fast the run went.

Each form is sent once (a second copy would be answered as already accepted: another path). The minimum fill time
(``SURVEY_MIN_FILL_SECONDS``) is waited for after the forms are opened, as a respondent would.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
from survey_forms import answer_drawer  # noqa: E402  (the answers surveys.py sends)

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "surveys_settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SURVEY_THROTTLE_PER_ADDRESS": "1000000000",
        "SURVEY_THROTTLE_PER_DEVICE": "1000000000",
        "DEBUG": "false",
    }
)


def _environ(method: str, path: str, cookies: dict[str, str], body: bytes = b"") -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_CONNECTION": "close",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if method == "POST":
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    return environ


def _call(handler, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: list = []

    def start_response(status: str, headers: list, exc_info=None) -> None:
        answer[:] = [status, headers]

    result = handler(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # request_finished: Django closes or keeps the connection, as under gunicorn
    return answer[0], answer[1], body


def _sender(handler: Any) -> Callable[[set[str], dict], set[str]]:
    def send(seen: set[str], environ: dict) -> set[str]:
        seen.add(_call(handler, environ)[0][:3])
        return seen

    return send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=1000, help="forms opened and sent (each once)")
    parser.add_argument("--block", type=int, default=50, help="requests per block; no-op and submit alternate")
    parser.add_argument("--profile", choices=["submit", "noop"], help="cProfile that kind and print the top")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", choices=["submit", "noop"], help="send only that kind (for callgrind)")
    args = parser.parse_args()

    import django

    # The pages name their CSS through the production settings' manifest, as surveys.py's server finds it: collected
    # once into a directory of this run unless STATIC_ROOT names one already collected.
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="cchc-bench-static-"))
    django.setup()
    from django.core.management import call_command

    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    from cchc.surveys.demo import COUNTER_SURVEY
    from cchc.surveys.models import CollectionPoint, VersionState
    from cchc.surveys.selectors import ordered_questions

    points = list(CollectionPoint.objects.filter(questionnaire__code=COUNTER_SURVEY).order_by("pk")[:50])
    if not points:
        raise SystemExit("no collection point of the counter survey: run surveys.py on this database first")
    version = points[0].questionnaire.versions.get(state=VersionState.PUBLISHED)
    questions = [q for q in ordered_questions(version) if q.condition_question_id is None]
    answers = answer_drawer(questions)

    connections.close_all()
    handler = WSGIHandler()
    sent: list[tuple[str, dict[str, str], bytes]] = []
    cookies_of: dict[int, dict[str, str]] = {}
    for n in range(args.forms):
        point = points[n % len(points)]
        cookies = cookies_of.setdefault(point.pk, {})
        path = f"/s/{point.token}/"
        status, headers, body = _call(handler, _environ("GET", path, cookies))
        if not status.startswith("200"):
            raise SystemExit(f"GET {path}: {status}")
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        html = body.decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        token = re.search(r'name="form_token" value="([^"]+)"', html)
        assert csrf and token
        fields = {"csrfmiddlewaretoken": csrf.group(1), "form_token": token.group(1), **answers()}
        sent.append((path, cookies, urlencode(fields, doseq=True).encode()))
    from django.conf import settings

    time.sleep(settings.SURVEY_MIN_FILL_SECONDS + 0.5)

    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time, not waits
    spent = {"noop": 0.0, "submit": 0.0}
    system = {"noop": 0.0, "submit": 0.0}  # the kernel's part of it (sockets, the round trips to the database)
    count = {"noop": 0, "submit": 0}
    statuses: dict[str, set[str]] = {"noop": set(), "submit": set()}
    for start in range(0, len(sent), args.block):
        block = sent[start : start + args.block]
        for kind in ("noop", "submit") if args.only is None else (args.only,):
            environs = [
                _environ("POST", "/bench/noop/" if kind == "noop" else path, dict(cookies), body)
                for path, cookies, body in block
            ]
            if profiler is not None and args.profile == kind:
                profiler.enable()
            began, began_system = time.process_time(), os.times().system
            # Through functools.reduce so that valgrind counts only the requests: --toggle-collect=functools_reduce
            functools.reduce(_sender(handler), environs, statuses[kind])
            spent[kind] += time.process_time() - began
            system[kind] += os.times().system - began_system
            if profiler is not None and args.profile == kind:
                profiler.disable()
            count[kind] += len(block)
    load = os.getloadavg()[0]
    noop_ms = 1000 * spent["noop"] / max(1, count["noop"])
    submit_ms = 1000 * spent["submit"] / max(1, count["submit"])
    print(f"statuses: no-op {sorted(statuses['noop'])}, submit {sorted(statuses['submit'])}")
    for kind in ("noop", "submit"):
        if count[kind]:
            print(
                f"{kind}: {1000 * spent[kind] / count[kind]:.3f} ms of CPU per request, of which system "
                f"{1000 * system[kind] / count[kind]:.3f} ms"
            )
    print(
        f"CPU per request (this process): no-op {noop_ms:.3f} ms, submit {submit_ms:.3f} ms, "
        f"no-op/submit {noop_ms / max(submit_ms, 1e-9):.3f} ({max(count.values())} of each, load average {load:.2f})"
    )
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])


if __name__ == "__main__":
    main()
