#!/usr/bin/env python3
"""The two developer commands of cchc, using only the Python standard library.

    python3 dev.py run     create .venv/, install, migrate, load the demo data, serve on http://127.0.0.1:8000
    python3 dev.py test    ruff, mypy, makemigrations --check, pip-audit, pytest on SQLite (and PostgreSQL when
                           configured)

``.ci/run`` calls ``python3 dev.py test``, so CI and developers run the same checks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MIN_PYTHON = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
VENV_PYTHON = VENV_BIN / ("python.exe" if os.name == "nt" else "python")
INSTALL_STAMP = VENV / ".cchc-install.json"
PYPROJECT = ROOT / "pyproject.toml"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
BROWSER_PACKAGES = ("chromium", "chromium-driver")
# Reading scanned directives: Tesseract OCR with its Vietnamese data, and pdftoppm to render scanned PDFs.
OCR_PACKAGES = ("tesseract-ocr", "tesseract-ocr-vie", "poppler-utils")
# A TrueType font with the Vietnamese letters, for the PDF posters of survey links (cchc/surveys/posters.py).
FONT_PACKAGES = ("fonts-dejavu-core",)
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
)
# Printing the periodic reform reports as PDF (cchc/reports, WeasyPrint): Pango and HarfBuzz's subsetter, loaded
# through cffi when a PDF is written, and a serif font with the Vietnamese letters.
PDF_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-liberation")
# The production-like stack (``cchc stack``) and its fault tests (marker ``stack``, PostgreSQL only) put Debian's
# nginx in front of the application servers.
NGINX_PACKAGES = ("nginx",)
NGINX_PATHS = (Path("/usr/sbin/nginx"), Path("/usr/bin/nginx"))
PYTEST_NO_TESTS_COLLECTED = 5
# The dependency audit (pip-audit) asks a vulnerability service about every installed package. Offline machines
# (a provincial intranet) cannot reach it: that is said loudly, but it is not a failure. A service that answers
# slowly is given this long in all.
AUDIT_TIMEOUT_SECONDS = 300
AUDIT_REQUEST_TIMEOUT_SECONDS = 15
# What pip-audit and the HTTP library print when the service cannot be reached (no route, no name resolution,
# a proxy or a firewall in the way, a timeout).
AUDIT_OFFLINE_SIGNS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Max retries exceeded",
    "NameResolutionError",
    "Failed to resolve",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection refused",
    "ProxyError",
    "SSLError",
    "network may be blocking",
)
# pytest-xdist runs the tests in one worker process per CPU, each on its own test database (pytest-django names
# them test_<name>_gw0, test_<name>_gw1, …), a whole test module per worker at a time so that module fixtures are
# built once, in the order the root conftest.py gives (the long modules first) rather than pytest-xdist's own (the
# modules with the most tests first, which left the long journeys of a few tests to run alone at the end).
# Arguments given to ``dev.py test`` come after these and win: ``-n0`` runs in one process.
PYTEST_PARALLEL = ("-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder")

# The browser tests (tests/browser/, marker ``browser``) drive Debian's Chromium; with this variable set to
# "missing" they skip themselves (or, under CI=true, fail).
BROWSER_ENV = "CCHC_BROWSER"
BROWSER_MISSING = "missing"


class Failure(Exception):
    """A step failed; the message says which and what to do."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- output -----------------------------------------------------------------------------------------------------

_COLOUR = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def _paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if _COLOUR else text


def say(text: str) -> None:
    print(_paint(f"==> {text}", "1;34"), flush=True)


def warn_loudly(lines: Sequence[str]) -> None:
    bar = "!" * 78
    print(_paint("\n".join([bar, *[f"!!! {line}" for line in lines], bar]), "1;33"), file=sys.stderr, flush=True)


def is_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


# --- processes --------------------------------------------------------------------------------------------------


