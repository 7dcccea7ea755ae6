"""Signed render times: when the server showed a form, so that a page cannot claim it was shown earlier.

The hosted page and the embed's definition carry `rs1.<unix milliseconds>.<base64url HMAC>` bound to the form;
a submission brings it back and its time becomes `context.renderedAt` (the minimum time to submit is measured
from it). A stamp that does not verify counts as no render time at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid

from domain.visitor_tokens import derive_key

STAMP_VERSION = "rs1"
MAC_BYTES = 16


def _mac(secret: bytes, form_id: uuid.UUID, millis: int) -> str:
    key = derive_key(secret, "rendered-at")
    digest = hmac.new(key, f"{STAMP_VERSION}.{form_id}.{millis}".encode(), hashlib.sha256).digest()[:MAC_BYTES]
    return digest.hex()


def sign_rendered_at(secret: bytes, form_id: uuid.UUID, when: dt.datetime) -> str:
    millis = int(when.timestamp() * 1000)
    return f"{STAMP_VERSION}.{millis}.{_mac(secret, form_id, millis)}"


def verify_rendered_at(secret: bytes, form_id: uuid.UUID, stamp: str | None) -> dt.datetime | None:
    """The time a stamp of this form names, or None when it is missing or not one this server signed."""
    if not stamp or len(stamp) > 80:
        return None
    version, _, rest = stamp.partition(".")
    millis_text, _, mac = rest.partition(".")
    if version != STAMP_VERSION or not millis_text.isdigit() or len(millis_text) > 15:
        return None
    millis = int(millis_text)
    if not hmac.compare_digest(mac, _mac(secret, form_id, millis)):
        return None
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)
