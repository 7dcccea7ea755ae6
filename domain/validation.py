"""Validation of input values, with errors naming the field (the database re-checks what it can)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from domain.errors import bad_input

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def email(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    if len(cleaned) > 320 or not EMAIL.match(cleaned):
        raise bad_input(field, f"{field}: not a valid email address")
    return cleaned


def url(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # e.g. "https://[::1": an unbalanced IPv6 bracket
        raise bad_input(field, f"{field}: not a valid http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc or len(cleaned) > 2000 or " " in cleaned:
        raise bad_input(field, f"{field}: not a valid http(s) URL")
    return cleaned


def colour(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if not HEX_COLOUR.match(value):
        raise bad_input(field, f"{field}: expected a hex colour like #3B82F6")
    return value


def int_range(value: int | None, field: str, low: int, high: int) -> int | None:
    if value is not None and not low <= value <= high:
        raise bad_input(field, f"{field}: must be between {low} and {high}")
    return value


def non_negative(value: Any, field: str) -> Any:
    if value is not None and value < 0:
        raise bad_input(field, f"{field}: must not be negative")
    return value


def money(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise bad_input(field, f"{field}: must be a non-negative amount below 1e12")
    return value.quantize(Decimal("0.01"))


def text(value: str | None, field: str, *, max_length: int, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise bad_input(field, f"{field}: is required")
        return None
    if required and not value.strip():
        raise bad_input(field, f"{field}: must not be blank")
    if len(value) > max_length:
        raise bad_input(field, f"{field}: at most {max_length} characters")
    return value


def json_object(value: Any, field: str) -> Any:
    if value is not None and not isinstance(value, dict):
        raise bad_input(field, f"{field}: must be a JSON object")
    return value


def json_array(value: Any, field: str) -> Any:
    if value is not None and not isinstance(value, list):
        raise bad_input(field, f"{field}: must be a JSON array")
    return value


def one_of(value: str | None, field: str, *, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise bad_input(field, f"{field}: must be one of {', '.join(choices)}")
    return value


def matches(value: str | None, field: str, *, pattern: re.Pattern[str], hint: str) -> str | None:
    if value is not None and not pattern.fullmatch(value):
        raise bad_input(field, f"{field}: {hint}")
    return value


def date_order(start: dt.date | None, end: dt.date | None, field: str) -> None:
    """Both dates given: the end may not come before the start."""
    if start is not None and end is not None and end < start:
        raise bad_input(field, f"{field}: must not be before the start date")
