"""SQL of the worker's outside effects under idempotency keys (domain/workflows/effects.py; migration
20261206160000_outside_effects.sql), run by the worker's login role in transactions of their own."""

from __future__ import annotations

# $1 queue (workflow_jobs | integration_deliveries | invitation_emails), $2 its row, $3 worker, $4 attempt, $5 now,
# $6 key, $7 kind, $8 execution, $9 step -> jsonb {key, previous, attempts, ...}; LG409 when the lease is lost
BEGIN = (
    "select private.begin_outside_effect($1::text, $2::bigint, $3::text, $4::integer, $5::timestamptz, $6::text,"
    " $7::text, $8::uuid, $9::integer)"
)
# $1 key, $2 now, $3 sent | failed, $4 detail
SETTLE = "select private.settle_outside_effect($1::text, $2::timestamptz, $3::text, $4::jsonb)"
PURGE = "select private.purge_outside_effects($1::timestamptz)"
