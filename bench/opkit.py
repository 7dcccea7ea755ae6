"""What a benchmark operation is, and how each server's response becomes one canonical Python structure.

Three servers answer every operation: ours (GraphQL), the "limit" (one hand-written SQL statement whose JSON
is our response, byte for byte in shape) and PostGraphile v5 (its own naming). Their responses differ in
global IDs (ours: base64 of "Type:uuid"; PostGraphile: we read its `rowId` column field), enum spelling
(ours: UPPER_SNAKE; PostGraphile: the stored lower_snake text), timestamp formatting and field names.
`canonical` maps ours (and the limit's) to plain values; `canonical_postgraphile` renames PostGraphile's
fields to ours first. Campaigns are compared as a set (sorted by id): PostGraphile reaches them through the
association table, in that table's order.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gql.ids import global_id, parse_global_id

Variables = dict[str, Any]

DATETIME_FIELDS = frozenset({"createdAt", "updatedAt", "lastActivityAt"})
ENUM_FIELDS = frozenset({"status", "activityType"})
DECIMAL_FIELDS = frozenset({"budget"})
JSON_FIELDS = frozenset({"customFields", "enrichedData", "formSubmissionData"})
SET_CONNECTIONS = frozenset({"campaigns"})  # compared as sets of nodes, sorted by id

# PostGraphile v5 (Amber preset, as configured in bench/postgraphile/graphile.config.mjs) -> our field names
POSTGRAPHILE_FIELDS = {
    "rowId": "id",
    "allLeads": "leads",
    "allLeadStages": "leadStages",
    "leadByRowId": "lead",
    "companyByCompanyId": "company",
    "leadStageByStageId": "stage",
    "leadSourceBySourceId": "source",
    "assignedToProfile": "assignedTo",
    "leadActivitiesByLeadId": "activities",
    "leadsByStageId": "leads",
}
POSTGRAPHILE_ASSOCIATIONS = "leadCampaignAssociationsByLeadId"  # nodes { leadCampaignByCampaignId { ... } }
POSTGRAPHILE_ASSOCIATED = "leadCampaignByCampaignId"


class NotApplicable(LookupError):
    """The user has nothing this operation needs (e.g. no lead they may write): skip them for it."""


class ResponseError(AssertionError):
    """A server answered with errors (or without data) where data was expected."""


@dataclass(frozen=True)
class Visible:
    """What a user can see, fetched once at set-up as that user; operations draw their variables from it."""

    user_id: str
    lead_ids: tuple[str, ...]
    writable_lead_ids: tuple[str, ...]
    space_ids: tuple[str, ...]
    writable_space_ids: tuple[str, ...]
    words: tuple[str, ...]  # search terms that occur in visible leads


@dataclass(frozen=True)
class Operation:
    """One benchmark operation, as asked of ours, of the limit and (when comparable) of PostGraphile."""

    name: str  # bench name, e.g. "dashboard"
    operation_name: str  # the GraphQL operationName; the limit server picks its SQL by it
    query: str  # ours
    make_variables: Callable[[random.Random, Visible], Variables]  # ours; may raise NotApplicable
    limit_sql: str  # one statement returning our response as JSON text, run as the caller
    limit_args: Callable[[Variables], tuple[Any, ...]]  # its $n values, from our variables
    postgraphile_query: str | None = None  # None: not comparable with PostGraphile (see `note`)
    postgraphile_variables: Callable[[Variables], Variables] | None = None
    write: bool = False  # writes are timed, and compared only as "succeeded"
    note: str = ""

    @property
    def comparable_with_postgraphile(self) -> bool:
        return self.postgraphile_query is not None

    def body(self, variables: Variables) -> dict[str, Any]:
        """The JSON body for ours and for the limit server."""
        return {"query": self.query, "variables": variables, "operationName": self.operation_name}

    def postgraphile_body(self, variables: Variables) -> dict[str, Any]:
        if self.postgraphile_query is None or self.postgraphile_variables is None:
            raise ValueError(f"{self.name} is not comparable with PostGraphile: {self.note}")
        return {
            "query": self.postgraphile_query,
            "variables": self.postgraphile_variables(variables),
            "operationName": self.operation_name,
        }

    def normalise(self, body: Mapping[str, Any]) -> Any:
        """Canonical form of our (or the limit's) response body."""
        data = data_of(body)
        return _succeeded(data) if self.write else canonical(data)

    def normalise_postgraphile(self, body: Mapping[str, Any]) -> Any:
        data = data_of(body)
        return _succeeded(data) if self.write else canonical_postgraphile(data)


def data_of(body: Mapping[str, Any]) -> Any:
    errors = body.get("errors")
    if errors or body.get("data") is None:
        raise ResponseError(f"the server answered with errors: {json.dumps(errors)[:2000]}")
    return body["data"]


def _succeeded(data: Any) -> dict[str, bool]:
    """A write's canonical form: every root field returned an object."""
    if not isinstance(data, dict) or not data or any(value is None for value in data.values()):
        raise ResponseError(f"the write returned no object: {data!r}")
    return {"succeeded": True}


# --- IDs -------------------------------------------------------------------------------------------------


def gid(type_name: str, row_id: str) -> str:
    """Our global ID of a row."""
    return global_id(type_name, row_id)


def raw_id(value: str) -> str:
    """The UUID inside one of our global IDs."""
    parsed = parse_global_id(value)
    if parsed is None:
        raise ValueError(f"not a global ID: {value!r}")
    return str(parsed[1])


def optional_raw_id(value: str | None) -> str | None:
    return None if value is None else raw_id(value)


def _uuid_text(value: str) -> str:
    return str(uuid.UUID(value))


# --- canonical forms -------------------------------------------------------------------------------------


def _leaf(key: str | None, value: Any, decode_id: Callable[[str], str]) -> Any:
    if value is None or key is None:
        return value
    if key == "id":
        return decode_id(value)
    if key in DATETIME_FIELDS:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)
    if key in ENUM_FIELDS:
        return str(value).lower()
    if key in DECIMAL_FIELDS:
        return Decimal(str(value))
    if key in JSON_FIELDS and isinstance(value, str):
        return json.loads(value)
    return value


