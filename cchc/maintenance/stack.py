"""The production-like stack on one machine, every part a child process on loopback.

nginx (Debian's package) balances two gunicorn application servers running ``cchc.settings_production``; two
``cchc db_worker`` processes take the background jobs; ``cchc run_schedule --loop`` starts the daily jobs. PostgreSQL
and Redis are the machine's own servers, named by ``DATABASE_URL`` and ``REDIS_URL``. ``cchc stack`` runs it for a
person, the fault tests (``cchc/maintenance/tests/test_stack_faults.py``) and ``bench/load.py`` start the same parts
from here, so what is measured and tested is what the documentation tells a province to run.

Each part runs in its own process group, so that killing one (``kill -9`` of an application server and its gunicorn
workers) is the fault of one machine, and Ctrl-C in the terminal reaches only the runner, which then stops the parts
in order. Logs go to ``<var>/logs/<part>.log``; nginx's configuration, pid file and temporary files to ``<var>/nginx``.

This module imports no Django model: it runs before and beside the application, in the runner's process.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

NGINX = "nginx"
NGINX_PACKAGE = "nginx"
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# nginx's passive health check: after one failed attempt a server is left out for this long, then tried again.
UPSTREAM_MAX_FAILS = 1
UPSTREAM_FAIL_TIMEOUT_SECONDS = 5


class StackError(Exception):
    """A part did not start or did not become healthy; the message says which and where its log is."""


def nginx_binary() -> str | None:
    """The nginx executable, or None when the Debian package is not installed."""
    return shutil.which(NGINX) or next((p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port`` within ``timeout`` seconds (False as soon as
    ``process`` has exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def health_of(port: int, *, timeout: float = 3) -> dict[str, str] | None:
    """The answer of ``/healthz`` on 127.0.0.1:``port`` (None when it does not answer 200)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as reply:
            return dict(json.loads(reply.read()))
    except (OSError, ValueError, urllib.error.HTTPError):
        return None


