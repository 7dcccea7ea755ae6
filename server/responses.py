"""Answers of the GraphQL endpoint before they meet HTTP, and how they become responses in a media type."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from server.media_types import JSON

# How long a client should wait before retrying an operation that found the database unavailable.
RETRY_AFTER_SECONDS = 2


@dataclass
class Answer:
    """An operation's JSON body, with the status it takes as `application/graphql-response+json`."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # the request's document is at fault (parse, validation, variables, cost): a client that only accepts
    # application/json gets these with status 200, as GraphQL over HTTP asks
    document_error: bool = False

    def status_for(self, media_type: str) -> int:
        return 200 if self.document_error and media_type == JSON else self.status

    def response(self, media_type: str) -> Response:
        return Response(self.body, status_code=self.status_for(media_type), media_type=media_type, headers=self.headers)


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def answer(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(encode(body), status, dict(headers or {}))


def error_answer(
    status: int,
    message: str,
    code: str,
    headers: dict[str, str] | None = None,
    *,
    document_error: bool = False,
    **extensions: Any,
) -> Answer:
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return Answer(encode({"errors": [error]}), status, dict(headers or {}), document_error)


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None, **extensions: Any
) -> Response:
    """An error answered before any operation (bad request, token, media type), as application/json."""
    return error_answer(status, message, code, headers, **extensions).response(JSON)


def unavailable(reason: str) -> Answer:
    """The database is unreachable or saturated: nothing was done, and the same request may succeed later."""
    return error_answer(
        503,
        f"the service is temporarily unavailable ({reason}); nothing was written, try again shortly",
        "UNAVAILABLE",
        {"retry-after": str(RETRY_AFTER_SECONDS)},
        retryable=True,
    )


def unavailable_response(reason: str) -> Response:
    return unavailable(reason).response(JSON)


def timed_out(seconds: float | None) -> Answer:
    """The operation ran out of time, or the database cancelled its statement, and it was stopped and rolled back.

    Not marked retryable: the same request would most likely take as long again."""
    if seconds is None:
        message = "the database stopped a statement of this operation (statement timeout or cancellation)"
    else:
        message = f"the operation did not finish within {seconds:g} s and was stopped"
    return error_answer(504, message + "; nothing was written", "TIMEOUT", retryable=False)


def stopped(*, mutation: bool) -> Answer:
    """The server is shutting down and cancelled the operation: rolled back, unless a mutation was committing."""
    if mutation:
        message = (
            "the server is shutting down and stopped this mutation before it finished: it was rolled back, unless it "
            "was already committing; check before sending it again"
        )
        return error_answer(503, message, "UNAVAILABLE", retryable=False)
    message = "the server is shutting down and stopped this operation before it finished; try again shortly"
    return error_answer(503, message, "UNAVAILABLE", {"retry-after": str(RETRY_AFTER_SECONDS)}, retryable=True)


def batch_response(answers: list[Answer], media_type: str) -> Response:
    """A batch's answers as one JSON array, in the order asked (HTTP 200: each item carries its own errors)."""
    body = b"[" + b",".join(a.body for a in answers) + b"]"
    return Response(body, media_type=media_type)
