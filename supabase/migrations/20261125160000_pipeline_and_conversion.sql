-- Pipeline and conversion.
--
-- 1. Default pipeline stages (New, Contacted, Qualified, Proposal, Won, Lost) for every user and every space,
--    created in the database when the user or the space is created (AFTER INSERT triggers), plus a backfill
--    of the boards that are still empty. Their ids are deterministic, md5('leadgen-default-stage:<scope id>:
--    <name>')::uuid, and every insert ends with ON CONFLICT DO NOTHING: however many times or however
--    concurrently the creation runs, each scope gets each default stage exactly once (a concurrent duplicate
--    waits on the primary key and then skips). Reads never write: no "create on first access".
-- 2. Custom field values (leads.custom_fields) are checked against the definitions of the lead's scope
--    (lead_custom_fields). leadgen.custom_field_problems() lists every failing key; the API refuses a write
--    with all of them (unknown keys and missing required fields included), and a trigger refuses values of the
--    wrong type or outside the options for everyone, Studio included. Unknown keys are left to the API: a
--    Studio user, an integration or a form submission (its unmapped answers) may keep extra data there. An update
--    is judged by the values it changes, so a value that went stale (its field changed type) blocks nothing else.
--
-- No GIN index on leads.custom_fields: the API's custom field filters (`custom_fields @> $1`, see
-- db/sql_builder.py) run under RLS, where Postgres only uses an operator as an index condition if it is
-- leakproof, and jsonb containment is not (EXPLAIN as `authenticated` shows a scan of the visible leads even with
-- the index; only RLS-exempt roles would use it). The visible leads are found through the scope indexes and the
-- containment test is a cheap per-row check; an index would only cost every lead write. Should a scope grow large
-- enough to need it, the route is the one of leadgen.visible_leads_matching (an index-using security-definer
-- lookup that applies the leads_select rule itself).

-- ---------------------------------------------------------------------------------------------------------
-- 1. Default stages
-- ---------------------------------------------------------------------------------------------------------

create function private.default_stage_id(p_scope uuid, p_name text) returns uuid
language sql immutable
set search_path = ''
as $$
  select md5('leadgen-default-stage:' || p_scope::text || ':' || p_name)::uuid
$$;
comment on function private.default_stage_id(uuid, text) is
  'Deterministic id of a default stage: md5(''leadgen-default-stage:<space or user id>:<name>'')::uuid.';

create function private.create_default_stages(p_user uuid, p_space uuid, p_created_at timestamptz) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  created integer;
begin
  if p_user is null then  -- a stage needs an owner
    return 0;
  end if;
  insert into public.lead_stages (id, user_id, space_id, name, stage_order, color, is_default, created_at, updated_at)
  select private.default_stage_id(coalesce(p_space, p_user), d.name), p_user, p_space, d.name, d.stage_order,
         d.color, true, coalesce(p_created_at, now()), coalesce(p_created_at, now())
  from (values
    (0, 'New', '#3B82F6'),
    (1, 'Contacted', '#8B5CF6'),
    (2, 'Qualified', '#F59E0B'),
    (3, 'Proposal', '#EC4899'),
    (4, 'Won', '#10B981'),
    (5, 'Lost', '#EF4444')
  ) as d (stage_order, name, color)
  on conflict do nothing;  -- the same id, or a stage of the same name, is there already
  get diagnostics created = row_count;
  return created;
end
$$;
comment on function private.create_default_stages(uuid, uuid, timestamptz) is
  'Creates the six default stages of a scope (p_space, or p_user''s personal board) owned by p_user; '
  'idempotent and safe under concurrency (deterministic ids, ON CONFLICT DO NOTHING). Returns how many it created.';
revoke all on function private.default_stage_id(uuid, text) from public;
revoke all on function private.create_default_stages(uuid, uuid, timestamptz) from public;

create function private.add_space_default_stages() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  -- a space inserted without a creator (by service_role or in Studio) has no one to own its stages yet:
  -- private.backfill_default_stages() gives it a board once it has an owner
  perform private.create_default_stages(new.created_by, new.id, new.created_at);
  return null;
end
$$;
comment on function private.add_space_default_stages() is
  'AFTER INSERT on spaces: the new space gets the default pipeline stages, owned by its creator.';
revoke all on function private.add_space_default_stages() from public;
create trigger spaces_add_default_stages after insert on public.spaces
  for each row execute function private.add_space_default_stages();
comment on trigger spaces_add_default_stages on public.spaces is
  'Gives every new space the default pipeline stages (New, Contacted, Qualified, Proposal, Won, Lost).';

create function private.add_user_default_stages() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.create_default_stages(new.id, null, new.created_at);
  return null;
