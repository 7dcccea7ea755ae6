"""Workflow and integration security through the API. Secrets of workflow steps (a WEBHOOK's signing secret and
headers) are write-only: stored encrypted apart from actionConfig, never returned to viewers, members, admins or
platform admins through either read path (the compiled statement and the field-by-field path) nor selectable in SQL
by API roles; only a masked hint shows. The worker still signs with the real secret and sends the real headers;
secrets written in clear past the API (Studio, rows from before) are moved out of action_config at once and sealed
by the worker. Integration URLs are checked when saved, through GraphQL and in the database; a workflow shows when
it was switched on (activeSince)."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from domain.credentials import CredentialsError, Keyring
from domain.webhooks import WebhookPolicy
from domain.workflows import step_secrets
from domain.workflows.clock import FakeClock
from domain.workflows.settings import ActionSettings
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient, GraphQLResponse
from tests.support.databases import with_user
from tests.support.http_app import CustomApp, admin_connection, insert_lead, keyed_app, new_secret
from tests.support.mutations import gid, ok, raw_id, refused
from tests.support.roles import acting_as, user_claims
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workflow_actions import worker_with

KEYRING = Keyring.from_texts(secrets.token_urlsafe(48))
SPACE_ID = gid("Space", SPACE)
TOKEN = "Bearer partner-" + secrets.token_hex(12)
ACTION_FIELDS = "id actionType actionConfig secretsHint"
CREATE_WORKFLOW = "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }"
CREATE_ACTION = (
    f"mutation($input: CreateWorkflowActionInput!) {{ createWorkflowAction(input: $input) {{ {ACTION_FIELDS} }} }}"
)
UPDATE_ACTION = (
    "mutation($id: ID!, $patch: WorkflowActionPatch!) {"
    f" updateWorkflowAction(id: $id, patch: $patch) {{ {ACTION_FIELDS} }} }}"
)
RUN = "mutation($w: ID!, $l: ID!) { runWorkflow(workflowId: $w, leadId: $l) { id status } }"
READS = (
    f"{{ workflows(first: 50) {{ nodes {{ id actions {{ {ACTION_FIELDS} }} }} }} }}",
    f"query($id: ID!) {{ node(id: $id) {{ ... on WorkflowAction {{ {ACTION_FIELDS} }} }} }}",
    f"query($id: ID!) {{ nodes(ids: [$id]) {{ ... on WorkflowAction {{ {ACTION_FIELDS} workflow {{ name }} }} }} }}",
)


@pytest_asyncio.fixture(scope="module")
async def app(api: ApiClient) -> AsyncIterator[CustomApp]:
    """The API with a credentials key; reads through the compiled path where it can."""
    async with keyed_app(api, KEYRING, compiled_reads=True) as opened:
        yield opened


@pytest_asyncio.fixture(scope="module")
async def general(api: ApiClient) -> AsyncIterator[CustomApp]:
    """The same database and key, every read field by field (Strawberry and the DataLoaders)."""
    async with keyed_app(api, KEYRING) as opened:
        yield opened


async def webhook_step(app: CustomApp, config: dict[str, Any], as_user: str = BOB) -> tuple[str, dict[str, Any]]:
    """A new workflow of the demo space with one WEBHOOK step: (workflow id, the step as the mutation returns it)."""
    name = f"hook {uuid.uuid4().hex[:6]}"
    workflow = ok(await app.client.gql(CREATE_WORKFLOW, {"input": {"space": SPACE_ID, "name": name}}, as_user=as_user))
    workflow_id = workflow["createWorkflow"]["id"]
    step = {"workflow": workflow_id, "actionType": "WEBHOOK", "actionConfig": config, "actionOrder": 0}
    created = ok(await app.client.gql(CREATE_ACTION, {"input": step}, as_user=as_user))["createWorkflowAction"]
    return workflow_id, dict(created)


async def stored(app: CustomApp, action_id: str) -> asyncpg.Record:
    async with admin_connection(app.client) as conn:
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        row = await conn.fetchrow(
            "select workflow_id, action_config, secrets, secrets_hint from public.lead_workflow_actions where id = $1",
            uuid.UUID(raw_id(action_id)),
        )
    assert row is not None
    return row


def assert_absent(values: tuple[str, ...], *responses: GraphQLResponse) -> None:
    for response in responses:
        text = json.dumps(response.body)
        for value in values:
            assert value not in text and value[-8:] not in text, response.body


async def test_no_reader_sees_a_step_secret_through_either_read_path(app: CustomApp, general: CustomApp) -> None:
    secret = new_secret()
    config = {"url": "https://hooks.example.com/partner", "secret": secret, "headers": {"Authorization": TOKEN}}
    _, created = await webhook_step(app, config)
    assert created["actionConfig"] == {"url": "https://hooks.example.com/partner"}
    hint = {"secret": "••••" + secret[-4:], "headers": {"Authorization": "••••" + TOKEN[-4:]}}
    assert created["secretsHint"] == hint
    responses = [GraphQLResponse(200, {"data": created}, None)]
    for client in (app.client, general.client):
        for user in (ALICE, BOB, CAROL, DAVE, PLATFORM_ADMIN):  # owner, admin, member, viewer, platform admin
            for query in READS:
                variables = {"id": created["id"]} if "$id" in query else None
                response = await client.gql(query, variables, as_user=user)
                assert response.errors == [], response.errors
                responses.append(response)
                assert created["id"] in json.dumps(response.body), (user, query)
    assert_absent((secret, TOKEN.removeprefix("Bearer ")), *responses)
    row = await stored(app, created["id"])
    assert row["action_config"] == {"url": "https://hooks.example.com/partner"}
    assert set(row["secrets"]) == {"secret", "headers"} and secret not in json.dumps(row["secrets"])
    step = step_secrets.open_all(KEYRING, raw_id(created["id"]), row["workflow_id"], row["secrets"])
    assert step == {"secret": secret, "headers": {"Authorization": TOKEN}}
    # an envelope only opens for its own step and key
    with pytest.raises(CredentialsError):
        step_secrets.open_all(KEYRING, uuid.uuid4(), row["workflow_id"], row["secrets"])


async def test_step_secrets_are_not_selectable_in_sql_by_api_roles(app: CustomApp) -> None:
    secret = new_secret()
    config = {"url": "https://hooks.example.com/sql", "secret": secret, "headers": {"Authorization": TOKEN}}
    _, created = await webhook_step(app, config)
    row_id = uuid.UUID(raw_id(created["id"]))
    conn = await asyncpg.connect(with_user(app.client.admin_dsn, "leadgen_api"))
    try:
        for user, platform_admin in (
            (ALICE, False),
            (BOB, False),
            (CAROL, False),
            (DAVE, False),
            (PLATFORM_ADMIN, True),
        ):
            claims = {**user_claims(user, platform_admin=platform_admin), "role": "authenticated"}
            for sql in (
                "select secrets from public.lead_workflow_actions where id = $1",
                "select * from public.lead_workflow_actions where id = $1",
                "select to_jsonb(a) from public.lead_workflow_actions a where id = $1",
                "select id from public.lead_workflow_actions where id = $1 and secrets is not null",
                "update public.lead_workflow_actions set action_config = secrets where id = $1",
                "update public.lead_workflow_actions set delay_seconds = 1 where id = $1 returning secrets",
                "select private.workflow_action_secrets($1)",
            ):
                async with acting_as(conn, claims) as acting:
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        await acting.fetch(sql, row_id)
            async with acting_as(conn, claims) as acting:  # what they may read holds no secret
                visible = await acting.fetchrow(
                    "select action_config::text as config, secrets_hint::text as hint"
                    " from public.lead_workflow_actions where id = $1",
                    row_id,
                )
                assert visible is not None and secret not in str(dict(visible)) and TOKEN not in str(dict(visible))
        async with acting_as(conn, {**user_claims(ALICE), "role": "authenticated"}) as acting:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):  # nor written directly
                await acting.execute(
                    """insert into public.lead_workflow_actions (workflow_id, action_type, secrets)"""
                    """ values ($1, 'webhook', '{"secret": {"plain": "x"}}')""",
                    (await stored(app, created["id"]))["workflow_id"],
                )
    finally:
        await conn.close()


async def test_the_worker_signs_with_the_stored_secret_and_sends_the_headers(app: CustomApp) -> None:
    secret = new_secret()
    lead = await insert_lead(app.client, ALICE, SPACE, email="hooked@example.org")
    with webhook_receiver(secret) as receiver:
        config = {"url": receiver.url("/ok"), "secret": secret, "headers": {"Authorization": TOKEN}}
        workflow, _ = await webhook_step(app, config)
        run = ok(await app.client.gql(RUN, {"w": workflow, "l": gid("Lead", lead)}, as_user=BOB))["runWorkflow"]
        settings = ActionSettings(webhooks=WebhookPolicy(timeout=2.0, allow_private=True), keyring=KEYRING)
        async with worker_with(app.client.admin_dsn, FakeClock(), settings) as worker:
            await worker.run_once()
    got = [r for r in receiver.received if r.path == "/ok"]
    assert len(got) == 1 and got[0].signature_valid and got[0].headers["authorization"] == TOKEN
    assert got[0].json()["lead"]["email"] == "hooked@example.org"
    async with admin_connection(app.client) as conn:
        row = await conn.fetchrow(
            "select status, execution_data::text as data from public.lead_workflow_executions where id = $1",
            uuid.UUID(raw_id(run["id"])),
        )
    assert row is not None and row["status"] == "completed", row
    assert secret not in row["data"] and TOKEN not in row["data"]


async def test_a_patch_keeps_stored_secrets_and_a_new_url_drops_the_headers(app: CustomApp) -> None:
    secret, other = new_secret(), new_secret()
    config = {"url": "https://hooks.example.com/a", "secret": secret, "headers": {"Authorization": TOKEN}}
    _, created = await webhook_step(app, config)
    gql = app.client.gql
    same_url = {"actionConfig": {"url": "https://hooks.example.com/a", "method": "POST"}}
    kept = ok(await gql(UPDATE_ACTION, {"id": created["id"], "patch": same_url}, as_user=BOB))["updateWorkflowAction"]
    assert kept["secretsHint"] == created["secretsHint"]  # left out: kept
    moved = {"actionConfig": {"url": "https://elsewhere.example.com/b"}}
    moved_step = ok(await gql(UPDATE_ACTION, {"id": created["id"], "patch": moved}, as_user=BOB))
    assert moved_step["updateWorkflowAction"]["secretsHint"] == {"secret": "••••" + secret[-4:]}  # token not carried
    row = await stored(app, created["id"])
    assert step_secrets.open_all(KEYRING, raw_id(created["id"]), row["workflow_id"], row["secrets"]) == {
        "secret": secret
    }
    replaced = {"actionConfig": {"url": "https://elsewhere.example.com/b", "secret": other, "headers": {"X-Key": "k"}}}
    step = ok(await gql(UPDATE_ACTION, {"id": created["id"], "patch": replaced}, as_user=BOB))["updateWorkflowAction"]
    assert step["secretsHint"] == {"secret": "••••" + other[-4:], "headers": {"X-Key": "••••"}}
    # a patch is checked with what it keeps: a stored secret and an integration are not both allowed ...
    integration = {"actionConfig": {"integration": str(uuid.uuid4()), "url": "https://elsewhere.example.com/b"}}
    switched = ok(await gql(UPDATE_ACTION, {"id": created["id"], "patch": integration}, as_user=BOB))
    assert switched["updateWorkflowAction"]["secretsHint"] == {"headers": {"X-Key": "••••"}}  # ... it drops the secret
    refused(  # and without a secret or an integration a webhook cannot sign
        await gql(
            UPDATE_ACTION, {"id": created["id"], "patch": {"actionConfig": {"url": "https://x.example"}}}, as_user=BOB
        ),
        "BAD_USER_INPUT",
        "patch.actionConfig.secret",
    )
    refused(  # members cannot change steps, secrets included
        await gql(UPDATE_ACTION, {"id": created["id"], "patch": replaced}, as_user=CAROL), "FORBIDDEN"
    )
    refused(await gql(UPDATE_ACTION, {"id": created["id"], "patch": replaced}, as_user=ERIN), "NOT_FOUND")


async def test_secrets_written_past_the_api_move_out_at_once_and_the_worker_seals_them(app: CustomApp) -> None:
    secret = new_secret()
    lead = await insert_lead(app.client, ALICE, SPACE, email="studio@example.org")
    with webhook_receiver(secret) as receiver:
        _, created = await webhook_step(app, {"url": receiver.url("/ok"), "secret": new_secret()})
        row_id = uuid.UUID(raw_id(created["id"]))
        async with admin_connection(app.client) as conn:  # Studio writes the secret and a header in clear
            config = {"url": receiver.url("/ok"), "secret": secret, "headers": {"Authorization": TOKEN}}
            await conn.execute(
                "update public.lead_workflow_actions set action_config = $2::jsonb where id = $1",
                row_id,
                json.dumps(config),
            )
        row = await stored(app, created["id"])
        assert row["action_config"] == {"url": receiver.url("/ok")}
        assert row["secrets"] == {"secret": {"plain": secret}, "headers": {"plain": {"Authorization": TOKEN}}}
        assert row["secrets_hint"] == {
            "secret": "••••" + secret[-4:],
            "headers": {"Authorization": "••••" + TOKEN[-4:]},
        }
        for user in (CAROL, DAVE, PLATFORM_ADMIN):
            assert_absent((secret, TOKEN), await app.client.gql(READS[1], {"id": created["id"]}, as_user=user))
        settings = ActionSettings(webhooks=WebhookPolicy(timeout=2.0, allow_private=True), keyring=KEYRING)
        async with worker_with(app.client.admin_dsn, FakeClock(), settings) as worker:
            await worker.run_once()  # a worker seals what it finds in clear when it starts
            sealed = await stored(app, created["id"])
            assert all("ciphertext" in entry and "plain" not in entry for entry in sealed["secrets"].values())
            assert secret not in json.dumps(sealed["secrets"]) and sealed["secrets_hint"] == row["secrets_hint"]
            workflow = gid("Workflow", sealed["workflow_id"])
            ok(await app.client.gql(RUN, {"w": workflow, "l": gid("Lead", lead)}, as_user=BOB))
            await worker.run_once()
    [got] = [r for r in receiver.received if r.path == "/ok"]
    assert got.signature_valid and got.headers["authorization"] == TOKEN


async def test_integration_urls_are_checked_when_saved(app: CustomApp) -> None:
    create = "mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id settings } }"
    update = "mutation($id: ID!, $patch: IntegrationPatch!) { updateIntegration(id: $id, patch: $patch) { id } }"
    base = {"space": SPACE_ID, "integrationType": "WEBHOOK", "integrationName": "Hook"}
    for settings, field in (
        ({"url": "file:///etc/passwd"}, "input.settings.url"),
        ({"url": "gopher://127.0.0.1:70/_x"}, "input.settings.url"),
        ({"url": "https://user:pw@hooks.example.com/"}, "input.settings.url"),
        ({"redirectUrl": "javascript:alert(1)"}, "input.settings.redirectUrl"),
        ({"base_url": 42}, "input.settings.base_url"),
    ):
        response = await app.client.gql(create, {"input": {**base, "settings": settings}}, as_user=BOB)
        refused(response, "BAD_USER_INPUT", field)
    good = {"url": "https://hooks.example.com/in", "portal": "file://not-a-url-key"}
    created = ok(await app.client.gql(create, {"input": {**base, "settings": good}}, as_user=BOB))["createIntegration"]
    patch = {"settings": {"url": "file:///etc/shadow"}}
    refused(
        await app.client.gql(update, {"id": created["id"], "patch": patch}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.settings.url",
    )
    async with admin_connection(app.client) as conn:  # Studio: the database refuses the same
        for value in ("file:///etc/passwd", "gopher://x.example/", "http://", " https://a b.example/"):
            with pytest.raises(asyncpg.CheckViolationError):
                await conn.execute(
                    "update public.lead_integrations set settings = jsonb_build_object('url', $2::text) where id = $1",
                    uuid.UUID(raw_id(created["id"])),
                    value,
                )
        await conn.execute(
            'update public.lead_integrations set settings = \'{"url": "http://[::1]:8080/x?y=1#z"}\' where id = $1',
            uuid.UUID(raw_id(created["id"])),
        )


async def test_active_since_says_when_a_workflow_was_switched_on(app: CustomApp, general: CustomApp) -> None:
    workflow, _ = await webhook_step(app, {"url": "https://hooks.example.com/on", "secret": new_secret()})
    trigger = {"workflow": workflow, "triggerType": "MANUAL", "triggerConditions": {}}
    create_trigger = "mutation($i: CreateWorkflowTriggerInput!) { createWorkflowTrigger(input: $i) { id } }"
    ok(await app.client.gql(create_trigger, {"i": trigger}, as_user=BOB))
    read = "query($id: ID!) { node(id: $id) { ... on Workflow { isActive activeSince } } }"
    assert ok(await app.client.gql(read, {"id": workflow}, as_user=DAVE))["node"] == {
        "isActive": False,
        "activeSince": None,
    }
    activate = "mutation($id: ID!) { activateWorkflow(id: $id) { isActive activeSince } }"
    activated = ok(await app.client.gql(activate, {"id": workflow}, as_user=BOB))["activateWorkflow"]
    assert activated["isActive"] and activated["activeSince"]
    for client in (app.client, general.client):
        assert ok(await client.gql(read, {"id": workflow}, as_user=DAVE))["node"] == activated
    deactivate = "mutation($id: ID!) { deactivateWorkflow(id: $id) { isActive activeSince } }"
    deactivated = ok(await app.client.gql(deactivate, {"id": workflow}, as_user=BOB))["deactivateWorkflow"]
    assert deactivated == {"isActive": False, "activeSince": None}
