-- Pages of leads by score or creation time, read scope by scope.
--
-- Under RLS a page such as "the 25 best-scored leads I can see" walks the global score index and drops every
-- lead the policy hides, until it has 25: fast for a caller who sees much of the table, but for one whose few
-- visible leads score low it reads most of the table (20-27 ms at bench scale 1, against 1.5 ms). The planner
-- cannot tell the two apart: what the caller sees is known only when the query runs.
--
-- The API therefore reads such a page as the union of the same page in each scope the leads_select policy
-- admits (the caller's personal leads, each space they belong to, or every lead for a platform admin), each
-- taken from an index that starts with its scope, and keeps the best rows of the union (db/sql_builder.py,
-- scoped_lead_source). The policy still applies to every row; the indexes below serve the per-scope pages, and
-- the two functions let the API name the scopes the policy uses.

create index leads_space_score_idx on public.leads (space_id, score, id);
create index leads_space_created_at_idx on public.leads (space_id, created_at, id);
create index leads_personal_score_idx on public.leads (user_id, score, id) where space_id is null;
create index leads_personal_created_at_idx on public.leads (user_id, created_at, id) where space_id is null;

create function leadgen.readable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select private.readable_space_ids()
$$;
comment on function leadgen.readable_space_ids() is
  'The spaces whose leads the caller may read (the same function the leads_select policy uses).';
revoke all on function leadgen.readable_space_ids() from public;
grant execute on function leadgen.readable_space_ids() to authenticated;

create function leadgen.is_platform_admin() returns boolean
language sql stable security definer
set search_path = ''
as $$
  select private.is_platform_admin()
$$;
comment on function leadgen.is_platform_admin() is
  'Whether the caller''s token makes them a platform admin (as private.is_platform_admin, used by policies).';
revoke all on function leadgen.is_platform_admin() from public;
grant execute on function leadgen.is_platform_admin() to authenticated;
