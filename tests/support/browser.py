"""Real browsers for the public form tests: Debian's chromium driven by Playwright, and real uvicorn servers.

Never `playwright install` (it downloads a browser of its own): the tests launch /usr/bin/chromium, which .ci/run
installs with apt-get when it is missing. Without it the tests are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from tests.support.waiting import wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# screenshots for a person to look at (ignored by git)
OUTPUT = Path(__file__).resolve().parents[1] / "output"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package before the tests")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")


@contextlib.asynccontextmanager
async def live_server(app: ASGIApp) -> AsyncIterator[str]:
    """`app` served by uvicorn on a free loopback port, in this event loop; yields its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:

        def started() -> bool:
            if task.done():
                task.result()  # a server that could not start raises here
            return bool(server.started)

        await wait_until(started, 30, "the page server to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def other_site(form_origin: str, snippets: dict[str, str]) -> Starlette:
    """A website on another origin: a page with a form's embed snippet (as LeadForm.embedSnippet gives it, keyed
    by slug in `snippets`), a page that frames the hosted page, and a thank-you page to redirect to."""

    def document(title: str, body: str) -> HTMLResponse:
        return HTMLResponse(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>"
        )

    async def embed(request: Request) -> HTMLResponse:
        snippet = snippets.get(request.query_params.get("form", ""), "")
        return document("Partner blog", f"<p>Read our article, then get in touch.</p>{snippet}")

    async def framed(request: Request) -> HTMLResponse:
        slug = request.query_params.get("form", "")
        frame = (
            f'<iframe id="lead-form" src="{form_origin}/f/{slug}" title="Contact" width="600" height="900"></iframe>'
        )
        return document("Framed", frame)

    async def thanks(_: Request) -> HTMLResponse:
        return document("Thank you", "")

    return Starlette(routes=[Route("/embed.html", embed), Route("/framed.html", framed), Route("/thanks", thanks)])
