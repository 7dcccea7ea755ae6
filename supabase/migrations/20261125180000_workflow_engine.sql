-- The workflow engine's database half: events written by triggers in the same transaction as the change that
-- causes them, a durable queue of workflow steps, and the bookkeeping the worker (`leadgen worker`) calls.
--
-- Events. AFTER ... FOR EACH STATEMENT triggers with transition tables turn writes into rows of
-- private.workflow_events, in the writer's transaction (a Studio edit starts workflows too; a rolled-back change
-- starts nothing): leads inserted (lead_created) and updated (lead_updated with the changed columns,
-- stage_changed from/to, score_threshold with the old and new score), activities inserted (activity_logged;
-- form_submit for form_submitted activities, page_visit for page_visit ones) and campaign memberships inserted
-- (campaign_joined). An event is written only for a lead whose scope (its space, or its owner's personal scope)
-- has an ACTIVE workflow with a trigger of that type: one index probe per statement when no workflow wants it,
-- so loads without workflows pay almost nothing (loads with triggers off, session_replication_role = replica,
-- pay nothing and start nothing). Every statement that wrote events sends NOTIFY leadgen_workflows 'event'
-- (delivered on commit, coalesced per transaction): a wake-up, never data. Two more sources: the worker's
-- periodic inactivity scan (private.scan_workflow_inactivity, once per lead, days and inactive period), and
-- manual runs (leadgen.run_workflow). An event remembers the workflow whose action caused it
-- (origin_workflow_id, from the transaction-local setting leadgen.workflow_context the worker sets) and how
-- deep that chain is: a workflow never restarts itself, and the worker stops chains past a depth.
--
-- Queue. The worker claims due events and jobs with FOR UPDATE SKIP LOCKED under a lease (locked_by,
-- locked_until = its clock + lease, attempts + 1); whatever its time says is passed in as a parameter (never
-- now()), so tests drive a controllable clock. A worker that dies loses nothing: the lease runs out and another
-- worker claims the row again. Finishing a row checks the lease is still the finisher's (locked_by, attempts),
-- so a worker that lost its lease cannot record an outcome over the new holder's. An event fans out into at
-- most one lead_workflow_executions row per (workflow, lead, event) (unique constraint), each holding its step
-- plan and every step's outcome in execution_data, and one job per step that is due (at most one pending job
-- per execution; a step's delay_seconds is that job's run_at, so a pending delay survives restarts).
--
-- Roles. The worker logs in as leadgen_worker (supabase/roles.sql): SELECT and UPDATE of the lease columns on
-- the two queue tables (RLS: policies for that role only), EXECUTE on the bookkeeping functions below (SECURITY
-- DEFINER, search_path ''), nothing else. Actions run after `set role authenticated` with the workflow owner's
-- claims (private.begin_workflow_step returns them, built from auth.users), so RLS decides what they touch; the
-- step's outcome is recorded in the same transaction as the action's writes (private.end_workflow_step, after
-- switching back to the login role), so an action's database effects happen exactly once.
-- API callers get three functions in `leadgen` (run, cancel, retry; they check private.can_manage_workflow
-- themselves) and anonymous visitors one (leadgen.track_page_visit, rate-limited).

grant usage on schema private to leadgen_worker;
-- the webhook action (next) reads an integration's credentials as the workflow's owner, like the API does
grant usage on schema leadgen to leadgen_worker;
grant execute on function leadgen.integration_credentials(uuid) to leadgen_worker;

-- ---------------------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------------------

create table private.workflow_events (
  id bigint generated always as identity primary key,
  event_type text not null check (event_type in ('lead_created', 'lead_updated', 'stage_changed', 'score_threshold',
    'form_submit', 'campaign_joined', 'activity_logged', 'page_visit', 'inactivity', 'manual')),
  lead_id uuid not null,
  lead_owner_id uuid not null,
  space_id uuid,
  payload jsonb not null default '{}'::jsonb check (jsonb_typeof(payload) = 'object'),
  origin_workflow_id uuid,
  chain_depth integer not null default 0 check (chain_depth >= 0),
  created_at timestamptz not null default now(),
  state text not null default 'pending' check (state in ('pending', 'done', 'failed')),
  run_at timestamptz not null default '-infinity',
  attempts integer not null default 0 check (attempts >= 0),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  processed_at timestamptz
);
comment on table private.workflow_events is
  'What may start workflows: one row per lead and event type, written by triggers in the same transaction as the '
  'change (or by the inactivity scan and manual runs), claimed by workers with FOR UPDATE SKIP LOCKED under a lease.';
comment on column private.workflow_events.id is 'Primary key; part of the key of the executions it starts.';
comment on column private.workflow_events.event_type is 'The trigger type it is for (lead_created ... manual).';
comment on column private.workflow_events.lead_id is 'The lead (no foreign key: an event of a deleted lead starts nothing).';
comment on column private.workflow_events.lead_owner_id is 'The lead''s owner when the event happened (its scope).';
comment on column private.workflow_events.space_id is 'The lead''s space when the event happened (its scope).';
comment on column private.workflow_events.payload is
  'What happened, camelCase keys: changedFields, fromStageId/toStageId, oldScore/newScore, formId, campaignId, '
  'activityType, url, days, ...';
comment on column private.workflow_events.origin_workflow_id is 'The workflow whose action caused it (it never restarts that one).';
comment on column private.workflow_events.chain_depth is 'How many workflow runs led to it (0: a person or an import).';
comment on column private.workflow_events.created_at is 'When it happened (database time).';
comment on column private.workflow_events.state is 'pending | done (fanned out) | failed (gave up after its attempts).';
comment on column private.workflow_events.run_at is 'Not before (the worker''s clock): -infinity at first, later the back-off of a retry.';
comment on column private.workflow_events.attempts is 'How many times a worker claimed it.';
comment on column private.workflow_events.locked_by is 'The worker holding the lease.';
comment on column private.workflow_events.locked_until is 'When the lease runs out (the worker''s clock); then any worker may claim it.';
comment on column private.workflow_events.last_error is 'The last error while fanning it out (or why it started nothing).';
comment on column private.workflow_events.processed_at is 'When it was fanned out or given up (the worker''s clock).';
create index workflow_events_due_idx on private.workflow_events (run_at, id) where state = 'pending';
comment on index private.workflow_events_due_idx is 'The claim: pending events, earliest first.';
create index workflow_events_processed_idx on private.workflow_events (processed_at) where state <> 'pending';
comment on index private.workflow_events_processed_idx is 'Purging processed events.';

alter table public.lead_workflow_executions add column event_id bigint;
comment on column public.lead_workflow_executions.event_id is
  'The event that started it (private.workflow_events.id; kept after the event is purged).';
alter table public.lead_workflow_executions
  add constraint lead_workflow_executions_event_key unique (workflow_id, lead_id, event_id);