def venv_environ(extra: Mapping[str, str] | None = None, drop: Sequence[str] = ()) -> dict[str, str]:
    """The current environment with the virtualenv first on PATH."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    for name in drop:
        env.pop(name, None)
    env.update(extra or {})
    return env


def run(command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    print(_paint("$ " + shlex.join(command), "2"), flush=True)
    # The commands are built in this file; only pytest arguments come from the caller's own shell.
    completed = subprocess.run(list(command), cwd=ROOT, env=dict(env) if env is not None else None, check=False)  # noqa: S603
    return completed.returncode


def run_or_fail(command: Sequence[str], what: str, env: Mapping[str, str] | None = None) -> None:
    code = run(command, env)
    if code != 0:
        raise Failure(f"{what} failed (exit code {code}).", code)


def can_use_apt() -> bool:
    """Packages may be installed: apt-get exists and we are root (or sudo needs no password)."""
    if shutil.which("apt-get") is None:
        return False
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return True
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0  # noqa: S607


def apt_install(packages: Sequence[str]) -> bool:
    prefix = [] if hasattr(os, "geteuid") and os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run([*prefix, "apt-get", "update"], env) != 0:
        return False
    return run([*prefix, "apt-get", "install", "-y", *packages], env) == 0


# --- virtualenv and dependencies --------------------------------------------------------------------------------


def check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        raise Failure(f"cchc needs Python {wanted} or newer; this is {sys.version.split()[0]}.")


def has_ensurepip() -> bool:
    probe = [sys.executable, "-c", "import ensurepip"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0  # noqa: S603


def ensure_ensurepip() -> None:
    """Debian ships ``venv`` without ``ensurepip`` until ``python3-venv`` is installed."""
    if has_ensurepip():
        return
    version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
    if can_use_apt():
        say("Installing python3-venv (this Python cannot create virtual environments without it)")
        apt_install(["python3-venv"])
        if not has_ensurepip():
            apt_install([version])
    if not has_ensurepip():
        raise Failure(f"This Python cannot create a virtual environment. Install python3-venv ({version}) and retry.")


def venv_is_usable() -> bool:
    if INSTALL_STAMP.exists():
        return True  # written only after a successful install
    if not VENV_PYTHON.exists():
        return False
    probe = [str(VENV_PYTHON), "-m", "pip", "--version"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0  # noqa: S603


def ensure_venv() -> None:
    if venv_is_usable():
        return
    if VENV.exists():
        say(f"{VENV} is incomplete (an interrupted setup?); recreating it")
        shutil.rmtree(VENV)
    ensure_ensurepip()
    say(f"Creating the virtual environment in {VENV}")
    run_or_fail([sys.executable, "-m", "venv", str(VENV)], "Creating the virtual environment")


def pyproject_hash() -> str:
    return hashlib.sha256(PYPROJECT.read_bytes()).hexdigest()


def installed_state() -> tuple[str, set[str]]:
    """(hash of pyproject.toml, extras) recorded by the last successful install, or ("", set())."""
    try:
        data = json.loads(INSTALL_STAMP.read_text())
        return str(data["pyproject"]), set(data["extras"])
    except (OSError, ValueError, KeyError, TypeError):
        return "", set()


def ensure_dependencies(extras: set[str]) -> None:
    """Install the pinned dependencies, but only when pyproject.toml changed or new extras are needed."""
    ensure_venv()
    current = pyproject_hash()
    installed_hash, installed_extras = installed_state()
    if installed_hash == current and extras <= installed_extras:
        return
    wanted = extras | (installed_extras if installed_hash == current else set())
    target = f".[{','.join(sorted(wanted))}]" if wanted else "."
    say(f"Installing dependencies ({target}); this happens again only when pyproject.toml changes")
    INSTALL_STAMP.unlink(missing_ok=True)
    run_or_fail([str(VENV_PYTHON), "-m", "pip", "install", "--editable", target], "Installing dependencies")
    INSTALL_STAMP.write_text(json.dumps({"pyproject": current, "extras": sorted(wanted)}))


# --- run --------------------------------------------------------------------------------------------------------


def server_address() -> tuple[str, int]:
    host = os.environ.get("HOST", "127.0.0.1").strip() or "127.0.0.1"
    raw_port = os.environ.get("PORT", "8000").strip() or "8000"
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise Failure(f"PORT must be a number between 1 and 65535, not {raw_port!r}.")
    return host, int(raw_port)


def demo_environ(host: str) -> dict[str, str]:
    """The environment of the demo server: like a real site, unless the caller's environment says otherwise.

    DEBUG is off, so people trying the demo meet the product's own error pages (404, 403, 500) rather than
    Django's debug pages; WhiteNoise serves the static files all the same. With DEBUG off Django accepts only
    the host names in ALLOWED_HOSTS, so the address served on is added to them.
    """
    extra = {}
    if "DEBUG" not in os.environ:
        extra["DEBUG"] = "false"
    if "ALLOWED_HOSTS" not in os.environ:
        hosts = ["127.0.0.1", "localhost", "[::1]"]
        if host not in {"0.0.0.0", "::"}:  # noqa: S104 - a wildcard address is not a host name
            hosts.append(f"[{host}]" if ":" in host else host)
        extra["ALLOWED_HOSTS"] = ",".join(dict.fromkeys(hosts))
    return venv_environ(extra)


def command_run() -> int:
    host, port = server_address()
    ensure_dependencies(set())
    ensure_ocr()
    ensure_fonts()
    ensure_pdf_engine()
    env = demo_environ(host)
    cchc = str(VENV_BIN / "cchc")
    say("Migrating the database")
    run_or_fail([cchc, "migrate", "--noinput"], "cchc migrate", env)
    say("Loading the demo data")
    run_or_fail([cchc, "demo"], "cchc demo", env)
    shown_host = f"[{host}]" if ":" in host else host
    print()
    print(_paint(f"cchc is starting at http://{shown_host}:{port}/", "1;32"))
    print("Log in with one of the demo accounts printed above. Stop the server with Ctrl+C.")
    print(flush=True)
    os.execve(cchc, [cchc, "runserver", "--noreload", f"{shown_host}:{port}"], env)  # noqa: S606
    return 0  # not reached: execve replaces this process


# --- test -------------------------------------------------------------------------------------------------------


def browser_available() -> bool:
    if os.environ.get(BROWSER_ENV, "").strip().lower() == BROWSER_MISSING:
        return False  # the caller asked to run without a browser
    return DEBIAN_CHROMIUM.is_file()


def ensure_browser() -> bool:
    """Whether the browser tests can run; installs Chromium when it is missing and we may. Fails under CI."""
    explicitly_skipped = os.environ.get(BROWSER_ENV, "").strip().lower() == BROWSER_MISSING
    if not explicitly_skipped and not DEBIAN_CHROMIUM.is_file() and can_use_apt():
        say("Installing Chromium for the browser tests: " + " ".join(BROWSER_PACKAGES))
        apt_install(BROWSER_PACKAGES)
    if browser_available():
        return True
    why = f"{BROWSER_ENV}=missing is set" if explicitly_skipped else f"{DEBIAN_CHROMIUM} is missing"
    if is_ci():
        raise Failure(f"CI=true and {why}: CI must run the browser tests.")
    warn_loudly(
        [
            f"Chromium cannot be used: {why}.",
            "THE BROWSER TESTS WILL BE SKIPPED.",
            "Install it as root:  apt-get install chromium chromium-driver",
        ]
    )
    return False


def ocr_available() -> bool:
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        return False
    probe = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)  # noqa: S607
    return "vie" in (probe.stdout + probe.stderr).split()


def ensure_ocr() -> None:
    """Install Tesseract with Vietnamese data when missing and we may; otherwise warn (the OCR tests fail under CI)."""
    if ocr_available():
        return
    if can_use_apt():
        say("Installing OCR for scanned directives: " + " ".join(OCR_PACKAGES))
        apt_install(OCR_PACKAGES)
    if ocr_available():
        return
    warn_loudly(
        [
            "Tesseract OCR with Vietnamese data is missing: scanned directives cannot be read.",
            "THE OCR TESTS WILL BE SKIPPED (under CI=true they fail).",
            "Install it as root:  apt-get install " + " ".join(OCR_PACKAGES),
        ]
    )


def ensure_fonts() -> None:
    """Install DejaVu Sans when no font the survey posters can use is present and we may; otherwise warn."""
    if any(path.is_file() for path in FONT_FILES):
        return
    if can_use_apt():
        say("Installing a font for the survey posters: " + " ".join(FONT_PACKAGES))
        apt_install(FONT_PACKAGES)
    if any(path.is_file() for path in FONT_FILES):
        return
    warn_loudly(
        [
            "No font with the Vietnamese letters is installed: survey posters cannot be printed as PDF.",
            "THE POSTER TEST WILL FAIL.",
            "Install it as root:  apt-get install " + " ".join(FONT_PACKAGES),
        ]
    )


def pdf_engine_available() -> bool:
    """Can WeasyPrint load its system libraries (Pango) in the project's environment?"""
    probe = subprocess.run([str(VENV_PYTHON), "-c", "import weasyprint"], capture_output=True, check=False)  # noqa: S603
    return probe.returncode == 0


