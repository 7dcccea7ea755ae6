"""The engine's pure parts: trigger conditions (validation and matching), templates, the action registry, back-off,
clocks and the reading of execution steps."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import pytest

from domain.workflows.actions.registry import ACTION_TYPES, default_registry
from domain.workflows.clock import FakeClock, SystemClock
from domain.workflows.conditions import TRIGGER_TYPES, as_uuid, trigger_matches, trigger_problems
from domain.workflows.model import steps_of
from domain.workflows.settings import EngineConfig, SmtpSettings
from domain.workflows.templates import render, template_problems, template_variables

STAGE_A, STAGE_B = uuid.uuid4(), uuid.uuid4()


def relay(type_name: str, row_id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def test_ids_are_bare_uuids_or_global_ids_of_the_right_type() -> None:
    assert as_uuid(str(STAGE_A), "LeadStage") == STAGE_A
    assert as_uuid(relay("LeadStage", STAGE_A), "LeadStage") == STAGE_A
    assert as_uuid(relay("LeadForm", STAGE_A), "LeadStage") is None
    assert as_uuid("nonsense", "LeadStage") is None and as_uuid(5, "LeadStage") is None


MATCHES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("lead_created", {}, {"status": "new"}, True),
    ("lead_created", {"status": ["QUALIFIED", "new"]}, {"status": "new"}, True),
    ("lead_created", {"status": "qualified"}, {"status": "new"}, False),
    ("lead_created", {"sourceId": str(STAGE_A)}, {"sourceId": str(STAGE_B)}, False),
    ("lead_updated", {}, {"changedFields": ["email"]}, True),
    ("lead_updated", {"fields": ["jobTitle", "stage"]}, {"changedFields": ["stage_id"]}, True),
    ("lead_updated", {"fields": ["jobTitle"]}, {"changedFields": ["email", "score"]}, False),
    ("stage_changed", {"toStageId": relay("LeadStage", STAGE_B)}, {"toStageId": str(STAGE_B)}, True),
    ("stage_changed", {"fromStageId": str(STAGE_A)}, {"toStageId": str(STAGE_B)}, False),  # from none
    ("score_threshold", {"threshold": 50}, {"oldScore": 49, "newScore": 50}, True),
    ("score_threshold", {"threshold": 50}, {"oldScore": 50, "newScore": 80}, False),  # already above
    ("score_threshold", {"threshold": 50, "direction": "DOWN"}, {"oldScore": 50, "newScore": 49}, True),
    ("score_threshold", {"threshold": 50, "direction": "down"}, {"oldScore": 10, "newScore": 5}, False),
    ("form_submit", {"formId": [relay("LeadForm", STAGE_A)]}, {"formId": str(STAGE_A)}, True),
    ("campaign_joined", {"campaignId": str(STAGE_A)}, {"campaignId": str(STAGE_B)}, False),
    ("activity_logged", {"activityTypes": ["CALL_MADE"]}, {"activityType": "call_made"}, True),
    ("activity_logged", {"activityTypes": ["note"]}, {"activityType": "call_made"}, False),
    ("page_visit", {"urlContains": "/Pricing"}, {"url": "https://x.example/pricing?a=1"}, True),
    ("page_visit", {"urlContains": "/pricing"}, {"url": "https://x.example/blog"}, False),
    ("inactivity", {"days": 14}, {"days": 14}, True),
    ("inactivity", {"days": 14}, {"days": 7}, False),
    ("manual", {}, {}, False),  # started by runWorkflow only
    ("inactivity", {"days": "14"}, {"days": 14}, False),  # invalid conditions (past the API) match nothing
]


@pytest.mark.parametrize(("kind", "conditions", "payload", "expected"), MATCHES)
def test_conditions_match_events(
    kind: str, conditions: dict[str, Any], payload: dict[str, Any], expected: bool
) -> None:
    assert trigger_matches(kind, conditions, kind, payload) is expected


def test_matching_needs_the_events_type_and_ignores_unknown_keys() -> None:
    assert not trigger_matches("lead_created", {}, "lead_updated", {})
    assert trigger_matches("form_submit", {"form_id": "legacy"}, "form_submit", {"formId": str(STAGE_A)})


def test_every_trigger_type_has_a_specification() -> None:
    for kind in TRIGGER_TYPES:
        assert isinstance(trigger_problems(kind, {}), list)
    assert trigger_problems("lead_created", [1]) == [("", "must be a JSON object")]
    assert trigger_problems("sometimes", {}) == [("", "unknown trigger type 'sometimes'")]
    assert trigger_problems("lead_updated", {"fields": ["email", "nope"]})[0][0] == "fields[1]"


def test_templates_render_lead_fields_and_check_their_variables() -> None:
    lead = {"id": STAGE_A, "first_name": "Ada", "last_name": None, "score": 42, "custom_fields": {"plan": ["a", "b"]}}
    values = template_variables(lead, {"name": "Welcome"}, {"assigneeName": "Bob"})
    text = "Hi {{ firstName }} {{last_name}}({{score}}) {{custom_fields.plan}} {{workflow_name}} {{assignee_name}}"
    assert render(text, values) == "Hi Ada (42) a, b Welcome Bob"
    assert template_problems("Hi {{first_name}} {{custom_fields.x}}") == []
    assert template_problems("{{shoe}}")[0].startswith("unknown variable {{shoe}}")
    assert template_problems("{{assignee_name}}", extra=["assigneeName"]) == []
    assert template_problems("oops {{ first name }}") == ["a '{{' that is not a {{variable}}"]
    assert template_problems(5) == ["must be a string"]


def test_the_registry_knows_every_action_type_and_validates_by_type() -> None:
    registry = default_registry()
    assert set(registry.types) == set(ACTION_TYPES)
    assert registry.problems("wait", {}) == [] and registry.problems("wait", {"x": 1})[0][0] == "x"
    assert registry.problems("add_note", {"note": "ok"}) == []
    assert [f for f, _ in registry.problems("add_note", {"note": " "})] == ["note"]
    assert registry.problems("add_note", "text") == [("", "must be a JSON object")]
    assert registry.problems("teleport", {}) == [("", "no action of type 'teleport'")]
    assert [f for f, _ in registry.problems("webhook", {"anything": True})] == ["anything", "secret", "url"]


def test_back_off_doubles_up_to_its_maximum() -> None:
    config = EngineConfig(retry_base_seconds=10, retry_max_seconds=60)
    assert [config.backoff(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_clocks() -> None:
    real = SystemClock().now()
    assert real.tzinfo is not None
    fake = FakeClock(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert fake.advance(hours=1, seconds=5) == dt.datetime(2030, 1, 1, 1, 0, 5, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        FakeClock(dt.datetime(2030, 1, 1))


def test_smtp_urls() -> None:
    smtp = SmtpSettings.from_url("smtp://me%40x.example:s3cret@mail.example:2525")
    assert (smtp.host, smtp.port, smtp.security, smtp.username, smtp.password) == (
        "mail.example",
        2525,
        "starttls",
        "me@x.example",
        "s3cret",
    )
    assert "s3cret" not in repr(smtp)
    assert SmtpSettings.from_url("smtps://mail.example").port == 465
    with pytest.raises(ValueError):
        SmtpSettings.from_url("http://mail.example")


def test_steps_are_read_leniently() -> None:
    data = {
        "steps": [
            {
                "index": 0,
                "type": "wait",
                "status": "completed",
                "attempts": 1,
                "startedAt": "2030-01-01T00:00:00+00:00",
            },
            {"status": "exploded", "attempts": "many", "actionId": "x"},
            "junk",
        ]
    }
    first, second = steps_of(data)
    assert first.started_at == dt.datetime(2030, 1, 1, tzinfo=dt.UTC) and first.status == "completed"
    assert (second.index, second.status, second.attempts, second.action_id) == (1, "pending", 0, None)
    assert steps_of({}) == [] and steps_of(None) == []