comment on constraint lead_workflow_executions_event_key on public.lead_workflow_executions is
  'Exactly one execution per (workflow, lead, starting event), however many workers fan the event out.';

create table private.workflow_jobs (
  id bigint generated always as identity primary key,
  execution_id uuid not null references public.lead_workflow_executions (id) on delete cascade,
  step_index integer not null check (step_index >= 0),
  state text not null default 'pending' check (state in ('pending', 'done', 'failed', 'cancelled')),
  run_at timestamptz not null default '-infinity',
  attempts integer not null default 0 check (attempts >= 0),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table private.workflow_jobs is
  'Durable steps: one row per step of an execution that is due now or after its delay (run_at), claimed by workers '
  'with FOR UPDATE SKIP LOCKED under a lease and retried with back-off.';
comment on column private.workflow_jobs.id is 'Primary key.';
comment on column private.workflow_jobs.execution_id is 'The execution (deleting it deletes its jobs).';
comment on column private.workflow_jobs.step_index is 'The step: an index into execution_data.steps.';
comment on column private.workflow_jobs.state is 'pending | done | failed | cancelled.';
comment on column private.workflow_jobs.run_at is 'Due from (the worker''s clock; -infinity: now): the step''s delay, or a retry''s back-off.';
comment on column private.workflow_jobs.attempts is 'How many times a worker claimed it.';
comment on column private.workflow_jobs.locked_by is 'The worker holding the lease.';
comment on column private.workflow_jobs.locked_until is 'When the lease runs out (the worker''s clock); then any worker may claim it.';
comment on column private.workflow_jobs.last_error is 'The last attempt''s error.';
comment on column private.workflow_jobs.created_at is 'When it was scheduled (database time).';
comment on column private.workflow_jobs.finished_at is 'When it finished (the worker''s clock).';
create unique index workflow_jobs_one_pending_idx on private.workflow_jobs (execution_id) where state = 'pending';
comment on index private.workflow_jobs_one_pending_idx is 'Steps run one after another: one pending job per execution.';
create index workflow_jobs_due_idx on private.workflow_jobs (run_at, id) where state = 'pending';
comment on index private.workflow_jobs_due_idx is 'The claim: pending jobs, earliest first.';
create index workflow_jobs_execution_idx on private.workflow_jobs (execution_id);
comment on index private.workflow_jobs_execution_idx is 'Jobs of an execution (cancel, the cascade from executions).';

create table private.workflow_inactivity_marks (
  lead_id uuid not null references public.leads (id) on delete cascade,
  days integer not null check (days >= 1),
  inactive_since timestamptz not null,
  marked_at timestamptz not null default now(),
  primary key (lead_id, days)
);
comment on table private.workflow_inactivity_marks is
  'The inactivity scan''s memory: the inactive period (since its last activity) a lead last had an inactivity '
  'event for, per number of days; a lead gets one event per period.';
comment on column private.workflow_inactivity_marks.lead_id is 'The lead.';
comment on column private.workflow_inactivity_marks.days is 'The days of inactivity of the triggers it was for.';
comment on column private.workflow_inactivity_marks.inactive_since is 'coalesce(last_activity_at, created_at) when it was marked.';
comment on column private.workflow_inactivity_marks.marked_at is 'When the event was written (database time).';

create table private.page_visit_limits (
  id boolean primary key default true check (id),
  per_token_limit integer not null default 120 check (per_token_limit > 0),
  per_token_window_seconds integer not null default 600 check (per_token_window_seconds > 0),
  per_client_limit integer not null default 600 check (per_client_limit > 0),
  per_client_window_seconds integer not null default 600 check (per_client_window_seconds > 0)
);
comment on table private.page_visit_limits is
  'Rate limits of leadgen.track_page_visit (one row): visits per visitor token and per client (hashed address).';
comment on column private.page_visit_limits.id is 'Always true: the table holds one row.';
comment on column private.page_visit_limits.per_token_limit is 'Visits per visitor token (submission) per window.';
comment on column private.page_visit_limits.per_token_window_seconds is 'Length of the per-token window, seconds.';
comment on column private.page_visit_limits.per_client_limit is 'Visits per client per window.';
comment on column private.page_visit_limits.per_client_window_seconds is 'Length of the per-client window, seconds.';
insert into private.page_visit_limits default values on conflict (id) do nothing;

create table private.page_visits (
  id bigint generated always as identity primary key,
  submission_id uuid not null references private.form_submissions (id) on delete cascade,
  client_hash text check (client_hash is null or length(client_hash) between 1 and 128),
  created_at timestamptz not null default now()
);
comment on table private.page_visits is 'Recorded page visits, counted by the rate limits (the visit itself is a page_visit activity).';
comment on column private.page_visits.id is 'Primary key.';
comment on column private.page_visits.submission_id is 'The submission the visitor token names (and so the lead).';
comment on column private.page_visits.client_hash is 'HMAC of the client''s address (never the address), for per-client limits.';
comment on column private.page_visits.created_at is 'When the visit was recorded.';
create index page_visits_submission_idx on private.page_visits (submission_id, created_at);
comment on index private.page_visits_submission_idx is 'Per-token rate limit.';
create index page_visits_client_idx on private.page_visits (client_hash, created_at) where client_hash is not null;
comment on index private.page_visits_client_idx is 'Per-client rate limit.';

alter table private.workflow_events enable row level security;
alter table private.workflow_jobs enable row level security;
alter table private.workflow_inactivity_marks enable row level security;
alter table private.page_visit_limits enable row level security;
alter table private.page_visits enable row level security;
revoke all on table private.workflow_events, private.workflow_jobs, private.workflow_inactivity_marks,
  private.page_visit_limits, private.page_visits from public, anon, authenticated, service_role;

-- The worker claims, leases and settles queue rows itself; it inserts none (triggers and the functions below do).
grant select, update (state, run_at, attempts, locked_by, locked_until, last_error, processed_at)
  on table private.workflow_events to leadgen_worker;
grant select, update (state, run_at, attempts, locked_by, locked_until, last_error, finished_at)
  on table private.workflow_jobs to leadgen_worker;
create policy workflow_events_worker_select on private.workflow_events for select to leadgen_worker using (true);
create policy workflow_events_worker_update on private.workflow_events for update to leadgen_worker
  using (true) with check (true);
create policy workflow_jobs_worker_select on private.workflow_jobs for select to leadgen_worker using (true);
create policy workflow_jobs_worker_update on private.workflow_jobs for update to leadgen_worker
  using (true) with check (true);
comment on policy workflow_events_worker_select on private.workflow_events is 'The worker sees the queue (no API role does).';
comment on policy workflow_events_worker_update on private.workflow_events is 'The worker claims and settles events.';
comment on policy workflow_jobs_worker_select on private.workflow_jobs is 'The worker sees the queue (no API role does).';
comment on policy workflow_jobs_worker_update on private.workflow_jobs is 'The worker claims and settles jobs.';

-- The seed's form trigger predates the API's validated conditions (camelCase keys, like formSettings).
update public.lead_workflow_triggers
   set trigger_conditions = (trigger_conditions - 'form_id') || jsonb_build_object('formId', trigger_conditions -> 'form_id')
 where trigger_type = 'form_submit' and trigger_conditions ? 'form_id' and not trigger_conditions ? 'formId';

-- ---------------------------------------------------------------------------------------------------------
-- Helpers of the event triggers
-- ---------------------------------------------------------------------------------------------------------

create function private.has_active_workflow_trigger(p_types text[]) returns boolean
language sql stable
set search_path = ''
as $$
  select exists (
    select 1 from public.lead_workflow_triggers t join public.lead_workflows w on w.id = t.workflow_id
    where t.trigger_type = any (p_types) and w.is_active)
$$;
comment on function private.has_active_workflow_trigger(text[]) is
  'True when some active workflow has a trigger of one of these types (the event triggers'' cheap first test).';

create function private.workflow_trigger_scopes(p_types text[])
returns table (trigger_type text, space_id uuid, owner_id uuid)
language sql stable
set search_path = ''
as $$
  select distinct t.trigger_type, w.space_id, case when w.space_id is null then w.user_id end
  from public.lead_workflow_triggers t join public.lead_workflows w on w.id = t.workflow_id
  where t.trigger_type = any (p_types) and w.is_active
$$;
comment on function private.workflow_trigger_scopes(text[]) is
  'The scopes (space, or owner of a personal scope) with an active workflow triggered by each of these types.';

-- Which workflow's action (if any) is writing, from the transaction-local setting the worker makes. Anyone can
-- set it, but it only ever silences automation for the setter's own writes.
create function private.workflow_origin(out workflow_id uuid, out depth integer)
language plpgsql stable
set search_path = ''
as $$
declare
  v_context text := current_setting('leadgen.workflow_context', true);
begin
  workflow_id := null;
  depth := 0;
  if v_context is null or v_context = '' then
    return;
  end if;
  begin
    workflow_id := (v_context::jsonb ->> 'workflowId')::uuid;
    depth := least(greatest(coalesce((v_context::jsonb ->> 'depth')::integer, 0), 0), 1000) + 1;
  exception when others then
    workflow_id := null;
    depth := 0;
  end;
end
$$;
comment on function private.workflow_origin() is
  'The workflow whose step is writing and the chain depth of what it writes (leadgen.workflow_context), or (null, 0).';

create function private.workflow_events_from_leads() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_origin record;
  v_written integer;
begin
  if tg_op = 'INSERT' then
    if not private.has_active_workflow_trigger(array['lead_created']) then
      return null;
    end if;
    select * into v_origin from private.workflow_origin();
    with scopes as materialized (select * from private.workflow_trigger_scopes(array['lead_created']))
    insert into private.workflow_events (event_type, lead_id, lead_owner_id, space_id, payload, origin_workflow_id,
                                         chain_depth)
    select 'lead_created', n.id, n.user_id, n.space_id,
           jsonb_strip_nulls(jsonb_build_object('status', n.status, 'stageId', n.stage_id, 'sourceId', n.source_id,
             'formId', n.form_id, 'companyId', n.company_id, 'assignedTo', n.assigned_to)),
           v_origin.workflow_id, v_origin.depth
      from new_rows n
     where exists (select 1 from scopes s
                   where s.space_id is not distinct from n.space_id and (n.space_id is not null or s.owner_id = n.user_id));
  else
    if not private.has_active_workflow_trigger(array['lead_updated', 'stage_changed', 'score_threshold']) then
      return null;
    end if;
    select * into v_origin from private.workflow_origin();
    with scopes as materialized (
      select * from private.workflow_trigger_scopes(array['lead_updated', 'stage_changed', 'score_threshold'])
    ),
    changes as (
      select n.id, n.user_id, n.space_id, o.stage_id as old_stage, n.stage_id as new_stage,
             o.score as old_score, n.score as new_score,
             array(select s.trigger_type from scopes s
                   where s.space_id is not distinct from n.space_id and (n.space_id is not null or s.owner_id = n.user_id))
               as wanted,
             to_jsonb(o) as old_row, to_jsonb(n) as new_row
        from old_rows o join new_rows n on n.id = o.id
    ),
    candidates as (
      select c.*, array(
               select e.key from jsonb_each(c.new_row) e
                where e.key <> all (array['updated_at', 'last_activity_at', 'search_vector'])
                  and e.value is distinct from c.old_row -> e.key
                order by e.key) as changed
        from changes c where cardinality(c.wanted) > 0
    )
    insert into private.workflow_events (event_type, lead_id, lead_owner_id, space_id, payload, origin_workflow_id,
                                         chain_depth)
    select x.event_type, c.id, c.user_id, c.space_id, x.payload, v_origin.workflow_id, v_origin.depth
      from candidates c
      cross join lateral (values
        ('lead_updated', case when cardinality(c.changed) > 0
                              then jsonb_build_object('changedFields', to_jsonb(c.changed)) end),
        ('stage_changed', case when c.old_stage is distinct from c.new_stage
                               then jsonb_strip_nulls(jsonb_build_object('fromStageId', c.old_stage,
                                                                         'toStageId', c.new_stage)) end),
        ('score_threshold', case when c.old_score <> c.new_score
                                 then jsonb_build_object('oldScore', c.old_score, 'newScore', c.new_score) end)
      ) as x (event_type, payload)
     where x.payload is not null and x.event_type = any (c.wanted);
  end if;
  get diagnostics v_written = row_count;
  if v_written > 0 then
    perform pg_notify('leadgen_workflows', 'event');
  end if;
  return null;
end
$$;
comment on function private.workflow_events_from_leads() is
  'AFTER INSERT/UPDATE on leads (per statement): lead_created, lead_updated (changedFields, bookkeeping columns '
  'left out), stage_changed and score_threshold events, for leads whose scope has an active workflow wanting them.';

create function private.workflow_events_from_lead_rows() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_types text[] := case tg_table_name when 'lead_activities' then array['activity_logged', 'form_submit', 'page_visit']
                                       else array['campaign_joined'] end;
  v_origin record;
  v_written integer;
begin
  if not private.has_active_workflow_trigger(v_types) then
    return null;
  end if;
  select * into v_origin from private.workflow_origin();
  if tg_table_name = 'lead_activities' then
    with scopes as materialized (select * from private.workflow_trigger_scopes(v_types))
    insert into private.workflow_events (event_type, lead_id, lead_owner_id, space_id, payload, origin_workflow_id,
                                         chain_depth)
    select x.event_type, a.lead_id, a.lead_owner_id, a.space_id, x.payload, v_origin.workflow_id, v_origin.depth
      from new_rows a
      cross join lateral (values
        ('activity_logged', jsonb_build_object('activityId', a.id, 'activityType', a.activity_type)),
        ('form_submit', case when a.activity_type = 'form_submitted' then jsonb_strip_nulls(jsonb_build_object(
           'activityId', a.id, 'formId', a.activity_data ->> 'form_id',
           'submissionId', a.activity_data ->> 'submission_id')) end),
        ('page_visit', case when a.activity_type = 'page_visit' then jsonb_strip_nulls(jsonb_build_object(
           'activityId', a.id, 'url', a.activity_data ->> 'url', 'referrer', a.activity_data ->> 'referrer')) end)
      ) as x (event_type, payload)
     where x.payload is not null
       and exists (select 1 from scopes s
                   where s.trigger_type = x.event_type and s.space_id is not distinct from a.space_id
                     and (a.space_id is not null or s.owner_id = a.lead_owner_id));
  else
    with scopes as materialized (select * from private.workflow_trigger_scopes(v_types))
    insert into private.workflow_events (event_type, lead_id, lead_owner_id, space_id, payload, origin_workflow_id,
                                         chain_depth)
    select 'campaign_joined', m.lead_id, m.lead_owner_id, m.space_id,
           jsonb_build_object('campaignId', m.campaign_id, 'associationId', m.id), v_origin.workflow_id, v_origin.depth
      from new_rows m
     where exists (select 1 from scopes s
                   where s.space_id is not distinct from m.space_id and (m.space_id is not null or s.owner_id = m.lead_owner_id));
  end if;
  get diagnostics v_written = row_count;
  if v_written > 0 then
    perform pg_notify('leadgen_workflows', 'event');
  end if;
  return null;
end
$$;
comment on function private.workflow_events_from_lead_rows() is
  'AFTER INSERT on lead_activities / lead_campaign_associations (per statement): activity_logged, form_submit '
  '(form_submitted activities), page_visit (page_visit activities) and campaign_joined events, for leads whose '
  'scope has an active workflow wanting them.';

create trigger leads_workflow_events_on_insert after insert on public.leads
  referencing new table as new_rows
  for each statement execute function private.workflow_events_from_leads();
create trigger leads_workflow_events_on_update after update on public.leads
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.workflow_events_from_leads();
create trigger lead_activities_workflow_events after insert on public.lead_activities
  referencing new table as new_rows
  for each statement execute function private.workflow_events_from_lead_rows();
create trigger lead_campaign_associations_workflow_events after insert on public.lead_campaign_associations
  referencing new table as new_rows
  for each statement execute function private.workflow_events_from_lead_rows();
comment on trigger leads_workflow_events_on_insert on public.leads is 'lead_created workflow events, in the same transaction.';
comment on trigger leads_workflow_events_on_update on public.leads is
  'lead_updated, stage_changed and score_threshold workflow events, in the same transaction.';
comment on trigger lead_activities_workflow_events on public.lead_activities is
  'activity_logged, form_submit and page_visit workflow events, in the same transaction.';
comment on trigger lead_campaign_associations_workflow_events on public.lead_campaign_associations is
  'campaign_joined workflow events, in the same transaction.';

-- ---------------------------------------------------------------------------------------------------------
-- Executions and their steps
-- ---------------------------------------------------------------------------------------------------------

-- execution_data = {"event": {id, type, payload, createdAt, chainDepth},
--                   "steps": [{index, order, actionId, type, delaySeconds, status, runAt, startedAt, finishedAt,
--                              attempts, output | error, nextAttemptAt}]}
-- step status: pending -> scheduled -> running -> completed | skipped | failed | retrying (-> running) | cancelled

create function private.set_workflow_step(p_data jsonb, p_index integer, p_drop text[], p_set jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select case when p_index >= 0 and p_index < coalesce(jsonb_array_length(p_data -> 'steps'), 0)
              then jsonb_set(p_data, array['steps', p_index::text],
                             ((p_data -> 'steps' -> p_index) - p_drop) || jsonb_strip_nulls(p_set))
              else p_data end
$$;
comment on function private.set_workflow_step(jsonb, integer, text[], jsonb) is
  'execution_data with step p_index changed: keys p_drop removed, the non-null keys of p_set set.';

-- The delay before a step: its action's current delay_seconds (the plan's copy when the action is gone).
create function private.workflow_step_delay(p_data jsonb, p_index integer) returns integer
language sql stable
set search_path = ''
as $$
  select greatest(0, coalesce(
    (select a.delay_seconds from public.lead_workflow_actions a
      where a.id = case when p_data -> 'steps' -> p_index ->> 'actionId'
                             ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                        then (p_data -> 'steps' -> p_index ->> 'actionId')::uuid end),
    case when jsonb_typeof(p_data -> 'steps' -> p_index -> 'delaySeconds') = 'number'
         then (p_data -> 'steps' -> p_index ->> 'delaySeconds')::numeric::integer end,
    0))
$$;
comment on function private.workflow_step_delay(jsonb, integer) is
  'Seconds to wait before step p_index: its action''s delay_seconds now, else the plan''s copy.';

-- Make step p_index of an execution due: one job at p_run_at (null: now, or its delay from now in database time).
create function private.schedule_workflow_step(p_execution uuid, p_index integer, p_now timestamptz) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  v_data jsonb;
  v_delay integer;
  v_run_at timestamptz;
begin
  select e.execution_data into v_data from public.lead_workflow_executions e where e.id = p_execution;
  v_delay := private.workflow_step_delay(v_data, p_index);
  v_run_at := case when p_now is not null then p_now + make_interval(secs => v_delay)
                   when v_delay = 0 then '-infinity'::timestamptz
                   else now() + make_interval(secs => v_delay) end;
  update public.lead_workflow_executions e
     set execution_data = private.set_workflow_step(e.execution_data, p_index, array['error', 'nextAttemptAt'],
           jsonb_build_object('status', 'scheduled', 'delaySeconds', v_delay,
                              'runAt', case when v_run_at > '-infinity' then to_jsonb(v_run_at) end))
   where e.id = p_execution;
  insert into private.workflow_jobs (execution_id, step_index, run_at) values (p_execution, p_index, v_run_at);
  if v_delay = 0 then
    perform pg_notify('leadgen_workflows', 'job');
  end if;
end
$$;
comment on function private.schedule_workflow_step(uuid, integer, timestamptz) is
  'Schedules step p_index of an execution: a job due p_now + the step''s delay (p_now null: database time, and '
  'due at once without a delay).';

create function private.workflow_owner_claims(p_user uuid, p_now timestamptz) returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'sub', u.id, 'role', 'authenticated', 'aud', coalesce(nullif(u.aud, ''), 'authenticated'),
    'email', coalesce(u.email, ''), 'phone', coalesce(u.phone, ''),
    'app_metadata', coalesce(u.raw_app_meta_data, '{}'::jsonb), 'user_metadata', coalesce(u.raw_user_meta_data, '{}'::jsonb),
    'is_anonymous', u.is_anonymous, 'iss', 'leadgen-worker')
  from auth.users u
  where u.id = p_user and u.deleted_at is null and (u.banned_until is null or u.banned_until <= coalesce(p_now, now()))
