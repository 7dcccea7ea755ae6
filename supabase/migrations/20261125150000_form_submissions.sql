-- Public form submissions: anonymous visitors submit published lead forms, and can do nothing else.
--
-- `anon` still has no privilege on any table. It may call exactly two functions, in schema `leadgen`:
-- * leadgen.published_form(form_id): the public definition of a published form (fields, settings), or null;
-- * leadgen.submit_form(form_id, values, context, idempotency_key, client_hash): one submission, in the
--   caller's transaction. SECURITY DEFINER: it writes as its owner, and so re-checks everything it can
--   itself (published, field names known, required values present, types, options, lengths, patterns, sizes,
--   honeypot, time to submit, rate limits), because anyone who can act as anon in SQL can call it directly.
--   The API validates every value in detail before calling it, and maps the errors raised here:
--     P0002 form not found (unknown or unpublished: the same answer), LG422 invalid submission (DETAIL: a JSON
--     array of {field, message}), LG429 rate limited (DETAIL: {"limit": "client"|"form", "retry_after": s}).
--
-- A submission, in one transaction: the company is found (by website domain, else by name, case-insensitive)
-- or created in the form's scope (its space, or its owner's personal scope); the lead is found by lower(email)
-- in that scope and updated, or created in the scope's first stage; its source is found or created from the
-- UTM parameters and the referrer; the raw values are kept in leads.form_submission_data and in
-- private.form_submissions (which also serves idempotency keys and rate limits); a form_submitted activity
-- records it. Concurrency: advisory transaction locks, always taken in this order (so no two submissions wait
-- for each other in a circle): the form (idempotency key, per-form limit), the client (per-client limit), the
-- lead's (scope, email), the scope's catalog (creating a company or a source). A honeypot field with a value gets a pretended success and nothing is written.

-- anon may now name functions in leadgen: every function there must revoke EXECUTE from PUBLIC (Postgres grants
-- it by default, and a per-schema default privilege cannot take that back); tests/test_submission_sql.py
-- fails for any function of leadgen or private that anon can call, but these two.
grant usage on schema leadgen to anon;

-- ---------------------------------------------------------------------------------------------------------
-- Tables (schema private: not reachable by API roles at all; RLS on all the same, no policies, no grants)
-- ---------------------------------------------------------------------------------------------------------

create table private.form_submission_limits (
  id boolean primary key default true check (id),
  per_client_limit integer not null default 20 check (per_client_limit > 0),
  per_client_window_seconds integer not null default 600 check (per_client_window_seconds > 0),
  per_form_limit integer not null default 600 check (per_form_limit > 0),
  per_form_window_seconds integer not null default 3600 check (per_form_window_seconds > 0)
);
comment on table private.form_submission_limits is
  'Rate limits of public form submissions (one row): how many accepted submissions a client (hashed IP) and a '
  'form may make within their windows. Operators tune it in SQL; callers cannot pass their own limits.';
comment on column private.form_submission_limits.id is 'Always true: the table holds one row.';
comment on column private.form_submission_limits.per_client_limit is 'Submissions per client (all forms) per window.';
comment on column private.form_submission_limits.per_client_window_seconds is 'Length of the per-client window, seconds.';
comment on column private.form_submission_limits.per_form_limit is 'Submissions per form (all clients) per window.';
comment on column private.form_submission_limits.per_form_window_seconds is 'Length of the per-form window, seconds.';
insert into private.form_submission_limits default values on conflict (id) do nothing;

create table private.form_submissions (
  id uuid primary key default gen_random_uuid(),
  form_id uuid not null references public.lead_forms (id) on delete cascade,
  lead_id uuid not null references public.leads (id) on delete cascade,
  idempotency_key text check (idempotency_key is null or length(idempotency_key) between 1 and 200),
  client_hash text check (client_hash is null or length(client_hash) between 1 and 128),
  submitted_values jsonb not null check (jsonb_typeof(submitted_values) = 'object'),
  context jsonb not null default '{}'::jsonb check (jsonb_typeof(context) = 'object'),
  created_at timestamptz not null default now()
);
comment on table private.form_submissions is
  'Accepted public form submissions: the raw values, the lead they went to, the idempotency key, and the hashed '
  'client for rate limits. A visitor token names a row here (its id). Never readable by API roles.';
comment on column private.form_submissions.id is 'Primary key: the submission id returned to the visitor.';
comment on column private.form_submissions.form_id is 'The form submitted (deleting the form deletes its submissions).';
comment on column private.form_submissions.lead_id is 'The lead created or updated (deleting it deletes its submissions).';
comment on column private.form_submissions.idempotency_key is
  'Client-chosen key, unique per form: a repeat with the same key returns this submission.';
