-- Full-text search that can use its GIN index under RLS. Postgres will not evaluate a non-leakproof
-- operator such as `@@` before a table's RLS policy, so `search_vector @@ q` on leads as `authenticated`
-- reads every visible lead. This function runs the match with the index (as its owner) and applies the
-- same visibility rule as leads_select itself; the query that uses it still goes through RLS as well.
-- It lives in `leadgen`: functions the API calls by name (so API roles get USAGE on the schema), kept out
-- of the Data API's exposed schemas, and holding nothing that reveals more than RLS already shows.

create schema if not exists leadgen;
revoke all on schema leadgen from public;
grant usage on schema leadgen to authenticated;
comment on schema leadgen is 'Functions the GraphQL API calls by name; not exposed through the Data API.';

create function leadgen.visible_leads_matching(q text) returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select l.id from public.leads l
  where l.search_vector @@ websearch_to_tsquery('simple'::regconfig, q)
    and ((l.space_id is null and l.user_id = (select auth.uid()))
         or l.space_id = any (array(select private.readable_space_ids()))
         or (select private.is_platform_admin()))
$$;
comment on function leadgen.visible_leads_matching(text) is
  'Ids of the leads the caller can see whose names, email or job title match the web-style search q.';
revoke all on function leadgen.visible_leads_matching(text) from public;
grant execute on function leadgen.visible_leads_matching(text) to authenticated;