$$;
comment on function private.workflow_owner_claims(uuid, timestamptz) is
  'The JWT claims a workflow''s owner acts with (sub, role authenticated, aud, email, phone, app_metadata, '
  'user_metadata, is_anonymous), from auth.users; null for a deleted or banned user.';

-- One execution of a workflow for an event's lead (none when one exists already, the lead is gone or no longer
-- in the workflow's scope), with its step plan; the first step is scheduled (p_now null: in database time).
create function private.create_workflow_execution(p_event bigint, p_workflow uuid, p_now timestamptz) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  v_event private.workflow_events;
  v_workflow public.lead_workflows;
  v_lead public.leads;
  v_steps jsonb;
  v_execution uuid;
begin
  select * into v_event from private.workflow_events e where e.id = p_event;
  select * into v_workflow from public.lead_workflows w where w.id = p_workflow;
  select * into v_lead from public.leads l where l.id = v_event.lead_id;
  if v_event.id is null or v_workflow.id is null or v_lead.id is null
     -- (same_scope is null, not false, when only one of the two has a space)
     or not coalesce(private.same_scope(v_workflow.user_id, v_workflow.space_id, v_lead.user_id, v_lead.space_id),
                     false) then
    return null;
  end if;
  select coalesce(jsonb_agg(jsonb_build_object(
           'index', a.position - 1, 'order', a.action_order, 'actionId', a.id, 'type', a.action_type,
           'delaySeconds', a.delay_seconds, 'status', 'pending', 'attempts', 0) order by a.position), '[]'::jsonb)
    into v_steps
    from (select x.*, row_number() over (order by x.action_order, x.id) as position
            from public.lead_workflow_actions x where x.workflow_id = p_workflow) a;
  insert into public.lead_workflow_executions (workflow_id, lead_id, event_id, status, execution_data)
  values (p_workflow, v_lead.id, p_event, 'pending', jsonb_build_object(
    'event', jsonb_build_object('id', v_event.id, 'type', v_event.event_type, 'payload', v_event.payload,
                                'createdAt', v_event.created_at, 'chainDepth', v_event.chain_depth),
    'steps', v_steps))
  on conflict (workflow_id, lead_id, event_id) do nothing
  returning id into v_execution;
  if v_execution is null then
    return null;
  end if;
  if jsonb_array_length(v_steps) = 0 then
    update public.lead_workflow_executions
       set status = 'completed', started_at = coalesce(p_now, now()), completed_at = coalesce(p_now, now())
     where id = v_execution;
  else
    perform private.schedule_workflow_step(v_execution, 0, p_now);
  end if;
  return v_execution;
