"""Webhook delivery: signatures, address checks before connecting, and the connection pinned to the checked address."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from domain.webhooks import deliver, refusal_reason, sign, verify_signature
from tests.support.webhook_receiver import signature_valid, webhook_receiver

SECRET = "whsec_0123456789abcdef0123456789abcdef"


def test_signatures_verify_only_with_the_secret_and_in_time() -> None:
    body = b'{"event":"lead.created"}'
    now = int(time.time())
    header = sign(body, SECRET, now)
    assert header.startswith(f"t={now},v1=") and len(header.rsplit("=", 1)[1]) == 64
    assert verify_signature(header, body, SECRET) and signature_valid(header, body, SECRET)
    assert not verify_signature(header, body + b" ", SECRET)
    assert not verify_signature(header, body, SECRET + "x")
    assert not verify_signature(header, body, SECRET, now=now + 301)  # too old: a replay
    assert not verify_signature(f"t={now}", body, SECRET) and not verify_signature("", body, SECRET)
    assert verify_signature(f"{header},v1=00", body, SECRET)  # several signatures (a rotation): one must match


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - refused, not bound
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_refusal_reasons(address: str, reason: str | None) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/x", "only http(s) URLs"),
        ("http:///nohost", "only http(s) URLs"),
        ("https://user:pass@example.com/", "user name or password"),
        ("not a url", "only http(s) URLs"),
        ("http://no-such-host.invalid/", "cannot resolve no-such-host.invalid"),
    ],
)
async def test_unusable_urls_are_reported(url: str, error: str) -> None:
    result = await deliver(url, {}, SECRET, timeout=2, allow_private=False)
    assert result.ok is False and result.status_code is None and result.error is not None
    assert error in result.error and SECRET not in result.error


def _resolver(answers: dict[str, list[str]]) -> Any:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]
        return real(host, port, *args, **kwargs)

    return getaddrinfo


async def test_a_name_is_checked_by_every_address_it_resolves_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _resolver({"mixed.example": ["93.184.216.34", "127.0.0.1"]}))
    result = await deliver("http://mixed.example/hook", {}, SECRET, timeout=2, allow_private=False)
    assert result.ok is False and result.error == "refused: mixed.example resolves to a loopback address (127.0.0.1)"


async def test_the_connection_goes_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolved once, then connected to by address: the name keeps its place in the Host header only."""
    calls: list[str] = []
    resolver = _resolver({"hooks.example": ["127.0.0.1"]})

    def counting(host: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(host))
        return resolver(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    with webhook_receiver(SECRET) as receiver:
        url = f"http://hooks.example:{receiver.port}/ok"
        result = await deliver(url, {"n": 1}, SECRET, timeout=2, allow_private=True, event="lead.created")
        refused = await deliver(url, {"n": 2}, SECRET, timeout=2, allow_private=False)
    assert result.ok is True and result.status_code == 204 and result.error is None
    assert calls.count("hooks.example") == 2  # once per delivery, never again by the HTTP client
    [received] = receiver.received
    assert received.headers["host"] == f"hooks.example:{receiver.port}"
    assert received.headers["x-leadgen-event"] == "lead.created" and received.signature_valid
    assert received.headers["x-leadgen-delivery"] == result.delivery_id and received.json() == {"n": 1}
    assert refused.ok is False and refused.error is not None and "loopback" in refused.error


def _certificate(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for `name`: the receiver's server context, and a client context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_https_is_checked_against_the_name_while_connecting_to_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pinned to the checked address, TLS still sends the name (SNI) and verifies the certificate against it."""
    names = {"hooks.example": ["127.0.0.1"], "evil.example": ["127.0.0.1"]}
    monkeypatch.setattr(socket, "getaddrinfo", _resolver(names))
    server_tls, client_tls = _certificate(tmp_path, "hooks.example")
    with webhook_receiver(SECRET, tls=server_tls) as receiver:
        trusting = httpx.AsyncHTTPTransport(verify=client_tls)
        good = await deliver(
            receiver.url(host="hooks.example"), {}, SECRET, timeout=5, allow_private=True, transport=trusting
        )
        trusting = httpx.AsyncHTTPTransport(verify=client_tls)
        wrong = await deliver(
            receiver.url(host="evil.example"), {}, SECRET, timeout=5, allow_private=True, transport=trusting
        )
    assert good.ok is True and good.status_code == 204, good
    assert wrong.ok is False and wrong.error == "could not deliver: ConnectError", wrong
    [received] = receiver.received
    assert received.headers["host"] == f"hooks.example:{receiver.port}" and received.signature_valid
