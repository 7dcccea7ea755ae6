-- Public submissions that cannot overwrite a lead, and rate limits that one client cannot exhaust for all others.
--
-- 1. A submission whose email matches an existing lead of the form's scope (case-insensitively) adds a
--    submission and a form_submitted activity, and fills only the lead's EMPTY fields (null or blank; a custom
--    field without a value; no company, source, form or original submission yet). A value that differs from one
--    the lead already has is not written: it is kept on the submission (private.form_submissions
--    .proposed_changes) for a person to apply. Fills that would lower the lead's score are withheld the same way
--    (reason "lowers_score"), so an anonymous submission's values never lower a score.
-- 2. A visitor token of a submission that did NOT create its lead writes nothing onto that lead: its page visits
--    are recorded against the submission (private.page_visits, with their URL) and answered like any other
--    (true), so the answer does not tell whether an email belongs to a lead; only the token of the submission
--    that created a lead records page_visit activities (and starts page_visit workflows) on it.
-- 3. Per-form shares: besides the per-client limit (all forms) and the per-form budget, one address may use only
--    per_form_address_percent of a form's budget per window, and one network (IPv4 /24, IPv6 /48: the API sends
--    its keyed hash as p_network_hash) per_form_network_percent. A flood from one address or network is refused
--    long before the form's budget is spent, so other visitors can still submit.
-- 4. leadgen.form_submissions / leadgen.form_submission_counts: the submissions of forms the caller manages
--    (owner or admin of the form's space, the owner of a personal form; platform admins read all), for the API's
--    LeadForm.submissions. client_hash, network_hash and idempotency keys are never returned.
--
-- leadgen.submit_form gets a sixth parameter (p_network_hash, default null): the five-argument form is dropped.

-- ---------------------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------------------

alter table private.form_submissions
  add column lead_created boolean not null default false,
  add column proposed_changes jsonb not null default '{}'::jsonb check (jsonb_typeof(proposed_changes) = 'object'),
  add column network_hash text check (network_hash is null or length(network_hash) between 1 and 128);
comment on column private.form_submissions.lead_created is
  'True when this submission created its lead: only then may its visitor token record activities on the lead.';
comment on column private.form_submissions.proposed_changes is
  'Values this submission gave that were not written to its existing lead, for a person to apply: '
  '{field: {current, proposed, reason}} with reason "conflict" (the lead has another value) or "lowers_score".';
comment on column private.form_submissions.network_hash is
  'HMAC of the client''s network (IPv4 /24, IPv6 /48) with a server secret, for the per-form network share.';
-- submissions made before this migration: their activity says whether they created the lead
update private.form_submissions s set lead_created = true
  from public.lead_activities a
 where a.activity_type = 'form_submitted'
   and a.activity_data ->> 'submission_id' = s.id::text
   and a.activity_data -> 'lead_created' = 'true'::jsonb;
create index form_submissions_form_client_idx on private.form_submissions (form_id, client_hash, created_at)
  where client_hash is not null;
create index form_submissions_form_network_idx on private.form_submissions (form_id, network_hash, created_at)
  where network_hash is not null;
create index form_submissions_form_page_idx on private.form_submissions (form_id, created_at desc, id desc);

alter table private.form_submission_limits
  add column per_form_address_percent integer not null default 5 check (per_form_address_percent between 1 and 100),
  add column per_form_network_percent integer not null default 20 check (per_form_network_percent between 1 and 100);
comment on column private.form_submission_limits.per_form_address_percent is
  'Share of per_form_limit one client address may use per per-form window (at least 1 submission).';
comment on column private.form_submission_limits.per_form_network_percent is
  'Share of per_form_limit one network (IPv4 /24, IPv6 /48) may use per per-form window (at least 1 submission).';

alter table private.page_visits
  add column url text check (url is null or length(url) <= 2000),
  add column referrer text check (referrer is null or length(referrer) <= 2000),
  add column on_lead boolean not null default true;
comment on column private.page_visits.url is 'The page visited.';
comment on column private.page_visits.referrer is 'The page''s referrer, if any.';
comment on column private.page_visits.on_lead is
  'True when the visit was also written as a page_visit activity of the lead (the token''s submission created '
  'it); false when it is kept on the submission only.';

-- ---------------------------------------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------------------------------------

-- What a submission may do to an existing lead's values: p_current and p_given are objects keyed by field.
-- fills: the given values of fields without a value; proposals: the given values that differ from a value.
create function private.submission_merge(p_current jsonb, p_given jsonb, out fills jsonb, out proposals jsonb)
language sql immutable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(g.key, g.value) filter (where private.is_blank(p_current -> g.key)), '{}'::jsonb),
         coalesce(jsonb_object_agg(g.key, jsonb_build_object('current', p_current -> g.key, 'proposed', g.value,
                                                             'reason', 'conflict'))
                    filter (where not private.is_blank(p_current -> g.key)
                              and (p_current -> g.key) is distinct from g.value), '{}'::jsonb)
  from jsonb_each(coalesce(p_given, '{}'::jsonb)) g
  where not private.is_blank(g.value)
