"""JSON responses of the GraphQL endpoint, including the ones for requests it refuses before running them."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

# How long a client should wait before retrying an operation that found the database unavailable.
RETRY_AFTER_SECONDS = 2


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
    return Response(text, status_code=status, media_type="application/json", headers=headers)


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None, **extensions: Any
) -> Response:
    return json_response(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}, status, headers
    )


def unavailable_response(reason: str) -> Response:
    """The database is unreachable or saturated: nothing was done, and the same request may succeed later."""
    return error_response(
        503,
        f"the service is temporarily unavailable ({reason}); nothing was written, try again shortly",
        "UNAVAILABLE",
        {"retry-after": str(RETRY_AFTER_SECONDS)},
        retryable=True,
    )


def timeout_response(seconds: float | None) -> Response:
    """The operation ran out of time, or the database cancelled its statement, and it was stopped and rolled back.

    Not marked retryable: the same request would most likely take as long again."""
    if seconds is None:
        message = "the database stopped a statement of this operation (statement timeout or cancellation)"
    else:
        message = f"the operation did not finish within {seconds:g} s and was stopped"
    return error_response(504, message + "; nothing was written", "TIMEOUT", retryable=False)


def stopped_response(*, mutation: bool) -> Response:
    """The server is shutting down and cancelled the operation: rolled back, unless a mutation was committing."""
    if mutation:
        message = (
            "the server is shutting down and stopped this mutation before it finished: it was rolled back, unless it "
            "was already committing; check before sending it again"
        )
        return error_response(503, message, "UNAVAILABLE", retryable=False)
    message = "the server is shutting down and stopped this operation before it finished; try again shortly"
    return error_response(503, message, "UNAVAILABLE", {"retry-after": str(RETRY_AFTER_SECONDS)}, retryable=True)
