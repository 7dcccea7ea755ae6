"""What the load driver sends, fixed before any timing: bench users, their signed tokens, every request body.

`prepare_workload` picks bench users who can see leads (as superuser), mints each a real ES256 token with the
bench's DevSigningKey, reads what each can see as that user (`bench.operations.fetch_visible`, RLS applies) and
draws every operation's variables per user from a seeded `random.Random`. `Workload.requests(op, dialect)`
then gives the pre-serialised (Authorization, body) pairs of one operation, users interleaved; `mix_requests`
gives all reads interleaved with ~10% writes, the same sequence for every server.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import asyncpg

from bench.load import BenchError
from bench.loadgen import LoadRequest
from bench.operations import (
    OPERATIONS,
    READ_OPERATIONS,
    WRITE_OPERATIONS,
    NotApplicable,
    Operation,
    Variables,
    fetch_visible,
)
from bench.scale import BENCH_ID_END, BENCH_ID_FIRST
from db.pool import SERVER_SETTINGS
from db.session import Caller
from server.auth import AuthSettings, TokenVerifier
from server.dev_keys import DEV_ISSUER, DevSigningKey

Dialect = Literal["ours", "postgraphile"]
MIX = "mix"
MIX_WRITE_SHARE = 0.10
MIX_LENGTH = 4000

LOADED_UNITS = "select count(*) from bench.loaded_units"
# Bench users who see leads: their personal ones, or those of a space they belong to (spread over the list).
USERS_WITH_LEADS = """
select u.id::text, coalesce(u.email, '') from auth.users u
where u.id >= $1 and u.id < $2
  and (exists (select 1 from public.leads l where l.user_id = u.id and l.space_id is null)
       or exists (select 1 from public.space_members m where m.user_id = u.id
                  and exists (select 1 from public.leads l where l.space_id = m.space_id)))
