-- Activities: the types the system records are the system's, and leads.last_activity_at always follows the log.
--
-- 1. System activity types (stage_changed, status_changed, score_changed, assigned, converted, campaign_joined,
--    campaign_left, workflow, form_submitted) are written by the system when what they describe happens: triggers
--    and SECURITY DEFINER functions (stage changes, conversions, submitForm), the workflow worker (it logs in as
--    leadgen_worker and acts as the workflow's owner), Studio and service_role. The API roles (anon,
--    authenticated: GraphQL's createActivity/updateActivity, Supabase's REST API) may not write them, nor turn a
--    system activity into another type: a fake form_submitted would start the form's workflows, which a member may
--    not run. logActivity refused them already; now the database does, for every way in.
-- 2. leads.last_activity_at: an activity whose created_at or lead changes (Studio, REST, service_role) moves the
--    lead's last_activity_at (and the old lead's) to the newest activity left, as inserts (20261125090200) and
--    deletes (20261125200200) do; and the column itself is derived: a write of it gets the derived value.

-- SECURITY INVOKER on purpose: current_user is the role that writes (inside a SECURITY DEFINER function or a
-- trigger of the system it is their owner). session_user tells the worker, which switches to authenticated.
create function private.check_activity_type() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- the same list as gql/mutations/activity.py SYSTEM_ACTIVITIES (tests/test_activity_rules.py compares them)
  system_types constant text[] := array['stage_changed', 'status_changed', 'score_changed', 'assigned', 'converted',
                                        'campaign_joined', 'campaign_left', 'workflow', 'form_submitted'];
  refused text;
begin
  if current_user::text not in ('anon', 'authenticated') or session_user::text = 'leadgen_worker' then
    return new;
  end if;
  if new.activity_type = any (system_types) then
    refused := format('%s activities are recorded by the system, not logged by hand', new.activity_type);
  elsif tg_op = 'UPDATE' then
    if old.activity_type = any (system_types) and new.activity_type <> old.activity_type then
      refused := format('a %s activity was recorded by the system: its type stays', old.activity_type);
    end if;
  end if;
  if refused is not null then
    raise exception '%', refused
      using errcode = '23514', constraint = 'lead_activities_system_type_check', table = 'lead_activities',
            schema = 'public', column = 'activity_type',
            detail = jsonb_build_array(jsonb_build_object('field', 'activityType', 'message', refused))::text;
  end if;
  return new;
end
$$;
comment on function private.check_activity_type() is
  'BEFORE INSERT/UPDATE OF activity_type on lead_activities: the API roles (anon, authenticated; not the worker) '
  'may not write system activity types, nor change the type of a system activity.';
revoke all on function private.check_activity_type() from public;

create trigger lead_activities_check_type before insert or update of activity_type on public.lead_activities
  for each row execute function private.check_activity_type();
comment on trigger lead_activities_check_type on public.lead_activities is
  'System activity types (stage_changed, converted, form_submitted ...) are written by the system only.';

-- leads.last_activity_at after activities changed lead or time: each lead involved gets its newest activity's
-- created_at (null when it has none left). One statement per UPDATE statement, each lead once.
create function private.recompute_moved_activities() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  update public.leads l
     set last_activity_at = latest.at
    from (select d.lead_id, (select max(a.created_at) from public.lead_activities a where a.lead_id = d.lead_id) as at
            from (select o.lead_id from old_activities o join new_activities n on n.id = o.id
                   where o.lead_id <> n.lead_id or o.created_at <> n.created_at
                  union
                  select n.lead_id from old_activities o join new_activities n on n.id = o.id
                   where o.lead_id <> n.lead_id or o.created_at <> n.created_at) d) latest
   where l.id = latest.lead_id
     and l.last_activity_at is distinct from latest.at;
  return null;
end
$$;
comment on function private.recompute_moved_activities() is
  'AFTER UPDATE trigger on lead_activities: when activities change lead or created_at, the leads involved get the '
  'created_at of their newest activity as last_activity_at.';
revoke all on function private.recompute_moved_activities() from public;

create trigger lead_activities_recompute_on_update after update on public.lead_activities
  referencing old table as old_activities new table as new_activities
  for each statement execute function private.recompute_moved_activities();
comment on trigger lead_activities_recompute_on_update on public.lead_activities is
  'Keeps leads.last_activity_at right when an activity changes lead or created_at.';

-- The column is derived: whatever a write puts there, it is the newest activity's time.
create function private.derive_last_activity_at() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  new.last_activity_at := (select max(a.created_at) from public.lead_activities a where a.lead_id = new.id);
  return new;
end
$$;
comment on function private.derive_last_activity_at() is
  'BEFORE INSERT/UPDATE OF last_activity_at on leads: sets it to the newest activity''s created_at (null if none).';
revoke all on function private.derive_last_activity_at() from public;

create trigger leads_derive_last_activity_at_insert before insert on public.leads
  for each row when (new.last_activity_at is not null)
  execute function private.derive_last_activity_at();
create trigger leads_derive_last_activity_at before update of last_activity_at on public.leads
  for each row when (new.last_activity_at is distinct from old.last_activity_at)
  execute function private.derive_last_activity_at();
comment on trigger leads_derive_last_activity_at_insert on public.leads is
  'A new lead has no activity yet: last_activity_at starts null whatever the insert says.';
comment on trigger leads_derive_last_activity_at on public.leads is
  'leads.last_activity_at is derived from the activities: a write of it gets the newest activity''s created_at.';
