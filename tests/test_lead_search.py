"""leadgen.visible_leads_matching: the search helper shows only what RLS shows, and only to signed-in users."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support.api import ALICE, ERIN, PLATFORM_ADMIN
from tests.support.databases import PgCluster
from tests.support.roles import ANON_CLAIMS, acting_as, user_claims

MATCHING = "select m as id from leadgen.visible_leads_matching($1) m order by m"
VISIBLE = """
select id from public.leads
where search_vector @@ websearch_to_tsquery('simple', $1) order by id
"""


@pytest.mark.parametrize("user", [ALICE, ERIN, PLATFORM_ADMIN])
async def test_matches_are_exactly_the_visible_leads_that_match(
    cluster: PgCluster, seeded_template: str, user: str
) -> None:
    conn = await asyncpg.connect(cluster.dsn(seeded_template, user="leadgen_api"))
    try:
        words = ["example", "manager", "lucas", "nobody-matches-this"]
        async with acting_as(conn, user_claims(user, platform_admin=user == PLATFORM_ADMIN)):
            for word in words:
                matched = [r["id"] for r in await conn.fetch(MATCHING, word)]
                visible = [r["id"] for r in await conn.fetch(VISIBLE, word)]  # RLS-filtered scan
                assert matched == visible, word
            assert await conn.fetchval("select count(*) from leadgen.visible_leads_matching('manager')") > 0
    finally:
        await conn.close()


async def test_anon_cannot_call_it(cluster: PgCluster, seeded_template: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(seeded_template, user="leadgen_api"))
    try:
        async with acting_as(conn, ANON_CLAIMS):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetch(MATCHING, "example")
    finally:
        await conn.close()
