"""Signed, opaque tokens for visitors, and the hashed client address that per-client rate limits count.

Both use keys derived from the server secret (LEADGEN_SECRET_KEY) by purpose, so one secret serves every use
without one use's MACs being valid for another. A visitor token names a submission (private.form_submissions
.id, which names the lead): `vt1.<base64url submission id>.<base64url HMAC-SHA256, 128 bits>`. The address is
never stored: only an HMAC of it (of its /64 network for IPv6, which one subscriber usually holds whole), and
one of its network (IPv4 /24, IPv6 /48) for the per-form network share.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import uuid

TOKEN_VERSION = "vt1"  # noqa: S105 (a format marker, not a secret)
MAC_BYTES = 16


def derive_key(secret: bytes, purpose: str) -> bytes:
    if not secret:
        raise RuntimeError("no server secret configured (LEADGEN_SECRET_KEY)")
    return hmac.new(secret, f"leadgen:{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: bytes) -> bytes:
    key = derive_key(secret, "visitor-token")
    return hmac.new(key, TOKEN_VERSION.encode() + b"." + body, hashlib.sha256).digest()[:MAC_BYTES]


def sign_visitor_token(secret: bytes, submission_id: uuid.UUID) -> str:
    body = submission_id.bytes
    return f"{TOKEN_VERSION}.{_b64(body)}.{_b64(_mac(secret, body))}"


def verify_visitor_token(secret: bytes, token: str) -> uuid.UUID | None:
    """The submission id a token names, or None when it is not a token this server signed."""
    version, _, rest = token.partition(".")
    body_text, _, mac_text = rest.partition(".")
    if version != TOKEN_VERSION or not body_text or not mac_text or len(token) > 100:
        return None
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        return None
    if len(body) != 16 or not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    return uuid.UUID(bytes=body)


def client_hash(secret: bytes, address: str | None) -> str | None:
    """HMAC of the client's address for rate limits (of its /64 for IPv6); None when the address is unknown."""
    return _address_hash(secret, address, 32, 64)


def network_hash(secret: bytes, address: str | None) -> str | None:
    """HMAC of the client's network (IPv4 /24, IPv6 /48) for the per-form network share; None when unknown."""
    return _address_hash(secret, address, 24, 48)


def _address_hash(secret: bytes, address: str | None, v4_prefix: int, v6_prefix: int) -> str | None:
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        canonical = address.strip().lower()
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv6Address):
            canonical = str(ipaddress.IPv6Network((ip, v6_prefix), strict=False))
        elif v4_prefix < 32:
            canonical = str(ipaddress.IPv4Network((ip, v4_prefix), strict=False))
        else:
            canonical = str(ip)
    return hmac.new(derive_key(secret, "client-address"), canonical.encode(), hashlib.sha256).hexdigest()
