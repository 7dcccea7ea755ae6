"""Mutations of configuration rows, which space owners and admins manage: stages, sources, forms and their
fields, scoring rules, integrations and custom fields."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_val, count_rows, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)


def uid(global_id: str) -> uuid.UUID:
    return uuid.UUID(raw_id(global_id))


class Entity:
    """The create/update/delete mutations of one entity, with the fields read back."""

    def __init__(self, name: str, fields: str) -> None:
        lower = name[0].lower() + name[1:]
        self.create_field, self.update_field = f"create{name}", f"update{name}"
        self.create = f"mutation($input: Create{name}Input!) {{ create{name}(input: $input) {{ id {fields} }} }}"
        self.update = (
            f"mutation($id: ID!, $patch: {name}Patch!) {{ update{name}(id: $id, patch: $patch) {{ id {fields} }} }}"
        )
        self.delete = f"mutation($id: ID!) {{ delete{name}(id: $id) {{ deletedId }} }}"
        self.read = f"query($id: ID!) {{ node(id: $id) {{ id ... on {name} {{ {fields} }} }} }}"
        self.type_name = name
        self.lower = lower

    async def create_ok(self, api: ApiClient, input: dict[str, Any], as_user: str = BOB) -> dict[str, Any]:
        return dict(ok(await api.gql(self.create, {"input": input}, as_user=as_user))[self.create_field])

    async def update_ok(self, api: ApiClient, id: str, patch: dict[str, Any], as_user: str = BOB) -> dict[str, Any]:
        return dict(ok(await api.gql(self.update, {"id": id, "patch": patch}, as_user=as_user))[self.update_field])

    async def read_back(self, api: ApiClient, id: str, as_user: str = DAVE) -> dict[str, Any]:
        return dict(ok(await api.gql(self.read, {"id": id}, as_user=as_user))["node"])

    async def delete_ok(self, api: ApiClient, id: str, as_user: str = BOB) -> None:
        data = ok(await api.gql(self.delete, {"id": id}, as_user=as_user))
        assert data[f"delete{self.type_name}"] == {"deletedId": id}


STAGE = Entity("LeadStage", "name stageOrder color isDefault space { id }")
SOURCE = Entity("LeadSource", "name type utmSource utmMedium utmCampaign")
FORM = Entity("LeadForm", "name title description aiPersonalizationEnabled formSettings isPublished publishedAt")
FIELD = Entity(
    "FormField", "fieldName fieldType label placeholder isRequired fieldOrder options validationRules form { id }"
)
RULE = Entity("ScoringRule", "name description criteriaType criteriaField condition value points isActive")
INTEGRATION = Entity("Integration", "integrationType integrationName isActive settings hasCredentials")
CUSTOM_FIELD = Entity("CustomField", "fieldName fieldLabel fieldType isRequired options")


async def test_lead_stage_lifecycle(api: ApiClient) -> None:
    input = {"space": SPACE_ID, "name": "Negotiation", "stageOrder": 7, "color": "#10B981"}
    created = await STAGE.create_ok(api, input)
    assert created["isDefault"] is False and created["space"] == {"id": SPACE_ID}
    assert await STAGE.read_back(api, created["id"]) == {**created}
    updated = await STAGE.update_ok(api, created["id"], {"color": "#EF4444", "isDefault": True})
    assert updated["color"] == "#EF4444" and updated["isDefault"] is True
    assert updated["name"] == "Negotiation" and updated["stageOrder"] == 7
    await STAGE.delete_ok(api, created["id"])
    assert await count_rows(api, "lead_stages", "id = $1", uid(created["id"])) == 0


async def test_lead_stage_validation(api: ApiClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"color": "red"}, "input.color"),
        ({"stageOrder": -1}, "input.stageOrder"),
        ({"name": ""}, "input.name"),
    ]
    for fields, field in cases:
        response = await api.gql(
            STAGE.create, {"input": {"space": SPACE_ID, "name": "Bad stage", **fields}}, as_user=BOB
        )
        refused(response, "BAD_USER_INPUT", field)
    created = await STAGE.create_ok(api, {"space": SPACE_ID, "name": "Stage with a colour"})
    for field in ("color", "stageOrder", "name", "isDefault"):
        response = await api.gql(STAGE.update, {"id": created["id"], "patch": {field: None}}, as_user=BOB)
        refused(response, "BAD_USER_INPUT", f"patch.{field}")
    assert await count_rows(api, "lead_stages", "name in ('Bad stage', '')") == 0


async def test_lead_stage_permissions(api: ApiClient) -> None:
    refused(
        await api.gql(STAGE.create, {"input": {"space": SPACE_ID, "name": "Carol's stage"}}, as_user=CAROL), "FORBIDDEN"
    )
    assert await count_rows(api, "lead_stages", "name = 'Carol''s stage'") == 0
    created = await STAGE.create_ok(api, {"space": SPACE_ID, "name": "Managed stage"})
    refused(await api.gql(STAGE.update, {"id": created["id"], "patch": {"name": "x"}}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(STAGE.update, {"id": created["id"], "patch": {"name": "x"}}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(STAGE.delete, {"id": created["id"]}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(STAGE.delete, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    assert (
        await admin_val(api, "select name from public.lead_stages where id = $1", uid(created["id"])) == "Managed stage"
    )
    personal = await STAGE.create_ok(api, {"name": "Managed stage"}, as_user=CAROL)  # her own board
    assert await admin_val(api, "select space_id from public.lead_stages where id = $1", uid(personal["id"])) is None
    refused(
        await api.gql(STAGE.create, {"input": {"space": SPACE_ID, "name": "managed STAGE"}}, as_user=BOB), "CONFLICT"
    )


async def test_lead_source_lifecycle(api: ApiClient) -> None:
    input = {
        "space": SPACE_ID,
        "name": "Spring newsletter",
        "type": "EMAIL",
        "utmSource": "newsletter",
        "utmMedium": "email",
    }
    created = await SOURCE.create_ok(api, input)
    assert created["type"] == "EMAIL" and created["utmCampaign"] is None
    assert await SOURCE.read_back(api, created["id"]) == created
    updated = await SOURCE.update_ok(api, created["id"], {"utmMedium": None, "utmCampaign": "spring"})
    assert updated["utmMedium"] is None and updated["utmCampaign"] == "spring" and updated["utmSource"] == "newsletter"
    refused(
        await api.gql(SOURCE.update, {"id": created["id"], "patch": {"type": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.type",
    )
    refused(
        await api.gql(SOURCE.update, {"id": created["id"], "patch": {"utmSource": "u" * 201}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.utmSource",
    )
    refused(await api.gql(SOURCE.update, {"id": created["id"], "patch": {"name": "x"}}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(SOURCE.delete, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    assert (
        await admin_val(api, "select utm_source from public.lead_sources where id = $1", uid(created["id"]))
        == "newsletter"
    )
    await SOURCE.delete_ok(api, created["id"], as_user=ALICE)
    assert await count_rows(api, "lead_sources", "id = $1", uid(created["id"])) == 0


async def test_lead_form_lifecycle(api: ApiClient) -> None:
    input = {"space": SPACE_ID, "name": "Webinar sign-up", "title": "Join us", "formSettings": {"theme": "dark"}}
    created = await FORM.create_ok(api, input)
    assert created["isPublished"] is False and created["publishedAt"] is None
    assert created["aiPersonalizationEnabled"] is False and created["formSettings"] == {"theme": "dark"}
    assert await FORM.read_back(api, created["id"]) == created
    updated = await FORM.update_ok(api, created["id"], {"title": None, "description": "An hour on lead scoring"})
    assert updated["title"] is None and updated["description"] == "An hour on lead scoring"
    assert updated["formSettings"] == {"theme": "dark"}
    refused(
        await api.gql(FORM.update, {"id": created["id"], "patch": {"formSettings": ["x"]}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.formSettings",
    )
    publish = await api.gql(FORM.create, {"input": {"name": "Published?", "isPublished": True}}, as_user=BOB)
    assert publish.codes == ["BAD_USER_INPUT"]  # publishing is not part of these inputs
    refused(
        await api.gql(FORM.create, {"input": {"space": SPACE_ID, "name": "Carol's form"}}, as_user=CAROL), "FORBIDDEN"
    )
    refused(await api.gql(FORM.update, {"id": created["id"], "patch": {"name": "x"}}, as_user=ERIN), "NOT_FOUND")
    assert await count_rows(api, "lead_forms", "name in ('Carol''s form', 'Published?', 'x')") == 0
    await FORM.delete_ok(api, created["id"])
    assert await count_rows(api, "lead_forms", "id = $1", uid(created["id"])) == 0


async def test_form_field_lifecycle(api: ApiClient) -> None:
    form = await FORM.create_ok(api, {"space": SPACE_ID, "name": "Demo request"})
    input = {
        "form": form["id"],
        "fieldName": "team_size",
        "fieldType": "SELECT",
        "label": "Team size",
        "placeholder": "Pick one",
        "options": ["1-10", "11-50"],
        "validationRules": {},
    }
    created = await FIELD.create_ok(api, input)
    assert created["form"] == {"id": form["id"]} and created["fieldOrder"] == 0 and created["isRequired"] is False
    assert created["options"] == ["1-10", "11-50"]
    assert await FIELD.read_back(api, created["id"]) == created
    updated = await FIELD.update_ok(api, created["id"], {"placeholder": None, "fieldOrder": 3, "isRequired": True})
    assert updated["placeholder"] is None and updated["fieldOrder"] == 3 and updated["isRequired"] is True
    assert updated["label"] == "Team size" and updated["options"] == ["1-10", "11-50"]
    await FIELD.delete_ok(api, created["id"])
    assert await count_rows(api, "lead_form_fields", "id = $1", uid(created["id"])) == 0


async def test_form_field_validation_and_permissions(api: ApiClient) -> None:
    form = await FORM.create_ok(api, {"space": SPACE_ID, "name": "Contact us"})
    base = {"form": form["id"], "fieldName": "email", "fieldType": "EMAIL", "label": "Email"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"fieldName": "1st"}, "input.fieldName"),
        ({"options": {"a": 1}}, "input.options"),
        ({"validationRules": [1]}, "input.validationRules"),
        ({"fieldOrder": -2}, "input.fieldOrder"),
        ({"form": gid("Workflow", SPACE)}, "input.form"),
    ]
    for fields, field in cases:
        refused(await api.gql(FIELD.create, {"input": {**base, **fields}}, as_user=BOB), "BAD_USER_INPUT", field)
    refused(await api.gql(FIELD.create, {"input": base}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(FIELD.create, {"input": base}, as_user=ERIN), "FORBIDDEN")
    assert await count_rows(api, "lead_form_fields", "form_id = $1", uid(form["id"])) == 0
    created = await FIELD.create_ok(api, base)
    moved = await api.gql(FIELD.update, {"id": created["id"], "patch": {"form": gid("LeadForm", SPACE)}}, as_user=BOB)
    assert moved.codes == ["BAD_USER_INPUT"]  # a field never moves to another form
    refused(
        await api.gql(FIELD.update, {"id": created["id"], "patch": {"label": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.label",
    )
    refused(await api.gql(FIELD.update, {"id": created["id"], "patch": {"label": "x"}}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(FIELD.delete, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    assert (
        await admin_val(api, "select label from public.lead_form_fields where id = $1", uid(created["id"])) == "Email"
    )


async def test_scoring_rule_lifecycle(api: ApiClient) -> None:
    input = {
        "space": SPACE_ID,
        "name": "Senior titles",
        "criteriaType": "JOB_TITLE",
        "condition": "CONTAINS",
        "value": "Director",
        "points": 20,
    }
    created = await RULE.create_ok(api, input)
    assert created["isActive"] is True and created["description"] is None
    assert await RULE.read_back(api, created["id"]) == created
    updated = await RULE.update_ok(api, created["id"], {"value": None, "condition": "IS_NOT_EMPTY", "points": -5})
    assert updated["value"] is None and updated["condition"] == "IS_NOT_EMPTY" and updated["points"] == -5
    assert updated["name"] == "Senior titles" and updated["criteriaType"] == "JOB_TITLE"
    await RULE.delete_ok(api, created["id"])
    assert await count_rows(api, "lead_scoring_rules", "id = $1", uid(created["id"])) == 0


async def test_scoring_rule_validation_and_permissions(api: ApiClient) -> None:
    base = {
        "space": SPACE_ID,
        "name": "Too generous",
        "criteriaType": "BUDGET",
        "condition": "GREATER_THAN",
        "points": 10,
    }
    refused(
        await api.gql(RULE.create, {"input": {**base, "points": 101}}, as_user=BOB), "BAD_USER_INPUT", "input.points"
    )
    missing_field = {**base, "criteriaType": "CUSTOM_FIELD"}
    refused(await api.gql(RULE.create, {"input": missing_field}, as_user=BOB), "BAD_USER_INPUT", "criteriaField")
    refused(await api.gql(RULE.create, {"input": base}, as_user=CAROL), "FORBIDDEN")
    assert await count_rows(api, "lead_scoring_rules", "name = 'Too generous'") == 0
    created = await RULE.create_ok(api, {**base, "name": "Budget"})
    refused(
        await api.gql(RULE.update, {"id": created["id"], "patch": {"points": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.points",
    )
    refused(await api.gql(RULE.update, {"id": created["id"], "patch": {"points": 1}}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(RULE.update, {"id": created["id"], "patch": {"points": 1}}, as_user=ERIN), "NOT_FOUND")
    assert await admin_val(api, "select points from public.lead_scoring_rules where id = $1", uid(created["id"])) == 10


async def test_integration_lifecycle(api: ApiClient) -> None:
    input = {
        "space": SPACE_ID,
        "integrationType": "WEBHOOK",
        "integrationName": "Zap",
        "settings": {"url": "https://h.example"},
    }
    created = await INTEGRATION.create_ok(api, input)
    assert created["isActive"] is False and created["hasCredentials"] is False
    assert await INTEGRATION.read_back(api, created["id"]) == created
    updated = await INTEGRATION.update_ok(api, created["id"], {"isActive": True})
    assert updated["isActive"] is True and updated["settings"] == {"url": "https://h.example"}
    refused(
        await api.gql(INTEGRATION.update, {"id": created["id"], "patch": {"settings": None}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.settings",
    )
    credentials = await api.gql(INTEGRATION.update, {"id": created["id"], "patch": {"credentials": {}}}, as_user=BOB)
    assert credentials.codes == ["BAD_USER_INPUT"]  # credentials are not part of these inputs
    refused(
        await api.gql(INTEGRATION.update, {"id": created["id"], "patch": {"isActive": False}}, as_user=CAROL),
        "FORBIDDEN",
    )
    refused(await api.gql(INTEGRATION.delete, {"id": created["id"]}, as_user=ERIN), "NOT_FOUND")
    assert (
        await admin_val(api, "select is_active from public.lead_integrations where id = $1", uid(created["id"])) is True
    )
    await INTEGRATION.delete_ok(api, created["id"])
    assert await count_rows(api, "lead_integrations", "id = $1", uid(created["id"])) == 0


async def test_custom_field_lifecycle(api: ApiClient) -> None:
    input = {"space": SPACE_ID, "fieldName": "contract_value", "fieldLabel": "Contract value", "fieldType": "NUMBER"}
    created = await CUSTOM_FIELD.create_ok(api, input)
    assert created["options"] == [] and created["isRequired"] is False
    assert await CUSTOM_FIELD.read_back(api, created["id"]) == created
    updated = await CUSTOM_FIELD.update_ok(api, created["id"], {"fieldType": "SELECT", "options": ["S", "M", "L"]})
    assert updated["fieldType"] == "SELECT" and updated["options"] == ["S", "M", "L"]
    assert updated["fieldName"] == "contract_value"
    await CUSTOM_FIELD.delete_ok(api, created["id"])
    assert await count_rows(api, "lead_custom_fields", "id = $1", uid(created["id"])) == 0


async def test_custom_field_validation_and_permissions(api: ApiClient) -> None:
    base = {"space": SPACE_ID, "fieldName": "region", "fieldLabel": "Region", "fieldType": "TEXT"}
    for name in ("Region", "1region", "region-code", "r" * 64):
        response = await api.gql(CUSTOM_FIELD.create, {"input": {**base, "fieldName": name}}, as_user=BOB)
        refused(response, "BAD_USER_INPUT", "input.fieldName")
    refused(
        await api.gql(CUSTOM_FIELD.create, {"input": {**base, "options": "a,b"}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.options",
    )
    refused(await api.gql(CUSTOM_FIELD.create, {"input": base}, as_user=CAROL), "FORBIDDEN")
    assert await count_rows(api, "lead_custom_fields", "field_label = 'Region'") == 0
    created = await CUSTOM_FIELD.create_ok(api, base)
    refused(
        await api.gql(CUSTOM_FIELD.update, {"id": created["id"], "patch": {"fieldName": "Bad Name"}}, as_user=BOB),
        "BAD_USER_INPUT",
        "patch.fieldName",
    )
    refused(
        await api.gql(CUSTOM_FIELD.update, {"id": created["id"], "patch": {"fieldLabel": "x"}}, as_user=ERIN),
        "NOT_FOUND",
    )
    refused(await api.gql(CUSTOM_FIELD.delete, {"id": created["id"]}, as_user=CAROL), "FORBIDDEN")
    assert await count_rows(api, "lead_custom_fields", "id = $1 and field_name = 'region'", uid(created["id"])) == 1
