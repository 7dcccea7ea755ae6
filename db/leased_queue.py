"""The claim statement shared by the worker's queues (events, jobs, integration deliveries): rows under leases."""

from __future__ import annotations

from db.sql import ident


def claim_sql(queue: str, returning: str) -> str:
    """Claim up to $4 due rows of `private.<queue>` for worker $1 at time $2 under a lease of $3 seconds.

    A row is due when pending, its run_at has come and no live lease holds it; SKIP LOCKED lets several
    workers claim at once without waiting for each other. Each claim counts as an attempt, so that a worker
    whose lease expired can no longer settle the row (the settling statements match on the attempt)."""
    queue = ident(queue)
    return f"""
with due as (
  select q.id from private.{queue} q
  where q.state = 'pending' and q.run_at <= $2::timestamptz
    and (q.locked_until is null or q.locked_until <= $2::timestamptz)
  order by q.run_at, q.id
  limit $4::integer
  for update skip locked
)
update private.{queue} q
   set locked_by = $1::text, locked_until = $2::timestamptz + make_interval(secs => $3::double precision),
       attempts = q.attempts + 1
  from due where q.id = due.id
returning {returning}
"""


def renew_sql(queue: str) -> str:
    """Renew the lease on row $1 of `private.<queue>` for worker $2's attempt $3: until $4 + $5 seconds; the new end
    of the lease, or no row when it is no longer the worker's (re-claimed after it ran out, settled, cancelled)."""
    return f"""
update private.{queue} q
   set locked_until = $4::timestamptz + make_interval(secs => $5::double precision)
 where q.id = $1::bigint and q.locked_by = $2::text and q.attempts = $3::integer and q.state = 'pending'
returning q.locked_until
"""