$$;
comment on function private.submission_merge(jsonb, jsonb) is
  'Given values against a lead''s current ones: fills (fields without a value) and proposals (different values).';

-- p_values as proposals withheld for p_reason: {field: {current: null, proposed, reason}}.
create function private.withheld_proposals(p_values jsonb, p_reason text) returns jsonb
language sql immutable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(v.key, jsonb_build_object('current', null, 'proposed', v.value, 'reason', p_reason)),
                  '{}'::jsonb)
  from jsonb_each(coalesce(p_values, '{}'::jsonb)) v
$$;
comment on function private.withheld_proposals(jsonb, text) is 'Values not written, as proposals with a reason.';

-- The share of a form's budget a client or network may use: at least one submission.
create function private.form_share(p_limit integer, p_percent integer) returns integer
language sql immutable
set search_path = ''
as $$
  select greatest(1, (p_limit::bigint * p_percent / 100)::integer)
$$;
comment on function private.form_share(integer, integer) is 'p_percent of p_limit, rounded down, at least 1.';

-- The submissions of p_form counted by a rate limit (same client or network hash, or all when both are null):
-- raises LG429 with {limit: p_name, retry_after} when p_limit of them were accepted within p_window seconds.
create function private.check_submission_limit(
  p_form uuid, p_client_hash text, p_network_hash text, p_limit integer, p_window integer, p_name text
) returns void
language plpgsql stable
set search_path = ''
as $$
declare
  v_since timestamptz;
begin
  select s.created_at into v_since from private.form_submissions s
   where (p_form is null or s.form_id = p_form)
     and (p_client_hash is null or s.client_hash = p_client_hash)
     and (p_network_hash is null or s.network_hash = p_network_hash)
     and s.created_at > clock_timestamp() - make_interval(secs => p_window)
   order by s.created_at desc
   offset p_limit - 1 limit 1;
  if found then
    raise exception '%', case p_name when 'form' then 'too many submissions to this form'
                                     when 'form_network' then 'too many submissions from this network'
                                     else 'too many submissions from this client' end
      using errcode = 'LG429',
      detail = jsonb_build_object('limit', p_name, 'retry_after', greatest(1, ceil(extract(epoch from
        v_since + make_interval(secs => p_window) - clock_timestamp()))))::text;
  end if;
end
$$;
comment on function private.check_submission_limit(uuid, text, text, integer, integer, text) is
  'Raises LG429 {limit, retry_after} when p_limit submissions (of the form, client and network given) were '
  'accepted within p_window seconds.';

revoke all on function private.submission_merge(jsonb, jsonb) from public;
revoke all on function private.withheld_proposals(jsonb, text) from public;
revoke all on function private.form_share(integer, integer) from public;
revoke all on function private.check_submission_limit(uuid, text, text, integer, integer, text) from public;

-- ---------------------------------------------------------------------------------------------------------
-- leadgen.submit_form
-- ---------------------------------------------------------------------------------------------------------

