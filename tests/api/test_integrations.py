"""Integrations: write-only credentials (in no response, no API role's SQL, no log line) and testIntegration."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from domain.credentials import Keyring
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient, GraphQLResponse
from tests.support.databases import with_user
from tests.support.http_app import CustomApp, keyed_app, new_secret
from tests.support.mutations import admin_val, gid, ok, raw_id, refused
from tests.support.roles import acting_as
from tests.support.webhook_receiver import webhook_receiver

KEYRING = Keyring.from_texts(secrets.token_urlsafe(48))
SPACE_ID = gid("Space", SPACE)
FIELDS = "id integrationType integrationName isActive settings hasCredentials credentialsHint syncStatus"
CREATE = f"""mutation($input: CreateIntegrationInput!, $credentials: JSON) {{
  createIntegration(input: $input, credentials: $credentials) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $patch: IntegrationPatch!, $credentials: JSON) {{
  updateIntegration(id: $id, patch: $patch, credentials: $credentials) {{ {FIELDS} space {{ id }} }} }}"""
ROTATE = f"""mutation($id: ID!, $credentials: JSON!) {{
  rotateIntegrationCredentials(id: $id, credentials: $credentials) {{ {FIELDS} }} }}"""
CLEAR = f"mutation($id: ID!) {{ clearIntegrationCredentials(id: $id) {{ {FIELDS} }} }}"
TEST = "mutation($id: ID!) { testIntegration(id: $id) { ok statusCode error durationMs deliveryId } }"
READS = (
    f"{{ integrations(first: 50) {{ totalCount nodes {{ {FIELDS} owner {{ email }} space {{ name }} }} }} }}",
    f"query($id: ID!) {{ node(id: $id) {{ __typename ... on Integration {{ {FIELDS} }} }} }}",
    f"query($id: ID!) {{ nodes(ids: [$id]) {{ ... on Integration {{ {FIELDS} }} }} }}",
)


@pytest_asyncio.fixture(scope="module")
async def app(api: ApiClient) -> AsyncIterator[CustomApp]:
    """The API with a credentials key, and webhooks allowed to reach the test's receiver on 127.0.0.1."""
    async with keyed_app(api, KEYRING, compiled_reads=True) as opened:
        yield opened


@pytest_asyncio.fixture(scope="module")
async def strict(api: ApiClient) -> AsyncIterator[CustomApp]:
    """The same database and key, with the production webhook policy: public addresses only."""
    async with keyed_app(api, KEYRING, allow_private=False) as opened:
        yield opened


async def webhook(app: CustomApp, url: str, secret: str | None, as_user: str = BOB, **input: Any) -> dict[str, Any]:
    fields = {"space": SPACE_ID, "integrationType": "WEBHOOK", "integrationName": "Hook", "settings": {"url": url}}
    credentials = None if secret is None else {"signingSecret": secret}
    response = await app.client.gql(CREATE, {"input": {**fields, **input}, "credentials": credentials}, as_user=as_user)
    return dict(ok(response)["createIntegration"])


async def stored(app: CustomApp, integration_id: str) -> asyncpg.Record:
    sql = "select user_id, space_id, credentials, credentials_hint from public.lead_integrations where id = $1"
    conn = await asyncpg.connect(app.client.admin_dsn)
    try:
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        row = await conn.fetchrow(sql, uuid.UUID(raw_id(integration_id)))
    finally:
        await conn.close()
    assert row is not None
    return row


def fragments(secret: str, size: int = 12) -> list[str]:
    """Every run of `size` characters of the secret's random part: a log may wrap a long line inside it."""
    random_part = secret.removeprefix("whsec_")
    return [random_part[i : i + size] for i in range(len(random_part) - size + 1)]


def leaked(secret: str, text: str) -> bool:
    return any(fragment in text for fragment in fragments(secret))


def assert_absent(secret: str, *responses: GraphQLResponse) -> None:
    for response in responses:
        text = json.dumps(response.body)
        assert not leaked(secret, text) and "ciphertext" not in text, text


async def test_credentials_are_encrypted_and_never_shown(app: CustomApp) -> None:
    secret = new_secret()
    created = await webhook(app, "https://hooks.example.com/in", secret)
    assert created["hasCredentials"] is True and created["credentialsHint"] == "••••" + secret[-4:]
    row = await stored(app, created["id"])
    envelope = row["credentials"]
    assert set(envelope) == {"v", "kid", "nonce", "ciphertext"} and secret not in json.dumps(envelope)
    # bound to this row and scope: the test holds the key, and it opens only that way
    assert KEYRING.decrypt(envelope, row_id=raw_id(created["id"]), owner=BOB, space=SPACE) == {"signingSecret": secret}
    responses = [await app.client.gql(CREATE, {"input": {"integrationType": "CRM", "integrationName": " "}})]
    for user in (ALICE, BOB, CAROL, DAVE, PLATFORM_ADMIN):
        for query in READS:
            response = await app.client.gql(query, {"id": created["id"]} if "$id" in query else None, as_user=user)
            assert response.errors == [], response.errors
            responses.append(response)
    assert_absent(secret, *responses)
    listed = responses[1].data["integrations"]["nodes"]
    assert {"hasCredentials": True, "credentialsHint": "••••" + secret[-4:]}.items() <= next(
        n for n in listed if n["id"] == created["id"]
    ).items()


async def test_credentials_are_not_selectable_in_sql(app: CustomApp) -> None:
    created = await webhook(app, "https://hooks.example.com/sql", new_secret())
    row_id = uuid.UUID(raw_id(created["id"]))
    conn = await asyncpg.connect(with_user(app.client.admin_dsn, "leadgen_api"))
    try:
        claims = {"role": "authenticated", "sub": ALICE, "app_metadata": {}}
        for sql in (
            "select credentials from public.lead_integrations where id = $1",
            "select * from public.lead_integrations where id = $1",
            "select to_jsonb(i) from public.lead_integrations i where id = $1",
            "select leadgen.integration_credentials($1)",
        ):
            async with acting_as(conn, claims) as acting:
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await acting.fetch(sql, row_id)
        # the server's own path: the login role may read an envelope, only for a manager's claims
        for user, allowed in ((BOB, True), (ALICE, True), (CAROL, False), (DAVE, False), (ERIN, False)):
            async with acting_as(conn, {"role": "authenticated", "sub": user}) as acting:
                await acting.execute("select set_config('role', session_user, true)")
                if allowed:
                    envelope = await acting.fetchval("select leadgen.integration_credentials($1)", row_id)
                    assert json.loads(envelope)["v"] == 1
                else:
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        await acting.fetchval("select leadgen.integration_credentials($1)", row_id)
    finally:
        await conn.close()


async def test_rotate_and_clear(app: CustomApp) -> None:
    first, second = new_secret(), new_secret()
    created = await webhook(app, "https://hooks.example.com/rotate", first)
    before = (await stored(app, created["id"]))["credentials"]
    gql = app.client.gql
    rotated = ok(await gql(ROTATE, {"id": created["id"], "credentials": {"signingSecret": second}}, as_user=BOB))
    assert rotated["rotateIntegrationCredentials"]["credentialsHint"] == "••••" + second[-4:]
    after = (await stored(app, created["id"]))["credentials"]
    assert after["nonce"] != before["nonce"] and after["ciphertext"] != before["ciphertext"]
    assert KEYRING.decrypt(after, row_id=raw_id(created["id"]), owner=BOB, space=SPACE) == {"signingSecret": second}
    again = {"id": created["id"], "credentials": {"signingSecret": first}}
    short = {"id": created["id"], "credentials": {"signingSecret": "short"}}
    denied = [
        (await gql(ROTATE, again, as_user=CAROL), "FORBIDDEN"),
        (await gql(ROTATE, again, as_user=ERIN), "NOT_FOUND"),
        (await gql(ROTATE, short, as_user=BOB), "BAD_USER_INPUT"),
        (await gql(CLEAR, {"id": created["id"]}, as_user=DAVE), "FORBIDDEN"),
    ]
    for response, code in denied:
        refused(response, code)
    assert denied[2][0].errors[0]["extensions"]["field"] == "credentials.signingSecret"
    assert (await stored(app, created["id"]))["credentials"] == after
    cleared = ok(await app.client.gql(CLEAR, {"id": created["id"]}, as_user=ALICE))["clearIntegrationCredentials"]
    assert (cleared["hasCredentials"], cleared["credentialsHint"]) == (False, None)
    row = await stored(app, created["id"])
    assert row["credentials"] is None and row["credentials_hint"] is None
    assert_absent(first, *(r for r, _ in denied))


async def test_update_replaces_and_moves_credentials(app: CustomApp) -> None:
    first, second = new_secret(), new_secret()
    created = await webhook(app, "https://hooks.example.com/update", first)
    plain = ok(await app.client.gql(UPDATE, {"id": created["id"], "patch": {"isActive": True}}, as_user=BOB))
    assert plain["updateIntegration"]["credentialsHint"] == created["credentialsHint"]
    variables = {"id": created["id"], "patch": {"integrationName": "Hook 2"}, "credentials": {"signingSecret": second}}
    replaced = ok(await app.client.gql(UPDATE, variables, as_user=BOB))["updateIntegration"]
    assert replaced["integrationName"] == "Hook 2" and replaced["credentialsHint"] == "••••" + second[-4:]
    # moved to Bob's personal scope through the API: re-encrypted for it, still usable
    moved = ok(await app.client.gql(UPDATE, {"id": created["id"], "patch": {"space": None}}, as_user=BOB))
    assert moved["updateIntegration"]["space"] is None and moved["updateIntegration"]["hasCredentials"] is True
    envelope = (await stored(app, created["id"]))["credentials"]
    assert KEYRING.decrypt(envelope, row_id=raw_id(created["id"]), owner=BOB, space=None) == {"signingSecret": second}
    # moved back past the API (Studio): the database drops what it can no longer decrypt
    studio = "update public.lead_integrations set space_id = $2 where id = $1"
    await admin_val(app.client, studio, uuid.UUID(raw_id(created["id"])), uuid.UUID(SPACE))
    row = await stored(app, created["id"])
    assert row["credentials"] is None and row["credentials_hint"] is None


async def test_without_a_key_credentials_are_refused(api: ApiClient) -> None:
    secret = new_secret()
    input = {"space": SPACE_ID, "integrationType": "WEBHOOK", "integrationName": "Keyless", "settings": {}}
    response = await api.gql(CREATE, {"input": input, "credentials": {"signingSecret": secret}}, as_user=BOB)
    assert response.codes == ["INTERNAL"] and "LEADGEN_SECRET_KEY" in response.errors[0]["message"]
    assert await admin_val(api, "select count(*) from public.lead_integrations where integration_name = 'Keyless'") == 0
    assert_absent(secret, response)


async def test_webhook_test_is_signed_and_verified_by_the_receiver(app: CustomApp) -> None:
    secret = new_secret()
    with webhook_receiver(secret) as receiver:
        created = await webhook(app, receiver.url("/ok"), secret)
        result = ok(await app.client.gql(TEST, {"id": created["id"]}, as_user=BOB))["testIntegration"]
        assert result["ok"] is True and result["statusCode"] == 204 and result["error"] is None
        [received] = receiver.received
        assert received.signature_valid, received.headers
        assert received.headers["x-leadgen-delivery"] == result["deliveryId"]
        assert received.headers["x-leadgen-event"] == "integration.test"
        assert received.json()["integration"] == {"id": created["id"], "name": "Hook"}
        assert secret not in received.body.decode()
        # a receiver with another secret would refuse the very same request
        other = new_secret()
        rotate = {"id": created["id"], "credentials": {"signingSecret": other}}
        ok(await app.client.gql(ROTATE, rotate, as_user=ALICE))
        ok(await app.client.gql(TEST, {"id": created["id"]}, as_user=ALICE))
        assert [r.signature_valid for r in receiver.received] == [True, False]


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [("/fail", 500, "HTTP 500"), ("/redirect", 302, "HTTP 302"), ("/slow", None, "timed out after 1s")],
)
async def test_webhook_test_reports_failures(app: CustomApp, path: str, status: int | None, error: str) -> None:
    secret = new_secret()
    with webhook_receiver(secret, slow_seconds=2.0) as receiver:
        created = await webhook(app, receiver.url(path), secret)
        result = ok(await app.client.gql(TEST, {"id": created["id"]}, as_user=BOB))["testIntegration"]
        assert (result["ok"], result["statusCode"]) == (False, status) and error in result["error"]
        assert len(receiver.received) == 1  # a redirect is not followed
        assert result["durationMs"] < 1900