end
$$;
comment on function private.create_workflow_execution(bigint, uuid, timestamptz) is
  'Creates the execution of a workflow for an event''s lead (at most one per workflow, lead and event) with its '
  'step plan, and schedules its first step; null when it exists already or the lead is gone or out of scope.';

create function private.workflow_event_candidates(p_event bigint)
returns table (workflow_id uuid, trigger_id uuid, trigger_conditions jsonb)
language sql stable security definer
set search_path = ''
as $$
  select w.id, t.id, t.trigger_conditions
  from private.workflow_events e
  join public.lead_workflows w
    on w.is_active and private.same_scope(w.user_id, w.space_id, e.lead_owner_id, e.space_id)
  join public.lead_workflow_triggers t on t.workflow_id = w.id and t.trigger_type = e.event_type
  where e.id = p_event
  order by w.id, t.id
$$;
comment on function private.workflow_event_candidates(bigint) is
  'The active workflows of an event''s scope with a trigger of its type, with the trigger''s conditions (the worker '
  'matches them).';

create function private.start_workflow_executions(p_event bigint, p_workflows uuid[], p_now timestamptz)
returns uuid[]
language plpgsql security definer
set search_path = ''
as $$
declare
  v_started uuid[] := '{}';
  v_workflow uuid;
  v_execution uuid;
