"""Run a middleware for every path except some prefixes, which go straight to the app (they set their own rules)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send


class OutsidePaths:
    def __init__(self, app: ASGIApp, /, *, prefixes: tuple[str, ...], middleware: Any, **options: Any) -> None:
        self.app = app
        self.prefixes = prefixes
        self.wrapped: ASGIApp = middleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
        else:
            await self.wrapped(scope, receive, send)