def ensure_pdf_engine() -> None:
    """Install Pango for WeasyPrint when it is missing and we may; otherwise warn (the report PDF tests fail)."""
    if pdf_engine_available():
        return
    if can_use_apt():
        say("Installing Pango for the PDF reports: " + " ".join(PDF_PACKAGES))
        apt_install(PDF_PACKAGES)
    if pdf_engine_available():
        return
    warn_loudly(
        [
            "WeasyPrint cannot load Pango: the periodic reports cannot be written as PDF.",
            "THE REPORT PDF TESTS WILL FAIL.",
            "Install it as root:  apt-get install " + " ".join(PDF_PACKAGES),
        ]
    )


def nginx_available() -> bool:
    return shutil.which("nginx") is not None or any(path.is_file() for path in NGINX_PATHS)


def ensure_nginx() -> None:
    """Install nginx for the stack's fault tests when it is missing and we may; otherwise warn (they skip)."""
    if nginx_available():
        return
    if can_use_apt():
        say("Installing nginx for the production-like stack and its fault tests: " + " ".join(NGINX_PACKAGES))
        apt_install(NGINX_PACKAGES)
    if nginx_available():
        return
    warn_loudly(
        [
            "nginx is not installed: the production-like stack (cchc stack) cannot run.",
            "THE STACK FAULT TESTS WILL BE SKIPPED.",
            "Install it as root:  apt-get install " + " ".join(NGINX_PACKAGES),
        ]
    )


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    outcome: str = "not run"
    note: str = ""


