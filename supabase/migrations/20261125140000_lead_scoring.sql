-- Lead scoring in Postgres, so that every write is scored: through GraphQL, REST, Studio or the worker.
--
-- A rule (lead_scoring_rules) scores the leads of its own scope: a space's rules its leads, a user's personal
-- rules their personal leads. A lead's score is the sum of the points of the ACTIVE rules of its scope that it
-- matches, clamped to 0..100. A scope without any active rule has manual scores: a lead keeps whatever score it
-- is given (and, when the last active rule goes, the score it last had). With at least one active rule, the
-- computed score always wins: a written score is replaced.
--
-- One function decides what matches (leadgen.scoring_matches); the score (leadgen.scores_under), the breakdown
-- the API shows (leadgen.score_breakdown) and the preview of a proposed rule set (leadgen.preview_scoring) are
-- all built on it, so they cannot disagree. It works on arrays of leads and rules, set-based: rescoring the
-- 5,000 leads of a space is one UPDATE ... FROM it.
--
-- These functions live in `leadgen` and run with the caller's rights (SECURITY INVOKER): called by the API,
-- Row Level Security decides which leads, rules, companies, sources and activities they see; called by the
-- triggers below (SECURITY DEFINER), they see everything. They reveal nothing RLS does not already show.
--
-- Recomputed: a lead's own score when it is written (BEFORE INSERT/UPDATE); its leads when an activity is
-- added, changed or removed, when a company's size or industry or a source's fields change, and when a rule is
-- created, changed, (de)activated or deleted (statement-level triggers with transition tables). Loads with
-- triggers disabled (session_replication_role = replica) are not scored: run private.rescore_all_leads().
--
-- Matching (criteria_type -> the lead's value it looks at):
--   email_domain   the part of the email after '@'          free_email  'true'/'false' (null without an email)
--   job_title, budget, authority, need, timeline: the lead's columns (budget without trailing zeros)
--   company_size, industry: of the lead's company              source: the source's name or its type
--   utm_source, utm_medium, utm_campaign: of the lead's source
--   custom_field   custom_fields ->> criteria_field (a JSON array: its values joined with ', ')
--   activity_count the number of the lead's activities of type criteria_field ('*': of any type)
--   form_submitted 'true' when the lead has a form (form_id) or a form_submitted activity, else 'false'
-- Conditions, case-insensitive; a missing value counts as the empty string:
--   equals / not_equals      numeric equality when both sides are numbers, else text equality
--   contains / not_contains / starts_with / ends_with   text
--   greater_than / less_than numeric only (both sides numbers, else no match); company_size compares the
--                            lower bound of its bucket ('201-500' -> 201, '5001+' -> 5001), and of the value
--                            when it is a bucket too
--   in                       the value is a comma-separated list (items trimmed); text equality with any item
--   is_empty / is_not_empty  null or blank
-- `source` matches when the name or the type does; for the negative conditions (not_equals, not_contains,
-- is_empty) that means neither does.

-- ---------------------------------------------------------------------------------------------------------
-- The matching logic.
-- ---------------------------------------------------------------------------------------------------------

create type leadgen.scoring_rule as (
  rule_id uuid,
  user_id uuid,
  space_id uuid,
  criteria_type text,
  criteria_field text,
  condition text,
  value text,
  points integer
);
comment on type leadgen.scoring_rule is
  'What matching needs of a scoring rule (a row of lead_scoring_rules, or a proposed rule in a preview).';

-- The three small helpers below have no `set search_path`: that keeps them inlinable, which is what makes
-- matching fast (a function with SET costs a GUC switch per call, i.e. per lead and rule). They run with the
-- caller's rights and are inlined into leadgen.scoring_matches, whose own search_path is ''.
create function leadgen.is_free_email(p_email text) returns boolean
language sql immutable parallel safe
as $$
  select split_part(lower(p_email), '@', 2) = any (array[
    'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'yahoo.es', 'yahoo.it',
    'yahoo.co.jp', 'ymail.com', 'rocketmail.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'hotmail.de',
    'hotmail.it', 'outlook.com', 'outlook.fr', 'outlook.de', 'live.com', 'live.co.uk', 'live.fr', 'msn.com',
    'aol.com', 'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'pm.me', 'tutanota.com',
    'tuta.io', 'fastmail.com', 'hey.com', 'zoho.com', 'zohomail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'gmx.at',
    'web.de', 'mail.com', 'email.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'inbox.ru', 'list.ru', 'bk.ru',
    'qq.com', '163.com', '126.com', 'sina.com', 'naver.com', 'daum.net', 'hanmail.net', 'rediffmail.com',
    'libero.it', 'virgilio.it', 'orange.fr', 'wanadoo.fr', 'free.fr', 'laposte.net', 'sfr.fr', 't-online.de',
    'freenet.de', 'btinternet.com', 'sky.com', 'virginmedia.com', 'comcast.net', 'verizon.net', 'att.net',
    'sbcglobal.net', 'cox.net', 'bellsouth.net', 'shaw.ca', 'rogers.com', 'bigpond.com', 'optusnet.com.au',
    'seznam.cz', 'wp.pl', 'o2.pl', 'interia.pl', 'ukr.net', 'uol.com.br', 'bol.com.br', 'terra.com.br'
  ])
$$;
comment on function leadgen.is_free_email(text) is
  'True when the email''s domain is a free-mail provider (Gmail, Yahoo, Outlook, ...); null for a null email.';

-- A number in text: a decimal literal, or with p_buckets a company-size bucket ('51-200', '5001+') standing for
-- its lower bound. Null for anything else (never an error).
create function leadgen.scoring_number(p_text text, p_buckets boolean) returns numeric
language sql immutable parallel safe
as $$
  select case
    when p_buckets and p_text ~ '^\s*\d{1,9}\s*(-\s*\d{1,9}|\+)\s*$' then substring(p_text from '\d+')::numeric
    when p_text ~ '^\s*[-+]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})\s*$' then btrim(p_text)::numeric
  end
$$;
comment on function leadgen.scoring_number(text, boolean) is
  'The number a scoring subject or value stands for (company-size buckets: their lower bound), else null.';

-- Whether a lead's value (p_subject) satisfies a positive condition (the negative ones are its negation, see
-- scoring_matches) against a rule's value, given prepared once per rule: lower-cased (p_value), as a number
-- (p_value_number) and as the trimmed, lower-cased items of a comma-separated list (p_items).
create function leadgen.scoring_test(
  p_test text, p_subject text, p_value text, p_value_number numeric, p_items text[], p_buckets boolean
) returns boolean
language sql immutable parallel safe
as $$
  select case p_test
    when 'equals' then case
      when p_value_number is null then lower(coalesce(p_subject, '')) = p_value
      else coalesce(leadgen.scoring_number(p_subject, false) = p_value_number, lower(coalesce(p_subject, '')) = p_value)
    end
    when 'contains' then strpos(lower(coalesce(p_subject, '')), p_value) > 0
    when 'starts_with' then starts_with(lower(coalesce(p_subject, '')), p_value)
    when 'ends_with' then right(lower(coalesce(p_subject, '')), length(p_value)) = p_value
    when 'greater_than' then coalesce(leadgen.scoring_number(p_subject, p_buckets) > p_value_number, false)
    when 'less_than' then coalesce(leadgen.scoring_number(p_subject, p_buckets) < p_value_number, false)
    when 'in' then lower(coalesce(p_subject, '')) = any (p_items)
    when 'is_not_empty' then btrim(coalesce(p_subject, '')) <> ''
    else false
  end
