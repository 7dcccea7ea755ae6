"""The load generator: autocannon (npm) driven by bench/loadgen/loadgen.mjs under the machine's Node.

autocannon is not a dependency of the project. `install_autocannon` copies bench/loadgen/ (package.json,
package-lock.json, loadgen.mjs) into the git-ignored bench/.scratch/autocannon/ and runs `npm ci` there
(install scripts are not run). `run_load` writes a plan (URL, connections, duration and the pre-serialised
requests: Authorization header and body, in rotation order) to a JSON file, runs one autocannon load and
returns what it measured.

    install_autocannon()
    result = run_load(url, [LoadRequest("Bearer ...", '{"query": ...}')], connections=16, duration=10)
    result.rps, result.p95_ms, result.failures
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.npm import NpmError, is_current, mark_installed, npm_ci
from bench.peers import SCRATCH, PeerError
from bench.procs import run_in_group

SOURCE_DIR = Path(__file__).resolve().parent / "loadgen"
AUTOCANNON_DIR = SCRATCH / "autocannon"
SCRIPT = "loadgen.mjs"


@dataclass(frozen=True)
class LoadRequest:
    authorization: str  # the whole header value: "Bearer <token>"
    body: str  # the JSON body, serialised once before timing


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non2xx: int
    error_bodies: int
    errors: int
    timeouts: int
    first_bad_status: int | None

    @property
    def failures(self) -> int:
        return self.non2xx + self.error_bodies + self.errors + self.timeouts

    def describe_failures(self) -> str:
        return (
            f"{self.non2xx} non-2xx (first: {self.first_bad_status}), {self.error_bodies} GraphQL error bodies, "
            f"{self.errors} connection errors, {self.timeouts} timeouts"
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadResult:
        latency = data["latency_ms"]
        return cls(
            requests=int(data["requests"]),
            seconds=float(data["duration_s"]),
            rps=float(data["rps"]),
            p50_ms=float(latency["p50"] or 0),
            p95_ms=float(latency["p95"] or 0),
            p99_ms=float(latency["p99"] or 0),
            non2xx=int(data["non2xx"]),
            error_bodies=int(data["error_bodies"]),
            errors=int(data["errors"]),
            timeouts=int(data["timeouts"]),
            first_bad_status=data.get("first_bad_status"),
        )


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise PeerError("node is not installed (Debian: apt-get install nodejs npm)")
    return node


def is_autocannon_installed(install_dir: Path = AUTOCANNON_DIR) -> bool:
    return (install_dir / "node_modules" / "autocannon" / "package.json").is_file() and is_current(
        SOURCE_DIR, install_dir
    )


def install_autocannon(install_dir: Path = AUTOCANNON_DIR, *, npm: str | None = None) -> Path:
    """Install (or refresh) autocannon into `install_dir`; the driver script is copied every time."""
    install_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE_DIR / SCRIPT, install_dir / SCRIPT)
    if is_autocannon_installed(install_dir):
        return install_dir
    try:
        npm_ci(SOURCE_DIR, install_dir, npm=npm)
    except NpmError as exc:
        raise PeerError(str(exc)) from exc
    mark_installed(SOURCE_DIR, install_dir)
    return install_dir


def node_version() -> str:
    return subprocess.run([node_binary(), "--version"], capture_output=True, text=True, check=True).stdout.strip()


def write_plan(path: Path, url: str, requests: Sequence[LoadRequest], *, connections: int, duration: float) -> Path:
    plan = {
        "url": url,
        "connections": connections,
        "duration": duration,
        "requests": [{"authorization": r.authorization, "body": r.body} for r in requests],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan, separators=(",", ":")))
    return path


async def run_plan(plan: Path, *, duration: float, install_dir: Path = AUTOCANNON_DIR, grace: float = 60) -> LoadResult:
    """One autocannon load of `duration` seconds from a plan file (see `write_plan`); raises when autocannon
    itself fails or outlives `duration` + `grace` seconds. It runs in its own process group, ended if this
    coroutine is cancelled."""
    command = [node_binary(), str(install_dir / SCRIPT), str(plan), str(duration)]
    returncode, stdout, stderr = await run_in_group(command, cwd=install_dir, seconds=duration + grace)
    if returncode != 0:
        raise PeerError(f"autocannon failed ({returncode}):\n{stderr[-4000:]}")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise PeerError(f"autocannon printed no result:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return LoadResult.from_json(json.loads(lines[-1]))


async def run_load(
    url: str,
    requests: Sequence[LoadRequest],
    *,
    connections: int,
    duration: float,
    install_dir: Path = AUTOCANNON_DIR,
) -> LoadResult:
    """Write a plan to a temporary file and run it (`duration` seconds at `connections` connections)."""
    with tempfile.TemporaryDirectory(prefix="leadgen-load-") as folder:
        plan = write_plan(Path(folder) / "plan.json", url, requests, connections=connections, duration=duration)
        return await run_plan(plan, duration=duration, install_dir=install_dir)
