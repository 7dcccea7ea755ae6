"""SQL of the workflow actions (domain/workflows/actions/), run inside a step's transaction as the workflow's OWNER
(role `authenticated`, the owner's claims): Row Level Security decides every row, exactly as for the owner's own
API requests. Parameters are `$n`; column names come from fixed allow-lists, never from a config's text.

Moving a lead between stages reuses db/pipeline.MOVE_LEAD, campaign membership db/associations.py, custom field
checks db/custom_fields.PROBLEMS_OF_LEAD, and credentials db/integrations.read_envelope.
"""

from __future__ import annotations

from db.catalog import table
from db.sql_builder import columns_sql

# The lead's company as the owner sees it ($1 the company id): for templates and pushed documents.
COMPANY = "select c.id, c.name, c.website, c.industry, c.company_size from public.companies c where c.id = $1::uuid"

_SAME_SCOPE = "{o}.space_id is not distinct from l.space_id and (l.space_id is not null or {o}.user_id = l.user_id)"

# Whether the owner may write the lead ($1) - its personal lead, or one of a space where it is owner, admin or
# member (the leads_update policy): checked before an outside effect (an email) that the activity recorded
# afterwards must not contradict. (API roles cannot name schema private's helpers; this reads what RLS shows.)
CAN_WRITE_LEAD = """
select coalesce((
  select case when l.space_id is null then l.user_id = (select auth.uid())
              else exists (select 1 from public.space_members m
                           where m.space_id = l.space_id and m.user_id = (select auth.uid())
                             and m.role in ('owner', 'admin', 'member')) end
  from public.leads l where l.id = $1::uuid), false)
"""

# An activity of the lead ($1) as the owner: $2 type, $3 description, $4 activity_data.
INSERT_ACTIVITY = """
insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
values ($1::uuid, auth.uid(), $2::text, $3::text, $4::jsonb)
returning id
"""

# ---- assign_lead ---------------------------------------------------------------------------------------------

# Whether user $2 may hold lead $1 (its owner for a personal lead, any member of its space), and who they are.
ASSIGNEE_IN_SCOPE = """
select l.id,
       case when l.space_id is null then l.user_id = $2::uuid
            else exists (select 1 from public.space_members m where m.space_id = l.space_id and m.user_id = $2::uuid)
       end as in_scope,
       (select p.full_name from public.profiles p where p.id = $2::uuid) as full_name,
       (select p.email from public.profiles p where p.id = $2::uuid) as email
from public.leads l where l.id = $1::uuid
"""
# $1 workflow, $2 lead -> (assignee, turn, candidates); 42501 unless the caller owns the workflow and may write
NEXT_ROUND_ROBIN = "select assignee, turn, candidates from leadgen.next_round_robin_assignee($1::uuid, $2::uuid)"
PROFILE = "select p.full_name, p.email from public.profiles p where p.id = $1::uuid"
# $1 lead, $2 assignee: the previous assignee comes back; no row when RLS refuses the update
ASSIGN = """
with old as (select l.id, l.assigned_to from public.leads l where l.id = $1::uuid)
update public.leads l set assigned_to = $2::uuid
from old where l.id = old.id
returning old.assigned_to as previous
"""

# ---- change_stage --------------------------------------------------------------------------------------------

# The stage of the lead's ($1) own board named $2 (case-insensitive), as the owner sees it.
STAGE_BY_NAME = f"""
select s.id, s.name from public.leads l
join public.lead_stages s on {_SAME_SCOPE.format(o="s")}
where l.id = $1::uuid and lower(s.name) = lower($2::text)
order by s.stage_order, s.id
limit 1
"""
# The stage's name ($1) after a move (for the step's output).
STAGE_NAME = "select s.name from public.lead_stages s where s.id = $1::uuid"

# ---- update_field --------------------------------------------------------------------------------------------

# $1 lead, $2 value: one statement per allowed column (the old value comes back; no row when RLS refuses).
_SET = """
with old as (select l.id, l.{column} as previous from public.leads l where l.id = $1::uuid)
update public.leads l set {column} = $2::{cast}
from old where l.id = old.id
returning old.previous::text as previous, l.{column}::text as current
"""
COLUMN_TYPES = {
    "status": "text",
    "job_title": "text",
    "phone": "text",
    "budget": "numeric",
    "authority": "text",
    "need": "text",
    "timeline": "text",
}
SET_COLUMN = {column: _SET.format(column=column, cast=cast) for column, cast in COLUMN_TYPES.items()}
# $1 lead, $2 custom field name, $3 value (jsonb; SQL null removes the key)
SET_CUSTOM_FIELD = """
with old as (select l.id, l.custom_fields -> $2::text as previous from public.leads l where l.id = $1::uuid)
update public.leads l
   set custom_fields = case when $3::jsonb is null then l.custom_fields - $2::text
                            else jsonb_set(l.custom_fields, array[$2::text], $3::jsonb) end
from old where l.id = old.id
returning old.previous as previous, l.custom_fields -> $2::text as current
"""

# ---- campaigns -----------------------------------------------------------------------------------------------

# The campaign $2 if it is of lead $1's scope (as the owner sees both).
CAMPAIGN_OF_LEAD_SCOPE = f"""
select c.id, c.name, c.status from public.leads l
join public.lead_campaigns c on c.id = $2::uuid and {_SAME_SCOPE.format(o="c")}
where l.id = $1::uuid
"""
CAMPAIGN_VISIBLE = "select exists (select 1 from public.lead_campaigns c where c.id = $1::uuid)"

# ---- webhook -------------------------------------------------------------------------------------------------

# The integration $2 if it is of lead $1's scope (as the owner sees both).
INTEGRATION_OF_LEAD_SCOPE = f"""
select {columns_sql(table("lead_integrations"), "i")} from public.leads l
join public.lead_integrations i on i.id = $2::uuid and {_SAME_SCOPE.format(o="i")}
where l.id = $1::uuid
"""
