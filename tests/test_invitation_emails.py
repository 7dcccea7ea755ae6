"""Invitation emails: queued with the invitation, sent by the worker (outbox or SMTP) with a link whose token only
the deployment can make, stored as a hash; the token in the email accepts the invitation for its invitee."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.pool import create_worker_pool
from domain.invitation_emails import InvitationEmails, InvitationEmailSettings, invitation_token
from domain.workflows.clock import FakeClock
from domain.workflows.settings import ActionSettings, EngineConfig
from domain.workflows.steps import Runtime
from server.worker import WorkerOptions, open_worker
from tests.support.databases import PgCluster, with_user
from tests.support.invitations import address_of, call_as
from tests.support.roles import user_claims
from tests.support.smtp_server import smtp_server
from tests.support.waiting import wait_until
from tests.support.workflow_actions import SENDER, action_settings
from tests.support.workflows import add_user, admin, space_of, workflow_db

__all__ = ["admin", "workflow_db"]  # fixtures
SECRET = secrets.token_bytes(32)
LINK = "https://app.example/invitations/accept?token={token}"
TOKEN_IN_LINK = re.compile(r"https://app\.example/invitations/accept\?token=(\S+)")


@dataclass(frozen=True)
class Invited:
    space: uuid.UUID
    invitee: uuid.UUID
    address: str
    invitation: uuid.UUID


@asynccontextmanager
async def mailer(
    cluster: PgCluster, database: str, settings: ActionSettings, config: EngineConfig | None = None
) -> AsyncIterator[InvitationEmails]:
    """The worker's invitation emails on a pool of its login role, with a clock of their own."""
    pool = await create_worker_pool(with_user(cluster.dsn(database), "leadgen_worker"), min_size=1, max_size=2)
    runtime = Runtime(pool, "test-worker", FakeClock(), config or EngineConfig(), settings)
    try:
        yield InvitationEmails(runtime, InvitationEmailSettings(secret=SECRET, link=LINK))
    finally:
        await pool.close()


async def commit_as(cluster: PgCluster, database: str, claims: dict[str, Any], sql: str, *args: Any) -> Any:
    """One committed statement as the caller of `claims`, through the API login role."""
    api = await asyncpg.connect(cluster.dsn(database, user="leadgen_api"))
    try:
        return await call_as(api, claims, sql, *args)
    finally:
        await api.close()


async def invite(admin: asyncpg.Connection, cluster: PgCluster, database: str, role: str = "member") -> Invited:
    """The owner of a new space invites a new user through leadgen.invite_to_space."""
    owner, invitee = await add_user(admin, "owner"), await add_user(admin, "invitee")
    await admin.execute("update public.profiles set full_name = 'Olive Owner' where id = $1", owner)
    scope = await space_of(admin, owner)
    assert scope.space is not None
    address = await address_of(admin, invitee)
    claims = user_claims(owner, email=await address_of(admin, owner))
    made = await commit_as(
        cluster, database, claims, "select leadgen.invite_to_space($1, $2, $3)", scope.space, address, role
    )
    assert isinstance(made, uuid.UUID)
    return Invited(scope.space, invitee, address, made)


