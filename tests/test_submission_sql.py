"""Form submissions in SQL: what `anon` can do when it talks to Postgres directly (submit, and record a visit of
the lead behind a visitor token: tests/api/test_workflows_operations.py), and what
`leadgen.submit_form` re-checks and writes when nothing in front of it validated anything.

Connections log in as the API role and act as anon (tests/support/roles.py), like any caller past the API.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.support.api import BOB, CAROL, DAVE, SPACE
from tests.support.databases import PgCluster
from tests.support.roles import ANON_CLAIMS, SET_CALLER, acting_as, user_claims

SEED_FORM = uuid.UUID("00000000-0000-4000-b100-000000000001")
DRAFT_FORM = uuid.UUID("00000000-0000-4000-b100-000000000002")
ANON_FUNCTIONS = {
    "leadgen.published_form(uuid)",
    "leadgen.published_form_by_slug(text)",
    "leadgen.submit_form(uuid,jsonb,jsonb,text,text,text)",
    "leadgen.track_page_visit(uuid,text,text,text)",  # null: no such submission
}
SUBMIT = "select leadgen.submit_form($1, $2::jsonb, $3::jsonb, $4, $5)::text"
FUNCTIONS = """
select p.oid::regprocedure::text as signature, n.nspname || '.' || p.proname as name,
       p.proargtypes::regtype[]::text[] as types, p.prokind
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname in ('leadgen', 'private', 'public')
order by 1
"""
TABLES = """
select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname in ('public', 'private', 'leadgen', 'auth') and c.relkind in ('r', 'p', 'v', 'm')
order by 1
"""


@pytest_asyncio.fixture(scope="module")
async def database(cluster: PgCluster, seeded_template: str) -> AsyncIterator[str]:
    name = await cluster.clone_from(seeded_template, "subsql")
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


@pytest_asyncio.fixture(scope="module")
async def form(admin: asyncpg.Connection) -> uuid.UUID:
    """A published form of the demo space, written in SQL (no API): honeypot, a minimum time, a text website.

    In one transaction: a form inserted as published must have its fields by COMMIT (tests/test_form_rules.py)."""
    tx = admin.transaction()
    await tx.start()
    form_id = await admin.fetchval(
        "insert into public.lead_forms (user_id, space_id, name, form_settings, is_published, published_at)"
        " values ($1, $2, 'SQL form', $3::jsonb, true, now()) returning id",
        uuid.UUID(BOB),
        uuid.UUID(SPACE),
        json.dumps({"honeypotField": "trap", "minSecondsToSubmit": 2}),
    )
    fields = [
        ("email", "email", True, [], {"allowedDomains": ["example.org"]}),
        ("company", "text", False, [], {"maxLength": 50}),
        ("website", "text", False, [], {}),
        ("code", "text", False, [], {"pattern": "^[0-9]{3}$"}),
        ("size", "number", False, [], {"min": 1, "max": 10}),
        ("plan", "select", False, ["basic", "pro"], {}),
        ("trap", "hidden", False, [], {}),
    ]
    for order, (name, field_type, required, options, rules) in enumerate(fields):
        await admin.execute(
            "insert into public.lead_form_fields (form_id, field_name, field_type, label, is_required, field_order,"
            " options, validation_rules) values ($1, $2, $3, $2, $4, $5, $6::jsonb, $7::jsonb)",
            form_id,
            name,
            field_type,
            required,
            order,
            json.dumps(options),
            json.dumps(rules),
        )
    await tx.commit()
    await admin.execute("update private.form_submission_limits set per_client_limit = 1000, per_form_limit = 1000")
    assert isinstance(form_id, uuid.UUID)
    return form_id


SHOWN = {"rendered_at": "2020-01-01T00:00:00+00:00"}  # long ago: not too fast


@asynccontextmanager
async def committed_as_anon(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A transaction as anon that commits (when nothing raised), so that the admin connection sees its writes."""
    async with conn.transaction():
        await conn.execute(SET_CALLER, "anon", json.dumps(ANON_CLAIMS))
        yield conn


async def submit_as_anon(
    conn: asyncpg.Connection,
    form_id: uuid.UUID,
    values: dict[str, Any],
    context: dict[str, Any] | None = None,
    key: str | None = None,
    client: str | None = "client-1",
) -> dict[str, Any]:
    async with committed_as_anon(conn):
        text = await conn.fetchval(SUBMIT, form_id, json.dumps(values), json.dumps(context or SHOWN), key, client)
    return dict(json.loads(text))


