"""Every constraint and trigger of the schema, against a real database.

Principle 2: invariants that must survive a Studio edit live in the database. So these tests connect as a
superuser, as Studio does (and, where it matters, as `service_role`, which bypasses RLS): nothing here relies
on Row Level Security. The tests of this module share one migrated database holding a small world of rows,
committed once; each test runs in a transaction that is rolled back, so no test sees another's changes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.support.databases import PgCluster
from tests.support.pipeline import DEFAULT_STAGES
from tests.support.rows import add_user, insert

# --------------------------------------------------------------------------------------------------------------
# The world: users, two spaces and one row in every table, shared by the module and never changed by a test.
# --------------------------------------------------------------------------------------------------------------

# Rows whose owner (user_id) is handed over when the user is deleted: every table with user_id and space_id.
SCOPED_TABLES = (
    "companies",
    "customers",
    "lead_stages",
    "lead_sources",
    "lead_forms",
    "leads",
    "lead_scoring_rules",
    "lead_workflows",
    "lead_campaigns",
    "lead_integrations",
    "lead_custom_fields",
)
# Every table of `public`; all of them have id, created_at and updated_at.
ALL_TABLES = (
    "spaces",
    "space_members",
    "space_invitations",
    *SCOPED_TABLES,
    "lead_form_fields",
    "lead_activities",
    "lead_workflow_triggers",
    "lead_workflow_actions",
    "lead_workflow_executions",
    "lead_campaign_associations",
    "profiles",
)


@dataclass(frozen=True)
class World:
    alice: uuid.UUID  # owner of `space`
    bob: uuid.UUID  # member of `space`
    carol: uuid.UUID  # outsider: personal rows, and the owner of `other_space`
    space: uuid.UUID
    other_space: uuid.UUID
    rows: Mapping[str, uuid.UUID]  # table -> the row of `space` (space_members: bob's; profiles: alice's)
    carol_rows: Mapping[str, uuid.UUID]  # table -> one of carol's personal rows


async def add_scope_rows(
    conn: asyncpg.Connection, user: uuid.UUID, space: uuid.UUID | None, suffix: str = ""
) -> dict[str, uuid.UUID]:
    """One row in every scoped table, owned by `user` in `space` (or personal), the lead referencing the rest.

    `suffix` tells apart the names that are unique per scope (stages, custom fields).
    """
    own: dict[str, Any] = {"user_id": user, "space_id": space}
    rows = {
        "companies": await insert(conn, "companies", **own, name="Initech", website="https://initech.example"),
        "lead_stages": await insert(conn, "lead_stages", **own, name=f"Discovery{suffix}", color="#3B82F6"),
        "lead_sources": await insert(conn, "lead_sources", **own, name="Website", type="website"),
        "lead_forms": await insert(conn, "lead_forms", **own, name="Contact us"),
    }
    rows["customers"] = await insert(conn, "customers", **own, name="Initech", company_id=rows["companies"])
    rows["leads"] = await insert(
        conn,
        "leads",
        **own,
        company_id=rows["companies"],
        stage_id=rows["lead_stages"],
        source_id=rows["lead_sources"],
        form_id=rows["lead_forms"],
        customer_id=rows["customers"],
        assigned_to=user,
        first_name="Peter",
        last_name="Gibbons",
        email="peter@initech.example",
        job_title="Software Engineer",
    )
    await conn.execute("update public.customers set lead_id = $1 where id = $2", rows["leads"], rows["customers"])
    rows["lead_scoring_rules"] = await insert(
        conn,
        "lead_scoring_rules",
        **own,
        name="Budget band",
        criteria_type="custom_field",
        criteria_field="budget_band",
        condition="equals",
        value="high",
        points=10,
    )
    rows["lead_workflows"] = await insert(conn, "lead_workflows", **own, name="Welcome")
    rows["lead_campaigns"] = await insert(conn, "lead_campaigns", **own, name="Spring launch")
    rows["lead_integrations"] = await insert(
        conn, "lead_integrations", **own, integration_type="crm", integration_name="Salesforce"
    )
    rows["lead_custom_fields"] = await insert(
        conn,
        "lead_custom_fields",
        **own,
        field_name=f"budget_band{suffix}",
        field_label="Budget band",
        field_type="select",
    )
    return rows


async def add_child_rows(conn: asyncpg.Connection, rows: dict[str, uuid.UUID], user: uuid.UUID) -> None:
    """The child rows of the parents in `rows` (adds them to `rows`)."""
    rows["lead_form_fields"] = await insert(
        conn, "lead_form_fields", form_id=rows["lead_forms"], field_name="email", field_type="email", label="Email"
    )
    rows["lead_activities"] = await insert(
        conn, "lead_activities", lead_id=rows["leads"], user_id=user, activity_type="note"
    )
    rows["lead_workflow_triggers"] = await insert(
        conn, "lead_workflow_triggers", workflow_id=rows["lead_workflows"], trigger_type="lead_created"
    )
    rows["lead_workflow_actions"] = await insert(
        conn, "lead_workflow_actions", workflow_id=rows["lead_workflows"], action_type="send_email", action_order=0
    )
    rows["lead_workflow_executions"] = await insert(
        conn, "lead_workflow_executions", workflow_id=rows["lead_workflows"], lead_id=rows["leads"]
    )
    rows["lead_campaign_associations"] = await insert(
        conn, "lead_campaign_associations", lead_id=rows["leads"], campaign_id=rows["lead_campaigns"]
    )


async def build_world(conn: asyncpg.Connection) -> World:
    alice = await add_user(conn, "alice")
    bob = await add_user(conn, "bob")
    carol = await add_user(conn, "carol")
    space = await insert(conn, "spaces", name="Acme sales", created_by=alice)
    other_space = await insert(conn, "spaces", name="Carol's agency", created_by=carol)
    rows = await add_scope_rows(conn, alice, space)
    rows["spaces"] = space
    rows["profiles"] = alice
    rows["space_members"] = await insert(conn, "space_members", space_id=space, user_id=bob, role="member")
    rows["space_invitations"] = await insert(
        conn, "space_invitations", space_id=space, email="dave@example.org", role="viewer", invited_by=alice
    )
    await conn.execute("update public.leads set assigned_to = $1 where id = $2", bob, rows["leads"])
    await add_child_rows(conn, rows, bob)
    carol_rows = await add_scope_rows(conn, carol, None)
    await add_child_rows(conn, carol_rows, carol)
    return World(alice, bob, carol, space, other_space, rows, carol_rows)


@pytest_asyncio.fixture(scope="module")
async def world(conn: asyncpg.Connection) -> World:
    async with conn.transaction():
        return await build_world(conn)


@pytest_asyncio.fixture
async def db(conn: asyncpg.Connection, world: World) -> AsyncIterator[asyncpg.Connection]:
    """The module's connection inside a transaction that is rolled back after the test."""
    tx = conn.transaction()
    await tx.start()
    try:
        yield conn
    finally:
        await tx.rollback()


@asynccontextmanager
async def violates(
    conn: asyncpg.Connection, error: type[asyncpg.PostgresError], constraint: str | None = None
) -> AsyncIterator[None]:
    """The block must fail with `error` (naming `constraint`); it runs in a savepoint, so the test goes on."""
    with pytest.raises(error) as raised:
        async with conn.transaction():
            yield
    if constraint is not None:
        assert raised.value.constraint_name == constraint


async def value_of(conn: asyncpg.Connection, table: str, column: str, row_id: uuid.UUID) -> Any:
    return await conn.fetchval(f'select "{column}" from public.{table} where id = $1', row_id)


async def exists(conn: asyncpg.Connection, table: str, row_id: uuid.UUID) -> bool:
    return bool(await conn.fetchval(f"select exists (select 1 from public.{table} where id = $1)", row_id))


# --------------------------------------------------------------------------------------------------------------
# CHECK constraints: for each one, accepted boundary values and rejected ones.
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """Setting `values` on the world's row of `table` is accepted (ok) or violates `constraint`."""

    table: str
    values: Mapping[str, object]
    constraint: str
    ok: bool

    @property
    def id(self) -> str:
        def show(value: object) -> str:
            text = value.isoformat() if isinstance(value, dt.date) else repr(value)
            return text if len(text) <= 24 else f"<{type(value).__name__} of {len(str(value))}>"

        settings = ",".join(f"{column}={show(value)}" for column, value in self.values.items())
        return f"{self.table}.{settings}-{'ok' if self.ok else 'rejected'}"


def cases(
    table: str, constraint: str, ok: Sequence[Mapping[str, object]], bad: Sequence[Mapping[str, object]]
) -> list[Case]:
    return [Case(table, v, constraint, True) for v in ok] + [Case(table, v, constraint, False) for v in bad]


def column_cases(table: str, column: str, ok: Sequence[object], bad: Sequence[object]) -> list[Case]:
    return cases(table, f"{table}_{column}_check", [{column: v} for v in ok], [{column: v} for v in bad])


def name_cases(table: str, column: str, maximum: int) -> list[Case]:
    """length(btrim(column)) between 1 and maximum."""
    padded = " " + "x" * maximum + " "  # trimmed, exactly the maximum
    return column_cases(table, column, ["x", "x" * maximum, padded], ["", "   ", "x" * (maximum + 1)])


def max_length_cases(table: str, column: str, maximum: int) -> list[Case]:
    """column is null or length(column) <= maximum."""
    return column_cases(table, column, [None, "", "x" * maximum], ["x" * (maximum + 1)])


def enum_cases(table: str, column: str, values: Sequence[str], *, nullable: bool = False) -> list[Case]:
    ok: list[object] = [*values, None] if nullable else list(values)
    return column_cases(table, column, ok, ["bogus", "", f"{values[0]} ", values[0].upper() + "X"])


def json_object_cases(table: str, column: str, *, nullable: bool = False) -> list[Case]:
    ok: list[object] = ["{}", '{"theme": {"dark": true}, "tags": [1, 2]}']
    return column_cases(table, column, [*ok, None] if nullable else ok, ["[]", '["a"]', '"text"', "1", "null"])


def json_array_cases(table: str, column: str) -> list[Case]:
    return column_cases(table, column, ["[]", '["a", {"b": 1}]'], ["{}", '"a"', "0", "null"])


def non_negative_cases(table: str, column: str, zero: object, below: object, *, nullable: bool = False) -> list[Case]:
    ok = [zero, None] if nullable else [zero]
    return column_cases(table, column, ok, [below])


EMAILS_OK = ["a@b.co", "First.Last+tag@mail.example.org", "UPPER@EXAMPLE.COM"]
EMAILS_BAD = ["plainaddress", "a@b", "@b.co", "a@.", "a b@c.de", "a@b c.de", "a@@b.co", ""]

