-- Row Level Security on every table. Postgres is the security boundary: these policies decide every row
-- for GraphQL, for Supabase's REST API and for anyone connecting as `anon`/`authenticated`.
--
-- Scopes: a row with a space_id belongs to the space (members read it; viewers only read; members write
-- data rows - leads, companies, customers, activities, campaign associations; owners and admins also
-- manage configuration and delete); a row without one belongs to its user_id alone. Platform admins
-- (app_metadata.leadgen_role = 'admin') read everything. `anon` has no privilege on any table.
-- Immutable columns (id, user_id, created_at, updated_at) are protected by column-level UPDATE grants.
-- Policies use the `(select auth.uid())` / `= any (array(select ...))` forms so that Postgres evaluates
-- them once per statement (an InitPlan) rather than once per row.

-- Row-dependent checks for writes, in SECURITY DEFINER functions so they can look at a parent row and its
-- scope regardless of the caller's visibility (the caller's right to write is checked separately).
create function private.can_write_lead(p_lead uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce((select private.can_write_scope(l.user_id, l.space_id) from public.leads l where l.id = p_lead), false)
$$;

create function private.can_manage_lead(p_lead uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce((select private.can_manage_scope(l.user_id, l.space_id) from public.leads l where l.id = p_lead), false)
$$;

create function private.can_manage_form(p_form uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce((select private.can_manage_scope(f.user_id, f.space_id) from public.lead_forms f where f.id = p_form),
                  false)
$$;

create function private.can_manage_workflow(p_workflow uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce((select private.can_manage_scope(w.user_id, w.space_id)
                   from public.lead_workflows w where w.id = p_workflow), false)
$$;

create function private.workflow_and_lead_share_scope(p_workflow uuid, p_lead uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.lead_workflows w, public.leads l
    where w.id = p_workflow and l.id = p_lead and private.same_scope(w.user_id, w.space_id, l.user_id, l.space_id))
$$;

create function private.campaign_and_lead_share_scope(p_campaign uuid, p_lead uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.lead_campaigns c, public.leads l
    where c.id = p_campaign and l.id = p_lead and private.same_scope(c.user_id, c.space_id, l.user_id, l.space_id))
$$;

-- A lead may only point at rows of its own scope: its company, stage, source, form and customer, and an
-- assignee who belongs to the scope.
create function private.lead_refs_in_scope(
  p_user uuid, p_space uuid, p_company uuid, p_stage uuid, p_source uuid, p_form uuid, p_customer uuid,
  p_assignee uuid
) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select (p_company is null or exists (select 1 from public.companies c
            where c.id = p_company and private.same_scope(c.user_id, c.space_id, p_user, p_space)))
     and (p_stage is null or exists (select 1 from public.lead_stages s
            where s.id = p_stage and private.same_scope(s.user_id, s.space_id, p_user, p_space)))
     and (p_source is null or exists (select 1 from public.lead_sources s
            where s.id = p_source and private.same_scope(s.user_id, s.space_id, p_user, p_space)))
     and (p_form is null or exists (select 1 from public.lead_forms f
            where f.id = p_form and private.same_scope(f.user_id, f.space_id, p_user, p_space)))
     and (p_customer is null or exists (select 1 from public.customers c
            where c.id = p_customer and private.same_scope(c.user_id, c.space_id, p_user, p_space)))
     and (p_assignee is null or private.is_in_scope(p_assignee, p_user, p_space))
$$;

create function private.customer_refs_in_scope(p_user uuid, p_space uuid, p_lead uuid, p_company uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select (p_lead is null or exists (select 1 from public.leads l
            where l.id = p_lead and private.same_scope(l.user_id, l.space_id, p_user, p_space)))
     and (p_company is null or exists (select 1 from public.companies c
            where c.id = p_company and private.same_scope(c.user_id, c.space_id, p_user, p_space)))
$$;

comment on function private.can_write_lead(uuid) is 'Caller may write the lead (and attach activities/associations to it).';
comment on function private.can_manage_lead(uuid) is 'Caller may delete the lead and its children.';
comment on function private.can_manage_form(uuid) is 'Caller may change the form and its fields.';
comment on function private.can_manage_workflow(uuid) is 'Caller may change the workflow, its steps and executions.';
comment on function private.workflow_and_lead_share_scope(uuid, uuid) is 'Workflow and lead live in the same scope.';
comment on function private.campaign_and_lead_share_scope(uuid, uuid) is 'Campaign and lead live in the same scope.';
comment on function private.lead_refs_in_scope(uuid, uuid, uuid, uuid, uuid, uuid, uuid, uuid) is
  'Every row a lead references belongs to the lead''s own scope.';
comment on function private.customer_refs_in_scope(uuid, uuid, uuid, uuid) is
  'The lead and company a customer references belong to its scope.';

revoke all on function private.can_write_lead(uuid) from public;
revoke all on function private.can_manage_lead(uuid) from public;
revoke all on function private.can_manage_form(uuid) from public;
revoke all on function private.can_manage_workflow(uuid) from public;
revoke all on function private.workflow_and_lead_share_scope(uuid, uuid) from public;
revoke all on function private.campaign_and_lead_share_scope(uuid, uuid) from public;
revoke all on function private.lead_refs_in_scope(uuid, uuid, uuid, uuid, uuid, uuid, uuid, uuid) from public;
revoke all on function private.customer_refs_in_scope(uuid, uuid, uuid, uuid) from public;
grant execute on function private.can_write_lead(uuid) to authenticated;
grant execute on function private.can_manage_lead(uuid) to authenticated;
grant execute on function private.can_manage_form(uuid) to authenticated;
grant execute on function private.can_manage_workflow(uuid) to authenticated;
grant execute on function private.workflow_and_lead_share_scope(uuid, uuid) to authenticated;
grant execute on function private.campaign_and_lead_share_scope(uuid, uuid) to authenticated;
grant execute on function private.lead_refs_in_scope(uuid, uuid, uuid, uuid, uuid, uuid, uuid, uuid) to authenticated;
grant execute on function private.customer_refs_in_scope(uuid, uuid, uuid, uuid) to authenticated;

-- The same scope rule for everyone, Studio and service_role included (they bypass RLS): a lead's
-- references and a customer's stay inside its scope. An update that keeps the row in its scope only has
-- the references it changes checked (nullif(new, old) is null when unchanged): a reference that went stale
-- meanwhile (an assignee who left the space) must not block unrelated changes, such as the ON DELETE SET NULL
-- of another reference or the hand-over of a deleted user's rows.
create function private.check_lead_refs() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  in_scope boolean;
begin
  in_scope := case
    when tg_op = 'UPDATE' and private.same_scope(old.user_id, old.space_id, new.user_id, new.space_id) then
      private.lead_refs_in_scope(new.user_id, new.space_id, nullif(new.company_id, old.company_id),
                                 nullif(new.stage_id, old.stage_id), nullif(new.source_id, old.source_id),
                                 nullif(new.form_id, old.form_id), nullif(new.customer_id, old.customer_id),
                                 nullif(new.assigned_to, old.assigned_to))
    else
      private.lead_refs_in_scope(new.user_id, new.space_id, new.company_id, new.stage_id, new.source_id,
                                 new.form_id, new.customer_id, new.assigned_to)
  end;
  if not in_scope then
    raise exception 'lead % references a company, stage, source, form, customer or assignee outside its scope', new.id
      using errcode = '23503', constraint = 'leads_refs_in_scope';
  end if;
  return new;
end
$$;
create trigger leads_check_refs before insert or update of user_id, space_id, company_id, stage_id, source_id,
  form_id, customer_id, assigned_to on public.leads
  for each row execute function private.check_lead_refs();

create function private.check_customer_refs() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  in_scope boolean;
begin
  in_scope := case
    when tg_op = 'UPDATE' and private.same_scope(old.user_id, old.space_id, new.user_id, new.space_id) then
      private.customer_refs_in_scope(new.user_id, new.space_id, nullif(new.lead_id, old.lead_id),
                                     nullif(new.company_id, old.company_id))
    else
      private.customer_refs_in_scope(new.user_id, new.space_id, new.lead_id, new.company_id)
  end;
  if not in_scope then
    raise exception 'customer % references a lead or company outside its scope', new.id
      using errcode = '23503', constraint = 'customers_refs_in_scope';
  end if;
  return new;
end
$$;
create trigger customers_check_refs before insert or update of user_id, space_id, lead_id, company_id
  on public.customers
  for each row execute function private.check_customer_refs();

-- Taking a data row out of its space (to another space, or to personal) removes it from the space, which
-- is what deleting it does: an API caller needs the right to delete there (owner or admin), not only to
-- write. WITH CHECK cannot see the old row, hence a trigger (configuration rows need no trigger: their
-- UPDATE policies already require owner/admin of the old space). Callers without a JWT subject (Studio,
-- service_role) are not restricted, like RLS does not restrict them.
create function private.check_space_exit() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if old.space_id is not null and new.space_id is distinct from old.space_id
     and (select auth.uid()) is not null
     and not private.can_manage_scope(old.user_id, old.space_id) then
    raise exception 'only an owner or admin of the space may take this % row out of it', tg_table_name
      using errcode = '42501';
  end if;
  return new;
end
$$;
comment on function private.check_space_exit() is
  'BEFORE UPDATE OF space_id on data rows: moving a row out of a space takes the right to delete there.';
revoke all on function private.check_space_exit() from public;
create trigger companies_check_exit_from_space before update of space_id on public.companies
  for each row execute function private.check_space_exit();
create trigger customers_check_exit_from_space before update of space_id on public.customers
  for each row execute function private.check_space_exit();
create trigger leads_check_exit_from_space before update of space_id on public.leads
  for each row execute function private.check_space_exit();

-- companies: data (members write; owners/admins delete)
alter table public.companies enable row level security;
revoke all on table public.companies from anon, authenticated;
grant select, insert, delete on table public.companies to authenticated;
grant update (
  space_id, name, website, industry, company_size, company_data, is_active
) on table public.companies to authenticated;
grant all on table public.companies to service_role;
create policy companies_select on public.companies for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy companies_insert on public.companies for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.writable_space_ids())))
);
create policy companies_update on public.companies for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.writable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.writable_space_ids()))));
create policy companies_delete on public.companies for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- customers: data (members write; owners/admins delete)
alter table public.customers enable row level security;
revoke all on table public.customers from anon, authenticated;
grant select, insert, delete on table public.customers to authenticated;
grant update (
  space_id, lead_id, company_id, name, email, phone, customer_data, converted_at
) on table public.customers to authenticated;
grant all on table public.customers to service_role;
create policy customers_select on public.customers for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy customers_insert on public.customers for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.writable_space_ids())))
    and private.customer_refs_in_scope(user_id, space_id, lead_id, company_id)
);
create policy customers_update on public.customers for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.writable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.writable_space_ids())))
    and private.customer_refs_in_scope(user_id, space_id, lead_id, company_id));