def pytest_step(name: str, args: Sequence[str], env: Mapping[str, str], *, allow_empty: bool) -> None:
    code = run([str(VENV_BIN / "pytest"), *args], env)
    if code == PYTEST_NO_TESTS_COLLECTED and not allow_empty:
        raise Failure(f"{name}: pytest collected no tests (exit code 5), which counts as a failure.", code)
    if code not in (0, PYTEST_NO_TESTS_COLLECTED):
        raise Failure(f"{name} failed (exit code {code}).", code)


@dataclass
class AuditVerdict:
    """What one pip-audit run found: ``clean``, ``vulnerable``, ``offline`` or ``broken``, and the lines to show."""

    outcome: str
    lines: list[str]


def audit_verdict(returncode: int | None, report: str, stderr: str) -> AuditVerdict:
    """Read a pip-audit run (its exit code, its JSON report, its error output); ``None`` means it timed out.

    Known vulnerabilities fail the check. A service that cannot be reached, or that answers "not found" for every
    single package (what a mirror without the vulnerability data does), leaves nothing audited: a warning.
    """
    if returncode is None:
        return AuditVerdict("offline", [f"pip-audit had no answer within {AUDIT_TIMEOUT_SECONDS} s."])
    try:
        dependencies = json.loads(report)["dependencies"]
    except (ValueError, KeyError, TypeError):
        dependencies = None
    if not isinstance(dependencies, list):
        last_lines = [line for line in stderr.strip().splitlines() if line.strip()][-3:]
        if any(sign in stderr for sign in AUDIT_OFFLINE_SIGNS):
            return AuditVerdict("offline", last_lines)
        return AuditVerdict("broken", [f"pip-audit ended with exit code {returncode} and no report.", *last_lines])
    vulnerable = [
        f"{dep['name']} {dep.get('version', '')}: {vuln['id']}"
        + (f" (fixed in {', '.join(vuln['fix_versions'])})" if vuln.get("fix_versions") else " (no fixed version)")
        for dep in dependencies
        for vuln in dep.get("vulns", [])
    ]
    if vulnerable:
        return AuditVerdict("vulnerable", vulnerable)
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    if not audited:
        return AuditVerdict("offline", [f"The service could not audit any of the {len(dependencies)} packages."])
    skipped = len(dependencies) - len(audited)
    note = f" ({skipped} could not be audited)" if skipped else ""
    return AuditVerdict("clean", [f"No known vulnerability in {len(audited)} packages{note}."])


