"""The benchmark operations, each answered by ours, by the limit SQL and (where comparable) by PostGraphile.

An `Operation` (bench/opkit.py) carries our GraphQL query and a function drawing its variables for a user
(from a seeded `random.Random` and the ids that user can see, fetched once with `fetch_visible`), the limit
SQL with its arguments, PostGraphile v5's equivalent query and variables, and normalisers that map each
server's response to one canonical structure so that equality can be asserted:

    op = OPERATIONS["dashboard"]
    variables = op.make_variables(rng, visible)
    ours = op.normalise(our_response_body)
    assert ours == op.normalise(json.loads(await run_limit(conn, op, caller, variables)))
    assert ours == op.normalise_postgraphile(postgraphile_response_body)   # when op.comparable_with_postgraphile

Reads: dashboard, nested50, lead_detail, pipeline_board, search, funnel, tiny. Writes: create_lead,
log_activity (compared only as "succeeded").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.opkit import (
    NotApplicable,
    Operation,
    ResponseError,
    Variables,
    Visible,
    canonical,
    canonical_postgraphile,
)
from bench.ops_reads import READS
from bench.ops_writes import WRITES
from db.session import Caller, begin_statement

if TYPE_CHECKING:
    import asyncpg

    from db.session import PoolConnection

__all__ = [
    "OPERATIONS",
    "OPERATIONS_BY_OPERATION_NAME",
    "READ_OPERATIONS",
    "WRITE_OPERATIONS",
    "NotApplicable",
    "Operation",
    "ResponseError",
    "Variables",
    "Visible",
    "canonical",
    "canonical_postgraphile",
    "fetch_visible",
    "run_limit",
]

READ_OPERATIONS: tuple[Operation, ...] = READS
WRITE_OPERATIONS: tuple[Operation, ...] = WRITES
OPERATIONS: dict[str, Operation] = {op.name: op for op in (*READS, *WRITES)}
OPERATIONS_BY_OPERATION_NAME: dict[str, Operation] = {op.operation_name: op for op in OPERATIONS.values()}

SAMPLE_LEADS = 2000

VISIBLE_LEADS = "select l.id::text from public.leads l order by l.id limit $1"
MEMBERSHIPS = "select m.space_id::text, m.role from public.space_members m where m.user_id = $1::uuid order by 1"
WRITABLE_LEADS = """
select l.id::text from public.leads l
where (l.space_id is null and l.user_id = $1::uuid) or l.space_id = any($2::uuid[])
order by l.id limit $3
"""
SEARCH_WORDS = """
select distinct lower(w.word) from public.leads l, unnest(array[l.first_name, l.last_name]) as w(word)
where l.id = any($1::uuid[]) and w.word ~ '^[A-Za-z]{3,}$'
order by 1 limit 200
"""
WRITER_ROLES = frozenset({"owner", "admin", "member"})


async def fetch_visible(conn: asyncpg.Connection, caller: Caller, *, sample: int = SAMPLE_LEADS) -> Visible:
    """What `caller` can see, read as that caller (RLS applies) on a connection of the API login role."""
    user_id = caller.user_id
    if user_id is None:
        raise ValueError("fetch_visible needs an authenticated caller")
    await conn.execute(begin_statement(caller, readonly=True))
    try:
        leads = [r[0] for r in await conn.fetch(VISIBLE_LEADS, sample)]
        memberships = await conn.fetch(MEMBERSHIPS, user_id)
        writable_spaces = [r[0] for r in memberships if r[1] in WRITER_ROLES]
        writable = [r[0] for r in await conn.fetch(WRITABLE_LEADS, user_id, writable_spaces, sample)]
        words = [r[0] for r in await conn.fetch(SEARCH_WORDS, leads)]
    finally:
        await conn.execute("ROLLBACK")
    return Visible(
        user_id=user_id,
        lead_ids=tuple(leads),
        writable_lead_ids=tuple(writable),
        space_ids=tuple(r[0] for r in memberships),
        writable_space_ids=tuple(writable_spaces),
        words=tuple(words),
    )


async def run_limit(
    conn: asyncpg.Connection | PoolConnection,
    op: Operation,
    caller: Caller,
    variables: Variables,
    *,
    commit: bool = True,
) -> str:
    """The limit baseline of one request: the operation's SQL in one transaction as the caller; its JSON text.

    `conn` is an asyncpg connection (or pool proxy) of the API login role, without a JSON codec for `json`."""
    await conn.execute(begin_statement(caller, readonly=not op.write))
    try:
        text = await conn.fetchval(op.limit_sql, *op.limit_args(variables))
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT" if commit else "ROLLBACK")
    if not isinstance(text, str):
        raise ResponseError(f"the limit SQL of {op.name} returned no JSON")
    return text
