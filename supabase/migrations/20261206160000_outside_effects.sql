-- Outside effects of the worker (emails, webhooks, integration pushes, invitation emails) under an idempotency key.
--
-- Every effect has a stable key: the email's Message-ID (made from the execution and step, or from the invitation),
-- the webhook's delivery id (the X-Leadgen-Delivery and Idempotency-Key headers; made from the execution and step,
-- or from the integration delivery). Before the effect the worker records "sending" under that key in a
-- transaction of its own (committed, so a retry after a kill or a lost database connection can tell), and
-- "sent" (or "failed") right after it. A retry that finds the key "sent" does not send again (a duplicate
-- avoided); one that finds it "sending" (the previous attempt was interrupted: it may or may not have gone out)
-- sends again with the same key, and the step's output says so. Recording "sending" checks the caller still
-- holds the lease of the queue row the effect belongs to (private.holds_worker_lease), so a worker whose lease ran
-- out cannot start an effect another worker may be doing.

create table private.outside_effects (
  key text primary key check (length(key) between 1 and 300),
  kind text not null check (kind in ('email', 'webhook', 'integration_push', 'invitation_email')),
  execution_id uuid references public.lead_workflow_executions (id) on delete cascade,
  step_index integer check (step_index >= 0),
  state text not null check (state in ('sending', 'sent', 'failed')),
  attempts integer not null default 1 check (attempts >= 1),
  duplicates_avoided integer not null default 0 check (duplicates_avoided >= 0),
  first_attempt_at timestamptz not null,
  last_attempt_at timestamptz not null,
  sent_at timestamptz,
  detail jsonb not null default '{}'::jsonb check (jsonb_typeof(detail) = 'object')
);
comment on table private.outside_effects is
  'The worker''s outside effects by idempotency key: "sending" is recorded (committed) before an email or webhook '
  'goes out and "sent"/"failed" after, so a retry re-sends with the same key or, when it was sent, not at all.';
comment on column private.outside_effects.key is
  'The idempotency key: the email''s Message-ID, or the webhook''s delivery id (X-Leadgen-Delivery, Idempotency-Key).';
comment on column private.outside_effects.kind is 'email | webhook (workflow steps), integration_push, invitation_email.';
comment on column private.outside_effects.execution_id is 'The workflow execution of a step''s effect (deleted with it).';
comment on column private.outside_effects.step_index is 'The step of that execution.';
comment on column private.outside_effects.state is
  'sending (started; an interrupted attempt stays so: it may or may not have gone out) | sent | failed (a known failure).';
comment on column private.outside_effects.attempts is 'How many times it was started (re-sends share the key).';
comment on column private.outside_effects.duplicates_avoided is 'Retries that found it sent and did not send it again.';
comment on column private.outside_effects.first_attempt_at is 'When it was first started (the worker''s clock).';
comment on column private.outside_effects.last_attempt_at is 'When it was last started or found sent (the worker''s clock).';
comment on column private.outside_effects.sent_at is 'When it was confirmed sent (the worker''s clock).';
comment on column private.outside_effects.detail is 'What the effect answered (status code, backend); never a secret.';
create index outside_effects_execution_idx on private.outside_effects (execution_id) where execution_id is not null;
comment on index private.outside_effects_execution_idx is 'The cascade from executions.';
create index outside_effects_settled_idx on private.outside_effects (last_attempt_at) where execution_id is null;
comment on index private.outside_effects_settled_idx is 'Purging the effects of pushes and invitations.';

alter table private.outside_effects enable row level security;
revoke all on table private.outside_effects from public, anon, authenticated, service_role, leadgen_worker;

-- Whether worker p_worker still holds the lease of attempt p_attempt on row p_row of a leased queue; the row is
-- locked (FOR SHARE) until the caller's transaction ends, so nobody claims it meanwhile.
create function private.holds_worker_lease(p_queue text, p_row bigint, p_worker text, p_attempt integer)
returns boolean
language plpgsql security definer
set search_path = ''
as $$
declare
  v_held boolean;
begin
  if p_queue = 'workflow_jobs' then
    select true into v_held from private.workflow_jobs q
     where q.id = p_row and q.state = 'pending' and q.locked_by = p_worker and q.attempts = p_attempt for share;
  elsif p_queue = 'integration_deliveries' then
    select true into v_held from private.integration_deliveries q
     where q.id = p_row and q.state = 'pending' and q.locked_by = p_worker and q.attempts = p_attempt for share;
  elsif p_queue = 'invitation_emails' then
    select true into v_held from private.invitation_emails q
     where q.id = p_row and q.state = 'pending' and q.locked_by = p_worker and q.attempts = p_attempt for share;
  else
    raise exception 'no leased queue named %', p_queue using errcode = '22023';
  end if;
  return coalesce(v_held, false);
end
$$;
comment on function private.holds_worker_lease(text, bigint, text, integer) is
  'True when the worker still holds the lease of this attempt on a row of workflow_jobs, integration_deliveries or '
  'invitation_emails (the row is then locked FOR SHARE until the caller''s transaction ends).';

-- Starts an outside effect under its key, for the holder of a queue row's lease (else LG409). Returns
-- {key, previous: null | sending | failed | sent, attempts, firstAttemptAt, sentAt, detail, duplicatesAvoided}:
-- previous = sent means it went out already and must not be sent again (counted as a duplicate avoided).
create function private.begin_outside_effect(p_queue text, p_row bigint, p_worker text, p_attempt integer,
                                             p_now timestamptz, p_key text, p_kind text,
                                             p_execution uuid default null, p_step integer default null)
returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  v_effect private.outside_effects;
begin
  if p_now is null then
    raise exception 'an outside effect needs the worker''s time' using errcode = '22023';
  end if;
  if not private.holds_worker_lease(p_queue, p_row, p_worker, p_attempt) then
    raise exception 'the lease on % % is no longer held by %', p_queue, p_row, p_worker using errcode = 'LG409';
  end if;
  select * into v_effect from private.outside_effects e where e.key = p_key for update;
  if not found then
    insert into private.outside_effects (key, kind, execution_id, step_index, state, first_attempt_at, last_attempt_at)
    values (p_key, p_kind, p_execution, p_step, 'sending', p_now, p_now)
    on conflict (key) do nothing;
    if found then
      return jsonb_build_object('key', p_key, 'previous', null, 'attempts', 1, 'firstAttemptAt', p_now);
    end if;
    select * into v_effect from private.outside_effects e where e.key = p_key for update;
  end if;
  if v_effect.state = 'sent' then
    update private.outside_effects
       set duplicates_avoided = duplicates_avoided + 1, last_attempt_at = greatest(last_attempt_at, p_now)
     where key = p_key;
    return jsonb_build_object('key', p_key, 'previous', 'sent', 'attempts', v_effect.attempts,
                              'firstAttemptAt', v_effect.first_attempt_at, 'sentAt', v_effect.sent_at,
                              'detail', v_effect.detail, 'duplicatesAvoided', v_effect.duplicates_avoided + 1);
  end if;
  update private.outside_effects
     set state = 'sending', attempts = attempts + 1, last_attempt_at = p_now
   where key = p_key;
  return jsonb_build_object('key', p_key, 'previous', v_effect.state, 'attempts', v_effect.attempts + 1,
                            'firstAttemptAt', v_effect.first_attempt_at, 'detail', v_effect.detail);
end
$$;
comment on function private.begin_outside_effect(text, bigint, text, integer, timestamptz, text, text, uuid, integer)
  is 'Records that an outside effect is being sent under its idempotency key (committed before it goes out), if the '
     'caller holds the lease of its queue row (else LG409); says whether and how it was tried before.';

-- Records what became of an effect after it was tried: sent or failed (a known failure; retries send again).
create function private.settle_outside_effect(p_key text, p_now timestamptz, p_outcome text, p_detail jsonb)
returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  if p_outcome is null or p_outcome not in ('sent', 'failed') then
    raise exception 'unknown effect outcome %', p_outcome using errcode = '22023';
  end if;
  update private.outside_effects
     set state = p_outcome, sent_at = case when p_outcome = 'sent' then p_now end,
         detail = case when jsonb_typeof(p_detail) = 'object' then p_detail else '{}'::jsonb end
   where key = p_key and state = 'sending';
end
$$;
comment on function private.settle_outside_effect(text, timestamptz, text, jsonb) is
  'Records that an outside effect was sent (a retry will not send it again) or failed (a retry sends it again).';

create function private.purge_outside_effects(p_before timestamptz) returns integer
language sql security definer
set search_path = ''
as $$
  with gone as (
    delete from private.outside_effects e
     where e.execution_id is null and e.last_attempt_at < p_before
    returning 1
  )
  select count(*)::integer from gone
$$;
comment on function private.purge_outside_effects(timestamptz) is
  'Deletes the effects of pushes and invitations last tried before p_before (a step''s go with its execution).';

revoke all on function private.holds_worker_lease(text, bigint, text, integer) from public;
revoke all on function private.begin_outside_effect(text, bigint, text, integer, timestamptz, text, text, uuid, integer)
  from public;
revoke all on function private.settle_outside_effect(text, timestamptz, text, jsonb) from public;
revoke all on function private.purge_outside_effects(timestamptz) from public;
grant execute on function private.begin_outside_effect(text, bigint, text, integer, timestamptz, text, text, uuid,
  integer) to leadgen_worker;
grant execute on function private.settle_outside_effect(text, timestamptz, text, jsonb) to leadgen_worker;
grant execute on function private.purge_outside_effects(timestamptz) to leadgen_worker;

-- A worker wakes up when a lease runs out (a worker that died leaves its rows then): the earliest lease end of
-- each queue is one index probe.
create index workflow_events_lease_idx on private.workflow_events (locked_until)
  where state = 'pending' and locked_until is not null;
comment on index private.workflow_events_lease_idx is 'The earliest end of a lease (when a dead worker''s row is free).';
create index workflow_jobs_lease_idx on private.workflow_jobs (locked_until)
  where state = 'pending' and locked_until is not null;
comment on index private.workflow_jobs_lease_idx is 'The earliest end of a lease (when a dead worker''s row is free).';
create index integration_deliveries_lease_idx on private.integration_deliveries (locked_until)
  where state = 'pending' and locked_until is not null;
comment on index private.integration_deliveries_lease_idx is 'The earliest end of a lease (when a dead worker''s row is free).';
create index invitation_emails_lease_idx on private.invitation_emails (locked_until)
  where state = 'pending' and locked_until is not null;
comment on index private.invitation_emails_lease_idx is 'The earliest end of a lease (when a dead worker''s row is free).';