async def test_webhook_test_refusals(app: CustomApp) -> None:
    secret = new_secret()
    with webhook_receiver(secret) as receiver:
        created = await webhook(app, receiver.url("/ok"), secret)
        for user, code in (
            (CAROL, "FORBIDDEN"),
            (DAVE, "FORBIDDEN"),
            (PLATFORM_ADMIN, "FORBIDDEN"),
            (ERIN, "NOT_FOUND"),
        ):
            refused(await app.client.gql(TEST, {"id": created["id"]}, as_user=user), code)
        bare = await webhook(app, receiver.url("/ok"), None)
        result = ok(await app.client.gql(TEST, {"id": bare["id"]}, as_user=BOB))["testIntegration"]
        assert result["ok"] is False and "signingSecret" in result["error"]
        no_url = await webhook(app, "", secret, settings={})
        result = ok(await app.client.gql(TEST, {"id": no_url["id"]}, as_user=BOB))["testIntegration"]
        assert result["ok"] is False and result["error"].startswith("settings.url")
        crm_input = {"space": SPACE_ID, "integrationType": "CRM", "integrationName": "CRM"}
        crm = ok(await app.client.gql(CREATE, {"input": crm_input, "credentials": {"apiKey": "k"}}, as_user=BOB))
        refused(await app.client.gql(TEST, {"id": crm["createIntegration"]["id"]}, as_user=BOB), "BAD_USER_INPUT", "id")
        assert receiver.received == []


