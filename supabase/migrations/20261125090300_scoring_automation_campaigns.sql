-- Scoring rules, workflows (triggers, actions, executions), campaigns, integrations and custom fields.

create table public.lead_scoring_rules (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text check (description is null or length(description) <= 2000),
  criteria_type text not null check (criteria_type in ('email_domain', 'free_email', 'job_title', 'company_size',
    'industry', 'source', 'utm_source', 'utm_medium', 'utm_campaign', 'budget', 'authority', 'need', 'timeline',
    'custom_field', 'activity_count', 'form_submitted')),
  criteria_field text check (criteria_field is null or length(criteria_field) <= 100),
  condition text not null check (condition in ('equals', 'not_equals', 'contains', 'not_contains', 'starts_with',
    'ends_with', 'greater_than', 'less_than', 'in', 'is_empty', 'is_not_empty')),
  value text check (value is null or length(value) <= 2000),
  points integer not null check (points between -100 and 100),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- custom_field names the field, activity_count names the activity type
  constraint lead_scoring_rules_criteria_field_required check (
    criteria_type not in ('custom_field', 'activity_count') or criteria_field is not null)
);
comment on table public.lead_scoring_rules is 'Lead scoring rules: matching active rules add their points to a lead''s score (clamped 0..100).';
comment on column public.lead_scoring_rules.id is 'Primary key.';
comment on column public.lead_scoring_rules.user_id is 'Owner/creator (auth.users.id).';
comment on column public.lead_scoring_rules.space_id is 'Optional space: the rule then applies to the space''s leads.';
comment on column public.lead_scoring_rules.name is 'Rule name.';
comment on column public.lead_scoring_rules.description is 'What the rule is for.';
comment on column public.lead_scoring_rules.criteria_type is
  'What to check: email_domain | free_email | job_title | company_size | industry | source | utm_source | utm_medium | '
  'utm_campaign | budget | authority | need | timeline | custom_field | activity_count | form_submitted.';
comment on column public.lead_scoring_rules.criteria_field is 'For custom_field: the field name; for activity_count: the activity type.';
comment on column public.lead_scoring_rules.condition is
  'How to check: equals | not_equals | contains | not_contains | starts_with | ends_with | greater_than | less_than | '
  'in | is_empty | is_not_empty.';
comment on column public.lead_scoring_rules.value is 'Value to compare against (for in: comma-separated values).';
comment on column public.lead_scoring_rules.points is 'Points added (or subtracted) when the rule matches, -100..100.';
comment on column public.lead_scoring_rules.is_active is 'Only active rules count.';
comment on column public.lead_scoring_rules.created_at is 'When the row was created.';
comment on column public.lead_scoring_rules.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_scoring_rules_user_id_idx on public.lead_scoring_rules (user_id);
create index lead_scoring_rules_space_id_idx on public.lead_scoring_rules (space_id);
create index lead_scoring_rules_active_idx on public.lead_scoring_rules (is_active, criteria_type);

