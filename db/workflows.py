"""SQL of the workflow engine ($n parameters; see supabase/migrations/20261125180000_workflow_engine.sql).

Three kinds of statements:
* the worker's queue work, run by its login role (leadgen_worker): claiming events and jobs with
  FOR UPDATE SKIP LOCKED under a lease, settling them, and the bookkeeping functions of schema private;
* what runs as a workflow's owner (role `authenticated`, the owner's claims) under RLS: the lead and workflow an
  action sees, and the actions' own writes;
* what API callers run: leadgen.run_workflow / cancel / retry and leadgen.track_page_visit.
Every time is the worker's clock, passed as a parameter: due-ness never depends on the database's now().
"""

from __future__ import annotations

import uuid
from typing import Any

from db.catalog import table
from db.integrations import as_login_role
from db.leased_queue import claim_sql, renew_sql
from db.session import RequestSession
from db.sql_builder import columns_sql

CHANNEL = "leadgen_workflows"  # NOTIFY payloads: 'event' | 'job' (wake-ups only)

# ---- the worker's login role --------------------------------------------------------------------------------

CHECK_WORKER_ROLE = """
select r.rolname, r.rolsuper, r.rolbypassrls, r.rolinherit,
       pg_has_role(r.oid, 'authenticated', 'MEMBER') as can_act_as_users,
       has_schema_privilege('private', 'USAGE') and coalesce((
         select has_function_privilege(p.oid, 'EXECUTE') from pg_proc p
         where p.pronamespace = 'private'::regnamespace and p.proname = 'begin_workflow_step'), false) as can_keep_books
from pg_roles r where r.rolname = current_user
"""

# $1 worker, $2 now, $3 lease seconds, $4 how many
CLAIM_EVENTS = claim_sql(
    "workflow_events",
    "q.id, q.event_type, q.lead_id, q.lead_owner_id, q.space_id, q.payload, q.origin_workflow_id, q.chain_depth,"
    " q.attempts, q.last_error",
)
# $1 event, $2 worker, $3 attempt, $4 now, $5 lease seconds -> the lease's new end, or no row when it is lost
RENEW_EVENT = renew_sql("workflow_events")
# $1 event, $2 worker, $3 attempt (the claim's), $4 now, $5 note (why it started nothing, or null)
FINISH_EVENT = """
update private.workflow_events
   set state = 'done', processed_at = $4::timestamptz, locked_by = null, locked_until = null, last_error = $5::text
 where id = $1::bigint and locked_by = $2::text and attempts = $3::integer and state = 'pending'
"""
# $1 event, $2 worker, $3 attempt, $4 retry at, $5 error
RETRY_EVENT = """
update private.workflow_events
   set run_at = $4::timestamptz, locked_by = null, locked_until = null, last_error = $5::text
 where id = $1::bigint and locked_by = $2::text and attempts = $3::integer and state = 'pending'
"""
# $1 event, $2 worker, $3 attempt, $4 now, $5 error
FAIL_EVENT = """
update private.workflow_events
   set state = 'failed', processed_at = $4::timestamptz, locked_by = null, locked_until = null, last_error = $5::text
 where id = $1::bigint and locked_by = $2::text and attempts = $3::integer and state = 'pending'
"""
EVENT_CANDIDATES = (
    "select workflow_id, trigger_id, trigger_conditions from private.workflow_event_candidates($1::bigint)"
)
# $1 event, $2 workflows whose conditions matched, $3 now
START_EXECUTIONS = "select private.start_workflow_executions($1::bigint, $2::uuid[], $3::timestamptz)"
# $1 event, $2 workflows whose trigger conditions cannot be used, $3 why (one per workflow), $4 now
REFUSE_EXECUTIONS = "select private.refuse_workflow_executions($1::bigint, $2::uuid[], $3::text[], $4::timestamptz)"

