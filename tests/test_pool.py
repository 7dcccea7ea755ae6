"""The API pool refuses a login role that could bypass RLS, and leaves no connection behind when it does."""

from __future__ import annotations

import pytest

from db.pool import UnsafeLoginRoleError, create_api_pool
from tests.support.databases import PgCluster

OPEN_API_CONNECTIONS = (
    "select count(*) from pg_stat_activity where datname = $1 and application_name = 'leadgen-graphql' "
    "and pid <> pg_backend_pid()"
)


async def test_a_superuser_login_is_refused_and_its_pool_closed(cluster: PgCluster, module_db: str) -> None:
    with pytest.raises(UnsafeLoginRoleError, match="superuser"):
        await create_api_pool(cluster.dsn(module_db), min_size=2, max_size=2)
    pool = await create_api_pool(cluster.dsn(module_db, user="leadgen_api"), min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            # only this pool's own connection: the refused pool's connections were closed
            assert await conn.fetchval(OPEN_API_CONNECTIONS, module_db) == 0
    finally:
        await pool.close()
