"""Invitations in SQL, as Supabase's REST API would call them: the leadgen functions as `authenticated` callers
(logged in as the API role, claims set like PostgREST), and the rows read past RLS as the superuser."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.support.databases import PgCluster
from tests.support.invitations import address_of, call_as
from tests.support.roles import user_claims
from tests.support.workflows import add_user, admin, space_of, workflow_db

__all__ = ["admin", "workflow_db"]  # fixtures

INVITE = "select leadgen.invite_to_space($1, $2, $3)"
ACCEPT = "select leadgen.accept_invitation($1, $2)"
DECLINE = "select leadgen.decline_invitation($1, $2)"
REVOKE = "select leadgen.revoke_invitation($1)"


@pytest_asyncio.fixture(scope="module")
async def api(cluster: PgCluster, workflow_db: str) -> AsyncIterator[asyncpg.Connection]:
    """The API login role, switching to `authenticated` per call."""
    conn = await asyncpg.connect(cluster.dsn(workflow_db, user="leadgen_api"))
    try:
        yield conn
    finally:
        await conn.close()


async def claims_of(admin: asyncpg.Connection, user: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    """The claims of `user`'s access token: the account's own email address unless overridden."""
    claims = user_claims(user, email=await address_of(admin, user))
    claims.update(overrides)
    return claims


async def refused(api: asyncpg.Connection, claims: dict[str, Any], sql: str, *args: Any) -> asyncpg.PostgresError:
    with pytest.raises(asyncpg.PostgresError) as raised:
        await call_as(api, claims, sql, *args)
    return raised.value


async def invitation(admin: asyncpg.Connection, invitation_id: uuid.UUID) -> dict[str, Any]:
    row = await admin.fetchrow("select * from public.space_invitations where id = $1", invitation_id)
    assert row is not None
    return dict(row)


async def membership(admin: asyncpg.Connection, space: uuid.UUID | None, user: uuid.UUID) -> str | None:
    role = await admin.fetchval(
        "select role from public.space_members where space_id = $1 and user_id = $2", space, user
    )
    return None if role is None else str(role)


async def team(admin: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    """A space (its owner, an admin and a member) and a user in no space."""
    owner, manager, member = [await add_user(admin, n) for n in ("owner", "admin", "member")]
    scope = await space_of(admin, owner, (manager, "admin"), (member, "member"))
    assert scope.space is not None
    return scope.space, owner, manager, member


async def test_an_invitation_is_a_pending_row_and_a_queued_email_not_a_membership(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    space, owner, _, _ = await team(admin)
    invitee = await add_user(admin, "invitee")
    address = await address_of(admin, invitee)
    await admin.execute("update public.profiles set full_name = 'Olive Owner' where id = $1", owner)
    made = await call_as(api, await claims_of(admin, owner), INVITE, space, f"  {address.upper()} ", "viewer")
    row = await invitation(admin, made)
    assert (row["email"], row["role"], row["status"], row["invited_by"]) == (address, "viewer", "pending", owner)
    assert (row["space_name"], row["inviter_name"], row["token_hash"], row["accepted_by"]) == (
        "S",
        "Olive Owner",
        None,
        None,
    )
    assert row["expires_at"] > row["created_at"]
    queued = await admin.fetch("select state, attempts from private.invitation_emails where invitation_id = $1", made)
    assert [tuple(r) for r in queued] == [("pending", 0)]
    assert await membership(admin, space, invitee) is None


async def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    space, owner, _, _ = await team(admin)
    known = await address_of(admin, await add_user(admin, "known"))
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@example.test"
    claims = await claims_of(admin, owner)
    rows = [
        await invitation(admin, await call_as(api, claims, INVITE, space, email, "member"))
        for email in (known, unknown)
    ]
    volatile = {"id", "email", "created_at", "updated_at", "expires_at"}
    known_row, unknown_row = ({k: v for k, v in r.items() if k not in volatile} for r in rows)
    assert known_row == unknown_row
    # asking twice, or with a bad role, is refused alike for both
    again = [await refused(api, claims, INVITE, space, email, "member") for email in (known, unknown)]
    assert {(e.sqlstate, str(e)) for e in again} == {
        ("LG409", "this address has a pending invitation to the space already")
    }
    bad = [await refused(api, claims, INVITE, space, email, "boss") for email in (known, unknown)]
    assert {(e.sqlstate, getattr(e, "detail", None)) for e in bad} == {
        ("LG422", '[{"field": "role", "message": "owner, admin, member or viewer"}]')
    }


async def test_a_membership_exists_only_after_the_invitee_accepts(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    space, owner, _, _ = await team(admin)
    invitee, stranger = await add_user(admin, "invitee"), await add_user(admin, "stranger")
    made = await call_as(api, await claims_of(admin, owner), INVITE, space, await address_of(admin, invitee), "admin")
    assert await membership(admin, space, invitee) is None
    # someone else, even knowing the id, finds no such invitation
    error = await refused(api, await claims_of(admin, stranger), ACCEPT, made, None)
    assert error.sqlstate == "P0002"
    member_id = await call_as(api, await claims_of(admin, invitee), ACCEPT, made, None)
    assert await membership(admin, space, invitee) == "admin"
    assert await admin.fetchval("select user_id from public.space_members where id = $1", member_id) == invitee
    row = await invitation(admin, made)
    assert (row["status"], row["accepted_by"]) == ("accepted", invitee) and row["responded_at"] is not None
    assert (await refused(api, await claims_of(admin, invitee), ACCEPT, made, None)).sqlstate == "LG409"


async def test_the_address_is_matched_without_regard_to_case(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    space, owner, _, _ = await team(admin)
    invitee = await add_user(admin, "invitee")
    address = await address_of(admin, invitee)
    made = await call_as(api, await claims_of(admin, owner), INVITE, space, address, "member")
    await call_as(api, await claims_of(admin, invitee, email=address.upper()), ACCEPT, made, None)
    assert await membership(admin, space, invitee) == "member"


async def test_someone_else_s_token_cannot_accept(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    space, owner, _, _ = await team(admin)
    invitee, stranger = await add_user(admin, "invitee"), await add_user(admin, "stranger")
    made = await call_as(api, await claims_of(admin, owner), INVITE, space, await address_of(admin, invitee), "member")
    token = "inv1_" + uuid.uuid4().hex
    await admin.execute(
        "update public.space_invitations set token_hash = $2 where id = $1",
        made,
        hashlib.sha256(token.encode()).digest(),
    )
    for who, args in [(stranger, (None, token)), (stranger, (made, token)), (invitee, (None, token + "x"))]:
        assert (await refused(api, await claims_of(admin, who), ACCEPT, *args)).sqlstate == "P0002"
    assert await membership(admin, space, stranger) is None and await membership(admin, space, invitee) is None
    await call_as(api, await claims_of(admin, invitee), ACCEPT, None, token)
    assert await membership(admin, space, invitee) == "member"


@pytest.mark.parametrize("ending", ["expired", "revoked", "declined"])
async def test_an_ended_invitation_cannot_be_accepted(
    admin: asyncpg.Connection, api: asyncpg.Connection, ending: str
) -> None:
    space, owner, _, _ = await team(admin)
    invitee = await add_user(admin, "invitee")
    invitee_claims = await claims_of(admin, invitee)
    made = await call_as(api, await claims_of(admin, owner), INVITE, space, await address_of(admin, invitee), "member")
    if ending == "expired":
        await admin.execute(
            "update public.space_invitations set expires_at = now() - interval '1 second' where id = $1", made
        )
    elif ending == "revoked":
        assert await call_as(api, await claims_of(admin, owner), REVOKE, made) == made
    else:
        assert await call_as(api, invitee_claims, DECLINE, made, None) == made
    error = await refused(api, invitee_claims, ACCEPT, made, None)
    assert error.sqlstate == "LG409"
    assert ending in str(error)
    assert await membership(admin, space, invitee) is None
    assert (await invitation(admin, made))["status"] == ("pending" if ending == "expired" else ending)


async def test_who_may_invite_and_revoke(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    space, owner, manager, member = await team(admin)
    outsider = await add_user(admin, "outsider")
    address = f"new.{uuid.uuid4().hex[:8]}@example.test"
    for who, role, state in [
        (manager, "owner", "42501"),
        (manager, "admin", "42501"),
        (member, "viewer", "42501"),
        (outsider, "viewer", "P0002"),
    ]:
        assert (await refused(api, await claims_of(admin, who), INVITE, space, address, role)).sqlstate == state
    for_owner = await call_as(api, await claims_of(admin, owner), INVITE, space, address, "owner")
    assert (await refused(api, await claims_of(admin, manager), REVOKE, for_owner)).sqlstate == "42501"
    for who in (member, outsider):
        assert (await refused(api, await claims_of(admin, who), REVOKE, for_owner)).sqlstate == "P0002"
    await call_as(api, await claims_of(admin, owner), REVOKE, for_owner)
    for_viewer = await call_as(api, await claims_of(admin, manager), INVITE, space, address, "viewer")
    await call_as(api, await claims_of(admin, manager), REVOKE, for_viewer)
    assert (await refused(api, await claims_of(admin, manager), REVOKE, for_viewer)).sqlstate == "LG409"
    statuses = await admin.fetch("select status from public.space_invitations where space_id = $1", space)
    assert sorted(r["status"] for r in statuses) == ["revoked", "revoked"]


async def test_an_invitation_lapses_when_its_inviter_may_no_longer_give_its_role(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    space, _, manager, _ = await team(admin)
    invitee = await add_user(admin, "invitee")
    made = await call_as(
        api, await claims_of(admin, manager), INVITE, space, await address_of(admin, invitee), "member"
    )
    await admin.execute(
        "update public.space_members set role = 'viewer' where space_id = $1 and user_id = $2", space, manager
    )
    error = await refused(api, await claims_of(admin, invitee), ACCEPT, made, None)
    assert (error.sqlstate, "no longer valid" in str(error)) == ("LG409", True)
    assert await membership(admin, space, invitee) is None


async def test_members_and_addresses_already_invited_are_refused(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    space, owner, _, member = await team(admin)
    claims = await claims_of(admin, owner)
    error = await refused(api, claims, INVITE, space, await address_of(admin, member), "viewer")
    assert (error.sqlstate, str(error)) == ("LG409", "already a member of this space")
    address = f"late.{uuid.uuid4().hex[:8]}@example.test"
    first = await call_as(api, claims, INVITE, space, address, "member")
    await admin.execute(
        "update public.space_invitations set expires_at = now() - interval '1 second' where id = $1", first
    )
    second = await call_as(api, claims, INVITE, space, address, "viewer")  # the expired one no longer counts
    assert [(await invitation(admin, i))["status"] for i in (first, second)] == ["expired", "pending"]


async def test_bad_input_lists_the_fields(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    space, owner, _, _ = await team(admin)
    error = await refused(api, await claims_of(admin, owner), INVITE, space, "not an address", "chief")
    assert error.sqlstate == "LG422"
    assert [p["field"] for p in json.loads(getattr(error, "detail", "") or "[]")] == ["email", "role"]
    assert await admin.fetchval("select count(*) from public.space_invitations where space_id = $1", space) == 0


async def test_inviting_is_limited_per_inviter(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    space, owner, _, _ = await team(admin)
    limit = await admin.fetchval("select private.invitations_per_hour()")
    await admin.execute(
        "insert into public.space_invitations (space_id, email, invited_by, created_at)"
        " select $1, 'bulk' || n || '@example.test', $2, now() - interval '10 minutes' from generate_series(1, $3) n",
        space,
        owner,
        limit,
    )
    error = await refused(api, await claims_of(admin, owner), INVITE, space, "one.more@example.test", "member")
    assert error.sqlstate == "LG429"
    detail = json.loads(getattr(error, "detail", "") or "{}")
    assert detail["limit"] == limit and 0 < detail["retry_after"] <= 3600
    await admin.execute(
        "update public.space_invitations set created_at = now() - interval '61 minutes' where space_id = $1", space
    )
    await call_as(api, await claims_of(admin, owner), INVITE, space, "one.more@example.test", "member")


async def test_anonymous_sign_ins_neither_invite_nor_answer(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    space, owner, _, _ = await team(admin)
    invitee = await add_user(admin, "invitee")
    made = await call_as(api, await claims_of(admin, owner), INVITE, space, await address_of(admin, invitee), "member")
    anonymous_owner = await claims_of(admin, owner, is_anonymous=True)
    assert (await refused(api, anonymous_owner, INVITE, space, "x@example.test", "member")).sqlstate == "42501"
    assert (await refused(api, anonymous_owner, REVOKE, made)).sqlstate == "42501"
    anonymous_invitee = await claims_of(admin, invitee, is_anonymous=True)
    for sql in (ACCEPT, DECLINE):
        assert (await refused(api, anonymous_invitee, sql, made, None)).sqlstate == "42501"
    assert (await invitation(admin, made))["status"] == "pending"
    assert await membership(admin, space, invitee) is None


async def test_api_roles_cannot_add_members_directly(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    space, owner, manager, _ = await team(admin)
    newcomer = await add_user(admin, "newcomer")
    for who, role in [(owner, "owner"), (owner, "member"), (manager, "viewer"), (newcomer, "member")]:
        error = await refused(
            api,
            await claims_of(admin, who),
            "insert into public.space_members (space_id, user_id, role) values ($1, $2, $3) returning id",
            space,
            newcomer,
            role,
        )
        assert error.sqlstate == "42501"
    assert await membership(admin, space, newcomer) is None
    # what stays: the creator of a space becomes its owner, owners change roles and remove members
    own_space = await call_as(
        api,
        await claims_of(admin, newcomer),
        "insert into public.spaces (name, created_by) values ('Mine', $1) returning id",
        newcomer,
    )
    assert await membership(admin, own_space, newcomer) == "owner"
    changed = await call_as(
        api,
        await claims_of(admin, owner),
        "update public.space_members set role = 'member' where space_id = $1 and user_id = $2 returning id",
        space,
        manager,
    )
    assert changed is not None and await membership(admin, space, manager) == "member"


async def test_the_database_fills_what_the_invitee_sees(admin: asyncpg.Connection) -> None:
    """Studio inserts too: the address is lower-cased, the space's and inviter's names recorded, the email queued."""
    space, owner, _, _ = await team(admin)
    made = await admin.fetchval(
        "insert into public.space_invitations (space_id, email, invited_by) values ($1, ' Mixed@Example.TEST', $2)"
        " returning id",
        space,
        owner,
    )
    row = await invitation(admin, made)
    assert (row["email"], row["space_name"], row["inviter_name"]) == (
        "mixed@example.test",
        "S",
        await address_of(admin, owner),
    )
    assert await admin.fetchval("select count(*) from private.invitation_emails where invitation_id = $1", made) == 1
    answered = await admin.fetchval(
        "insert into public.space_invitations (space_id, email, status) values ($1, 'old@example.test', 'declined')"
        " returning id",
        space,
    )
    assert (
        await admin.fetchval("select count(*) from private.invitation_emails where invitation_id = $1", answered) == 0
    )