# $1 worker, $2 now, $3 lease seconds, $4 how many
CLAIM_JOBS = claim_sql(
    "workflow_jobs",
    "q.id, q.execution_id, q.step_index, q.attempts, q.last_error",
)
# $1 job, $2 worker, $3 attempt, $4 now, $5 lease seconds -> the lease's new end, or no row when it is lost
RENEW_JOB = renew_sql("workflow_jobs")
# $1 job, $2 worker, $3 attempt, $4 now -> jsonb {state: run | lost | stopped, ...}
BEGIN_STEP = "select private.begin_workflow_step($1::bigint, $2::text, $3::integer, $4::timestamptz)"
# $1 job, $2 worker, $3 attempt, $4 now, $5 outcome (completed | skipped | retry | failed), $6 output, $7 error,
# $8 retry at -> the execution's status; raises LG409 when the lease is lost
END_STEP = (
    "select private.end_workflow_step($1::bigint, $2::text, $3::integer, $4::timestamptz, $5::text, $6::jsonb,"
    " $7::text, $8::timestamptz)"
)
# $1 now: when the worker should look again (after the clock's time), if ever: the earliest future run_at of a
# pending row of any queue, or the end of a lease on one (a worker that died leaves its rows then)
LEASED_QUEUES = ("workflow_jobs", "workflow_events", "integration_deliveries", "invitation_emails")
_NEXT = "(select min(q.{c}) from private.{q} q where q.state = 'pending' and q.{c} > $1::timestamptz)"
NEXT_DUE = "select least({})".format(
    ", ".join(_NEXT.format(q=queue, c=column) for queue in LEASED_QUEUES for column in ("run_at", "locked_until"))
)
SCAN_INACTIVITY = "select private.scan_workflow_inactivity($1::timestamptz)"
# $1 how many: steps whose secrets are still stored in clear (written past the API) -> action_id, workflow_id, secrets
UNSEALED_SECRETS = "select action_id, workflow_id, secrets from private.unsealed_workflow_action_secrets($1::integer)"
# $1 action, $2 the plain values sealed (by key), $3 their envelopes (by key) -> whether something was sealed
SEAL_SECRETS = "select private.seal_workflow_action_secrets($1::uuid, $2::jsonb, $3::jsonb)"
PURGE = "select private.purge_workflow_queue($1::timestamptz)"

# ---- inside the owner's transaction -------------------------------------------------------------------------

# $1 {"executionId", "workflowId", "depth"}: events this transaction causes remember the workflow and the depth
SET_WORKFLOW_CONTEXT = "select set_config('leadgen.workflow_context', $1::text, true)"
AS_LOGIN_ROLE = "select set_config('role', session_user, true)"
LEAD_AS_OWNER = f"select {columns_sql(table('leads'), 't')} from public.leads t where t.id = $1::uuid"
WORKFLOW_AS_OWNER = (
    f"select {columns_sql(table('lead_workflows'), 't')} from public.lead_workflows t where t.id = $1::uuid"
)
# $1 action: its stored secrets (envelopes or plain entries), for the workflow's owner only (the login role runs it)
STEP_SECRETS = "select private.workflow_action_secrets($1::uuid)"


async def read_step_secrets(session: RequestSession, action_id: uuid.UUID) -> Any:
    """A step's stored secrets (None without any), read as the workflow's owner; 42501 for anyone else."""
    return await as_login_role(session, STEP_SECRETS, action_id)


# add_note: $1 lead, $2 description, $3 activity_data
INSERT_NOTE = """
insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
values ($1::uuid, auth.uid(), 'note', $2::text, $3::jsonb)
returning id
"""

# ---- API callers (run as the caller; the functions check the caller's rights) --------------------------------

RUN_WORKFLOW = "select leadgen.run_workflow($1::uuid, $2::uuid)"
CANCEL_EXECUTION = "select leadgen.cancel_workflow_execution($1::uuid)"
RETRY_EXECUTION = "select leadgen.retry_workflow_execution($1::uuid)"
# $1 submission (from a verified visitor token), $2 url, $3 referrer, $4 client hash
TRACK_PAGE_VISIT = "select leadgen.track_page_visit($1::uuid, $2::text, $3::text, $4::text)"
# $1 action, $2 envelopes by key (null: remove), $3 their hints by key; 42501 unless the caller manages the workflow
SET_STEP_SECRETS = "select leadgen.set_workflow_action_secrets($1::uuid, $2::jsonb, $3::jsonb)"
# the definition a workflow is activated with: its triggers and steps as the caller sees them
WORKFLOW_TRIGGERS = (
    "select id, trigger_type, trigger_conditions from public.lead_workflow_triggers"
    " where workflow_id = $1::uuid order by created_at, id"
)
WORKFLOW_ACTIONS = (
    "select id, action_type, action_config, action_order, secrets_hint from public.lead_workflow_actions"
    " where workflow_id = $1::uuid order by action_order, id"
)