$$;
comment on function leadgen.scoring_test(text, text, text, numeric, text[], boolean) is
  'Whether a lead''s value satisfies a positive scoring condition (equals, contains, starts_with, ends_with, '
  'greater_than, less_than, in, is_not_empty) against a rule''s prepared value.';

-- THE matching function: which of p_rules each of p_leads matches (a rule only ever matches leads of its own
-- scope). Reads the leads' companies, sources and activities with the caller's rights.
create function leadgen.scoring_matches(p_leads public.leads[], p_rules leadgen.scoring_rule[])
returns table (lead_id uuid, rule_id uuid, points integer)
language plpgsql stable parallel safe
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
    with counted as (  -- activities per lead and type, read only for the types the rules count
      select k.lead_id, jsonb_object_agg(k.activity_type, k.n) as by_type, sum(k.n) as total
        from (select a.lead_id, a.activity_type, count(*) as n
                from public.lead_activities a
               where a.lead_id = any (array(select l.id from unnest(p_leads) l))
                 and (a.activity_type = any (array(
                        select case r.criteria_type when 'form_submitted' then 'form_submitted'
                                                    else r.criteria_field end
                          from unnest(p_rules) r where r.criteria_type in ('activity_count', 'form_submitted')))
                      or exists (select 1 from unnest(p_rules) r
                                  where r.criteria_type = 'activity_count' and r.criteria_field = '*'))
               group by a.lead_id, a.activity_type) k
       group by k.lead_id
    ),
    lead as materialized (  -- what the rules look at, per lead
      select l.id, l.user_id, l.space_id, l.email, l.job_title, l.budget, l.authority, l.need, l.timeline,
             l.custom_fields, l.form_id, c.company_size, c.industry, s.name as source_name, s.type as source_type,
             s.utm_source, s.utm_medium, s.utm_campaign, k.by_type as activities, k.total as activity_total
        from unnest(p_leads) l
        left join public.companies c on c.id = l.company_id
        left join public.lead_sources s on s.id = l.source_id
        left join counted k on k.lead_id = l.id
    ),
    rule as materialized (  -- the rule's value prepared once: lower-cased, as a number, as a list
      select r.rule_id, r.user_id, r.space_id, r.criteria_type, r.criteria_field, r.points,
             r.condition in ('not_equals', 'not_contains', 'is_empty') as negated,
             case r.condition
               when 'not_equals' then 'equals' when 'not_contains' then 'contains' when 'is_empty' then 'is_not_empty'
               else r.condition
             end as test,
             r.criteria_type = 'company_size' as buckets,
             lower(coalesce(r.value, '')) as value,
             leadgen.scoring_number(r.value, r.criteria_type = 'company_size') as value_number,
             regexp_split_to_array(lower(btrim(coalesce(r.value, ''))), '\s*,\s*') as items
        from unnest(p_rules) r
    ),
    pair as materialized (  -- each lead with each rule of its scope, and the lead's value the rule looks at
      select l.id as lead_id, r.rule_id, r.points, r.negated, r.test, r.buckets, r.value, r.value_number, r.items,
             case r.criteria_type
               when 'email_domain' then split_part(lower(l.email), '@', 2)
               when 'free_email' then leadgen.is_free_email(l.email)::text
               when 'job_title' then l.job_title
               when 'company_size' then l.company_size
               when 'industry' then l.industry
               when 'source' then l.source_name
               when 'utm_source' then l.utm_source
               when 'utm_medium' then l.utm_medium
               when 'utm_campaign' then l.utm_campaign
               when 'budget' then trim_scale(l.budget)::text
               when 'authority' then l.authority
               when 'need' then l.need
               when 'timeline' then l.timeline
               when 'custom_field' then
                 case jsonb_typeof(l.custom_fields -> r.criteria_field)
                   when 'array' then array_to_string(
                     array(select jsonb_array_elements_text(l.custom_fields -> r.criteria_field)), ', ')
                   else l.custom_fields ->> r.criteria_field
                 end
               when 'activity_count' then coalesce(
                 case when r.criteria_field = '*' then l.activity_total
                      else (l.activities ->> r.criteria_field)::numeric end,
                 0)::text
               when 'form_submitted' then
                 (l.form_id is not null or coalesce(l.activities ? 'form_submitted', false))::text
             end as subject,
             case when r.criteria_type = 'source' then l.source_type end as alternative
        from lead l
        join rule r
          on coalesce(r.space_id, r.user_id) = coalesce(l.space_id, l.user_id)
         and (r.space_id is null) = (l.space_id is null)
    )
    select p.lead_id, p.rule_id, p.points
      from pair p
     where p.negated <> (leadgen.scoring_test(p.test, p.subject, p.value, p.value_number, p.items, p.buckets)
                         or (p.alternative is not null
                             and leadgen.scoring_test(p.test, p.alternative, p.value, p.value_number, p.items, false)));
