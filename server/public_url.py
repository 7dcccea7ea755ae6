"""The server's public base URL: LEADGEN_PUBLIC_URL when set, else the origin the request came to."""

from __future__ import annotations

from starlette.requests import Request


def request_origin(request: Request) -> str:
    """scheme://host[:port] as the client addressed this server (behind a proxy: set LEADGEN_PUBLIC_URL)."""
    return f"{request.url.scheme}://{request.url.netloc}"


def public_base_url(configured: str | None, request: Request) -> str:
    return configured.rstrip("/") if configured else request_origin(request)
