-- The database half of the workflow actions (domain/workflows/actions/) and of the integration push
-- (domain/workflows/integration_push.py).
--
-- Round robin. assign_lead {"strategy": "round_robin"} hands a space's leads to its members who can write
-- (owner, admin, member; in the order they joined, then by id) in turn. Each workflow remembers its turn in
-- private.workflow_round_robin; leadgen.next_round_robin_assignee advances it with one upsert, in the step's own
-- transaction (the workflow owner's): the row lock makes a concurrent execution of the same workflow wait for the
-- turn after this one, and a step that rolls back gives its turn back. Only the workflow's owner (the identity
-- its steps run as) can advance it, and only for a lead of the workflow's scope that it may write.
--
-- Integration push. Creating a lead queues one delivery (private.integration_deliveries) per ACTIVE webhook
-- integration of the lead's scope, in the same transaction (a Studio insert or a form submission pushes too; a
-- rolled-back insert pushes nothing), and wakes the worker (NOTIFY leadgen_workflows 'job'). The worker claims
-- deliveries like workflow jobs (FOR UPDATE SKIP LOCKED under a lease of its clock, retries with back-off up to
-- its maximum of attempts) and delivers each as the integration's OWNER (role authenticated, the owner's claims):
-- it reads the lead and the integration under RLS, marks the integration `syncing`, POSTs the signed lead to
-- settings.url, then records success/error, sync_error and last_sync_at. Its own bookkeeping goes through the
-- two functions below, which check the lease.

-- ---------------------------------------------------------------------------------------------------------
-- Round robin
-- ---------------------------------------------------------------------------------------------------------

create table private.workflow_round_robin (
  workflow_id uuid primary key references public.lead_workflows (id) on delete cascade,
  turns bigint not null default 0 check (turns >= 0),
  last_assignee uuid,
  updated_at timestamptz not null default now()
);
comment on table private.workflow_round_robin is
  'The turn of each workflow''s round-robin assignment (assign_lead with strategy round_robin).';
comment on column private.workflow_round_robin.workflow_id is 'The workflow (deleting it forgets its turn).';
comment on column private.workflow_round_robin.turns is 'Assignments made so far: the next goes to candidate turns mod n.';
comment on column private.workflow_round_robin.last_assignee is 'Who got the last lead.';
comment on column private.workflow_round_robin.updated_at is 'When the last turn was taken.';
alter table private.workflow_round_robin enable row level security;
revoke all on table private.workflow_round_robin from public, anon, authenticated, service_role;

create function leadgen.next_round_robin_assignee(p_workflow uuid, p_lead uuid,
                                                  out assignee uuid, out turn bigint, out candidates integer)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_workflow public.lead_workflows;
  v_lead public.leads;
  v_members uuid[];
begin
  select * into v_workflow from public.lead_workflows w where w.id = p_workflow;
  if not found or v_workflow.user_id is distinct from (select auth.uid()) then
    raise exception 'only the workflow''s owner can take its round-robin turns' using errcode = '42501';
  end if;
  select * into v_lead from public.leads l where l.id = p_lead;
  if not found or not private.can_write_lead(p_lead)
     or not coalesce(private.same_scope(v_workflow.user_id, v_workflow.space_id, v_lead.user_id, v_lead.space_id),
                     false) then
    raise exception 'the lead is not one the workflow''s owner may assign in the workflow''s scope'
      using errcode = '42501';
  end if;
  if v_lead.space_id is null then  -- a personal lead has one candidate: its owner
    assignee := v_lead.user_id;
    turn := 0;
    candidates := 1;
    return;
  end if;
  select array_agg(m.user_id order by m.created_at, m.user_id) into v_members
    from public.space_members m
   where m.space_id = v_lead.space_id and m.role in ('owner', 'admin', 'member');
  candidates := coalesce(cardinality(v_members), 0);
  if candidates = 0 then
    raise exception 'the lead''s space has no member who can write leads' using errcode = 'P0001';
  end if;
  insert into private.workflow_round_robin as r (workflow_id, turns, updated_at)
  values (p_workflow, 1, now())
  on conflict (workflow_id) do update set turns = r.turns + 1, updated_at = now()
  returning r.turns - 1 into turn;
  assignee := v_members[(turn % candidates) + 1];
  update private.workflow_round_robin set last_assignee = assignee where workflow_id = p_workflow;
end
$$;
comment on function leadgen.next_round_robin_assignee(uuid, uuid) is
  'The next assignee of a workflow''s round robin for a lead: the writers of the lead''s space (owner, admin, '
  'member; by join time, then id) in turn, the turn advanced in the caller''s transaction; a personal lead''s '
  'owner. Only the workflow''s owner, for a lead of its scope it may write (42501 otherwise).';