create policy customers_delete on public.customers for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- leads: data (members write; owners/admins delete)
alter table public.leads enable row level security;
revoke all on table public.leads from anon, authenticated;
grant select, insert, delete on table public.leads to authenticated;
grant update (
  space_id, company_id, assigned_to, first_name, last_name, email, phone, job_title, stage_id,
  source_id, score, status, form_id, form_submission_data, custom_fields, budget, authority, need, timeline,
  enriched_data, converted_to_customer, customer_id
) on table public.leads to authenticated;
grant all on table public.leads to service_role;
create policy leads_select on public.leads for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy leads_insert on public.leads for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.writable_space_ids())))
    and private.lead_refs_in_scope(user_id, space_id, company_id, stage_id, source_id, form_id, customer_id, assigned_to)
);
create policy leads_update on public.leads for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.writable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.writable_space_ids())))
    and private.lead_refs_in_scope(user_id, space_id, company_id, stage_id, source_id, form_id, customer_id, assigned_to));
create policy leads_delete on public.leads for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_stages: configuration (owners/admins write and delete)
alter table public.lead_stages enable row level security;
revoke all on table public.lead_stages from anon, authenticated;
grant select, insert, delete on table public.lead_stages to authenticated;
grant update (
  space_id, name, stage_order, color, is_default
) on table public.lead_stages to authenticated;
grant all on table public.lead_stages to service_role;
create policy lead_stages_select on public.lead_stages for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_stages_insert on public.lead_stages for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_stages_update on public.lead_stages for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_stages_delete on public.lead_stages for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_sources: configuration (owners/admins write and delete)
alter table public.lead_sources enable row level security;
revoke all on table public.lead_sources from anon, authenticated;
grant select, insert, delete on table public.lead_sources to authenticated;
grant update (
  space_id, name, type, utm_source, utm_medium, utm_campaign
) on table public.lead_sources to authenticated;
grant all on table public.lead_sources to service_role;
create policy lead_sources_select on public.lead_sources for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_sources_insert on public.lead_sources for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_sources_update on public.lead_sources for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_sources_delete on public.lead_sources for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_forms: configuration (owners/admins write and delete)
alter table public.lead_forms enable row level security;
revoke all on table public.lead_forms from anon, authenticated;
grant select, insert, delete on table public.lead_forms to authenticated;
grant update (
  space_id, name, title, description, ai_personalization_enabled, form_settings, is_published,
  published_at
) on table public.lead_forms to authenticated;
grant all on table public.lead_forms to service_role;
create policy lead_forms_select on public.lead_forms for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_forms_insert on public.lead_forms for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_forms_update on public.lead_forms for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_forms_delete on public.lead_forms for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_scoring_rules: configuration (owners/admins write and delete)
alter table public.lead_scoring_rules enable row level security;
revoke all on table public.lead_scoring_rules from anon, authenticated;
grant select, insert, delete on table public.lead_scoring_rules to authenticated;
grant update (
  space_id, name, description, criteria_type, criteria_field, condition, value, points,
  is_active
) on table public.lead_scoring_rules to authenticated;
grant all on table public.lead_scoring_rules to service_role;
create policy lead_scoring_rules_select on public.lead_scoring_rules for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_scoring_rules_insert on public.lead_scoring_rules for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_scoring_rules_update on public.lead_scoring_rules for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_scoring_rules_delete on public.lead_scoring_rules for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_workflows: configuration (owners/admins write and delete)
alter table public.lead_workflows enable row level security;
revoke all on table public.lead_workflows from anon, authenticated;
grant select, insert, delete on table public.lead_workflows to authenticated;
grant update (
  space_id, name, description, is_active, workflow_settings
) on table public.lead_workflows to authenticated;
grant all on table public.lead_workflows to service_role;
create policy lead_workflows_select on public.lead_workflows for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_workflows_insert on public.lead_workflows for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_workflows_update on public.lead_workflows for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_workflows_delete on public.lead_workflows for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_campaigns: configuration (owners/admins write and delete)
alter table public.lead_campaigns enable row level security;
revoke all on table public.lead_campaigns from anon, authenticated;
grant select, insert, delete on table public.lead_campaigns to authenticated;
grant update (
  space_id, name, description, campaign_type, status, start_date, end_date, budget, spent
) on table public.lead_campaigns to authenticated;
grant all on table public.lead_campaigns to service_role;
create policy lead_campaigns_select on public.lead_campaigns for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_campaigns_insert on public.lead_campaigns for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_campaigns_update on public.lead_campaigns for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_campaigns_delete on public.lead_campaigns for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_integrations: configuration (owners/admins write and delete)
alter table public.lead_integrations enable row level security;
revoke all on table public.lead_integrations from anon, authenticated;
-- credentials is write-only: every column but it is selectable.
grant select (id, user_id, space_id, integration_type, integration_name, is_active, settings, credentials_hint,
  has_credentials, last_sync_at, sync_status, sync_error, created_at, updated_at)
  on table public.lead_integrations to authenticated;
