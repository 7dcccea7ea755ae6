-- Core lead model: companies, customers, pipeline stages, sources, forms with their fields, leads and the
-- activity log. Every table: uuid key, created_at/updated_at, owner (user_id) and optional space.

create table public.companies (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 300),
  website text check (website is null or website ~* '^https?://[^\s/$.?#][^\s]*$'),
  industry text check (industry is null or length(industry) <= 200),
  company_size text check (company_size is null or company_size in
    ('1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+')),
  company_data jsonb not null default '{}'::jsonb check (jsonb_typeof(company_data) = 'object'),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.companies is
  'Companies that leads belong to (not workspaces: see spaces). Owned by user_id, shared when space_id is set.';
comment on column public.companies.id is 'Primary key.';
comment on column public.companies.user_id is 'Owner/creator of the record (auth.users.id).';
comment on column public.companies.space_id is 'Optional space (client workspace) sharing the record with its members.';
comment on column public.companies.name is 'Company name.';
comment on column public.companies.website is 'Website URL (http or https).';
comment on column public.companies.industry is 'Industry, free text.';
comment on column public.companies.company_size is 'Employee-count bucket: 1-10, 11-50, 51-200, 201-500, 501-1000, 1001-5000, 5001+.';
comment on column public.companies.company_data is 'Enrichment data (JSON object).';
comment on column public.companies.is_active is 'Whether the company is active.';
comment on column public.companies.created_at is 'When the row was created.';
comment on column public.companies.updated_at is 'When the row was last changed (kept by a trigger).';
create index companies_user_id_idx on public.companies (user_id);
create index companies_space_id_idx on public.companies (space_id);
create index companies_name_trgm_idx on public.companies using gin (name extensions.gin_trgm_ops);
create index companies_created_at_idx on public.companies (created_at);

