"""SQL of the integration push (domain/workflows/integration_push.py; see migration
20261125190000_workflow_actions.sql): the worker's login role claims and settles deliveries, and the pushes
themselves run as the integration's owner under RLS. Times are the worker's clock, passed as parameters."""

from __future__ import annotations

from db.catalog import table
from db.leased_queue import claim_sql, renew_sql
from db.sql_builder import columns_sql

# ---- the worker's login role --------------------------------------------------------------------------------

# $1 worker, $2 now, $3 lease seconds, $4 how many
CLAIM = claim_sql(
    "integration_deliveries",
    "q.id, q.integration_id, q.lead_id, q.event_type, q.attempts, q.last_error",
)
# $1 delivery, $2 worker, $3 attempt, $4 now, $5 lease seconds -> the lease's new end, or no row when it is lost
RENEW = renew_sql("integration_deliveries")
# $1 delivery, $2 worker, $3 attempt, $4 now -> jsonb {state: run | lost | stopped, integrationId, leadId, claims}
BEGIN = "select private.begin_integration_delivery($1::bigint, $2::text, $3::integer, $4::timestamptz)"
# $1 delivery, $2 worker, $3 attempt, $4 now, $5 outcome (done | retry | failed), $6 error, $7 status, $8 retry at
END = (
    "select private.end_integration_delivery($1::bigint, $2::text, $3::integer, $4::timestamptz, $5::text,"
    " $6::text, $7::integer, $8::timestamptz)"
)
PURGE = "select private.purge_integration_deliveries($1::timestamptz)"
AS_LOGIN_ROLE = "select set_config('role', session_user, true)"

# ---- as the integration's owner -----------------------------------------------------------------------------

INTEGRATION = (
    f"select {columns_sql(table('lead_integrations'), 't')} from public.lead_integrations t where t.id = $1::uuid"
)
LEAD = f"select {columns_sql(table('leads'), 't')} from public.leads t where t.id = $1::uuid"
# $1 integration: the push is under way (no row when the owner may not manage it any more)
MARK_SYNCING = (
    "update public.lead_integrations set sync_status = 'syncing', sync_error = null where id = $1::uuid returning id"
)
# $1 integration, $2 success | error, $3 error (null on success), $4 when
RECORD_SYNC = """
update public.lead_integrations
   set sync_status = $2::text, sync_error = left($3::text, 2000), last_sync_at = $4::timestamptz
 where id = $1::uuid
returning id
"""
