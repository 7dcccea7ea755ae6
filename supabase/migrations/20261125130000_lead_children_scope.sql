-- Rows that hang off a lead (activities, campaign memberships, workflow executions) carry a copy of the
-- lead's scope, kept by triggers. Their select policies then test the row itself, like every scoped table,
-- instead of joining leads under RLS: a joined policy lets the planner scan every visible lead to answer
-- "the activities of these 25 leads" (the RLS planning trap of PostGraphile issue crystal#3041).
-- The copy is only ever written by the triggers below (API roles have no UPDATE grant on it, and whatever
-- an INSERT says is replaced by the lead's values).

alter table public.lead_activities add column lead_owner_id uuid, add column space_id uuid;
alter table public.lead_campaign_associations add column lead_owner_id uuid, add column space_id uuid;
alter table public.lead_workflow_executions add column lead_owner_id uuid, add column space_id uuid;

update public.lead_activities c set lead_owner_id = l.user_id, space_id = l.space_id
  from public.leads l where l.id = c.lead_id;
update public.lead_campaign_associations c set lead_owner_id = l.user_id, space_id = l.space_id
  from public.leads l where l.id = c.lead_id;
update public.lead_workflow_executions c set lead_owner_id = l.user_id, space_id = l.space_id
  from public.leads l where l.id = c.lead_id;

alter table public.lead_activities alter column lead_owner_id set not null;
alter table public.lead_campaign_associations alter column lead_owner_id set not null;
alter table public.lead_workflow_executions alter column lead_owner_id set not null;

comment on column public.lead_activities.lead_owner_id is 'Owner of the lead (copied from leads.user_id by a trigger; for RLS).';
comment on column public.lead_activities.space_id is 'Space of the lead (copied from leads.space_id by a trigger; for RLS).';
comment on column public.lead_campaign_associations.lead_owner_id is 'Owner of the lead (copied from leads.user_id by a trigger; for RLS).';
comment on column public.lead_campaign_associations.space_id is 'Space of the lead (copied from leads.space_id by a trigger; for RLS).';
comment on column public.lead_workflow_executions.lead_owner_id is 'Owner of the lead (copied from leads.user_id by a trigger; for RLS).';
comment on column public.lead_workflow_executions.space_id is 'Space of the lead (copied from leads.space_id by a trigger; for RLS).';

create index lead_activities_space_id_idx on public.lead_activities (space_id);
create index lead_activities_lead_owner_id_idx on public.lead_activities (lead_owner_id);
drop index if exists public.lead_activities_created_at_idx;
create index lead_activities_created_at_idx on public.lead_activities (created_at, id);
create index lead_campaign_associations_space_id_idx on public.lead_campaign_associations (space_id);
create index lead_campaign_associations_lead_owner_id_idx on public.lead_campaign_associations (lead_owner_id);
create index lead_workflow_executions_space_id_idx on public.lead_workflow_executions (space_id);
create index lead_workflow_executions_lead_owner_id_idx on public.lead_workflow_executions (lead_owner_id);

create function private.copy_lead_scope() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  select l.user_id, l.space_id into new.lead_owner_id, new.space_id from public.leads l where l.id = new.lead_id;
  if not found then  -- what the foreign key would say, before NOT NULL gets to say something less helpful
    raise exception 'insert or update on table "%" violates foreign key constraint "%_lead_id_fkey"',
      tg_table_name, tg_table_name
      using errcode = '23503', constraint = tg_table_name || '_lead_id_fkey', detail = format(
        'Key (lead_id)=(%s) is not present in table "leads".', new.lead_id);
  end if;
  return new;
end
$$;
comment on function private.copy_lead_scope() is
  'BEFORE INSERT/UPDATE OF lead_id on rows of a lead: copies the lead''s scope into the row.';
revoke all on function private.copy_lead_scope() from public;

create trigger lead_activities_copy_lead_scope before insert or update of lead_id, lead_owner_id, space_id
  on public.lead_activities for each row execute function private.copy_lead_scope();
create trigger lead_campaign_associations_copy_lead_scope before insert or update of lead_id, lead_owner_id, space_id
  on public.lead_campaign_associations for each row execute function private.copy_lead_scope();
create trigger lead_workflow_executions_copy_lead_scope before insert or update of lead_id, lead_owner_id, space_id
  on public.lead_workflow_executions for each row execute function private.copy_lead_scope();

create function private.propagate_lead_scope() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.user_id is distinct from old.user_id or new.space_id is distinct from old.space_id then
    update public.lead_activities set lead_owner_id = new.user_id, space_id = new.space_id where lead_id = new.id;
    update public.lead_campaign_associations set lead_owner_id = new.user_id, space_id = new.space_id
     where lead_id = new.id;
    update public.lead_workflow_executions set lead_owner_id = new.user_id, space_id = new.space_id
     where lead_id = new.id;
  end if;
  return null;
end
$$;
comment on function private.propagate_lead_scope() is
  'AFTER UPDATE OF user_id, space_id on leads: the lead''s rows follow it.';
revoke all on function private.propagate_lead_scope() from public;
create trigger leads_propagate_scope after update of user_id, space_id on public.leads
  for each row execute function private.propagate_lead_scope();

-- A lead's rows are visible exactly when the lead is: the lead's own select policy, on the copied scope.
drop policy lead_activities_select on public.lead_activities;
create policy lead_activities_select on public.lead_activities for select to authenticated using (
    (space_id is null and lead_owner_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
-- a campaign membership and an execution link rows of one scope (enforced on write), so the lead's scope
-- is theirs as well
drop policy lead_campaign_associations_select on public.lead_campaign_associations;
create policy lead_campaign_associations_select on public.lead_campaign_associations for select to authenticated using (
    (space_id is null and lead_owner_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
drop policy lead_workflow_executions_select on public.lead_workflow_executions;
create policy lead_workflow_executions_select on public.lead_workflow_executions for select to authenticated using (
    (space_id is null and lead_owner_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