# The enumerations, as the data model defines them (a test holds the CHECK constraints to these lists).
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("space_members", "role"): ("owner", "admin", "member", "viewer"),
    ("space_invitations", "role"): ("owner", "admin", "member", "viewer"),
    ("space_invitations", "status"): ("pending", "accepted", "declined", "revoked", "expired"),
    ("companies", "company_size"): ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"),
    ("lead_sources", "type"): (
        "website",
        "linkedin",
        "email",
        "social_media",
        "referral",
        "advertising",
        "paid_search",
        "organic_search",
        "event",
        "partner",
        "direct",
        "other",
    ),
    ("lead_form_fields", "field_type"): (
        "text",
        "textarea",
        "email",
        "phone",
        "number",
        "url",
        "date",
        "select",
        "multiselect",
        "checkbox",
        "hidden",
    ),
    ("leads", "status"): ("new", "contacted", "qualified", "unqualified", "nurturing", "converted", "lost"),
    ("lead_activities", "activity_type"): (
        "email_sent",
        "email_opened",
        "email_clicked",
        "email_replied",
        "call_made",
        "call_received",
        "meeting",
        "note",
        "task",
        "form_submitted",
        "page_visit",
        "stage_changed",
        "status_changed",
        "score_changed",
        "assigned",
        "converted",
        "campaign_joined",
        "campaign_left",
        "workflow",
        "other",
    ),
    ("lead_scoring_rules", "criteria_type"): (
        "email_domain",
        "free_email",
        "job_title",
        "company_size",
        "industry",
        "source",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "budget",
        "authority",
        "need",
        "timeline",
        "custom_field",
        "activity_count",
        "form_submitted",
    ),
    ("lead_scoring_rules", "condition"): (
        "equals",
        "not_equals",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "greater_than",
        "less_than",
        "in",
        "is_empty",
        "is_not_empty",
    ),
    ("lead_workflow_triggers", "trigger_type"): (
        "lead_created",
        "lead_updated",
        "stage_changed",
        "score_threshold",
        "form_submit",
        "campaign_joined",
        "activity_logged",
        "page_visit",
        "inactivity",
        "manual",
    ),
    ("lead_workflow_actions", "action_type"): (
        "send_email",
        "assign_lead",
        "change_stage",
        "update_field",
        "add_to_campaign",
        "remove_from_campaign",
        "add_note",
        "webhook",
        "wait",
    ),
    ("lead_workflow_executions", "status"): ("pending", "running", "completed", "failed", "cancelled"),
    ("lead_campaigns", "campaign_type"): (
        "email",
        "social_media",
        "advertising",
        "content",
        "event",
        "webinar",
        "seo",
        "referral",
        "direct_mail",
        "other",
    ),
    ("lead_campaigns", "status"): ("draft", "scheduled", "active", "paused", "completed", "cancelled"),
    ("lead_integrations", "integration_type"): (
        "crm",
        "email_marketing",
        "analytics",
        "webhook",
        "advertising",
        "enrichment",
        "communication",
        "other",
    ),
    ("lead_integrations", "sync_status"): ("never", "pending", "syncing", "success", "error"),
    ("lead_custom_fields", "field_type"): (
        "text",
        "textarea",
        "number",
        "date",
        "boolean",
        "select",
        "multiselect",
        "email",
        "url",
        "phone",
    ),
}
NULLABLE_ENUMS = {("companies", "company_size")}

DAY = dt.date(2026, 3, 1)
MOMENT = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
TINY = dt.timedelta(microseconds=1)

CHECK_CASES: list[Case] = [
    *(case for (t, c), v in ENUMS.items() for case in enum_cases(t, c, v, nullable=(t, c) in NULLABLE_ENUMS)),
    # spaces
    *name_cases("spaces", "name", 200),
    # companies
    *name_cases("companies", "name", 300),
    *column_cases(
        "companies",
        "website",
        [None, "https://example.com", "http://example.com/path?q=1#top", "HTTPS://EXAMPLE.COM"],
        ["example.com", "ftp://example.com", "https://", "https:// example.com", "javascript:alert(1)", ""],
    ),
    *max_length_cases("companies", "industry", 200),
    *json_object_cases("companies", "company_data"),
    # customers
    *name_cases("customers", "name", 300),
    *column_cases("customers", "email", [None, *EMAILS_OK], EMAILS_BAD),
    *max_length_cases("customers", "phone", 50),
    *json_object_cases("customers", "customer_data"),
    # lead_stages
    *name_cases("lead_stages", "name", 100),
    *non_negative_cases("lead_stages", "stage_order", 0, -1),
    *column_cases(
        "lead_stages", "color", ["#000000", "#FFFFFF", "#a1B2c3"], ["#FFF", "FFFFFF", "#GGGGGG", "#1234567", "red", ""]
    ),
    # lead_sources
    *name_cases("lead_sources", "name", 200),
    *max_length_cases("lead_sources", "utm_source", 200),
    *max_length_cases("lead_sources", "utm_medium", 200),
    *max_length_cases("lead_sources", "utm_campaign", 200),
    # lead_forms
    *name_cases("lead_forms", "name", 200),
    *max_length_cases("lead_forms", "title", 300),
    *max_length_cases("lead_forms", "description", 5000),
    *json_object_cases("lead_forms", "form_settings"),
    *column_cases(
        "lead_forms",
        "slug",
        ["contact-us", "a", "form-2", "x" * 64],
        ["Contact", "a--b", "-a", "a-", "a b", "é", "", "x" * 65],
    ),
    # lead_form_fields
    *column_cases(
        "lead_form_fields",
        "field_name",
        ["a", "Email_2", "A" + "b" * 62],
        ["", "2nd", "_a", "first-name", "a b", "a" * 64],
    ),
    *name_cases("lead_form_fields", "label", 300),
    *max_length_cases("lead_form_fields", "placeholder", 300),
    *non_negative_cases("lead_form_fields", "field_order", 0, -1),
    *json_array_cases("lead_form_fields", "options"),
    *json_object_cases("lead_form_fields", "validation_rules"),
    # leads
    *max_length_cases("leads", "first_name", 200),
    *max_length_cases("leads", "last_name", 200),
    *column_cases("leads", "email", [None, *EMAILS_OK], EMAILS_BAD),
    *max_length_cases("leads", "phone", 50),
    *max_length_cases("leads", "job_title", 200),
    *column_cases("leads", "score", [0, 100, 50], [-1, 101]),
    *json_object_cases("leads", "form_submission_data", nullable=True),
    *json_object_cases("leads", "custom_fields"),
    *non_negative_cases("leads", "budget", Decimal("0.00"), Decimal("-0.01"), nullable=True),
    *max_length_cases("leads", "authority", 200),
    *max_length_cases("leads", "need", 2000),
    *max_length_cases("leads", "timeline", 200),
    *json_object_cases("leads", "enriched_data"),
    # lead_activities
    *max_length_cases("lead_activities", "description", 10000),
    *json_object_cases("lead_activities", "activity_data"),
    # lead_scoring_rules
    *name_cases("lead_scoring_rules", "name", 200),
    *max_length_cases("lead_scoring_rules", "description", 2000),
    *column_cases("lead_scoring_rules", "criteria_field", ["x" * 100], ["x" * 101]),
    *max_length_cases("lead_scoring_rules", "value", 2000),
    *column_cases("lead_scoring_rules", "points", [-100, 0, 100], [-101, 101]),
    *cases(
        "lead_scoring_rules",
        "lead_scoring_rules_criteria_field_required",
        [
            {"criteria_type": "custom_field", "criteria_field": "budget_band"},
            {"criteria_type": "activity_count", "criteria_field": "email_opened"},
            {"criteria_type": "job_title", "criteria_field": None},
        ],
        [
            {"criteria_type": "custom_field", "criteria_field": None},
            {"criteria_type": "activity_count", "criteria_field": None},
        ],
    ),
    # lead_workflows and their steps
    *name_cases("lead_workflows", "name", 200),
    *max_length_cases("lead_workflows", "description", 2000),
    *json_object_cases("lead_workflows", "workflow_settings"),
    *json_object_cases("lead_workflow_actions", "secrets", nullable=True),
    *json_object_cases("lead_workflow_actions", "secrets_hint", nullable=True),
    *json_object_cases("lead_workflow_triggers", "trigger_conditions"),
    *json_object_cases("lead_workflow_actions", "action_config"),
    *non_negative_cases("lead_workflow_actions", "action_order", 0, -1),
    *non_negative_cases("lead_workflow_actions", "delay_seconds", 0, -1),
    *json_object_cases("lead_workflow_executions", "execution_data"),
    *cases(
        "lead_workflow_executions",
        "lead_workflow_executions_completed_check",
        [
            {"started_at": MOMENT, "completed_at": MOMENT},
            {"started_at": MOMENT, "completed_at": MOMENT + TINY},
            {"started_at": MOMENT, "completed_at": None},
            {"started_at": None, "completed_at": MOMENT},
        ],
        [{"started_at": MOMENT, "completed_at": MOMENT - TINY}],
    ),
    # lead_campaigns
    *name_cases("lead_campaigns", "name", 200),
    *max_length_cases("lead_campaigns", "description", 5000),
    *non_negative_cases("lead_campaigns", "budget", Decimal("0"), Decimal("-0.01"), nullable=True),
    *non_negative_cases("lead_campaigns", "spent", Decimal("0"), Decimal("-0.01")),
    *cases(
        "lead_campaigns",
        "lead_campaigns_dates_check",
        [
            {"start_date": DAY, "end_date": DAY},
            {"start_date": DAY, "end_date": DAY + dt.timedelta(days=1)},
            {"start_date": DAY, "end_date": None},
            {"start_date": None, "end_date": DAY},
        ],
        [{"start_date": DAY, "end_date": DAY - dt.timedelta(days=1)}],
    ),
    # lead_integrations
    *name_cases("lead_integrations", "integration_name", 200),
    *json_object_cases("lead_integrations", "settings"),
    *json_object_cases("lead_integrations", "credentials", nullable=True),
    *max_length_cases("lead_integrations", "credentials_hint", 40),
    *cases(
        "lead_integrations",
        "lead_integrations_settings_urls_check",
        [
            {"settings": '{"url": "https://hooks.example.com/in?x=1"}'},
            {"settings": '{"redirectUrl": "HTTP://[::1]:8080/", "portal": "file://not-a-url-key"}'},
        ],
        [
            {"settings": '{"url": "file:///etc/passwd"}'},
            {"settings": '{"base_url": "gopher://x.example/"}'},
            {"settings": '{"redirectURL": "javascript:alert(1)"}'},
            {"settings": '{"url": "https://user:pw@x.example/"}'},
            {"settings": '{"url": "https://a b.example/"}'},
            {"settings": '{"url": 42}'},
        ],
    ),
    # lead_custom_fields
    *column_cases(
        "lead_custom_fields",
        "field_name",
        ["a", "budget_2", "a" + "0" * 62],
        ["", "Budget", "2nd", "_a", "a-b", "a b", "a" * 64],
    ),
    *name_cases("lead_custom_fields", "field_label", 200),
    *json_array_cases("lead_custom_fields", "options"),
    # profiles
    *max_length_cases("profiles", "full_name", 200),
    *column_cases(
        "profiles",
        "avatar_url",
        [None, "https://cdn.example/a.png", "HTTP://CDN.EXAMPLE/A.PNG"],
        ["ftp://cdn.example/a.png", "data:image/png;base64,AAAA", "javascript:alert(1)", "//cdn.example/a.png", ""],
    ),
    # space_invitations: the address in lower case, trimmed; the token stored as its SHA-256
    *column_cases(
        "space_invitations",
        "email",
        ["a@b.co", "first.last+tag@mail.example.org", "x" * 308 + "@example.com"],
        ["A@b.co", " a@b.co", "plainaddress", "a@b", "a b@c.de", "", "x" * 309 + "@example.com"],
    ),
    *column_cases("space_invitations", "token_hash", [None, bytes(32)], [b"", bytes(31), bytes(33)]),
]


