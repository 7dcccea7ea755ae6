-- A change of a custom field definition is judged against the values the scope's leads already hold.
--
-- leads_check_custom_fields (20261125160000) judges the values a lead write brings; nothing judged the leads when
-- the definition moved under them: a field changed to `number` in Studio (or through the API) left every existing
-- value unchecked. Now, for everyone (the API, Studio, service_role):
--   * a definition (lead_custom_fields) is refused when the scope's leads hold values its type or options refuse
--     (and the old definition accepted: a value that was stale already blocks nothing; every value counts when the
--     field is new to its scope or name). The error (23514, constraint lead_custom_fields_values_check) says how
--     many leads fail and names one; its DETAIL lists [{field, message, count}] for the API. Change or clear those
--     values first, then change the definition.
--   * a field made (or created) required while leads of the scope have no value is accepted, and reported: a
--     NOTICE says how many leads lack a value, and CustomField.leadsWithoutValue counts them for the API. Required
--     binds the API's writes from then on (createLead, and updateLead/updateLeads of custom fields, must give a
--     value), as before; refusing it would make a field impossible to require in a scope with leads (the API has no
--     bulk way to fill one key), and a public form submission may still create a lead without it (visitors never
--     see custom fields).

-- The leads of a scope: a space's, or a user's personal leads (each branch uses its index).
create function private.scope_leads(p_user uuid, p_space uuid) returns setof public.leads
language sql stable
set search_path = ''
as $$
  select l.* from public.leads l where p_space is not null and l.space_id = p_space
  union all
  select l.* from public.leads l where p_space is null and l.space_id is null and l.user_id = p_user
$$;
comment on function private.scope_leads(uuid, uuid) is 'The leads of a scope: space p_space, or p_user''s personal leads.';
revoke all on function private.scope_leads(uuid, uuid) from public;

-- What a definition change does to the values of the scope's leads: one row per failing rule, with how many
-- leads fail it and one of them. p_old_* are null for a new definition (or one that changed name or scope).
create function private.custom_field_change_problems(
  p_user uuid, p_space uuid, p_name text, p_type text, p_options jsonb, p_required boolean,
  p_old_type text, p_old_options jsonb, p_old_required boolean
) returns table (field text, message text, failing bigint)
language sql stable
set search_path = ''
as $$
  with judged as (
    select l.id,
           l.custom_fields -> p_name as value,
           leadgen.custom_value_problem(p_type, p_options, l.custom_fields -> p_name) as problem,
           case when p_old_type is null then null
                else leadgen.custom_value_problem(p_old_type, p_old_options, l.custom_fields -> p_name) end as was
    from private.scope_leads(p_user, p_space) l
  ),
  wrong as (
    select count(*) as n, min(j.id::text) as example, min(j.problem) as problem
    from judged j where j.problem is not null and (p_old_type is null or j.was is null)
  ),
  missing as (
    select count(*) as n, min(j.id::text) as example
    from judged j
    where p_required and not coalesce(p_old_required, false) and coalesce(j.value, 'null'::jsonb) = 'null'::jsonb
  )
  select case when p_old_type is null then 'fieldName' when p_type is distinct from p_old_type then 'fieldType'
              else 'options' end,
         format('%s lead(s) of this scope hold a value of %s that a %s field refuses (lead %s: %s); change or clear '
                'those values first', w.n, p_name, p_type, w.example, w.problem),
         w.n
  from wrong w where w.n > 0
  union all
  select 'isRequired',
         format('%s lead(s) of this scope have no value for %s (lead %s, ...): an API write of their custom fields '
                'must now give one', m.n, p_name, m.example),
         m.n
  from missing m where m.n > 0
$$;
comment on function private.custom_field_change_problems(uuid, uuid, text, text, jsonb, boolean, text, jsonb, boolean) is
  'What a custom field definition (new, or changed from p_old_*) does to the values of its scope''s leads: values '
  'the new type/options refuse that the old accepted, and leads without a value when it becomes required; '
  'one row per rule with the number of failing leads.';
revoke all on function private.custom_field_change_problems(uuid, uuid, text, text, jsonb, boolean, text, jsonb, boolean)
  from public;

-- SECURITY DEFINER: every lead of the scope counts, also those the writer cannot see.
create function private.check_custom_field_definition() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  fresh boolean;
  found jsonb;
begin
  fresh := true;
  if tg_op = 'UPDATE' then
    fresh := new.field_name <> old.field_name
             or not private.same_scope(old.user_id, old.space_id, new.user_id, new.space_id);
    if not fresh and new.field_type = old.field_type and new.options = old.options
       and new.is_required = old.is_required then
      return new;
    end if;
  end if;
  select jsonb_agg(jsonb_build_object('field', p.field, 'message', p.message, 'count', p.failing))
    into found
  from private.custom_field_change_problems(
         new.user_id, new.space_id, new.field_name, new.field_type, new.options, new.is_required,
         case when fresh then null else old.field_type end, case when fresh then null else old.options end,
         case when fresh then null else old.is_required end) p;
  if exists (select 1 from jsonb_array_elements(found) e where e ->> 'field' <> 'isRequired') then
    found := (select jsonb_agg(e) from jsonb_array_elements(found) e where e ->> 'field' <> 'isRequired');
    raise exception 'custom field %: %', new.field_name,
      (select string_agg(e ->> 'message', '; ') from jsonb_array_elements(found) e)
      using errcode = '23514', constraint = 'lead_custom_fields_values_check', table = 'lead_custom_fields',
            schema = 'public', detail = found::text;
  end if;
  if found is not null then  -- only leads without a value of a field now required: accepted, reported
    raise notice 'custom field % is required now: %', new.field_name, found -> 0 ->> 'message'
      using detail = found::text;
  end if;
  return new;
end
$$;
comment on function private.check_custom_field_definition() is
  'BEFORE INSERT/UPDATE on lead_custom_fields: refuses a definition that would make values of its scope''s leads '
  'invalid (another type, outside the options); reports (NOTICE) leads without a value of a field made required.';
revoke all on function private.check_custom_field_definition() from public;

create trigger lead_custom_fields_check_values
  before insert or update of field_name, field_type, options, is_required, user_id, space_id
  on public.lead_custom_fields
  for each row execute function private.check_custom_field_definition();
comment on trigger lead_custom_fields_check_values on public.lead_custom_fields is
  'A definition may not make values its scope''s leads already hold invalid (type, options); a field made required '
  'while leads lack a value is reported.';
