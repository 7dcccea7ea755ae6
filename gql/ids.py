"""Relay global IDs: base64("<TypeName>:<uuid>"), the same string the compiled SQL builds."""

from __future__ import annotations

import base64
import binascii
import uuid

from domain.errors import bad_input


def global_id(type_name: str, row_id: object) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode("ascii")


def parse_global_id(value: str) -> tuple[str, uuid.UUID] | None:
    try:
        type_name, _, raw = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def decode_id(value: str, expected: str | tuple[str, ...], field: str) -> uuid.UUID:
    """The row id inside a global ID of one of the `expected` types; BAD_USER_INPUT otherwise."""
    allowed = (expected,) if isinstance(expected, str) else expected
    parsed = parse_global_id(value)
    if parsed is None:
        raise bad_input(field, f"{field}: not a valid ID")
    type_name, row_id = parsed
    if type_name not in allowed:
        raise bad_input(field, f"{field}: expected the ID of a {' or '.join(allowed)}, got a {type_name}")
    return row_id