def update_sql(table: str, columns: Sequence[str]) -> str:
    settings = ", ".join(f'"{column}" = ${i}' for i, column in enumerate(columns, start=2))
    return f"update public.{table} set {settings} where id = $1"


async def manual_scores(conn: asyncpg.Connection, world: World) -> None:
    """Leads keep a written score only in scopes without active scoring rules (else the database computes it)."""
    await conn.execute("update public.lead_scoring_rules set is_active = false where space_id = $1", world.space)


@pytest.mark.parametrize("case", CHECK_CASES, ids=[case.id for case in CHECK_CASES])
async def test_check_constraint(db: asyncpg.Connection, world: World, case: Case) -> None:
    if case.table == "leads" and "score" in case.values:
        await manual_scores(db, world)
    if (
        (case.table == "lead_campaigns" and "status" in case.values)
        or case.table == "lead_form_fields"
        or (case.table == "leads" and "status" in case.values)
    ):
        # the CHECK alone: the status transition trigger (tested below) would refuse draft -> paused, the triggers
        # of tests/test_form_rules.py an invalid definition, those of tests/test_conversion_rules.py a status
        # converted without a conversion
        await db.execute("set local session_replication_role = replica")
    sql = update_sql(case.table, list(case.values))
    args = [world.rows[case.table], *case.values.values()]
    if case.ok:
        assert await db.execute(sql, *args) == "UPDATE 1"
    else:
        with pytest.raises(asyncpg.CheckViolationError) as raised:
            await db.execute(sql, *args)
        assert raised.value.constraint_name == case.constraint


async def test_every_check_constraint_has_accepted_and_rejected_cases(db: asyncpg.Connection) -> None:
    in_schema = {
        r["conname"]
        for r in await db.fetch(
            "select conname from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace"
        )
    }
    accepted = {case.constraint for case in CHECK_CASES if case.ok}
    rejected = {case.constraint for case in CHECK_CASES if not case.ok}
    assert in_schema == rejected
    assert in_schema == accepted


async def test_enumerations_are_exactly_those_of_the_data_model(db: asyncpg.Connection) -> None:
    for (table, column), values in ENUMS.items():
        definition = await db.fetchval(
            "select pg_get_constraintdef(oid) from pg_constraint where conrelid = $1::regclass and conname = $2",
            f"public.{table}",
            f"{table}_{column}_check",
        )
        assert definition is not None, (table, column)
        assert re.findall(r"'([^']*)'::text", definition) == list(values), (table, column)


async def test_not_null_columns_reject_null(db: asyncpg.Connection, world: World) -> None:
    await manual_scores(db, world)
    for table, column in [
        ("leads", "user_id"),
        ("leads", "score"),
        ("leads", "status"),
        ("lead_campaigns", "spent"),
        ("lead_stages", "color"),
        ("lead_scoring_rules", "points"),
        ("space_members", "role"),
    ]:
        async with violates(db, asyncpg.NotNullViolationError):
            await db.execute(update_sql(table, [column]), world.rows[table], None)


async def test_defaults_satisfy_the_constraints(db: asyncpg.Connection, world: World) -> None:
    stage = await insert(db, "lead_stages", user_id=world.alice, name="Defaults")
    assert await value_of(db, "lead_stages", "color", stage) == "#6B7280"
    lead = await insert(db, "leads", user_id=world.alice)
    row = await db.fetchrow("select score, status, custom_fields, enriched_data from public.leads where id = $1", lead)
    assert row is not None
    assert (row["score"], row["status"], row["custom_fields"], row["enriched_data"]) == (0, "new", "{}", "{}")
    campaign = await insert(db, "lead_campaigns", user_id=world.alice, name="Defaults")
    row = await db.fetchrow("select campaign_type, status, spent from public.lead_campaigns where id = $1", campaign)
    assert row is not None and (row["campaign_type"], row["status"], row["spent"]) == ("email", "draft", Decimal(0))


# --------------------------------------------------------------------------------------------------------------
# Uniqueness.
# --------------------------------------------------------------------------------------------------------------


async def test_a_user_is_a_member_of_a_space_once(db: asyncpg.Connection, world: World) -> None:
    async with violates(db, asyncpg.UniqueViolationError, "space_members_space_user_key"):
        await insert(db, "space_members", space_id=world.space, user_id=world.bob, role="viewer")
    await insert(db, "space_members", space_id=world.other_space, user_id=world.bob, role="viewer")


async def test_a_lead_is_in_a_campaign_once(db: asyncpg.Connection, world: World) -> None:
    lead, campaign = world.rows["leads"], world.rows["lead_campaigns"]
    async with violates(db, asyncpg.UniqueViolationError, "lead_campaign_associations_lead_campaign_key"):
        await insert(db, "lead_campaign_associations", lead_id=lead, campaign_id=campaign)
    other = await insert(db, "lead_campaigns", user_id=world.alice, space_id=world.space, name="Summer")
    await insert(db, "lead_campaign_associations", lead_id=lead, campaign_id=other)


async def test_form_field_names_are_unique_per_form(db: asyncpg.Connection, world: World) -> None:
    async with violates(db, asyncpg.UniqueViolationError, "lead_form_fields_form_field_name_key"):
        await insert(
            db, "lead_form_fields", form_id=world.rows["lead_forms"], field_name="email", field_type="text", label="E"
        )
    other_form = await insert(db, "lead_forms", user_id=world.alice, space_id=world.space, name="Webinar sign-up")
    await insert(db, "lead_form_fields", form_id=other_form, field_name="email", field_type="email", label="Email")


async def test_stage_names_are_unique_per_scope_ignoring_case(db: asyncpg.Connection, world: World) -> None:
    # the world's space already has "Discovery"; so does carol's personal pipeline
    for name in ("Discovery", "discovery", "DISCOVERY"):
        async with violates(db, asyncpg.UniqueViolationError, "lead_stages_space_name_key"):
            await insert(db, "lead_stages", user_id=world.bob, space_id=world.space, name=name)
        async with violates(db, asyncpg.UniqueViolationError, "lead_stages_personal_name_key"):
            await insert(db, "lead_stages", user_id=world.carol, name=name)
    # the same name in other scopes: another space, another user's (or the space owner's) personal pipeline
    await insert(db, "lead_stages", user_id=world.carol, space_id=world.other_space, name="discovery")
    await insert(db, "lead_stages", user_id=world.alice, name="DISCOVERY")
    await insert(db, "lead_stages", user_id=world.bob, name="Discovery")
    await insert(db, "lead_stages", user_id=world.alice, space_id=world.space, name="Discovery call")


async def test_custom_field_names_are_unique_per_scope(db: asyncpg.Connection, world: World) -> None:
    field = {"field_name": "budget_band", "field_label": "Budget", "field_type": "text"}
    async with violates(db, asyncpg.UniqueViolationError, "lead_custom_fields_space_name_key"):
        await insert(db, "lead_custom_fields", user_id=world.bob, space_id=world.space, **field)
    async with violates(db, asyncpg.UniqueViolationError, "lead_custom_fields_personal_name_key"):
        await insert(db, "lead_custom_fields", user_id=world.carol, **field)
    await insert(db, "lead_custom_fields", user_id=world.carol, space_id=world.other_space, **field)
    await insert(db, "lead_custom_fields", user_id=world.alice, **field)


async def test_a_lead_converts_to_one_customer(db: asyncpg.Connection, world: World) -> None:
    async with violates(db, asyncpg.UniqueViolationError, "customers_lead_id_key"):
        await insert(
            db, "customers", user_id=world.alice, space_id=world.space, name="Again", lead_id=world.rows["leads"]
        )
    # customers without a lead do not collide
    for name in ("Walk-in 1", "Walk-in 2"):
        await insert(db, "customers", user_id=world.alice, space_id=world.space, name=name)


async def test_workflow_action_order_is_unique_but_deferred_to_commit(
    cluster: PgCluster, module_db: str, world: World
) -> None:
    """Reordering swaps positions inside one transaction; a duplicate position left at commit is refused."""
    conn = await asyncpg.connect(cluster.dsn(module_db))
    workflow: uuid.UUID | None = None
    try:
        workflow = await insert(conn, "lead_workflows", user_id=world.alice, space_id=world.space, name="Reorder me")
        first = await insert(conn, "lead_workflow_actions", workflow_id=workflow, action_type="wait", action_order=0)
        second = await insert(
            conn, "lead_workflow_actions", workflow_id=workflow, action_type="add_note", action_order=1
        )
        move = "update public.lead_workflow_actions set action_order = $2 where id = $1"
        async with conn.transaction():
            await conn.execute(move, first, 1)  # a duplicate (1, 1) until the next statement
            await conn.execute(move, second, 0)
        assert await value_of(conn, "lead_workflow_actions", "action_order", first) == 1
        assert await value_of(conn, "lead_workflow_actions", "action_order", second) == 0

        reached_commit = False
        with pytest.raises(asyncpg.UniqueViolationError) as raised:
            async with conn.transaction():
                await conn.execute(move, first, 0)
                reached_commit = True
        assert reached_commit, "the duplicate must be refused at commit, not by the statement"
        assert raised.value.constraint_name == "lead_workflow_actions_order_key"
        assert await value_of(conn, "lead_workflow_actions", "action_order", first) == 1

        # without deferral, the statement itself fails
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await conn.execute("set constraints lead_workflow_actions_order_key immediate")
                await conn.execute(move, first, 0)
        # other workflows may use the same positions
        other = await insert(
            conn, "lead_workflow_actions", workflow_id=world.rows["lead_workflows"], action_type="wait", action_order=1
        )
        await conn.execute("delete from public.lead_workflow_actions where id = $1", other)
    finally:
        if workflow is not None:
            await conn.execute("delete from public.lead_workflows where id = $1", workflow)
        await conn.close()


# --------------------------------------------------------------------------------------------------------------
# Foreign keys and what deleting a parent does.
# --------------------------------------------------------------------------------------------------------------

