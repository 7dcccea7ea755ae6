"""Signed webhook deliveries: POST JSON with an HMAC-SHA256 signature, to public addresses only (by default).

The signature header is `X-Leadgen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed
with the integration's signing secret (`verify_signature` is the receiver's side). The delivery id travels as
`X-Leadgen-Delivery` and as `Idempotency-Key`: the worker sends the same id on every try of one delivery, so a
receiver drops what it has processed already (docs/worker.md). Before connecting, the
host is resolved and every address it has must be public: private, loopback, link-local, multicast and
reserved addresses are refused unless `allow_private` (local development and tests). The request then goes
to the address that was checked (the URL's host stays in the Host header and in TLS's SNI and certificate
check), so a DNS answer that changes between the check and the connection (DNS rebinding) cannot redirect
it. Redirects are not followed, proxies from the environment are not used, the response body is not read,
and the whole delivery (resolution included) is bounded by `timeout`.

`deliver` is what the API's testIntegration uses, and what the workflow worker reuses for webhook pushes.
Error messages never contain the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Leadgen-Signature"
EVENT_HEADER = "X-Leadgen-Event"
DELIVERY_HEADER = "X-Leadgen-Delivery"
# the delivery id again, under the name receivers' idempotency middleware looks for: the same for every try
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = "leadgen-webhooks/1"
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 30.0
SIGNATURE_TOLERANCE = 300  # seconds a receiver accepts between the signature's time and its own clock
# headers a delivery sets itself (or that HTTP/1.1 framing owns): extra headers of these names are ignored
RESERVED_HEADERS = frozenset(
    {"host", "content-type", "content-length", "user-agent", "connection", "transfer-encoding", "te", "upgrade"}
    | {SIGNATURE_HEADER.lower(), EVENT_HEADER.lower(), DELIVERY_HEADER.lower(), IDEMPOTENCY_HEADER.lower()}
)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL = 2000


def url_problem(url: Any) -> str | None:
    """Why `url` cannot be a webhook's address, checked when it is saved (its host's addresses are checked when it
    is called): an http(s) URL with a host, no user name or password, at most MAX_URL characters."""
    if not isinstance(url, str) or not url.strip():
        return "must be an http(s) URL"
    if len(url) > MAX_URL:
        return f"at most {MAX_URL} characters"
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        return "not a valid URL"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "must be an http(s) URL with a host"
    if parsed.userinfo:
        return "must not carry a user name or password (use headers)"
    if any(c.isspace() or ord(c) < 32 for c in url.strip()):
        return "must not contain spaces or control characters"
    return None


@dataclass(frozen=True)
class WebhookPolicy:
    """How deliveries go out: their time limit, and whether private addresses may be reached."""

    timeout: float = DEFAULT_TIMEOUT
    allow_private: bool = False


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery: a 2xx status is success; otherwise the status or the error says why."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0
    delivery_id: str = ""
    # why it failed: "refused" (the URL or its address may not be called), "timeout", "network" or "http" (a
    # non-2xx answer); None when it succeeded, or for a failure before any delivery (no URL, no secret)
    failure: str | None = None

    @property
    def retryable(self) -> bool:
        """Worth another try later: a timeout, a network error, a 5xx, 408 or 429 (never a refusal or another 4xx)."""
        if self.failure in ("timeout", "network"):
            return True
        return (
            self.failure == "http"
            and self.status_code is not None
            and (self.status_code >= 500 or self.status_code in (408, 429))
        )


class DeliveryRefused(Exception):
    """The URL may not be called (scheme, host or address); the message says why."""


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    header: str, body: bytes, secret: str, *, tolerance: int = SIGNATURE_TOLERANCE, now: float | None = None
) -> bool:
    """The receiver's check: a v1 signature of this body with this secret, made within `tolerance` seconds."""
    parts = [part.strip().split("=", 1) for part in header.split(",")]
    pairs = [(p[0], p[1]) for p in parts if len(p) == 2]
    stamps = [value for name, value in pairs if name == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(body, secret, timestamp).rsplit("v1=", 1)[1]
    return any(name == "v1" and hmac.compare_digest(value, expected) for name, value in pairs)


def refusal_reason(address: IpAddress) -> str | None:
    """Why a delivery may not go to `address`, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for reason, flagged in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    ):
        if flagged:
            return reason
    return None


async def resolve(host: str, port: int) -> list[IpAddress]:
    """The addresses of `host` (itself, when it is an IP address), in the resolver's order."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryRefused(f"cannot resolve {host}") from exc
    addresses: list[IpAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise DeliveryRefused(f"cannot resolve {host}")
    return addresses


async def pinned_target(url: str, allow_private: bool) -> tuple[httpx.URL, str]:
    """The URL with its host replaced by a checked address, and the original host (for Host and SNI)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DeliveryRefused("not a valid URL") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DeliveryRefused("only http(s) URLs with a host can be called")
    if parsed.userinfo:
        raise DeliveryRefused("URLs with a user name or password are not allowed")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await resolve(parsed.host, port)
    if not allow_private:
        for address in addresses:
            reason = refusal_reason(address)
            if reason is not None:
                raise DeliveryRefused(f"refused: {parsed.host} resolves to a {reason} address ({address})")
    return parsed.copy_with(host=str(addresses[0])), parsed.host


async def deliver(
    url: str,
    payload: Any,
    secret: str,
    *,
    timeout: float,  # noqa: ASYNC109 - the delivery bounds itself: resolution, connection and answer together
    allow_private: bool,
    event: str = "test",
    transport: httpx.AsyncBaseTransport | None = None,
    delivery_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> DeliveryResult:
    """POST `payload` as JSON to `url`, signed with `secret`; never raises for network or HTTP failures.

    `delivery_id` (X-Leadgen-Delivery and Idempotency-Key; a new UUID by default) lets a receiver recognise a
    retried delivery;
    `headers` are extra request headers (names in RESERVED_HEADERS are the delivery's own and are ignored)."""
    delivery_id = delivery_id or str(uuid.uuid4())
    limit = min(max(timeout, 0.001), MAX_TIMEOUT)
    started = time.monotonic()

    def result(
        ok: bool, status: int | None = None, error: str | None = None, failure: str | None = None
    ) -> DeliveryResult:
        elapsed = int((time.monotonic() - started) * 1000)
        return DeliveryResult(ok, status, error, elapsed, delivery_id, failure)

    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
    try:
        async with asyncio.timeout(limit):
            target, host = await pinned_target(url, allow_private)
            extra = {k: v for k, v in (headers or {}).items() if k.lower() not in RESERVED_HEADERS}
            request_headers = {
                **extra,
                "Host": host if target.port is None else f"{host}:{target.port}",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                EVENT_HEADER: event,
                DELIVERY_HEADER: delivery_id,
                IDEMPOTENCY_HEADER: delivery_id,
                SIGNATURE_HEADER: sign(body, secret, int(time.time())),
            }
            extensions = {"sni_hostname": host} if target.scheme == "https" else {}
            async with (
                httpx.AsyncClient(
                    timeout=httpx.Timeout(limit), follow_redirects=False, trust_env=False, transport=transport
                ) as client,
                client.stream("POST", target, content=body, headers=request_headers, extensions=extensions) as response,
            ):
                status = response.status_code
    except DeliveryRefused as exc:
        return result(False, error=str(exc), failure="refused")
    except (TimeoutError, httpx.TimeoutException):
        return result(False, error=f"timed out after {limit:g}s", failure="timeout")
    except httpx.HTTPError as exc:
        return result(False, error=f"could not deliver: {type(exc).__name__}", failure="network")
    except OSError as exc:
        return result(False, error=f"could not deliver: {type(exc).__name__}", failure="network")
    if 200 <= status < 300:
        return result(True, status)
    return result(False, status, f"the receiver answered HTTP {status}", failure="http")
