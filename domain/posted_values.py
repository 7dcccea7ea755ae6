"""A browser's form post (name=value pairs) as submitForm's values and context, by the form's field types.

The hosted page and the embed post the fields under their own names, and the page's meta data under names no
field can have (they start with `_lg_`): the signed render time, the idempotency key, the page's URL and its
referrer. UTM parameters are read from the page's URL, as a page calling submitForm would pass them. A bad
meta value is dropped rather than refused: a person cannot fix a hidden field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from domain.form_values import MAX_URL_CHARS, URL
from domain.submissions import MAX_IDEMPOTENCY_KEY_CHARS, MAX_UTM_CHARS, PublicForm, VisitContext

META_PREFIX = "_lg_"
RENDERED = "_lg_rendered"
IDEMPOTENCY_KEY = "_lg_key"
PAGE_URL = "_lg_page"
REFERRER = "_lg_ref"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
INTEGER = re.compile(r"\s*[-+]?[0-9]{1,15}\s*")
DECIMAL = re.compile(r"\s*[-+]?([0-9]{1,15}\.?[0-9]{0,15}|\.[0-9]{1,15})\s*")

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Posted:
    """What a post carried: the values to submit, the page's context, and its meta fields as sent."""

    values: dict[str, Any]
    page_url: str | None
    referrer: str | None
    stamp: str | None
    idempotency_key: str | None

    def context(self, rendered_at: dt.datetime | None) -> VisitContext:
        utm = utm_of(self.page_url)
        return VisitContext(rendered_at=rendered_at, page_url=self.page_url, referrer=self.referrer, **utm)


def http_url(value: str | None) -> str | None:
    """An http(s) URL fit for the context (at most 2000 characters), else None."""
    if value is None:
        return None
    cleaned = value.strip()
    return cleaned if cleaned and len(cleaned) <= MAX_URL_CHARS and URL.fullmatch(cleaned) else None


def utm_of(page_url: str | None) -> dict[str, str | None]:
    """The UTM parameters of a page's URL (the first of each; blank and overlong ones left out)."""
    found: dict[str, str | None] = dict.fromkeys(UTM_KEYS)
    if page_url is None:
        return found
    try:
        query = parse_qsl(urlsplit(page_url).query, max_num_fields=200)
    except ValueError:
        return found
    for key, value in query:
        text = value.strip()
        if key in found and found[key] is None and text and len(text) <= MAX_UTM_CHARS:
            found[key] = text
    return found


def _number(text: str) -> Any:
    """A number as JSON would carry it when the text is one (so that the stored values are numbers); else the text."""
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return text


def _first(pairs: Pairs, name: str) -> str | None:
    return next((value for key, value in pairs if key == name), None)


def _meta(pairs: Pairs, name: str, longest: int) -> str | None:
    value = _first(pairs, name)
    return value.strip() if value is not None and 0 < len(value.strip()) <= longest else None


def posted_values(form: PublicForm, pairs: Pairs) -> Posted:
    """The submission a post makes. Blank texts are left out (as a page leaves out an empty field); keys that are no
    field of the form are kept, so that the submission is refused for them as submitForm refuses them."""
    values: dict[str, Any] = {}
    known = set()
    for spec in form.fields:
        known.add(spec.name)
        given = [value for key, value in pairs if key == spec.name]
        if spec.type == "multiselect" or (spec.type == "checkbox" and spec.options):
            if given:
                values[spec.name] = given
        elif spec.type == "checkbox":
            values[spec.name] = bool(given)
        elif given and given[0].strip():
            values[spec.name] = _number(given[0]) if spec.type == "number" else given[0]
    for key, value in pairs:
        if key not in known and not key.startswith(META_PREFIX) and key not in values:
            values[key] = value
    return Posted(
        values=values,
        page_url=http_url(_first(pairs, PAGE_URL)),
        referrer=http_url(_first(pairs, REFERRER)),
        stamp=_meta(pairs, RENDERED, 80),
        idempotency_key=_meta(pairs, IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_CHARS),
    )