CASCADE, SET_NULL = "c", "n"
FOREIGN_KEYS: list[tuple[str, str, str, str]] = [  # (table, column, referenced table, on delete)
    ("spaces", "created_by", "auth.users", SET_NULL),
    ("space_members", "space_id", "spaces", CASCADE),
    ("space_members", "user_id", "auth.users", CASCADE),
    ("space_invitations", "space_id", "spaces", CASCADE),
    ("space_invitations", "invited_by", "auth.users", SET_NULL),
    ("space_invitations", "accepted_by", "auth.users", SET_NULL),
    *[(t, "user_id", "auth.users", CASCADE) for t in SCOPED_TABLES],
    *[(t, "space_id", "spaces", CASCADE) for t in SCOPED_TABLES],
    ("customers", "lead_id", "leads", SET_NULL),
    ("customers", "company_id", "companies", SET_NULL),
    ("lead_form_fields", "form_id", "lead_forms", CASCADE),
    ("leads", "company_id", "companies", SET_NULL),
    ("leads", "assigned_to", "auth.users", SET_NULL),
    ("leads", "stage_id", "lead_stages", SET_NULL),
    ("leads", "source_id", "lead_sources", SET_NULL),
    ("leads", "form_id", "lead_forms", SET_NULL),
    ("leads", "customer_id", "customers", SET_NULL),
    ("lead_activities", "lead_id", "leads", CASCADE),
    ("lead_activities", "user_id", "auth.users", SET_NULL),
    ("lead_workflow_triggers", "workflow_id", "lead_workflows", CASCADE),
    ("lead_workflow_actions", "workflow_id", "lead_workflows", CASCADE),
    ("lead_workflow_executions", "workflow_id", "lead_workflows", CASCADE),
    ("lead_workflow_executions", "lead_id", "leads", CASCADE),
    ("lead_campaign_associations", "lead_id", "leads", CASCADE),
    ("lead_campaign_associations", "campaign_id", "lead_campaigns", CASCADE),
    ("profiles", "id", "auth.users", CASCADE),
]


async def test_foreign_keys_and_their_delete_actions(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        "select c.conrelid::regclass::text as tbl, a.attname, c.confrelid::regclass::text as ref, "
        "c.confdeltype::text as on_delete, cardinality(c.conkey) as width "
        "from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1] "
        "where c.contype = 'f' and c.connamespace = 'public'::regnamespace"
    )
    assert all(r["width"] == 1 for r in rows)
    found = sorted((r["tbl"], r["attname"], r["ref"], r["on_delete"]) for r in rows)
    assert found == sorted(FOREIGN_KEYS)


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, c, _, _ in FOREIGN_KEYS], ids=lambda v: str(v))
async def test_a_reference_to_a_missing_row_is_refused(
    db: asyncpg.Connection, world: World, table: str, column: str
) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError) as raised:
        await db.execute(update_sql(table, [column]), world.rows[table], uuid.uuid4())
    # the scope triggers of leads and customers see the dangling reference first
    assert raised.value.constraint_name in {f"{table}_{column}_fkey", f"{table}_refs_in_scope"}


async def count(conn: asyncpg.Connection, table: str, column: str, value: uuid.UUID) -> int:
    result = await conn.fetchval(f'select count(*) from public.{table} where "{column}" = $1', value)
    assert isinstance(result, int)
    return result


async def test_deleting_a_lead_removes_its_activities_associations_and_executions(
    db: asyncpg.Connection, world: World
) -> None:
    lead = world.rows["leads"]
    for table in ("lead_activities", "lead_campaign_associations", "lead_workflow_executions"):
        assert await count(db, table, "lead_id", lead) == 1
    assert await db.execute("delete from public.leads where id = $1", lead) == "DELETE 1"
    for table in ("lead_activities", "lead_campaign_associations", "lead_workflow_executions"):
        assert await count(db, table, "lead_id", lead) == 0
    # what the lead pointed at, or was converted to, stays
    assert await value_of(db, "customers", "lead_id", world.rows["customers"]) is None
    for table in ("companies", "customers", "lead_campaigns", "lead_workflows", "lead_stages"):
        assert await exists(db, table, world.rows[table])


@pytest.mark.parametrize(
    ("parent", "column"),
    [
        ("companies", "company_id"),
        ("lead_stages", "stage_id"),
        ("lead_sources", "source_id"),
        ("lead_forms", "form_id"),
        ("customers", "customer_id"),
    ],
)
async def test_deleting_what_a_lead_points_at_keeps_the_lead(
    db: asyncpg.Connection, world: World, parent: str, column: str
) -> None:
    lead = world.rows["leads"]
    assert await value_of(db, "leads", column, lead) == world.rows[parent]
    assert await db.execute(f"delete from public.{parent} where id = $1", world.rows[parent]) == "DELETE 1"
    assert await exists(db, "leads", lead)
    assert await value_of(db, "leads", column, lead) is None
    assert await count(db, "lead_activities", "lead_id", lead) == 1


async def test_deleting_a_company_keeps_its_customers(db: asyncpg.Connection, world: World) -> None:
    await db.execute("delete from public.companies where id = $1", world.rows["companies"])
    assert await value_of(db, "customers", "company_id", world.rows["customers"]) is None


async def test_deleting_a_form_removes_its_fields(db: asyncpg.Connection, world: World) -> None:
    form = world.rows["lead_forms"]
    await insert(db, "lead_form_fields", form_id=form, field_name="name", field_type="text", label="Name")
    assert await count(db, "lead_form_fields", "form_id", form) == 2
    await db.execute("delete from public.lead_forms where id = $1", form)
    assert await count(db, "lead_form_fields", "form_id", form) == 0
    assert await value_of(db, "leads", "form_id", world.rows["leads"]) is None


async def test_deleting_a_workflow_removes_its_triggers_actions_and_executions(
    db: asyncpg.Connection, world: World
) -> None:
    workflow = world.rows["lead_workflows"]
    await db.execute("delete from public.lead_workflows where id = $1", workflow)
    for table in ("lead_workflow_triggers", "lead_workflow_actions", "lead_workflow_executions"):
        assert await count(db, table, "workflow_id", workflow) == 0
    assert await exists(db, "leads", world.rows["leads"])


async def test_deleting_a_campaign_removes_its_associations(db: asyncpg.Connection, world: World) -> None:
    await db.execute("delete from public.lead_campaigns where id = $1", world.rows["lead_campaigns"])
    assert not await exists(db, "lead_campaign_associations", world.rows["lead_campaign_associations"])
    assert await exists(db, "leads", world.rows["leads"])


async def test_deleting_a_space_removes_its_rows_and_nothing_else(db: asyncpg.Connection, world: World) -> None:
    await add_child_rows(db, await add_scope_rows(db, world.carol, world.other_space), world.carol)
    assert await db.execute("delete from public.spaces where id = $1", world.space) == "DELETE 1"
    for table in SCOPED_TABLES:
        assert await count(db, table, "space_id", world.space) == 0, table
    assert await count(db, "space_members", "space_id", world.space) == 0
    for table, row in world.rows.items():  # children included
        assert await exists(db, table, row) == (table == "profiles"), table
    for table, row in world.carol_rows.items():
        assert await exists(db, table, row), table
    for table in SCOPED_TABLES:  # the added rows, and the other space's default stages
        expected = 1 + len(DEFAULT_STAGES) if table == "lead_stages" else 1
        assert await count(db, table, "space_id", world.other_space) == expected, table
    for user in (world.alice, world.bob):
        assert await db.fetchval("select exists (select 1 from auth.users where id = $1)", user)


# --------------------------------------------------------------------------------------------------------------
# updated_at: kept by a trigger on every table, whatever the statement says.
# --------------------------------------------------------------------------------------------------------------

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


async def test_every_trigger_is_covered_here(db: asyncpg.Connection) -> None:
    """The triggers this module tests; a new trigger fails this test until it has tests of its own."""
    triggers = {
        r["tgname"]
        for r in await db.fetch(
            "select t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid "
            "where not t.tgisinternal and c.relnamespace in ('public'::regnamespace, 'auth'::regnamespace)"
        )
    }
    assert triggers == {
        *(f"{table}_set_updated_at" for table in ALL_TABLES),
        "spaces_add_creator_as_owner",
        "space_members_keep_last_owner",
        # invitations (names the invitee sees, the queued email): tested in tests/test_invitations_sql.py
        "space_invitations_prepare",
        "space_invitations_queue_email",
        "lead_activities_touch_last_activity",
        "lead_activities_recompute_last_activity",
        "leads_check_refs",
        "customers_check_refs",
        "companies_check_exit_from_space",
        "customers_check_exit_from_space",
        "leads_check_exit_from_space",
        "leadgen_hand_over_space_rows",
        "leadgen_sync_profile",
        "space_members_unassign_departed",
        "leads_propagate_scope",
        # default stages and custom field values: tested in tests/test_pipeline_sql.py
        "spaces_add_default_stages",
        "leadgen_add_default_stages",
        "leads_check_custom_fields",
        # stage changes logged as activities, whoever makes them: tested in tests/api/test_pipeline.py
        "leads_log_stage_change",
        # campaign status transitions, credentials of moved integrations: tested below
        "lead_campaigns_check_status_transition",
        "lead_integrations_forget_moved_credentials",
        # step secrets out of action_config, workflows' active_since: tested in tests/test_workflow_hardening.py
        # and tests/api/test_workflow_security.py
        "lead_workflow_actions_keep_secrets_apart",
        "lead_workflows_keep_active_since",
        # workflow events (same transaction, only for scopes with active workflows wanting them): tested in
        # tests/test_workflow_events.py, and through the API in tests/api/test_workflows_operations.py
        "leads_workflow_events_on_insert",
        "leads_workflow_events_on_update",
        "lead_activities_workflow_events",
        "lead_campaign_associations_workflow_events",
        # pushes of new leads to active webhook integrations: tested in tests/test_integration_push.py
        "leads_integration_push",
        # lead scoring: tested in tests/test_scoring.py and tests/test_scoring_triggers.py
        "leads_compute_score",
        *(f"lead_activities_rescore_on_{op}" for op in ("insert", "update", "delete")),
        *(f"lead_scoring_rules_rescore_on_{op}" for op in ("insert", "update", "delete")),
        "companies_rescore_leads",
        "lead_sources_rescore_leads",
        *(f"{table}_copy_lead_scope" for table in LEAD_CHILDREN),
        # rules Studio could break before (issue 10): tested in tests/test_custom_field_definitions.py,
        # tests/test_conversion_rules.py, tests/test_form_rules.py and tests/test_activity_rules.py
        "lead_custom_fields_check_values",
        "leads_conversion_check",
        "leads_conversion_check_insert",
        "leads_log_conversion",
        "lead_form_fields_check_definition",
        "lead_forms_publishable",
        "lead_forms_publishable_insert",
        # slugs made from names and fields appended: tested in tests/test_public_forms_sql.py
        "lead_forms_default_slug",
        "lead_form_fields_append",
        "lead_form_fields_keep_published_form",
        "lead_form_fields_keep_published_form_update",
        "lead_activities_check_type",
        "lead_activities_recompute_on_update",
        "leads_derive_last_activity_at",
        "leads_derive_last_activity_at_insert",
        *(
            f"{table}_unlink_moved"
            for table in (
                "companies",
                "lead_stages",
                "lead_sources",
                "lead_forms",
                "customers",
                "leads",
                "lead_campaigns",
            )
        ),
    }


