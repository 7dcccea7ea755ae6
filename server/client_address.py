"""The client's address behind trusted proxies: X-Forwarded-For is believed only from LEADGEN_TRUSTED_PROXIES.

Rate limits count addresses, so the address must be one a client cannot choose. Without trusted proxies (the
default) it is the socket's peer, and X-Forwarded-For is ignored. With them, and only when the peer is one of
them, it is the right-most address of X-Forwarded-For that is not a trusted proxy: every proxy appends the
address it received the request from, so entries left of the first untrusted one may be the client's own
inventions. The middleware rewrites the ASGI scope's `client`, so every reader (Starlette's `request.client`,
the GraphQL endpoint's rate limits) sees the same address; `uvicorn_proxy_options` gives uvicorn the same list,
for its logs and `X-Forwarded-Proto`, instead of its default of trusting 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """LEADGEN_TRUSTED_PROXIES: comma-separated addresses or CIDR networks, as normalised network strings."""
    networks: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(f"LEADGEN_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return tuple(dict.fromkeys(networks))


def _address(text: str) -> Address | None:
    """An X-Forwarded-For entry as an address: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:5678`; else None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class TrustedProxies:
    """The proxies whose X-Forwarded-For is believed, and how the client's address is read from it."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self.networks: tuple[Network, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, address: Address | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str | None:
        """The client's address: the peer's, unless the peer is trusted and says whom it forwards for."""
        if peer is None or not self.trusts(_address(peer)):
            return peer
        entries = [e for value in forwarded_for for e in (part.strip() for part in value.split(",")) if e]
        client = peer
        for entry in reversed(entries):
            address = _address(entry)
            if address is None:  # a trusted proxy wrote something unreadable: stop at the last hop known
                break
            client = str(address)
            if not self.trusts(address):
                break
        return client


class TrustedProxyMiddleware:
    """Sets the ASGI scope's `client` to the address `TrustedProxies.client` finds (HTTP and WebSocket)."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            host, port = (peer[0], peer[1]) if peer else (None, 0)
            forwarded = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"]
            client = self.proxies.client(host, forwarded) if self.proxies else host
            if client != host:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)


def uvicorn_proxy_options(trusted: tuple[str, ...]) -> dict[str, Any]:
    """uvicorn's proxy settings for the same proxies: off without any (uvicorn would trust 127.0.0.1)."""
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": list(trusted)}
