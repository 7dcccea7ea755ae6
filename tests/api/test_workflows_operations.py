"""Running workflows through GraphQL: runWorkflow, cancelExecution and retryExecution with their permissions,
executions read by workflow, lead and status with typed steps, a lead created through the API starting a
workflow that acts as its owner, and trackPageVisit for anonymous visitors."""

from __future__ import annotations

import uuid
from typing import Any

from domain.workflows.clock import FakeClock
from gql.ids import global_id
from tests.support.api import ALICE, BOB, CAROL, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_fetch, admin_val, gid, ok, raw_id, refused
from tests.support.workflows import running_worker

SPACE_ID = gid("Space", SPACE)
SEED_FORM = global_id("LeadForm", "00000000-0000-4000-b100-000000000001")
EXECUTION = "id status error steps { index order actionType delaySeconds status attempts output error runAt }"
CREATE_WORKFLOW = "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }"
CREATE_TRIGGER = "mutation($input: CreateWorkflowTriggerInput!) { createWorkflowTrigger(input: $input) { id } }"
CREATE_ACTION = "mutation($input: CreateWorkflowActionInput!) { createWorkflowAction(input: $input) { id } }"
ACTIVATE = "mutation($id: ID!) { activateWorkflow(id: $id) { isActive } }"
RUN = f"mutation($w: ID!, $l: ID!) {{ runWorkflow(workflowId: $w, leadId: $l) {{ {EXECUTION} }} }}"
CANCEL = f"mutation($id: ID!) {{ cancelExecution(id: $id) {{ {EXECUTION} }} }}"
RETRY = f"mutation($id: ID!) {{ retryExecution(id: $id) {{ {EXECUTION} }} }}"
EXECUTIONS = f"""
query($w: ID!, $l: ID!, $s: ExecutionStatus!) {{
  workflowExecutions(filter: {{workflow: {{eq: $w}}, lead: {{eq: $l}}, status: {{eq: $s}}}}) {{
    totalCount nodes {{ {EXECUTION} lead {{ id }} workflow {{ id }} }}
  }}
}}
"""
TRACK = "mutation($t: String!, $u: String!, $r: String) { trackPageVisit(visitorToken: $t, url: $u, referrer: $r) }"
SUBMIT = "mutation($f: ID!, $v: JSON!) { submitForm(formId: $f, values: $v) { submissionId visitorToken } }"


async def define(api: ApiClient, trigger: str, steps: list[tuple[str, dict[str, Any], int]], *, active: bool) -> str:
    """A workflow of the demo space, owned by Bob (an admin)."""
    input: dict[str, Any] = {"space": SPACE_ID, "name": f"{trigger} {uuid.uuid4().hex[:6]}"}
    workflow = str(ok(await api.gql(CREATE_WORKFLOW, {"input": input}, as_user=BOB))["createWorkflow"]["id"])
    conditions: dict[str, Any] = {"workflow": workflow, "triggerType": trigger, "triggerConditions": {}}
    ok(await api.gql(CREATE_TRIGGER, {"input": conditions}, as_user=BOB))
    for order, (kind, config, delay) in enumerate(steps):
        step = {"workflow": workflow, "actionType": kind, "actionConfig": config, "actionOrder": order}
        ok(await api.gql(CREATE_ACTION, {"input": {**step, "delaySeconds": delay}}, as_user=BOB))
    if active:
        ok(await api.gql(ACTIVATE, {"id": workflow}, as_user=BOB))
    return workflow


async def space_lead(api: ApiClient, first_name: str) -> str:
    lead = await admin_val(
        api,
        "insert into public.leads (user_id, space_id, first_name) values ($1, $2, $3) returning id",
        uuid.UUID(ALICE),
        uuid.UUID(SPACE),
        first_name,
    )
    return gid("Lead", lead)


async def notes_of(api: ApiClient, lead: str) -> list[tuple[str, str]]:
    rows = await admin_fetch(
        api,
        "select description, user_id from public.lead_activities where lead_id = $1 and activity_type = 'note'"
        " order by created_at, id",
        uuid.UUID(raw_id(lead)),
    )
    return [(r["description"], str(r["user_id"])) for r in rows]


