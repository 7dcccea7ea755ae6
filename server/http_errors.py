"""HTTP errors raised by routing (unknown path, method not allowed) answered as JSON like every other error."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.responses import error_response


async def http_error_as_json(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return error_response(404, f"nothing is served at {request.url.path}", "NOT_FOUND", headers)
    if exc.status_code == 405:
        allowed = next((value for name, value in headers.items() if name.lower() == "allow"), "")
        message = f"{request.method} is not allowed here" + (f"; use {allowed}" if allowed else "")
        return error_response(405, message, "BAD_USER_INPUT", headers)
    if exc.status_code == 503:
        return error_response(503, exc.detail, "UNAVAILABLE", headers, retryable=True)
    return error_response(exc.status_code, exc.detail, "BAD_USER_INPUT", headers)
