-- Forms on websites: a readable address for each form, the public definition a page needs, fields in creation order.
--
-- 1. lead_forms.slug: the form's address on the hosted page (/f/<slug>), unique across all forms (the address is
--    global). Lower-case letters, digits and single hyphens, at most 64 characters. Left out (or set to null), it is
--    made from the name ("Spring Offer!" -> spring-offer) and, when another form has it, gets a suffix (-2, -3 ...).
--    A slug given explicitly that another form has is refused (unique violation on lead_forms_slug_key). Renaming
--    a form keeps its slug, so links on websites keep working. Only a row written past the triggers (replica mode)
--    can lack one: such a form has no address until a slug is set (setting null makes one from the name).
-- 2. leadgen.published_form(uuid) and leadgen.published_form_by_slug(text) (security definer, the only reads anon
--    and anonymous sign-ins have): the public definition of a published form: id, slug, title, description, its
--    known settings (theme, successMessage, submitLabel, redirectUrl, consentText, honeypotField,
--    minSecondsToSubmit, allowedOrigins) and its fields in display order; null for an unknown, unpublished or
--    deleted form. Never the owner, the space, the internal name, counts or anything of other forms.
-- 3. Form settings for pages (checked by private.form_settings_problems, as domain/form_definitions.py words it):
--    consentText (shown above the submit button), allowedOrigins (origins that may embed the form and submit to it
--    from their pages; absent: any), and theme colours (primaryColor, backgroundColor, textColor, or their
--    snake_case spellings) as #RRGGBB.
-- 4. lead_form_fields.field_order: a field added without a position goes after the form's last field (it was 0
--    for every field). Serialised per form, so concurrent additions get distinct positions.

-- ---------------------------------------------------------------------------------------------------------
-- Slugs
-- ---------------------------------------------------------------------------------------------------------

alter table public.lead_forms add column slug text;
comment on column public.lead_forms.slug is
  'The form''s public address (/f/<slug>), unique across all forms: lower-case letters, digits and hyphens. Made '
  'from the name when not given or set to null (with a -2, -3 ... suffix when taken); kept when the form is renamed.';

-- "Café Spring Offer!" -> cafe-spring-offer; "form" when nothing is left.
create function private.slugify(p_text text) returns text
language sql immutable
set search_path = ''
as $$
  select coalesce(nullif(btrim(left(btrim(regexp_replace(
           translate(replace(lower(coalesce(p_text, '')), 'ß', 'ss'),
                     'àáâãäåāçćčèéêëēěìíîïīñńòóôõöøōùúûüūýÿžźżšśłđ',
                     'aaaaaaaccceeeeeeiiiiinnoooooooouuuuuyyzzzssld'),
           '[^a-z0-9]+', '-', 'g'), '-'), 56), '-'), ''), 'form')
$$;
comment on function private.slugify(text) is
  'A slug made from a name: lower case, accents dropped, other characters as single hyphens, at most 56 '
  'characters (room for a suffix); "form" when nothing is left.';

-- SECURITY DEFINER: a slug is unique across every form, also those the writer cannot see.
create function private.available_form_slug(p_base text, p_form uuid) returns text
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_base text := private.slugify(p_base);
  v_candidate text := v_base;
  v_n integer := 1;
begin
  -- one writer per base at a time: concurrent forms named alike get distinct suffixes, not a unique violation
  perform pg_advisory_xact_lock(hashtextextended('leadgen.form_slug:' || v_base, 0));
  while exists (select 1 from public.lead_forms f where f.slug = v_candidate and f.id is distinct from p_form) loop
    v_n := v_n + 1;
    v_candidate := v_base || '-' || v_n;
  end loop;
  return v_candidate;
end
$$;
comment on function private.available_form_slug(text, uuid) is
  'The slug of p_base (slugified), or with the first free suffix -2, -3 ... when another form has it.';

create function private.default_form_slug() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.slug is null then
    new.slug := private.available_form_slug(new.name, new.id);
  end if;
  return new;
end
$$;
comment on function private.default_form_slug() is
  'BEFORE INSERT/UPDATE OF slug on lead_forms: a form without a slug gets one made from its name.';

-- existing forms, oldest first (the first form of a name keeps the plain slug); their updated_at stays
alter table public.lead_forms disable trigger lead_forms_set_updated_at;
do $$
declare
  v_form record;
begin
  for v_form in select f.id, f.name from public.lead_forms f order by f.created_at, f.id loop
    update public.lead_forms set slug = private.available_form_slug(v_form.name, v_form.id) where id = v_form.id;
  end loop;
end
$$;
alter table public.lead_forms enable trigger lead_forms_set_updated_at;