end
$$;
comment on function private.add_user_default_stages() is
  'AFTER INSERT on auth.users: the new user gets a personal board with the default pipeline stages.';
revoke all on function private.add_user_default_stages() from public;
create trigger leadgen_add_default_stages after insert on auth.users
  for each row execute function private.add_user_default_stages();
comment on trigger leadgen_add_default_stages on auth.users is
  'Gives every new user a personal board with the default pipeline stages.';

-- Boards that are still empty get the default stages: every user's personal board, and every space's (owned
-- by an owner of the space, its creator first). A board that has stages is left alone, customised or not.
create function private.backfill_default_stages() returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  total integer := 0;
  scope record;
begin
  for scope in
    select u.id as owner_id, null::uuid as space_id from auth.users u
    where not exists (select 1 from public.lead_stages s where s.space_id is null and s.user_id = u.id)
    union all
    select coalesce((select m.user_id from public.space_members m
                     where m.space_id = sp.id and m.role = 'owner'
                     order by m.user_id = sp.created_by desc, m.created_at, m.user_id limit 1),
                    sp.created_by),
           sp.id
    from public.spaces sp
    where not exists (select 1 from public.lead_stages s where s.space_id = sp.id)
  loop
    total := total + private.create_default_stages(scope.owner_id, scope.space_id, now());
  end loop;
  return total;
end
$$;
comment on function private.backfill_default_stages() is
  'Creates the default stages of every user and space whose board is empty; idempotent. Returns how many it created.';
revoke all on function private.backfill_default_stages() from public;

select private.backfill_default_stages();

-- ---------------------------------------------------------------------------------------------------------
-- 2. Custom field values
-- ---------------------------------------------------------------------------------------------------------

-- What is wrong with one value of a custom field of type p_type (and options p_options), or null when it is
-- fine. JSON null means "no value" and is always fine here (required fields are checked by the caller).
-- PL/pgSQL, so that each test runs only when the previous ones passed (no casts of values of the wrong type).
create function leadgen.custom_value_problem(p_type text, p_options jsonb, p_value jsonb) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  str text;
  y integer;
  m integer;
  d integer;
begin
  if p_value is null or jsonb_typeof(p_value) = 'null' then
    return null;
  end if;
  case p_type
    when 'number' then
      return case when jsonb_typeof(p_value) <> 'number' then 'expected a number' end;
    when 'boolean' then
      return case when jsonb_typeof(p_value) <> 'boolean' then 'expected true or false' end;
    when 'multiselect' then
      if jsonb_typeof(p_value) <> 'array'
         or exists (select 1 from jsonb_array_elements(p_value) e where jsonb_typeof(e) <> 'string') then
        return 'expected a list of options (strings)';
      end if;
      if not coalesce(p_options, '[]'::jsonb) @> p_value then
        return 'not among the options';
      end if;
      return null;
    else
      null;
  end case;
  if jsonb_typeof(p_value) <> 'string' then
    return case when p_type = 'date' then 'expected a date, YYYY-MM-DD' else 'expected a string' end;
  end if;
  str := p_value #>> '{}';
  case p_type
    when 'text' then
      return case when length(str) > 1000 then 'at most 1000 characters' end;
    when 'textarea' then
      return case when length(str) > 10000 then 'at most 10000 characters' end;
    when 'select' then
      return case when not coalesce(p_options, '[]'::jsonb) @> jsonb_build_array(p_value)
                  then 'not one of the options' end;
    when 'email' then
      return case when length(str) > 320 or str !~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'
                  then 'not a valid email address' end;
    when 'url' then
      return case when length(str) > 2000 or str !~* '^https?://[^\s/$.?#][^\s]*$'
                  then 'not a valid http(s) URL' end;
    when 'phone' then  -- digits, spaces and ( ) . - with an optional leading +; 3 to 20 digits
      return case when length(str) > 50 or str !~ '^\+?[0-9 ().-]+$'
                       or length(regexp_replace(str, '[^0-9]', '', 'g')) not between 3 and 20
                  then 'not a valid phone number' end;
    when 'date' then
      if str !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
        return 'expected a date, YYYY-MM-DD';
      end if;
      y := substr(str, 1, 4)::integer;
      m := substr(str, 6, 2)::integer;
      d := substr(str, 9, 2)::integer;
      if y < 1 or m not between 1 and 12 or d < 1
         or d > extract(day from make_date(y, m, 1) + interval '1 month' - interval '1 day') then
        return 'not a calendar date';
      end if;
      return null;
    else
      return 'unknown field type ' || coalesce(p_type, 'null');
  end case;