end
$$;
comment on function leadgen.scoring_matches(public.leads[], leadgen.scoring_rule[]) is
  'The rules each lead matches, with their points: the one definition of matching that scores, breakdowns and '
  'previews share. A rule only matches leads of its own scope. Runs with the caller''s rights.';

-- The active rules of the scopes of these leads (as far as the caller can see them).
create function leadgen.active_scoring_rules(p_leads public.leads[]) returns leadgen.scoring_rule[]
language plpgsql stable parallel safe
set search_path = ''
as $$
begin
  return array(
    select row(r.id, r.user_id, r.space_id, r.criteria_type, r.criteria_field, r.condition, r.value,
               r.points)::leadgen.scoring_rule
      from public.lead_scoring_rules r
     where r.is_active
       and (r.space_id = any (array(select l.space_id from unnest(p_leads) l where l.space_id is not null))
            or (r.space_id is null
                and r.user_id = any (array(select l.user_id from unnest(p_leads) l where l.space_id is null))))
     order by r.id);
end
$$;
comment on function leadgen.active_scoring_rules(public.leads[]) is
  'The active scoring rules of the scopes of these leads (as far as the caller can see them).';

-- The score of each lead under p_rules: the sum of the points of the rules it matches, clamped to 0..100. Only
-- for leads of a scope that has at least one of the rules; the others keep their (manual) score.
create function leadgen.scores_under(p_leads public.leads[], p_rules leadgen.scoring_rule[])
returns table (lead_id uuid, score integer)
language plpgsql stable parallel safe
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
    with scope as (
      select distinct coalesce(r.space_id, r.user_id) as key, r.space_id is null as personal from unnest(p_rules) r
    ),
    matched as (
      select m.lead_id, sum(m.points) as points from leadgen.scoring_matches(p_leads, p_rules) m group by m.lead_id
    )
    select l.id, least(100, greatest(0, coalesce(m.points, 0)))::integer
      from unnest(p_leads) l
      join scope s on s.key = coalesce(l.space_id, l.user_id) and s.personal = (l.space_id is null)
      left join matched m on m.lead_id = l.id;