grant insert, delete on table public.lead_integrations to authenticated;
grant update (
  space_id, integration_type, integration_name, is_active, settings, credentials,
  credentials_hint, last_sync_at, sync_status, sync_error
) on table public.lead_integrations to authenticated;
grant all on table public.lead_integrations to service_role;
create policy lead_integrations_select on public.lead_integrations for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_integrations_insert on public.lead_integrations for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_integrations_update on public.lead_integrations for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_integrations_delete on public.lead_integrations for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_custom_fields: configuration (owners/admins write and delete)
alter table public.lead_custom_fields enable row level security;
revoke all on table public.lead_custom_fields from anon, authenticated;
grant select, insert, delete on table public.lead_custom_fields to authenticated;
grant update (
  space_id, field_name, field_label, field_type, is_required, options
) on table public.lead_custom_fields to authenticated;
grant all on table public.lead_custom_fields to service_role;
create policy lead_custom_fields_select on public.lead_custom_fields for select to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.readable_space_ids()))
    or (select private.is_platform_admin())
);
create policy lead_custom_fields_insert on public.lead_custom_fields for insert to authenticated with check (
    user_id = (select auth.uid())
    and (space_id is null or space_id = any (array(select private.manageable_space_ids())))
);
create policy lead_custom_fields_update on public.lead_custom_fields for update to authenticated
  using ((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids())))
  with check (((space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))));
