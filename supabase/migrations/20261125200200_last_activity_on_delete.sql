-- leads.last_activity_at follows the newest activity also when activities are deleted: it goes back to the
-- newest one left (null when none is left), so the inactivity scan and "last activity" sorting stay right after
-- a mistaken activity is removed. One statement per DELETE statement (transition table), each lead once.
create function private.recompute_last_activity() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  update public.leads l
     set last_activity_at = latest.at
    from (select d.lead_id, (select max(a.created_at) from public.lead_activities a where a.lead_id = d.lead_id) as at
            from (select distinct o.lead_id from old_activities o) d) latest
   where l.id = latest.lead_id
     and l.last_activity_at is distinct from latest.at;
  return null;
end
$$;
comment on function private.recompute_last_activity() is
  'AFTER DELETE trigger on lead_activities: moves leads.last_activity_at back to the newest activity left.';
revoke all on function private.recompute_last_activity() from public;

create trigger lead_activities_recompute_last_activity after delete on public.lead_activities
  referencing old table as old_activities
  for each statement execute function private.recompute_last_activity();