comment on column private.form_submissions.client_hash is
  'HMAC of the client''s IP address with a server secret (never the address itself), for per-client limits.';
comment on column private.form_submissions.submitted_values is 'The values as submitted (honeypot field removed).';
comment on column private.form_submissions.context is 'UTM parameters, referrer, page URL and render time given.';
comment on column private.form_submissions.created_at is 'When the submission was accepted.';
create unique index form_submissions_idempotency_key on private.form_submissions (form_id, idempotency_key)
  where idempotency_key is not null;
create index form_submissions_client_idx on private.form_submissions (client_hash, created_at)
  where client_hash is not null;
create index form_submissions_form_idx on private.form_submissions (form_id, created_at);
create index form_submissions_lead_idx on private.form_submissions (lead_id);

alter table private.form_submission_limits enable row level security;
alter table private.form_submissions enable row level security;
revoke all on table private.form_submission_limits, private.form_submissions from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------------------
-- Helpers (private: callable only by their owner, i.e. from the functions below)
-- ---------------------------------------------------------------------------------------------------------

-- example.com from https://www.Example.com:8080/path (lower case, without www.); null when not a URL.
create function private.website_domain(p_url text) returns text
language sql immutable
set search_path = ''
as $$
  select nullif(regexp_replace(lower(substring(p_url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)')),
                               '^www\.', ''), '')
$$;
comment on function private.website_domain(text) is
  'The host of a URL in lower case without a leading www., or null: the key companies are matched by.';
create index companies_website_domain_idx on public.companies (private.website_domain(website));

-- No value: JSON null, false, an empty list, or a string of blanks (spaces, tabs, line breaks).
create function private.is_blank(p_value jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
  select p_value is null or p_value in ('null'::jsonb, 'false'::jsonb, '[]'::jsonb)
      or (jsonb_typeof(p_value) = 'string' and btrim(p_value #>> '{}', E' \t\r\n') = '')
$$;
comment on function private.is_blank(jsonb) is
  'A submitted value that counts as no value: null, false, [], or a string of blanks.';

-- The text of a string (or number) value that fits a column of p_max characters, trimmed; null otherwise.
create function private.fit_text(p_value jsonb, p_max integer) returns text
language sql immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_value) in ('string', 'number')
                   and char_length(btrim(p_value #>> '{}', E' \t\r\n')) between 1 and p_max
              then btrim(p_value #>> '{}', E' \t\r\n') end
$$;
comment on function private.fit_text(jsonb, integer) is
  'A string or number value as trimmed text when it has 1..p_max characters, else null (it then stays a custom field).';

create function private.numeric_value(p_value jsonb) returns numeric
language sql immutable
set search_path = ''
as $$
  select case
    when jsonb_typeof(p_value) = 'number' then (p_value #>> '{}')::numeric
    when jsonb_typeof(p_value) = 'string'
         and p_value #>> '{}' ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*$'
      then btrim(p_value #>> '{}')::numeric
  end
$$;
comment on function private.numeric_value(jsonb) is 'A JSON number, or a string holding a decimal number, as numeric; else null.';

-- What is wrong with one non-blank submitted value for a form field, or null when nothing is.
create function private.submission_value_problem(p_type text, p_options jsonb, p_rules jsonb, p_value jsonb)
returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  str text;
  num numeric;
  rules jsonb := case when jsonb_typeof(p_rules) = 'object' then p_rules else '{}'::jsonb end;
  options jsonb := case when jsonb_typeof(p_options) = 'array' then p_options else '[]'::jsonb end;
  domain text;
begin
  if p_type in ('multiselect', 'checkbox') and jsonb_typeof(p_value) = 'array' then
    if p_type = 'checkbox' and jsonb_array_length(options) = 0 then
      return 'expected true or false';
    end if;
    if exists (select 1 from jsonb_array_elements(p_value) e where jsonb_typeof(e) <> 'string')
       or jsonb_array_length(p_value) > 200 then
      return 'expected a list of options';
    end if;
    if (select count(distinct e) <> count(*) from jsonb_array_elements(p_value) e) then
      return 'an option is chosen twice';
    end if;
    return case when not options @> p_value then 'not among the options' end;
  end if;
  if p_type = 'multiselect' then
    return 'expected a list of options';
  end if;
  if p_type = 'checkbox' then
    return case when jsonb_typeof(p_value) <> 'boolean' then 'expected true or false' end;
  end if;
  if p_type = 'number' then
    num := private.numeric_value(p_value);
    if num is null then
      return 'expected a number';
    end if;
    if jsonb_typeof(rules -> 'min') = 'number' and num < (rules ->> 'min')::numeric then
      return 'must be at least ' || (rules ->> 'min');
    end if;
    if jsonb_typeof(rules -> 'max') = 'number' and num > (rules ->> 'max')::numeric then
      return 'must be at most ' || (rules ->> 'max');
    end if;
    return null;
  end if;
  if jsonb_typeof(p_value) <> 'string' then
    return 'expected a string';
  end if;
  str := p_value #>> '{}';
  if char_length(str) > 5000 then
    return 'at most 5000 characters';
  end if;
  if jsonb_typeof(rules -> 'minLength') = 'number' and char_length(str) < (rules ->> 'minLength')::numeric then
    return 'at least ' || (rules ->> 'minLength') || ' characters';
  end if;
  if jsonb_typeof(rules -> 'maxLength') = 'number' and char_length(str) > (rules ->> 'maxLength')::numeric then
    return 'at most ' || (rules ->> 'maxLength') || ' characters';
  end if;
  case p_type
    when 'email' then
      str := btrim(str, E' \t\r\n');
      if char_length(str) > 254 or str !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
        return 'not a valid email address';
      end if;
      domain := lower(split_part(str, '@', 2));
      if jsonb_typeof(rules -> 'allowedDomains') = 'array' and not exists (
           select 1 from jsonb_array_elements_text(rules -> 'allowedDomains') d
           where domain = lower(d) or domain like '%.' || lower(d)) then
        return 'this email domain is not accepted';
      end if;
      if jsonb_typeof(rules -> 'blockedDomains') = 'array' and exists (
           select 1 from jsonb_array_elements_text(rules -> 'blockedDomains') d
           where domain = lower(d) or domain like '%.' || lower(d)) then
        return 'this email domain is not accepted';
      end if;
    when 'phone' then
      if btrim(str, E' \t\r\n') !~ '^\+?[0-9(][0-9 ().\-/]{5,29}$'
         or char_length(regexp_replace(str, '[^0-9]', '', 'g')) not between 6 and 15 then
        return 'not a valid phone number';
      end if;
    when 'url' then
      if btrim(str, E' \t\r\n') !~* '^https?://[^\s/$.?#][^\s]*$' or char_length(str) > 2000 then
        return 'not a valid http(s) URL';
      end if;
    when 'date' then
      if str !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
        return 'expected a date, YYYY-MM-DD';
      end if;
      if substr(str, 1, 4)::integer < 1 or substr(str, 6, 2)::integer not between 1 and 12 then
        return 'not a calendar date';
      end if;
      if substr(str, 9, 2)::integer not between 1 and extract(day from make_date(substr(str, 1, 4)::integer,
                                           substr(str, 6, 2)::integer, 1) + interval '1 month - 1 day') then
        return 'not a calendar date';
      end if;
    when 'select' then
      if not options @> jsonb_build_array(p_value) then
        return 'not one of the options';
      end if;
    else
      null;  -- text, textarea, hidden
  end case;
  if jsonb_typeof(rules -> 'pattern') = 'string' and str !~ (rules ->> 'pattern') then
    return 'does not have the expected format';
  end if;
  return null;
end
$$;
comment on function private.submission_value_problem(text, jsonb, jsonb, jsonb) is
  'What is wrong with a non-blank submitted value for a field of this type, options and validation rules '
  '(types, options, lengths, min/max, pattern, email domains), or null when it is valid.';

-- Every problem of a submission's values against the form's fields: unknown keys, required fields without a
-- value, invalid values. A JSON array of {field: "values.<name>", message}, in field order.
create function private.submission_problems(p_form uuid, p_values jsonb) returns jsonb
language sql stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('field', 'values.' || p.name, 'message', p.message)
                            order by p.position, p.name), '[]'::jsonb)
  from (
    select k.key as name, 'unknown field' as message, -1 as position
    from jsonb_object_keys(p_values) as k (key)
    where not exists (select 1 from public.lead_form_fields f where f.form_id = p_form and f.field_name = k.key)
    union all
    select f.field_name,
           case when private.is_blank(p_values -> f.field_name) then 'is required'
                else private.submission_value_problem(f.field_type, f.options, f.validation_rules,
                                                      p_values -> f.field_name) end,
           f.field_order
    from public.lead_form_fields f
    where f.form_id = p_form
      and (f.is_required or not private.is_blank(p_values -> f.field_name))
  ) p
  where p.message is not null
$$;
comment on function private.submission_problems(uuid, jsonb) is
  'Problems of submitted values against a form''s fields: unknown keys, missing required values, invalid values.';

-- The lead_sources.type of a visit: from utm_medium (and utm_source), else from the referrer's domain.
create function private.source_type(p_source text, p_medium text, p_campaign text, p_referrer_domain text)
returns text
language sql immutable
set search_path = ''
as $$
  select case
    when lower(coalesce(p_source, '') || ' ' || coalesce(p_medium, '')) like '%linkedin%' then 'linkedin'
    when lower(p_medium) in ('cpc', 'ppc', 'paid_search', 'paid-search', 'paidsearch', 'sem') then 'paid_search'
    when lower(p_medium) in ('social', 'social_media', 'social-media', 'socialmedia', 'social-network', 'sm',
                             'paid_social', 'paid-social') then 'social_media'
    when lower(p_medium) in ('email', 'e-mail', 'e_mail', 'newsletter') then 'email'
    when lower(p_medium) in ('display', 'banner', 'cpm', 'paid', 'ads', 'advertising') then 'advertising'
    when lower(p_medium) in ('organic', 'seo') then 'organic_search'
    when lower(p_medium) in ('referral', 'link') then 'referral'
    when lower(p_medium) in ('partner', 'affiliate') then 'partner'
    when lower(p_medium) = 'event' then 'event'
    when p_referrer_domain ~ ('(^|\.)(google\.[a-z.]+|bing\.com|yahoo\.[a-z.]+|duckduckgo\.com|baidu\.com'
                              '|yandex\.[a-z.]+|ecosia\.org|search\.brave\.com|startpage\.com|ask\.com|naver\.com)$')
      then 'organic_search'
    when p_referrer_domain is not null then 'referral'
    when coalesce(p_source, p_medium, p_campaign) is not null then 'other'
    else 'direct'
  end
$$;
comment on function private.source_type(text, text, text, text) is
  'Source type of a visit: cpc/ppc -> paid_search, linkedin -> linkedin, social -> social_media, email, ... by '
  'utm_medium; else organic_search for a search engine referrer, referral for another referrer; direct without '
  'either (other for UTM parameters that say nothing known).';

-- The lead source of the scope for these UTM parameters (matched case-insensitively; without any, the one of
-- the visit's type), created when there is none. p_owner/p_space: the scope.
create function private.find_or_create_source(
  p_owner uuid, p_space uuid, p_source text, p_medium text, p_campaign text, p_type text
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  found_id uuid;
  untagged boolean := coalesce(p_source, p_medium, p_campaign) is null;
begin
  for attempt in 1..2 loop
    select s.id into found_id from public.lead_sources s
     where ((p_space is not null and s.space_id = p_space)
            or (p_space is null and s.space_id is null and s.user_id = p_owner))
       and lower(s.utm_source) is not distinct from lower(p_source)
       and lower(s.utm_medium) is not distinct from lower(p_medium)
       and lower(s.utm_campaign) is not distinct from lower(p_campaign)
       and (not untagged or s.type = p_type)
     order by s.created_at, s.id
     limit 1;
    if found_id is not null then
      return found_id;
    end if;
    if attempt = 1 then  -- create at most one: look again once no one else can be creating it
      perform pg_advisory_xact_lock(hashtextextended(
        'leadgen.form_submission:catalog:' || coalesce(p_space, p_owner)::text, 0));
    end if;
  end loop;
  insert into public.lead_sources (user_id, space_id, name, type, utm_source, utm_medium, utm_campaign)
  values (p_owner, p_space,
          case when untagged then case p_type when 'organic_search' then 'Organic search'
                                              when 'referral' then 'Referral' else 'Direct' end
               else left(concat_ws(' / ', p_source, p_medium, p_campaign), 200) end,
          p_type, p_source, p_medium, p_campaign)
  returning id into found_id;
  return found_id;
end
$$;
comment on function private.find_or_create_source(uuid, uuid, text, text, text, text) is
  'The scope''s lead source for the UTM parameters (or, without any, for the visit''s type); created if missing.';

-- The company of the scope with this website's domain, else with this name (case-insensitive); created
-- (with the website, industry and size given) when there is none.
create function private.find_or_create_company(
  p_owner uuid, p_space uuid, p_name text, p_website text, p_industry text, p_size text
) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  found_id uuid;
  site_domain text := private.website_domain(p_website);
begin
  for attempt in 1..2 loop
    if site_domain is not null then
      select c.id into found_id from public.companies c
       where ((p_space is not null and c.space_id = p_space)
              or (p_space is null and c.space_id is null and c.user_id = p_owner))
         and private.website_domain(c.website) = site_domain
       order by c.created_at, c.id
       limit 1;
    end if;
    if found_id is null and p_name is not null then
      select c.id into found_id from public.companies c
       where ((p_space is not null and c.space_id = p_space)
              or (p_space is null and c.space_id is null and c.user_id = p_owner))
         and lower(c.name) = lower(p_name)
       order by c.created_at, c.id
       limit 1;
    end if;
    if found_id is not null then
      return found_id;
    end if;
    if attempt = 1 then
      perform pg_advisory_xact_lock(hashtextextended(
        'leadgen.form_submission:catalog:' || coalesce(p_space, p_owner)::text, 0));
    end if;
  end loop;
  insert into public.companies (user_id, space_id, name, website, industry, company_size)
  values (p_owner, p_space, coalesce(p_name, site_domain), p_website, p_industry, p_size)
  returning id into found_id;
  return found_id;
end
$$;
comment on function private.find_or_create_company(uuid, uuid, text, text, text, text) is
  'The scope''s company with the website''s domain, else the name (case-insensitive); created if missing.';

revoke all on function private.website_domain(text) from public;
revoke all on function private.is_blank(jsonb) from public;
revoke all on function private.fit_text(jsonb, integer) from public;
revoke all on function private.numeric_value(jsonb) from public;
revoke all on function private.submission_value_problem(text, jsonb, jsonb, jsonb) from public;
revoke all on function private.submission_problems(uuid, jsonb) from public;
revoke all on function private.source_type(text, text, text, text) from public;
revoke all on function private.find_or_create_source(uuid, uuid, text, text, text, text) from public;
revoke all on function private.find_or_create_company(uuid, uuid, text, text, text, text) from public;
-- Index maintenance runs the domain function as whoever writes companies: API roles need EXECUTE on it
-- (still not callable by name: they have no USAGE on schema private).
grant execute on function private.website_domain(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------
-- The two functions anon may call
-- ---------------------------------------------------------------------------------------------------------

create function leadgen.published_form(p_form_id uuid) returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'id', f.id,
    'title', f.title,
    'description', f.description,
    'settings', f.form_settings,
    'fields', coalesce((
      select jsonb_agg(jsonb_build_object(
               'name', x.field_name, 'type', x.field_type, 'label', x.label, 'placeholder', x.placeholder,
               'required', x.is_required, 'options', x.options, 'rules', x.validation_rules)
             order by x.field_order, x.field_name)
      from public.lead_form_fields x where x.form_id = f.id), '[]'::jsonb))
  from public.lead_forms f
  where f.id = p_form_id and f.is_published
$$;
comment on function leadgen.published_form(uuid) is
  'The public definition of a published form: id, title, description, settings and fields (name, type, label, '
  'placeholder, required, options, rules) in display order; null for an unknown or unpublished form.';

create function leadgen.submit_form(
  p_form_id uuid, p_values jsonb, p_context jsonb default '{}'::jsonb, p_idempotency_key text default null,
  p_client_hash text default null
) returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_form public.lead_forms;
  v_limits private.form_submission_limits;
  v_ctx jsonb := coalesce(p_context, '{}'::jsonb);
  v_values jsonb;
  v_honeypot text;
  v_problems jsonb;
  v_min_seconds numeric;
  v_rendered_at timestamptz;
  v_since timestamptz;
  v_existing uuid;
  v_scope text;
  v_utm jsonb;
  v_referrer text;
  v_page_url text;
  v_referrer_domain text;
  v_first_name text;
  v_last_name text;
  v_email text;
  v_phone text;
  v_job_title text;
  v_authority text;
  v_need text;
  v_timeline text;
  v_budget numeric;
  v_company_name text;
  v_website text;
  v_industry text;
  v_company_size text;
  v_mapped text[] := '{}';
  v_custom jsonb;
  v_unfit text[];
  v_company uuid;
  v_source uuid;
  v_stage uuid;
  v_lead uuid;
  v_lead_source uuid;
  v_created boolean := false;
  v_submission uuid;
begin
  select f.* into v_form from public.lead_forms f where f.id = p_form_id and f.is_published;
  if not found then
    raise exception 'form not found' using errcode = 'P0002';
  end if;
  -- the shape and size of what was sent
  if p_values is null or jsonb_typeof(p_values) <> 'object' then
    v_problems := '[{"field": "values", "message": "must be a JSON object"}]';
  elsif octet_length(p_values::text) > 32768 then
    v_problems := '[{"field": "values", "message": "at most 32768 bytes of JSON"}]';
  elsif jsonb_typeof(v_ctx) <> 'object' or octet_length(v_ctx::text) > 8192 then
    v_problems := '[{"field": "context", "message": "must be a JSON object of at most 8192 bytes"}]';
  elsif p_idempotency_key is not null and length(p_idempotency_key) not between 1 and 200 then
    v_problems := '[{"field": "idempotencyKey", "message": "1 to 200 characters"}]';
  elsif p_client_hash is not null and length(p_client_hash) not between 1 and 128 then
    v_problems := '[{"field": "clientHash", "message": "1 to 128 characters"}]';
  end if;
  if v_problems is not null then
    raise exception 'invalid submission' using errcode = 'LG422', detail = v_problems::text;
  end if;

  -- one submission of a form at a time: the idempotency key and the per-form limit hold under concurrency
  perform pg_advisory_xact_lock(hashtextextended('leadgen.form_submission:form:' || v_form.id::text, 0));
  if p_idempotency_key is not null then
    select s.id into v_existing from private.form_submissions s
     where s.form_id = v_form.id and s.idempotency_key = p_idempotency_key;
    if found then
      return jsonb_build_object('submission_id', v_existing, 'replayed', true);
    end if;
  end if;

  -- a bot filled in the honeypot: pretend success, write nothing
  v_honeypot := case when jsonb_typeof(v_form.form_settings -> 'honeypotField') = 'string'
                     then v_form.form_settings ->> 'honeypotField' end;
  if v_honeypot is not null and not private.is_blank(p_values -> v_honeypot) then
    return jsonb_build_object('submission_id', gen_random_uuid(), 'replayed', false);
  end if;
  v_values := case when v_honeypot is null then p_values else p_values - v_honeypot end;

  v_problems := private.submission_problems(v_form.id, p_values);
  if jsonb_typeof(v_form.form_settings -> 'minSecondsToSubmit') = 'number' then
    v_min_seconds := (v_form.form_settings ->> 'minSecondsToSubmit')::numeric;
  end if;
  if v_min_seconds > 0 then
    begin
      v_rendered_at := (v_ctx ->> 'rendered_at')::timestamptz;
    exception when data_exception then
      v_rendered_at := null;
    end;
    if v_rendered_at is null then
      v_problems := v_problems || '[{"field": "context.renderedAt", "message": "this form needs the time it was shown"}]';
    elsif v_rendered_at > clock_timestamp() + interval '5 minutes' then
      v_problems := v_problems || '[{"field": "context.renderedAt", "message": "must not be in the future"}]';
    elsif clock_timestamp() - v_rendered_at < make_interval(secs => v_min_seconds::double precision) then
      v_problems := v_problems || jsonb_build_array(jsonb_build_object('field', 'context.renderedAt', 'message',
        format('submitted too soon after the form was shown: wait %s seconds and send it again', v_min_seconds)));
    end if;
  end if;
  if jsonb_array_length(v_problems) > 0 then
    raise exception 'invalid submission' using errcode = 'LG422', detail = v_problems::text;
  end if;

  -- rate limits: accepted submissions per client (all forms) and per form, within their windows
  select * into v_limits from private.form_submission_limits where id;
  if not found then
    v_limits := row(true, 20, 600, 600, 3600);
  end if;
  if p_client_hash is not null then
    perform pg_advisory_xact_lock(hashtextextended('leadgen.form_submission:client:' || p_client_hash, 0));
    select s.created_at into v_since from private.form_submissions s
     where s.client_hash = p_client_hash
       and s.created_at > clock_timestamp() - make_interval(secs => v_limits.per_client_window_seconds)
     order by s.created_at desc
     offset v_limits.per_client_limit - 1 limit 1;
    if found then
      raise exception 'too many submissions from this client' using errcode = 'LG429',
        detail = jsonb_build_object('limit', 'client', 'retry_after', greatest(1, ceil(extract(epoch from
          v_since + make_interval(secs => v_limits.per_client_window_seconds) - clock_timestamp()))))::text;
    end if;
  end if;
  select s.created_at into v_since from private.form_submissions s
   where s.form_id = v_form.id
     and s.created_at > clock_timestamp() - make_interval(secs => v_limits.per_form_window_seconds)
   order by s.created_at desc
   offset v_limits.per_form_limit - 1 limit 1;
  if found then
    raise exception 'too many submissions to this form' using errcode = 'LG429',
      detail = jsonb_build_object('limit', 'form', 'retry_after', greatest(1, ceil(extract(epoch from
        v_since + make_interval(secs => v_limits.per_form_window_seconds) - clock_timestamp()))))::text;
  end if;

  -- the context: UTM parameters, referrer (ignored when it is the page's own site), page
  v_utm := jsonb_strip_nulls(jsonb_build_object(
    'source', private.fit_text(v_ctx -> 'utm_source', 200), 'medium', private.fit_text(v_ctx -> 'utm_medium', 200),
    'campaign', private.fit_text(v_ctx -> 'utm_campaign', 200), 'term', private.fit_text(v_ctx -> 'utm_term', 200),
    'content', private.fit_text(v_ctx -> 'utm_content', 200)));
  v_referrer := private.fit_text(v_ctx -> 'referrer', 2000);
  v_referrer := case when v_referrer ~* '^https?://[^\s/$.?#][^\s]*$' then v_referrer end;
  v_page_url := private.fit_text(v_ctx -> 'page_url', 2000);
  v_page_url := case when v_page_url ~* '^https?://[^\s/$.?#][^\s]*$' then v_page_url end;
  v_referrer_domain := private.website_domain(v_referrer);
  if v_referrer_domain = private.website_domain(v_page_url) then
    v_referrer_domain := null;
  end if;

  -- known fields map to columns when their value fits; whatever does not stays in custom_fields
  v_first_name := private.fit_text(v_values -> 'first_name', 200);
  v_last_name := private.fit_text(v_values -> 'last_name', 200);
  v_email := private.fit_text(v_values -> 'email', 320);
  v_email := case when v_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then v_email end;
  v_phone := private.fit_text(v_values -> 'phone', 50);
  v_job_title := private.fit_text(v_values -> 'job_title', 200);
  v_authority := private.fit_text(v_values -> 'authority', 200);
  v_need := private.fit_text(v_values -> 'need', 2000);
  v_timeline := private.fit_text(v_values -> 'timeline', 200);
  v_budget := round(private.numeric_value(v_values -> 'budget'), 2);
  v_budget := case when v_budget >= 0 and v_budget < 1e12 then v_budget end;
  v_company_name := private.fit_text(v_values -> 'company', 300);
  v_website := private.fit_text(v_values -> 'website', 1990);
  v_website := case when v_website !~* '^[a-z][a-z0-9+.-]*://' then 'https://' || v_website else v_website end;
  v_website := case when v_website ~* '^https?://[^\s/$.?#][^\s]*$' then v_website end;
  v_industry := private.fit_text(v_values -> 'industry', 200);
  v_company_size := private.fit_text(v_values -> 'company_size', 20);
  v_company_size := case when v_company_size in ('1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000',
                                                 '5001+') then v_company_size end;
  v_mapped := array_remove(array[
    case when v_first_name is not null then 'first_name' end, case when v_last_name is not null then 'last_name' end,
    case when v_email is not null then 'email' end, case when v_phone is not null then 'phone' end,
    case when v_job_title is not null then 'job_title' end, case when v_authority is not null then 'authority' end,
    case when v_need is not null then 'need' end, case when v_timeline is not null then 'timeline' end,
    case when v_budget is not null then 'budget' end], null);

  -- the lead: one per email in the scope, also under concurrent submissions (its lock comes before the
  -- scope's catalog lock, which creating a company or a source takes: the order every submission follows)
  v_scope := coalesce('space:' || v_form.space_id::text, 'user:' || v_form.user_id::text);
  if v_email is not null then
    perform pg_advisory_xact_lock(hashtextextended(
      'leadgen.form_submission:lead:' || v_scope || ':' || lower(v_email), 0));
    select l.id, l.source_id into v_lead, v_lead_source from public.leads l
     where lower(l.email) = lower(v_email)
       and ((v_form.space_id is not null and l.space_id = v_form.space_id)
            or (v_form.space_id is null and l.space_id is null and l.user_id = v_form.user_id))
     order by l.created_at, l.id
     limit 1;
  end if;

  if v_company_name is not null or v_website is not null then
    v_company := private.find_or_create_company(v_form.user_id, v_form.space_id, v_company_name, v_website,
                                                v_industry, v_company_size);
    v_mapped := v_mapped || array_remove(array[
      case when v_company_name is not null then 'company' end, case when v_website is not null then 'website' end,
      case when v_industry is not null then 'industry' end,
      case when v_company_size is not null then 'company_size' end], null);
  end if;
  select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) into v_custom
    from jsonb_each(v_values) e
   where e.key <> all (v_mapped) and not private.is_blank(e.value);
  -- values a custom field definition of the scope would refuse stay in the raw submission only
  -- (leadgen.custom_field_problems comes with the custom fields migration; looked up, not required)
  if to_regprocedure('leadgen.custom_field_problems(jsonb,uuid,uuid,boolean)') is not null then
    execute 'select coalesce(array_agg(p.field_name), ''{}'') from leadgen.custom_field_problems($1, $2, $3, false) p'
      into v_unfit using v_custom, v_form.user_id, v_form.space_id;
    v_custom := v_custom - v_unfit;
  end if;

  if v_lead is null or v_lead_source is null then
    v_source := private.find_or_create_source(
      v_form.user_id, v_form.space_id, v_utm ->> 'source', v_utm ->> 'medium', v_utm ->> 'campaign',
      private.source_type(v_utm ->> 'source', v_utm ->> 'medium', v_utm ->> 'campaign', v_referrer_domain));
  end if;

  if v_lead is null then
    select s.id into v_stage from public.lead_stages s
     where (v_form.space_id is not null and s.space_id = v_form.space_id)
        or (v_form.space_id is null and s.space_id is null and s.user_id = v_form.user_id)
     order by s.stage_order, s.created_at, s.id
     limit 1;
    insert into public.leads (user_id, space_id, company_id, first_name, last_name, email, phone, job_title,
                              stage_id, source_id, form_id, form_submission_data, custom_fields, budget, authority,
                              need, timeline)
    values (v_form.user_id, v_form.space_id, v_company, v_first_name, v_last_name, v_email, v_phone, v_job_title,
            v_stage, v_source, v_form.id, v_values, v_custom, v_budget, v_authority, v_need, v_timeline)
    returning id into v_lead;
    v_created := true;
  else
    update public.leads l set
      first_name = coalesce(v_first_name, l.first_name),
      last_name = coalesce(v_last_name, l.last_name),
      phone = coalesce(v_phone, l.phone),
      job_title = coalesce(v_job_title, l.job_title),
      authority = coalesce(v_authority, l.authority),
      need = coalesce(v_need, l.need),
      timeline = coalesce(v_timeline, l.timeline),
      budget = coalesce(v_budget, l.budget),
      company_id = coalesce(v_company, l.company_id),
      source_id = coalesce(l.source_id, v_source),
      form_id = coalesce(l.form_id, v_form.id),
      form_submission_data = v_values,
      custom_fields = l.custom_fields || v_custom
    where l.id = v_lead;
  end if;

  insert into private.form_submissions (form_id, lead_id, idempotency_key, client_hash, submitted_values, context)
  values (v_form.id, v_lead, p_idempotency_key, p_client_hash, v_values,
          jsonb_strip_nulls(jsonb_build_object('utm', nullif(v_utm, '{}'::jsonb), 'referrer', v_referrer,
                                               'page_url', v_page_url, 'rendered_at', v_ctx -> 'rendered_at')))
  returning id into v_submission;

  insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
  values (v_lead, null, 'form_submitted', left(format('Submitted the form "%s"', coalesce(v_form.title, v_form.name)), 500),
          jsonb_strip_nulls(jsonb_build_object(
            'form_id', v_form.id, 'submission_id', v_submission, 'utm', v_utm, 'referrer', v_referrer,
            'page_url', v_page_url, 'lead_created', v_created)));

  return jsonb_build_object('submission_id', v_submission, 'replayed', false);
end
$$;
comment on function leadgen.submit_form(uuid, jsonb, jsonb, text, text) is
  'One public submission of a published form, in the caller''s transaction: re-checks the values, honeypot, '
  'time to submit, sizes and rate limits; finds or creates the company, lead and source of the form''s scope; keeps '
  'the raw submission; records a form_submitted activity. Returns {submission_id, replayed}. The same idempotency '
  'key of a form returns the first submission. Errors: P0002 not found, LG422 invalid (DETAIL: JSON array of '
  '{field, message}), LG429 rate limited (DETAIL: {limit, retry_after}).';

revoke all on function leadgen.published_form(uuid) from public;
revoke all on function leadgen.submit_form(uuid, jsonb, jsonb, text, text) from public;
grant execute on function leadgen.published_form(uuid) to anon, authenticated;
grant execute on function leadgen.submit_form(uuid, jsonb, jsonb, text, text) to anon, authenticated;
