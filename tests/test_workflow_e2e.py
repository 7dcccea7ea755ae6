"""The issue's "Done when", end to end with real processes on a test database: `leadgen serve` (HTTP on a free port)
and `leadgen worker`. An owner builds a form and an active workflow through GraphQL (a form_submit trigger; steps:
wait 1 s, assign round-robin, send an email, call a webhook) and a webhook integration; visitors submit the form
over HTTP without a token. The worker process waits, assigns the two leads to the space's two writers in turn,
writes the emails to the outbox, calls the webhook (the test's receiver verifies every signature) and pushes both
new leads to the integration; the owner reads each step in the execution history through GraphQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import secrets
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from server.dev_keys import DEV_ISSUER, DevSigningKey
from tests.support.databases import PgCluster
from tests.support.mutations import gid, raw_id
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workflows import add_user, admin, space_of, worker_command, worker_environment, workflow_db

__all__ = ["admin", "workflow_db"]  # fixtures
SECRET = "whsec_" + secrets.token_hex(16)
EXECUTIONS = """query($workflow: ID!) {
  workflowExecutions(filter: {workflow: {eq: $workflow}}, first: 10) {
    nodes { status error lead { email assignedTo { id } }
            steps { index actionType delaySeconds status attempts runAt startedAt finishedAt output error } }
  }
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def process(args: list[str], env: dict[str, str], log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child process (its output in `log`), stopped with SIGTERM (then SIGKILL) at the end."""
    with log.open("wb") as out:
        child = await asyncio.create_subprocess_exec(*args, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield child
        finally:
            if child.returncode is None:
                child.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(child.wait(), 10)
                except TimeoutError:
                    child.kill()
                    await child.wait()


class Api:
    def __init__(self, http: httpx.AsyncClient, key: DevSigningKey) -> None:
        self.http, self.key = http, key

    async def gql(self, query: str, variables: dict[str, Any] | None = None, as_user: uuid.UUID | None = None) -> Any:
        headers = {}
        if as_user is not None:
            token = self.key.mint(str(as_user), email=None, app_metadata={"provider": "email"}, issuer=DEV_ISSUER)
            headers["authorization"] = f"Bearer {token}"
        document = {"query": query, "variables": variables or {}}
        response = await self.http.post("/graphql", json=document, headers=headers)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]


async def build(api: Api, owner: uuid.UUID, space: uuid.UUID, receiver_url: str) -> tuple[str, str, str]:
    """The form, the active workflow and the webhook integration, through GraphQL as the space's owner."""

    async def call(query: str, **variables: Any) -> Any:
        return await api.gql(query, variables, as_user=owner)

    in_space = gid("Space", space)
    form = (
        await call(
            "mutation($i: CreateLeadFormInput!) { createLeadForm(input: $i) { id } }",
            i={"space": in_space, "name": "Demo"},
        )
    )["createLeadForm"]["id"]
    for order, (name, kind) in enumerate([("email", "EMAIL"), ("first_name", "TEXT")]):
        field = {"form": form, "fieldName": name, "fieldType": kind, "label": name, "fieldOrder": order}
        await call("mutation($i: CreateFormFieldInput!) { createFormField(input: $i) { id } }", i=field)
    await call("mutation($id: ID!) { publishForm(id: $id) { id } }", id=form)
    workflow = (
        await call(
            "mutation($i: CreateWorkflowInput!) { createWorkflow(input: $i) { id } }",
            i={"space": in_space, "name": "Welcome"},
        )
    )["createWorkflow"]["id"]
    trigger = {"workflow": workflow, "triggerType": "FORM_SUBMIT", "triggerConditions": {"formId": form}}
    await call("mutation($i: CreateWorkflowTriggerInput!) { createWorkflowTrigger(input: $i) { id } }", i=trigger)
    actions: list[tuple[str, dict[str, Any], int]] = [
        ("WAIT", {}, 1),
        ("ASSIGN_LEAD", {"strategy": "round_robin"}, 0),
        ("SEND_EMAIL", {"subject": "Thanks {{lead.firstName}}", "body": "Hello {{lead.firstName}}, welcome."}, 0),
        ("WEBHOOK", {"url": receiver_url, "secret": SECRET}, 0),
    ]
    for order, (kind, config, delay) in enumerate(actions):
        action = {"workflow": workflow, "actionType": kind, "actionConfig": config, "actionOrder": order}
        await call(
            "mutation($i: CreateWorkflowActionInput!) { createWorkflowAction(input: $i) { id } }",
            i={**action, "delaySeconds": delay},
        )
    await call("mutation($id: ID!) { activateWorkflow(id: $id) { isActive } }", id=workflow)
    integration = (
        await call(
            "mutation($i: CreateIntegrationInput!, $c: JSON) { createIntegration(input: $i, credentials: $c) { id } }",
            i={
                "space": in_space,
                "integrationType": "WEBHOOK",
                "integrationName": "CRM hook",
                "isActive": True,
                "settings": {"url": receiver_url},
            },
            c={"signingSecret": SECRET},
        )
    )["createIntegration"]["id"]
    return form, workflow, integration


async def test_a_form_submission_runs_the_workflow_in_a_real_worker_process(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    owner, member = await add_user(admin, "owner"), await add_user(admin, "member")
    space = await space_of(admin, owner, (member, "member"))
    assert space.space is not None
    data_dir, outbox, port = tmp_path / "data", tmp_path / "outbox", free_port()
    key = DevSigningKey.load_or_create(data_dir)  # the server verifies tokens with this development key
    env = worker_environment(cluster, workflow_db, data_dir)
    env.update(
        LEADGEN_API_DATABASE_URL=cluster.dsn(workflow_db, user="leadgen_api"),
        LEADGEN_SECRET_KEY=secrets.token_hex(32),  # the server encrypts credentials, the worker decrypts them
        LEADGEN_WEBHOOK_ALLOW_PRIVATE="1",  # the receiver is on 127.0.0.1
        LEADGEN_EMAIL_OUTBOX=str(outbox),
    )
    serve = [sys.executable, "-m", "server.cli", "serve", "--no-migrate", "--port", str(port)]
    with webhook_receiver(SECRET) as receiver:
        async with (
            process(serve, env, tmp_path / "serve.log"),
            process(worker_command("--poll-interval", "0.2"), env, tmp_path / "worker.log"),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
        ):
            for _ in range(200):  # the server is up
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            api = Api(http, key)
            form, workflow, integration = await build(api, owner, space.space, receiver.url("/ok"))
            submit = "mutation($f: ID!, $v: JSON!) { submitForm(formId: $f, values: $v) { submissionId } }"
            for address in ("ada@example.org", "grace@example.org"):  # no token: anonymous visitors
                await api.gql(submit, {"f": form, "v": {"email": address, "first_name": address.split("@")[0].title()}})
            for _ in range(150):  # the history, as the owner reads it
                runs = (await api.gql(EXECUTIONS, {"workflow": workflow}, as_user=owner))["workflowExecutions"]["nodes"]
                pushed = [r for r in receiver.received if r.headers["x-leadgen-event"] == "lead.created"]
                if len(runs) == 2 and all(r["status"] in ("COMPLETED", "FAILED") for r in runs) and len(pushed) == 2:
                    break
                await asyncio.sleep(0.1)
            integrations = await api.gql(
                "{ integrations { nodes { id syncStatus syncError lastSyncAt } } }", as_user=owner
            )
    log = (tmp_path / "worker.log").read_text() if (tmp_path / "worker.log").exists() else ""
    assert [r["status"] for r in runs] == ["COMPLETED", "COMPLETED"], (runs, log)
    for run in runs:
        wait, assign, send, hook = run["steps"]
        assert [s["actionType"] for s in run["steps"]] == ["WAIT", "ASSIGN_LEAD", "SEND_EMAIL", "WEBHOOK"]
        assert all(s["status"] == "COMPLETED" and s["attempts"] == 1 for s in run["steps"])
        assert wait["delaySeconds"] == 1 and wait["output"] == {"waitedSeconds": 1}
        assert dt.datetime.fromisoformat(wait["startedAt"]) >= dt.datetime.fromisoformat(wait["runAt"])  # waited
        assert assign["output"]["strategy"] == "round_robin"
        assert assign["output"]["assignedTo"] == raw_id(run["lead"]["assignedTo"]["id"])
        assert send["output"]["to"] == run["lead"]["email"] and send["output"]["backend"] == "outbox"
        assert hook["output"]["statusCode"] == 204
    assert {r["lead"]["assignedTo"]["id"] for r in runs} == {gid("User", owner), gid("User", member)}  # in turn
    assert sorted(r["steps"][1]["output"]["turn"] for r in runs) == [0, 1]
    sent = sorted(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"] for p in outbox.iterdir())
    assert sent == ["ada@example.org", "grace@example.org"]
    calls = [r for r in receiver.received if r.headers["x-leadgen-event"] == "workflow.webhook"]
    pushes = [r for r in receiver.received if r.headers["x-leadgen-event"] == "lead.created"]
    assert len(calls) == 2 and len(pushes) == 2 and all(r.signature_valid for r in receiver.received)
    assert sorted(r.json()["lead"]["email"] for r in calls) == ["ada@example.org", "grace@example.org"]
    [hook_state] = [i for i in integrations["integrations"]["nodes"] if i["id"] == integration]
    assert hook_state["syncStatus"] == "SUCCESS" and hook_state["lastSyncAt"] and hook_state["syncError"] is None
    assert SECRET not in log and receiver.url("/ok") not in log  # (a webhook URL may carry a token)