@pytest.mark.parametrize(
    ("host", "reason"),
    [("127.0.0.1", "loopback"), ("localhost", "loopback"), ("[::1]", "loopback"), ("169.254.169.254", "link-local"),
     ("10.20.30.40", "private"), ("224.0.0.251", "multicast"), ("0.0.0.0", "unspecified")],  # noqa: S104 - refused, not bound
)  # fmt: skip
async def test_private_addresses_are_refused(app: CustomApp, strict: CustomApp, host: str, reason: str) -> None:
    secret = new_secret()
    with webhook_receiver(secret) as receiver:
        created = await webhook(app, receiver.url("/ok", host=host), secret)
        result = ok(await strict.client.gql(TEST, {"id": created["id"]}, as_user=BOB))["testIntegration"]
        assert result["ok"] is False and result["statusCode"] is None
        assert result["error"].startswith("refused:") and f"a {reason} address" in result["error"], result["error"]
        assert receiver.received == []


async def test_no_secret_in_any_log_line(app: CustomApp, caplog: pytest.LogCaptureFixture) -> None:
    secret, second = new_secret(), new_secret()
    caplog.set_level(logging.DEBUG)
    with webhook_receiver(secret) as receiver:
        created = await webhook(app, receiver.url("/ok"), secret)
        gql, row = app.client.gql, created["id"]
        new, old = {"signingSecret": second}, {"signingSecret": secret}
        # inline in the document, with an error on the same line: the log must not quote the line
        literal = f'{{signingSecret: "{second}"}}'
        inline = f'mutation {{ rotateIntegrationCredentials(id: "{row}", credentials: {literal}) {{ bogus }} }}'
        responses = [
            await gql(UPDATE, {"id": row, "patch": {}, "credentials": new}, as_user=BOB),
            await gql(ROTATE, {"id": row, "credentials": old}, as_user=BOB),
            await gql(ROTATE, {"id": row, "credentials": new}, as_user=CAROL),
            await gql(ROTATE, {"id": row, "credentials": {**old, "x y": second}}, as_user=BOB),
            await gql(CREATE, {"input": {"integrationType": "WEBHOOK"}, "credentials": new}, as_user=BOB),
            await gql(TEST, {"id": row}, as_user=BOB),
            await gql(CLEAR, {"id": row}, as_user=BOB),
            await gql(inline, as_user=BOB),
        ]
    codes = [r.codes for r in responses]
    assert codes == [[], [], ["FORBIDDEN"], ["BAD_USER_INPUT"], ["BAD_USER_INPUT"], [], [], ["BAD_USER_INPUT"]], codes
    assert receiver.received and receiver.received[0].signature_valid
    for response in responses:
        assert_absent(secret, response)
        assert_absent(second, response)
    assert caplog.records  # the operations logged (at DEBUG and above); none of it may hold a secret
    for record in caplog.records:
        text = record.getMessage()
        assert not leaked(secret, text) and not leaked(second, text), (record.name, text)
    assert not leaked(secret, caplog.text) and not leaked(second, caplog.text), caplog.text