create table public.customers (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  lead_id uuid,
  company_id uuid references public.companies (id) on delete set null,
  name text not null check (length(btrim(name)) between 1 and 300),
  email text check (email is null or email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  phone text check (phone is null or length(phone) <= 50),
  customer_data jsonb not null default '{}'::jsonb check (jsonb_typeof(customer_data) = 'object'),
  converted_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.customers is 'Customers: what a converted lead becomes.';
comment on column public.customers.id is 'Primary key.';
comment on column public.customers.user_id is 'Owner/creator of the record (auth.users.id).';
comment on column public.customers.space_id is 'Optional space sharing the record with its members.';
comment on column public.customers.lead_id is 'The lead this customer was converted from (at most one customer per lead).';
comment on column public.customers.company_id is 'The customer''s company.';
comment on column public.customers.name is 'Customer display name (person or account).';
comment on column public.customers.email is 'Primary email address.';
comment on column public.customers.phone is 'Primary phone number.';
comment on column public.customers.customer_data is 'Additional data (JSON object).';
comment on column public.customers.converted_at is 'When the lead was converted.';
comment on column public.customers.created_at is 'When the row was created.';
comment on column public.customers.updated_at is 'When the row was last changed (kept by a trigger).';
create index customers_user_id_idx on public.customers (user_id);
create index customers_space_id_idx on public.customers (space_id);
create index customers_company_id_idx on public.customers (company_id);
create unique index customers_lead_id_key on public.customers (lead_id);

create table public.lead_stages (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 100),
  stage_order integer not null default 0 check (stage_order >= 0),
  color text not null default '#6B7280' check (color ~ '^#[0-9A-Fa-f]{6}$'),
  is_default boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_stages is 'Customisable pipeline stages of a scope (a user''s own, or a space''s).';
comment on column public.lead_stages.id is 'Primary key.';
comment on column public.lead_stages.user_id is 'Owner/creator of the record (auth.users.id).';
comment on column public.lead_stages.space_id is 'Optional space whose pipeline this stage belongs to.';
comment on column public.lead_stages.name is 'Stage name (e.g. New, Qualified, Proposal); unique within its scope.';
comment on column public.lead_stages.stage_order is 'Position on the board, ascending.';
comment on column public.lead_stages.color is 'Hex colour, #RRGGBB.';
comment on column public.lead_stages.is_default is 'Created as one of the default stages.';
comment on column public.lead_stages.created_at is 'When the row was created.';
comment on column public.lead_stages.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_stages_user_id_idx on public.lead_stages (user_id, stage_order);
create index lead_stages_space_id_idx on public.lead_stages (space_id, stage_order);
create unique index lead_stages_personal_name_key on public.lead_stages (user_id, lower(name)) where space_id is null;
create unique index lead_stages_space_name_key on public.lead_stages (space_id, lower(name)) where space_id is not null;

create table public.lead_sources (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  type text not null default 'other' check (type in ('website', 'linkedin', 'email', 'social_media', 'referral',
    'advertising', 'paid_search', 'organic_search', 'event', 'partner', 'direct', 'other')),
  utm_source text check (utm_source is null or length(utm_source) <= 200),
  utm_medium text check (utm_medium is null or length(utm_medium) <= 200),
  utm_campaign text check (utm_campaign is null or length(utm_campaign) <= 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_sources is 'Where leads originate, with the UTM parameters that identify a source.';
comment on column public.lead_sources.id is 'Primary key.';
comment on column public.lead_sources.user_id is 'Owner/creator of the record (auth.users.id).';
comment on column public.lead_sources.space_id is 'Optional space sharing the record with its members.';
comment on column public.lead_sources.name is 'Source name.';
comment on column public.lead_sources.type is
  'website | linkedin | email | social_media | referral | advertising | paid_search | organic_search | event | partner | direct | other.';
comment on column public.lead_sources.utm_source is 'utm_source that identifies this source.';
comment on column public.lead_sources.utm_medium is 'utm_medium that identifies this source.';
comment on column public.lead_sources.utm_campaign is 'utm_campaign that identifies this source.';
comment on column public.lead_sources.created_at is 'When the row was created.';
comment on column public.lead_sources.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_sources_user_id_idx on public.lead_sources (user_id);
create index lead_sources_space_id_idx on public.lead_sources (space_id);
create index lead_sources_type_idx on public.lead_sources (type);

create table public.lead_forms (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  title text check (title is null or length(title) <= 300),
  description text check (description is null or length(description) <= 5000),
  ai_personalization_enabled boolean not null default false,
  form_settings jsonb not null default '{}'::jsonb check (jsonb_typeof(form_settings) = 'object'),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_forms is 'Customisable lead capture forms.';
comment on column public.lead_forms.id is 'Primary key.';
comment on column public.lead_forms.user_id is 'Owner of the form (auth.users.id).';
comment on column public.lead_forms.space_id is 'Optional space sharing the form with its members.';
comment on column public.lead_forms.name is 'Internal name.';
comment on column public.lead_forms.title is 'Title shown to visitors.';
comment on column public.lead_forms.description is 'Description shown to visitors.';
comment on column public.lead_forms.ai_personalization_enabled is 'Enable AI personalisation of the form.';
comment on column public.lead_forms.form_settings is 'Settings (JSON object): theme, styling, success message, redirect URL.';
comment on column public.lead_forms.is_published is 'Published forms accept public submissions.';
comment on column public.lead_forms.published_at is 'When the form was last published.';
comment on column public.lead_forms.created_at is 'When the row was created.';
comment on column public.lead_forms.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_forms_user_id_idx on public.lead_forms (user_id);
create index lead_forms_space_id_idx on public.lead_forms (space_id);
create index lead_forms_published_idx on public.lead_forms (is_published);

create table public.lead_form_fields (
  id uuid primary key default gen_random_uuid(),
  form_id uuid not null references public.lead_forms (id) on delete cascade,
  field_name text not null check (field_name ~ '^[A-Za-z][A-Za-z0-9_]{0,62}$'),
  field_type text not null check (field_type in ('text', 'textarea', 'email', 'phone', 'number', 'url', 'date',
    'select', 'multiselect', 'checkbox', 'hidden')),
  label text not null check (length(btrim(label)) between 1 and 300),
  placeholder text check (placeholder is null or length(placeholder) <= 300),
  is_required boolean not null default false,
  field_order integer not null default 0 check (field_order >= 0),
  options jsonb not null default '[]'::jsonb check (jsonb_typeof(options) = 'array'),
  validation_rules jsonb not null default '{}'::jsonb check (jsonb_typeof(validation_rules) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lead_form_fields_form_field_name_key unique (form_id, field_name)
);
comment on table public.lead_form_fields is 'Fields of a form, in field_order.';
comment on column public.lead_form_fields.id is 'Primary key.';
comment on column public.lead_form_fields.form_id is 'The form (deleting the form deletes its fields).';
comment on column public.lead_form_fields.field_name is 'Key of the value in a submission; unique within the form.';
comment on column public.lead_form_fields.field_type is
  'text | textarea | email | phone | number | url | date | select | multiselect | checkbox | hidden.';
comment on column public.lead_form_fields.label is 'Label shown to visitors.';
comment on column public.lead_form_fields.placeholder is 'Placeholder shown in the empty input.';
comment on column public.lead_form_fields.is_required is 'A submission must carry a value.';
comment on column public.lead_form_fields.field_order is 'Display order, ascending.';
comment on column public.lead_form_fields.options is 'Choices for select/multiselect/checkbox fields (JSON array).';
comment on column public.lead_form_fields.validation_rules is 'Validation (JSON object): min/max length or value, regex, email domain rules.';
comment on column public.lead_form_fields.created_at is 'When the row was created.';
comment on column public.lead_form_fields.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_form_fields_form_order_idx on public.lead_form_fields (form_id, field_order);

create table public.leads (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  company_id uuid references public.companies (id) on delete set null,
  assigned_to uuid references auth.users (id) on delete set null,
  first_name text check (first_name is null or length(first_name) <= 200),
  last_name text check (last_name is null or length(last_name) <= 200),
  email text check (email is null or email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  phone text check (phone is null or length(phone) <= 50),
  job_title text check (job_title is null or length(job_title) <= 200),
  stage_id uuid references public.lead_stages (id) on delete set null,
  source_id uuid references public.lead_sources (id) on delete set null,
  score integer not null default 0 check (score between 0 and 100),
  status text not null default 'new' check (status in ('new', 'contacted', 'qualified', 'unqualified', 'nurturing',
    'converted', 'lost')),
  form_id uuid references public.lead_forms (id) on delete set null,
  form_submission_data jsonb check (form_submission_data is null or jsonb_typeof(form_submission_data) = 'object'),
  custom_fields jsonb not null default '{}'::jsonb check (jsonb_typeof(custom_fields) = 'object'),
  budget numeric(14, 2) check (budget is null or budget >= 0),
  authority text check (authority is null or length(authority) <= 200),
  need text check (need is null or length(need) <= 2000),
  timeline text check (timeline is null or length(timeline) <= 200),
  enriched_data jsonb not null default '{}'::jsonb check (jsonb_typeof(enriched_data) = 'object'),
  converted_to_customer boolean not null default false,
  customer_id uuid references public.customers (id) on delete set null,
  last_activity_at timestamptz,
  search_vector tsvector generated always as (
    to_tsvector('simple'::regconfig,
      coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' '
      || coalesce(job_title, ''))
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.leads is 'Lead records: the core of the system.';
comment on column public.leads.id is 'Primary key.';
comment on column public.leads.user_id is 'Owner/creator (auth.users.id).';
comment on column public.leads.space_id is 'Optional space sharing the lead with its members.';
comment on column public.leads.company_id is 'The company this lead belongs to (companies.id); kept null if the company is deleted.';
comment on column public.leads.assigned_to is 'Team member the lead is assigned to (auth.users.id).';
comment on column public.leads.first_name is 'First name.';
comment on column public.leads.last_name is 'Last name.';
comment on column public.leads.email is 'Email address.';
comment on column public.leads.phone is 'Phone number.';
comment on column public.leads.job_title is 'Job title.';
comment on column public.leads.stage_id is 'Current pipeline stage (a stage of the lead''s own scope).';
comment on column public.leads.source_id is 'Where the lead came from.';
comment on column public.leads.score is 'Lead score, 0..100.';
comment on column public.leads.status is 'new | contacted | qualified | unqualified | nurturing | converted | lost.';
comment on column public.leads.form_id is 'The form that captured this lead; kept null if the form is deleted.';
comment on column public.leads.form_submission_data is 'The original form submission (JSON object).';
comment on column public.leads.custom_fields is 'Values of custom fields (JSON object keyed by field name).';
comment on column public.leads.budget is 'BANT: budget (non-negative amount).';
comment on column public.leads.authority is 'BANT: decision-making authority.';
comment on column public.leads.need is 'BANT: the need.';
comment on column public.leads.timeline is 'BANT: buying timeline.';
comment on column public.leads.enriched_data is 'Data from enrichment services (JSON object).';
comment on column public.leads.converted_to_customer is 'The lead was converted to a customer.';
comment on column public.leads.customer_id is 'The customer the lead became.';
comment on column public.leads.last_activity_at is 'Time of the latest activity (kept by a trigger on lead_activities).';
comment on column public.leads.search_vector is 'Full-text search document over names, email and job title (generated).';
comment on column public.leads.created_at is 'When the row was created.';
comment on column public.leads.updated_at is 'When the row was last changed (kept by a trigger).';
create index leads_user_id_idx on public.leads (user_id);
create index leads_space_id_idx on public.leads (space_id);
create index leads_company_id_idx on public.leads (company_id);
create index leads_assigned_to_idx on public.leads (assigned_to);
create index leads_stage_id_idx on public.leads (stage_id);
create index leads_source_id_idx on public.leads (source_id);
create index leads_form_id_idx on public.leads (form_id);
create index leads_customer_id_idx on public.leads (customer_id);
create index leads_status_idx on public.leads (status);
create index leads_score_idx on public.leads (score desc, id);
create index leads_created_at_idx on public.leads (created_at desc, id);
create index leads_updated_at_idx on public.leads (updated_at desc, id);
create index leads_last_activity_at_idx on public.leads (last_activity_at desc nulls last, id);
create index leads_email_idx on public.leads (lower(email));
create index leads_search_vector_idx on public.leads using gin (search_vector);

alter table public.customers
  add constraint customers_lead_id_fkey foreign key (lead_id) references public.leads (id) on delete set null;

create table public.lead_activities (
  id uuid primary key default gen_random_uuid(),
  lead_id uuid not null references public.leads (id) on delete cascade,
  user_id uuid default auth.uid() references auth.users (id) on delete set null,
  activity_type text not null check (activity_type in ('email_sent', 'email_opened', 'email_clicked',
    'email_replied', 'call_made', 'call_received', 'meeting', 'note', 'task', 'form_submitted', 'page_visit',
    'stage_changed', 'status_changed', 'score_changed', 'assigned', 'converted', 'campaign_joined',
    'campaign_left', 'workflow', 'other')),
  description text check (description is null or length(description) <= 10000),
  activity_data jsonb not null default '{}'::jsonb check (jsonb_typeof(activity_data) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_activities is 'Activity log of every interaction with a lead.';
comment on column public.lead_activities.id is 'Primary key.';
comment on column public.lead_activities.lead_id is 'The lead (deleting the lead deletes its activities).';
comment on column public.lead_activities.user_id is 'Who performed the activity; null for visitors and automation.';
comment on column public.lead_activities.activity_type is
  'email_sent | email_opened | email_clicked | email_replied | call_made | call_received | meeting | note | task | '
  'form_submitted | page_visit | stage_changed | status_changed | score_changed | assigned | converted | '
  'campaign_joined | campaign_left | workflow | other.';
comment on column public.lead_activities.description is 'Human-readable description.';
comment on column public.lead_activities.activity_data is 'Additional data (JSON object).';
comment on column public.lead_activities.created_at is 'When the activity happened.';
comment on column public.lead_activities.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_activities_lead_created_idx on public.lead_activities (lead_id, created_at desc, id);
create index lead_activities_user_id_idx on public.lead_activities (user_id);
create index lead_activities_type_idx on public.lead_activities (activity_type);
create index lead_activities_created_at_idx on public.lead_activities (created_at);

create trigger companies_set_updated_at before update on public.companies
  for each row execute function private.set_updated_at();
create trigger customers_set_updated_at before update on public.customers
  for each row execute function private.set_updated_at();
create trigger lead_stages_set_updated_at before update on public.lead_stages
  for each row execute function private.set_updated_at();
create trigger lead_sources_set_updated_at before update on public.lead_sources
  for each row execute function private.set_updated_at();
create trigger lead_forms_set_updated_at before update on public.lead_forms
  for each row execute function private.set_updated_at();
create trigger lead_form_fields_set_updated_at before update on public.lead_form_fields
  for each row execute function private.set_updated_at();
create trigger leads_set_updated_at before update on public.leads
  for each row execute function private.set_updated_at();
create trigger lead_activities_set_updated_at before update on public.lead_activities
  for each row execute function private.set_updated_at();

-- leads.last_activity_at follows the newest activity. One statement per INSERT statement (transition
-- table), so bulk loads update each lead once. SECURITY DEFINER: logging an activity must not need the
-- right to update the lead row itself.
create function private.touch_last_activity() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  update public.leads l
     set last_activity_at = a.latest
    from (select n.lead_id, max(n.created_at) as latest from new_activities n group by n.lead_id) a
   where l.id = a.lead_id
     and (l.last_activity_at is null or l.last_activity_at < a.latest);
  return null;
end
$$;
comment on function private.touch_last_activity() is 'AFTER INSERT trigger: keeps leads.last_activity_at current.';
create trigger lead_activities_touch_last_activity after insert on public.lead_activities
  referencing new table as new_activities
  for each statement execute function private.touch_last_activity();
