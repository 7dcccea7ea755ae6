"""Errors with a stable code from the API's closed set; raised anywhere below the GraphQL layer."""

from __future__ import annotations

from typing import Any, Literal

ErrorCode = Literal[
    "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "RATE_LIMITED", "INTERNAL"
]


class AppError(Exception):
    """An error the client may see as is: `extensions.code`, and `extensions.field` for bad input."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.field = field
        self.extra = extra

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code}
        if self.field is not None:
            ext["field"] = self.field
        ext.update(self.extra)
        return ext


def bad_input(field: str, message: str, **extra: Any) -> AppError:
    return AppError("BAD_USER_INPUT", message, field=field, **extra)


def not_found(what: str) -> AppError:
    return AppError("NOT_FOUND", f"{what} not found")