def dependency_audit(env: Mapping[str, str]) -> str | None:
    """pip-audit on the packages installed in .venv/ (the editable cchc itself is skipped); a warning if offline."""
    with tempfile.TemporaryDirectory(prefix="cchc-audit-") as folder:
        report_path = Path(folder) / "audit.json"
        command = [
            str(VENV_BIN / "pip-audit"),
            "--skip-editable",
            "--progress-spinner=off",
            "--desc=off",
            f"--timeout={AUDIT_REQUEST_TIMEOUT_SECONDS}",
            "--format=json",
            f"--output={report_path}",
        ]
        print(_paint("$ " + shlex.join(command), "2"), flush=True)
        try:
            completed = subprocess.run(  # noqa: S603 - the command is built here
                command,
                cwd=ROOT,
                env=dict(env),
                capture_output=True,
                text=True,
                timeout=AUDIT_TIMEOUT_SECONDS,
                check=False,
            )
            returncode: int | None = completed.returncode
            stderr = completed.stderr
        except subprocess.TimeoutExpired:
            returncode, stderr = None, ""
        report = report_path.read_text(encoding="utf-8") if report_path.is_file() else ""
    verdict = audit_verdict(returncode, report, stderr)
    if verdict.outcome == "clean":
        print("\n".join(verdict.lines), flush=True)
        return None
    if verdict.outcome == "offline":
        warn_loudly(
            [
                "The vulnerability service cannot be reached: THE DEPENDENCIES WERE NOT AUDITED.",
                *verdict.lines,
                "Run `python3 dev.py test` where the service is reachable before a release.",
            ]
        )
        return "the vulnerability service could not be reached: nothing was audited"
    if verdict.outcome == "vulnerable":
        print("\n".join(verdict.lines), file=sys.stderr, flush=True)
        raise Failure(
            f"pip-audit found {len(verdict.lines)} known vulnerabilities: upgrade the pins in pyproject.toml."
        )
    print("\n".join(verdict.lines), file=sys.stderr, flush=True)
    raise Failure("pip-audit could not run.")


