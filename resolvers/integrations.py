"""Integrations: credentials encrypted here and written as the caller (never read back by the API), and webhooks.

`send_webhook` calls an integration's webhook through domain/integration_webhooks.py, the one way to do it: it
reads the envelope (only for an integration the session's caller manages), decrypts the signing secret and
delivers a signed payload. testIntegration uses it here; the workflow worker (the webhook action and the
integration push) calls the domain function on a session acting as the workflow's or integration's owner.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from db import integrations as sql
from db.session import RequestSession
from domain.credentials import CredentialsError, Keyring, hint_for, validate_secret
from domain.errors import AppError, bad_input, not_found
from domain.integration_webhooks import decrypt_credentials, send_integration_webhook
from domain.webhooks import DeliveryResult
from resolvers.context import Context, Integrations
from resolvers.reads import row_by_id
from resolvers.writes import create_row, update_row

TABLE = "lead_integrations"
NOUN = "Integration"
FIELD = "credentials"
TEST_EVENT = "integration.test"


def _keyring(ctx: Context) -> Keyring:
    keyring = ctx.integrations.keyring
    if keyring is None:
        raise AppError("INTERNAL", "integration credentials are not available: this server has no LEADGEN_SECRET_KEY")
    return keyring


async def _visible(ctx: Context, row_id: uuid.UUID) -> asyncpg.Record:
    row = await row_by_id(ctx, TABLE, row_id)
    if row is None:
        raise not_found(NOUN)
    return row


async def _store(ctx: Context, row: asyncpg.Record, secret: Mapping[str, str] | None) -> asyncpg.Record:
    """Replace (or, with None, clear) the row's credentials: encrypted for this row and its scope."""
    envelope: dict[str, Any] | None = None
    hint: str | None = None
    if secret is not None:
        owner, space = row["user_id"], row["space_id"]
        envelope = _keyring(ctx).encrypt(secret, row_id=row["id"], owner=owner, space=space)
        hint = hint_for(secret)
    updated = await ctx.session.fetchrow(sql.SET_CREDENTIALS, row["id"], envelope, hint)
    if updated is None:  # visible, but not the caller's to change
        raise AppError("FORBIDDEN", f"not allowed to change the credentials of this {NOUN}")
    ctx.loaders.forget(TABLE, str(row["id"]))
    return updated


async def _decrypt(session: RequestSession, keyring: Keyring, row: asyncpg.Record) -> dict[str, Any] | None:
    """The row's secret object (None without credentials); 42501 unless the caller manages the row."""
    return await decrypt_credentials(session, keyring, row)


def _secret(credentials: Any, integration_type: str | None) -> dict[str, str] | None:
    return None if credentials is None else validate_secret(credentials, FIELD, integration_type)


async def create_integration(ctx: Context, values: Mapping[str, Any], credentials: Any) -> asyncpg.Record:
    """Insert the integration, then its credentials (encrypted for the new row's id and scope)."""
    secret = _secret(credentials, values.get("integration_type"))
    if secret is not None:
        _keyring(ctx)  # refuse before writing anything
    row = await create_row(ctx, TABLE, values)
    return row if secret is None else await _store(ctx, row, secret)


async def update_integration(
    ctx: Context, row_id: uuid.UUID, values: Mapping[str, Any], credentials: Any
) -> asyncpg.Record:
    """Apply the patch; new credentials replace the old ones. Moved to another space, the stored credentials
    are re-encrypted for it (the database drops credentials that change scope without new ones)."""
    old = await _visible(ctx, row_id)
    secret = _secret(credentials, values.get("integration_type", old["integration_type"]))
    if secret is None and old["has_credentials"] and values.get("space_id", old["space_id"]) != old["space_id"]:
        try:
            secret = await _decrypt(ctx.session, _keyring(ctx), old)
        except CredentialsError:
            raise bad_input(
                FIELD, f"{FIELD}: the stored credentials cannot be carried to the new space; give new ones"
            ) from None
    elif secret is not None:
        _keyring(ctx)
    row = await update_row(ctx, TABLE, row_id, values, NOUN)
    return row if secret is None else await _store(ctx, row, secret)


async def rotate_credentials(ctx: Context, row_id: uuid.UUID, credentials: Any) -> asyncpg.Record:
    row = await _visible(ctx, row_id)
    secret = validate_secret(credentials, FIELD, row["integration_type"])
    return await _store(ctx, row, secret)


async def clear_credentials(ctx: Context, row_id: uuid.UUID) -> asyncpg.Record:
    return await _store(ctx, await _visible(ctx, row_id), None)


async def send_webhook(
    session: RequestSession, integrations: Integrations, row: asyncpg.Record, payload: Any, *, event: str
) -> DeliveryResult:
    """POST `payload` to the integration's settings.url, signed with its credentials' signingSecret
    (domain/integration_webhooks.py).

    Raises (42501, FORBIDDEN) unless the session's caller manages the integration; every other problem (no URL,
    no or unusable credentials, refused address, timeout, HTTP error) is the result's `error`."""
    return await send_integration_webhook(
        session, integrations.keyring, integrations.webhooks, row, payload, event=event
    )


async def run_integration_test(ctx: Context, row_id: uuid.UUID, integration_id: str) -> DeliveryResult:
    """Send a signed test event to a webhook integration (its managers only)."""
    row = await _visible(ctx, row_id)
    if row["integration_type"] != "webhook":
        raise bad_input("id", "id: only webhook integrations can be tested")
    payload = {
        "event": TEST_EVENT,
        "integration": {"id": integration_id, "name": row["integration_name"]},
        "sentAt": dt.datetime.now(dt.UTC).isoformat(),
        "test": True,
    }
    return await send_webhook(ctx.session, ctx.integrations, row, payload, event=TEST_EVENT)
