"""Subprocesses of the benchmark, each in its own process group, always ended: on return, error or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType


def stop_group(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM to the process group of `process` (started with start_new_session), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


async def run_in_group(command: Sequence[str], *, cwd: Path, seconds: float) -> tuple[int, str, str]:
    """Run `command` to completion in its own process group; (returncode, stdout, stderr).

    After `seconds` (TimeoutError), on cancellation or any other exception the whole group is killed first."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(seconds):
            out, err = await process.communicate()
    except BaseException:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), 10)
        raise
    return int(process.returncode or 0), out.decode(errors="replace"), err.decode(errors="replace")


class Terminated(SystemExit):
    """SIGTERM (or SIGHUP) arrived: unwinds like Ctrl-C so every `finally` stops what it started."""


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise `Terminated` (exit status 143) in the main thread."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(128 + signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
