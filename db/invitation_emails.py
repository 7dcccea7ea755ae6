"""SQL of the invitation emails `leadgen worker` sends (domain/invitation_emails.py; migration
20261206120100_space_invitations.sql), all run by the worker's login role. Times are the worker's clock."""

from __future__ import annotations

from db.leased_queue import claim_sql, renew_sql

# $1 worker, $2 now, $3 lease seconds, $4 how many
CLAIM = claim_sql("invitation_emails", "q.id, q.invitation_id, q.attempts, q.last_error")
# $1 email, $2 worker, $3 attempt, $4 now, $5 lease seconds -> the lease's new end, or no row when it is lost
RENEW = renew_sql("invitation_emails")
# $1 email, $2 worker, $3 attempt, $4 now, $5 the token's SHA-256 -> jsonb {state: run | lost | stopped, email, ...}
BEGIN = "select private.begin_invitation_email($1::bigint, $2::text, $3::integer, $4::timestamptz, $5::bytea)"
# $1 email, $2 worker, $3 attempt, $4 now, $5 outcome (done | retry | failed), $6 error, $7 retry at
END = (
    "select private.end_invitation_email($1::bigint, $2::text, $3::integer, $4::timestamptz, $5::text, $6::text,"
    " $7::timestamptz)"
)
PURGE = "select private.purge_invitation_emails($1::timestamptz)"