end
$$;
comment on function leadgen.custom_value_problem(text, jsonb, jsonb) is
  'What is wrong with a custom field value for a field of this type and options, or null when it is valid '
  '(text <= 1000 and textarea <= 10000 characters, number, boolean, date YYYY-MM-DD, select: one of the options, '
  'multiselect: a list of options, email, http(s) url, phone: 3 to 20 digits with spaces, ( ) . - and a leading +).';

-- Every problem of a custom_fields object for the scope (p_space, or p_user's personal scope): values of the
-- wrong type or outside the options, and with p_strict also unknown keys and required fields without a
-- value. SECURITY INVOKER: the caller sees the definitions RLS lets them see (triggers run it as its owner).
create function leadgen.custom_field_problems(p_values jsonb, p_user uuid, p_space uuid, p_strict boolean)
returns table (field_name text, problem text)
language sql stable
set search_path = ''
as $$
  with defs as (
    select d.field_name, d.field_type, d.is_required, d.options
    from public.lead_custom_fields d
    where (p_space is null and d.space_id is null and d.user_id = p_user) or d.space_id = p_space
  ),
  given as (
    select e.key, e.value
    from jsonb_each(case when jsonb_typeof(p_values) = 'object' then p_values else '{}'::jsonb end) as e (key, value)
  ),
  problems as (
    select g.key as field_name, leadgen.custom_value_problem(d.field_type, d.options, g.value) as problem
    from given g join defs d on d.field_name = g.key
    union all
    select g.key, 'unknown custom field' from given g
    where p_strict and not exists (select 1 from defs d where d.field_name = g.key)
    union all
    select d.field_name, 'required' from defs d
    where p_strict and d.is_required and coalesce(p_values -> d.field_name, 'null'::jsonb) = 'null'::jsonb
  )
  select p.field_name, p.problem from problems p where p.problem is not null order by p.field_name, p.problem
$$;
comment on function leadgen.custom_field_problems(jsonb, uuid, uuid, boolean) is
  'Problems of a leads.custom_fields object against the custom field definitions of a scope (p_space, or p_user''s '
  'personal scope), one row per failing key: wrong type or not among the options; with p_strict also unknown keys '
  'and required fields without a value.';
revoke all on function leadgen.custom_value_problem(text, jsonb, jsonb) from public;
revoke all on function leadgen.custom_field_problems(jsonb, uuid, uuid, boolean) from public;
grant execute on function leadgen.custom_value_problem(text, jsonb, jsonb) to authenticated;
grant execute on function leadgen.custom_field_problems(jsonb, uuid, uuid, boolean) to authenticated;

-- The values of a custom_fields object that differ from another one (all of them when p_old is null): what an
-- update really writes. A value that went stale meanwhile (its field changed type) must not block other changes.
create function leadgen.changed_custom_values(p_new jsonb, p_old jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
  from jsonb_each(case when jsonb_typeof(p_new) = 'object' then p_new else '{}'::jsonb end) as e (key, value)
  where p_old is null or (p_old -> e.key) is distinct from e.value
$$;
comment on function leadgen.changed_custom_values(jsonb, jsonb) is
  'The keys of p_new whose value differs from p_old''s (all of p_new when p_old is null).';
revoke all on function leadgen.changed_custom_values(jsonb, jsonb) from public;
grant execute on function leadgen.changed_custom_values(jsonb, jsonb) to authenticated;

-- The part of the rule that holds for everyone, Studio and service_role included: a value of a defined field
-- has the field's type (and is among its options). Checked for the values an insert or update writes, and for
-- all of them when the lead moves to another scope (whose definitions then apply).
create function private.check_custom_fields() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  moved boolean;
  problems text;
begin
  moved := tg_op = 'INSERT' or not private.same_scope(old.user_id, old.space_id, new.user_id, new.space_id);
  if not moved and new.custom_fields is not distinct from old.custom_fields then
    return new;
  end if;
  select string_agg(format('%s: %s', p.field_name, p.problem), '; ') into problems
  from leadgen.custom_field_problems(
         leadgen.changed_custom_values(new.custom_fields, case when moved then null else old.custom_fields end),
         new.user_id, new.space_id, false) p;
  if problems is not null then
    raise exception 'lead % has invalid custom field values (%)', new.id, problems
      using errcode = '23514', constraint = 'leads_custom_fields_check';
  end if;
  return new;
end
$$;
comment on function private.check_custom_fields() is
  'BEFORE INSERT/UPDATE OF custom_fields, user_id, space_id on leads: the values written to defined custom fields '
  '(all values when the lead changes scope) have the field''s type and options.';
revoke all on function private.check_custom_fields() from public;
create trigger leads_check_custom_fields before insert or update of custom_fields, user_id, space_id on public.leads
  for each row execute function private.check_custom_fields();
comment on trigger leads_check_custom_fields on public.leads is
  'Values of the custom fields defined in the lead''s scope must have the field''s type and be among its options.';
