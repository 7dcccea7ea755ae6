-- Indexes shaped like the API's orderings: every ordering sorts by a key and breaks ties by id in the same
-- direction, so a plain ascending (key, id) index serves both directions (scanned backwards for DESC) with
-- no extra sort step, and keyset pagination (`(key, id) < ($1, $2)`) starts right at the cursor.

drop index if exists public.leads_score_idx;
drop index if exists public.leads_created_at_idx;
drop index if exists public.leads_updated_at_idx;
drop index if exists public.leads_last_activity_at_idx;
create index leads_score_idx on public.leads (score, id);
create index leads_created_at_idx on public.leads (created_at, id);
create index leads_updated_at_idx on public.leads (updated_at, id);
create index leads_last_activity_at_idx on public.leads (coalesce(last_activity_at, '-infinity'::timestamptz), id);
create index leads_name_idx on public.leads
  (lower(coalesce(last_name, '') || ' ' || coalesce(first_name, '')), id);
-- boards and per-stage/per-company lists ordered by score
create index leads_stage_score_idx on public.leads (stage_id, score, id);

drop index if exists public.lead_activities_lead_created_idx;
create index lead_activities_lead_created_idx on public.lead_activities (lead_id, created_at, id);

drop index if exists public.lead_workflow_executions_workflow_idx;
drop index if exists public.lead_workflow_executions_lead_idx;
create index lead_workflow_executions_workflow_idx on public.lead_workflow_executions (workflow_id, created_at, id);
create index lead_workflow_executions_lead_idx on public.lead_workflow_executions (lead_id, created_at, id);

drop index if exists public.companies_created_at_idx;
create index companies_created_at_idx on public.companies (created_at, id);
create index companies_name_idx on public.companies (lower(name), id);
create index lead_campaigns_created_at_idx on public.lead_campaigns (created_at, id);