async def test_every_table_has_an_updated_at_trigger(db: asyncpg.Connection) -> None:
    tables = {
        r["relname"]
        for r in await db.fetch(
            "select c.relname from pg_class c join pg_attribute a on a.attrelid = c.oid "
            "where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attname = 'updated_at'"
        )
    }
    assert tables == set(ALL_TABLES)
    triggers = {
        r["tgname"]
        for r in await db.fetch(
            "select t.tgname from pg_trigger t join pg_proc p on p.oid = t.tgfoid "
            "where p.proname = 'set_updated_at' and p.pronamespace = 'private'::regnamespace"
        )
    }
    assert triggers == {f"{table}_set_updated_at" for table in ALL_TABLES}


@pytest.mark.parametrize("table", ALL_TABLES)
async def test_updated_at_changes_on_update(db: asyncpg.Connection, world: World, table: str) -> None:
    row = world.rows[table]
    # Age the row behind the trigger's back (replica mode does not fire ordinary triggers).
    await db.execute("set local session_replication_role = replica")
    await db.execute(f"update public.{table} set updated_at = $2 where id = $1", row, LONG_AGO)
    await db.execute("set local session_replication_role = origin")
    before = await db.fetchrow(f"select created_at, updated_at from public.{table} where id = $1", row)
    assert before is not None and before["updated_at"] == LONG_AGO

    await db.execute(f"update public.{table} set created_at = created_at where id = $1", row)
    after = await db.fetchrow(f"select created_at, updated_at, now() as now from public.{table} where id = $1", row)
    assert after is not None
    assert after["updated_at"] == after["now"] > LONG_AGO
    assert after["created_at"] == before["created_at"]

    # an explicit value does not stick either: a Studio edit cannot backdate a row
    await db.execute(f"update public.{table} set updated_at = $2 where id = $1", row, LONG_AGO)
    assert await value_of(db, table, "updated_at", row) == after["now"]


async def test_inserting_keeps_the_given_timestamps(db: asyncpg.Connection, world: World) -> None:
    company = await insert(
        db, "companies", user_id=world.alice, name="Old Co", created_at=LONG_AGO, updated_at=LONG_AGO
    )
    assert await value_of(db, "companies", "updated_at", company) == LONG_AGO  # imports keep their history


# --------------------------------------------------------------------------------------------------------------
# leads.last_activity_at: follows the newest activity.
# --------------------------------------------------------------------------------------------------------------


async def last_activity_at(conn: asyncpg.Connection, lead: uuid.UUID) -> dt.datetime | None:
    value = await value_of(conn, "leads", "last_activity_at", lead)
    assert value is None or isinstance(value, dt.datetime)
    return value


async def test_an_activity_sets_last_activity_at(db: asyncpg.Connection, world: World) -> None:
    lead = await insert(db, "leads", user_id=world.alice, first_name="Ada")
    assert await last_activity_at(db, lead) is None
    await insert(db, "lead_activities", lead_id=lead, activity_type="note", created_at=MOMENT)
    assert await last_activity_at(db, lead) == MOMENT
    # by default an activity happens now
    await insert(db, "lead_activities", lead_id=lead, activity_type="call_made")
    assert await last_activity_at(db, lead) == await db.fetchval("select now()")


async def test_deleting_activities_moves_last_activity_at_back(db: asyncpg.Connection, world: World) -> None:
    lead = await insert(db, "leads", user_id=world.alice, first_name="Ada")
    other = await insert(db, "leads", user_id=world.alice, first_name="Grace")
    hour = dt.timedelta(hours=1)
    old = await insert(db, "lead_activities", lead_id=lead, activity_type="note", created_at=MOMENT)
    newest = await insert(db, "lead_activities", lead_id=lead, activity_type="meeting", created_at=MOMENT + hour)
    await insert(db, "lead_activities", lead_id=other, activity_type="note", created_at=MOMENT + 2 * hour)
    assert await last_activity_at(db, lead) == MOMENT + hour
    await db.execute("delete from public.lead_activities where id = $1", newest)
    assert await last_activity_at(db, lead) == MOMENT
    await db.execute("delete from public.lead_activities where id = $1", old)
    assert await last_activity_at(db, lead) is None
    assert await last_activity_at(db, other) == MOMENT + 2 * hour  # other leads keep theirs
    # deleting the lead deletes its activities: nothing to update, nothing refused
    assert await db.execute("delete from public.leads where id = $1", other) == "DELETE 1"


async def test_a_multi_row_insert_sets_each_lead_to_its_newest_activity(db: asyncpg.Connection, world: World) -> None:
    first = await insert(db, "leads", user_id=world.alice, first_name="Ada")
    second = await insert(db, "leads", user_id=world.alice, first_name="Grace")
    untouched = await insert(db, "leads", user_id=world.alice, first_name="Edsger")
    hour = dt.timedelta(hours=1)
    await db.execute(
        "insert into public.lead_activities (lead_id, activity_type, created_at) values "
        "($1, 'note', $3), ($1, 'email_sent', $4), ($1, 'meeting', $5), ($2, 'page_visit', $6)",
        first,
        second,
        MOMENT,
        MOMENT + 2 * hour,
        MOMENT + hour,
        MOMENT - hour,
    )
    assert await last_activity_at(db, first) == MOMENT + 2 * hour
    assert await last_activity_at(db, second) == MOMENT - hour
    assert await last_activity_at(db, untouched) is None
    # insert ... select, as a bulk import does
    await db.execute(
        "insert into public.lead_activities (lead_id, activity_type, created_at) "
        "select l, 'note', $3 from unnest($1::uuid[]) as l "
        "union all select $2, 'task', $3::timestamptz + interval '1 day'",
        [first, second, untouched],
        untouched,
        MOMENT + 3 * hour,
    )
    assert await last_activity_at(db, first) == MOMENT + 3 * hour
    assert await last_activity_at(db, second) == MOMENT + 3 * hour
    assert await last_activity_at(db, untouched) == MOMENT + 3 * hour + dt.timedelta(days=1)


async def test_an_older_activity_never_moves_last_activity_at_back(db: asyncpg.Connection, world: World) -> None:
    lead = await insert(db, "leads", user_id=world.alice)
    await insert(db, "lead_activities", lead_id=lead, activity_type="meeting", created_at=MOMENT)
    await insert(db, "lead_activities", lead_id=lead, activity_type="note", created_at=MOMENT - dt.timedelta(days=30))
    assert await last_activity_at(db, lead) == MOMENT
    await db.execute(
        "insert into public.lead_activities (lead_id, activity_type, created_at) "
        "values ($1, 'note', $2), ($1, 'task', $3)",
        lead,
        MOMENT - dt.timedelta(days=2),
        MOMENT - dt.timedelta(days=1),
    )
    assert await last_activity_at(db, lead) == MOMENT
    moved = await db.execute("update public.lead_activities set created_at = $2 where lead_id = $1", lead, LONG_AGO)
    assert moved == "UPDATE 4"
    assert await last_activity_at(db, lead) == LONG_AGO  # an edit of the times moves it (tests/test_activity_rules.py)


async def test_logging_an_activity_as_service_role_updates_the_lead(db: asyncpg.Connection, world: World) -> None:
    lead = world.rows["leads"]
    await db.execute("set local role service_role")
    await insert(
        db, "lead_activities", lead_id=lead, activity_type="email_opened", created_at=MOMENT + dt.timedelta(days=3650)
    )
    assert await last_activity_at(db, lead) == MOMENT + dt.timedelta(days=3650)


# --------------------------------------------------------------------------------------------------------------
# Scopes: a lead or customer only references rows of its own scope, whoever writes it.
# --------------------------------------------------------------------------------------------------------------

LEAD_REFERENCES = [
    ("company_id", "companies"),
    ("stage_id", "lead_stages"),
    ("source_id", "lead_sources"),
    ("form_id", "lead_forms"),
    ("customer_id", "customers"),
]
WRITERS = ["superuser", "service_role"]


async def become(conn: asyncpg.Connection, writer: str) -> None:
    if writer == "service_role":  # BYPASSRLS, like the API's service key
        await conn.execute("set local role service_role")


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize(("column", "table"), LEAD_REFERENCES)
async def test_a_lead_cannot_reference_another_scope(
    db: asyncpg.Connection, world: World, writer: str, column: str, table: str
) -> None:
    await become(db, writer)
    # a space lead pointing at a personal row (carol's)
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await insert(db, "leads", user_id=world.alice, space_id=world.space, **{column: world.carol_rows[table]})
    # a personal lead pointing at a space row, even one of a space its owner belongs to
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await insert(db, "leads", user_id=world.alice, **{column: world.rows[table]})
    # a personal lead pointing at another user's personal row
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await insert(db, "leads", user_id=world.alice, **{column: world.carol_rows[table]})
    # an existing lead changed to point elsewhere
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await db.execute(update_sql("leads", [column]), world.rows["leads"], world.carol_rows[table])
    # the same references from inside the scope are fine
    await insert(db, "leads", user_id=world.bob, space_id=world.space, **{column: world.rows[table]})
    await insert(db, "leads", user_id=world.carol, **{column: world.carol_rows[table]})


@pytest.mark.parametrize("writer", WRITERS)
async def test_a_lead_is_assigned_within_its_scope(db: asyncpg.Connection, world: World, writer: str) -> None:
    await become(db, writer)
    # space leads: any member of the space, not an outsider
    for member in (world.alice, world.bob):
        await insert(db, "leads", user_id=world.alice, space_id=world.space, assigned_to=member)
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await insert(db, "leads", user_id=world.alice, space_id=world.space, assigned_to=world.carol)
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await db.execute("update public.leads set assigned_to = $2 where id = $1", world.rows["leads"], world.carol)
    # personal leads: only their owner
    await insert(db, "leads", user_id=world.alice, assigned_to=world.alice)
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await insert(db, "leads", user_id=world.alice, assigned_to=world.bob)


@pytest.mark.parametrize("writer", WRITERS)
async def test_a_lead_cannot_move_away_from_its_references(db: asyncpg.Connection, world: World, writer: str) -> None:
    await become(db, writer)
    lead = world.rows["leads"]
    for space in (world.other_space, None):
        async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
            await db.execute("update public.leads set space_id = $2 where id = $1", lead, space)
    # a personal lead handed to another user leaves its owner's rows behind
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await db.execute("update public.leads set user_id = $2 where id = $1", world.carol_rows["leads"], world.alice)
    # within a space the owner may change: the scope is the space
    await db.execute("update public.leads set user_id = $2 where id = $1", lead, world.bob)
    # moving with every reference cleared is fine
    await db.execute(
        "update public.leads set space_id = null, company_id = null, stage_id = null, source_id = null, "
        "form_id = null, customer_id = null, assigned_to = null where id = $1",
        lead,
    )