def _walk(value: Any, key: str | None, decode_id: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        if key in JSON_FIELDS:
            return value
        out = {name: _walk(item, name, decode_id) for name, item in value.items()}
        if key in SET_CONNECTIONS and isinstance(out.get("nodes"), list):
            out["nodes"] = sorted(out["nodes"], key=lambda node: str(node.get("id")))
        return out
    if isinstance(value, list):
        if key in JSON_FIELDS:
            return value
        return [_walk(item, key, decode_id) for item in value]
    return _leaf(key, value, decode_id)


def canonical(data: Any) -> Any:
    """Our response data (or the limit's) with raw UUIDs, UTC datetimes, lower-case enums, Decimals."""
    return _walk(data, None, raw_id)


def _rename_postgraphile(value: Any, key: str | None = None) -> Any:
    if isinstance(value, list):
        return [_rename_postgraphile(item) for item in value]
    if not isinstance(value, dict) or key in JSON_FIELDS:
        return value
    out: dict[str, Any] = {}
    for name, item in value.items():
        if name == POSTGRAPHILE_ASSOCIATIONS:
            # through the association table: keep the campaigns the caller can see
            nodes = [n[POSTGRAPHILE_ASSOCIATED] for n in item["nodes"] if n.get(POSTGRAPHILE_ASSOCIATED) is not None]
            rest = {k: v for k, v in item.items() if k != "nodes"}
            out["campaigns"] = _rename_postgraphile({**rest, "nodes": nodes})
        else:
            renamed = POSTGRAPHILE_FIELDS.get(str(name), str(name))
            out[renamed] = _rename_postgraphile(item, renamed)
    return out


def canonical_postgraphile(data: Any) -> Any:
    """PostGraphile's response data in the canonical form of ours."""
    return _walk(_rename_postgraphile(data), None, _uuid_text)