async def test_run_read_and_cancel_an_execution(api: ApiClient) -> None:
    steps = [
        ("ADD_NOTE", {"note": "Hand-run for {{firstName}}"}, 0),
        ("WAIT", {}, 3600),
        ("ADD_NOTE", {"note": "x"}, 0),
    ]
    workflow = await define(api, "MANUAL", steps, active=False)  # a manual run needs no activation
    lead = await space_lead(api, "Manny")
    personal = gid(
        "Lead",
        await admin_val(
            api, "select id from public.leads where space_id is null and user_id = $1 limit 1", uuid.UUID(ALICE)
        ),
    )
    refused(await api.gql(RUN, {"w": workflow, "l": lead}, as_user=CAROL), "FORBIDDEN")  # a member cannot run it
    refused(await api.gql(RUN, {"w": workflow, "l": lead}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(RUN, {"w": workflow, "l": personal}, as_user=ALICE), "BAD_USER_INPUT", "leadId")
    refused(await api.gql(RUN, {"w": workflow, "l": personal}, as_user=BOB), "NOT_FOUND")  # not Bob's to see
    refused(await api.gql(RUN, {"w": lead, "l": lead}, as_user=BOB), "BAD_USER_INPUT", "workflowId")
    empty = await define(api, "MANUAL", [], active=False)
    refused(await api.gql(RUN, {"w": empty, "l": lead}, as_user=BOB), "BAD_USER_INPUT", "workflowId")  # no steps
    started = ok(await api.gql(RUN, {"w": workflow, "l": lead}, as_user=BOB))["runWorkflow"]
    assert started["status"] == "PENDING"
    assert [s["status"] for s in started["steps"]] == ["SCHEDULED", "PENDING", "PENDING"]
    assert [s["actionType"] for s in started["steps"]] == ["ADD_NOTE", "WAIT", "ADD_NOTE"]
    clock = FakeClock()
    async with running_worker(api.admin_dsn, clock) as worker:
        await worker.run_once()
        variables = {"w": workflow, "l": lead, "s": "RUNNING"}
        found = ok(await api.gql(EXECUTIONS, variables, as_user=CAROL))["workflowExecutions"]  # members read runs
        assert found["totalCount"] == 1
        [run] = found["nodes"]
        assert run["id"] == started["id"] and run["lead"] == {"id": lead} and run["workflow"] == {"id": workflow}
        first, wait, _ = run["steps"]
        assert (first["status"], first["attempts"], wait["status"]) == ("COMPLETED", 1, "SCHEDULED")
        assert first["output"]["activityId"] and wait["delaySeconds"] == 3600 and wait["runAt"]
        refused(await api.gql(CANCEL, {"id": run["id"]}, as_user=CAROL), "FORBIDDEN")
        refused(await api.gql(CANCEL, {"id": run["id"]}, as_user=ERIN), "NOT_FOUND")
        cancelled = ok(await api.gql(CANCEL, {"id": run["id"]}, as_user=BOB))["cancelExecution"]
        assert cancelled["status"] == "CANCELLED"
        assert [s["status"] for s in cancelled["steps"]] == ["COMPLETED", "CANCELLED", "CANCELLED"]
        refused(await api.gql(CANCEL, {"id": run["id"]}, as_user=BOB), "CONFLICT")
        refused(await api.gql(RETRY, {"id": run["id"]}, as_user=BOB), "CONFLICT")  # only failed runs are retried
        clock.advance(3601)
        await worker.run_once()
    assert await notes_of(api, lead) == [("Hand-run for Manny", BOB)]  # as the owner; nothing after the cancel


async def test_retry_reruns_a_failed_execution_from_its_failed_step(api: ApiClient) -> None:
    workflow = await define(
        api, "MANUAL", [("ADD_NOTE", {"note": "one"}, 0), ("ADD_NOTE", {"note": "two"}, 0)], active=False
    )
    lead = await space_lead(api, "Rita")
    # the second step's config is broken past the API (as a Studio edit could)
    await admin_val(
        api,
        "update public.lead_workflow_actions set action_config = '{\"text\": 1}' where workflow_id = $1"
        " and action_order = 1",
        uuid.UUID(raw_id(workflow)),
    )
    run = ok(await api.gql(RUN, {"w": workflow, "l": lead}, as_user=BOB))["runWorkflow"]
    clock = FakeClock()
    async with running_worker(api.admin_dsn, clock) as worker:
        await worker.run_once()
        failed = ok(await api.gql(EXECUTIONS, {"w": workflow, "l": lead, "s": "FAILED"}, as_user=BOB))
        [failed_run] = failed["workflowExecutions"]["nodes"]
        assert failed_run["error"].startswith("step 2 (add_note): invalid actionConfig")
        assert [s["status"] for s in failed_run["steps"]] == ["COMPLETED", "FAILED"]
        assert failed_run["steps"][1]["error"].startswith("invalid actionConfig")
        refused(await api.gql(RETRY, {"id": run["id"]}, as_user=CAROL), "FORBIDDEN")
        await admin_val(
            api,
            'update public.lead_workflow_actions set action_config = \'{"note": "two, fixed"}\''
            " where workflow_id = $1 and action_order = 1",
            uuid.UUID(raw_id(workflow)),
        )
        retried = ok(await api.gql(RETRY, {"id": run["id"]}, as_user=BOB))["retryExecution"]
        assert retried["status"] == "PENDING" and retried["error"] is None
        assert [s["status"] for s in retried["steps"]] == ["COMPLETED", "SCHEDULED"]
        await worker.run_once()
    done = ok(await api.gql(EXECUTIONS, {"w": workflow, "l": lead, "s": "COMPLETED"}, as_user=BOB))
    assert done["workflowExecutions"]["totalCount"] == 1
    assert await notes_of(api, lead) == [("one", BOB), ("two, fixed", BOB)]  # the first step ran once


async def test_a_lead_created_through_the_api_starts_its_scopes_workflow_as_the_owner(api: ApiClient) -> None:
    workflow = await define(api, "LEAD_CREATED", [("ADD_NOTE", {"note": "Welcome {{first_name}}"}, 0)], active=True)
    create = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"
    mine = ok(await api.gql(create, {"input": {"space": SPACE_ID, "firstName": "Cleo"}}, as_user=CAROL))
    lead = mine["createLead"]["id"]
    outsider = ok(await api.gql(create, {"input": {"firstName": "Otto"}}, as_user=ERIN))["createLead"]["id"]
    async with running_worker(api.admin_dsn, FakeClock()) as worker:
        await worker.run_once()
    read = (
        f"query($id: ID!) {{ lead(id: $id) {{ workflowExecutions {{ nodes {{ {EXECUTION} workflow {{ id }} }} }} }} }}"
    )
    runs = ok(await api.gql(read, {"id": lead}, as_user=CAROL))["lead"]["workflowExecutions"]["nodes"]
    [run] = [r for r in runs if r["workflow"]["id"] == workflow]
    assert run["status"] == "COMPLETED" and run["steps"][0]["status"] == "COMPLETED"
    assert await notes_of(api, lead) == [("Welcome Cleo", BOB)]  # written as Bob, the workflow's owner
    other = await admin_val(
        api, "select count(*) from public.lead_workflow_executions where lead_id = $1", uuid.UUID(raw_id(outsider))
    )
    assert other == 0
    ok(await api.gql("mutation($id: ID!) { deactivateWorkflow(id: $id) { id } }", {"id": workflow}, as_user=BOB))


async def test_track_page_visit_records_a_visit_of_the_lead_behind_a_token(api: ApiClient) -> None:
    workflow = await define(api, "PAGE_VISIT", [("ADD_NOTE", {"note": "Looked at pricing"}, 0)], active=True)
    values = {"first_name": "Vera", "email": "vera.visit@example.org"}
    submitted = ok(await api.gql(SUBMIT, {"f": SEED_FORM, "v": values}))["submitForm"]  # anonymous, like visitors
    token = submitted["visitorToken"]
    visit = {"t": token, "u": "https://agency.example/pricing", "r": "https://www.google.com/"}
    assert ok(await api.gql(TRACK, visit))["trackPageVisit"] is True
    lead = await admin_val(
        api, "select lead_id from private.form_submissions where id = $1", uuid.UUID(submitted["submissionId"])
    )
    activity = await admin_fetch(
        api,
        "select activity_data, user_id from public.lead_activities where lead_id = $1 and activity_type = 'page_visit'",
        lead,
    )
    assert len(activity) == 1 and activity[0]["user_id"] is None
    assert '"url": "https://agency.example/pricing"' in activity[0]["activity_data"]
    refused(await api.gql(TRACK, {**visit, "t": token[:-2] + "xx"}), "BAD_USER_INPUT", "visitorToken")
    refused(await api.gql(TRACK, {**visit, "t": "vt1.nonsense"}), "BAD_USER_INPUT", "visitorToken")
    refused(await api.gql(TRACK, {**visit, "u": "javascript:alert(1)"}), "BAD_USER_INPUT", "url")
    async with running_worker(api.admin_dsn, FakeClock()) as worker:
        await worker.run_once()
    runs = await admin_fetch(
        api, "select status from public.lead_workflow_executions where workflow_id = $1", uuid.UUID(raw_id(workflow))
    )
    assert [r["status"] for r in runs] == ["completed"]
    await admin_val(api, "update private.page_visit_limits set per_token_limit = 1")
    limited = await api.gql(TRACK, visit)
    assert limited.codes == ["RATE_LIMITED"] and limited.errors[0]["extensions"]["retryAfter"] >= 1
    await admin_val(api, "update private.page_visit_limits set per_token_limit = 120")
    ok(await api.gql("mutation($id: ID!) { deactivateWorkflow(id: $id) { id } }", {"id": workflow}, as_user=BOB))