begin
  foreach v_workflow in array coalesce(p_workflows, '{}') loop
    -- only what private.workflow_event_candidates would offer: active, and of the event's scope
    continue when not exists (
      select 1 from private.workflow_event_candidates(p_event) c where c.workflow_id = v_workflow);
    v_execution := private.create_workflow_execution(p_event, v_workflow, p_now);
    if v_execution is not null then
      v_started := v_started || v_execution;
    end if;
  end loop;
  return v_started;
end
$$;
comment on function private.start_workflow_executions(bigint, uuid[], timestamptz) is
  'Fans an event out to the workflows whose conditions matched (among its candidates): one execution each, at '
  'most once; returns the executions created.';

create function private.begin_workflow_step(p_job bigint, p_worker text, p_attempt integer, p_now timestamptz)
returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  v_execution_id uuid;
  v_job private.workflow_jobs;
  v_execution public.lead_workflow_executions;
  v_workflow public.lead_workflows;
  v_action public.lead_workflow_actions;
  v_step jsonb;
begin
  select j.execution_id into v_execution_id from private.workflow_jobs j where j.id = p_job;
  -- lock order everywhere: the execution, then its job
  select * into v_execution from public.lead_workflow_executions e where e.id = v_execution_id for update;
  select * into v_job from private.workflow_jobs j where j.id = p_job for update;
  if v_execution.id is null or v_job.id is null or v_job.state <> 'pending' or v_job.locked_by is distinct from p_worker
     or v_job.attempts <> p_attempt then
    return jsonb_build_object('state', 'lost');
  end if;
  if v_execution.status not in ('pending', 'running') then
    update private.workflow_jobs
       set state = 'cancelled', finished_at = p_now, locked_by = null, locked_until = null
     where id = p_job;
    return jsonb_build_object('state', 'stopped', 'status', v_execution.status);
  end if;
  v_step := v_execution.execution_data -> 'steps' -> v_job.step_index;
  select * into v_workflow from public.lead_workflows w where w.id = v_execution.workflow_id;
  select * into v_action from public.lead_workflow_actions a
   where a.workflow_id = v_execution.workflow_id
     and a.id = case when v_step ->> 'actionId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                     then (v_step ->> 'actionId')::uuid end;
  update public.lead_workflow_executions e
     set status = 'running', started_at = coalesce(e.started_at, p_now), error = null,
         execution_data = private.set_workflow_step(e.execution_data, v_job.step_index, array['nextAttemptAt'],
           jsonb_build_object('status', 'running', 'startedAt', p_now, 'attempts', p_attempt,
                              'type', v_action.action_type))
   where e.id = v_execution.id;
  return jsonb_build_object(
    'state', 'run',
    'executionId', v_execution.id,
    'workflowId', v_execution.workflow_id,
    'leadId', v_execution.lead_id,
    'stepIndex', v_job.step_index,
    'stepCount', coalesce(jsonb_array_length(v_execution.execution_data -> 'steps'), 0),
    'step', v_step,
    'event', v_execution.execution_data -> 'event',
    'action', case when v_action.id is not null then jsonb_build_object(
      'id', v_action.id, 'type', v_action.action_type, 'config', v_action.action_config,
      'order', v_action.action_order, 'delaySeconds', v_action.delay_seconds) end,
    'claims', private.workflow_owner_claims(v_workflow.user_id, p_now));