def outbox_messages(folder: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted(folder.glob("*.eml")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def token_in(message: EmailMessage) -> str:
    found = TOKEN_IN_LINK.search(body_of(message))
    assert found is not None, body_of(message)
    return found.group(1)


async def queue(admin: asyncpg.Connection, invitation: uuid.UUID) -> list[tuple[str, int]]:
    rows = await admin.fetch(
        "select state, attempts from private.invitation_emails where invitation_id = $1 order by id", invitation
    )
    return [(r["state"], r["attempts"]) for r in rows]


async def test_the_emailed_token_accepts_the_invitation_for_its_invitee_only(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    invited = await invite(admin, cluster, workflow_db, role="viewer")
    async with mailer(cluster, workflow_db, action_settings(outbox=tmp_path)) as emails:
        assert await emails.run_due() == 1
        assert await emails.run_due() == 0
    [message] = outbox_messages(tmp_path)
    assert (message["To"], message["From"]) == (invited.address, SENDER)
    assert message["Subject"] == "Olive Owner invited you to S"
    assert "as a viewer" in body_of(message) and invited.address in body_of(message)
    token = token_in(message)
    assert token == invitation_token(SECRET, invited.invitation)
    row = await admin.fetchrow(
        "select token_hash, email_sent_at from public.space_invitations where id = $1", invited.invitation
    )
    assert row is not None and row["token_hash"] == hashlib.sha256(token.encode()).digest()
    assert row["email_sent_at"] is not None
    stored = await admin.fetch("select to_jsonb(q)::text as row from private.invitation_emails q")
    assert not any(token in r["row"] for r in stored)  # the database never holds the token itself
    assert await queue(admin, invited.invitation) == [("done", 1)]

    accept = "select leadgen.accept_invitation(null, $1)"
    stranger = await add_user(admin, "stranger")
    with pytest.raises(asyncpg.PostgresError) as raised:
        await commit_as(
            cluster, workflow_db, user_claims(stranger, email=await address_of(admin, stranger)), accept, token
        )
    assert raised.value.sqlstate == "P0002"
    member = await commit_as(cluster, workflow_db, user_claims(invited.invitee, email=invited.address), accept, token)
    role = await admin.fetchval(
        "select role from public.space_members where id = $1 and user_id = $2", member, invited.invitee
    )
    assert role == "viewer"


async def test_a_retried_email_carries_the_same_link(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    invited = await invite(admin, cluster, workflow_db)
    config = EngineConfig(max_attempts=3, retry_base_seconds=60)
    async with (
        smtp_server(refuse_recipients="451 4.3.0 try later") as server,
        mailer(cluster, workflow_db, action_settings(smtp_port=server.port), config) as emails,
    ):
        assert await emails.run_due() == 1
        assert await queue(admin, invited.invitation) == [("pending", 1)]
        first_hash = await admin.fetchval(
            "select token_hash from public.space_invitations where id = $1", invited.invitation
        )
        assert await emails.run_due() == 0  # not due before its back-off
        server.refuse_recipients = None
        assert isinstance(emails.runtime.clock, FakeClock)
        emails.runtime.clock.advance(seconds=61)
        assert await emails.run_due() == 1
    assert await queue(admin, invited.invitation) == [("done", 2)]
    [message] = server.messages
    assert token_in(message) == invitation_token(SECRET, invited.invitation)
    assert first_hash == hashlib.sha256(token_in(message).encode()).digest()


async def test_a_refused_address_fails_the_email_and_leaves_the_invitation(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    invited = await invite(admin, cluster, workflow_db)
    async with (
        smtp_server(refuse_recipients="550 5.1.1 no such user") as server,
        mailer(cluster, workflow_db, action_settings(smtp_port=server.port)) as emails,
    ):
        assert await emails.run_due() == 1
    assert await queue(admin, invited.invitation) == [("failed", 1)]
    assert server.messages == []
    status = await admin.fetchval("select status from public.space_invitations where id = $1", invited.invitation)
    assert status == "pending"  # the invitee can still accept it in the app


async def test_a_revoked_invitation_is_not_emailed(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    invited = await invite(admin, cluster, workflow_db)
    await admin.execute("update public.space_invitations set status = 'revoked' where id = $1", invited.invitation)
    async with mailer(cluster, workflow_db, action_settings(outbox=tmp_path)) as emails:
        assert await emails.run_due() == 1
    assert outbox_messages(tmp_path) == []
    assert await queue(admin, invited.invitation) == [("cancelled", 1)]


async def test_the_worker_sends_invitation_emails(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    invited = await invite(admin, cluster, workflow_db)
    worker, pool = await open_worker(
        with_user(cluster.dsn(workflow_db), "leadgen_worker"),
        action_settings(outbox=tmp_path),
        options=WorkerOptions(concurrency=1),
        clock=FakeClock(),
        invitations=InvitationEmailSettings(secret=SECRET, link=LINK),
    )
    try:
        await worker.run_once()
    finally:
        await pool.close()
    assert [m["To"] for m in outbox_messages(tmp_path)] == [invited.address]
    assert await queue(admin, invited.invitation) == [("done", 1)]


async def test_a_running_worker_wakes_up_for_a_new_invitation(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    worker, pool = await open_worker(
        with_user(cluster.dsn(workflow_db), "leadgen_worker"),
        action_settings(outbox=tmp_path),
        options=WorkerOptions(concurrency=1, poll_interval=30.0),  # only NOTIFY can wake it in time
        invitations=InvitationEmailSettings(secret=SECRET, link=LINK),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await wait_until(lambda: worker._listener is not None, 5, "the worker to listen")
        invited = await invite(admin, cluster, workflow_db)
        await wait_until(lambda: outbox_messages(tmp_path), 10, "the invitation email")
        assert [m["To"] for m in outbox_messages(tmp_path)] == [invited.address]
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await pool.close()