def production_environment(
    *,
    database_url: str,
    var_dir: Path,
    redis_url: str = "",
    base: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a deployment (``docs/deployment.md``) on loopback: production settings, a random
    ``SECRET_KEY``, kept database connections, static files collected under ``var_dir``, and no HTTPS redirect
    (nothing terminates TLS on loopback)."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cchc.settings_production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "CCHC_VAR_DIR": str(var_dir),
            "STATIC_ROOT": str(var_dir / "static"),
            "DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    env.update(extra or {})
    return env


def process_tree_cpu_seconds(pid: int) -> float:
    """User and system time so far of the process ``pid`` and its children (a gunicorn master and its workers)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    total = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def nginx_config(*, var_dir: Path, port: int, app_ports: Sequence[int]) -> str:
    """nginx in front of the application servers: passive health checks (a server that fails is left out for
    ``UPSTREAM_FAIL_TIMEOUT_SECONDS``) and retries on the next server only for requests that are safe to repeat."""
    nginx_dir = var_dir / "nginx"
    logs = var_dir / "logs"
    user = ""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # The workers would otherwise switch to "nobody", who cannot write the temporary folders below.
        user = "user root root;"
    check = f"max_fails={UPSTREAM_MAX_FAILS} fail_timeout={UPSTREAM_FAIL_TIMEOUT_SECONDS}s"
    servers = "\n".join(f"        server 127.0.0.1:{app_port} {check};" for app_port in app_ports)
    temp = "\n".join(
        f"    {kind}_temp_path {nginx_dir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Written by cchc stack; changes are lost at its next start.
{user}
worker_processes 1;
pid {nginx_dir / "nginx.pid"};
error_log {logs / "nginx-error.log"} warn;

events {{
    worker_connections 1024;
}}

http {{
    access_log {logs / "nginx-access.log"};
{temp}
    client_max_body_size 210m;   # above MAX_CSV_UPLOAD_MB: large dossier exports are uploaded as CSV

    upstream cchc_app {{
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};

        location / {{
            proxy_pass http://cchc_app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
            # Another server gets the request when this one is down or failing; nginx never repeats a POST, PUT,
            # PATCH or DELETE that reached a server (no "non_idempotent"), so a write is never made twice.
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 2;
        }}

        location = /healthz {{
            proxy_pass http://cchc_app;
            proxy_set_header Host $host;
            access_log off;
        }}
    }}
}}
"""


@dataclass
class Part:
    """One child process of the stack."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise StackError(f"{self.name} is not running")
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Stack:
    """The parts of the stack and how to start, kill and stop them. Ports: nginx on ``port``, the application
    servers on the next ones."""

    var_dir: Path
    port: int
    database_url: str
    redis_url: str = ""
    app_servers: int = 2
    gunicorn_workers: int = 2
    task_workers: int = 2
    schedule: bool = True
    extra_env: Mapping[str, str] = field(default_factory=dict)
    app_root: Path | None = None
    python: str = sys.executable
    parts: dict[str, Part] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.var_dir = self.var_dir.resolve()
        self.env = production_environment(
            database_url=self.database_url, var_dir=self.var_dir, redis_url=self.redis_url, extra=self.extra_env
        )
        if self.app_root is not None:
            self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.app_root), self.env.get("PYTHONPATH")]))
        self.app_ports = [self.port + 1 + n for n in range(self.app_servers)]
        for n, app_port in enumerate(self.app_ports, start=1):
            self.parts[f"app{n}"] = Part(
                f"app{n}",
                [
                    *(self.python, "-m", "gunicorn", "cchc.wsgi", "--bind", f"127.0.0.1:{app_port}"),
                    *("--workers", str(self.gunicorn_workers), "--timeout", "60", "--graceful-timeout", "10"),
                ],
            )
        nginx = nginx_binary() or NGINX
        self.parts["nginx"] = Part(
            "nginx", [nginx, "-p", str(self.var_dir / "nginx"), "-c", str(self.nginx_conf), "-g", "daemon off;"]
        )
        for n in range(1, self.task_workers + 1):
            self.parts[f"worker{n}"] = Part(
                f"worker{n}",
                [
                    self.python,
                    "-m",
                    "cchc.manage",
                    "db_worker",
                    "--no-reload",
                    "--interval",
                    "0.5",
                    "--worker-id",
                    f"{socket.gethostname()}-{self.port}-{n}",
                ],
            )
        if self.schedule:
            self.parts["schedule"] = Part(
                "schedule", [self.python, "-m", "cchc.manage", "run_schedule", "--loop", "--interval", "60"]
            )

    @property
    def nginx_conf(self) -> Path:
        return self.var_dir / "nginx" / "nginx.conf"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_path(self, name: str) -> Path:
        return self.var_dir / "logs" / f"{name}.log"

    def manage(self, *arguments: str) -> None:
        """Run a management command with the stack's environment (migrate, collectstatic); raise on failure."""
        log = self.var_dir / "logs" / "manage.log"
        with log.open("ab") as out:
            done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
                [self.python, "-m", "cchc.manage", *arguments], env=self.env, stdout=out, stderr=out, check=False
            )
        if done.returncode != 0:
            raise StackError(f"cchc {' '.join(arguments)} failed; see {log}")

    def prepare(self, *, migrate: bool = True, collect_static: bool = True) -> None:
        """Folders, nginx's configuration, the database schema and the static files (collected again only when
        ``collect_static`` or when they were never collected)."""
        if nginx_binary() is None:
            raise StackError(f"nginx is not installed: apt-get install {NGINX_PACKAGE}")
        for folder in ("logs", "nginx", "static"):
            (self.var_dir / folder).mkdir(parents=True, exist_ok=True)
        self.nginx_conf.write_text(nginx_config(var_dir=self.var_dir, port=self.port, app_ports=self.app_ports))
        if migrate:
            self.manage("migrate", "--noinput", "-v0")
        if collect_static or not (Path(self.env["STATIC_ROOT"]) / "staticfiles.json").exists():
            self.manage("collectstatic", "--noinput", "-v0")

    def start_part(self, name: str) -> Part:
        part = self.parts[name]
        if part.log is not None:
            part.log.close()
        part.log = self.log_path(name).open("ab")
        part.process = subprocess.Popen(  # noqa: S603 - our own programs and arguments
            part.argv,
            env=self.env,
            stdout=part.log,
            stderr=part.log,
            start_new_session=True,  # its own process group: see the module's docstring
            cwd=self.app_root or None,
        )
        return part

    def start(self, *, timeout: float = 90) -> None:
        """Start every part; return once nginx answers ``/healthz`` through each application server."""
        try:
            for n, app_port in enumerate(self.app_ports, start=1):
                part = self.start_part(f"app{n}")
                if not wait_for_port(app_port, timeout=timeout, process=part.process):
                    raise StackError(f"application server app{n} did not start; see {self.log_path(f'app{n}')}")
            nginx = self.start_part("nginx")
            if not wait_for_port(self.port, timeout=15, process=nginx.process):
                raise StackError(f"nginx did not start; see {self.log_path('nginx')} and nginx-error.log")
            for name in self.parts:
                if name.startswith("worker") or name == "schedule":
                    self.start_part(name)
            self.wait_healthy(timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def wait_healthy(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = [self.port, *self.app_ports]
        while pending and time.monotonic() < deadline:
            pending = [port for port in pending if health_of(port) is None]
            if pending:
                time.sleep(0.2)
        if pending:
            raise StackError(f"not healthy on ports {pending}; see the logs in {self.var_dir / 'logs'}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the part's whole process group (a gunicorn master and its workers alike)."""
        part = self.parts[name]
        os.killpg(part.pid, sig)
        assert part.process is not None
        part.process.wait(timeout=30)

    def stop(self, *, timeout: float = 20) -> None:
        """SIGTERM to every running part, the runners of jobs first (a worker finishes its job), nginx last; SIGKILL
        to whatever is still running after ``timeout`` seconds."""
        order = sorted(self.parts, key=lambda name: (name.startswith("app"), name == "nginx"))
        for name in order:
            part = self.parts[name]
            if part.running():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(part.pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name in order:
            part = self.parts[name]
            if part.process is None:
                continue
            try:
                part.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(part.pid, signal.SIGKILL)
                part.process.wait(timeout=10)
            if part.log is not None:
                part.log.close()
                part.log = None

    def tail(self, name: str, size: int = 3000) -> str:
        try:
            return self.log_path(name).read_text(errors="replace")[-size:]
        except OSError:
            return ""


__all__ = [
    "Part",
    "Stack",
    "StackError",
    "free_port",
    "health_of",
    "nginx_binary",
    "nginx_config",
    "process_tree_cpu_seconds",
    "production_environment",
    "wait_for_port",
]
