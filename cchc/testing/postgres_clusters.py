"""A throwaway PostgreSQL primary and its streaming replica on loopback, for the tests of the read replica.

Both clusters live in one temporary directory and listen on 127.0.0.1 only, on ``CCHC_TEST_REPLICA_PORT`` (default
55440) and the port after it, or the next free pair of the ten ports from there. PostgreSQL refuses to run as root,
so when the tests run as root the server programs run as the ``postgres`` system user (``runuser``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

SERVER_PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup")
SYSTEM_USER = "postgres"
DATABASE = "cchc"
DEFAULT_PORT = 55440
# Pairs of ports tried from CCHC_TEST_REPLICA_PORT on: 55440–55449 by default.
PORT_PAIRS_TRIED = 5
COMMAND_SECONDS = 120
# Settings that make a test cluster start fast and write little; durability does not matter here.
TEST_CONFIGURATION = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
port = {port}
fsync = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
wal_level = replica
max_wal_senders = 4
hot_standby = on
wal_receiver_status_interval = 1s
"""


def server_programs() -> Path | None:
    """The directory of the newest PostgreSQL server programs installed the Debian way, if any."""
    installed = Path("/usr/lib/postgresql").glob("*/bin")
    found = sorted(
        (path for path in installed if all((path / program).exists() for program in SERVER_PROGRAMS)),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def _runs_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def unavailable_reason() -> str | None:
    """Why a primary and replica cannot be started here, or None when they can."""
    if server_programs() is None:
        return "the PostgreSQL server programs (/usr/lib/postgresql/*/bin: initdb, pg_ctl, pg_basebackup) are missing"
    if _runs_as_root():
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return f"running as root and there is no '{SYSTEM_USER}' system user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as another user"
    return None


def _as_server_user(command: Sequence[str]) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *command] if _runs_as_root() else list(command)


def _run(command: Sequence[str]) -> None:
    full = _as_server_user(command)
    # Every command is built in this module from fixed programs and paths.
    completed = subprocess.run(full, capture_output=True, timeout=COMMAND_SECONDS, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(full)} failed ({completed.returncode}): {completed.stderr.decode()[-2000:]}")


@dataclass
class Cluster:
    programs: Path
    directory: Path
    port: int

    @property
    def log(self) -> Path:
        return self.directory.parent / f"{self.directory.name}.log"

    def start(self) -> None:
        _run([str(self.programs / "pg_ctl"), "-D", str(self.directory), "-l", str(self.log), "-w", "-t", "60", "start"])

    def stop(self) -> None:
        _run([str(self.programs / "pg_ctl"), "-D", str(self.directory), "-m", "immediate", "-w", "stop"])

    def connect(self, database: str = DATABASE) -> psycopg.Connection[Any]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True)

    def execute(self, statement: str, database: str = DATABASE) -> None:
        with self.connect(database) as connection:
            connection.execute(statement.encode())

    def scalar(self, query: str, database: str = DATABASE) -> Any:
        with self.connect(database) as connection:
            row = connection.execute(query.encode()).fetchone()
        return row[0] if row is not None else None


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_pair(first: int, tries: int = PORT_PAIRS_TRIED) -> int:
    """The first of two free consecutive ports from ``first`` on (another run may hold the first pair)."""
    for port in range(first, first + 2 * tries, 2):
        if _port_is_free(port) and _port_is_free(port + 1):
            return port
    raise RuntimeError(f"no two free consecutive ports on 127.0.0.1 between {first} and {first + 2 * tries - 1}")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def _wait(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.1)


