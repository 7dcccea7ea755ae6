-- Form definitions and publishing hold in the database, whoever writes them (the API, Studio, REST).
--
-- The API checked field definitions (types, options, validation rules), form settings and publishing in Python
-- (domain/form_definitions.py); Studio could save a select field without options, a pattern Postgres cannot
-- compile (each submission then failed), or publish a form without fields. Now:
-- * leadgen.regex_problem(pattern): whether Postgres can use a pattern (submissions are matched with `~`). The
--   one judge of patterns: the API asks it before saving a field and the triggers below use it (Python's `re`
--   and Postgres' regular expressions differ, e.g. `(?P<n>x)` and `\m`).
-- * private.form_field_problems / form_settings_problems / form_publish_problems: the API's rules in SQL, with
--   the same messages and field paths (tests/test_form_rules.py holds the two to the same answers).
-- * lead_form_fields_check_definition: a field's definition is valid whenever it is written.
-- * lead_forms_publishable(_insert): a form is published only when it could be published through the API
--   (a field besides the honeypot, valid fields and settings, the honeypot an optional hidden field); a form
--   inserted as published is judged at COMMIT, so its fields may follow it in the same transaction.
-- * lead_form_fields_keep_published_form: a published form keeps a field besides its honeypot, and its
--   honeypot field; unpublish it first (or defer the constraint within a transaction that restores it).
-- Rows written before this migration are not rewritten: a stored pattern Postgres cannot compile makes a
-- submission answer BAD_USER_INPUT (never an internal error), and such a form cannot be published again until
-- the field is fixed. Find them with:
--   select form_id, field_name from public.lead_form_fields
--    where leadgen.regex_problem(validation_rules ->> 'pattern') is not null;

create function leadgen.regex_problem(p_pattern text) returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  if p_pattern is null then
    return null;
  end if;
  perform '' ~ p_pattern;
  return null;
exception when invalid_regular_expression then
  return 'not a valid regular expression: ' || regexp_replace(sqlerrm, '^invalid regular expression: ', '');
end
$$;
comment on function leadgen.regex_problem(text) is
  'Why PostgreSQL cannot use p_pattern as a regular expression (value ~ pattern), or null when it can.';
revoke all on function leadgen.regex_problem(text) from public;
grant execute on function leadgen.regex_problem(text) to authenticated, service_role;

-- What is wrong with the value of one validation rule (its key known and fitting the field's type), or null.
create function private.form_rule_problem(p_key text, p_value jsonb) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  str text := case when jsonb_typeof(p_value) = 'string' then p_value #>> '{}' end;
begin
  case p_key
    when 'minLength', 'maxLength' then
      return case when jsonb_typeof(p_value) = 'number' and p_value::text ~ '^[0-9]+$'
                       and (p_value #>> '{}')::numeric <= 5000 then null
                  else 'a whole number from 0 to 5000' end;
    when 'min', 'max' then
      return case when jsonb_typeof(p_value) = 'number' then null else 'a number' end;
    when 'pattern' then
      if str is null or char_length(str) not between 1 and 500 then
        return 'a regular expression of 1 to 500 characters';
      end if;
      return leadgen.regex_problem(str);
    when 'allowedDomains', 'blockedDomains' then
      if jsonb_typeof(p_value) <> 'array' or jsonb_array_length(p_value) not between 1 and 200 then
        return 'a list of 1 to 200 domains';
      end if;
      if exists (select 1 from jsonb_array_elements(p_value) d
                 where jsonb_typeof(d) <> 'string'
                    or lower(d #>> '{}') !~ ('^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+'
                                             '[a-z]([a-z0-9-]{0,61}[a-z0-9])?$')) then
        return 'each entry must be a domain such as example.com';
      end if;
      if (select count(distinct lower(d #>> '{}')) <> count(*) from jsonb_array_elements(p_value) d) then
        return 'domains must be unique';
      end if;
      return null;
    else  -- blockFreeEmail
      return case when jsonb_typeof(p_value) = 'boolean' then null else 'true or false' end;
  end case;
end
$$;
comment on function private.form_rule_problem(text, jsonb) is
  'What is wrong with the value of a validation rule of a form field (minLength, maxLength, pattern, min, max, '
  'allowedDomains, blockedDomains, blockFreeEmail), or null.';

-- Every problem of a field definition, as domain/form_definitions.field_problems words it: (field, message) with
-- the field relative to the definition (fieldType, options, validationRules.<rule>), in the API's order.
create function private.form_field_problems(p_type text, p_options jsonb, p_rules jsonb)
returns table (field text, message text)
language plpgsql immutable
set search_path = ''
as $$
declare
  types constant text[] := array['text', 'textarea', 'email', 'phone', 'number', 'url', 'date', 'select',
                                 'multiselect', 'checkbox', 'hidden'];
  strings constant text[] := array['text', 'textarea', 'email', 'phone', 'url', 'hidden'];
  blanks constant text := E' \t\n\r\f\v';
  n integer;
  fits text[];
  problem text;
  rule record;
  rules_wrong boolean := false;
begin
  if p_type is null or p_type <> all (types) then
    return query select 'fieldType', 'must be one of ' || array_to_string(types, ', ');
    return;
  end if;
  -- options
  problem := null;
  n := case when jsonb_typeof(p_options) = 'array' then jsonb_array_length(p_options) end;
  if n is null then
    problem := 'must be a JSON array';
  elsif p_type not in ('select', 'multiselect', 'checkbox') then
    problem := case when n > 0 then 'only select, multiselect and checkbox fields have options' end;
  elsif n = 0 then
    problem := case when p_type <> 'checkbox' then format('a %s field needs at least one option', p_type) end;
  elsif n > 200 then
    problem := 'at most 200 options';
  elsif exists (select 1 from jsonb_array_elements(p_options) o
                where jsonb_typeof(o) <> 'string' or btrim(o #>> '{}', blanks) = ''
                   or char_length(o #>> '{}') > 200) then
    problem := 'each option must be a non-blank string of at most 200 characters';
  elsif (select count(distinct o) <> count(*) from jsonb_array_elements(p_options) o) then
    problem := 'options must be unique';
  end if;
  if problem is not null then
    return query select 'options', problem;
  end if;
  -- validation rules, key by key (in jsonb's key order, as the API reads them)
  if jsonb_typeof(p_rules) is distinct from 'object' then
    return query select 'validationRules', 'must be a JSON object';
    return;
  end if;
  for rule in select e.key, e.value from jsonb_each(p_rules) e loop
    fits := case when rule.key in ('minLength', 'maxLength', 'pattern') then strings
                 when rule.key in ('min', 'max') then array['number']
                 when rule.key in ('allowedDomains', 'blockedDomains', 'blockFreeEmail') then array['email'] end;
    problem := case
      when fits is null then 'unknown rule; known rules: minLength, maxLength, pattern, min, max, allowedDomains, '
                             'blockedDomains, blockFreeEmail'
      when p_type <> all (fits) then format('does not apply to %s fields', p_type)
      else private.form_rule_problem(rule.key, rule.value) end;
    if problem is not null then
      rules_wrong := true;
      return query select 'validationRules.' || rule.key, problem;
    end if;
  end loop;
  if rules_wrong then
    return;
  end if;
  if p_rules ? 'minLength' and p_rules ? 'maxLength'
     and (p_rules ->> 'minLength')::numeric > (p_rules ->> 'maxLength')::numeric then
    return query select 'validationRules.minLength', 'must not be greater than maxLength';
  end if;
  if p_rules ? 'min' and p_rules ? 'max' and (p_rules ->> 'min')::numeric > (p_rules ->> 'max')::numeric then
    return query select 'validationRules.min', 'must not be greater than max';
  end if;
end
$$;
comment on function private.form_field_problems(text, jsonb, jsonb) is
  'Every problem of a form field definition (type, options, validation rules; patterns judged by Postgres), as the '
  'API words them: (field relative to the definition, message).';

-- Every problem of a form_settings object, as domain/form_definitions.settings_problems words it (field: the key,
-- or '' for the object itself).
create function private.form_settings_problems(p_settings jsonb)
returns table (field text, message text)
language plpgsql immutable
set search_path = ''
as $$
declare
  blanks constant text := E' \t\n\r\f\v';
  setting record;
  str text;
  host text;
  problem text;
begin
  if jsonb_typeof(p_settings) is distinct from 'object' then
    return query select '', 'must be a JSON object';
    return;
  end if;
  for setting in select e.key, e.value from jsonb_each(p_settings) e loop
    str := case when jsonb_typeof(setting.value) = 'string' then setting.value #>> '{}' end;
    problem := case setting.key
      when 'theme' then
        case when str is not null then case when char_length(str) > 100 then 'at most 100 characters' end
             when jsonb_typeof(setting.value) = 'object' then
               case when octet_length(setting.value::text) > 4096 then 'at most 4096 bytes of JSON' end
             else 'a name or a JSON object' end
      when 'successMessage' then
        case when str is null or btrim(str, blanks) = '' or char_length(str) > 1000
             then 'a non-blank string of at most 1000 characters' end
      when 'submitLabel' then
        case when str is null or btrim(str, blanks) = '' or char_length(str) > 100
             then 'a non-blank string of at most 100 characters' end
      when 'redirectUrl' then 'an http(s) URL'  -- unless it passes the test below
      when 'honeypotField' then
        case when str is null or str !~ '^[A-Za-z][A-Za-z0-9_]{0,62}$' then 'the name of a hidden field' end
      when 'minSecondsToSubmit' then
        case when jsonb_typeof(setting.value) <> 'number' or (setting.value #>> '{}')::numeric not between 0 and 3600
             then 'a number of seconds from 0 to 3600' end
      else 'unknown setting; known settings: theme, successMessage, redirectUrl, honeypotField, '
           'minSecondsToSubmit, submitLabel'
    end;
    if setting.key = 'redirectUrl' and str is not null then
      -- as domain/validation.url: http(s), a host part, at most 2000 characters, no space
      str := btrim(str, blanks);
      host := substring(str from '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)');
      if str ~* '^https?://' and host <> '' and char_length(str) <= 2000 and position(' ' in str) = 0
         and (position('[' in host) > 0) = (position(']' in host) > 0) then
        problem := null;
      end if;
    end if;
    if problem is not null then
      return query select setting.key, problem;
    end if;
  end loop;
end
$$;
comment on function private.form_settings_problems(jsonb) is
  'Every problem of a form''s settings (theme, successMessage, redirectUrl, honeypotField, minSecondsToSubmit, '
  'submitLabel), as the API words them: (key, message).';

-- Why a form cannot be published, as domain/form_definitions.publish_problems words it: no field besides the
-- honeypot, invalid settings, invalid fields (in field order), a honeypot that is no optional hidden field.
create function private.form_publish_problems(p_form uuid)
returns table (field text, message text)
language sql stable
set search_path = ''
as $$
  with form as (
    select f.form_settings as settings,
           case when jsonb_typeof(f.form_settings -> 'honeypotField') = 'string'
                then f.form_settings ->> 'honeypotField' end as honeypot
    from public.lead_forms f where f.id = p_form
  ),
  fields as (
    select x.field_name, x.field_type, x.is_required, x.options, x.validation_rules,
           row_number() over (order by x.field_order, x.field_name) as position
    from public.lead_form_fields x where x.form_id = p_form
  ),
  problems as (
    select 0 as part, 0::bigint as position, 0::bigint as n, 'fields' as field,
           'a form needs at least one field to be published' as message
    from form f
    where not exists (select 1 from fields x where x.field_name is distinct from f.honeypot)
    union all
    select 1, 0, s.n, case when s.field = '' then 'formSettings' else 'formSettings.' || s.field end, s.message
    from form f cross join lateral private.form_settings_problems(f.settings) with ordinality as s (field, message, n)
    union all
    select 2, x.position, p.n, 'fields.' || x.field_name || '.' || p.field, p.message
    from fields x
    cross join lateral private.form_field_problems(x.field_type, x.options, x.validation_rules)
      with ordinality as p (field, message, n)
    union all
    select 3, 0, 0, 'formSettings.honeypotField', 'must name an optional hidden field of the form'
    from form f
    where f.honeypot ~ '^[A-Za-z][A-Za-z0-9_]{0,62}$'
      and not exists (select 1 from fields x
                      where x.field_name = f.honeypot and x.field_type = 'hidden' and not x.is_required)
  )
  select p.field, p.message from problems p order by p.part, p.position, p.n
$$;
comment on function private.form_publish_problems(uuid) is
  'Why a form cannot be published, as the API words it: (field, message) rows; none when it can be.';

revoke all on function private.form_rule_problem(text, jsonb) from public;
revoke all on function private.form_field_problems(text, jsonb, jsonb) from public;
revoke all on function private.form_settings_problems(jsonb) from public;
revoke all on function private.form_publish_problems(uuid) from public;

-- The problems as the DETAIL of a check violation: [{field, message}] (read by the API, see gql/errors.py).
create function private.raise_problems(p_what text, p_constraint text, p_table text, p_problems jsonb) returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_problems is null or jsonb_array_length(p_problems) = 0 then
    return;
  end if;
  raise exception '%: %', p_what,
    (select string_agg(format('%s: %s', e ->> 'field', e ->> 'message'), '; ') from jsonb_array_elements(p_problems) e)
    using errcode = '23514', constraint = p_constraint, table = p_table, schema = 'public',
          detail = p_problems::text;
end
$$;
comment on function private.raise_problems(text, text, text, jsonb) is
  'Raises a check violation (23514) naming p_constraint, whose DETAIL is the JSON array of problems '
  '[{field, message}]; does nothing when there is none.';
revoke all on function private.raise_problems(text, text, text, jsonb) from public;

-- ---------------------------------------------------------------------------------------------------------
-- A field's definition is valid whenever it is written
-- ---------------------------------------------------------------------------------------------------------

create function private.check_form_field_definition() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    if new.field_type = old.field_type and new.options = old.options
       and new.validation_rules = old.validation_rules then
      return new;
    end if;
  end if;
  perform private.raise_problems(
    format('form field %s is not a valid definition', new.field_name), 'lead_form_fields_definition_check',
    'lead_form_fields',
    (select jsonb_agg(jsonb_build_object('field', p.field, 'message', p.message))
     from private.form_field_problems(new.field_type, new.options, new.validation_rules) p));
  return new;
end
$$;
comment on function private.check_form_field_definition() is
  'BEFORE INSERT/UPDATE of field_type, options, validation_rules on lead_form_fields: the definition must be valid '
  '(options of choice fields, known rules fitting the type, patterns Postgres can compile).';
revoke all on function private.check_form_field_definition() from public;

create trigger lead_form_fields_check_definition
  before insert or update of field_type, options, validation_rules on public.lead_form_fields
  for each row execute function private.check_form_field_definition();
comment on trigger lead_form_fields_check_definition on public.lead_form_fields is
  'A form field''s definition (type, options, validation rules) is valid whenever it is written.';

-- ---------------------------------------------------------------------------------------------------------
-- Published forms can be submitted
-- ---------------------------------------------------------------------------------------------------------

-- SECURITY DEFINER: the form is judged with all its fields, whatever the writer may see.
create function private.check_form_publishable() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  settings_only boolean := false;
begin
  if tg_op = 'UPDATE' then
    settings_only := old.is_published;
  end if;
  if not exists (select 1 from public.lead_forms f where f.id = new.id and f.is_published) then
    return null;  -- unpublished (or deleted) by COMMIT
  end if;
  -- a settings change of a published form: its settings and honeypot, not fields written before this rule
  perform private.raise_problems(
    format('form %s cannot be published', new.id), 'lead_forms_publishable_check', 'lead_forms',
    (select jsonb_agg(jsonb_build_object('field', p.field, 'message', p.message))
     from private.form_publish_problems(new.id) p
     where not (settings_only and p.field like 'fields.%')));
  return null;
end
$$;
comment on function private.check_form_publishable() is
  'AFTER INSERT/UPDATE constraint trigger on lead_forms: a published form has a field besides its honeypot, valid '
  'fields and settings, and its honeypot is an optional hidden field.';
revoke all on function private.check_form_publishable() from public;

create constraint trigger lead_forms_publishable_insert after insert on public.lead_forms
  deferrable initially deferred
  for each row when (new.is_published)
  execute function private.check_form_publishable();
create constraint trigger lead_forms_publishable after update of is_published, form_settings on public.lead_forms
  deferrable initially immediate
  for each row when (new.is_published
                     and (not old.is_published or new.form_settings is distinct from old.form_settings))
  execute function private.check_form_publishable();
comment on trigger lead_forms_publishable_insert on public.lead_forms is
  'A form inserted as published must be publishable by COMMIT (its fields may follow it in the transaction).';
comment on trigger lead_forms_publishable on public.lead_forms is
  'A form is published only when it could be through the API; the settings of a published form stay valid.';

-- A published form keeps a field besides its honeypot, and its honeypot field. Judged by what the write changes:
-- removing (or renaming, moving, retyping) the last real field, or the honeypot field.
create function private.check_published_form_fields() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_form record;
begin
  select f.id, case when jsonb_typeof(f.form_settings -> 'honeypotField') = 'string'
                    then f.form_settings ->> 'honeypotField' end as honeypot
    into v_form
  from public.lead_forms f where f.id = old.form_id and f.is_published;
  if not found then
    return null;  -- not published, or deleted with its fields
  end if;
  perform private.raise_problems(
    format('form %s is published: unpublish it before removing or changing this field', old.form_id),
    'lead_forms_publishable_check', 'lead_forms',
    (select jsonb_agg(jsonb_build_object('field', p.field, 'message', p.message || ' (the form is published: '
                                                                      || 'unpublish it first)'))
     from private.form_publish_problems(old.form_id) p
     where (p.field = 'fields' and old.field_name is distinct from v_form.honeypot)
        or (p.field = 'formSettings.honeypotField' and old.field_name = v_form.honeypot)));
  return null;
end
$$;
comment on function private.check_published_form_fields() is
  'AFTER DELETE/UPDATE constraint trigger on lead_form_fields: a published form keeps a field besides its honeypot, '
  'and its honeypot stays an optional hidden field.';
revoke all on function private.check_published_form_fields() from public;

create constraint trigger lead_form_fields_keep_published_form after delete on public.lead_form_fields
  deferrable initially immediate
  for each row execute function private.check_published_form_fields();
create constraint trigger lead_form_fields_keep_published_form_update
  after update of form_id, field_name, field_type, is_required on public.lead_form_fields
  deferrable initially immediate
  for each row when ((old.form_id, old.field_name, old.field_type, old.is_required)
                     is distinct from (new.form_id, new.field_name, new.field_type, new.is_required))
  execute function private.check_published_form_fields();
comment on trigger lead_form_fields_keep_published_form on public.lead_form_fields is
  'A published form keeps a field besides its honeypot, and its honeypot field.';
comment on trigger lead_form_fields_keep_published_form_update on public.lead_form_fields is
  'A published form keeps a field besides its honeypot, and its honeypot as an optional hidden field.';
