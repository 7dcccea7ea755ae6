"""The write operations of the benchmark: timed, and compared only as "succeeded"."""

from __future__ import annotations

import random
from typing import Any

from bench import limit_sql
from bench.opkit import NotApplicable, Operation, Variables, Visible, gid, optional_raw_id, raw_id

CREATE_LEAD = """mutation CreateLead($input: CreateLeadInput!) {
  createLead(input: $input) { id }
}"""

PG_CREATE_LEAD = """mutation CreateLead($input: CreateLeadInput!) {
  createLead(input: $input) { lead { rowId } }
}"""

# createActivity may not exist in our schema yet; this is the shape it is expected to take
LOG_ACTIVITY = """mutation LogActivity($lead: ID!, $description: String) {
  createActivity(input: {lead: $lead, activityType: NOTE, description: $description}) { id }
}"""

PG_LOG_ACTIVITY = """mutation LogActivity($input: CreateLeadActivityInput!) {
  createLeadActivity(input: $input) { leadActivity { rowId } }
}"""


def a_new_lead(rng: random.Random, visible: Visible) -> Variables:
    """A lead in one of the spaces the user may write to, or a personal one when there is none."""
    serial = f"{rng.getrandbits(40):010x}"
    lead: Variables = {
        "firstName": f"Bench{serial[:4]}",
        "lastName": f"Load{serial[4:]}",
        "email": f"bench.{serial}@example.com",
        "score": rng.randint(0, 100),
    }
    if visible.writable_space_ids:
        lead["space"] = gid("Space", rng.choice(visible.writable_space_ids))
    return {"input": lead}


def new_lead_args(variables: Variables) -> tuple[Any, ...]:
    lead = variables["input"]
    return (optional_raw_id(lead.get("space")), lead["firstName"], lead["lastName"], lead["email"], lead["score"])


def new_lead_pg(variables: Variables) -> Variables:
    lead = variables["input"]
    row: Variables = {name: lead[name] for name in ("firstName", "lastName", "email", "score")}
    if lead.get("space") is not None:
        row["spaceId"] = raw_id(lead["space"])
    return {"input": {"lead": row}}


def a_note(rng: random.Random, visible: Visible) -> Variables:
    if not visible.writable_lead_ids:
        raise NotApplicable("the user may write to no lead")
    lead = rng.choice(visible.writable_lead_ids)
    return {"lead": gid("Lead", lead), "description": f"Bench note {rng.getrandbits(32):08x}"}


def note_args(variables: Variables) -> tuple[Any, ...]:
    return raw_id(variables["lead"]), variables["description"]


def note_pg(variables: Variables) -> Variables:
    activity = {"leadId": raw_id(variables["lead"]), "activityType": "note", "description": variables["description"]}
    return {"input": {"leadActivity": activity}}


WRITES = (
    Operation(
        name="create_lead",
        operation_name="CreateLead",
        query=CREATE_LEAD,
        make_variables=a_new_lead,
        limit_sql=limit_sql.CREATE_LEAD,
        limit_args=new_lead_args,
        postgraphile_query=PG_CREATE_LEAD,
        postgraphile_variables=new_lead_pg,
        write=True,
    ),
    Operation(
        name="log_activity",
        operation_name="LogActivity",
        query=LOG_ACTIVITY,
        make_variables=a_note,
        limit_sql=limit_sql.LOG_ACTIVITY,
        limit_args=note_args,
        postgraphile_query=PG_LOG_ACTIVITY,
        postgraphile_variables=note_pg,
        write=True,
        note="our createActivity mutation may not exist yet: the operation fails on ours until it does",
    ),
)