@pytest.mark.parametrize("writer", WRITERS)
async def test_a_customer_cannot_reference_another_scope(db: asyncpg.Connection, world: World, writer: str) -> None:
    await become(db, writer)
    for column, table in [("lead_id", "leads"), ("company_id", "companies")]:
        async with violates(db, asyncpg.ForeignKeyViolationError, "customers_refs_in_scope"):
            await insert(
                db,
                "customers",
                user_id=world.alice,
                space_id=world.space,
                name="X",
                **{column: world.carol_rows[table]},
            )
        async with violates(db, asyncpg.ForeignKeyViolationError, "customers_refs_in_scope"):
            await insert(db, "customers", user_id=world.alice, name="X", **{column: world.rows[table]})
        async with violates(db, asyncpg.ForeignKeyViolationError, "customers_refs_in_scope"):
            await db.execute(update_sql("customers", [column]), world.rows["customers"], world.carol_rows[table])
    async with violates(db, asyncpg.ForeignKeyViolationError, "customers_refs_in_scope"):
        await db.execute("update public.customers set space_id = null where id = $1", world.rows["customers"])
    lead = await insert(db, "leads", user_id=world.bob, space_id=world.space)
    await insert(
        db,
        "customers",
        user_id=world.bob,
        space_id=world.space,
        name="Y",
        lead_id=lead,
        company_id=world.rows["companies"],
    )


async def test_removing_a_member_does_not_block_later_changes(db: asyncpg.Connection, world: World) -> None:
    """A member who leaves is unassigned, and the lead keeps working: unrelated references change freely."""
    dave = await add_user(db, "dave")
    await insert(db, "space_members", space_id=world.space, user_id=dave, role="member")
    lead = world.rows["leads"]
    other = await insert(db, "leads", user_id=world.alice, space_id=world.space, assigned_to=world.alice)
    await db.execute("update public.leads set assigned_to = $2 where id = $1", lead, dave)
    await db.execute("delete from public.space_members where space_id = $1 and user_id = $2", world.space, dave)
    assert await value_of(db, "leads", "assigned_to", lead) is None
    # deleting the lead's stage sets its stage_id to null
    await db.execute("delete from public.lead_stages where id = $1", world.rows["lead_stages"])
    await db.execute("update public.leads set user_id = $2 where id = $1", lead, world.bob)
    await db.execute("update public.leads set source_id = null, assigned_to = assigned_to where id = $1", lead)
    # the assignee can be changed to a member, and the one who left cannot come back
    await db.execute("update public.leads set assigned_to = $2 where id = $1", lead, world.alice)
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await db.execute("update public.leads set assigned_to = $2 where id = $1", lead, dave)
    # moving a lead to another scope checks every reference again, the unchanged ones too
    async with violates(db, asyncpg.ForeignKeyViolationError, "leads_refs_in_scope"):
        await db.execute("update public.leads set space_id = $2 where id = $1", other, world.other_space)
    await db.execute(
        "update public.leads set space_id = $2, assigned_to = null where id = $1", other, world.other_space
    )


async def test_a_departing_member_is_unassigned_from_that_space_only(db: asyncpg.Connection, world: World) -> None:
    dave = await add_user(db, "dave")
    await insert(db, "space_members", space_id=world.space, user_id=dave, role="member")
    await insert(db, "space_members", space_id=world.other_space, user_id=dave, role="member")
    here = await insert(db, "leads", user_id=world.alice, space_id=world.space, assigned_to=dave)
    there = await insert(db, "leads", user_id=world.carol, space_id=world.other_space, assigned_to=dave)
    await db.execute("delete from public.space_members where space_id = $1 and user_id = $2", world.space, dave)
    assert await value_of(db, "leads", "assigned_to", here) is None
    assert await value_of(db, "leads", "assigned_to", there) == dave


REFERENCES = [
    ("companies", "leads", "company_id"),
    ("companies", "customers", "company_id"),
    ("lead_stages", "leads", "stage_id"),
    ("lead_sources", "leads", "source_id"),
    ("lead_forms", "leads", "form_id"),
    ("customers", "leads", "customer_id"),
    ("leads", "customers", "lead_id"),
]


OWN_REFERENCES = {
    "customers": "lead_id = null, company_id = null",
    "leads": "company_id = null, stage_id = null, source_id = null, form_id = null, customer_id = null, "
    "assigned_to = null",
}


@pytest.mark.parametrize(("moved", "referrer", "column"), REFERENCES)
async def test_a_row_moving_to_another_scope_is_unlinked_from_its_old_scope(
    db: asyncpg.Connection, world: World, moved: str, referrer: str, column: str
) -> None:
    row, pointing = world.rows[moved], world.rows[referrer]
    await db.execute(f"update public.{referrer} set {column} = $2 where id = $1", pointing, row)
    if moved in OWN_REFERENCES:  # a moving row takes none of its own references along
        await db.execute(f"update public.{moved} set {OWN_REFERENCES[moved]} where id = $1", row)
    staying = await insert(db, "spaces", name="Unrelated", created_by=world.alice)
    await db.execute(f"update public.{moved} set space_id = $2 where id = $1", row, world.other_space)
    assert await value_of(db, referrer, column, pointing) is None
    # a move within the scope (another owner in the same space) keeps the links
    await db.execute(f"update public.{moved} set space_id = $2 where id = $1", row, world.space)
    await db.execute(f"update public.{referrer} set {column} = $2 where id = $1", pointing, row)
    await db.execute(f"update public.{moved} set user_id = $2 where id = $1", row, world.bob)
    assert await value_of(db, referrer, column, pointing) == row
    assert staying is not None


LEAD_CHILDREN = ("lead_activities", "lead_campaign_associations", "lead_workflow_executions")


async def scope_copy(conn: asyncpg.Connection, table: str, row: uuid.UUID) -> tuple[Any, Any]:
    found = await conn.fetchrow(f"select lead_owner_id, space_id from public.{table} where id = $1", row)
    assert found is not None
    return found["lead_owner_id"], found["space_id"]


@pytest.mark.parametrize("table", LEAD_CHILDREN)
async def test_a_lead_s_rows_carry_its_scope_whatever_the_insert_says(
    db: asyncpg.Connection, world: World, table: str
) -> None:
    row = world.rows[table]
    assert await scope_copy(db, table, row) == (world.alice, world.space)
    await db.execute(f"update public.{table} set lead_owner_id = $2, space_id = null where id = $1", row, world.carol)
    assert await scope_copy(db, table, row) == (world.alice, world.space)


@pytest.mark.parametrize("table", LEAD_CHILDREN)
async def test_a_lead_s_rows_follow_it_to_another_owner(db: asyncpg.Connection, world: World, table: str) -> None:
    await db.execute("update public.leads set user_id = $2 where id = $1", world.rows["leads"], world.bob)
    assert await scope_copy(db, table, world.rows[table]) == (world.bob, world.space)


async def test_a_lead_s_activities_follow_it_to_another_scope(db: asyncpg.Connection, world: World) -> None:
    lead = world.rows["leads"]
    await db.execute(f"update public.leads set {OWN_REFERENCES['leads']} where id = $1", lead)
    await db.execute("update public.leads set space_id = $2 where id = $1", lead, world.other_space)
    assert await scope_copy(db, "lead_activities", world.rows["lead_activities"]) == (world.alice, world.other_space)


async def test_a_moving_lead_leaves_the_campaigns_of_its_old_scope(db: asyncpg.Connection, world: World) -> None:
    lead, association = world.rows["leads"], world.rows["lead_campaign_associations"]
    await db.execute(
        "update public.leads set company_id = null, stage_id = null, source_id = null, form_id = null, "
        "customer_id = null, assigned_to = null where id = $1",
        lead,
    )
    await db.execute("update public.leads set space_id = $2 where id = $1", lead, world.other_space)
    assert not await exists(db, "lead_campaign_associations", association)
    assert await exists(db, "lead_activities", world.rows["lead_activities"])


async def test_a_moving_campaign_drops_the_leads_of_its_old_scope(db: asyncpg.Connection, world: World) -> None:
    campaign, association = world.rows["lead_campaigns"], world.rows["lead_campaign_associations"]
    await db.execute("update public.lead_campaigns set space_id = $2 where id = $1", campaign, world.other_space)
    assert not await exists(db, "lead_campaign_associations", association)


@pytest.mark.parametrize("table", ["companies", "customers", "leads"])
async def test_only_managers_take_data_rows_out_of_a_space(db: asyncpg.Connection, world: World, table: str) -> None:
    """Moving a row out of a space removes it from there: an API caller must be allowed to delete in it."""
    extra = {"name": "Movable"} if table != "leads" else {}
    row = await insert(db, table, user_id=world.bob, space_id=world.space, **extra)
    move = f"update public.{table} set space_id = $2 where id = $1"

    async def as_caller(user: uuid.UUID) -> None:
        claims = json.dumps({"sub": str(user), "role": "authenticated"})
        await db.execute("select set_config('request.jwt.claims', $1, true)", claims)

    await as_caller(world.bob)  # a member writes the space's data, but may not take it away
    for target in (None, world.other_space):
        async with violates(db, asyncpg.InsufficientPrivilegeError):
            await db.execute(move, row, target)
    await db.execute(f"update public.{table} set user_id = user_id where id = $1", row)  # staying is fine
    await as_caller(world.alice)  # the owner may
    async with db.transaction():
        await db.execute(move, row, None)
        await db.execute(move, row, world.space)  # and moving into a space is not restricted
    await db.execute("select set_config('request.jwt.claims', '', true)")  # no caller: Studio, service_role
    await db.execute(move, row, world.other_space)


# --------------------------------------------------------------------------------------------------------------
# Spaces: the creator becomes the owner; a space keeps an owner.
# --------------------------------------------------------------------------------------------------------------


