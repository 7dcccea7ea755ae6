"""Errors the leadgen SQL functions raise on purpose (a SQLSTATE and a JSON DETAIL), as the API's errors."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from domain.errors import AppError
from domain.form_definitions import Problem, invalid


def json_detail(exc: asyncpg.PostgresError) -> Any:
    """The error's DETAIL as JSON (None when it has none, or it is not JSON)."""
    try:
        return json.loads(getattr(exc, "detail", None) or "null")
    except ValueError:
        return None


def invalid_input(detail: Any, what: str = "invalid input") -> AppError | None:
    """LG422 (and the triggers' 23514): BAD_USER_INPUT from a DETAIL listing [{field, message}], or None when it
    lists nothing."""
    if not isinstance(detail, list) or not detail:
        return None
    if not all(isinstance(p, dict) and "field" in p and "message" in p for p in detail):
        return None
    return invalid([Problem(str(p["field"]), str(p["message"])) for p in detail], what)


def rate_limited(detail: Any, what: str) -> AppError | None:
    """LG429: RATE_LIMITED from a DETAIL {retry_after, limit}, or None when the DETAIL is not one."""
    if not isinstance(detail, dict):
        return None
    retry_after = int(detail.get("retry_after") or 1)
    return AppError(
        "RATE_LIMITED", f"{what}; try again in {retry_after} seconds", retryAfter=retry_after, limit=detail.get("limit")
    )
