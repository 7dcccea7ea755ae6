"""One submitted value against its field's definition, as Postgres checks it (private.submission_value_problem).

Patterns aside: they are matched by Postgres. Strings are trimmed of spaces, tabs and line breaks only, as
Postgres' btrim(value, E' \\t\\r\\n') does, so that both sides agree on what is blank.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.form_definitions import MAX_VALUE_CHARS, is_number
from domain.free_email import is_free_email_domain

MAX_CHOICES = 200
MAX_URL_CHARS = 2000
BLANKS = " \t\r\n"

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9(][0-9 ().\-/]{5,29}")
URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NUMBER = re.compile(r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*")


@dataclass(frozen=True)
class PublicField:
    """A field as the public definition of a published form shows it."""

    name: str
    type: str
    required: bool
    options: list[Any]
    rules: dict[str, Any]
    label: str = ""
    placeholder: str | None = None


def is_blank(value: Any) -> bool:
    """No value: null, false, [], or a string of blanks (the database's private.is_blank)."""
    if value is None or value is False or value == []:
        return True
    return isinstance(value, str) and not value.strip(BLANKS)


def _number(value: Any) -> Decimal | None:
    if is_number(value):
        return Decimal(str(value))
    if isinstance(value, str) and NUMBER.fullmatch(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _choices_problem(spec: PublicField, value: list[Any]) -> str | None:
    if spec.type == "checkbox" and not spec.options:
        return "expected true or false"
    if len(value) > MAX_CHOICES or not all(isinstance(item, str) for item in value):
        return "expected a list of options"
    if len(set(value)) != len(value):
        return "an option is chosen twice"
    return None if set(value) <= set(spec.options) else "not among the options"


def _email_problem(rules: Mapping[str, Any], value: str) -> str | None:
    address = value.strip(BLANKS)
    if len(address) > 254 or not EMAIL.fullmatch(address):
        return "not a valid email address"
    domain = address.rsplit("@", 1)[1].lower()

    def listed(key: str) -> bool:
        entries = rules.get(key)
        return isinstance(entries, list) and any(
            isinstance(d, str) and (domain == d.lower() or domain.endswith("." + d.lower())) for d in entries
        )

    if ("allowedDomains" in rules and not listed("allowedDomains")) or listed("blockedDomains"):
        return "this email domain is not accepted"
    if rules.get("blockFreeEmail") is True and is_free_email_domain(domain):
        return "please use a work email address"
    return None


def _string_problem(spec: PublicField, value: str) -> str | None:
    rules = spec.rules
    if len(value) > MAX_VALUE_CHARS:
        return f"at most {MAX_VALUE_CHARS} characters"
    if is_number(rules.get("minLength")) and len(value) < rules["minLength"]:
        return f"at least {rules['minLength']} characters"
    if is_number(rules.get("maxLength")) and len(value) > rules["maxLength"]:
        return f"at most {rules['maxLength']} characters"
    text = value.strip(BLANKS)
    if spec.type == "email":
        return _email_problem(rules, value)
    if spec.type == "phone" and (not PHONE.fullmatch(text) or not 6 <= sum(c.isdigit() for c in text) <= 15):
        return "not a valid phone number"
    if spec.type == "url" and (not URL.fullmatch(text) or len(value) > MAX_URL_CHARS):
        return "not a valid http(s) URL"
    if spec.type == "date":
        if not DATE.fullmatch(value):
            return "expected a date, YYYY-MM-DD"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "not a calendar date"
    if spec.type == "select" and value not in spec.options:
        return "not one of the options"
    return None


def value_problem(spec: PublicField, value: Any) -> str | None:
    """What is wrong with a non-blank value for this field (patterns aside), or None."""
    if spec.type in ("multiselect", "checkbox") and isinstance(value, list):
        return _choices_problem(spec, value)
    if spec.type == "multiselect":
        return "expected a list of options"
    if spec.type == "checkbox":
        return None if isinstance(value, bool) else "expected true or false"
    if spec.type == "number":
        number = _number(value)
        if number is None:
            return "expected a number"
        low, high = spec.rules.get("min"), spec.rules.get("max")
        if is_number(low) and number < Decimal(str(low)):
            return f"must be at least {json.dumps(low)}"
        if is_number(high) and number > Decimal(str(high)):
            return f"must be at most {json.dumps(high)}"
        return None
    if not isinstance(value, str):
        return "expected a string"
    return _string_problem(spec, value)