@dataclass
class StreamingPair:
    """A primary and a replica streaming from it, both holding the database :data:`DATABASE`."""

    root: Path
    primary: Cluster
    replica: Cluster

    @classmethod
    def create(cls, load: Callable[[Cluster], None], port: int | None = None) -> StreamingPair:
        """Start a primary, create :data:`DATABASE` on it, fill it with ``load(primary)``, copy it to a replica with
        ``pg_basebackup -R`` and start that; returns once the replica streams."""
        programs = server_programs()
        if programs is None:
            raise RuntimeError(unavailable_reason())
        port = port or _free_port_pair(int(os.environ.get("CCHC_TEST_REPLICA_PORT", DEFAULT_PORT)))
        root = Path(tempfile.mkdtemp(prefix="cchc-replica-"))
        if _runs_as_root():
            account = pwd.getpwnam(SYSTEM_USER)
            os.chown(root, account.pw_uid, account.pw_gid)
        pair = cls(root, Cluster(programs, root / "primary", port), Cluster(programs, root / "replica", port + 1))
        try:
            pair._build(load)
        except BaseException:
            pair.destroy()
            raise
        return pair

    def _build(self, load: Callable[[Cluster], None]) -> None:
        primary, replica = self.primary, self.replica
        _run(
            [
                str(primary.programs / "initdb"),
                "-D",
                str(primary.directory),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        configuration = TEST_CONFIGURATION.format(sockets=self.root, port=primary.port)
        _append(primary.directory / "postgresql.conf", configuration)
        primary.start()
        primary.execute(f"CREATE DATABASE {DATABASE}", database="postgres")
        load(primary)
        _run(
            [
                str(primary.programs / "pg_basebackup"),
                "--host=127.0.0.1",
                f"--port={primary.port}",
                "--username=postgres",
                f"--pgdata={replica.directory}",
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--no-sync",
            ]
        )
        _append(replica.directory / "postgresql.conf", f"port = {replica.port}\n")
        replica.start()
        self.wait_streaming()

    def wait_streaming(self) -> None:
        query = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
        _wait(lambda: self.primary.scalar(query, database="postgres") == 1, "the replica to stream")

    def wait_replayed(self) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.primary.scalar("SELECT pg_current_wal_lsn()::text", database="postgres")
        query = f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
        _wait(lambda: bool(self.replica.scalar(query, database="postgres")), "the replica to catch up")

    def wait_received(self) -> None:
        """Until the replica has received (not necessarily replayed) everything the primary has written so far."""
        target = self.primary.scalar("SELECT pg_current_wal_lsn()::text", database="postgres")
        query = f"SELECT pg_last_wal_receive_lsn() >= '{target}'::pg_lsn"
        _wait(lambda: bool(self.replica.scalar(query, database="postgres")), "the replica to receive the changes")

    def pause_replay(self) -> None:
        self.replica.scalar("SELECT pg_wal_replay_pause()", database="postgres")
        _wait(
            lambda: self.replica.scalar("SELECT pg_get_wal_replay_pause_state()", database="postgres") == "paused",
            "the replica to pause",
        )

    def resume_replay(self) -> None:
        self.replica.scalar("SELECT pg_wal_replay_resume()", database="postgres")
        self.wait_replayed()

    def destroy(self) -> None:
        for cluster in (self.replica, self.primary):
            if (cluster.directory / "postmaster.pid").exists():
                with suppress(RuntimeError, subprocess.TimeoutExpired):
                    cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def copy_database(source: dict[str, Any], target: Cluster) -> None:
    """Copy the PostgreSQL database of Django connection settings ``source`` (schema and rows) into ``target``'s
    :data:`DATABASE`, with ``pg_dump`` piped into ``psql``."""
    programs = target.programs
    environment = dict(os.environ, PGPASSWORD=str(source.get("PASSWORD") or ""))
    dump_command = [
        str(programs / "pg_dump"),
        f"--host={source.get('HOST') or '127.0.0.1'}",
        f"--port={source.get('PORT') or 5432}",
        f"--username={source.get('USER') or 'postgres'}",
        "--no-owner",
        "--no-privileges",
        str(source["NAME"]),
    ]
    load_command = [
        str(programs / "psql"),
        "--quiet",
        "--no-psqlrc",
        "--set=ON_ERROR_STOP=1",
        "--host=127.0.0.1",
        f"--port={target.port}",
        "--username=postgres",
        f"--dbname={DATABASE}",
    ]
    # Both commands are built here from the test database's own settings.
    with subprocess.Popen(dump_command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment) as dump:  # noqa: S603
        load = subprocess.run(  # noqa: S603
            load_command, stdin=dump.stdout, capture_output=True, timeout=COMMAND_SECONDS, check=False
        )
        dump_errors = dump.stderr.read() if dump.stderr is not None else b""
        dump.wait(timeout=COMMAND_SECONDS)
    if dump.returncode != 0 or load.returncode != 0:
        errors = f"{dump_errors.decode()[-2000:]} {load.stderr.decode()[-2000:]}"
        raise RuntimeError(f"copying the database failed: {errors}")