end
$$;
comment on function leadgen.scores_under(public.leads[], leadgen.scoring_rule[]) is
  'Score of each lead under the given rules (sum of matching points, clamped 0..100); only leads of a scope the '
  'rules belong to.';

-- ---------------------------------------------------------------------------------------------------------
-- What the API calls: breakdown and preview. SECURITY INVOKER: RLS decides what they see.
-- ---------------------------------------------------------------------------------------------------------

create function leadgen.score_breakdown(p_lead_ids uuid[])
returns table (lead_id uuid, rule_id uuid, points integer)
language sql stable parallel safe
set search_path = ''
as $$
  with visible as materialized (
    select array(select l from public.leads l where l.id = any (p_lead_ids)) as leads
  )
  select m.lead_id, m.rule_id, m.points
    from visible v, leadgen.scoring_matches(v.leads, leadgen.active_scoring_rules(v.leads)) m
$$;
comment on function leadgen.score_breakdown(uuid[]) is
  'The active rules each of these leads matches, with their points (what its score is the clamped sum of), for '
  'the leads the caller can see.';

-- How the caller's score distribution in a scope (p_space, or their personal leads) would change if p_rules
-- (a JSON array of {criteria_type, criteria_field, condition, value, points, is_active}) replaced the scope's
-- rules. Reads only; counts only leads the caller can see. Buckets: 0-19, 20-39, 40-59, 60-79, 80-100.
create function leadgen.preview_scoring(p_rules jsonb, p_space uuid)
returns table (lead_count integer, current_average numeric, proposed_average numeric, current_buckets integer[],
               proposed_buckets integer[], changed integer)
language plpgsql stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  caller uuid := auth.uid();
  leads public.leads[];
  rules leadgen.scoring_rule[];
  bad text;