create policy lead_custom_fields_delete on public.lead_custom_fields for delete to authenticated using (
    (space_id is null and user_id = (select auth.uid()))
    or space_id = any (array(select private.manageable_space_ids()))
);

-- lead_form_fields: follow their form: readable with it, written by those who manage it
alter table public.lead_form_fields enable row level security;
revoke all on table public.lead_form_fields from anon, authenticated;
grant select, insert, delete on table public.lead_form_fields to authenticated;
grant update (field_name, field_type, label, placeholder, is_required, field_order, options, validation_rules) on table public.lead_form_fields to authenticated;
grant all on table public.lead_form_fields to service_role;
create policy lead_form_fields_select on public.lead_form_fields for select to authenticated using (
    exists (select 1 from public.lead_forms f where f.id = lead_form_fields.form_id)
);
create policy lead_form_fields_insert on public.lead_form_fields for insert to authenticated with check (
    private.can_manage_form(form_id)
);
create policy lead_form_fields_update on public.lead_form_fields for update to authenticated
  using (private.can_manage_form(form_id))
  with check (private.can_manage_form(form_id));
create policy lead_form_fields_delete on public.lead_form_fields for delete to authenticated using (
    private.can_manage_form(form_id)
);

-- lead_workflow_triggers: follow their workflow
alter table public.lead_workflow_triggers enable row level security;
revoke all on table public.lead_workflow_triggers from anon, authenticated;
grant select, insert, delete on table public.lead_workflow_triggers to authenticated;
grant update (trigger_type, trigger_conditions) on table public.lead_workflow_triggers to authenticated;
grant all on table public.lead_workflow_triggers to service_role;
create policy lead_workflow_triggers_select on public.lead_workflow_triggers for select to authenticated using (
    exists (select 1 from public.lead_workflows w where w.id = lead_workflow_triggers.workflow_id)
);
create policy lead_workflow_triggers_insert on public.lead_workflow_triggers for insert to authenticated with check (
    private.can_manage_workflow(workflow_id)
);
create policy lead_workflow_triggers_update on public.lead_workflow_triggers for update to authenticated
  using (private.can_manage_workflow(workflow_id))
  with check (private.can_manage_workflow(workflow_id));