alter table public.lead_forms
  add constraint lead_forms_slug_check check (char_length(slug) <= 64 and slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  add constraint lead_forms_slug_key unique (slug);
comment on constraint lead_forms_slug_check on public.lead_forms is
  'A slug: lower-case letters and digits in groups joined by single hyphens, at most 64 characters.';

-- the form's editors change its address like its other settings (RLS decides which rows)
grant update (slug) on table public.lead_forms to authenticated;

create trigger lead_forms_default_slug before insert or update of slug on public.lead_forms
  for each row execute function private.default_form_slug();
comment on trigger lead_forms_default_slug on public.lead_forms is
  'A form written without a slug gets one made from its name (unique: a suffix when taken).';

revoke all on function private.slugify(text) from public;
revoke all on function private.available_form_slug(text, uuid) from public;
revoke all on function private.default_form_slug() from public;

-- ---------------------------------------------------------------------------------------------------------
-- Fields in creation order
-- ---------------------------------------------------------------------------------------------------------

-- No default: a field written without a position gets NULL, which the trigger replaces (NOT NULL is checked
-- after BEFORE triggers), so "not given" differs from an explicit 0.
alter table public.lead_form_fields alter column field_order drop default;

create function private.append_form_field() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.field_order is null then
    perform pg_advisory_xact_lock(hashtextextended('leadgen.form_fields:' || new.form_id::text, 0));
    select coalesce(max(x.field_order) + 1, 0) into new.field_order
      from public.lead_form_fields x where x.form_id = new.form_id;
  end if;
  return new;
end
$$;
comment on function private.append_form_field() is
  'BEFORE INSERT on lead_form_fields: a field without a position goes after the form''s last field.';
revoke all on function private.append_form_field() from public;

create trigger lead_form_fields_append before insert on public.lead_form_fields
  for each row execute function private.append_form_field();
comment on trigger lead_form_fields_append on public.lead_form_fields is
  'A field added without a field_order goes after the form''s last field (one addition per form at a time).';

-- ---------------------------------------------------------------------------------------------------------
-- Settings for pages
-- ---------------------------------------------------------------------------------------------------------

-- As domain/form_definitions.settings_problems words it (field: the key, 'theme.<colour>', or '' for the object).
create or replace function private.form_settings_problems(p_settings jsonb)
returns table (field text, message text)
language plpgsql immutable
set search_path = ''
as $$
declare
  blanks constant text := E' \t\n\r\f\v';
  setting record;
  colour record;
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
      when 'consentText' then
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
      when 'allowedOrigins' then
        case when jsonb_typeof(setting.value) <> 'array' or jsonb_array_length(setting.value) not between 1 and 50
               or exists (select 1 from jsonb_array_elements(setting.value) o
                          where jsonb_typeof(o) <> 'string'
                             or (o #>> '{}') !~* '^https?://[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$')
             then 'a list of 1 to 50 origins such as https://www.example.com (no path)' end
      else 'unknown setting; known settings: theme, successMessage, redirectUrl, honeypotField, '
           'minSecondsToSubmit, submitLabel, consentText, allowedOrigins'
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
    elsif setting.key = 'theme' and jsonb_typeof(setting.value) = 'object' then
      for colour in
        select e.key from jsonb_each(setting.value) e
        where e.key in ('primaryColor', 'backgroundColor', 'textColor', 'primary_color', 'background_color',
                        'text_color')
          and (jsonb_typeof(e.value) <> 'string' or (e.value #>> '{}') !~ '^#[0-9A-Fa-f]{6}$')
        order by e.key collate "C"
      loop
        return query select 'theme.' || colour.key, 'a hex colour such as #3B82F6';
      end loop;
    end if;
  end loop;
end
$$;

-- ---------------------------------------------------------------------------------------------------------
-- The public definition of a published form
-- ---------------------------------------------------------------------------------------------------------

create function private.public_form_definition(p_form uuid) returns jsonb
language sql stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', f.id,
    'slug', f.slug,
    'title', f.title,
    'description', f.description,
    'settings', coalesce((
      select jsonb_object_agg(s.key, s.value) from jsonb_each(f.form_settings) s
      where s.key in ('theme', 'successMessage', 'submitLabel', 'redirectUrl', 'consentText', 'honeypotField',
                      'minSecondsToSubmit', 'allowedOrigins')), '{}'::jsonb),
    'fields', coalesce((
      select jsonb_agg(jsonb_build_object(
               'name', x.field_name, 'type', x.field_type, 'label', x.label, 'placeholder', x.placeholder,
               'required', x.is_required, 'options', x.options, 'rules', x.validation_rules)
             order by x.field_order, x.field_name)
      from public.lead_form_fields x where x.form_id = f.id), '[]'::jsonb))
  from public.lead_forms f
  where f.id = p_form and f.is_published
$$;
comment on function private.public_form_definition(uuid) is
  'The public definition of a published form (id, slug, title, description, known settings, fields in display '
  'order), or null. Called by the security definer functions anon may call.';
revoke all on function private.public_form_definition(uuid) from public;

create or replace function leadgen.published_form(p_form_id uuid) returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select private.public_form_definition(p_form_id)
$$;
comment on function leadgen.published_form(uuid) is
  'The public definition of a published form: id, slug, title, description, its known settings and fields (name, '
  'type, label, placeholder, required, options, rules) in display order; null for an unknown or unpublished form.';

create function leadgen.published_form_by_slug(p_slug text) returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select private.public_form_definition(f.id) from public.lead_forms f
  where f.slug = lower(p_slug) and f.is_published
$$;
comment on function leadgen.published_form_by_slug(text) is
  'leadgen.published_form of the published form with this slug (case-insensitive); null when there is none.';
revoke all on function leadgen.published_form_by_slug(text) from public;
grant execute on function leadgen.published_form_by_slug(text) to anon, authenticated;