order by u.id
"""


@dataclass(frozen=True)
class BenchUser:
    user_id: str
    email: str
    token: str
    caller: Caller = field(repr=False)

    @property
    def authorization(self) -> str:
        return f"Bearer {self.token}"


@dataclass(frozen=True)
class Draw:
    """One prepared request of one operation: who asks, with which variables."""

    user: BenchUser
    variables: Variables

    def body(self, op: Operation, dialect: Dialect) -> str:
        payload = op.postgraphile_body(self.variables) if dialect == "postgraphile" else op.body(self.variables)
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

    def request(self, op: Operation, dialect: Dialect) -> LoadRequest:
        return LoadRequest(self.user.authorization, self.body(op, dialect))


@dataclass
class Workload:
    users: list[BenchUser]
    draws: dict[str, list[Draw]]  # operation name -> draws, users interleaved
    seed: int
    mix: list[tuple[str, int]] = field(default_factory=list)  # (operation name, index into its draws)

    def requests(self, op_name: str, dialect: Dialect) -> list[LoadRequest]:
        if op_name == MIX:
            return self.mix_requests(dialect)
        op = OPERATIONS[op_name]
        return [draw.request(op, dialect) for draw in self.draws[op_name]]

    def mix_requests(self, dialect: Dialect) -> list[LoadRequest]:
        return [self.draws[name][index].request(OPERATIONS[name], dialect) for name, index in self.mix]

    def sample(self, op_name: str, users: int, per_user: int = 1) -> list[Draw]:
        """The first `per_user` draws of up to `users` users, spread over the user list (for correctness checks)."""
        by_user: dict[str, list[Draw]] = {}
        for draw in self.draws[op_name]:
            by_user.setdefault(draw.user.user_id, []).append(draw)
        owners = list(by_user)
        step = max(1, len(owners) // max(1, users))
        chosen = owners[::step][:users]
        return [draw for owner in chosen for draw in by_user[owner][:per_user]]


async def assert_seeded(conn: asyncpg.Connection) -> None:
    if not await conn.fetchval("select to_regclass('bench.loaded_units') is not null") or not await conn.fetchval(
        LOADED_UNITS
    ):
        raise BenchError("the bench database holds no benchmark data: run `leadgen bench seed` first")


async def pick_users(conn: asyncpg.Connection, count: int) -> list[tuple[str, str]]:
    """Up to `count` bench users who can see leads, spread evenly over all such users (superuser query)."""
    rows = [(r[0], r[1]) for r in await conn.fetch(USERS_WITH_LEADS, BENCH_ID_FIRST, BENCH_ID_END)]
    if not rows:
        raise BenchError("no bench user can see a lead: is the bench data loaded?")
    step = len(rows) / min(count, len(rows))
    return [rows[int(i * step)] for i in range(min(count, len(rows)))]


async def prepare_workload(
    admin_dsn: str,
    api_dsn: str,
    key: DevSigningKey,
    *,
    users: int = 40,
    per_user: int = 5,
    writes_per_user: int = 20,
    seed: int = 1,
    expires_in: int = 6 * 3600,
    operations: Sequence[Operation] = (*READ_OPERATIONS, *WRITE_OPERATIONS),
) -> Workload:
    """Users, tokens and every operation's draws (`per_user` variable sets per user, reads with variables)."""
    admin = await asyncpg.connect(admin_dsn)
    try:
        await assert_seeded(admin)
        chosen = await pick_users(admin, users)
    finally:
        await admin.close()
    verifier = TokenVerifier(AuthSettings(jwks=key.jwks()))
    conn = await asyncpg.connect(api_dsn, server_settings=SERVER_SETTINGS)
    try:
        bench_users, visible = [], {}
        for user_id, email in chosen:
            token = key.mint(user_id, email=email, issuer=DEV_ISSUER, expires_in=expires_in)
            user = BenchUser(user_id, email, token, await verifier.caller_for(f"Bearer {token}"))
            bench_users.append(user)
            visible[user_id] = await fetch_visible(conn, user.caller)
    finally:
        await conn.close()
        await verifier.aclose()
    draws: dict[str, list[Draw]] = {}
    for op in operations:
        per: list[list[Draw]] = []
        for user in bench_users:
            rng = random.Random(f"{seed}:{op.name}:{user.user_id}")
            mine: dict[str, Draw] = {}  # distinct variables only: operations without any get one draw
            for _ in range(writes_per_user if op.write else per_user):
                try:
                    variables = op.make_variables(rng, visible[user.user_id])
                except NotApplicable:
                    break
                mine.setdefault(json.dumps(variables, sort_keys=True), Draw(user, variables))
            per.append(list(mine.values()))
        draws[op.name] = [d for round_ in _interleave(per) for d in round_]
        if not draws[op.name]:
            raise BenchError(f"no bench user can run {op.name}")
    workload = Workload(bench_users, draws, seed)
    workload.mix = mix_sequence(workload, random.Random(f"{seed}:mix"))
    return workload


def _interleave(per_user: list[list[Draw]]) -> list[list[Draw]]:
    """Round r holds every user's r-th draw: consecutive requests come from different users."""
    rounds = max((len(d) for d in per_user), default=0)
    return [[d[r] for d in per_user if r < len(d)] for r in range(rounds)]


def mix_sequence(workload: Workload, rng: random.Random, length: int = MIX_LENGTH) -> list[tuple[str, int]]:
    """Every read operation in turn (shuffled), with a write instead about one request in ten."""
    reads = [op.name for op in READ_OPERATIONS if op.name in workload.draws]
    writes = [op.name for op in WRITE_OPERATIONS if op.name in workload.draws]
    cursor = dict.fromkeys(workload.draws, 0)
    out: list[tuple[str, int]] = []
    writes_made = 0
    while len(out) < length:
        names = rng.sample(reads, len(reads))
        for _ in reads:
            if writes and rng.random() < MIX_WRITE_SHARE / (1 - MIX_WRITE_SHARE):
                names.append(writes[writes_made % len(writes)])
                writes_made += 1
        rng.shuffle(names)
        for name in names:
            out.append((name, cursor[name] % len(workload.draws[name])))
            cursor[name] += 1
    return out[:length]
