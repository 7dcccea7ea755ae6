"""Mutations of workflows, their triggers and steps, and deletion of their executions."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_fetch, admin_val, count_rows, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)
WORKFLOW = "id name description isActive workflowSettings space { id }"
CREATE_WORKFLOW = f"mutation($input: CreateWorkflowInput!) {{ createWorkflow(input: $input) {{ {WORKFLOW} }} }}"
UPDATE_WORKFLOW = (
    f"mutation($id: ID!, $patch: WorkflowPatch!) {{ updateWorkflow(id: $id, patch: $patch) {{ {WORKFLOW} }} }}"
)
DELETE_WORKFLOW = "mutation($id: ID!) { deleteWorkflow(id: $id) { deletedId } }"
TRIGGER = "id triggerType triggerConditions workflow { id }"
CREATE_TRIGGER = (
    f"mutation($input: CreateWorkflowTriggerInput!) {{ createWorkflowTrigger(input: $input) {{ {TRIGGER} }} }}"
)
UPDATE_TRIGGER = (
    "mutation($id: ID!, $patch: WorkflowTriggerPatch!)"
    f" {{ updateWorkflowTrigger(id: $id, patch: $patch) {{ {TRIGGER} }} }}"
)
DELETE_TRIGGER = "mutation($id: ID!) { deleteWorkflowTrigger(id: $id) { deletedId } }"
ACTION = "id actionType actionConfig actionOrder delaySeconds workflow { id }"
CREATE_ACTION = f"mutation($input: CreateWorkflowActionInput!) {{ createWorkflowAction(input: $input) {{ {ACTION} }} }}"
UPDATE_ACTION = (
    "mutation($id: ID!, $patch: WorkflowActionPatch!)"
    f" {{ updateWorkflowAction(id: $id, patch: $patch) {{ {ACTION} }} }}"
)
DELETE_ACTION = "mutation($id: ID!) { deleteWorkflowAction(id: $id) { deletedId } }"
DELETE_EXECUTION = "mutation($id: ID!) { deleteWorkflowExecution(id: $id) { deletedId } }"
READ_WORKFLOW = """
query($id: ID!) {
  node(id: $id) {
    ... on Workflow { name triggers { id triggerType } actions { id actionType actionOrder } }
  }
}
"""


def uid(global_id: str) -> uuid.UUID:
    return uuid.UUID(raw_id(global_id))


async def workflow(api: ApiClient, name: str, as_user: str = BOB, **fields: Any) -> dict[str, Any]:
    input = {"space": SPACE_ID, "name": name, **fields}
    return dict(ok(await api.gql(CREATE_WORKFLOW, {"input": input}, as_user=as_user))["createWorkflow"])


async def action(api: ApiClient, workflow_id: str, order: int, kind: str = "WAIT") -> dict[str, Any]:
    input = {"workflow": workflow_id, "actionType": kind, "actionOrder": order}
    return dict(ok(await api.gql(CREATE_ACTION, {"input": input}, as_user=BOB))["createWorkflowAction"])


async def test_workflow_lifecycle(api: ApiClient) -> None:
    created = await workflow(api, "Welcome series", description="Three emails", workflowSettings={"timezone": "UTC"})
    assert created["isActive"] is False and created["space"] == {"id": SPACE_ID}
    read = ok(await api.gql(READ_WORKFLOW, {"id": created["id"]}, as_user=DAVE))
    assert read["node"] == {"name": "Welcome series", "triggers": [], "actions": []}
    patch = {"description": None, "isActive": False}  # activation needs triggers and steps (test_workflows_*)
    updated = ok(await api.gql(UPDATE_WORKFLOW, {"id": created["id"], "patch": patch}, as_user=BOB))["updateWorkflow"]
    assert updated["description"] is None and updated["isActive"] is False
    assert updated["workflowSettings"] == {"timezone": "UTC"} and updated["name"] == "Welcome series"
    deleted = ok(await api.gql(DELETE_WORKFLOW, {"id": created["id"]}, as_user=ALICE))
    assert deleted["deleteWorkflow"] == {"deletedId": created["id"]}
    assert await count_rows(api, "lead_workflows", "id = $1", uid(created["id"])) == 0


async def test_workflow_validation_and_permissions(api: ApiClient) -> None:
    bad_settings = {"space": SPACE_ID, "name": "Bad", "workflowSettings": [1]}
    refused(
        await api.gql(CREATE_WORKFLOW, {"input": bad_settings}, as_user=BOB), "BAD_USER_INPUT", "input.workflowSettings"
    )
    refused(
        await api.gql(CREATE_WORKFLOW, {"input": {"space": SPACE_ID, "name": "Carol's"}}, as_user=CAROL), "FORBIDDEN"
    )
    assert await count_rows(api, "lead_workflows", "name in ('Bad', 'Carol''s')") == 0
    created = await workflow(api, "Guarded")
    refused(
        await api.gql(UPDATE_WORKFLOW, {"id": created["id"], "patch": {"isActive": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.isActive",
    )
    refused(await api.gql(UPDATE_WORKFLOW, {"id": created["id"], "patch": {"name": "x"}}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(UPDATE_WORKFLOW, {"id": created["id"], "patch": {"name": "x"}}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(DELETE_WORKFLOW, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    assert await admin_val(api, "select name from public.lead_workflows where id = $1", uid(created["id"])) == "Guarded"


async def test_trigger_lifecycle(api: ApiClient) -> None:
    parent = await workflow(api, "Triggered")
    input = {"workflow": parent["id"], "triggerType": "SCORE_THRESHOLD", "triggerConditions": {"threshold": 70}}
    created = ok(await api.gql(CREATE_TRIGGER, {"input": input}, as_user=BOB))["createWorkflowTrigger"]
    assert created["workflow"] == {"id": parent["id"]} and created["triggerConditions"] == {"threshold": 70}
    read = ok(await api.gql(READ_WORKFLOW, {"id": parent["id"]}, as_user=DAVE))
    assert read["node"]["triggers"] == [{"id": created["id"], "triggerType": "SCORE_THRESHOLD"}]
    patch = {"triggerConditions": {"threshold": 80, "direction": "down"}}
    updated = ok(await api.gql(UPDATE_TRIGGER, {"id": created["id"], "patch": patch}, as_user=BOB))
    assert updated["updateWorkflowTrigger"]["triggerType"] == "SCORE_THRESHOLD"
    assert updated["updateWorkflowTrigger"]["triggerConditions"] == {"threshold": 80, "direction": "down"}
    refused(
        await api.gql(UPDATE_TRIGGER, {"id": created["id"], "patch": {"triggerConditions": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.triggerConditions",
    )
    refused(
        await api.gql(UPDATE_TRIGGER, {"id": created["id"], "patch": patch}, as_user=DAVE),
        "FORBIDDEN",
    )
    refused(await api.gql(DELETE_TRIGGER, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(CREATE_TRIGGER, {"input": input}, as_user=CAROL), "FORBIDDEN")
    assert await count_rows(api, "lead_workflow_triggers", "workflow_id = $1", uid(parent["id"])) == 1
    deleted = ok(await api.gql(DELETE_TRIGGER, {"id": created["id"]}, as_user=BOB))
    assert deleted["deleteWorkflowTrigger"] == {"deletedId": created["id"]}
    assert await count_rows(api, "lead_workflow_triggers", "workflow_id = $1", uid(parent["id"])) == 0


async def test_action_lifecycle(api: ApiClient) -> None:
    parent = await workflow(api, "Steps")
    input = {
        "workflow": parent["id"],
        "actionType": "SEND_EMAIL",
        "actionConfig": {"subject": "hi", "body": "Hello {{firstName}}"},
        "delaySeconds": 60,
    }
    created = ok(await api.gql(CREATE_ACTION, {"input": input}, as_user=BOB))["createWorkflowAction"]
    assert created["actionOrder"] == 0 and created["delaySeconds"] == 60 and created["workflow"] == {"id": parent["id"]}
    read = ok(await api.gql(READ_WORKFLOW, {"id": parent["id"]}, as_user=DAVE))
    assert read["node"]["actions"] == [{"id": created["id"], "actionType": "SEND_EMAIL", "actionOrder": 0}]
    updated = ok(await api.gql(UPDATE_ACTION, {"id": created["id"], "patch": {"delaySeconds": 0}}, as_user=BOB))
    assert updated["updateWorkflowAction"]["delaySeconds"] == 0
    assert updated["updateWorkflowAction"]["actionConfig"] == {"subject": "hi", "body": "Hello {{firstName}}"}
    deleted = ok(await api.gql(DELETE_ACTION, {"id": created["id"]}, as_user=BOB))
    assert deleted["deleteWorkflowAction"] == {"deletedId": created["id"]}
    assert await count_rows(api, "lead_workflow_actions", "workflow_id = $1", uid(parent["id"])) == 0


async def test_action_validation_and_permissions(api: ApiClient) -> None:
    parent = await workflow(api, "Checked steps")
    base = {"workflow": parent["id"], "actionType": "WAIT"}
    refused(
        await api.gql(CREATE_ACTION, {"input": {**base, "delaySeconds": -1}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.delaySeconds",
    )
    refused(
        await api.gql(CREATE_ACTION, {"input": {**base, "actionConfig": 3}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.actionConfig",
    )
    refused(
        await api.gql(CREATE_ACTION, {"input": {**base, "workflow": SPACE_ID}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.workflow",
    )
    refused(await api.gql(CREATE_ACTION, {"input": base}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(CREATE_ACTION, {"input": base}, as_user=ERIN), "FORBIDDEN")
    assert await count_rows(api, "lead_workflow_actions", "workflow_id = $1", uid(parent["id"])) == 0
    created = await action(api, parent["id"], 0)
    refused(
        await api.gql(UPDATE_ACTION, {"id": created["id"], "patch": {"actionOrder": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.actionOrder",
    )
    refused(
        await api.gql(UPDATE_ACTION, {"id": created["id"], "patch": {"actionOrder": 5}}, as_user=CAROL), "FORBIDDEN"
    )
    refused(await api.gql(DELETE_ACTION, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    assert (
        await admin_val(api, "select action_order from public.lead_workflow_actions where id = $1", uid(created["id"]))
        == 0
    )


async def test_action_order_is_unique_in_a_workflow(api: ApiClient) -> None:
    parent = await workflow(api, "Ordered steps")
    first = await action(api, parent["id"], 0)
    second = await action(api, parent["id"], 1)
    clash = await api.gql(
        CREATE_ACTION, {"input": {"workflow": parent["id"], "actionType": "WAIT", "actionOrder": 1}}, as_user=BOB
    )
    refused(clash, "CONFLICT")
    moved = await api.gql(UPDATE_ACTION, {"id": first["id"], "patch": {"actionOrder": 1}}, as_user=BOB)
    refused(moved, "CONFLICT")
    rows = await admin_fetch(
        api,
        "select id, action_order from public.lead_workflow_actions where workflow_id = $1 order by action_order",
        uid(parent["id"]),
    )
    assert [(str(r["id"]), r["action_order"]) for r in rows] == [(raw_id(first["id"]), 0), (raw_id(second["id"]), 1)]


async def test_delete_workflow_execution(api: ApiClient) -> None:
    parent = await workflow(api, "Executed")
    lead_id = await admin_val(
        api, "select id from public.leads where space_id = $1 order by id limit 1", uuid.UUID(SPACE)
    )
    execution = await admin_val(
        api,
        "insert into public.lead_workflow_executions (workflow_id, lead_id) values ($1, $2) returning id",
        uid(parent["id"]),
        lead_id,
    )
    execution_id = gid("WorkflowExecution", execution)
    refused(await api.gql(DELETE_EXECUTION, {"id": execution_id}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(DELETE_EXECUTION, {"id": execution_id}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(DELETE_EXECUTION, {"id": parent["id"]}, as_user=BOB), "BAD_USER_INPUT", "id")
    assert await count_rows(api, "lead_workflow_executions", "id = $1", execution) == 1
    deleted = ok(await api.gql(DELETE_EXECUTION, {"id": execution_id}, as_user=BOB))
    assert deleted["deleteWorkflowExecution"] == {"deletedId": execution_id}
    assert await count_rows(api, "lead_workflow_executions", "id = $1", execution) == 0


async def test_two_steps_swap_positions_in_one_operation(api: ApiClient) -> None:
    parent = await workflow(api, "Swapped steps")
    first = await action(api, parent["id"], 0)
    second = await action(api, parent["id"], 1)
    swap = """
    mutation($a: ID!, $b: ID!) {
      a: updateWorkflowAction(id: $a, patch: {actionOrder: 1}) { actionOrder }
      b: updateWorkflowAction(id: $b, patch: {actionOrder: 0}) { actionOrder }
    }
    """
    data = ok(await api.gql(swap, {"a": first["id"], "b": second["id"]}, as_user=BOB))
    assert data == {"a": {"actionOrder": 1}, "b": {"actionOrder": 0}}
    read = ok(await api.gql(READ_WORKFLOW, {"id": parent["id"]}, as_user=BOB))
    assert [a["id"] for a in read["node"]["actions"]] == [second["id"], first["id"]]
