"""Trigger conditions: what each trigger type accepts (`trigger_problems`) and which events it matches
(`trigger_matches`).

Conditions are a JSON object with camelCase keys, all optional unless said otherwise; an event matches when:

- `lead_created`: `status` (a lead status or a list), `sourceId`, `formId` (an ID or a list): the new lead has them;
- `lead_updated`: `fields`, Lead field names (`status`, `jobTitle`, `stage`, `customFields`, ...): one of them
  changed (without `fields`: any field; bookkeeping columns such as updatedAt and lastActivityAt never count);
- `stage_changed`: `fromStageId`, `toStageId`: the move went from / to these stages;
- `score_threshold`: `threshold` 0..100 (required), `direction` `up` (default) or `down`: the score crossed it,
  up: old < threshold <= new; down: old >= threshold > new;
- `form_submit`: `formId` (an ID or a list): a submission of that form;
- `campaign_joined`: `campaignId` (an ID or a list): the lead joined that campaign;
- `activity_logged`: `activityTypes`, a list of activity types (`note`, `CALL_MADE`, ...): one of them was logged;
- `page_visit`: `urlContains`, text (case-insensitive): the visited URL contains it;
- `inactivity`: `days` >= 1 (required): no activity (or creation) for that many days, once per inactive period;
- `manual`: no conditions; never matches an event (runWorkflow starts it).

IDs are Relay global IDs of the right type (`LeadStage`, `LeadSource`, `LeadForm`, `Campaign`) or bare UUIDs; enum
values may be given as the API shows them (`QUALIFIED`) or as stored (`qualified`). Unknown keys are refused by
validation and ignored by matching; conditions that do not validate (written past the API) match nothing, and the
worker records a failed execution saying why for each event they would have been offered (`unusable_conditions`).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Problem = tuple[str, str]  # (field inside the conditions or config, message); "" is the object itself

TRIGGER_TYPES = (
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
)
LEAD_STATUSES = ("new", "contacted", "qualified", "unqualified", "nurturing", "converted", "lost")
ACTIVITY_TYPES = (
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
)
# Lead fields as the API names them -> the column an update changes
LEAD_FIELDS = {
    "space": "space_id",
    "owner": "user_id",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "phone": "phone",
    "jobTitle": "job_title",
    "company": "company_id",
    "stage": "stage_id",
    "source": "source_id",
    "form": "form_id",
    "assignedTo": "assigned_to",
    "status": "status",
    "score": "score",
    "customFields": "custom_fields",
    "budget": "budget",
    "authority": "authority",
    "need": "need",
    "timeline": "timeline",
    "enrichedData": "enriched_data",
    "formSubmissionData": "form_submission_data",
    "convertedToCustomer": "converted_to_customer",
    "customer": "customer_id",
}
MAX_LIST = 50
MAX_DAYS = 3650


def as_uuid(value: Any, type_name: str) -> uuid.UUID | None:
    """The row id of a bare UUID or of a Relay global ID of `type_name`; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    try:
        name, _, raw = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        return uuid.UUID(raw) if name == type_name else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _many(check: Callable[[Any], str | None]) -> Callable[[Any, str], list[Problem]]:
    """One value, or a non-empty list of at most MAX_LIST values, each passing `check`."""

    def validate(value: Any, field: str) -> list[Problem]:
        if isinstance(value, list) and not 0 < len(value) <= MAX_LIST:
            return [(field, f"a list of 1 to {MAX_LIST} values")]
        problems = []
        for i, item in enumerate(_listed(value)):
            message = check(item)
            if message is not None:
                problems.append((f"{field}[{i}]" if isinstance(value, list) else field, message))
        return problems

    return validate


def _id_of(type_name: str) -> Callable[[Any], str | None]:
    return lambda item: None if as_uuid(item, type_name) else f"expected the ID of a {type_name}"


def _choice(choices: tuple[str, ...], what: str) -> Callable[[Any], str | None]:
    def check(item: Any) -> str | None:
        if isinstance(item, str) and item.lower() in choices:
            return None
        return f"not a {what}; one of {', '.join(choices)}"

    return check


def _one(check: Callable[[Any], str | None]) -> Callable[[Any, str], list[Problem]]:
    def validate(value: Any, field: str) -> list[Problem]:
        message = check(value)
        return [] if message is None else [(field, message)]

    return validate


def _list_of(check: Callable[[Any], str | None]) -> Callable[[Any, str], list[Problem]]:
    def validate(value: Any, field: str) -> list[Problem]:
        if not isinstance(value, list) or not 0 < len(value) <= MAX_LIST:
            return [(field, f"a list of 1 to {MAX_LIST} values")]
        return _many(check)(value, field)

    return validate


def _int_between(low: int, high: int) -> Callable[[Any], str | None]:
    def check(item: Any) -> str | None:
        if isinstance(item, bool) or not isinstance(item, int) or not low <= item <= high:
            return f"a whole number from {low} to {high}"
        return None

    return check


def _text(max_length: int) -> Callable[[Any], str | None]:
    def check(item: Any) -> str | None:
        if not isinstance(item, str) or not item.strip() or len(item) > max_length:
            return f"a text of 1 to {max_length} characters"
        return None

    return check


def _lead_field(item: Any) -> str | None:
    if isinstance(item, str) and item in LEAD_FIELDS:
        return None
    return f"not a Lead field; one of {', '.join(LEAD_FIELDS)}"


@dataclass(frozen=True)
class Key:
    validate: Callable[[Any, str], list[Problem]]
    required: bool = False


