"""Two owners demoting each other at the same moment cannot leave their space without an owner."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from db.session import Caller, begin_statement
from tests.support.databases import PgCluster
from tests.support.roles import user_claims
from tests.support.rows import add_user
from tests.support.waiting import wait_until_blocked

DEMOTE = "update public.space_members set role = 'admin' where space_id = $1 and user_id = $2"


def _as(user: uuid.UUID) -> str:
    return begin_statement(Caller("authenticated", user_claims(user)), readonly=False)


async def test_concurrent_demotions_of_the_last_two_owners_keep_one(cluster: PgCluster, fresh_db: str) -> None:
    admin = await asyncpg.connect(cluster.dsn(fresh_db))
    first = await asyncpg.connect(cluster.dsn(fresh_db, user="leadgen_api"))
    second = await asyncpg.connect(cluster.dsn(fresh_db, user="leadgen_api"))
    try:
        ann, ben = await add_user(admin, "ann"), await add_user(admin, "ben")
        space = await admin.fetchval(
            "insert into public.spaces (name, created_by) values ('Shared', $1) returning id", ann
        )
        await admin.execute(
            "insert into public.space_members (space_id, user_id, role) values ($1, $2, 'owner')", space, ben
        )

        # Ann demotes Ben and has not committed yet; Ben, at the same time, demotes Ann
        await first.execute(_as(ann))
        assert await first.execute(DEMOTE, space, ben) == "UPDATE 1"
        await second.execute(_as(ben))
        racing = asyncio.create_task(second.execute(DEMOTE, space, ann))
        await wait_until_blocked(admin, second.get_server_pid(), "the second demotion")
        await first.execute("commit")

        with pytest.raises(asyncpg.CheckViolationError) as refused:
            await racing
        assert refused.value.constraint_name == "space_members_last_owner"
        await second.execute("rollback")
        owners = await admin.fetch(
            "select user_id from public.space_members where space_id = $1 and role = 'owner'", space
        )
        assert [row["user_id"] for row in owners] == [ann]
    finally:
        for conn in (first, second, admin):
            await conn.close()
