"""Invitation emails: `leadgen worker` sends each invitation queued in private.invitation_emails.

Inviting queues the email in the inviting transaction (nothing is sent for a rolled-back invitation, and nothing is
lost when the server stops after committing); the worker claims it like its other queues (FOR UPDATE SKIP LOCKED
under a lease of its clock), and sends it through the email backend of workflow emails (domain/mail.py: SMTP, or
the outbox folder in development), retrying connection problems, timeouts and 4xx answers with the engine's
back-off and failing on 5xx answers or after the last attempt.

The link carries a token that only this deployment can make: `inv1_` and the base64url HMAC-SHA256 of the
invitation's id, keyed by a key derived from LEADGEN_SECRET_KEY for this purpose alone. The database keeps only
its SHA-256 (space_invitations.token_hash, stored when the email is sent), and the same token comes out of every
attempt, so a retried email carries the same link. The Message-ID comes from the invitation too: it is the email's
idempotency key (domain/workflows/effects.py). "Sending" is recorded under it before the message goes out and
"sent" right after, so a retry after a crash does not send a sent email again, and otherwise sends it with the same
Message-ID (an outbox file is replaced, not added). The email's lease is renewed while it is sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from db import invitation_emails as sql
from domain.database_errors import NOT_POSSIBLE, is_state
from domain.mail import EmailBackend, EmailError, build_message, header_text, message_id_for
from domain.visitor_tokens import derive_key
from domain.workflows.actions.send_email import email_backend
from domain.workflows.effects import EffectLedger
from domain.workflows.runtime import LeaseLost
from domain.workflows.steps import LEASE_EXPIRED, Runtime

TOKEN_PREFIX = "inv1_"  # noqa: S105 (a format marker, not a secret)
ROUND_LIMIT = 50  # emails one run_due sends at most, so that workflow steps get their turn
ARTICLES = {"owner": "an owner", "admin": "an admin", "member": "a member", "viewer": "a viewer"}


def invitation_token(secret: bytes, invitation_id: uuid.UUID) -> str:
    """The token of an invitation's link (the same for every call with the same secret)."""
    mac = hmac.new(derive_key(secret, "space-invitation"), invitation_id.bytes, hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> bytes:
    """What the database stores and compares: sha256(convert_to(token, 'UTF8'))."""
    return hashlib.sha256(token.encode("utf-8")).digest()


@dataclass(frozen=True)
class InvitationEmailSettings:
    """The server secret the tokens derive from (b"": none configured) and the accept link, with `{token}`."""

    secret: bytes = field(repr=False)
    link: str = "http://localhost:3000/invitations/accept?token={token}"


@dataclass(frozen=True)
class ClaimedEmail:
    id: int
    invitation_id: uuid.UUID
    attempt: int  # this claim's attempt number (1-based): part of the lease
    last_error: str | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ClaimedEmail:
        return cls(int(row["id"]), row["invitation_id"], int(row["attempts"]), row["last_error"])


def invitation_text(facts: Mapping[str, Any], link: str) -> tuple[str, str]:
    """The subject and the plain-text body of an invitation email."""
    space = header_text(str(facts.get("spaceName") or "a space"), 200)
    inviter = header_text(str(facts.get("inviterName") or "Someone"), 200)
    role = ARTICLES.get(str(facts.get("role")), "a member")
    expires = dt.datetime.fromisoformat(str(facts["expiresAt"])).astimezone(dt.UTC)
    subject = f"{inviter} invited you to {space}"
    body = (
        f"{inviter} invited you to join the space {space} as {role}.\n\n"
        f"Accept (or decline) the invitation here:\n{link}\n\n"
        f"You need to be signed in with this address ({facts['email']}); if you have no account yet, sign up with it "
        "first. You can also find the invitation in the app once you are signed in.\n\n"
        f"The invitation expires on {expires:%Y-%m-%d at %H:%M} UTC. If you did not expect it, ignore this email: "
        "nothing happens unless you accept.\n"
    )
    return subject, body


class InvitationEmails:
    """Claims and sends invitation emails; one instance per worker (it shares the engine's Runtime)."""

    def __init__(self, runtime: Runtime, settings: InvitationEmailSettings) -> None:
        self.runtime = runtime
        self.settings = settings

    async def claim(self, limit: int = 1, lease_seconds: float | None = None) -> list[ClaimedEmail]:
        rows = await self.runtime.claim(sql.CLAIM, limit, lease_seconds)
        return [ClaimedEmail.from_row(row) for row in rows]

    async def run_due(self, limit: int = ROUND_LIMIT) -> int:
        """Send due emails, one at a time, until none is due or `limit` were handled; how many were handled."""
        handled = 0
        while handled < limit:
            claimed = await self.claim(1)
            if not claimed:
                break
            await self.run(claimed[0])
            handled += 1
        return handled

    async def purge(self, before: dt.datetime) -> int:
        async with self.runtime.pool.acquire() as conn:
            return int(await conn.fetchval(sql.PURGE, before))

    async def run(self, email: ClaimedEmail) -> str:
        """Send a claimed email: 'done', 'retry', 'failed', or 'lost' / 'stopped' (nothing recorded)."""
        rt = self.runtime
        if email.attempt > rt.config.max_attempts:
            return await self._settle(email, "failed", f"gave up: {email.last_error or LEASE_EXPIRED}")
        backend = email_backend(rt.settings.email)
        if backend is None:
            return await self._settle(email, "failed", "no email delivery is configured (LEADGEN_SMTP_URL or outbox)")
        if not self.settings.secret:
            return await self._settle(email, "failed", "LEADGEN_SECRET_KEY is not set: no invitation link can be made")
        try:
            async with rt.lease(sql.RENEW, email.id, email.attempt, f"invitation email {email.id}") as lease:
                return await lease.guard(self._send(email, backend))
        except LeaseLost:
            return "lost"

    async def _send(self, email: ClaimedEmail, backend: EmailBackend) -> str:
        rt = self.runtime
        token = invitation_token(self.settings.secret, email.invitation_id)
        async with rt.pool.acquire() as conn:
            facts = await conn.fetchval(
                sql.BEGIN, email.id, rt.worker_id, email.attempt, rt.clock.now(), token_hash(token)
            )
        if not isinstance(facts, Mapping) or facts.get("state") != "run":
            return "stopped" if isinstance(facts, Mapping) and facts.get("state") == "stopped" else "lost"
        subject, body = invitation_text(facts, self.settings.link.replace("{token}", token))
        sender = rt.settings.email.sender
        message_id = message_id_for(f"invitation.{email.invitation_id}", sender)
        message = build_message(
            sender=sender,
            to=str(facts["email"]),
            subject=subject,
            body=body,
            message_id=message_id,
            headers={"X-Leadgen-Invitation": str(email.invitation_id)},
        )
        ledger = EffectLedger(rt.pool, rt.clock, rt.worker_id, "invitation_emails", email.id, email.attempt)
        try:
            effect = await ledger.begin("invitation_email", message_id)
        except asyncpg.PostgresError as exc:
            if is_state(exc, NOT_POSSIBLE):  # the lease on the row is gone
                return "lost"
            raise
        if effect.already_sent:  # it went out before the last attempt could record it: not again
            rt.log.info("invitation email %s: sent already as %s; not sent again", email.id, message_id)
            return await self._settle(email, "done", None)
        try:
            await backend.send(message)
        except EmailError as exc:
            await ledger.settle(effect, sent=False, detail={"backend": backend.name})
            if exc.retryable and email.attempt < rt.config.max_attempts:
                retry_at = rt.clock.now() + dt.timedelta(seconds=rt.config.backoff(email.attempt))
                return await self._settle(email, "retry", f"{exc.message} (will retry)", retry_at)
            return await self._settle(email, "failed", exc.message)
        await ledger.settle(effect, sent=True, detail={"backend": backend.name})
        return await self._settle(email, "done", None)

    async def _settle(
        self, email: ClaimedEmail, outcome: str, error: str | None, retry_at: dt.datetime | None = None
    ) -> str:
        rt = self.runtime
        try:
            async with rt.pool.acquire() as conn:
                await conn.execute(
                    sql.END, email.id, rt.worker_id, email.attempt, rt.clock.now(), outcome, error, retry_at
                )
        except asyncpg.PostgresError as exc:
            if is_state(exc, NOT_POSSIBLE):  # the lease on the row is gone
                rt.log.info("invitation email %s: lease lost before recording %s", email.id, outcome)
                return "lost"
            raise
        if outcome == "failed":
            rt.log.warning("invitation email %s failed: %s", email.id, error)
        return outcome
