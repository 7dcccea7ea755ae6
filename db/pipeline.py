"""SQL of the pipeline board: moving a lead to another stage (logging it) and reordering a board's stages."""

from __future__ import annotations

from db.catalog import table
from db.sql_builder import columns_sql

# The caller's board: a space's stages ($1), or the caller's personal stages when $1 is null.
_BOARD = "(($1::uuid is null and s.space_id is null and s.user_id = (select auth.uid())) or s.space_id = $1::uuid)"

# Move lead $1 to stage $2; nothing happens when the lead is already there. The `stage_changed` activity is
# written by the leads_log_stage_change trigger (so every way of changing a stage logs it). The flags tell why
# nothing moved: the lead is not visible, the stage is not one of the lead's own board (not visible, or of
# another scope), the lead already is in that stage, or RLS refused the update.
# `current` locks the lead first (only when RLS lets the caller update it) and reads it as it is once no other
# transaction holds it: a concurrent identical move that committed meanwhile makes this one `unchanged`, as the
# UPDATE's own re-check after the wait finds, instead of a refusal judged from the statement's older snapshot.
MOVE_LEAD = """
with lead as (
  select l.id, l.user_id, l.space_id, l.stage_id from public.leads l where l.id = $1::uuid
),
to_stage as (
  select s.id from public.lead_stages s
  join lead on s.space_id is not distinct from lead.space_id and (lead.space_id is not null or s.user_id = lead.user_id)
  where s.id = $2::uuid
),
current as (
  select l.id, l.stage_id from public.leads l where l.id = $1::uuid for no key update
),
moved as (
  update public.leads l set stage_id = t.id
  from to_stage t, current c
  where l.id = c.id and c.stage_id is distinct from t.id
  returning l.id
)
select exists (select 1 from lead) as lead_visible,
       exists (select 1 from to_stage) as stage_in_scope,
       coalesce((select c.stage_id = $2::uuid from current c), (select l.stage_id = $2::uuid from lead l), false)
         as unchanged,
       (select count(*) from moved) as moved
"""

# Give the stages of a board ($1: a space, or null for the caller's personal board) the positions 0..n-1 in the
# order of $2, in one UPDATE. $2 must list every stage of the board exactly once (`complete`); otherwise nothing
# changes. `needed` counts the stages whose position changes and `moved` those really updated: fewer means RLS
# refused (viewers and members read a space's board but do not manage it).
# `current` locks the stages the caller may change and reads them as they are once no other transaction holds
# them: positions a concurrent reorder committed meanwhile are not `needed` any more (the UPDATE's re-check after
# the wait skips them too), so two identical reorders at once both succeed.
REORDER_STAGES = f"""
with board as (
  select s.id, s.stage_order from public.lead_stages s where {_BOARD}
),
current as (
  select s.id, s.stage_order from public.lead_stages s where {_BOARD} for no key update
),
wanted as (
  select w.id, (w.position - 1)::integer as stage_order
  from unnest($2::uuid[]) with ordinality as w (id, position)
),
check_list as (
  select (select count(*) from wanted) = (select count(distinct id) from wanted)
     and (select count(*) from wanted) = (select count(*) from board)
     and not exists (select 1 from wanted w where not exists (select 1 from board b where b.id = w.id)) as complete
),
moved as (
  update public.lead_stages s set stage_order = w.stage_order
  from wanted w, check_list c, current k
  where c.complete and s.id = w.id and k.id = s.id and k.stage_order <> w.stage_order
  returning s.id
)
select c.complete,
       ($1::uuid is null or exists (select 1 from public.spaces sp where sp.id = $1::uuid)) as space_visible,
       (select count(*) from board) as stages,
       (select count(*) from wanted w join board b on b.id = w.id left join current k on k.id = w.id
        where coalesce(k.stage_order, b.stage_order) <> w.stage_order) as needed,
       (select count(*) from moved) as moved
from check_list c
"""

# The stages of a board, in board order.
BOARD_STAGES = (
    f"select {columns_sql(table('lead_stages'), 's')} from public.lead_stages s where {_BOARD} "
    "order by s.stage_order, s.id"
)
