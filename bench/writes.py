"""Undo what the driver's writes added, so every timed slot (and every run) sees the loaded data set.

createLead and createActivity rows get random ids, outside the bench id range, and belong to bench users: the
only rows of bench users outside that range are the driver's. Removing them and recomputing `last_activity_at`
of the leads they touched (triggers off, so `updated_at` keeps its loaded value) restores the data exactly.
"""

from __future__ import annotations

import asyncpg

from bench.scale import BENCH_ID_END, BENCH_ID_FIRST

DELETE_ACTIVITIES = """
delete from public.lead_activities a
where (a.id < $1 or a.id >= $2) and a.user_id >= $1 and a.user_id < $2
returning a.lead_id
"""
DELETE_LEADS = "delete from public.leads l where (l.id < $1 or l.id >= $2) and l.user_id >= $1 and l.user_id < $2"
RESTORE_LAST_ACTIVITY = """
update public.leads l
set last_activity_at = (select max(a.created_at) from public.lead_activities a where a.lead_id = l.id)
where l.id = any($1::uuid[])
"""
TOUCHED_TABLES = ("public.leads", "public.lead_activities")


async def remove_driver_writes(admin_dsn: str, *, vacuum: bool = False) -> int:
    """Delete the rows the driver created (as superuser); with `vacuum`, VACUUM (ANALYZE) the tables after."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        async with conn.transaction():
            activities = await conn.fetch(DELETE_ACTIVITIES, BENCH_ID_FIRST, BENCH_ID_END)
            touched = {r[0] for r in activities}
            leads = int((await conn.execute(DELETE_LEADS, BENCH_ID_FIRST, BENCH_ID_END)).split()[-1])
            if touched:
                await conn.execute("set local session_replication_role = replica")
                await conn.execute(RESTORE_LAST_ACTIVITY, list(touched))
        if vacuum:
            for table in TOUCHED_TABLES:
                await conn.execute(f"vacuum (analyze) {table}")
        return len(activities) + leads
    finally:
        await conn.close()
