"""Workflow definitions through GraphQL: trigger conditions checked by trigger type, action configs by the action
registry (each action its own), every problem a BAD_USER_INPUT naming its field; activation and deactivation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.api import ALICE, BOB, CAROL, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_val, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)
STAGE = gid("LeadStage", uuid.uuid4())
CREATE_WORKFLOW = "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id isActive } }"
UPDATE_WORKFLOW = "mutation($id: ID!, $patch: WorkflowPatch!) { updateWorkflow(id: $id, patch: $patch) { isActive } }"
CREATE_TRIGGER = (
    "mutation($input: CreateWorkflowTriggerInput!) { createWorkflowTrigger(input: $input) { id triggerConditions } }"
)
UPDATE_TRIGGER = (
    "mutation($id: ID!, $patch: WorkflowTriggerPatch!) { updateWorkflowTrigger(id: $id, patch: $patch) { id } }"
)
CREATE_ACTION = "mutation($input: CreateWorkflowActionInput!) { createWorkflowAction(input: $input) { id } }"
UPDATE_ACTION = (
    "mutation($id: ID!, $patch: WorkflowActionPatch!) { updateWorkflowAction(id: $id, patch: $patch) { id } }"
)
ACTIVATE = "mutation($id: ID!) { activateWorkflow(id: $id) { id isActive } }"
DEACTIVATE = "mutation($id: ID!) { deactivateWorkflow(id: $id) { id isActive } }"


async def new_workflow(api: ApiClient, as_user: str = BOB, space: str | None = SPACE_ID) -> str:
    input = {"name": f"wf {uuid.uuid4().hex[:6]}", **({"space": space} if space else {})}
    return str(ok(await api.gql(CREATE_WORKFLOW, {"input": input}, as_user=as_user))["createWorkflow"]["id"])


async def add_trigger(api: ApiClient, workflow: str, kind: str, conditions: Any, as_user: str = BOB) -> Any:
    input = {"workflow": workflow, "triggerType": kind, "triggerConditions": conditions}
    return await api.gql(CREATE_TRIGGER, {"input": input}, as_user=as_user)


async def add_action(api: ApiClient, workflow: str, kind: str, config: Any, order: int = 0) -> Any:
    input = {"workflow": workflow, "actionType": kind, "actionConfig": config, "actionOrder": order}
    return await api.gql(CREATE_ACTION, {"input": input}, as_user=BOB)


GOOD_CONDITIONS = [
    ("LEAD_CREATED", {}),
    ("LEAD_CREATED", {"status": ["NEW", "qualified"], "sourceId": gid("LeadSource", uuid.uuid4())}),
    ("LEAD_UPDATED", {"fields": ["status", "jobTitle", "customFields"]}),
    ("STAGE_CHANGED", {"fromStageId": STAGE, "toStageId": str(uuid.uuid4())}),
    ("SCORE_THRESHOLD", {"threshold": 80, "direction": "down"}),
    ("FORM_SUBMIT", {"formId": gid("LeadForm", uuid.uuid4())}),
    ("CAMPAIGN_JOINED", {"campaignId": [gid("Campaign", uuid.uuid4())]}),
    ("ACTIVITY_LOGGED", {"activityTypes": ["CALL_MADE", "email_replied"]}),
    ("PAGE_VISIT", {"urlContains": "/pricing"}),
    ("INACTIVITY", {"days": 14}),
    ("MANUAL", {}),
]
BAD_CONDITIONS = [
    ("LEAD_CREATED", {"status": "sleeping"}, "status"),
    ("LEAD_CREATED", {"spaceId": SPACE_ID}, "spaceId"),
    ("LEAD_UPDATED", {"fields": ["shoeSize"]}, "fields[0]"),
    ("LEAD_UPDATED", {"fields": []}, "fields"),
    ("STAGE_CHANGED", {"toStageId": SPACE_ID}, "toStageId"),
    ("SCORE_THRESHOLD", {}, "threshold"),
    ("SCORE_THRESHOLD", {"threshold": 101}, "threshold"),
    ("SCORE_THRESHOLD", {"threshold": 50, "direction": "sideways"}, "direction"),
    ("FORM_SUBMIT", {"formId": "nope"}, "formId"),
    ("CAMPAIGN_JOINED", {"campaignId": [gid("LeadForm", uuid.uuid4())]}, "campaignId[0]"),
    ("ACTIVITY_LOGGED", {"activityTypes": "note"}, "activityTypes"),
    ("PAGE_VISIT", {"urlContains": ""}, "urlContains"),
    ("INACTIVITY", {"days": 0}, "days"),
    ("INACTIVITY", {"days": 1.5}, "days"),
    ("MANUAL", {"when": "now"}, "when"),
]


async def test_trigger_conditions_are_checked_by_trigger_type(api: ApiClient) -> None:
    workflow = await new_workflow(api)
    for kind, conditions in GOOD_CONDITIONS:
        created = ok(await add_trigger(api, workflow, kind, conditions))["createWorkflowTrigger"]
        assert created["triggerConditions"] == conditions, kind
    for kind, conditions, field in BAD_CONDITIONS:
        response = await add_trigger(api, workflow, kind, conditions)
        refused(response, "BAD_USER_INPUT", f"input.triggerConditions.{field}")
    count = await admin_val(
        api, "select count(*) from public.lead_workflow_triggers where workflow_id = $1", uuid.UUID(raw_id(workflow))
    )
    assert count == len(GOOD_CONDITIONS)


async def test_a_trigger_patch_is_checked_with_what_it_leaves(api: ApiClient) -> None:
    workflow = await new_workflow(api)
    trigger = ok(await add_trigger(api, workflow, "INACTIVITY", {"days": 7}))["createWorkflowTrigger"]["id"]
    refused(  # the stored {"days": 7} does not suit a score threshold
        await api.gql(UPDATE_TRIGGER, {"id": trigger, "patch": {"triggerType": "SCORE_THRESHOLD"}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.triggerConditions.days",
    )
    patch = {"triggerType": "SCORE_THRESHOLD", "triggerConditions": {"threshold": 60}}
    ok(await api.gql(UPDATE_TRIGGER, {"id": trigger, "patch": patch}, as_user=BOB))
    refused(
        await api.gql(UPDATE_TRIGGER, {"id": trigger, "patch": {"triggerConditions": {"days": 3}}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.triggerConditions.days",
    )


async def test_action_configs_are_checked_by_each_action(api: ApiClient) -> None:
    workflow = await new_workflow(api)
    ok(await add_action(api, workflow, "ADD_NOTE", {"note": "Call {{first_name}} ({{ customFields.plan }})"}))
    ok(await add_action(api, workflow, "WAIT", {}, order=1))
    ok(await add_action(api, workflow, "SEND_EMAIL", {"subject": "Hi {{lead.firstName}}", "body": "..."}, order=2))
    response = await add_action(api, workflow, "SEND_EMAIL", {"template": "welcome", "to": "nobody"}, order=3)
    assert {f["field"] for f in response.errors[0]["extensions"]["fields"]} == {
        f"input.actionConfig.{key}" for key in ("template", "to", "subject", "body")
    }
    refused(await add_action(api, workflow, "ADD_NOTE", {}, 3), "BAD_USER_INPUT", "input.actionConfig.note")
    response = await add_action(api, workflow, "ADD_NOTE", {"note": "Hi {{shoe_size}}", "color": "red"}, 3)
    refused(response, "BAD_USER_INPUT", "input.actionConfig.color")
    assert {f["field"] for f in response.errors[0]["extensions"]["fields"]} == {
        "input.actionConfig.color",
        "input.actionConfig.note",
    }
    refused(await add_action(api, workflow, "WAIT", {"seconds": 5}, 3), "BAD_USER_INPUT", "input.actionConfig.seconds")
    wait = ok(await add_action(api, workflow, "WAIT", {}, order=4))["createWorkflowAction"]["id"]
    refused(
        await api.gql(UPDATE_ACTION, {"id": wait, "patch": {"actionType": "ADD_NOTE"}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.actionConfig.note",
    )
    patch = {"actionType": "ADD_NOTE", "actionConfig": {"note": "ok"}}
    ok(await api.gql(UPDATE_ACTION, {"id": wait, "patch": patch}, as_user=BOB))


async def test_activation_needs_a_complete_valid_definition(api: ApiClient) -> None:
    refused(
        await api.gql(CREATE_WORKFLOW, {"input": {"name": "Eager", "isActive": True}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.isActive",
    )
    workflow = await new_workflow(api)
    empty = await api.gql(ACTIVATE, {"id": workflow}, as_user=BOB)
    refused(empty, "BAD_USER_INPUT", "triggers")
    assert [f["field"] for f in empty.errors[0]["extensions"]["fields"]] == ["triggers", "actions"]
    refused(
        await api.gql(UPDATE_WORKFLOW, {"id": workflow, "patch": {"isActive": True}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.isActive",
    )
    ok(await add_trigger(api, workflow, "LEAD_CREATED", {}))
    ok(await add_action(api, workflow, "ADD_NOTE", {"note": "Welcome"}))
    refused(await api.gql(ACTIVATE, {"id": workflow}, as_user=CAROL), "FORBIDDEN")  # a member: no configuration
    refused(await api.gql(ACTIVATE, {"id": workflow}, as_user=ERIN), "NOT_FOUND")
    assert ok(await api.gql(ACTIVATE, {"id": workflow}, as_user=BOB))["activateWorkflow"]["isActive"] is True
    assert ok(await api.gql(DEACTIVATE, {"id": workflow}, as_user=ALICE))["deactivateWorkflow"]["isActive"] is False
    assert ok(await api.gql(UPDATE_WORKFLOW, {"id": workflow, "patch": {"isActive": True}}, as_user=BOB))
    # a definition broken past the API (a Studio edit) is not activated
    await admin_val(
        api,
        "update public.lead_workflow_triggers set trigger_type = 'inactivity' where workflow_id = $1",
        uuid.UUID(raw_id(workflow)),
    )
    await api.gql(DEACTIVATE, {"id": workflow}, as_user=BOB)
    refused(
        await api.gql(ACTIVATE, {"id": workflow}, as_user=BOB), "BAD_USER_INPUT", "triggers[0].triggerConditions.days"
    )


@pytest.mark.parametrize("personal_owner", [ERIN])
async def test_a_personal_workflow_is_its_owners_to_activate(api: ApiClient, personal_owner: str) -> None:
    workflow = await new_workflow(api, as_user=personal_owner, space=None)
    trigger: dict[str, Any] = {"workflow": workflow, "triggerType": "MANUAL", "triggerConditions": {}}
    ok(await api.gql(CREATE_TRIGGER, {"input": trigger}, as_user=personal_owner))
    action: dict[str, Any] = {"workflow": workflow, "actionType": "WAIT", "actionOrder": 0}
    ok(await api.gql(CREATE_ACTION, {"input": action}, as_user=personal_owner))
    refused(await api.gql(ACTIVATE, {"id": workflow}, as_user=BOB), "NOT_FOUND")
    assert ok(await api.gql(ACTIVATE, {"id": workflow}, as_user=personal_owner))["activateWorkflow"]["isActive"]
