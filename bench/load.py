"""Load scale units into Postgres with COPY, validate them, record them, and reset them.

One transaction per unit, as a superuser with `session_replication_role = replica` (no triggers, no FK
checks while copying): the generator computes what triggers would have written, and `validate_unit` checks
the result before the unit's marker row is written and the transaction commits. So a unit is either
loaded whole, valid and recorded in `bench.loaded_units`, or not at all.

Idempotent: a unit whose marker is present (same per-unit parameters and generator version) is skipped.
`reset` removes the bench data: TRUNCATE when the database holds no user outside the bench id range (then
every row hangs off a bench user: the fast path), otherwise DELETE of the bench spaces and users, whose
cascades also remove rows that others (the load driver) added to them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.generator import TABLES, UnitData, expected_counts, generate_unit
from bench.scale import BENCH_ID_END, BENCH_ID_FIRST, GENERATOR_VERSION, Scale, Table, bench_id
from bench.validate import validate_unit

Out = Callable[[str], None]
PROGRESS_EVERY = 100_000

MARKER_DDL = """
create schema if not exists bench;
revoke all on schema bench from public;
comment on schema bench is 'Benchmark bookkeeping (leadgen bench); not exposed through the Data API.';
create table if not exists bench.loaded_units (
  unit integer primary key,
  generator_version integer not null,
  parameters jsonb not null,
  row_counts jsonb not null,
  load_seconds double precision not null,
  loaded_at timestamptz not null default now()
);
comment on table bench.loaded_units is 'Scale units of benchmark data loaded by `leadgen bench seed`.';
"""
LOADED_UNITS = "select unit, generator_version, parameters::text from bench.loaded_units order by unit"
INSERT_MARKER = """
insert into bench.loaded_units (unit, generator_version, parameters, row_counts, load_seconds)
values ($1, $2, $3::jsonb, $4::jsonb, $5)
"""
ONLY_BENCH_USERS = "select not exists (select 1 from auth.users where id < $1 or id >= $2)"


class BenchError(RuntimeError):
    """The benchmark data cannot be loaded as asked (or failed its validation)."""


@dataclass
class LoadReport:
    loaded: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    others: list[int] = field(default_factory=list)  # loaded units beyond the requested scale
    seconds: float = 0.0


async def ensure_marker_table(conn: asyncpg.Connection) -> None:
    await conn.execute(MARKER_DDL)


async def seed_scale(conn: asyncpg.Connection, scale: Scale, *, reset: bool = False, out: Out = print) -> LoadReport:
    """Load the units of `scale` that are missing; ANALYZE what was loaded."""
    started = time.perf_counter()
    await ensure_marker_table(conn)
    if reset:
        await reset_bench(conn, out)
    loaded = {row["unit"]: row for row in await conn.fetch(LOADED_UNITS)}
    report = LoadReport(others=sorted(u for u in loaded if u >= scale.unit_count))
    wanted = json.loads(json.dumps(scale.per_unit()))
    for unit in scale.unit_range:
        row = loaded.get(unit)
        if row is not None:
            if row["generator_version"] != GENERATOR_VERSION or json.loads(row["parameters"]) != wanted:
                raise BenchError(
                    f"unit {unit} was loaded with other parameters ({row['parameters']}, generator version "
                    f"{row['generator_version']}); run with --reset to replace the bench data"
                )
            out(f"unit {unit}: already loaded, nothing to do")
            report.skipped.append(unit)
            continue
        if await conn.fetchval("select 1 from auth.users where id = $1", bench_id(Table.USERS, unit, 0)):
            raise BenchError(f"bench rows of unit {unit} exist without a marker; run with --reset")
        await load_unit(conn, generate_unit(scale, unit), out)
        report.loaded.append(unit)
    if report.loaded:
        # the load ran with triggers off: score the leads by their scope's rules, as the database would have
        t0 = time.perf_counter()
        await conn.execute("select private.rescore_all_leads()")
        out(f"rescored the leads by their scoring rules in {time.perf_counter() - t0:.1f} s")
        await analyze(conn, out)
    report.seconds = time.perf_counter() - started
    return report


async def load_unit(conn: asyncpg.Connection, data: UnitData, out: Out = print) -> dict[str, int]:
    """COPY every table of the unit, validate, record the marker: one transaction."""
    started = time.perf_counter()
    expected = expected_counts(data)
    out(f"unit {data.unit}: loading {sum(expected.values()):,} rows")
    async with conn.transaction():
        try:
            await conn.execute("set local session_replication_role = replica")
        except asyncpg.InsufficientPrivilegeError as exc:
            raise BenchError(f"loading bench data needs a superuser connection ({exc})") from exc
        for table in TABLES:
            t0 = time.perf_counter()
            status = await conn.copy_records_to_table(
                table.name,
                schema_name=table.schema,
                columns=list(table.columns),
                records=_progress(table.rows(data), table.qualified, expected[table.qualified], out),
            )
            copied, seconds = int(status.split()[-1]), time.perf_counter() - t0
            if copied != expected[table.qualified]:
                raise BenchError(f"{table.qualified}: copied {copied} rows, generated {expected[table.qualified]}")
            rate = copied / max(seconds, 1e-9)
            out(f"  {table.qualified:36} {copied:>10,} rows {seconds:7.2f} s {rate:>10,.0f} rows/s")
        t0 = time.perf_counter()
        violations = await validate_unit(conn, data.unit)
        if violations:
            details = "; ".join(f"{v.check}: {v.rows} row(s)" for v in violations)
            raise BenchError(f"unit {data.unit} failed validation (rolled back): {details}")
        checked = "foreign keys, scopes, last_activity_at, profiles, owners"
        out(f"  validated ({checked}) in {time.perf_counter() - t0:.2f} s")
        seconds = time.perf_counter() - started
        await conn.execute(
            INSERT_MARKER, data.unit, GENERATOR_VERSION, json.dumps(data.world.scale.per_unit()),
            json.dumps(expected), seconds,
        )  # fmt: skip
    out(f"unit {data.unit}: loaded in {time.perf_counter() - started:.1f} s")
    return expected


async def analyze(conn: asyncpg.Connection, out: Out = print) -> None:
    """VACUUM (ANALYZE) the loaded tables: planner statistics, plus a visibility map for index-only scans."""
    t0 = time.perf_counter()
    for table in TABLES:
        await conn.execute(f"vacuum (analyze) {table.qualified}")
    out(f"vacuum (analyze) in {time.perf_counter() - t0:.1f} s")


async def reset_bench(conn: asyncpg.Connection, out: Out = print) -> None:
    t0 = time.perf_counter()
    await ensure_marker_table(conn)
    if await conn.fetchval(ONLY_BENCH_USERS, BENCH_ID_FIRST, BENCH_ID_END):
        # No user outside the bench range: every row of every user-owned table is bench data (or was added
        # to it, e.g. by the load driver), so truncating the tables that hang off auth.users is exact.
        async with conn.transaction():
            await conn.execute("truncate auth.users cascade")
            await conn.execute("truncate bench.loaded_units")
        out(f"reset: truncated the bench data in {time.perf_counter() - t0:.1f} s")
        return
    async with conn.transaction():
        # Deleting the spaces cascades to everything in them; then the users take their personal rows along.
        spaces = await conn.execute(
            "delete from public.spaces where id >= $1 and id < $2", BENCH_ID_FIRST, BENCH_ID_END
        )
        users = await conn.execute("delete from auth.users where id >= $1 and id < $2", BENCH_ID_FIRST, BENCH_ID_END)
        await conn.execute("truncate bench.loaded_units")
    out(f"reset: deleted bench {spaces.split()[-1]} spaces and {users.split()[-1]} users (with their rows)")


async def row_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows per loaded table, whole database."""
    return {t.qualified: int(await conn.fetchval(f"select count(*) from {t.qualified}")) for t in TABLES}


def _progress(rows: Iterator[Any], name: str, total: int, out: Out) -> Iterator[Any]:
    if total < 2 * PROGRESS_EVERY:
        yield from rows
        return
    t0 = time.perf_counter()
    for n, row in enumerate(rows, 1):
        yield row
        if n % PROGRESS_EVERY == 0 and n < total:
            out(f"    {name}: {n:,}/{total:,} ({n / (time.perf_counter() - t0):,.0f} rows/s)")