begin
  if jsonb_typeof(p_rules) is distinct from 'array' then
    raise exception 'the proposed rules must be a JSON array' using errcode = '22023';
  end if;
  select format('rule %s: %s', x.n - 1, x.problem) into bad
    from (
      select e.n, case
          when jsonb_typeof(e.r) is distinct from 'object' then 'not a JSON object'
          when (e.r ->> 'criteria_type') is null or (e.r ->> 'criteria_type') not in ('email_domain', 'free_email',
            'job_title', 'company_size', 'industry', 'source', 'utm_source', 'utm_medium', 'utm_campaign', 'budget',
            'authority', 'need', 'timeline', 'custom_field', 'activity_count', 'form_submitted')
            then 'unknown criteria_type'
          when (e.r ->> 'condition') is null or (e.r ->> 'condition') not in ('equals', 'not_equals', 'contains',
            'not_contains', 'starts_with', 'ends_with', 'greater_than', 'less_than', 'in', 'is_empty', 'is_not_empty')
            then 'unknown condition'
          when jsonb_typeof(e.r -> 'points') is distinct from 'number' or (e.r ->> 'points') !~ '^-?\d{1,3}$'
            or abs((e.r ->> 'points')::integer) > 100 then 'points must be an integer between -100 and 100'
          when (e.r ->> 'criteria_type') in ('custom_field', 'activity_count') and (e.r ->> 'criteria_field') is null
            then 'criteria_field is required'
          when jsonb_typeof(coalesce(e.r -> 'is_active', 'null')) not in ('boolean', 'null')
            then 'is_active must be a boolean'
        end as problem
        from jsonb_array_elements(p_rules) with ordinality as e (r, n)
    ) x
   where x.problem is not null
   order by x.n
   limit 1;
  if bad is not null then
    raise exception 'invalid proposed scoring rule: %', bad using errcode = '22023';
  end if;

  leads := array(
    select l from public.leads l
     where case when p_space is null then l.space_id is null and l.user_id = caller else l.space_id = p_space end);
  rules := array(
    select row(('00000000-0000-4000-8000-' || lpad(e.n::text, 12, '0'))::uuid, caller, p_space,
               e.r ->> 'criteria_type', e.r ->> 'criteria_field', e.r ->> 'condition', e.r ->> 'value',
               (e.r ->> 'points')::integer)::leadgen.scoring_rule
      from jsonb_array_elements(p_rules) with ordinality as e (r, n)
     where coalesce((e.r ->> 'is_active')::boolean, true));
  return query
    with scored as (
      select l.score as now_score, coalesce(s.score, l.score) as new_score
        from unnest(leads) l
        left join leadgen.scores_under(leads, rules) s on s.lead_id = l.id
    ),
    bucketed as (
      select x.now_score, x.new_score,
             least(x.now_score / 20, 4) as now_bucket, least(x.new_score / 20, 4) as new_bucket
        from scored x
    )
    select count(*)::integer, round(avg(x.now_score), 2), round(avg(x.new_score), 2),
           array[count(*) filter (where x.now_bucket = 0), count(*) filter (where x.now_bucket = 1),
                 count(*) filter (where x.now_bucket = 2), count(*) filter (where x.now_bucket = 3),
                 count(*) filter (where x.now_bucket = 4)]::integer[],
           array[count(*) filter (where x.new_bucket = 0), count(*) filter (where x.new_bucket = 1),
                 count(*) filter (where x.new_bucket = 2), count(*) filter (where x.new_bucket = 3),
                 count(*) filter (where x.new_bucket = 4)]::integer[],
           (count(*) filter (where x.now_score <> x.new_score))::integer
      from bucketed x;
end
$$;
comment on function leadgen.preview_scoring(jsonb, uuid) is
  'Score distribution of the caller''s visible leads of a scope (a space, or with null their personal leads) now '
  'and under a proposed rule set (JSON array of rules; inactive ones ignored; none active: scores stay manual). '
  'Writes nothing.';

