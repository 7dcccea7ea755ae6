"""Public forms in SQL, past the API: what anon and anonymous sign-ins read, slugs, fields appended in order.

Connections log in as the API role and act as anon or a user (tests/support/roles.py), as REST would; the admin
connection is Studio (a superuser past RLS).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from tests.support.api import ALICE, BOB, SPACE
from tests.support.databases import PgCluster
from tests.support.roles import ANON_CLAIMS, acting_as, user_claims

SEED_FORM = uuid.UUID("00000000-0000-4000-b100-000000000001")
DRAFT_FORM = uuid.UUID("00000000-0000-4000-b100-000000000002")


@pytest_asyncio.fixture(scope="module")
async def database(cluster: PgCluster, seeded_template: str) -> AsyncIterator[str]:
    name = await cluster.clone_from(seeded_template, "pubsql")
    try:
        yield name
    finally:
        await cluster.drop(name)


@pytest_asyncio.fixture(scope="module")
async def admin(cluster: PgCluster, database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(cluster.dsn(database))
    try:
        yield conn
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="module")
async def api(cluster: PgCluster, database: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(cluster.dsn(database, user="leadgen_api"))
    try:
        yield conn
    finally:
        await conn.close()


def anonymous_sign_in() -> dict[str, object]:
    return {**user_claims(ALICE), "is_anonymous": True}


async def new_form(admin: asyncpg.Connection, name: str, slug: str | None = None) -> tuple[uuid.UUID, str]:
    row = await admin.fetchrow(
        "insert into public.lead_forms (user_id, space_id, name, slug) values ($1, $2, $3, $4) returning id, slug",
        uuid.UUID(BOB),
        uuid.UUID(SPACE),
        name,
        slug,
    )
    assert row is not None
    return row["id"], row["slug"]


async def test_the_seed_forms_got_slugs_from_their_names(admin: asyncpg.Connection) -> None:
    rows = await admin.fetch(
        "select id, slug from public.lead_forms where id = any($1::uuid[])", [SEED_FORM, DRAFT_FORM]
    )
    assert {r["id"]: r["slug"] for r in rows} == {
        SEED_FORM: "website-contact-form",
        DRAFT_FORM: "consulting-newsletter-signup",
    }


async def test_anon_and_anonymous_sign_ins_read_published_forms_by_slug(
    admin: asyncpg.Connection, api: asyncpg.Connection
) -> None:
    # a key written past the checks (Studio, before them) is no page setting: it is not shown
    async with admin.transaction():
        await admin.execute("set local session_replication_role = replica")  # as Studio could before the checks
        await admin.execute(
            "update public.lead_forms set form_settings = form_settings || $2::jsonb where id = $1",
            SEED_FORM,
            json.dumps({"internalNote": "secret"}),
        )
    for claims in (ANON_CLAIMS, anonymous_sign_in(), user_claims(ALICE)):
        async with acting_as(api, claims):
            by_slug = json.loads(
                await api.fetchval("select leadgen.published_form_by_slug('Website-Contact-Form')::text")
            )
            by_id = json.loads(await api.fetchval("select leadgen.published_form($1)::text", SEED_FORM))
            assert await api.fetchval("select leadgen.published_form_by_slug('consulting-newsletter-signup')") is None
            assert await api.fetchval("select leadgen.published_form_by_slug('no-such-form')") is None
            assert await api.fetchval("select leadgen.published_form_by_slug(null)") is None
        assert by_slug == by_id and by_slug["slug"] == "website-contact-form"
        assert set(by_slug) == {"id", "slug", "title", "description", "settings", "fields"}
        assert "internalNote" not in by_slug["settings"] and by_slug["settings"]["honeypotField"] == "website_hp"


async def test_anon_still_reaches_no_table(api: asyncpg.Connection) -> None:
    for claims in (ANON_CLAIMS, anonymous_sign_in()):
        async with acting_as(api, claims):
            try:
                rows = await api.fetch("select slug from public.lead_forms")
            except asyncpg.InsufficientPrivilegeError:
                rows = []
        assert rows == []  # anon: no privilege; an anonymous sign-in: no row


async def test_slugs_are_unique_suffixed_and_checked(admin: asyncpg.Connection) -> None:
    _, first = await new_form(admin, "Webinar sign-up")
    _, second = await new_form(admin, "WEBINAR  sign up")
    assert (first, second) == ("webinar-sign-up", "webinar-sign-up-2")
    long_id, long_slug = await new_form(admin, "word " * 40)
    assert len(long_slug) <= 64 and not long_slug.endswith("-")
    with pytest.raises(asyncpg.UniqueViolationError):
        await new_form(admin, "Explicit", "webinar-sign-up")
    for bad in ("Upper", "a--b", "-a", "a b", "x" * 65):
        with pytest.raises(asyncpg.CheckViolationError):
            await new_form(admin, "Bad", bad)
    # Studio clears the slug: it is made again from the name
    await admin.execute("update public.lead_forms set slug = null, name = 'Renamed' where id = $1", long_id)
    assert await admin.fetchval("select slug from public.lead_forms where id = $1", long_id) == "renamed"


async def test_forms_named_alike_at_once_get_distinct_slugs(cluster: PgCluster, database: str) -> None:
    connections = [await asyncpg.connect(cluster.dsn(database)) for _ in range(4)]
    try:

        async def create(conn: asyncpg.Connection) -> str:
            async with conn.transaction():
                slug = await conn.fetchval(
                    "insert into public.lead_forms (user_id, name) values ($1, 'Black Friday') returning slug",
                    uuid.UUID(ALICE),
                )
                await asyncio.sleep(0.05)  # hold the transaction open while the others try
                return str(slug)

        slugs = await asyncio.gather(*(create(c) for c in connections))
    finally:
        for conn in connections:
            await conn.close()
    assert sorted(slugs) == ["black-friday", "black-friday-2", "black-friday-3", "black-friday-4"]


async def test_fields_added_at_once_get_distinct_positions(
    cluster: PgCluster, database: str, admin: asyncpg.Connection
) -> None:
    form, _ = await new_form(admin, "Concurrent fields")
    connections = [await asyncpg.connect(cluster.dsn(database)) for _ in range(4)]
    try:

        async def add(conn: asyncpg.Connection, n: int) -> None:
            async with conn.transaction():
                await conn.execute(
                    "insert into public.lead_form_fields (form_id, field_name, field_type, label)"
                    " values ($1, $2, 'text', $2)",
                    form,
                    f"f{n}",
                )
                await asyncio.sleep(0.05)

        await asyncio.gather(*(add(c, n) for n, c in enumerate(connections)))
    finally:
        for conn in connections:
            await conn.close()
    orders = await admin.fetch("select field_order from public.lead_form_fields where form_id = $1", form)
    assert sorted(r["field_order"] for r in orders) == [0, 1, 2, 3]


async def test_editors_change_a_slug_others_cannot(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    form, _ = await new_form(admin, "Editable address")
    async with acting_as(api, user_claims(BOB)):  # the space's admin
        assert (
            await api.fetchval("update public.lead_forms set slug = 'new-address' where id = $1 returning slug", form)
            == "new-address"
        )
    for claims in (anonymous_sign_in(), user_claims("00000000-0000-4000-a000-000000000004")):  # Dave: a viewer
        async with acting_as(api, claims):
            assert (
                await api.fetchval("update public.lead_forms set slug = 'stolen' where id = $1 returning 1", form)
                is None
            )