create policy lead_workflow_triggers_delete on public.lead_workflow_triggers for delete to authenticated using (
    private.can_manage_workflow(workflow_id)
);

-- lead_workflow_actions: follow their workflow
alter table public.lead_workflow_actions enable row level security;
revoke all on table public.lead_workflow_actions from anon, authenticated;
grant select, insert, delete on table public.lead_workflow_actions to authenticated;
grant update (action_type, action_config, action_order, delay_seconds) on table public.lead_workflow_actions to authenticated;
grant all on table public.lead_workflow_actions to service_role;
create policy lead_workflow_actions_select on public.lead_workflow_actions for select to authenticated using (
    exists (select 1 from public.lead_workflows w where w.id = lead_workflow_actions.workflow_id)
);
create policy lead_workflow_actions_insert on public.lead_workflow_actions for insert to authenticated with check (
    private.can_manage_workflow(workflow_id)
);
create policy lead_workflow_actions_update on public.lead_workflow_actions for update to authenticated
  using (private.can_manage_workflow(workflow_id))
  with check (private.can_manage_workflow(workflow_id));
create policy lead_workflow_actions_delete on public.lead_workflow_actions for delete to authenticated using (
    private.can_manage_workflow(workflow_id)
);

-- lead_workflow_executions: follow their workflow and lead; a workflow only runs on leads of its own scope
alter table public.lead_workflow_executions enable row level security;
revoke all on table public.lead_workflow_executions from anon, authenticated;
grant select, insert, delete on table public.lead_workflow_executions to authenticated;
grant update (status, execution_data, started_at, completed_at, error) on table public.lead_workflow_executions to authenticated;
grant all on table public.lead_workflow_executions to service_role;
create policy lead_workflow_executions_select on public.lead_workflow_executions for select to authenticated using (
    exists (select 1 from public.lead_workflows w where w.id = lead_workflow_executions.workflow_id)
    and exists (select 1 from public.leads l where l.id = lead_workflow_executions.lead_id)
);
create policy lead_workflow_executions_insert on public.lead_workflow_executions for insert to authenticated with check (
    private.can_manage_workflow(workflow_id)
    and private.workflow_and_lead_share_scope(workflow_id, lead_id)
);
create policy lead_workflow_executions_update on public.lead_workflow_executions for update to authenticated
  using (private.can_manage_workflow(workflow_id))
  with check (private.can_manage_workflow(workflow_id)
    and private.workflow_and_lead_share_scope(workflow_id, lead_id));
