"""Secrets of workflow steps: a WEBHOOK step's signing `secret` and its `headers` (e.g. `Authorization: Bearer ...`).

They are given inside `actionConfig`, but never stored there: the API takes them out and stores each one
encrypted (AES-256-GCM with the credentials key, domain/credentials.py) in `lead_workflow_actions.secrets`, a
column no API role may select, insert or update (supabase/migrations/20261206130300_workflow_step_secrets.sql);
only `secrets_hint` shows: `{"secret": "••••abcd", "headers": {"Authorization": "••••wxyz"}}`. A secret written
into `action_config` past the API (Studio, REST, rows from before) is moved into the same column by a trigger as
`{"plain": value}`, never readable by API roles either, and the worker seals it (`unsealed`, then `seal`) when it
starts and at each of its periodic scans. Each entry is bound to its action, its workflow and its key, so an
envelope copied elsewhere does not decrypt. Only the worker reads them (private.workflow_action_secrets, as the
workflow's owner), to sign and send.

What a write keeps of the stored secrets (`kept_after`, the same rules as the trigger's): a key given replaces the
stored one (`"headers": {}` or null removes them); naming an `integration` drops a stored `secret` (it signs
instead); changing where the step posts (its `url`, or without one its `integration`, whose URL it then uses)
drops the stored `headers`, so a token never follows a URL someone else chose; a step that is no WEBHOOK keeps
none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from domain.credentials import CredentialsError, Keyring, masked

SECRET_KEYS = ("secret", "headers")  # the keys of actionConfig that are secrets
SECRET_ACTION_TYPES = frozenset({"webhook"})  # the action types that have any
LABEL = "lead_workflow_actions.secrets"
STAND_IN = "•" * 16  # what validation sees instead of a stored secret (it was checked when it was written)


def split(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the config without its secrets, the secrets it gives)."""
    public = {k: v for k, v in config.items() if k not in SECRET_KEYS}
    return public, {k: config[k] for k in SECRET_KEYS if k in config}


def kept_after(
    action_type: str, stored: Iterable[str], old: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> set[str]:
    """The stored secret keys a write keeps: `old` and `new` are the configs before and after (`old` None for a new
    step); keys `new` gives are replaced, not kept."""
    if action_type not in SECRET_ACTION_TYPES:
        return set()
    kept = {key for key in stored if key in SECRET_KEYS and key not in new}
    if "integration" in new:
        kept.discard("secret")
    if old is not None and target(old) != target(new):
        kept.discard("headers")
    return kept


def target(config: Mapping[str, Any]) -> tuple[str, Any]:
    """Where a webhook step posts: its url, else the url of its integration."""
    return ("url", config["url"]) if "url" in config else ("integration", config.get("integration"))


def stand_ins(hint: Any, keys: Iterable[str]) -> dict[str, Any]:
    """Values of the right shape for stored secrets (from their hint), for validating the rest of a config."""
    hints = hint if isinstance(hint, Mapping) else {}
    values: dict[str, Any] = {}
    for key in keys:
        if key == "headers":
            names = hints.get("headers")
            values["headers"] = {str(name): "•" for name in names} if isinstance(names, Mapping) else {}
        elif key == "secret":
            values["secret"] = STAND_IN
    return values


def stored_config(action_type: str, config: Any, hint: Any) -> Any:
    """A stored config as validation should see it: with stand-ins for the secrets its hint says are stored."""
    if not isinstance(config, Mapping) or action_type not in SECRET_ACTION_TYPES or not isinstance(hint, Mapping):
        return config
    return {**config, **stand_ins(hint, [k for k in SECRET_KEYS if k in hint])}


def hint_of(key: str, value: Any) -> Any:
    """What a secret shows: "••••" and its last 4 characters (12+ long); for headers, that of each value by name."""
    if key == "headers" and isinstance(value, Mapping):
        return {str(name): masked(str(item)) for name, item in value.items()}
    return masked(str(value))


def _subject(action_id: uuid.UUID | str, workflow_id: uuid.UUID | str, key: str) -> str:
    return f"{action_id}/workflow:{workflow_id}/{key}"


def removes(key: str, value: Any) -> bool:
    """Whether giving `value` for `key` removes the stored secret (null, or no headers)."""
    return value is None or (key == "headers" and isinstance(value, Mapping) and not value)


def seal(
    keyring: Keyring, action_id: uuid.UUID | str, workflow_id: uuid.UUID | str, given: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(entries, hints) to store for the secrets given: an envelope each (null: remove the stored one)."""
    entries: dict[str, Any] = {}
    hints: dict[str, Any] = {}
    for key, value in given.items():
        if removes(key, value):
            entries[key] = hints[key] = None
        else:
            entries[key] = keyring.seal({"value": value}, LABEL, _subject(action_id, workflow_id, key))
            hints[key] = hint_of(key, value)
    return entries, hints


def open_all(
    keyring: Keyring | None, action_id: uuid.UUID | str, workflow_id: uuid.UUID | str, stored: Any
) -> dict[str, Any]:
    """The stored secrets in clear, by key (plain entries as they are); CredentialsError when one cannot be opened."""
    secrets: dict[str, Any] = {}
    for key, entry in (stored if isinstance(stored, Mapping) else {}).items():
        if not isinstance(entry, Mapping):
            raise CredentialsError(f"the stored {key} is not an envelope")
        if "plain" in entry:
            secrets[key] = entry["plain"]
            continue
        if keyring is None:
            raise CredentialsError("this worker has no LEADGEN_SECRET_KEY to decrypt it")
        secrets[key] = keyring.open(entry, LABEL, _subject(action_id, workflow_id, key)).get("value")
    return secrets


def sealed_plain(
    keyring: Keyring, action_id: uuid.UUID | str, workflow_id: uuid.UUID | str, stored: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plain values, their envelopes) of the entries still stored in clear."""
    plain = {
        key: entry["plain"]
        for key, entry in (stored if isinstance(stored, Mapping) else {}).items()
        if isinstance(entry, Mapping) and "plain" in entry
    }
    return plain, {k: keyring.seal({"value": v}, LABEL, _subject(action_id, workflow_id, k)) for k, v in plain.items()}
