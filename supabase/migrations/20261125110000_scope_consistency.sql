-- Keep references inside their scope when the scope changes under them, so that no row is left pointing
-- across scopes (which RLS would then refuse to let anyone update):
-- * a member who leaves a space is unassigned from the space's leads;
-- * a company, stage, source, form or customer that moves to another scope is unlinked from the rows of its
--   old scope; a lead that moves leaves the campaigns of its old scope and its customer link if out of scope.

create function private.unassign_departed_member() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  update public.leads set assigned_to = null where space_id = old.space_id and assigned_to = old.user_id;
  return null;
end
$$;
comment on function private.unassign_departed_member() is
  'AFTER DELETE on space_members: the leaving member is unassigned from the space''s leads.';
revoke all on function private.unassign_departed_member() from public;
create trigger space_members_unassign_departed after delete on public.space_members
  for each row execute function private.unassign_departed_member();

create function private.unlink_moved_reference() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if private.same_scope(old.user_id, old.space_id, new.user_id, new.space_id) then
    return null;
  end if;
  case tg_table_name
    when 'companies' then
      update public.leads l set company_id = null
       where l.company_id = new.id and not private.same_scope(l.user_id, l.space_id, new.user_id, new.space_id);
      update public.customers c set company_id = null
       where c.company_id = new.id and not private.same_scope(c.user_id, c.space_id, new.user_id, new.space_id);
    when 'lead_stages' then
      update public.leads l set stage_id = null
       where l.stage_id = new.id and not private.same_scope(l.user_id, l.space_id, new.user_id, new.space_id);
    when 'lead_sources' then
      update public.leads l set source_id = null
       where l.source_id = new.id and not private.same_scope(l.user_id, l.space_id, new.user_id, new.space_id);
    when 'lead_forms' then
      update public.leads l set form_id = null
       where l.form_id = new.id and not private.same_scope(l.user_id, l.space_id, new.user_id, new.space_id);
    when 'customers' then
      update public.leads l set customer_id = null
       where l.customer_id = new.id and not private.same_scope(l.user_id, l.space_id, new.user_id, new.space_id);
    when 'leads' then
      update public.customers c set lead_id = null
       where c.lead_id = new.id and not private.same_scope(c.user_id, c.space_id, new.user_id, new.space_id);
      delete from public.lead_campaign_associations a
       using public.lead_campaigns c
       where a.lead_id = new.id and c.id = a.campaign_id
         and not private.same_scope(c.user_id, c.space_id, new.user_id, new.space_id);
    when 'lead_campaigns' then
      delete from public.lead_campaign_associations a
       using public.leads l
       where a.campaign_id = new.id and l.id = a.lead_id
         and not private.same_scope(l.user_id, l.space_id, new.user_id, new.space_id);
    else
      null;
  end case;
  return null;
end
$$;
comment on function private.unlink_moved_reference() is
  'AFTER UPDATE OF user_id, space_id: rows of the old scope stop pointing at a row that moved away.';
revoke all on function private.unlink_moved_reference() from public;

create trigger companies_unlink_moved after update of user_id, space_id on public.companies
  for each row execute function private.unlink_moved_reference();
create trigger lead_stages_unlink_moved after update of user_id, space_id on public.lead_stages
  for each row execute function private.unlink_moved_reference();
create trigger lead_sources_unlink_moved after update of user_id, space_id on public.lead_sources
  for each row execute function private.unlink_moved_reference();
create trigger lead_forms_unlink_moved after update of user_id, space_id on public.lead_forms
  for each row execute function private.unlink_moved_reference();
create trigger customers_unlink_moved after update of user_id, space_id on public.customers
  for each row execute function private.unlink_moved_reference();
create trigger leads_unlink_moved after update of user_id, space_id on public.leads
  for each row execute function private.unlink_moved_reference();
create trigger lead_campaigns_unlink_moved after update of user_id, space_id on public.lead_campaigns
  for each row execute function private.unlink_moved_reference();