async def members(conn: asyncpg.Connection, space: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = await conn.fetch("select user_id, role from public.space_members where space_id = $1", space)
    return {r["user_id"]: r["role"] for r in rows}


async def test_the_creator_of_a_space_becomes_its_owner(db: asyncpg.Connection, world: World) -> None:
    assert await members(db, world.space) == {world.alice: "owner", world.bob: "member"}
    assert await members(db, world.other_space) == {world.carol: "owner"}
    space = await insert(db, "spaces", name="Created in Studio", created_by=world.bob)
    assert await members(db, space) == {world.bob: "owner"}
    # without a creator (a superuser's insert), nobody is added
    assert await members(db, await insert(db, "spaces", name="Nobody's")) == {}
    # created_by defaults to the caller of the API
    await db.execute(
        "select set_config('request.jwt.claims', $1, true)",
        json.dumps({"sub": str(world.carol), "role": "authenticated"}),
    )
    space = await insert(db, "spaces", name="Carol's second")
    assert await value_of(db, "spaces", "created_by", space) == world.carol
    assert await members(db, space) == {world.carol: "owner"}


async def test_the_last_owner_can_neither_leave_nor_be_demoted(db: asyncpg.Connection, world: World) -> None:
    where = "where space_id = $1 and user_id = $2"
    for statement in (
        f"delete from public.space_members {where}",
        f"update public.space_members set role = 'admin' {where}",
        f"update public.space_members set role = 'viewer' {where}",
        f"update public.space_members set space_id = '{world.other_space}' {where}",
    ):
        async with violates(db, asyncpg.CheckViolationError, "space_members_last_owner"):
            await db.execute(statement, world.space, world.alice)
    async with violates(db, asyncpg.CheckViolationError, "space_members_last_owner"):
        await db.execute("delete from public.space_members where space_id = $1", world.space)
    assert await members(db, world.space) == {world.alice: "owner", world.bob: "member"}
    # other members come and go
    await db.execute(f"update public.space_members set role = 'viewer' {where}", world.space, world.bob)
    await db.execute(f"delete from public.space_members {where}", world.space, world.bob)
    # with a second owner, the first may step down, and then leave
    await insert(db, "space_members", space_id=world.space, user_id=world.carol, role="owner")
    await db.execute(f"update public.space_members set role = 'admin' {where}", world.space, world.alice)
    await db.execute(f"delete from public.space_members {where}", world.space, world.alice)
    assert await members(db, world.space) == {world.carol: "owner"}
    async with violates(db, asyncpg.CheckViolationError, "space_members_last_owner"):
        await db.execute(f"delete from public.space_members {where}", world.space, world.carol)


async def test_the_last_owner_goes_with_the_space(db: asyncpg.Connection, world: World) -> None:
    await db.execute("delete from public.spaces where id = $1", world.space)
    assert await members(db, world.space) == {}


async def test_the_last_owner_goes_with_the_user(db: asyncpg.Connection, world: World) -> None:
    await db.execute("delete from auth.users where id = $1", world.carol)
    assert await members(db, world.other_space) == {}
    assert await exists(db, "spaces", world.other_space)
    assert await value_of(db, "spaces", "created_by", world.other_space) is None


# --------------------------------------------------------------------------------------------------------------
# Deleting a user: their space rows go to another member, their personal rows go with them.
# --------------------------------------------------------------------------------------------------------------


async def join(conn: asyncpg.Connection, space: uuid.UUID, user: uuid.UUID, role: str, joined: dt.datetime) -> None:
    await conn.execute(
        "insert into public.space_members (space_id, user_id, role, created_at) values ($1, $2, $3, $4) "
        "on conflict (space_id, user_id) do update set role = excluded.role, created_at = excluded.created_at",
        space,
        user,
        role,
        joined,
    )


def year(n: int) -> dt.datetime:
    return dt.datetime(n, 1, 1, tzinfo=dt.UTC)


async def owners_of(conn: asyncpg.Connection, rows: Mapping[str, uuid.UUID]) -> dict[str, uuid.UUID | None]:
    return {table: await value_of(conn, table, "user_id", row) for table, row in rows.items() if table in SCOPED_TABLES}


async def delete_user(conn: asyncpg.Connection, user: uuid.UUID) -> None:
    assert await conn.execute("delete from auth.users where id = $1", user) == "DELETE 1"


async def test_deleting_a_member_hands_their_space_rows_to_an_owner(db: asyncpg.Connection, world: World) -> None:
    leaver, admin, owner2, viewer = [await add_user(db, n) for n in ("leaver", "admin", "owner2", "viewer")]
    space = await insert(db, "spaces", name="Team", created_by=owner2)
    # join order: viewer, admin, owner2, leaver; an owner inherits all the same
    await join(db, space, viewer, "viewer", year(2019))
    await join(db, space, admin, "admin", year(2020))
    await join(db, space, owner2, "owner", year(2021))
    await join(db, space, leaver, "member", year(2022))
    shared = await add_scope_rows(db, leaver, space)
    await add_child_rows(db, shared, leaver)
    personal = await add_scope_rows(db, leaver, None)
    await add_child_rows(db, personal, leaver)
    # the leaver's work on other people's leads, and the world's space where they are a member too
    await insert(db, "space_members", space_id=world.space, user_id=leaver, role="member")
    world_activity = await insert(
        db, "lead_activities", lead_id=world.rows["leads"], user_id=leaver, activity_type="note"
    )
    await db.execute("update public.leads set assigned_to = $2 where id = $1", world.rows["leads"], leaver)
    world_company = await insert(db, "companies", user_id=leaver, space_id=world.space, name="Leaver's find")

    await delete_user(db, leaver)

    assert set((await owners_of(db, shared)).values()) == {owner2}
    assert await value_of(db, "companies", "user_id", world_company) == world.alice
    for table, row in personal.items():
        assert not await exists(db, table, row), table
    for table in ("lead_form_fields", "lead_workflow_triggers", "lead_workflow_actions", "lead_campaign_associations"):
        assert await exists(db, table, shared[table]), table
    # the shared lead's own history stays; the leaver's name comes off it
    assert await value_of(db, "lead_activities", "user_id", shared["lead_activities"]) is None
    assert await value_of(db, "leads", "assigned_to", shared["leads"]) is None
    assert await value_of(db, "lead_activities", "user_id", world_activity) is None
    assert await value_of(db, "leads", "assigned_to", world.rows["leads"]) is None
    # roles do not change while an owner remains
    assert await members(db, space) == {viewer: "viewer", admin: "admin", owner2: "owner"}
    assert await members(db, world.space) == {world.alice: "owner", world.bob: "member"}


async def test_deleting_the_last_owner_promotes_the_heir(db: asyncpg.Connection, world: World) -> None:
    founder, admin, member, viewer = [await add_user(db, n) for n in ("founder", "admin", "member", "viewer")]
    space = await insert(db, "spaces", name="Start-up", created_by=founder)
    await join(db, space, viewer, "viewer", year(2018))
    await join(db, space, member, "member", year(2019))
    await join(db, space, admin, "admin", year(2020))  # an admin before a member who joined earlier
    shared = await add_scope_rows(db, founder, space)

    await delete_user(db, founder)

    assert set((await owners_of(db, shared)).values()) == {admin}
    assert await members(db, space) == {viewer: "viewer", member: "member", admin: "owner"}
    assert await value_of(db, "spaces", "created_by", space) is None


async def test_the_earliest_member_inherits_and_viewers_never_do(db: asyncpg.Connection, world: World) -> None:
    founder, late, early, viewer = [await add_user(db, n) for n in ("founder", "late", "early", "viewer")]
    space = await insert(db, "spaces", name="Agency", created_by=founder)
    await join(db, space, viewer, "viewer", year(2017))
    await join(db, space, late, "member", year(2021))
    await join(db, space, early, "member", year(2019))
    shared = await add_scope_rows(db, founder, space)

    await delete_user(db, founder)

    assert set((await owners_of(db, shared)).values()) == {early}
    assert await members(db, space) == {viewer: "viewer", late: "member", early: "owner"}


async def test_a_lone_owner_can_be_deleted(db: asyncpg.Connection, world: World) -> None:
    """Nobody to hand over to: the user's rows go with them, the space stays without members."""
    loner = await add_user(db, "loner")
    space = await insert(db, "spaces", name="Solo", created_by=loner)
    shared = await add_scope_rows(db, loner, space)
    await delete_user(db, loner)
    assert await members(db, space) == {}
    for table, row in shared.items():
        assert not await exists(db, table, row), table


async def test_rows_left_behind_in_a_space_are_handed_over_too(db: asyncpg.Connection, world: World) -> None:
    """A member who left a space keeps owning what they created there; deleting them must not delete it."""
    former = await add_user(db, "former")
    await insert(db, "space_members", space_id=world.space, user_id=former, role="member")
    shared = await add_scope_rows(db, former, world.space, "_former")
    await add_child_rows(db, shared, former)
    await db.execute("delete from public.space_members where space_id = $1 and user_id = $2", world.space, former)

    await delete_user(db, former)

    assert set((await owners_of(db, shared)).values()) == {world.alice}
    for table, row in shared.items():
        assert await exists(db, table, row), table
    assert await value_of(db, "leads", "assigned_to", shared["leads"]) is None
    assert await members(db, world.space) == {world.alice: "owner", world.bob: "member"}


async def test_a_stale_customer_reference_does_not_block_changes(db: asyncpg.Connection, world: World) -> None:
    """A lead moved to another scope is unlinked from its customer, which goes on working."""
    lead = await insert(db, "leads", user_id=world.alice, space_id=world.space)
    customer = await insert(
        db,
        "customers",
        user_id=world.alice,
        space_id=world.space,
        name="Z",
        lead_id=lead,
        company_id=world.rows["companies"],
    )
    await db.execute("update public.leads set space_id = $2 where id = $1", lead, world.other_space)
    assert await value_of(db, "customers", "lead_id", customer) is None
    await db.execute("delete from public.companies where id = $1", world.rows["companies"])
    assert await value_of(db, "customers", "company_id", customer) is None
    await db.execute("update public.customers set user_id = $2 where id = $1", customer, world.bob)
    async with violates(db, asyncpg.ForeignKeyViolationError, "customers_refs_in_scope"):
        await db.execute("update public.customers set lead_id = $2 where id = $1", customer, lead)


async def test_a_stale_assignment_does_not_block_deleting_a_user(db: asyncpg.Connection, world: World) -> None:
    leaver, gone = await add_user(db, "leaver"), await add_user(db, "gone")
    for user in (leaver, gone):
        await insert(db, "space_members", space_id=world.space, user_id=user, role="member")
    lead = await insert(db, "leads", user_id=leaver, space_id=world.space, assigned_to=gone)
    await db.execute("delete from public.space_members where space_id = $1 and user_id = $2", world.space, gone)
    await delete_user(db, leaver)
    assert await value_of(db, "leads", "user_id", lead) == world.alice
    await delete_user(db, gone)
    assert await value_of(db, "leads", "assigned_to", lead) is None


# --------------------------------------------------------------------------------------------------------------
# Generated columns.
# --------------------------------------------------------------------------------------------------------------


async def matches(conn: asyncpg.Connection, lead: uuid.UUID, query: str) -> bool:
    return bool(
        await conn.fetchval(
            "select search_vector @@ to_tsquery('simple', $2) from public.leads where id = $1", lead, query
        )
    )


async def test_search_vector_covers_names_email_and_job_title(db: asyncpg.Connection, world: World) -> None:
    lead = await insert(
        db,
        "leads",
        user_id=world.alice,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@analytical.example",
        job_title="Chief Engineer",
    )
    for query in ("ada", "ADA", "lovelace", "ada@analytical.example", "chief & engineer", "lovel:*", "engineer"):
        assert await matches(db, lead, query), query
    for query in ("babbage", "ada & babbage", "analytical"):
        assert not await matches(db, lead, query), query
    await db.execute("update public.leads set last_name = 'Byron', job_title = null where id = $1", lead)
    assert await matches(db, lead, "byron") and not await matches(db, lead, "lovelace")
    assert not await matches(db, lead, "engineer")
    empty = await insert(db, "leads", user_id=world.alice)
    assert await db.fetchval("select search_vector from public.leads where id = $1", empty) == ""
    async with violates(db, asyncpg.GeneratedAlwaysError):
        await db.execute("update public.leads set search_vector = to_tsvector('simple', 'x') where id = $1", lead)


async def test_has_credentials_follows_credentials(db: asyncpg.Connection, world: World) -> None:
    integration = world.rows["lead_integrations"]
    assert await value_of(db, "lead_integrations", "has_credentials", integration) is False
    await db.execute(
        "update public.lead_integrations set credentials = $2 where id = $1", integration, '{"v": 1, "ct": "..."}'
    )
    assert await value_of(db, "lead_integrations", "has_credentials", integration) is True
    await db.execute("update public.lead_integrations set credentials = null where id = $1", integration)
    assert await value_of(db, "lead_integrations", "has_credentials", integration) is False
    async with violates(db, asyncpg.GeneratedAlwaysError):
        await insert(db, "lead_integrations", user_id=world.alice, integration_type="crm", integration_name="X",
                     has_credentials=True)  # fmt: skip


CAMPAIGN_MOVES = {
    "draft": ("scheduled", "active", "cancelled"),
    "scheduled": ("active", "draft", "cancelled"),
    "active": ("paused", "completed", "cancelled"),
    "paused": ("active", "completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}


async def test_campaign_status_transitions(db: asyncpg.Connection, world: World) -> None:
    """Every (from, to) pair, for every writer: the allowed moves pass, the others raise 23514 naming the status."""
    campaign = world.rows["lead_campaigns"]
    for old, allowed in CAMPAIGN_MOVES.items():
        for new in CAMPAIGN_MOVES:
            await db.execute("set local session_replication_role = replica")  # set the start behind the trigger
            await db.execute("update public.lead_campaigns set status = $2 where id = $1", campaign, old)
            await db.execute("set local session_replication_role = origin")
            update = "update public.lead_campaigns set status = $2, name = 'Moved' where id = $1"
            if new == old or new in allowed:
                assert await db.execute(update, campaign, new) == "UPDATE 1", (old, new)
                continue
            async with violates(db, asyncpg.CheckViolationError, "lead_campaigns_status_transition_check"):
                await db.execute(update, campaign, new)
            assert await value_of(db, "lead_campaigns", "status", campaign) == old
    # not a status at all: the CHECK constraint says so, not the transition rule
    async with violates(db, asyncpg.CheckViolationError, "lead_campaigns_status_check"):
        await db.execute("update public.lead_campaigns set status = 'finished' where id = $1", campaign)
    # a new campaign may start anywhere (imported history)
    done = await insert(db, "lead_campaigns", user_id=world.alice, name="Imported", status="completed")
    async with violates(db, asyncpg.CheckViolationError, "lead_campaigns_status_transition_check"):
        await db.execute("update public.lead_campaigns set status = 'active' where id = $1", done)


async def test_an_integration_moved_to_another_scope_forgets_its_credentials(
    db: asyncpg.Connection, world: World
) -> None:
    envelope, hint = '{"v": 1, "kid": "k", "nonce": "n", "ciphertext": "c"}', "••••1234"
    integration = world.rows["lead_integrations"]
    update = "update public.lead_integrations set credentials = $2, credentials_hint = $3 where id = $1"
    await db.execute(update, integration, envelope, hint)
    # the same scope: a rename, a new owner of a space row (a departing user's rows are handed over)
    await db.execute("update public.lead_integrations set integration_name = 'Renamed' where id = $1", integration)
    await db.execute("update public.lead_integrations set user_id = $2 where id = $1", integration, world.bob)
    assert await value_of(db, "lead_integrations", "has_credentials", integration) is True
    # another space: the envelope, bound to the old scope, is dropped with its hint
    await db.execute("update public.lead_integrations set space_id = $2 where id = $1", integration, world.other_space)
    row = await db.fetchrow(
        "select credentials, credentials_hint from public.lead_integrations where id = $1", integration
    )
    assert row is not None and (row["credentials"], row["credentials_hint"]) == (None, None)
    # moved with new credentials (what the API does): they stay
    await db.execute(update, integration, envelope, hint)
    await db.execute(
        "update public.lead_integrations set space_id = null, user_id = $2, credentials = $3 where id = $1",
        integration,
        world.carol,
        envelope.replace('"c"', '"c2"'),
    )
    assert await value_of(db, "lead_integrations", "credentials_hint", integration) == hint
    # a personal row given to another user changes scope too
    await db.execute("update public.lead_integrations set user_id = $2 where id = $1", integration, world.alice)
    assert await value_of(db, "lead_integrations", "has_credentials", integration) is False


# --------------------------------------------------------------------------------------------------------------
# The auth shim: auth.uid(), auth.role(), auth.email() and auth.jwt() as Supabase defines them.
# --------------------------------------------------------------------------------------------------------------

AUTH_FUNCTIONS = "select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() as jwt"


async def auth_values(conn: asyncpg.Connection) -> tuple[Any, ...]:
    row = await conn.fetchrow(AUTH_FUNCTIONS)
    assert row is not None
    jwt = json.loads(row["jwt"]) if row["jwt"] is not None else None
    return row["uid"], row["role"], row["email"], jwt


async def set_settings(conn: asyncpg.Connection, **settings: str) -> None:
    for name, value in settings.items():
        await conn.execute("select set_config($1, $2, true)", name.replace("_", "."), value)


async def test_auth_functions_are_null_without_claims(cluster: PgCluster, module_db: str, world: World) -> None:
    conn = await asyncpg.connect(cluster.dsn(module_db))  # a session that never set a claim
    try:
        assert await conn.fetchval("select current_setting('request.jwt.claims', true)") is None
        assert await auth_values(conn) == (None, None, None, None)
        async with conn.transaction():
            await set_settings(conn, request_jwt_claims=json.dumps({"sub": str(world.alice)}))
            assert (await auth_values(conn))[0] == world.alice
        # after the transaction the setting exists but is empty: still no caller
        assert await conn.fetchval("select current_setting('request.jwt.claims', true)") == ""
        assert await auth_values(conn) == (None, None, None, None)
    finally:
        await conn.close()


async def test_auth_functions_read_request_jwt_claims(db: asyncpg.Connection, world: World) -> None:
    claims = {"sub": str(world.bob), "role": "authenticated", "email": "bob@example.test", "app_metadata": {"a": 1}}
    await set_settings(db, request_jwt_claims=json.dumps(claims))
    assert await auth_values(db) == (world.bob, "authenticated", "bob@example.test", claims)
    await set_settings(db, request_jwt_claims=json.dumps({"role": "anon"}))
    assert await auth_values(db) == (None, "anon", None, {"role": "anon"})
    await set_settings(db, request_jwt_claims="")
    assert await auth_values(db) == (None, None, None, None)


async def test_auth_functions_prefer_the_legacy_settings(db: asyncpg.Connection, world: World) -> None:
    claims = {"sub": str(world.bob), "role": "authenticated", "email": "bob@example.test"}
    legacy = {"sub": str(world.carol), "role": "service_role"}
    await set_settings(
        db,
        request_jwt_claims=json.dumps(claims),
        request_jwt_claim_sub=str(world.carol),
        request_jwt_claim_role="service_role",
        request_jwt_claim_email="carol@example.test",
        request_jwt_claim=json.dumps(legacy),
    )
    assert await auth_values(db) == (world.carol, "service_role", "carol@example.test", legacy)
    # an empty legacy setting falls back to request.jwt.claims
    await set_settings(
        db, request_jwt_claim_sub="", request_jwt_claim_role="", request_jwt_claim_email="", request_jwt_claim=""
    )
    assert await auth_values(db) == (world.bob, "authenticated", "bob@example.test", claims)


async def test_auth_functions_match_supabase_definitions(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        "select p.proname, p.provolatile::text as volatility, p.prosecdef, p.proconfig, "
        "pg_get_function_result(p.oid) as result, l.lanname "
        "from pg_proc p join pg_language l on l.oid = p.prolang "
        "where p.pronamespace = 'auth'::regnamespace and p.proname in ('uid', 'role', 'email', 'jwt')"
    )
    assert {r["proname"]: r["result"] for r in rows} == {"uid": "uuid", "role": "text", "email": "text", "jwt": "jsonb"}
    for r in rows:  # inlinable: plain stable SQL, no security definer, no SET clause
        assert (r["lanname"], r["volatility"], r["prosecdef"], r["proconfig"]) == ("sql", "s", False, None)


# --------------------------------------------------------------------------------------------------------------
# Profiles: kept in step with auth.users.
# --------------------------------------------------------------------------------------------------------------


async def profile(conn: asyncpg.Connection, user: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow("select email, full_name, avatar_url from public.profiles where id = $1", user)
    return dict(row) if row is not None else None


async def test_a_new_user_gets_a_profile(db: asyncpg.Connection, world: World) -> None:
    assert await profile(db, world.alice) is not None
    user = uuid.uuid4()
    meta = {"full_name": "Ada Lovelace", "avatar_url": "https://cdn.example/ada.png"}
    await db.execute(
        "insert into auth.users (id, email, raw_user_meta_data) values ($1, 'ada@example.test', $2)",
        user,
        json.dumps(meta),
    )
    assert await profile(db, user) == {"email": "ada@example.test", **meta}
    # only http(s) avatars, at most 200 characters of name, no empty name: the trigger respects the constraints
    odd = uuid.uuid4()
    await db.execute(
        "insert into auth.users (id, email, raw_user_meta_data) values ($1, null, $2)",
        odd,
        json.dumps({"full_name": "x" * 300, "avatar_url": "javascript:alert(1)"}),
    )
    assert await profile(db, odd) == {"email": None, "full_name": "x" * 200, "avatar_url": None}
    blank = uuid.uuid4()
    await db.execute(
        "insert into auth.users (id, raw_user_meta_data) values ($1, $2)", blank, json.dumps({"full_name": ""})
    )
    assert await profile(db, blank) == {"email": None, "full_name": None, "avatar_url": None}


async def test_a_changed_email_reaches_the_profile(db: asyncpg.Connection, world: World) -> None:
    await db.execute("update public.profiles set full_name = 'Alice A.' where id = $1", world.alice)
    await db.execute("update auth.users set email = 'alice@new.example' where id = $1", world.alice)
    assert await profile(db, world.alice) == {"email": "alice@new.example", "full_name": "Alice A.", "avatar_url": None}
    await delete_user(db, world.alice)
    assert await profile(db, world.alice) is None