end
$$;
comment on function private.begin_workflow_step(bigint, text, integer, timestamptz) is
  'Marks a claimed job''s step running and returns what running it needs (execution, lead and workflow ids, the '
  'step''s current action, the owner''s claims); {"state": "lost"} when the lease is no longer the caller''s, '
  '{"state": "stopped"} when the execution was cancelled or finished meanwhile (the job is then cancelled).';

create function private.end_workflow_step(
  p_job bigint, p_worker text, p_attempt integer, p_now timestamptz, p_outcome text,
  p_output jsonb default null, p_error text default null, p_retry_at timestamptz default null
) returns text
language plpgsql security definer
set search_path = ''
as $$
declare
  v_execution_id uuid;
  v_job private.workflow_jobs;
  v_execution public.lead_workflow_executions;
  v_data jsonb;
  v_index integer;
  v_finished timestamptz;
begin
  if p_outcome is null or p_outcome not in ('completed', 'skipped', 'retry', 'failed') then
    raise exception 'unknown step outcome %', p_outcome using errcode = '22023';
  end if;
  select j.execution_id into v_execution_id from private.workflow_jobs j where j.id = p_job;
  select * into v_execution from public.lead_workflow_executions e where e.id = v_execution_id for update;
  select * into v_job from private.workflow_jobs j where j.id = p_job for update;
  if v_execution.id is null or v_job.id is null or v_job.state <> 'pending' or v_job.locked_by is distinct from p_worker
     or v_job.attempts <> p_attempt then
    raise exception 'the lease on workflow job % is no longer held by %', p_job, p_worker using errcode = 'LG409';
  end if;
  v_index := v_job.step_index;
  v_finished := greatest(p_now, coalesce(v_execution.started_at, p_now));
  if p_outcome = 'retry' then
    update private.workflow_jobs
       set run_at = coalesce(p_retry_at, p_now), locked_by = null, locked_until = null, last_error = p_error
     where id = p_job;
    update public.lead_workflow_executions e
       set execution_data = private.set_workflow_step(e.execution_data, v_index, array['output'],
             jsonb_build_object('status', 'retrying', 'attempts', p_attempt, 'error', p_error,
                                'nextAttemptAt', coalesce(p_retry_at, p_now)))
     where e.id = v_execution.id;
    return v_execution.status;
  end if;
  v_data := private.set_workflow_step(v_execution.execution_data, v_index,
    case when p_outcome = 'completed' then array['error', 'nextAttemptAt'] else array['nextAttemptAt'] end,
    jsonb_build_object('status', p_outcome, 'finishedAt', p_now, 'attempts', p_attempt, 'output', p_output,
                       'error', p_error));
  update private.workflow_jobs
     set state = case when p_outcome = 'failed' then 'failed' else 'done' end, finished_at = p_now,
         locked_by = null, locked_until = null, last_error = p_error
   where id = p_job;
  if v_execution.status not in ('pending', 'running') then  -- stopped meanwhile (e.g. cancelled in Studio)
    update public.lead_workflow_executions set execution_data = v_data where id = v_execution.id;
    return v_execution.status;
  end if;
  if p_outcome = 'failed' then
    update public.lead_workflow_executions
       set status = 'failed', completed_at = v_finished, execution_data = v_data,
           error = left(format('step %s (%s): %s', v_index + 1,
                               coalesce(v_data -> 'steps' -> v_index ->> 'type', '?'), p_error), 2000)
     where id = v_execution.id;
    return 'failed';
  end if;
  if v_index + 1 >= coalesce(jsonb_array_length(v_data -> 'steps'), 0) then
    update public.lead_workflow_executions
       set status = 'completed', completed_at = v_finished, error = null, execution_data = v_data
     where id = v_execution.id;
    return 'completed';
  end if;
  update public.lead_workflow_executions set execution_data = v_data where id = v_execution.id;
  perform private.schedule_workflow_step(v_execution.id, v_index + 1, p_now);
  return 'running';
end
$$;
comment on function private.end_workflow_step(bigint, text, integer, timestamptz, text, jsonb, text, timestamptz) is
  'Records a step''s outcome (completed | skipped | retry at p_retry_at | failed) if the caller still holds the '
  'job''s lease (else raises LG409, rolling back the caller''s transaction with the action''s writes); schedules '
  'the next step or settles the execution. Returns the execution''s status.';

-- ---------------------------------------------------------------------------------------------------------
-- Periodic work of the worker
-- ---------------------------------------------------------------------------------------------------------

create function private.scan_workflow_inactivity(p_now timestamptz) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  v_written integer;
begin
  if not private.has_active_workflow_trigger(array['inactivity']) then
    return 0;
  end if;
  with wanted as (
    select distinct w.space_id, case when w.space_id is null then w.user_id end as owner_id,
           (t.trigger_conditions ->> 'days')::integer as days
      from public.lead_workflow_triggers t join public.lead_workflows w on w.id = t.workflow_id
     where t.trigger_type = 'inactivity' and w.is_active
       and jsonb_typeof(t.trigger_conditions -> 'days') = 'number'
       and t.trigger_conditions ->> 'days' ~ '^[0-9]{1,5}$' and (t.trigger_conditions ->> 'days')::integer >= 1
  ),
  scoped as (
    select l.id, l.user_id, l.space_id, coalesce(l.last_activity_at, l.created_at) as since, w.days
      from wanted w join public.leads l on l.space_id = w.space_id
    union all
    select l.id, l.user_id, l.space_id, coalesce(l.last_activity_at, l.created_at), w.days
      from wanted w join public.leads l on w.space_id is null and l.space_id is null and l.user_id = w.owner_id
  ),
  due as materialized (
    select s.* from scoped s where s.since <= p_now - make_interval(days => s.days)
  ),
  marked as (
    insert into private.workflow_inactivity_marks as m (lead_id, days, inactive_since)
    select d.id, d.days, d.since from due d
    on conflict (lead_id, days) do update set inactive_since = excluded.inactive_since, marked_at = now()
      where m.inactive_since < excluded.inactive_since
    returning m.lead_id, m.days
  )
  insert into private.workflow_events (event_type, lead_id, lead_owner_id, space_id, payload)
  select 'inactivity', d.id, d.user_id, d.space_id, jsonb_build_object('days', d.days, 'inactiveSince', d.since)
    from marked k join due d on d.id = k.lead_id and d.days = k.days;
  get diagnostics v_written = row_count;
  if v_written > 0 then
    perform pg_notify('leadgen_workflows', 'event');
  end if;
  return v_written;