create table public.lead_workflows (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text check (description is null or length(description) <= 2000),
  is_active boolean not null default false,
  workflow_settings jsonb not null default '{}'::jsonb check (jsonb_typeof(workflow_settings) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_workflows is 'Automation workflows: triggers start executions that run the actions in order.';
comment on column public.lead_workflows.id is 'Primary key.';
comment on column public.lead_workflows.user_id is 'Owner; actions run under this user''s identity.';
comment on column public.lead_workflows.space_id is 'Optional space the workflow works in.';
comment on column public.lead_workflows.name is 'Workflow name.';
comment on column public.lead_workflows.description is 'What the workflow does.';
comment on column public.lead_workflows.is_active is 'Only active workflows start on events.';
comment on column public.lead_workflows.workflow_settings is 'Configuration (JSON object).';
comment on column public.lead_workflows.created_at is 'When the row was created.';
comment on column public.lead_workflows.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_workflows_user_id_idx on public.lead_workflows (user_id);
create index lead_workflows_space_id_idx on public.lead_workflows (space_id);
create index lead_workflows_active_idx on public.lead_workflows (is_active);

create table public.lead_workflow_triggers (
  id uuid primary key default gen_random_uuid(),
  workflow_id uuid not null references public.lead_workflows (id) on delete cascade,
  trigger_type text not null check (trigger_type in ('lead_created', 'lead_updated', 'stage_changed',
    'score_threshold', 'form_submit', 'campaign_joined', 'activity_logged', 'page_visit', 'inactivity', 'manual')),
  trigger_conditions jsonb not null default '{}'::jsonb check (jsonb_typeof(trigger_conditions) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_workflow_triggers is 'What starts a workflow.';
comment on column public.lead_workflow_triggers.id is 'Primary key.';
comment on column public.lead_workflow_triggers.workflow_id is 'The workflow (deleting it deletes its triggers).';
comment on column public.lead_workflow_triggers.trigger_type is
  'lead_created | lead_updated | stage_changed | score_threshold | form_submit | campaign_joined | activity_logged | '
  'page_visit | inactivity | manual.';
comment on column public.lead_workflow_triggers.trigger_conditions is 'Conditions for the trigger (JSON object).';
comment on column public.lead_workflow_triggers.created_at is 'When the row was created.';
comment on column public.lead_workflow_triggers.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_workflow_triggers_workflow_id_idx on public.lead_workflow_triggers (workflow_id);
create index lead_workflow_triggers_type_idx on public.lead_workflow_triggers (trigger_type);

create table public.lead_workflow_actions (
  id uuid primary key default gen_random_uuid(),
  workflow_id uuid not null references public.lead_workflows (id) on delete cascade,
  action_type text not null check (action_type in ('send_email', 'assign_lead', 'change_stage', 'update_field',
    'add_to_campaign', 'remove_from_campaign', 'add_note', 'webhook', 'wait')),
  action_config jsonb not null default '{}'::jsonb check (jsonb_typeof(action_config) = 'object'),
  action_order integer not null default 0 check (action_order >= 0),
  delay_seconds integer not null default 0 check (delay_seconds >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- deferrable, so that a reorder can swap positions inside one transaction
  constraint lead_workflow_actions_order_key unique (workflow_id, action_order) deferrable initially deferred
);
comment on table public.lead_workflow_actions is 'Steps of a workflow, run in action_order.';
comment on column public.lead_workflow_actions.id is 'Primary key.';
comment on column public.lead_workflow_actions.workflow_id is 'The workflow (deleting it deletes its actions).';
comment on column public.lead_workflow_actions.action_type is
  'send_email | assign_lead | change_stage | update_field | add_to_campaign | remove_from_campaign | add_note | webhook | wait.';
comment on column public.lead_workflow_actions.action_config is 'Configuration of the action (JSON object).';
comment on column public.lead_workflow_actions.action_order is 'Position in the workflow, ascending; unique per workflow.';
comment on column public.lead_workflow_actions.delay_seconds is 'Delay before the action runs, in seconds (>= 0).';
comment on column public.lead_workflow_actions.created_at is 'When the row was created.';
comment on column public.lead_workflow_actions.updated_at is 'When the row was last changed (kept by a trigger).';

create table public.lead_workflow_executions (
  id uuid primary key default gen_random_uuid(),
  workflow_id uuid not null references public.lead_workflows (id) on delete cascade,
  lead_id uuid not null references public.leads (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'running', 'completed', 'failed', 'cancelled')),
  execution_data jsonb not null default '{}'::jsonb check (jsonb_typeof(execution_data) = 'object'),
  started_at timestamptz,
  completed_at timestamptz,
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lead_workflow_executions_completed_check check (completed_at is null or started_at is null
    or completed_at >= started_at)
);
comment on table public.lead_workflow_executions is 'History of workflow runs, one row per (workflow, lead, starting event).';
comment on column public.lead_workflow_executions.id is 'Primary key.';
comment on column public.lead_workflow_executions.workflow_id is 'The workflow (deleting it deletes its executions).';
comment on column public.lead_workflow_executions.lead_id is 'The lead (deleting it deletes its executions).';
comment on column public.lead_workflow_executions.status is 'pending | running | completed | failed | cancelled.';
comment on column public.lead_workflow_executions.execution_data is 'Execution details: the outcome of every step (JSON object).';
comment on column public.lead_workflow_executions.started_at is 'When the execution started running.';
comment on column public.lead_workflow_executions.completed_at is 'When it completed, failed or was cancelled.';
comment on column public.lead_workflow_executions.error is 'The error that failed it.';
comment on column public.lead_workflow_executions.created_at is 'When the row was created.';
comment on column public.lead_workflow_executions.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_workflow_executions_workflow_idx on public.lead_workflow_executions (workflow_id, created_at desc);
create index lead_workflow_executions_lead_idx on public.lead_workflow_executions (lead_id, created_at desc);
create index lead_workflow_executions_status_idx on public.lead_workflow_executions (status);

create table public.lead_campaigns (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text check (description is null or length(description) <= 5000),
  campaign_type text not null default 'email' check (campaign_type in ('email', 'social_media', 'advertising',
    'content', 'event', 'webinar', 'seo', 'referral', 'direct_mail', 'other')),
  status text not null default 'draft' check (status in ('draft', 'scheduled', 'active', 'paused', 'completed',
    'cancelled')),
  start_date date,
  end_date date,
  budget numeric(14, 2) check (budget is null or budget >= 0),
  spent numeric(14, 2) not null default 0 check (spent >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lead_campaigns_dates_check check (end_date is null or start_date is null or end_date >= start_date)
);
comment on table public.lead_campaigns is 'Marketing campaigns.';
comment on column public.lead_campaigns.id is 'Primary key.';
comment on column public.lead_campaigns.user_id is 'Owner/creator (auth.users.id).';
comment on column public.lead_campaigns.space_id is 'Optional space sharing the campaign with its members.';
comment on column public.lead_campaigns.name is 'Campaign name.';
comment on column public.lead_campaigns.description is 'Description.';
comment on column public.lead_campaigns.campaign_type is
  'email | social_media | advertising | content | event | webinar | seo | referral | direct_mail | other.';
comment on column public.lead_campaigns.status is 'draft | scheduled | active | paused | completed | cancelled.';
comment on column public.lead_campaigns.start_date is 'First day of the campaign.';
comment on column public.lead_campaigns.end_date is 'Last day of the campaign (>= start_date).';
comment on column public.lead_campaigns.budget is 'Budget (non-negative).';
comment on column public.lead_campaigns.spent is 'Amount spent so far (non-negative).';
comment on column public.lead_campaigns.created_at is 'When the row was created.';
comment on column public.lead_campaigns.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_campaigns_user_id_idx on public.lead_campaigns (user_id);
create index lead_campaigns_space_id_idx on public.lead_campaigns (space_id);
create index lead_campaigns_status_idx on public.lead_campaigns (status);
create index lead_campaigns_type_idx on public.lead_campaigns (campaign_type);
create index lead_campaigns_dates_idx on public.lead_campaigns (start_date, end_date);

create table public.lead_campaign_associations (
  id uuid primary key default gen_random_uuid(),
  lead_id uuid not null references public.leads (id) on delete cascade,
  campaign_id uuid not null references public.lead_campaigns (id) on delete cascade,
  associated_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lead_campaign_associations_lead_campaign_key unique (lead_id, campaign_id)
);
comment on table public.lead_campaign_associations is 'Which leads are in which campaigns (one row per pair).';
comment on column public.lead_campaign_associations.id is 'Primary key.';
comment on column public.lead_campaign_associations.lead_id is 'The lead (deleting it deletes the association).';
comment on column public.lead_campaign_associations.campaign_id is 'The campaign (deleting it deletes the association).';
comment on column public.lead_campaign_associations.associated_at is 'When the lead was added to the campaign.';
comment on column public.lead_campaign_associations.created_at is 'When the row was created.';
comment on column public.lead_campaign_associations.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_campaign_associations_campaign_idx on public.lead_campaign_associations (campaign_id, associated_at);

create table public.lead_integrations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  integration_type text not null check (integration_type in ('crm', 'email_marketing', 'analytics', 'webhook',
    'advertising', 'enrichment', 'communication', 'other')),
  integration_name text not null check (length(btrim(integration_name)) between 1 and 200),
  is_active boolean not null default false,
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'),
  credentials jsonb check (credentials is null or jsonb_typeof(credentials) = 'object'),
  credentials_hint text check (credentials_hint is null or length(credentials_hint) <= 40),
  has_credentials boolean generated always as (credentials is not null) stored,
  last_sync_at timestamptz,
  sync_status text not null default 'never' check (sync_status in ('never', 'pending', 'syncing', 'success', 'error')),
  sync_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_integrations is 'Third-party integrations. credentials is write-only for API roles (encrypted by the server).';
comment on column public.lead_integrations.id is 'Primary key.';
comment on column public.lead_integrations.user_id is 'Owner/creator (auth.users.id).';
comment on column public.lead_integrations.space_id is 'Optional space the integration serves.';
comment on column public.lead_integrations.integration_type is
  'crm | email_marketing | analytics | webhook | advertising | enrichment | communication | other.';
comment on column public.lead_integrations.integration_name is 'The specific integration (Salesforce, HubSpot, ...).';
comment on column public.lead_integrations.is_active is 'Whether the integration is enabled.';
comment on column public.lead_integrations.settings is 'Non-secret settings (JSON object), e.g. a webhook URL.';
comment on column public.lead_integrations.credentials is
  'Encrypted credentials (AES-GCM envelope, JSON object). Not selectable by anon/authenticated.';
comment on column public.lead_integrations.credentials_hint is 'Masked hint of the secret (e.g. its last 4 characters).';
comment on column public.lead_integrations.has_credentials is 'Whether credentials are stored (generated).';
comment on column public.lead_integrations.last_sync_at is 'Last synchronisation time.';
comment on column public.lead_integrations.sync_status is 'never | pending | syncing | success | error.';
comment on column public.lead_integrations.sync_error is 'Last synchronisation error.';
comment on column public.lead_integrations.created_at is 'When the row was created.';
comment on column public.lead_integrations.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_integrations_user_id_idx on public.lead_integrations (user_id);
create index lead_integrations_space_id_idx on public.lead_integrations (space_id);
create index lead_integrations_type_idx on public.lead_integrations (integration_type, is_active);

create table public.lead_custom_fields (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  space_id uuid references public.spaces (id) on delete cascade,
  field_name text not null check (field_name ~ '^[a-z][a-z0-9_]{0,62}$'),
  field_label text not null check (length(btrim(field_label)) between 1 and 200),
  field_type text not null check (field_type in ('text', 'textarea', 'number', 'date', 'boolean', 'select',
    'multiselect', 'email', 'url', 'phone')),
  is_required boolean not null default false,
  options jsonb not null default '[]'::jsonb check (jsonb_typeof(options) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.lead_custom_fields is 'User-defined fields of a scope; values live in leads.custom_fields.';
comment on column public.lead_custom_fields.id is 'Primary key.';
comment on column public.lead_custom_fields.user_id is 'Owner/creator (auth.users.id).';
comment on column public.lead_custom_fields.space_id is 'Optional space whose leads carry the field.';
comment on column public.lead_custom_fields.field_name is 'Internal name (key in leads.custom_fields); unique within its scope.';
comment on column public.lead_custom_fields.field_label is 'Display label.';
comment on column public.lead_custom_fields.field_type is 'text | textarea | number | date | boolean | select | multiselect | email | url | phone.';
comment on column public.lead_custom_fields.is_required is 'Leads of the scope must carry a value.';
comment on column public.lead_custom_fields.options is 'Choices for select/multiselect (JSON array).';
comment on column public.lead_custom_fields.created_at is 'When the row was created.';
comment on column public.lead_custom_fields.updated_at is 'When the row was last changed (kept by a trigger).';
create index lead_custom_fields_user_id_idx on public.lead_custom_fields (user_id);
create index lead_custom_fields_space_id_idx on public.lead_custom_fields (space_id);
create unique index lead_custom_fields_personal_name_key on public.lead_custom_fields (user_id, field_name)
  where space_id is null;
create unique index lead_custom_fields_space_name_key on public.lead_custom_fields (space_id, field_name)
  where space_id is not null;

create trigger lead_scoring_rules_set_updated_at before update on public.lead_scoring_rules
  for each row execute function private.set_updated_at();
create trigger lead_workflows_set_updated_at before update on public.lead_workflows
  for each row execute function private.set_updated_at();
create trigger lead_workflow_triggers_set_updated_at before update on public.lead_workflow_triggers
  for each row execute function private.set_updated_at();
create trigger lead_workflow_actions_set_updated_at before update on public.lead_workflow_actions
  for each row execute function private.set_updated_at();
create trigger lead_workflow_executions_set_updated_at before update on public.lead_workflow_executions
  for each row execute function private.set_updated_at();
create trigger lead_campaigns_set_updated_at before update on public.lead_campaigns
  for each row execute function private.set_updated_at();
create trigger lead_campaign_associations_set_updated_at before update on public.lead_campaign_associations
  for each row execute function private.set_updated_at();
create trigger lead_integrations_set_updated_at before update on public.lead_integrations
  for each row execute function private.set_updated_at();
create trigger lead_custom_fields_set_updated_at before update on public.lead_custom_fields
  for each row execute function private.set_updated_at();
