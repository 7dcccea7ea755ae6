"""The GraphiQL page (development only) with a Content-Security-Policy that allows exactly what it loads."""

from __future__ import annotations

import base64
import functools
import hashlib
import re

from starlette.responses import HTMLResponse
from strawberry.http.ides import get_graphql_ide_html

_INLINE = re.compile(r"<(script|style)(?![^>]*\bsrc=)[^>]*>(.*?)</\1>", re.DOTALL)
# Strawberry's page loads React and GraphiQL from this CDN (pinned versions with integrity hashes).
ASSET_HOST = "https://unpkg.com"


def _hashes(html: str, tag: str) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for kind, body in _INLINE.findall(html)
        if kind == tag
    )


@functools.cache
def graphiql_page() -> tuple[str, str]:
    """The page and its CSP: inline scripts and styles by hash, assets from the CDN, requests to this server."""
    html = get_graphql_ide_html()
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {ASSET_HOST} {_hashes(html, 'script')}",
            f"style-src {ASSET_HOST} 'unsafe-inline'",  # GraphiQL's components set inline styles
            f"font-src {ASSET_HOST} data:",
            "img-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return html, csp


def graphiql_response() -> HTMLResponse:
    html, csp = graphiql_page()
    return HTMLResponse(html, headers={"content-security-policy": csp})
