"""Every action's config is validated by its type, purely (the API and activation report the problems as
BAD_USER_INPUT on `input.actionConfig.<key>`; the engine refuses to run a config that does not validate)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from domain.workflows.actions.registry import default_registry
from tests.support.mutations import gid

ANY_ID = str(uuid.uuid4())
VALID: list[tuple[str, dict[str, Any]]] = [
    ("send_email", {"subject": "Hi {{lead.firstName}}", "body": "At {{lead.company.name}}: {{customFields.plan}}"}),
    ("send_email", {"to": "sales@example.com", "subject": "New", "body": "{{email}}", "replyTo": "me@example.org"}),
    ("assign_lead", {"user": ANY_ID}),
    ("assign_lead", {"user": gid("User", ANY_ID)}),
    ("assign_lead", {"strategy": "round_robin"}),
    ("change_stage", {"stage": gid("LeadStage", ANY_ID)}),
    ("change_stage", {"stageName": "Qualified"}),
    ("update_field", {"field": "status", "value": "QUALIFIED"}),
    ("update_field", {"field": "jobTitle", "value": None}),
    ("update_field", {"field": "budget", "value": "1500.50"}),
    ("update_field", {"field": "customFields.plan", "value": ["a", "b"]}),
    ("add_to_campaign", {"campaign": gid("Campaign", ANY_ID)}),
    ("remove_from_campaign", {"campaign": ANY_ID}),
    ("webhook", {"url": "https://hooks.example.com/x", "secret": "s" * 16, "headers": {"Authorization": "Bearer x"}}),
    ("webhook", {"integration": ANY_ID}),
    ("webhook", {"integration": ANY_ID, "url": "http://hooks.example.com/y", "method": "POST"}),
]
INVALID: list[tuple[str, dict[str, Any], set[str]]] = [
    ("send_email", {}, {"subject", "body"}),
    (
        "send_email",
        {"to": "a@b", "subject": "{{shoe}}", "body": " ", "replyTo": "x", "cc": "y@example.com"},
        {"to", "subject", "body", "replyTo", "cc"},
    ),
    ("send_email", {"subject": "{{lead.company.ceo}}", "body": "{{ first name }}"}, {"subject", "body"}),
    ("assign_lead", {}, {"user"}),
    ("assign_lead", {"user": "bob"}, {"user"}),
    ("assign_lead", {"user": gid("Lead", ANY_ID)}, {"user"}),
    ("assign_lead", {"strategy": "random"}, {"strategy"}),
    ("assign_lead", {"user": ANY_ID, "strategy": "round_robin"}, {"user"}),
    ("change_stage", {"stage": gid("Campaign", ANY_ID)}, {"stage"}),
    ("change_stage", {"stageName": " "}, {"stageName"}),
    ("change_stage", {}, {"stage"}),
    ("update_field", {"field": "score", "value": 5}, {"field"}),
    ("update_field", {"field": "status", "value": "won"}, {"value"}),
    ("update_field", {"field": "status", "value": None}, {"value"}),
    ("update_field", {"field": "status"}, {"value"}),
    ("update_field", {"field": "budget", "value": -1}, {"value"}),
    ("update_field", {"field": "budget", "value": True}, {"value"}),
    ("update_field", {"field": "phone", "value": "1" * 51}, {"value"}),
    ("update_field", {"field": "customFields.Bad-Name", "value": 1}, {"field"}),
    ("add_to_campaign", {}, {"campaign"}),
    ("remove_from_campaign", {"campaign": "x", "lead": ANY_ID}, {"campaign", "lead"}),
    ("webhook", {"url": "ftp://x.example"}, {"url", "secret"}),
    (
        "webhook",
        {"url": "https://u:p@x.example", "secret": "short", "method": "GET", "headers": {"Host": "x", "X-A": "a\nb"}},
        {"url", "secret", "method", "headers"},
    ),
    ("webhook", {"secret": "s" * 16, "integration": ANY_ID, "url": "https://x.example"}, {"secret"}),
]


@pytest.mark.parametrize(("action_type", "config"), VALID, ids=lambda v: str(v)[:40])
def test_valid_configs(action_type: str, config: dict[str, Any]) -> None:
    assert default_registry().problems(action_type, config) == []


@pytest.mark.parametrize(("action_type", "config", "fields"), INVALID, ids=lambda v: str(v)[:40])
def test_invalid_configs_name_every_bad_key(action_type: str, config: dict[str, Any], fields: set[str]) -> None:
    problems = default_registry().problems(action_type, config)
    assert {field for field, _ in problems} == fields
    assert all(message for _, message in problems)