async def refusal(conn: asyncpg.Connection, *args: Any) -> asyncpg.PostgresError:
    """The error submit_form raises for these arguments (as anon, rolled back)."""
    async with acting_as(conn, ANON_CLAIMS):
        with pytest.raises(asyncpg.PostgresError) as caught:
            await conn.fetchval(SUBMIT, *args)
    return caught.value


def problems_of(error: asyncpg.PostgresError) -> dict[str, str]:
    assert error.sqlstate == "LG422", error
    return {p["field"]: p["message"] for p in json.loads(error.detail or "[]")}


async def counts(admin: asyncpg.Connection) -> tuple[int, ...]:
    row = await admin.fetchrow(
        "select (select count(*) from public.leads), (select count(*) from public.companies),"
        " (select count(*) from public.lead_sources), (select count(*) from public.lead_activities),"
        " (select count(*) from private.form_submissions)"
    )
    assert row is not None
    return tuple(row)


# ---------------------------------------------------------------------------------------------------------
# anon can submit, and do nothing else
# ---------------------------------------------------------------------------------------------------------


async def test_anon_has_no_privilege_on_any_table(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    tables = [r["name"] for r in await admin.fetch(TABLES)]
    assert "private.form_submissions" in tables and "public.leads" in tables
    statements = [
        "select * from {t} limit 1",
        "insert into {t} default values",
        "update {t} set id = id",
        "delete from {t}",
        "truncate {t}",
    ]
    for table in tables:
        for statement in statements:
            sql = statement.format(t=table)
            async with acting_as(api, ANON_CLAIMS):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await api.execute(sql)


async def test_anon_can_call_only_the_visitor_functions(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    functions = await admin.fetch(FUNCTIONS)
    assert {r["signature"].replace(" ", "") for r in functions} >= ANON_FUNCTIONS
    for fn in functions:
        signature = fn["signature"].replace(" ", "")
        args = ", ".join(f"null::{t}" for t in fn["types"])
        call = f"call {fn['name']}({args})" if fn["prokind"] == "p" else f"select {fn['name']}({args})"
        async with acting_as(api, ANON_CLAIMS):
            if signature in ANON_FUNCTIONS:
                if signature.startswith("leadgen.submit_form"):
                    with pytest.raises(asyncpg.PostgresError) as caught:
                        await api.execute(call)
                    assert caught.value.sqlstate == "P0002"  # runs, and finds no form
                else:
                    assert await api.fetchval(call) is None
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await api.execute(call)


async def test_the_submission_tables_are_private(admin: asyncpg.Connection) -> None:
    for table in ("private.form_submissions", "private.form_submission_limits"):
        row = await admin.fetchrow(
            "select c.relrowsecurity, obj_description(c.oid, 'pg_class') as comment,"
            " (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
            "  and col_description(c.oid, a.attnum) is null) as uncommented"
            " from pg_class c where c.oid = $1::regclass",
            table,
        )
        assert row is not None and row["relrowsecurity"] and row["comment"] and row["uncommented"] == 0, table
        for role in ("anon", "authenticated", "service_role"):
            granted = await admin.fetchval(
                "select has_table_privilege($1, $2::regclass, 'select, insert, update, delete, truncate')", role, table
            )
            assert granted is False, (role, table)
    uncommented = await admin.fetch(
        "select p.oid::regprocedure::text from pg_proc p where p.pronamespace in ('leadgen'::regnamespace,"
        " 'private'::regnamespace) and obj_description(p.oid, 'pg_proc') is null"
        " and p.proname in ('published_form', 'published_form_by_slug', 'submit_form', 'website_domain', 'is_blank',"
        " 'fit_text', 'numeric_value', 'submission_value_problem', 'submission_problems', 'source_type',"
        " 'find_or_create_source', 'find_or_create_company')"
    )
    assert uncommented == []


async def test_published_form_shows_published_forms_only(api: asyncpg.Connection, form: uuid.UUID) -> None:
    async with acting_as(api, ANON_CLAIMS):
        assert await api.fetchval("select leadgen.published_form($1)", DRAFT_FORM) is None
        assert await api.fetchval("select leadgen.published_form($1)", uuid.uuid4()) is None
        doc = json.loads(await api.fetchval("select leadgen.published_form($1)::text", form))
    assert [f["name"] for f in doc["fields"]] == ["email", "company", "website", "code", "size", "plan", "trap"]
    assert doc["settings"]["honeypotField"] == "trap" and "name" not in doc  # the internal name stays private


async def test_unpublished_and_unknown_forms_are_refused(admin: asyncpg.Connection, api: asyncpg.Connection) -> None:
    before = await counts(admin)
    for form_id in (DRAFT_FORM, uuid.uuid4()):
        error = await refusal(api, form_id, '{"email": "x@example.org"}', "{}", None, "c")
        assert error.sqlstate == "P0002" and str(error) == "form not found"
    assert await counts(admin) == before


# ---------------------------------------------------------------------------------------------------------
# What submit_form re-checks by itself
# ---------------------------------------------------------------------------------------------------------


async def test_values_are_rechecked(api: asyncpg.Connection, form: uuid.UUID) -> None:
    values = {
        "email": "someone@example.com",  # not an allowed domain
        "company": "x" * 51,
        "code": "12a",
        "size": 11,
        "plan": "enterprise",
        "extra": 1,
    }
    error = await refusal(api, form, json.dumps(values), json.dumps(SHOWN), None, "c")
    assert problems_of(error) == {
        "values.extra": "unknown field",
        "values.email": "this email domain is not accepted",
        "values.company": "at most 50 characters",
        "values.code": "does not have the expected format",
        "values.size": "must be at most 10",
        "values.plan": "not one of the options",
    }
    error = await refusal(api, form, json.dumps({"company": "Acme"}), json.dumps(SHOWN), None, "c")
    assert problems_of(error) == {"values.email": "is required"}
    error = await refusal(api, form, json.dumps({"email": "a@example.org", "company": 5}), json.dumps(SHOWN), None, "c")
    assert problems_of(error) == {"values.company": "expected a string"}


async def test_shapes_and_sizes_are_rechecked(api: asyncpg.Connection, form: uuid.UUID) -> None:
    big = json.dumps({"email": "a@example.org", "company": "x" * 33_000})
    cases: list[tuple[tuple[Any, ...], str]] = [
        ((form, "[]", "{}", None, "c"), "values"),
        ((form, big, "{}", None, "c"), "values"),
        ((form, '{"email": "a@example.org"}', json.dumps({"x": "y" * 9000}), None, "c"), "context"),
        ((form, '{"email": "a@example.org"}', "{}", "k" * 201, "c"), "idempotencyKey"),
        ((form, '{"email": "a@example.org"}', "{}", None, "h" * 129), "clientHash"),
    ]
    for args, field in cases:
        assert list(problems_of(await refusal(api, *args))) == [field]


async def test_time_to_submit_is_rechecked(admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID) -> None:
    values = json.dumps({"email": "quick@example.org"})
    for context in ({}, {"rendered_at": "not a time"}, {"rendered_at": "2999-01-01T00:00:00Z"}):
        error = await refusal(api, form, values, json.dumps(context), None, "c")
        assert list(problems_of(error)) == ["context.renderedAt"], context
    just_now = json.dumps({"rendered_at": (await admin.fetchval("select now()::text"))})
    assert "too soon" in problems_of(await refusal(api, form, values, just_now, None, "c"))["context.renderedAt"]


async def test_a_filled_honeypot_is_answered_but_nothing_is_written(
    admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID
) -> None:
    before = await counts(admin)
    result = await submit_as_anon(api, form, {"email": "bot@example.org", "trap": "x"})
    assert set(result) == {"submission_id", "replayed"} and result["replayed"] is False
    assert await counts(admin) == before
    assert (
        await admin.fetchval(
            "select count(*) from private.form_submissions where id = $1", uuid.UUID(result["submission_id"])
        )
        == 0
    )


# ---------------------------------------------------------------------------------------------------------
# Writes, idempotency, rate limits, concurrency
# ---------------------------------------------------------------------------------------------------------


async def test_a_direct_submission_writes_through_the_function(
    admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID
) -> None:
    values = {"email": "direct@example.org", "company": "Globex", "website": "globex.example", "plan": "pro"}
    result = await submit_as_anon(api, form, values, {**SHOWN, "utm_source": "partner-site", "utm_medium": "affiliate"})
    assert result["replayed"] is False
    lead = await admin.fetchrow(
        "select l.*, c.name as company_name, c.website as company_website, s.type as source_type, st.name as stage"
        " from public.leads l left join public.companies c on c.id = l.company_id"
        " left join public.lead_sources s on s.id = l.source_id left join public.lead_stages st on st.id = l.stage_id"
        " where l.email = 'direct@example.org'"
    )
    assert lead is not None
    assert (lead["user_id"], lead["space_id"], lead["form_id"]) == (uuid.UUID(BOB), uuid.UUID(SPACE), form)
    assert (lead["company_name"], lead["company_website"]) == ("Globex", "https://globex.example")
    assert (lead["source_type"], lead["stage"]) == ("partner", "New")
    assert json.loads(lead["custom_fields"]) == {"plan": "pro"}
    submission = await admin.fetchrow(
        "select * from private.form_submissions where id = $1", uuid.UUID(result["submission_id"])
    )
    assert submission is not None and submission["lead_id"] == lead["id"] and submission["client_hash"] == "client-1"


async def test_a_direct_submission_with_a_known_email_changes_no_value_of_the_lead(
    admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID
) -> None:
    """Called past the API, as anon: every column of the existing lead keeps its value (the activity's own
    last_activity_at and updated_at aside); the submission holds the values as proposals."""
    company = await admin.fetchval(
        "insert into public.companies (user_id, space_id, name, website) values ($1, $2, 'Initech', 'https://initech.example')"
        " returning id",
        uuid.UUID(BOB),
        uuid.UUID(SPACE),
    )
    lead = await admin.fetchval(
        "insert into public.leads (user_id, space_id, first_name, email, company_id, custom_fields, form_id,"
        " source_id, form_submission_data) values ($1, $2, 'Peter', 'peter@example.org', $3,"
        """ '{"plan": "basic", "size": 3}', $4, (select id from public.lead_sources where space_id = $2 limit 1),"""
        " '{}') returning id",
        uuid.UUID(BOB),
        uuid.UUID(SPACE),
        company,
        SEED_FORM,
    )
    row = "select to_jsonb(l) - 'last_activity_at' - 'updated_at' from public.leads l where l.id = $1"
    before = json.loads(await admin.fetchval(row, lead))
    values = {"email": "PETER@Example.ORG", "company": "Evil Corp", "website": "evil.example", "plan": "pro", "size": 9}
    result = await submit_as_anon(api, form, values)
    after = json.loads(await admin.fetchval(row, lead))
    assert after["score"] >= before["score"]
    assert {**after, "score": None} == {**before, "score": None}
    proposed = await admin.fetchval(
        "select proposed_changes from private.form_submissions where id = $1 and lead_id = $2 and not lead_created",
        uuid.UUID(result["submission_id"]),
        lead,
    )
    assert set(json.loads(proposed)) == {"company", "plan", "size"}


async def test_only_a_forms_editors_read_its_submissions(api: asyncpg.Connection, form: uuid.UUID) -> None:
    await submit_as_anon(api, form, {"email": "editors@example.org"})
    page = "select count(*) from leadgen.form_submissions(array[$1::uuid], 1000)"
    total = "select coalesce(sum(total), 0) from leadgen.form_submission_counts(array[$1::uuid])"
    seen = {}
    for name, claims in [
        ("admin", user_claims(BOB)),
        ("member", user_claims(CAROL)),
        ("viewer", user_claims(DAVE)),
        ("outsider", user_claims(uuid.uuid4())),
        ("platform admin", user_claims(uuid.uuid4(), platform_admin=True)),
    ]:
        async with acting_as(api, claims):
            seen[name] = (await api.fetchval(page, form), await api.fetchval(total, form))
    assert seen["admin"][0] == seen["admin"][1] >= 1 and seen["platform admin"] == seen["admin"]
    assert seen["member"] == seen["viewer"] == seen["outsider"] == (0, 0)
    async with acting_as(api, ANON_CLAIMS):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await api.fetchval(page, form)


async def test_the_same_key_returns_the_first_submission(
    admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID
) -> None:
    first = await submit_as_anon(api, form, {"email": "idem@example.org"}, key="same")
    before = await counts(admin)
    again = await submit_as_anon(api, form, {"email": "other@example.org", "trap": "bot"}, key="same")
    assert again == {**first, "replayed": True}
    assert await counts(admin) == before


async def test_rate_limits_hold_in_the_database(
    admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID
) -> None:
    try:
        await admin.execute("update private.form_submission_limits set per_client_limit = 1")
        await submit_as_anon(api, form, {"email": "rl1@example.org"}, client="client-rl")
        before = await counts(admin)
        error = await refusal(api, form, '{"email": "rl2@example.org"}', json.dumps(SHOWN), None, "client-rl")
        assert error.sqlstate == "LG429"
        detail = json.loads(error.detail or "{}")
        assert detail["limit"] == "client" and 1 <= detail["retry_after"] <= 600
        assert await counts(admin) == before
        await submit_as_anon(api, form, {"email": "rl2@example.org"}, client="client-other")
        # no client hash at all (a caller that does not say): the per-form limit still holds
        recent = await admin.fetchval("select count(*) from private.form_submissions where form_id = $1", form)
        await admin.execute("update private.form_submission_limits set per_form_limit = $1", recent)
        error = await refusal(api, form, '{"email": "rl3@example.org"}', json.dumps(SHOWN), None, None)
        assert error.sqlstate == "LG429" and json.loads(error.detail or "{}")["limit"] == "form"
    finally:
        await admin.execute("update private.form_submission_limits set per_client_limit = 1000, per_form_limit = 1000")


async def test_concurrent_direct_submissions_make_one_lead(
    cluster: PgCluster, database: str, admin: asyncpg.Connection, form: uuid.UUID
) -> None:
    connections = [await asyncpg.connect(cluster.dsn(database, user="leadgen_api")) for _ in range(12)]
    try:
        values = {"email": "Race@Example.org", "company": "Race Inc"}
        results = await asyncio.gather(*(submit_as_anon(c, form, values) for c in connections))
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    assert len({r["submission_id"] for r in results}) == 12
    assert await admin.fetchval("select count(*) from public.leads where lower(email) = 'race@example.org'") == 1
    assert await admin.fetchval("select count(*) from public.companies where name = 'Race Inc'") == 1


async def test_concurrent_submissions_to_two_forms_creating_companies_and_sources_do_not_deadlock(
    cluster: PgCluster, database: str, admin: asyncpg.Connection, form: uuid.UUID
) -> None:
    """Every submission takes its locks in one order (form, client, lead, the scope's catalog): no cycles.

    Pairs share an email (one on each form): the first of a pair creates the lead and its company, the second
    finds the lead, which has a company by then, and only proposes its own."""
    connections = [await asyncpg.connect(cluster.dsn(database, user="leadgen_api")) for _ in range(12)]

    async def one(n: int, conn: asyncpg.Connection) -> dict[str, Any]:
        target = form if n % 2 else SEED_FORM
        values = {"email": f"Mix{n // 2}@example.org", "company": f"Mix {n}", **({} if n % 2 else {"first_name": "Mo"})}
        return await submit_as_anon(conn, target, values, {**SHOWN, "utm_source": f"mix-{n}"}, client=f"c{n}")

    try:
        results = await asyncio.gather(*(one(n, c) for n, c in enumerate(connections)))
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    assert len(results) == 12
    assert await admin.fetchval("select count(*) from public.leads where lower(email) like 'mix_@example.org'") == 6
    assert await admin.fetchval("select count(*) from public.companies where name like 'Mix %'") == 6
    proposals = await admin.fetchval(
        "select count(*) from private.form_submissions where proposed_changes ? 'company' and not lead_created"
        " and id = any($1::uuid[])",
        [r["submission_id"] for r in results],
    )
    assert proposals == 6


async def test_signed_in_callers_submit_as_visitors(
    admin: asyncpg.Connection, api: asyncpg.Connection, form: uuid.UUID
) -> None:
    async with api.transaction():
        await api.execute(SET_CALLER, "authenticated", json.dumps(user_claims(uuid.uuid4())))
        await api.fetchval(SUBMIT, form, '{"email": "member@example.org"}', json.dumps(SHOWN), None, "c")
    author = await admin.fetchval(
        "select a.user_id from public.lead_activities a join public.leads l on l.id = a.lead_id"
        " where l.email = 'member@example.org'"
    )
    assert author is None


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.Example.com:8080/path?q=1", "example.com"),
        ("http://user@sub.example.co.uk", "sub.example.co.uk"),
        ("example.com", None),
        (None, None),
    ],
)
async def test_website_domain(admin: asyncpg.Connection, url: str | None, domain: str | None) -> None:
    assert await admin.fetchval("select private.website_domain($1)", url) == domain


@pytest.mark.parametrize(
    ("source", "medium", "campaign", "referrer", "expected"),
    [
        ("google", "cpc", None, None, "paid_search"),
        ("linkedin", "cpc", None, None, "linkedin"),
        ("twitter", "social", None, None, "social_media"),
        ("digest", "email", None, None, "email"),
        (None, None, None, "google.de", "organic_search"),
        (None, None, None, "news.example", "referral"),
        ("someone", None, None, None, "other"),
        (None, None, None, None, "direct"),
    ],
)
async def test_source_type(
    admin: asyncpg.Connection,
    source: str | None,
    medium: str | None,
    campaign: str | None,
    referrer: str | None,
    expected: str,
) -> None:
    found = await admin.fetchval("select private.source_type($1, $2, $3, $4)", source, medium, campaign, referrer)
    assert found == expected