end
$$;
comment on function private.scan_workflow_inactivity(timestamptz) is
  'Writes an inactivity event for each lead of a scope with an active inactivity trigger of N days whose last '
  'activity (or creation) is N days before p_now, once per lead, N and inactive period; returns how many.';

create function private.purge_workflow_queue(p_before timestamptz) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  v_events integer;
  v_jobs integer;
  v_visits integer;
begin
  delete from private.workflow_events where state <> 'pending' and processed_at < p_before;
  get diagnostics v_events = row_count;
  delete from private.workflow_jobs where state <> 'pending' and finished_at < p_before;
  get diagnostics v_jobs = row_count;
  delete from private.page_visits where created_at < least(p_before, now() - interval '1 day');
  get diagnostics v_visits = row_count;
  return v_events + v_jobs + v_visits;
end
$$;
comment on function private.purge_workflow_queue(timestamptz) is
  'Deletes queue rows settled before p_before (events, jobs) and page visits older than the rate limits need.';

revoke all on function private.has_active_workflow_trigger(text[]) from public;
revoke all on function private.workflow_trigger_scopes(text[]) from public;
revoke all on function private.workflow_origin() from public;
revoke all on function private.workflow_events_from_leads() from public;
revoke all on function private.workflow_events_from_lead_rows() from public;
revoke all on function private.set_workflow_step(jsonb, integer, text[], jsonb) from public;
revoke all on function private.workflow_step_delay(jsonb, integer) from public;
revoke all on function private.schedule_workflow_step(uuid, integer, timestamptz) from public;
revoke all on function private.workflow_owner_claims(uuid, timestamptz) from public;
revoke all on function private.create_workflow_execution(bigint, uuid, timestamptz) from public;
revoke all on function private.workflow_event_candidates(bigint) from public;
revoke all on function private.start_workflow_executions(bigint, uuid[], timestamptz) from public;
revoke all on function private.begin_workflow_step(bigint, text, integer, timestamptz) from public;
revoke all on function private.end_workflow_step(bigint, text, integer, timestamptz, text, jsonb, text, timestamptz)
  from public;
revoke all on function private.scan_workflow_inactivity(timestamptz) from public;
revoke all on function private.purge_workflow_queue(timestamptz) from public;
grant execute on function private.workflow_event_candidates(bigint) to leadgen_worker;
grant execute on function private.start_workflow_executions(bigint, uuid[], timestamptz) to leadgen_worker;
grant execute on function private.begin_workflow_step(bigint, text, integer, timestamptz) to leadgen_worker;
grant execute on function private.end_workflow_step(bigint, text, integer, timestamptz, text, jsonb, text, timestamptz)
  to leadgen_worker;
grant execute on function private.scan_workflow_inactivity(timestamptz) to leadgen_worker;
grant execute on function private.purge_workflow_queue(timestamptz) to leadgen_worker;

-- ---------------------------------------------------------------------------------------------------------
-- What API callers may do: run, cancel and retry (managers of the workflow), record a page visit (anyone)
-- ---------------------------------------------------------------------------------------------------------

create function leadgen.run_workflow(p_workflow uuid, p_lead uuid) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_workflow public.lead_workflows;
  v_lead public.leads;
  v_event bigint;
  v_execution uuid;
begin
  select * into v_workflow from public.lead_workflows w where w.id = p_workflow;
  if not found or not private.can_manage_workflow(p_workflow) then
    raise exception 'not allowed to run this workflow' using errcode = '42501';
  end if;
  select * into v_lead from public.leads l where l.id = p_lead;
  if not found
     or not coalesce(private.same_scope(v_workflow.user_id, v_workflow.space_id, v_lead.user_id, v_lead.space_id),
                     false) then
    raise exception 'the lead is not in the workflow''s scope' using errcode = 'LG422',
      detail = '[{"field": "leadId", "message": "the lead is not in the workflow''s scope (its space, or personal)"}]';
  end if;
  if not exists (select 1 from public.lead_workflow_actions a where a.workflow_id = p_workflow) then
    raise exception 'the workflow has no actions' using errcode = 'LG422',
      detail = '[{"field": "workflowId", "message": "the workflow has no actions to run"}]';
  end if;
  insert into private.workflow_events (event_type, lead_id, lead_owner_id, space_id, payload, state, processed_at)
  values ('manual', v_lead.id, v_lead.user_id, v_lead.space_id,
          jsonb_strip_nulls(jsonb_build_object('requestedBy', (select auth.uid()))), 'done', now())
  returning id into v_event;
  v_execution := private.create_workflow_execution(v_event, p_workflow, null);
  return v_execution;
end
$$;
comment on function leadgen.run_workflow(uuid, uuid) is
  'A manual run of a workflow the caller manages on a lead of its scope (active or not): a manual event and its '
  'execution, whose first step is due at once (or after its delay). Errors: 42501 not a manager, LG422 (DETAIL: '
  'JSON array of {field, message}) the lead is out of scope or the workflow has no actions.';

create function leadgen.cancel_workflow_execution(p_execution uuid) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_execution public.lead_workflow_executions;
begin
  select * into v_execution from public.lead_workflow_executions e where e.id = p_execution for update;
  if not found then
    raise exception 'execution not found' using errcode = 'P0002';
  end if;
  if not private.can_manage_workflow(v_execution.workflow_id) then
    raise exception 'not allowed to cancel this execution' using errcode = '42501';
  end if;
  if v_execution.status not in ('pending', 'running') then
    raise exception 'the execution is % already', v_execution.status using errcode = 'LG409';
  end if;
  update private.workflow_jobs
     set state = 'cancelled', finished_at = now(), locked_by = null, locked_until = null
   where execution_id = p_execution and state = 'pending';
  update public.lead_workflow_executions e
     set status = 'cancelled', completed_at = greatest(now(), coalesce(e.started_at, now())),
         execution_data = jsonb_set(e.execution_data, '{steps}', coalesce((
           select jsonb_agg(case when s.step ->> 'status' in ('pending', 'scheduled', 'running', 'retrying')
                                 then (s.step - 'nextAttemptAt') || jsonb_build_object('status', 'cancelled')
                                 else s.step end order by s.position)
             from jsonb_array_elements(e.execution_data -> 'steps') with ordinality as s (step, position)), '[]'::jsonb))
   where e.id = p_execution;
