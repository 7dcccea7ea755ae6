-- Every change of a lead's stage is logged as a `stage_changed` activity, whoever makes it: moveLead,
-- updateLead / updateLeads with a stageId, a workflow's change_stage step, or an edit in Studio or over REST.
-- Before, only moveLead logged it, in the same statement as the move, and read the "from" stage before its
-- UPDATE took the row lock, so two racing moves could both record the same "from". The trigger sees OLD as
-- the update really found it. A lead losing its stage (its stage deleted: ON DELETE SET NULL) logs nothing.
create function private.log_stage_change() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_from record;
  v_to record;
begin
  select s.id, s.name into v_to from public.lead_stages s where s.id = new.stage_id;
  select s.id, s.name into v_from from public.lead_stages s where s.id = old.stage_id;
  insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
  values (
    new.id, auth.uid(), 'stage_changed',
    case when v_from.id is null then format('Moved to %s', v_to.name)
         else format('Moved from %s to %s', v_from.name, v_to.name) end,
    jsonb_build_object(
      'from', case when v_from.id is null then null else jsonb_build_object('id', v_from.id, 'name', v_from.name) end,
      'to', jsonb_build_object('id', v_to.id, 'name', v_to.name)));
  return null;
end
$$;
comment on function private.log_stage_change() is
  'AFTER UPDATE OF stage_id on leads: records a stage_changed activity with activity_data {from, to}.';
revoke all on function private.log_stage_change() from public;

create trigger leads_log_stage_change after update of stage_id on public.leads
  for each row when (old.stage_id is distinct from new.stage_id and new.stage_id is not null)
  execute function private.log_stage_change();
