-- A workflow starts only on events that happen while it is active. Events of a type are queued for a scope as
-- soon as one active workflow of the scope wants that type, so an event may wait in the queue while another
-- workflow of the scope is switched on: that workflow must not run on it. lead_workflows.active_since (kept by a
-- trigger for every writer: the API's activateWorkflow, REST, Studio) is when the workflow was last switched on,
-- in database time like the events' created_at (the start of the writing transaction); the fan-out offers a
-- workflow only the events created at or after it. Switching a workflow off clears it; switching it on again
-- starts a new period, so events from while it was off never start it. A workflow inserted as active counts as
-- active since its created_at (now() by default; a load of history such as the seed keeps its own).

alter table public.lead_workflows add column active_since timestamptz;
comment on column public.lead_workflows.active_since is
  'When the workflow was last switched on (database time; null while inactive, kept by a trigger): it starts only '
  'on events created at or after this time.';
-- Workflows active before this migration: their creation is the earliest they can have been switched on.
update public.lead_workflows set active_since = created_at where is_active;

create function private.keep_workflow_active_since() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not new.is_active then
    new.active_since := null;
  elsif tg_op = 'INSERT' then
    -- a workflow written as active is active since its creation (now, unless a load gives its history)
    new.active_since := least(now(), new.created_at);
  elsif not old.is_active then
    new.active_since := now();
  else
    new.active_since := old.active_since;  -- not writable: it says when the workflow was switched on
  end if;
  return new;
end
$$;
comment on function private.keep_workflow_active_since() is
  'BEFORE INSERT/UPDATE on lead_workflows: active_since is now() when the workflow is switched on (its created_at '
  'if earlier, for one inserted as active), kept while it stays on, null while it is off (a written value is '
  'ignored).';
revoke all on function private.keep_workflow_active_since() from public;

create trigger lead_workflows_keep_active_since before insert or update on public.lead_workflows
  for each row execute function private.keep_workflow_active_since();
comment on trigger lead_workflows_keep_active_since on public.lead_workflows is
  'Keeps active_since: when the workflow was last switched on (null while off).';

create or replace function private.workflow_event_candidates(p_event bigint)
returns table (workflow_id uuid, trigger_id uuid, trigger_conditions jsonb)
language sql stable security definer
set search_path = ''
as $$
  select w.id, t.id, t.trigger_conditions
  from private.workflow_events e
  join public.lead_workflows w
    on w.is_active and private.same_scope(w.user_id, w.space_id, e.lead_owner_id, e.space_id)
       -- (no active_since on an active workflow: loaded with triggers off; its creation is the earliest bound)
       and e.created_at >= coalesce(w.active_since, w.created_at)
  join public.lead_workflow_triggers t on t.workflow_id = w.id and t.trigger_type = e.event_type
  where e.id = p_event
  order by w.id, t.id
$$;
comment on function private.workflow_event_candidates(bigint) is
  'The workflows of an event''s scope that were active when it happened (and still are) with a trigger of its type, '
  'with the trigger''s conditions (the worker matches them).';
