"""Calling an integration's webhook: POST to its settings.url (or a given URL), signed with the `signingSecret` of
its encrypted credentials.

The envelope is read through db.integrations.read_envelope, which answers only when the session's caller manages
the integration (42501 otherwise): the API's testIntegration calls this as the requesting user, the workflow
worker as the workflow's or the integration's owner. Every other problem (no URL, no or unusable credentials, a
refused address, a timeout, an HTTP error) is the result's `error`, never an exception; no message carries the
secret. `integration_settings` is what saving an integration checks: every URL of its settings (`url`, and any
key ending in `url`: `redirectUrl`, `base_url`) must be an http(s) URL, as the database's constraint
lead_integrations_settings_urls_check also demands of Studio's edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from db import integrations as sql
from db.session import RequestSession
from domain.credentials import CredentialsError, Keyring
from domain.form_definitions import Problem, raise_problems
from domain.validation import json_object
from domain.webhooks import DeliveryResult, WebhookPolicy, deliver, url_problem

NO_KEYRING = "credentials are not available: this server has no LEADGEN_SECRET_KEY"
MISSING_SIGNING_SECRET = "the integration has no signingSecret in its credentials"  # noqa: S105 - a message


async def decrypt_credentials(
    session: RequestSession, keyring: Keyring, row: Mapping[str, Any] | asyncpg.Record
) -> dict[str, Any] | None:
    """The row's secret object (None without credentials); 42501 unless the caller manages the row;
    CredentialsError when the envelope cannot be decrypted with this keyring for this row and scope."""
    envelope = await sql.read_envelope(session, row["id"])
    if envelope is None:
        return None
    return keyring.decrypt(envelope, row_id=row["id"], owner=row["user_id"], space=row["space_id"])


async def integration_secret(
    session: RequestSession, keyring: Keyring | None, row: Mapping[str, Any] | asyncpg.Record
) -> tuple[dict[str, Any] | None, str | None]:
    """(the decrypted credentials, None) or (None, why they cannot be used); 42501 unless the caller manages it."""
    if keyring is None:
        await sql.read_envelope(session, row["id"])  # the caller's permission first
        return None, NO_KEYRING
    try:
        return await decrypt_credentials(session, keyring, row), None
    except CredentialsError as exc:
        return None, f"the stored credentials cannot be used ({exc}); set them again"


def signing_secret_of(credentials: Mapping[str, Any] | None) -> str | None:
    signing = (credentials or {}).get("signingSecret")
    return signing if isinstance(signing, str) and signing else None


def is_url_setting(key: str) -> bool:
    """Whether a settings key holds a URL (`url`, `redirectUrl`, `base_url`, ...)."""
    return key.lower().endswith("url")


def integration_settings(value: Any, field: str) -> Any:
    """An integration's settings: a JSON object whose URLs (see is_url_setting) are http(s) URLs with a host;
    BAD_USER_INPUT naming each bad key (`input.settings.url`) otherwise."""
    settings = json_object(value, field)
    if isinstance(settings, Mapping):
        problems = [
            Problem(f"{field}.{key}", problem)
            for key, url in settings.items()
            if is_url_setting(str(key)) and (problem := url_problem(url)) is not None
        ]
        raise_problems(problems, f"{field}: invalid URLs")
    return settings


def integration_url(row: Mapping[str, Any] | asyncpg.Record) -> str | None:
    """The integration's settings.url, if it has one."""
    settings = row["settings"] if isinstance(row["settings"], Mapping) else {}
    url = settings.get("url")
    return url.strip() if isinstance(url, str) and url.strip() else None


async def send_integration_webhook(
    session: RequestSession,
    keyring: Keyring | None,
    policy: WebhookPolicy,
    row: Mapping[str, Any] | asyncpg.Record,
    payload: Any,
    *,
    event: str,
    url: str | None = None,
    delivery_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> DeliveryResult:
    """POST `payload` to `url` (default: the integration's settings.url), signed with its signingSecret.

    Raises (42501) unless the session's caller manages the integration; every other problem is the result's
    `error`."""
    credentials, problem = await integration_secret(session, keyring, row)
    if problem is not None:
        return DeliveryResult(False, error=problem)
    target = url or integration_url(row)
    if target is None:
        return DeliveryResult(False, error="settings.url: the integration has no webhook URL")
    signing = signing_secret_of(credentials)
    if signing is None:
        return DeliveryResult(False, error=MISSING_SIGNING_SECRET)
    return await deliver(
        target,
        payload,
        signing,
        timeout=policy.timeout,
        allow_private=policy.allow_private,
        event=event,
        delivery_id=delivery_id,
        headers=headers,
    )
