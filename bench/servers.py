"""The servers under test, each its own process on its own port, all on one database, all verifying one JWKS.

ours          uvicorn running server.asgi:app (1 process, development mode for the statements header,
              no access log, uvloop + httptools when installed), compiled read path on
ours-general  the same with LEADGEN_COMPILED_READS=0: every operation resolved field by field
limit         bench/limit_server.py: one hand-written SQL statement per operation
postgraphile  PostGraphile v5 under Node 22 (installed into bench/.scratch when missing)

with ServerSet.start(["ours", "limit"], api_dsn, key.jwks()) as servers:
    servers["ours"].url, servers["ours"].pid
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import socket
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from bench import peers
from bench.workload import Dialect

SERVER_NAMES = ("ours", "limit", "postgraphile", "ours-general")
# environment that would change what our server verifies or where it connects: never inherited
UNSET_FOR_OURS = (
    "DATABASE_URL",
    "SUPABASE_URL",
    "SUPABASE_JWT_SECRET",
    "LEADGEN_JWT_ISSUER",
    "LEADGEN_JWT_AUDIENCE",
    "LEADGEN_COMPILED_READS",
)


@dataclass
class Server:
    name: str
    dialect: Dialect
    peer: peers.PeerProcess

    @property
    def url(self) -> str:
        return self.peer.url

    @property
    def pid(self) -> int:
        return self.peer.process.pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fast_uvicorn_options() -> list[str]:
    """uvloop and httptools when both are importable (uvicorn[standard] brings them)."""
    if importlib.util.find_spec("uvloop") and importlib.util.find_spec("httptools"):
        return ["--loop", "uvloop", "--http", "httptools"]
    return []


def start_ours(
    name: str, database_url: str, jwks: dict[str, Any], port: int, *, compiled: bool, timeout: float = 60
) -> peers.PeerProcess:
    """Our server under uvicorn, one process, configured only through environment variables."""
    command = [sys.executable, "-m", "uvicorn", "server.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning", *fast_uvicorn_options()]
    env = {
        "LEADGEN_API_DATABASE_URL": database_url,
        "SUPABASE_JWKS": json.dumps(jwks),
        "LEADGEN_ENV": "development",  # the x-leadgen-sql-statements header; GraphiQL is never asked for
        "LEADGEN_CORS_ORIGINS": "",  # as in production: no CORS middleware unless origins are configured
        "LEADGEN_COMPILED_READS": "1" if compiled else "0",
        "LEADGEN_DATA_DIR": str(peers.SCRATCH / "run" / name),  # unused: the JWKS is given
        "PYTHONPATH": str(peers.REPO),
    }
    peer = peers.spawn(name, port, command, peers.REPO, env, None, unset=UNSET_FOR_OURS)
    peer.wait_until_answers(timeout)
    return peer


def _start(name: str, database_url: str, jwks: dict[str, Any], port: int) -> Server:
    if name == "ours":
        return Server(name, "ours", start_ours(name, database_url, jwks, port, compiled=True))
    if name == "ours-general":
        return Server(name, "ours", start_ours(name, database_url, jwks, port, compiled=False))
    if name == "limit":
        return Server(name, "ours", peers.start_limit_server(database_url, jwks, port))
    if name == "postgraphile":
        peers.install_postgraphile()
        return Server(name, "postgraphile", peers.start_postgraphile(database_url, jwks, port))
    raise ValueError(f"unknown server {name!r} (known: {', '.join(SERVER_NAMES)})")


class ServerSet:
    """Started servers by name; leaving the `with` block (or `stop`) ends every one of them."""

    def __init__(self) -> None:
        self.servers: dict[str, Server] = {}
        self._stack = contextlib.ExitStack()

    @classmethod
    def start(cls, names: Sequence[str], database_url: str, jwks: dict[str, Any], *, say: Any = print) -> ServerSet:
        started = cls()
        try:
            for name in names:
                server = _start(name, database_url, jwks, free_port())
                started._stack.callback(server.peer.stop)
                started.servers[name] = server
                say(f"started {name} at {server.url} (pid {server.pid}, log {server.peer.log_path})")
        except BaseException:
            started.stop()
            raise
        return started

    def __getitem__(self, name: str) -> Server:
        return self.servers[name]

    def __iter__(self) -> Iterator[Server]:
        return iter(self.servers.values())

    def names(self) -> list[str]:
        return list(self.servers)

    def log_paths(self) -> dict[str, Path]:
        return {name: server.peer.log_path for name, server in self.servers.items()}

    def stop(self) -> None:
        self._stack.close()

    def __enter__(self) -> ServerSet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
