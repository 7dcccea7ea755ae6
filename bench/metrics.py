"""CPU per request (server process tree, Postgres cluster), memory samples and the machine's description."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench import peers
from bench.loadgen import node_version


def _own_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its living descendants."""
    try:
        root = psutil.Process(pid)
        total = _own_cpu(root)
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += _own_cpu(child)
    return total


def tree_rss_bytes(pid: int) -> int:
    root = psutil.Process(pid)
    total = int(root.memory_info().rss)
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += int(child.memory_info().rss)
    return total


@dataclass
class PostgresCpu:
    """CPU of every process of the cluster: the postmaster, its children, and children it already reaped."""

    postmaster: psutil.Process | None

    @classmethod
    async def find(cls, admin_dsn: str) -> PostgresCpu:
        """The cluster behind `admin_dsn`, when it runs on this machine (else CPU is reported as n/a)."""
        conn = await asyncpg.connect(admin_dsn)
        try:
            backend = int(await conn.fetchval("select pg_backend_pid()"))
            try:  # while the connection, and so its backend process, is alive
                parent = psutil.Process(backend).parent()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                return cls(None)
        finally:
            await conn.close()
        return cls(parent if parent is not None and "postgres" in parent.name() else None)

    def seconds(self) -> float | None:
        if self.postmaster is None:
            return None
        try:
            times = self.postmaster.cpu_times()
            total = float(times.user + times.system + times.children_user + times.children_system)
            children = self.postmaster.children()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += _own_cpu(child)
        return total


@dataclass
class CpuWindow:
    """CPU seconds spent by a server (its process tree) and by Postgres between `start` and `stop`."""

    app_pid: int
    postgres: PostgresCpu
    app_start: float = 0.0
    pg_start: float | None = None
    app_seconds: float = 0.0
    pg_seconds: float | None = None

    def start(self) -> None:
        self.app_start = tree_cpu_seconds(self.app_pid)
        self.pg_start = self.postgres.seconds()

    def stop(self) -> None:
        self.app_seconds = tree_cpu_seconds(self.app_pid) - self.app_start
        end = self.postgres.seconds()
        self.pg_seconds = None if end is None or self.pg_start is None else end - self.pg_start


def per_request_ms(seconds: float | None, requests: int) -> float | None:
    return None if seconds is None or requests <= 0 else 1000 * seconds / requests


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version_of(command: Iterable[str]) -> str | None:
    try:
        return subprocess.run(list(command), capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


async def machine_info(admin_dsn: str, servers: Iterable[str]) -> dict[str, Any]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        pg_version = str(await conn.fetchval("show server_version"))
    finally:
        await conn.close()
    import uvicorn

    info: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "postgres": pg_version,
        "node_loadgen": node_version(),
    }
    if "postgraphile" in servers:
        info["node_postgraphile"] = _version_of([str(peers.node_binary()), "--version"])
    return info
