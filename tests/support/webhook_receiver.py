"""A webhook receiver for tests: a stdlib HTTP server on 127.0.0.1 in a thread that checks signatures itself.

It verifies `X-Leadgen-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with its own code (not the
server's), so a test proves that a receiver holding the secret can check what the server sends. Paths choose
the answer: /ok (204), /fail (500), /slow (answers after `slow_seconds`), /redirect (302 to a metadata address).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    port: int = 0
    slow_seconds: float = 3.0
    received: list[Received] = field(default_factory=list)

    scheme: str = "http"

    def url(self, path: str = "/ok", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


def signature_valid(header: str, body: bytes, secret: str, tolerance: int = 300) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp, given = fields.get("t", ""), fields.get("v1", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            valid = signature_valid(self.headers.get("x-leadgen-signature", ""), body, receiver.secret)
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.received.append(Received(self.path, headers, body, valid))
            if self.path == "/slow":
                time.sleep(receiver.slow_seconds)
            status = {"/ok": 204, "/fail": 500, "/redirect": 302, "/slow": 200}.get(self.path, 404)
            self.send_response(status)
            if status == 302:
                self.send_header("location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


@contextmanager
def webhook_receiver(secret: str, slow_seconds: float = 3.0, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """The receiver on a free port of 127.0.0.1; with `tls`, it speaks HTTPS with that server context."""
    receiver = Receiver(secret=secret, slow_seconds=slow_seconds, scheme="https" if tls else "http")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