revoke all on function leadgen.next_round_robin_assignee(uuid, uuid) from public;
grant execute on function leadgen.next_round_robin_assignee(uuid, uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------------------
-- Integration push
-- ---------------------------------------------------------------------------------------------------------

create table private.integration_deliveries (
  id bigint generated always as identity primary key,
  integration_id uuid not null references public.lead_integrations (id) on delete cascade,
  lead_id uuid not null references public.leads (id) on delete cascade,
  event_type text not null default 'lead.created' check (event_type in ('lead.created')),
  state text not null default 'pending' check (state in ('pending', 'done', 'failed', 'cancelled')),
  run_at timestamptz not null default '-infinity',
  attempts integer not null default 0 check (attempts >= 0),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  status_code integer,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint integration_deliveries_once_key unique (integration_id, lead_id, event_type)
);
comment on table private.integration_deliveries is
  'Pushes of new leads to active webhook integrations of their scope: queued in the lead''s transaction, claimed by '
  'workers with FOR UPDATE SKIP LOCKED under a lease, delivered as the integration''s owner, retried with back-off.';
comment on column private.integration_deliveries.id is 'Primary key (also names the delivery: X-Leadgen-Delivery).';
comment on column private.integration_deliveries.integration_id is 'The webhook integration.';
comment on column private.integration_deliveries.lead_id is 'The lead pushed.';
comment on column private.integration_deliveries.event_type is 'What is pushed: lead.created.';
comment on column private.integration_deliveries.state is 'pending | done | failed | cancelled (the integration was off).';
comment on column private.integration_deliveries.run_at is 'Due from (the worker''s clock; -infinity: now), later a retry''s back-off.';
comment on column private.integration_deliveries.attempts is 'How many times a worker claimed it.';
comment on column private.integration_deliveries.locked_by is 'The worker holding the lease.';
comment on column private.integration_deliveries.locked_until is 'When the lease runs out (the worker''s clock).';
comment on column private.integration_deliveries.last_error is 'The last attempt''s error (never a secret).';
comment on column private.integration_deliveries.status_code is 'The receiver''s last HTTP status.';
comment on column private.integration_deliveries.created_at is 'When it was queued (database time).';
comment on column private.integration_deliveries.finished_at is 'When it settled (the worker''s clock).';
create index integration_deliveries_due_idx on private.integration_deliveries (run_at, id) where state = 'pending';
comment on index private.integration_deliveries_due_idx is 'The claim: pending deliveries, earliest first.';
create index integration_deliveries_lead_idx on private.integration_deliveries (lead_id);
comment on index private.integration_deliveries_lead_idx is 'The cascade from leads.';
create index integration_deliveries_finished_idx on private.integration_deliveries (finished_at) where state <> 'pending';
comment on index private.integration_deliveries_finished_idx is 'Purging settled deliveries.';

alter table private.integration_deliveries enable row level security;
revoke all on table private.integration_deliveries from public, anon, authenticated, service_role;
grant select, update (state, run_at, attempts, locked_by, locked_until, last_error, status_code, finished_at)
  on table private.integration_deliveries to leadgen_worker;
create policy integration_deliveries_worker_select on private.integration_deliveries for select to leadgen_worker
  using (true);
create policy integration_deliveries_worker_update on private.integration_deliveries for update to leadgen_worker
  using (true) with check (true);
comment on policy integration_deliveries_worker_select on private.integration_deliveries is 'The worker sees the queue.';
comment on policy integration_deliveries_worker_update on private.integration_deliveries is 'The worker claims and settles deliveries.';

create function private.integration_deliveries_from_leads() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_written integer;
begin
  -- one index probe when no webhook integration is active anywhere: bulk loads pay almost nothing
  if not exists (select 1 from public.lead_integrations i where i.integration_type = 'webhook' and i.is_active) then
    return null;
  end if;
  insert into private.integration_deliveries (integration_id, lead_id)
  select i.id, n.id
    from new_rows n
    join public.lead_integrations i
      on i.integration_type = 'webhook' and i.is_active
     and (i.space_id = n.space_id or (i.space_id is null and n.space_id is null and i.user_id = n.user_id))
  on conflict on constraint integration_deliveries_once_key do nothing;
  get diagnostics v_written = row_count;
  if v_written > 0 then
    perform pg_notify('leadgen_workflows', 'job');
  end if;
  return null;
end
$$;
comment on function private.integration_deliveries_from_leads() is
  'AFTER INSERT on leads (per statement): queues a push of each new lead to every active webhook integration of '
  'its scope, in the same transaction, and wakes the worker.';
revoke all on function private.integration_deliveries_from_leads() from public;

create trigger leads_integration_push after insert on public.leads
  referencing new table as new_rows
  for each statement execute function private.integration_deliveries_from_leads();
comment on trigger leads_integration_push on public.leads is
  'Queues pushes of new leads to the active webhook integrations of their scope (the worker delivers them).';

-- Marks a claimed delivery as being delivered and returns what delivering needs (the integration's owner's
-- claims); {"state": "lost"} when the lease is no longer the caller's, {"state": "stopped"} when the integration
-- is gone, off or no longer a webhook (the delivery is cancelled).
create function private.begin_integration_delivery(p_delivery bigint, p_worker text, p_attempt integer,
                                                   p_now timestamptz) returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  v_delivery private.integration_deliveries;
  v_integration public.lead_integrations;
begin
  select * into v_delivery from private.integration_deliveries d where d.id = p_delivery for update;
  if v_delivery.id is null or v_delivery.state <> 'pending' or v_delivery.locked_by is distinct from p_worker
     or v_delivery.attempts <> p_attempt then
    return jsonb_build_object('state', 'lost');
  end if;
  select * into v_integration from public.lead_integrations i where i.id = v_delivery.integration_id;
  if v_integration.id is null or not v_integration.is_active or v_integration.integration_type <> 'webhook' then
    update private.integration_deliveries
       set state = 'cancelled', finished_at = p_now, locked_by = null, locked_until = null,
           last_error = 'the integration was deactivated before the lead was pushed'
     where id = p_delivery;
    return jsonb_build_object('state', 'stopped');
  end if;
  return jsonb_build_object(
    'state', 'run',
    'integrationId', v_integration.id,
    'leadId', v_delivery.lead_id,
    'eventType', v_delivery.event_type,
    'createdAt', v_delivery.created_at,
    'claims', private.workflow_owner_claims(v_integration.user_id, p_now));
end
$$;
comment on function private.begin_integration_delivery(bigint, text, integer, timestamptz) is
  'Checks a claimed delivery''s lease and its integration (active webhook; else the delivery is cancelled) and '
  'returns the integration owner''s claims: {state: run | lost | stopped, ...}.';

-- Settles a delivery (done | retry at p_retry_at | failed) if the caller still holds its lease (else LG409).
create function private.end_integration_delivery(p_delivery bigint, p_worker text, p_attempt integer,
                                                 p_now timestamptz, p_outcome text, p_error text default null,
                                                 p_status_code integer default null,
                                                 p_retry_at timestamptz default null) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  v_delivery private.integration_deliveries;
begin
  if p_outcome is null or p_outcome not in ('done', 'retry', 'failed') then
    raise exception 'unknown delivery outcome %', p_outcome using errcode = '22023';
  end if;
  select * into v_delivery from private.integration_deliveries d where d.id = p_delivery for update;
  if v_delivery.id is null or v_delivery.state <> 'pending' or v_delivery.locked_by is distinct from p_worker
     or v_delivery.attempts <> p_attempt then
    raise exception 'the lease on integration delivery % is no longer held by %', p_delivery, p_worker
      using errcode = 'LG409';
  end if;
  update private.integration_deliveries
     set state = case p_outcome when 'retry' then 'pending' else p_outcome end,
         run_at = case when p_outcome = 'retry' then coalesce(p_retry_at, p_now) else run_at end,
         finished_at = case when p_outcome = 'retry' then null else p_now end,
         locked_by = null, locked_until = null, last_error = left(p_error, 2000), status_code = p_status_code
   where id = p_delivery;
end
$$;
comment on function private.end_integration_delivery(bigint, text, integer, timestamptz, text, text, integer, timestamptz)
  is 'Records a delivery''s outcome (done | retry at p_retry_at | failed) if the caller still holds its lease '
     '(else raises LG409).';

create function private.purge_integration_deliveries(p_before timestamptz) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  v_deleted integer;
begin
  delete from private.integration_deliveries where state <> 'pending' and finished_at < p_before;
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;
comment on function private.purge_integration_deliveries(timestamptz) is
  'Deletes deliveries settled before p_before.';

revoke all on function private.begin_integration_delivery(bigint, text, integer, timestamptz) from public;
revoke all on function private.end_integration_delivery(bigint, text, integer, timestamptz, text, text, integer,
  timestamptz) from public;
revoke all on function private.purge_integration_deliveries(timestamptz) from public;
grant execute on function private.begin_integration_delivery(bigint, text, integer, timestamptz) to leadgen_worker;
grant execute on function private.end_integration_delivery(bigint, text, integer, timestamptz, text, text, integer,
  timestamptz) to leadgen_worker;
grant execute on function private.purge_integration_deliveries(timestamptz) to leadgen_worker;