end
$$;
comment on function leadgen.cancel_workflow_execution(uuid) is
  'Cancels a pending or running execution of a workflow the caller manages: its pending job and unfinished steps '
  'are cancelled (a step running right now is rolled back when its worker tries to record it). Errors: P0002 not '
  'found, 42501 not a manager, LG409 already finished.';

create function leadgen.retry_workflow_execution(p_execution uuid) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_execution public.lead_workflow_executions;
  v_index integer;
  v_data jsonb;
begin
  select * into v_execution from public.lead_workflow_executions e where e.id = p_execution for update;
  if not found then
    raise exception 'execution not found' using errcode = 'P0002';
  end if;
  if not private.can_manage_workflow(v_execution.workflow_id) then
    raise exception 'not allowed to retry this execution' using errcode = '42501';
  end if;
  if v_execution.status <> 'failed' then
    raise exception 'only a failed execution can be retried; this one is %', v_execution.status using errcode = 'LG409';
  end if;
  select min(s.position) - 1 into v_index
    from jsonb_array_elements(v_execution.execution_data -> 'steps') with ordinality as s (step, position)
   where s.step ->> 'status' not in ('completed', 'skipped');
  if v_index is null then
    raise exception 'the execution has no step left to run' using errcode = 'LG409';
  end if;
  v_data := private.set_workflow_step(v_execution.execution_data, v_index,
    array['error', 'finishedAt', 'startedAt', 'output', 'nextAttemptAt', 'runAt'],
    jsonb_build_object('status', 'scheduled', 'attempts', 0));
  v_data := jsonb_set(v_data, '{retries}', to_jsonb(1 + case when jsonb_typeof(v_data -> 'retries') = 'number'
                                                             then (v_data ->> 'retries')::numeric::integer else 0 end));
  update public.lead_workflow_executions
     set status = 'pending', error = null, completed_at = null, execution_data = v_data
   where id = p_execution;
  -- the failed step already waited its delay: it runs again at once
  insert into private.workflow_jobs (execution_id, step_index, run_at) values (p_execution, v_index, '-infinity');
  perform pg_notify('leadgen_workflows', 'job');
end
$$;
comment on function leadgen.retry_workflow_execution(uuid) is
  'Re-runs a failed execution of a workflow the caller manages from its first unfinished step (the failed one), '
  'at once. Errors: P0002 not found, 42501 not a manager, LG409 not failed.';

create function leadgen.track_page_visit(p_submission uuid, p_url text, p_referrer text default null,
                                         p_client_hash text default null) returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_lead uuid;
  v_limits private.page_visit_limits;
  v_url text := btrim(p_url);
  v_referrer text := nullif(btrim(p_referrer), '');
  v_since timestamptz;
begin
  select s.lead_id into v_lead from private.form_submissions s where s.id = p_submission;
  if not found then
    return null;
  end if;
  if v_url is null or length(v_url) > 2000 or v_url !~* '^https?://[^\s/$.?#][^\s]*$' then
    raise exception 'invalid page visit' using errcode = 'LG422',
      detail = '[{"field": "url", "message": "not a valid http(s) URL of at most 2000 characters"}]';
  end if;
  if v_referrer is not null and (length(v_referrer) > 2000 or v_referrer !~* '^https?://[^\s/$.?#][^\s]*$') then
    raise exception 'invalid page visit' using errcode = 'LG422',
      detail = '[{"field": "referrer", "message": "not a valid http(s) URL of at most 2000 characters"}]';
  end if;
  if p_client_hash is not null and length(p_client_hash) not between 1 and 128 then
    raise exception 'invalid page visit' using errcode = 'LG422',
      detail = '[{"field": "clientHash", "message": "1 to 128 characters"}]';
  end if;
  select * into v_limits from private.page_visit_limits where id;
  if not found then
    v_limits := row(true, 120, 600, 600, 600);
  end if;
  -- the token first, then the client: the order every visit takes its locks in
  perform pg_advisory_xact_lock(hashtextextended('leadgen.page_visit:token:' || p_submission::text, 0));
  select v.created_at into v_since from private.page_visits v
   where v.submission_id = p_submission
     and v.created_at > clock_timestamp() - make_interval(secs => v_limits.per_token_window_seconds)
   order by v.created_at desc offset v_limits.per_token_limit - 1 limit 1;
  if found then
    raise exception 'too many page visits for this visitor' using errcode = 'LG429',
      detail = jsonb_build_object('limit', 'token', 'retry_after', greatest(1, ceil(extract(epoch from
        v_since + make_interval(secs => v_limits.per_token_window_seconds) - clock_timestamp()))))::text;
  end if;
  if p_client_hash is not null then
    perform pg_advisory_xact_lock(hashtextextended('leadgen.page_visit:client:' || p_client_hash, 0));
    select v.created_at into v_since from private.page_visits v
     where v.client_hash = p_client_hash
       and v.created_at > clock_timestamp() - make_interval(secs => v_limits.per_client_window_seconds)
     order by v.created_at desc offset v_limits.per_client_limit - 1 limit 1;
    if found then
      raise exception 'too many page visits from this client' using errcode = 'LG429',
        detail = jsonb_build_object('limit', 'client', 'retry_after', greatest(1, ceil(extract(epoch from
          v_since + make_interval(secs => v_limits.per_client_window_seconds) - clock_timestamp()))))::text;
    end if;
  end if;
  insert into private.page_visits (submission_id, client_hash, created_at)
  values (p_submission, p_client_hash, clock_timestamp());
  insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
  values (v_lead, null, 'page_visit', left('Visited ' || v_url, 500),
          jsonb_strip_nulls(jsonb_build_object('url', v_url, 'referrer', v_referrer, 'submission_id', p_submission)));
  return true;
end
$$;
comment on function leadgen.track_page_visit(uuid, text, text, text) is
  'Records a page visit of the lead behind a visitor token (the submission it names; the API verifies the token''s '
  'signature first): a page_visit activity, which starts page_visit workflows. Null for an unknown submission. '
  'Errors: LG422 invalid URL (DETAIL: JSON array of {field, message}), LG429 rate limited (DETAIL: {limit, '
  'retry_after}).';

revoke all on function leadgen.run_workflow(uuid, uuid) from public;
revoke all on function leadgen.cancel_workflow_execution(uuid) from public;
revoke all on function leadgen.retry_workflow_execution(uuid) from public;
revoke all on function leadgen.track_page_visit(uuid, text, text, text) from public;
grant execute on function leadgen.run_workflow(uuid, uuid) to authenticated;
grant execute on function leadgen.cancel_workflow_execution(uuid) to authenticated;
grant execute on function leadgen.retry_workflow_execution(uuid) to authenticated;
grant execute on function leadgen.track_page_visit(uuid, text, text, text) to anon, authenticated;