create policy lead_workflow_executions_delete on public.lead_workflow_executions for delete to authenticated using (
    private.can_manage_workflow(workflow_id)
);

-- lead_activities: follow their lead: readable with it, logged by its writers as themselves; edited by their author or a manager
alter table public.lead_activities enable row level security;
revoke all on table public.lead_activities from anon, authenticated;
grant select, insert, delete on table public.lead_activities to authenticated;
grant update (activity_type, description, activity_data) on table public.lead_activities to authenticated;
grant all on table public.lead_activities to service_role;
create policy lead_activities_select on public.lead_activities for select to authenticated using (
    exists (select 1 from public.leads l where l.id = lead_activities.lead_id)
);
create policy lead_activities_insert on public.lead_activities for insert to authenticated with check (
    user_id = (select auth.uid())
    and private.can_write_lead(lead_id)
);
create policy lead_activities_update on public.lead_activities for update to authenticated
  using (private.can_write_lead(lead_id)
    and (user_id = (select auth.uid()) or private.can_manage_lead(lead_id)))
  with check (private.can_write_lead(lead_id));
create policy lead_activities_delete on public.lead_activities for delete to authenticated using (
    private.can_manage_lead(lead_id)
);

-- lead_campaign_associations: writable by the lead's writers (members add and remove leads), only with a campaign of the lead's scope
alter table public.lead_campaign_associations enable row level security;
revoke all on table public.lead_campaign_associations from anon, authenticated;
grant select, insert, delete on table public.lead_campaign_associations to authenticated;
grant update (associated_at) on table public.lead_campaign_associations to authenticated;
grant all on table public.lead_campaign_associations to service_role;
create policy lead_campaign_associations_select on public.lead_campaign_associations for select to authenticated using (
    exists (select 1 from public.leads l where l.id = lead_campaign_associations.lead_id)
    and exists (select 1 from public.lead_campaigns c where c.id = lead_campaign_associations.campaign_id)
);
create policy lead_campaign_associations_insert on public.lead_campaign_associations for insert to authenticated with check (
    private.can_write_lead(lead_id)
    and private.campaign_and_lead_share_scope(campaign_id, lead_id)
);
create policy lead_campaign_associations_update on public.lead_campaign_associations for update to authenticated
  using (private.can_write_lead(lead_id))
  with check (private.can_write_lead(lead_id)
    and private.campaign_and_lead_share_scope(campaign_id, lead_id));
create policy lead_campaign_associations_delete on public.lead_campaign_associations for delete to authenticated using (
    private.can_write_lead(lead_id)
);

