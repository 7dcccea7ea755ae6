"""Real `leadgen` processes for tests: their environment, a free port, their log, and waiting on them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
# log lines that mean a connection went back to the pool broken, or an error escaped the app
POOL_MISUSE = ("cannot switch to state", "released back to the pool", "Exception in ASGI application", "Traceback")


def pool_misuse(log: str) -> list[str]:
    """The log's lines (with the next few) that show a broken connection reused or an error escaping the app."""
    lines = log.splitlines()
    return ["\n".join(lines[i : i + 8]) for i, line in enumerate(lines) if any(t in line for t in POOL_MISUSE)]


def leadgen_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", *args]


def leadgen_environment(data_dir: Path, **variables: str) -> dict[str, str]:
    """This process's environment without any leadgen, database or Supabase setting, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADGEN_", "DATABASE_URL", "SUPABASE_"))}
    env.update(LEADGEN_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **variables)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LeadgenProcess:
    """A `leadgen` process whose output (stdout and stderr) goes to a file."""

    process: asyncio.subprocess.Process
    log_path: Path
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_for_log(self, text: str, seconds: float = 60) -> None:
        await wait_until(lambda: text in self.log() or self.process.returncode is not None, seconds, self.log)
        assert text in self.log(), self.log()

    async def status(self, path: str) -> int | None:
        """The HTTP status of GET `path`, or None while nothing answers."""
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as http:
                return (await http.get(path)).status_code
        except httpx.TransportError:
            return None

    async def wait_for_status(self, path: str, status: int, seconds: float = 60) -> None:
        async def check() -> bool:
            return await self.status(path) == status or self.process.returncode is not None

        await wait_until(check, seconds, self.log)
        assert self.process.returncode is None, self.log()

    async def exit_code(self, seconds: float = 60) -> int:
        try:
            return await asyncio.wait_for(self.process.wait(), seconds)
        except TimeoutError:
            raise AssertionError(f"the process did not exit within {seconds} s:\n{self.log()}") from None

    def signal(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process.returncode is None:
            self.process.send_signal(sig)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def start_leadgen(env: Mapping[str, str], log_path: Path, *args: str, port: int = 0) -> LeadgenProcess:
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *leadgen_command(*args), env=dict(env), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    return LeadgenProcess(process, log_path, port)


async def start_server(env: Mapping[str, str], log_path: Path, *args: str) -> LeadgenProcess:
    """`leadgen serve` on a free port of 127.0.0.1."""
    port = free_port()
    return await start_leadgen(env, log_path, "serve", "--port", str(port), *args, port=port)
