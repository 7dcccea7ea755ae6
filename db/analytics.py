"""SQL of lead analytics, computed in Postgres under the caller's RLS: one statement per figure.

Every statement takes the same three parameters:
  $1  the space whose leads count; null: the caller's personal leads (the scope of a pipeline board)
  $2  count leads created at or after this instant (timestamptz; null: from the first)
  $3  ... and before this one (null: up to now)
RLS applies as to any other read: a caller who cannot see a space's leads gets zeros, never someone else's numbers.
"""

from __future__ import annotations

from db.catalog import table
from db.sql import ident
from db.sql_builder import columns_sql


def _in_scope(alias: str) -> str:
    alias = ident(alias)
    return (
        f"((($1::uuid is null and {alias}.space_id is null and {alias}.user_id = (select auth.uid()))"
        f" or {alias}.space_id = $1::uuid))"
    )


LEADS_IN_RANGE = (
    f"{_in_scope('l')} and ($2::timestamptz is null or l.created_at >= $2::timestamptz)"
    " and ($3::timestamptz is null or l.created_at < $3::timestamptz)"
)

# Lead count, conversions (converted_to_customer), their ratio (null without leads) and the average score.
SUMMARY = f"""
select count(*)::integer as lead_count,
       (count(*) filter (where l.converted_to_customer))::integer as conversion_count,
       (count(*) filter (where l.converted_to_customer))::float8 / nullif(count(*), 0) as conversion_rate,
       avg(l.score)::float8 as average_score
from public.leads l where {LEADS_IN_RANGE}
"""

# The funnel: the board's stages in board order (stage_order, then id). lead_count: leads now in the stage.
# reached: leads now in this stage or a later one, i.e. that got at least this far. conversion_to_next:
# reached(next stage) / reached(this stage); null for the last stage or when no lead reached this one.
FUNNEL = f"""
with board as (
  select {columns_sql(table("lead_stages"), "s")}, row_number() over (order by s.stage_order, s.id) as position
  from public.lead_stages s where {_in_scope("s")}
),
counted as (
  select l.stage_id, count(*) as n from public.leads l
  where {LEADS_IN_RANGE} and l.stage_id is not null
  group by l.stage_id
),
funnel as (
  select b.*, coalesce(c.n, 0)::integer as lead_count,
         (sum(coalesce(c.n, 0)) over (order by b.position desc))::integer as reached
  from board b left join counted c on c.stage_id = b.id
)
select f.*, (lead(f.reached) over (order by f.position))::float8 / nullif(f.reached, 0) as conversion_to_next
from funnel f
order by f.position
"""

# Per lead source of the scope (those without leads too), and one row without a source (id null) for the leads
# that have none; the most leads first.
BY_SOURCE = f"""
with counted as (
  select l.source_id, count(*)::integer as lead_count,
         (count(*) filter (where l.converted_to_customer))::integer as conversion_count
  from public.leads l where {LEADS_IN_RANGE}
  group by l.source_id
),
sources as (
  select {columns_sql(table("lead_sources"), "s")} from public.lead_sources s where {_in_scope("s")}
)
select s.*, coalesce(c.lead_count, 0) as lead_count, coalesce(c.conversion_count, 0) as conversion_count,
       c.conversion_count::float8 / nullif(c.lead_count, 0) as conversion_rate
from sources s full join counted c on c.source_id = s.id
where s.id is not null or c.source_id is null
order by coalesce(c.lead_count, 0) desc, s.id is null, lower(s.name), s.id
"""

# Per campaign of the scope: its leads (created in the range) and how many of them converted; the most leads first.
BY_CAMPAIGN = f"""
with counted as (
  select a.campaign_id, count(*)::integer as lead_count,
         (count(*) filter (where l.converted_to_customer))::integer as conversion_count
  from public.lead_campaign_associations a join public.leads l on l.id = a.lead_id
  where {LEADS_IN_RANGE}
  group by a.campaign_id
)
select {columns_sql(table("lead_campaigns"), "c")},
       coalesce(n.lead_count, 0) as lead_count, coalesce(n.conversion_count, 0) as conversion_count,
       n.conversion_count::float8 / nullif(n.lead_count, 0) as conversion_rate
from public.lead_campaigns c left join counted n on n.campaign_id = c.id
where {_in_scope("c")}
order by coalesce(n.lead_count, 0) desc, lower(c.name), c.id
"""

# Leads and conversions per week (weeks start on Monday, 00:00 UTC), every week of the range, empty ones too:
# from the week of $2 (else of the first lead) to the week of the last instant before $3 (else of the last lead),
# at most the last MAX_WEEKS of it.
MAX_WEEKS = 520
BY_WEEK = f"""
with scoped as (
  select date_trunc('week', l.created_at at time zone 'UTC')::date as week, l.converted_to_customer
  from public.leads l where {LEADS_IN_RANGE}
),
bounds as (
  select coalesce(date_trunc('week', $2::timestamptz at time zone 'UTC')::date, min(s.week)) as first_week,
         coalesce(date_trunc('week', ($3::timestamptz - interval '1 microsecond') at time zone 'UTC')::date,
                  max(s.week)) as last_week
  from scoped s
),
weeks as (
  select g::date as week
  from bounds b,
       generate_series(greatest(b.first_week, b.last_week - 7 * ({MAX_WEEKS} - 1))::timestamp,
                       b.last_week::timestamp, interval '1 week') as g
)
select w.week as week_start, count(s.week)::integer as lead_count,
       (count(*) filter (where s.converted_to_customer))::integer as conversion_count
from weeks w left join scoped s on s.week = w.week
group by w.week
order by w.week
"""