drop function leadgen.submit_form(uuid, jsonb, jsonb, text, text);
create function leadgen.submit_form(
  p_form_id uuid, p_values jsonb, p_context jsonb default '{}'::jsonb, p_idempotency_key text default null,
  p_client_hash text default null, p_network_hash text default null
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
  v_old public.leads;
  v_new public.leads;
  v_fills jsonb;
  v_proposed jsonb := '{}'::jsonb;
  v_custom_fills jsonb;
  v_custom_proposed jsonb;
  v_withheld jsonb;
  v_current_company public.companies;
  v_candidate integer;
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
  elsif p_network_hash is not null and length(p_network_hash) not between 1 and 128 then
    v_problems := '[{"field": "networkHash", "message": "1 to 128 characters"}]';
  end if;
  if v_problems is not null then
    raise exception 'invalid submission' using errcode = 'LG422', detail = v_problems::text;
  end if;

  -- one submission of a form at a time: the idempotency key and the per-form limits hold under concurrency
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

  -- rate limits, within their windows: per client (all forms); then, under the form's lock, the client's and
  -- its network's shares of the form's budget (so one flood cannot spend it for everyone), and the budget
  select * into v_limits from private.form_submission_limits where id;
  v_limits.per_client_limit := coalesce(v_limits.per_client_limit, 20);
  v_limits.per_client_window_seconds := coalesce(v_limits.per_client_window_seconds, 600);
  v_limits.per_form_limit := coalesce(v_limits.per_form_limit, 600);
  v_limits.per_form_window_seconds := coalesce(v_limits.per_form_window_seconds, 3600);
  v_limits.per_form_address_percent := coalesce(v_limits.per_form_address_percent, 5);
  v_limits.per_form_network_percent := coalesce(v_limits.per_form_network_percent, 20);
  if p_client_hash is not null then
    perform pg_advisory_xact_lock(hashtextextended('leadgen.form_submission:client:' || p_client_hash, 0));
    perform private.check_submission_limit(null, p_client_hash, null, v_limits.per_client_limit,
                                           v_limits.per_client_window_seconds, 'client');
    perform private.check_submission_limit(
      v_form.id, p_client_hash, null, private.form_share(v_limits.per_form_limit, v_limits.per_form_address_percent),
      v_limits.per_form_window_seconds, 'form_address');
  end if;
  if p_network_hash is not null then
    perform private.check_submission_limit(
      v_form.id, null, p_network_hash, private.form_share(v_limits.per_form_limit, v_limits.per_form_network_percent),
      v_limits.per_form_window_seconds, 'form_network');
  end if;
  perform private.check_submission_limit(v_form.id, null, null, v_limits.per_form_limit,
                                         v_limits.per_form_window_seconds, 'form');

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
  if v_company_name is not null or v_website is not null then
    v_mapped := v_mapped || array_remove(array[
      case when v_company_name is not null then 'company' end, case when v_website is not null then 'website' end,
      case when v_industry is not null then 'industry' end,
      case when v_company_size is not null then 'company_size' end], null);
  end if;

  -- the lead: one per email in the scope, also under concurrent submissions (its lock comes before the
  -- scope's catalog lock, which creating a company or a source takes: the order every submission follows)
  v_scope := coalesce('space:' || v_form.space_id::text, 'user:' || v_form.user_id::text);
  if v_email is not null then
    perform pg_advisory_xact_lock(hashtextextended(
      'leadgen.form_submission:lead:' || v_scope || ':' || lower(v_email), 0));
    select l.* into v_old from public.leads l
     where lower(l.email) = lower(v_email)
       and ((v_form.space_id is not null and l.space_id = v_form.space_id)
            or (v_form.space_id is null and l.space_id is null and l.user_id = v_form.user_id))
     order by l.created_at, l.id
     limit 1
     for no key update;
    v_lead := v_old.id;
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

  -- a company is found or created only for a lead that has none (a new one, or an existing one without)
  if (v_company_name is not null or v_website is not null) and (v_lead is null or v_old.company_id is null) then
    v_company := private.find_or_create_company(v_form.user_id, v_form.space_id, v_company_name, v_website,
                                                v_industry, v_company_size);
  end if;
  if v_lead is null or v_old.source_id is null then
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
    -- an existing lead: an anonymous visitor may fill what is empty, and only propose the rest
    select m.fills, m.proposals into v_fills, v_proposed
      from private.submission_merge(
        jsonb_build_object('first_name', v_old.first_name, 'last_name', v_old.last_name, 'phone', v_old.phone,
                           'job_title', v_old.job_title, 'authority', v_old.authority, 'need', v_old.need,
                           'timeline', v_old.timeline, 'budget', v_old.budget),
        jsonb_build_object('first_name', v_first_name, 'last_name', v_last_name, 'phone', v_phone,
                           'job_title', v_job_title, 'authority', v_authority, 'need', v_need,
                           'timeline', v_timeline, 'budget', v_budget)) m;
    select m.fills, m.proposals into v_custom_fills, v_custom_proposed
      from private.submission_merge(v_old.custom_fields, v_custom) m;
    v_proposed := v_proposed || v_custom_proposed;
    if v_custom_fills <> '{}'::jsonb then
      v_fills := v_fills || jsonb_build_object('custom_fields', v_old.custom_fields || v_custom_fills);
    end if;
    if v_company is not null then
      v_fills := v_fills || jsonb_build_object('company_id', v_company);
    elsif v_company_name is not null or v_website is not null then
      -- the lead has a company: another one named here is a proposal (the same one, by domain or name, is not)
      select c.* into v_current_company from public.companies c where c.id = v_old.company_id;
      if not coalesce(private.website_domain(v_website) = private.website_domain(v_current_company.website)
                      or (v_website is null and lower(v_company_name) = lower(v_current_company.name)), false) then
        v_proposed := v_proposed || jsonb_build_object('company', jsonb_build_object(
          'current', jsonb_strip_nulls(jsonb_build_object('name', v_current_company.name,
                                                          'website', v_current_company.website)),
          'proposed', jsonb_strip_nulls(jsonb_build_object('name', v_company_name, 'website', v_website,
                                                           'industry', v_industry, 'company_size', v_company_size)),
          'reason', 'conflict'));
      end if;
    end if;
    if v_old.source_id is null then
      v_fills := v_fills || jsonb_build_object('source_id', v_source);
    end if;
    if v_old.form_id is null then
      v_fills := v_fills || jsonb_build_object('form_id', v_form.id);
    end if;
    if v_old.form_submission_data is null then
      v_fills := v_fills || jsonb_build_object('form_submission_data', v_values);
    end if;
    -- the score must not drop because of what an anonymous visitor typed: fills that lower it are withheld
    v_new := jsonb_populate_record(v_old, v_fills);
    select s.score into v_candidate
      from leadgen.scores_under(array[v_new], leadgen.active_scoring_rules(array[v_new])) s;
    if v_candidate < v_old.score then
      v_withheld := v_fills - array['first_name', 'last_name', 'phone', 'form_submission_data'];
      v_fills := v_fills - array['job_title', 'authority', 'need', 'timeline', 'budget', 'custom_fields',
                                 'company_id', 'source_id', 'form_id'];
      v_proposed := v_proposed
        || private.withheld_proposals(v_withheld - array['custom_fields', 'company_id', 'source_id', 'form_id'],
                                      'lowers_score')
        || private.withheld_proposals(v_custom_fills, 'lowers_score')
        || case when v_withheld ? 'company_id' then private.withheld_proposals(jsonb_build_object('company',
             jsonb_strip_nulls(jsonb_build_object('name', v_company_name, 'website', v_website, 'industry',
                                                  v_industry, 'company_size', v_company_size))), 'lowers_score')
           else '{}'::jsonb end;
      v_new := jsonb_populate_record(v_old, v_fills);
    end if;
    if v_fills <> '{}'::jsonb then
      update public.leads l set
        first_name = v_new.first_name, last_name = v_new.last_name, phone = v_new.phone,
        job_title = v_new.job_title, authority = v_new.authority, need = v_new.need, timeline = v_new.timeline,
        budget = v_new.budget, custom_fields = v_new.custom_fields, company_id = v_new.company_id,
        source_id = v_new.source_id, form_id = v_new.form_id, form_submission_data = v_new.form_submission_data
      where l.id = v_lead;
    end if;
  end if;

  insert into private.form_submissions (form_id, lead_id, idempotency_key, client_hash, network_hash,
                                        submitted_values, context, lead_created, proposed_changes)
  values (v_form.id, v_lead, p_idempotency_key, p_client_hash, p_network_hash, v_values,
          jsonb_strip_nulls(jsonb_build_object('utm', nullif(v_utm, '{}'::jsonb), 'referrer', v_referrer,
                                               'page_url', v_page_url, 'rendered_at', v_ctx -> 'rendered_at')),
          v_created, v_proposed)
  returning id into v_submission;

  -- the activity names the fields with proposals (readers of the lead see that there is something to review;
  -- the values themselves are shown to the form's editors on the submission)
  insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
  values (v_lead, null, 'form_submitted', left(format('Submitted the form "%s"', coalesce(v_form.title, v_form.name)), 500),
          jsonb_strip_nulls(jsonb_build_object(
            'form_id', v_form.id, 'submission_id', v_submission, 'utm', v_utm, 'referrer', v_referrer,
            'page_url', v_page_url, 'lead_created', v_created,
            'proposed_fields', (select jsonb_agg(k order by k) from jsonb_object_keys(v_proposed) k))));

  return jsonb_build_object('submission_id', v_submission, 'replayed', false);
end
$$;
comment on function leadgen.submit_form(uuid, jsonb, jsonb, text, text, text) is
  'One public submission of a published form, in the caller''s transaction: re-checks the values, honeypot, '
  'time to submit, sizes and rate limits (per client, the client''s and its network''s shares of the form, the '
  'form); finds or creates the lead, company and source of the form''s scope; an existing lead (same email) only '
  'gets its empty fields filled, other values become the submission''s proposed_changes; keeps the raw '
  'submission; records a form_submitted activity. Returns {submission_id, replayed}. The same idempotency key of '
  'a form returns the first submission. Errors: P0002 not found, LG422 invalid (DETAIL: JSON array of {field, '
  'message}), LG429 rate limited (DETAIL: {limit: client|form_address|form_network|form, retry_after}).';
revoke all on function leadgen.submit_form(uuid, jsonb, jsonb, text, text, text) from public;
grant execute on function leadgen.submit_form(uuid, jsonb, jsonb, text, text, text) to anon, authenticated;

-- ---------------------------------------------------------------------------------------------------------
-- leadgen.track_page_visit: onto the lead only for the submission that created it
-- ---------------------------------------------------------------------------------------------------------

create or replace function leadgen.track_page_visit(p_submission uuid, p_url text, p_referrer text default null,
                                                    p_client_hash text default null) returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_lead uuid;
  v_on_lead boolean;
  v_limits private.page_visit_limits;
  v_url text := btrim(p_url);
  v_referrer text := nullif(btrim(p_referrer), '');
  v_since timestamptz;
begin
  select s.lead_id, s.lead_created into v_lead, v_on_lead from private.form_submissions s where s.id = p_submission;
  if not found then
    return null;
  end if;
  if v_url is null or length(v_url) > 2000 or v_url !~* '^https?://[^\s/$.?#][^\s]*$' then
    raise exception 'invalid page visit' using errcode = 'LG422',
      detail = '[{"field": "url", "message": "not a valid http(s) URL of at most 2000 characters"}]';
  end if;
  if v_referrer is not null and (length(v_referrer) > 2000 or v_referrer !~* '^https?://[^\s/$.?#][^\s]*$') then
    raise exception 'invalid page visit' using errcode = 'LG422',
      detail = '[{"field": "referrer", "message": "not a valid http(s) URL of at most 2000 characters"}]';
  end if;
  if p_client_hash is not null and length(p_client_hash) not between 1 and 128 then
    raise exception 'invalid page visit' using errcode = 'LG422',
      detail = '[{"field": "clientHash", "message": "1 to 128 characters"}]';
  end if;
  select * into v_limits from private.page_visit_limits where id;
  if not found then
    v_limits := row(true, 120, 600, 600, 600);
  end if;
  -- the token first, then the client: the order every visit takes its locks in
  perform pg_advisory_xact_lock(hashtextextended('leadgen.page_visit:token:' || p_submission::text, 0));
  select v.created_at into v_since from private.page_visits v
   where v.submission_id = p_submission
     and v.created_at > clock_timestamp() - make_interval(secs => v_limits.per_token_window_seconds)
   order by v.created_at desc offset v_limits.per_token_limit - 1 limit 1;
  if found then
    raise exception 'too many page visits for this visitor' using errcode = 'LG429',
      detail = jsonb_build_object('limit', 'token', 'retry_after', greatest(1, ceil(extract(epoch from
        v_since + make_interval(secs => v_limits.per_token_window_seconds) - clock_timestamp()))))::text;
  end if;
  if p_client_hash is not null then
    perform pg_advisory_xact_lock(hashtextextended('leadgen.page_visit:client:' || p_client_hash, 0));
    select v.created_at into v_since from private.page_visits v
     where v.client_hash = p_client_hash
       and v.created_at > clock_timestamp() - make_interval(secs => v_limits.per_client_window_seconds)
     order by v.created_at desc offset v_limits.per_client_limit - 1 limit 1;
    if found then
      raise exception 'too many page visits from this client' using errcode = 'LG429',
        detail = jsonb_build_object('limit', 'client', 'retry_after', greatest(1, ceil(extract(epoch from
          v_since + make_interval(secs => v_limits.per_client_window_seconds) - clock_timestamp()))))::text;
    end if;
  end if;
  insert into private.page_visits (submission_id, client_hash, created_at, url, referrer, on_lead)
  values (p_submission, p_client_hash, clock_timestamp(), v_url, v_referrer, v_on_lead);
  -- a visitor who only gave an existing lead's email is not that lead: nothing is written onto it (and the
  -- answer is the same, so it does not tell whether the email belongs to a lead)
  if v_on_lead then
    insert into public.lead_activities (lead_id, user_id, activity_type, description, activity_data)
    values (v_lead, null, 'page_visit', left('Visited ' || v_url, 500),
            jsonb_strip_nulls(jsonb_build_object('url', v_url, 'referrer', v_referrer, 'submission_id', p_submission)));
  end if;
  return true;
end
$$;
comment on function leadgen.track_page_visit(uuid, text, text, text) is
  'Records a page visit of the visitor behind a visitor token (the submission it names; the API verifies the '
  'token''s signature first). Only when that submission created its lead is the visit also a page_visit activity '
  'of the lead (which starts page_visit workflows); otherwise it is kept on the submission only. True when '
  'recorded, null for an unknown submission. Errors: LG422 invalid URL (DETAIL: JSON array of {field, message}), '
  'LG429 rate limited (DETAIL: {limit, retry_after}).';

-- ---------------------------------------------------------------------------------------------------------
-- The submissions of the forms a caller manages (for LeadForm.submissions)
-- ---------------------------------------------------------------------------------------------------------

-- Up to p_limit submissions per form, newest first, after the keyset (p_after_at, p_after_id) when given.
create function leadgen.form_submissions(
  p_forms uuid[], p_limit integer, p_after_at timestamptz default null, p_after_id uuid default null
) returns table (
  form_id uuid, id uuid, lead_id uuid, submitted_values jsonb, context jsonb, lead_created boolean,
  proposed_changes jsonb, created_at timestamptz
)
language sql stable security definer
set search_path = ''
as $$
  select s.form_id, s.id, s.lead_id, s.submitted_values, s.context, s.lead_created, s.proposed_changes, s.created_at
  from (select distinct f.id from unnest(p_forms) f (id)) f
  cross join lateral (
    select x.* from private.form_submissions x
     where x.form_id = f.id
       and (p_after_at is null or (x.created_at, x.id) < (p_after_at, p_after_id))
     order by x.created_at desc, x.id desc
     limit least(greatest(coalesce(p_limit, 0), 0), 1001)
  ) s
  where private.can_manage_form(f.id) or (select private.is_platform_admin())
  order by s.form_id, s.created_at desc, s.id desc
$$;
comment on function leadgen.form_submissions(uuid[], integer, timestamptz, uuid) is
  'The submissions of those forms the caller manages (platform admins: all), newest first, at most p_limit '
  '(<= 1001) per form after the keyset (created_at, id): values, context, proposed changes, never client hashes.';

create function leadgen.form_submission_counts(p_forms uuid[]) returns table (form_id uuid, total bigint)
language sql stable security definer
set search_path = ''
as $$
  select f.id, (select count(*) from private.form_submissions x where x.form_id = f.id)
  from (select distinct f.id from unnest(p_forms) f (id)) f
  where private.can_manage_form(f.id) or (select private.is_platform_admin())
$$;
comment on function leadgen.form_submission_counts(uuid[]) is
  'How many submissions each of those forms has, for the forms the caller manages (platform admins: all).';

revoke all on function leadgen.form_submissions(uuid[], integer, timestamptz, uuid) from public;
revoke all on function leadgen.form_submission_counts(uuid[]) from public;
grant execute on function leadgen.form_submissions(uuid[], integer, timestamptz, uuid) to authenticated;
grant execute on function leadgen.form_submission_counts(uuid[]) to authenticated;