SPECS: dict[str, dict[str, Key]] = {
    "lead_created": {
        "status": Key(_many(_choice(LEAD_STATUSES, "lead status"))),
        "sourceId": Key(_many(_id_of("LeadSource"))),
        "formId": Key(_many(_id_of("LeadForm"))),
    },
    "lead_updated": {"fields": Key(_list_of(_lead_field))},
    "stage_changed": {"fromStageId": Key(_one(_id_of("LeadStage"))), "toStageId": Key(_one(_id_of("LeadStage")))},
    "score_threshold": {
        "threshold": Key(_one(_int_between(0, 100)), required=True),
        "direction": Key(_one(_choice(("up", "down"), "direction"))),
    },
    "form_submit": {"formId": Key(_many(_id_of("LeadForm")))},
    "campaign_joined": {"campaignId": Key(_many(_id_of("Campaign")))},
    "activity_logged": {"activityTypes": Key(_list_of(_choice(ACTIVITY_TYPES, "activity type")))},
    "page_visit": {"urlContains": Key(_one(_text(500)))},
    "inactivity": {"days": Key(_one(_int_between(1, MAX_DAYS)), required=True)},
    "manual": {},
}


def trigger_problems(trigger_type: str, conditions: Any) -> list[Problem]:
    """Everything wrong with `conditions` for a trigger of this type; fields are keys inside the conditions."""
    spec = SPECS.get(trigger_type)
    if spec is None:
        return [("", f"unknown trigger type {trigger_type!r}")]
    if not isinstance(conditions, Mapping):
        return [("", "must be a JSON object")]
    problems: list[Problem] = []
    for name in conditions:
        if name not in spec:
            allowed = ", ".join(spec) if spec else "none"
            problems.append((str(name), f"not a condition of {trigger_type} triggers (allowed: {allowed})"))
    for name, key in spec.items():
        if name in conditions:
            problems.extend(key.validate(conditions[name], name))
        elif key.required:
            problems.append((name, f"required for {trigger_type} triggers"))
    return problems


def _ids(value: Any, type_name: str) -> set[uuid.UUID]:
    return {u for item in _listed(value) if (u := as_uuid(item, type_name)) is not None}


def _in(conditions: Mapping[str, Any], name: str, type_name: str, actual: Any) -> bool:
    """The condition is absent, or the event's value is one of its IDs."""
    if name not in conditions:
        return True
    return as_uuid(actual, type_name) in _ids(conditions[name], type_name)


def _lowered(value: Any) -> set[str]:
    return {str(item).lower() for item in _listed(value)}


def _lead_created(c: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    status_ok = "status" not in c or str(p.get("status", "")).lower() in _lowered(c["status"])
    return (
        status_ok
        and _in(c, "sourceId", "LeadSource", p.get("sourceId"))
        and _in(c, "formId", "LeadForm", p.get("formId"))
    )


def _lead_updated(c: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    changed = {str(f) for f in p.get("changedFields") or []}
    if "fields" not in c:
        return bool(changed)
    return bool(changed & {LEAD_FIELDS[f] for f in c["fields"]})


def _stage_changed(c: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    return _in(c, "fromStageId", "LeadStage", p.get("fromStageId")) and _in(
        c, "toStageId", "LeadStage", p.get("toStageId")
    )


def _score_threshold(c: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    old, new, threshold = p.get("oldScore"), p.get("newScore"), int(c["threshold"])
    if not isinstance(old, int) or not isinstance(new, int):
        return False
    if str(c.get("direction", "up")).lower() == "down":
        return old >= threshold > new
    return old < threshold <= new


def _activity_logged(c: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    return "activityTypes" not in c or str(p.get("activityType", "")).lower() in _lowered(c["activityTypes"])


def _page_visit(c: Mapping[str, Any], p: Mapping[str, Any]) -> bool:
    return "urlContains" not in c or str(c["urlContains"]).strip().lower() in str(p.get("url", "")).lower()


MATCHERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], bool]] = {
    "lead_created": _lead_created,
    "lead_updated": _lead_updated,
    "stage_changed": _stage_changed,
    "score_threshold": _score_threshold,
    "form_submit": lambda c, p: _in(c, "formId", "LeadForm", p.get("formId")),
    "campaign_joined": lambda c, p: _in(c, "campaignId", "Campaign", p.get("campaignId")),
    "activity_logged": _activity_logged,
    "page_visit": _page_visit,
    "inactivity": lambda c, p: p.get("days") == c["days"],
}


def unusable_conditions(trigger_type: str, conditions: Any) -> list[Problem]:
    """Why stored conditions (e.g. written in Studio, past the API) can match no event: the problems of the keys
    the type knows ([] when they can be used; unknown keys are ignored by matching)."""
    if not isinstance(conditions, Mapping):
        return [("", "must be a JSON object")]
    spec = SPECS.get(trigger_type, {})
    return trigger_problems(trigger_type, {k: v for k, v in conditions.items() if k in spec})


def trigger_matches(trigger_type: str, conditions: Any, event_type: str, payload: Mapping[str, Any]) -> bool:
    """Does an event (its type and payload, as the database wrote them) start a trigger with these conditions?"""
    if trigger_type != event_type or trigger_type not in MATCHERS or not isinstance(conditions, Mapping):
        return False
    if unusable_conditions(trigger_type, conditions):
        return False
    spec = SPECS[trigger_type]
    return MATCHERS[trigger_type]({k: v for k, v in conditions.items() if k in spec}, payload)
