-- Trigger conditions written past the API (Studio, REST) that cannot be used are refused by the worker where a
-- workflow's managers look: instead of silently starting nothing, each event such a trigger would have been
-- offered records a failed execution of its workflow whose error says what is wrong (the API checks conditions
-- when they are written; see domain/workflows/conditions.py). Action configs written past the API are refused
-- when their step runs: the step and its execution fail with "invalid actionConfig (...)".

create function private.refuse_workflow_executions(p_event bigint, p_workflows uuid[], p_errors text[],
                                                   p_now timestamptz) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  v_event private.workflow_events;
  v_refused integer;
begin
  select * into v_event from private.workflow_events e where e.id = p_event;
  if v_event.id is null then
    return 0;
  end if;
  insert into public.lead_workflow_executions (workflow_id, lead_id, event_id, status, started_at, completed_at, error,
                                               execution_data)
  select r.workflow_id, l.id, p_event, 'failed', p_now, p_now, left(coalesce(r.error, 'not started'), 2000),
         jsonb_build_object(
           'event', jsonb_build_object('id', v_event.id, 'type', v_event.event_type, 'payload', v_event.payload,
                                       'createdAt', v_event.created_at, 'chainDepth', v_event.chain_depth),
           'steps', '[]'::jsonb)
    from unnest(p_workflows, p_errors) as r (workflow_id, error)
    join public.lead_workflows w on w.id = r.workflow_id
    join public.leads l on l.id = v_event.lead_id
   -- only what private.workflow_event_candidates offers, for a lead still of the workflow's scope
   where exists (select 1 from private.workflow_event_candidates(p_event) c where c.workflow_id = r.workflow_id)
     and coalesce(private.same_scope(w.user_id, w.space_id, l.user_id, l.space_id), false)
  on conflict (workflow_id, lead_id, event_id) do nothing;
  get diagnostics v_refused = row_count;
  return v_refused;
end
$$;
comment on function private.refuse_workflow_executions(bigint, uuid[], text[], timestamptz) is
  'Records, for an event, a failed execution of each workflow (among its candidates) whose trigger conditions '
  'cannot be used, with the error saying why (p_errors, one per workflow); at most one per workflow, lead and event.';
revoke all on function private.refuse_workflow_executions(bigint, uuid[], text[], timestamptz) from public;
grant execute on function private.refuse_workflow_executions(bigint, uuid[], text[], timestamptz) to leadgen_worker;