revoke all on function leadgen.is_free_email(text) from public;
revoke all on function leadgen.scoring_number(text, boolean) from public;
revoke all on function leadgen.scoring_test(text, text, text, numeric, text[], boolean) from public;
revoke all on function leadgen.scoring_matches(public.leads[], leadgen.scoring_rule[]) from public;
revoke all on function leadgen.active_scoring_rules(public.leads[]) from public;
revoke all on function leadgen.scores_under(public.leads[], leadgen.scoring_rule[]) from public;
revoke all on function leadgen.score_breakdown(uuid[]) from public;
revoke all on function leadgen.preview_scoring(jsonb, uuid) from public;
grant execute on function leadgen.is_free_email(text) to authenticated;
grant execute on function leadgen.scoring_number(text, boolean) to authenticated;
grant execute on function leadgen.scoring_test(text, text, text, numeric, text[], boolean) to authenticated;
grant execute on function leadgen.scoring_matches(public.leads[], leadgen.scoring_rule[]) to authenticated;
grant execute on function leadgen.active_scoring_rules(public.leads[]) to authenticated;
grant execute on function leadgen.scores_under(public.leads[], leadgen.scoring_rule[]) to authenticated;
grant execute on function leadgen.score_breakdown(uuid[]) to authenticated;
grant execute on function leadgen.preview_scoring(jsonb, uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------------------
-- Keeping scores current.
-- ---------------------------------------------------------------------------------------------------------

-- Rescore these leads: one UPDATE ... FROM the set-based computation per batch of 5,000 leads (a batch is what
-- a rule change in a big space costs; batches bound the memory of bigger ones). The leads are locked first and
-- read in their latest committed version, so a concurrent change of one of them is not overwritten with a score
-- computed from its older version. While the UPDATE runs, `leadgen.rescoring` tells the BEFORE trigger that the
-- new scores are already computed.
create function private.rescore_leads(p_lead_ids uuid[]) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  batch constant integer := 5000;
  ids uuid[] := array(select distinct i from unnest(p_lead_ids) i where i is not null order by i);
  leads public.leads[];
  previous text := current_setting('leadgen.rescoring', true);
  changed integer;
  total integer := 0;
begin
  for start_at in 1 .. coalesce(cardinality(ids), 0) by batch loop
    leads := array(select l from public.leads l where l.id = any (ids[start_at:start_at + batch - 1])
                    order by l.id for no key update);
    continue when cardinality(leads) = 0;
    perform set_config('leadgen.rescoring', 'on', true);
    update public.leads l set score = s.score
      from leadgen.scores_under(leads, leadgen.active_scoring_rules(leads)) s
     where l.id = s.lead_id and l.score <> s.score;
    get diagnostics changed = row_count;
    perform set_config('leadgen.rescoring', coalesce(previous, ''), true);
    total := total + changed;
  end loop;
  return total;
end
$$;
comment on function private.rescore_leads(uuid[]) is
  'Recomputes the scores of these leads (those of scopes with active rules), set-based; returns how many changed.';
revoke all on function private.rescore_leads(uuid[]) from public;

-- For loads that bypassed the triggers (session_replication_role = replica, like the bench loader): rescore
-- every lead of every scope that has an active rule, one scope at a time.
create function private.rescore_all_leads() returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  total integer := 0;
  scope record;
begin
  for scope in
    select distinct r.space_id, case when r.space_id is null then r.user_id end as user_id
      from public.lead_scoring_rules r where r.is_active
  loop
    total := total + private.rescore_leads(array(
      select l.id from public.leads l
       where (scope.space_id is not null and l.space_id = scope.space_id)
          or (scope.space_id is null and l.space_id is null and l.user_id = scope.user_id)));
  end loop;
  return total;
end
$$;
comment on function private.rescore_all_leads() is
  'Rescores every lead of every scope with active rules (after loads that bypassed the triggers); returns how '
  'many scores changed.';
revoke all on function private.rescore_all_leads() from public;

-- A lead's own score, whenever it is written. Skipped when nothing the score depends on changed and the score
-- itself did not either (e.g. last_activity_at or status), and for the rescoring's own UPDATE, whose scores are
-- already computed: `leadgen.rescoring` is only ever set, transaction-locally, around that UPDATE in
-- private.rescore_leads (and only changes of the score alone are taken as such).
create function private.score_lead() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  computed integer;
begin
  if tg_op = 'UPDATE'
     -- the scope (a space lead's owner is not part of it), and every column the criteria look at
     and (new.space_id, case when new.space_id is null then new.user_id end, new.company_id, new.source_id,
          new.form_id, new.email, new.job_title, new.budget, new.authority, new.need, new.timeline, new.custom_fields)
         is not distinct from
         (old.space_id, case when old.space_id is null then old.user_id end, old.company_id, old.source_id,
          old.form_id, old.email, old.job_title, old.budget, old.authority, old.need, old.timeline, old.custom_fields)
     and (new.score = old.score or current_setting('leadgen.rescoring', true) = 'on') then
    return new;
  end if;
  select s.score into computed from leadgen.scores_under(array[new], leadgen.active_scoring_rules(array[new])) s;
  if found then
    new.score := computed;
  end if;
  return new;
end
$$;
comment on function private.score_lead() is
  'BEFORE INSERT/UPDATE on leads: computes the score when the lead''s scope has active rules.';
revoke all on function private.score_lead() from public;
create trigger leads_compute_score before insert or update on public.leads
  for each row execute function private.score_lead();

-- Activities: the leads whose activities were added, removed, or changed type or lead.
create function private.rescore_after_activities() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.rescore_leads(array(select distinct n.lead_id from new_rows n));
  elsif tg_op = 'DELETE' then
    perform private.rescore_leads(array(select distinct o.lead_id from old_rows o));
  else
    perform private.rescore_leads(array(
      select unnest(array[o.lead_id, n.lead_id])
        from old_rows o join new_rows n on n.id = o.id
       where o.lead_id <> n.lead_id or o.activity_type <> n.activity_type));
  end if;
  return null;
end
$$;
comment on function private.rescore_after_activities() is
  'AFTER INSERT/UPDATE/DELETE on lead_activities (per statement): rescores the leads concerned.';
revoke all on function private.rescore_after_activities() from public;
create trigger lead_activities_rescore_on_insert after insert on public.lead_activities
  referencing new table as new_rows
  for each statement execute function private.rescore_after_activities();
create trigger lead_activities_rescore_on_update after update on public.lead_activities
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.rescore_after_activities();
create trigger lead_activities_rescore_on_delete after delete on public.lead_activities
  referencing old table as old_rows
  for each statement execute function private.rescore_after_activities();

-- Companies and sources: the leads pointing at one whose scored fields changed.
create function private.rescore_after_reference_change() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'companies' then
    perform private.rescore_leads(array(
      select l.id from public.leads l
       where l.company_id = any (array(
         select n.id from old_rows o join new_rows n on n.id = o.id
          where (o.company_size, o.industry) is distinct from (n.company_size, n.industry)))));
  else
    perform private.rescore_leads(array(
      select l.id from public.leads l
       where l.source_id = any (array(
         select n.id from old_rows o join new_rows n on n.id = o.id
          where (o.name, o.type, o.utm_source, o.utm_medium, o.utm_campaign)
                is distinct from (n.name, n.type, n.utm_source, n.utm_medium, n.utm_campaign)))));
  end if;
  return null;
end
$$;
comment on function private.rescore_after_reference_change() is
  'AFTER UPDATE on companies / lead_sources (per statement): rescores the leads of a changed company or source.';
revoke all on function private.rescore_after_reference_change() from public;
create trigger companies_rescore_leads after update on public.companies
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.rescore_after_reference_change();
create trigger lead_sources_rescore_leads after update on public.lead_sources
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.rescore_after_reference_change();

-- Rules: every lead of each scope whose active rules changed (a rule created active, changed while or into
-- being active, moved to another scope, (de)activated, or deleted while active). Renaming a rule, or handing
-- a space's rule to another member, changes no score.
create function private.rescore_after_rules() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  spaces uuid[];  -- spaces whose active rules changed
  owners uuid[];  -- users whose personal active rules changed
begin
  if tg_op = 'INSERT' then
    select array_agg(n.space_id) filter (where n.space_id is not null),
           array_agg(n.user_id) filter (where n.space_id is null)
      into spaces, owners
      from new_rows n where n.is_active;
  elsif tg_op = 'DELETE' then
    select array_agg(o.space_id) filter (where o.space_id is not null),
           array_agg(o.user_id) filter (where o.space_id is null)
      into spaces, owners
      from old_rows o where o.is_active;
  else
    select array_agg(s.space_id) filter (where s.space_id is not null),
           array_agg(s.user_id) filter (where s.space_id is null)
      into spaces, owners
      from old_rows o join new_rows n on n.id = o.id
      cross join lateral (values (o.user_id, o.space_id), (n.user_id, n.space_id)) as s (user_id, space_id)
     where (o.is_active or n.is_active)
       and (o.space_id, case when o.space_id is null then o.user_id end, o.criteria_type, o.criteria_field,
            o.condition, o.value, o.points, o.is_active)
           is distinct from
           (n.space_id, case when n.space_id is null then n.user_id end, n.criteria_type, n.criteria_field,
            n.condition, n.value, n.points, n.is_active);
  end if;
  if spaces is not null or owners is not null then
    perform private.rescore_leads(array(
      select l.id from public.leads l where l.space_id = any (spaces)
      union all
      select l.id from public.leads l where l.space_id is null and l.user_id = any (owners)));
  end if;
  return null;
end
$$;
comment on function private.rescore_after_rules() is
  'AFTER INSERT/UPDATE/DELETE on lead_scoring_rules (per statement): rescores the leads of the scopes concerned.';
revoke all on function private.rescore_after_rules() from public;
create trigger lead_scoring_rules_rescore_on_insert after insert on public.lead_scoring_rules
  referencing new table as new_rows
  for each statement execute function private.rescore_after_rules();
create trigger lead_scoring_rules_rescore_on_update after update on public.lead_scoring_rules
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.rescore_after_rules();
create trigger lead_scoring_rules_rescore_on_delete after delete on public.lead_scoring_rules
  referencing old table as old_rows
  for each statement execute function private.rescore_after_rules();

-- Existing data: score the leads of every scope that already has active rules.
select private.rescore_all_leads();