def check_plan(pytest_args: Sequence[str], browser: bool) -> list[tuple[str, Callable[[], str | None]]]:
    """The checks in order: (name, callable that raises Failure, or returns a warning for the summary)."""
    browser_env = {} if browser else {BROWSER_ENV: BROWSER_MISSING}
    sqlite_env = venv_environ(browser_env, drop=["DATABASE_URL"])
    database_url = os.environ.get("DATABASE_URL", "")
    tool = str(VENV_BIN)
    # The stack's fault tests need PostgreSQL: they run in the PostgreSQL step only.
    sqlite_args = ["-m", "not stack", *PYTEST_PARALLEL, *pytest_args]
    plan: list[tuple[str, Callable[[], str | None]]] = [
        ("ruff check", lambda: run_or_fail([f"{tool}/ruff", "check", "."], "ruff check", sqlite_env)),
        (
            "ruff format --check",
            lambda: run_or_fail([f"{tool}/ruff", "format", "--check", "."], "ruff format", sqlite_env),
        ),
        ("mypy", lambda: run_or_fail([f"{tool}/mypy", "cchc"], "mypy", sqlite_env)),
        (
            "makemigrations --check",
            lambda: run_or_fail(
                [f"{tool}/cchc", "makemigrations", "--check", "--dry-run"], "makemigrations --check", sqlite_env
            ),
        ),
        ("pip-audit", lambda: dependency_audit(sqlite_env)),
        ("pytest (SQLite)", lambda: pytest_step("pytest on SQLite", sqlite_args, sqlite_env, allow_empty=False)),
    ]
    if database_url.startswith("postgres"):
        # Browser journeys exercise the UI, not the database: they run once, on SQLite.
        postgres_env = venv_environ({**browser_env, "DATABASE_URL": database_url})
        postgres_args = ["-m", "not browser", *PYTEST_PARALLEL, *pytest_args]
        plan.append(
            (
                "pytest (PostgreSQL)",
                # With explicit arguments the selection may hold only browser tests; then nothing is left to run.
                lambda: pytest_step("pytest on PostgreSQL", postgres_args, postgres_env, allow_empty=bool(pytest_args)),
            )
        )
    return plan


def print_summary(steps: Sequence[Step], browser: bool) -> None:
    print()
    print(_paint("Summary", "1"))
    for step in steps:
        colour = {"passed": "32", "FAILED": "1;31", "warning": "1;33"}.get(step.outcome, "2")
        print(f"  {_paint(f'{step.outcome:<8}', colour)} {step.name:<24} {step.seconds:6.1f} s")
        if step.note:
            print(_paint(f"           {step.note}", "1;33"))
    if not browser:
        print(_paint("  browser tests were SKIPPED: Chromium cannot be used", "1;33"))
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("  PostgreSQL run skipped: set DATABASE_URL=postgres://… to include it")


def command_test(pytest_args: Sequence[str]) -> int:
    ensure_dependencies({"dev"})
    browser = ensure_browser()
    ensure_ocr()
    ensure_fonts()
    ensure_pdf_engine()
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ensure_nginx()  # the stack's fault tests run on PostgreSQL only
    plan = check_plan(pytest_args, browser)
    steps = [Step(name) for name, _ in plan]
    failure: Failure | None = None
    for step, (_, action) in zip(steps, plan, strict=True):
        say(step.name)
        started = time.monotonic()
        try:
            step.note = action() or ""
            step.outcome = "warning" if step.note else "passed"
        except Failure as error:
            step.outcome = "FAILED"
            failure = error
        step.seconds = time.monotonic() - started
        if failure is not None:
            break
    print_summary(steps, browser)
    if failure is not None:
        print(_paint(f"\nFAILED: {failure.message}", "1;31"), file=sys.stderr)
        return failure.code or 1
    print(_paint("\nAll checks passed.", "1;32"))
    return 0


# --- entry point ------------------------------------------------------------------------------------------------


def parse_arguments(argv: Sequence[str]) -> tuple[str, list[str]]:
    parser = argparse.ArgumentParser(
        prog="dev.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter, allow_abbrev=False
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{run,test}")
    commands.add_parser(
        "run", allow_abbrev=False, help="install what is missing, migrate, load the demo data and serve (PORT, HOST)"
    )
    commands.add_parser("test", allow_abbrev=False, help="run every check; further arguments go to pytest")
    known, extra = parser.parse_known_args(argv)
    if extra and known.command != "test":
        parser.error(f"unexpected arguments: {' '.join(extra)}")
    return str(known.command), extra


def main(argv: Sequence[str]) -> int:
    command, extra = parse_arguments(argv)
    try:
        check_python()
        if command == "run":
            return command_run()
        return command_test(extra)
    except Failure as error:
        print(_paint(f"\nFAILED: {error.message}", "1;31"), file=sys.stderr)
        return error.code or 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
