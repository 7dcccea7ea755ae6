-- Demo data for local development, tests and demos: six users, the "Acme Agency" space with a member of
-- every role, and a pipeline of companies, leads, activities, campaigns, a published form and a workflow.
--
-- Loaded by `leadgen db seed` / `leadgen db setup` (in one transaction) and by `supabase db reset`, as the
-- database owner, so Row Level Security does not apply; the integrity triggers (a lead's references stay
-- in its scope, last_activity_at) do.
--
-- Rules this file keeps:
-- * Idempotent: every row has a fixed id, every insert ends with `on conflict ... do nothing` and the one
--   update (linking converted leads to their customers) only fills what is missing, so a second load
--   changes nothing. `on conflict (id)` names the primary key: a repeated load is skipped, while a clash
--   on any other unique key (a different row already there) fails loudly instead of silently.
-- * Deterministic: named rows have hand-written ids (users a000, space b000, and one b1xx..b9xx group per
--   table, see below); generated rows derive theirs from md5('leadgen-seed-<kind>-<n>'). Values come from
--   generate_series indexes with modulo arithmetic, never random(), and timestamps are offsets from the
--   fixed instant 2026-11-01 12:00 UTC, never now(). Exceptions, by design: what triggers write carries the
--   load time (Alice's owner membership, which the space's trigger adds, and the updated_at of leads that
--   the last_activity_at trigger or the conversion to customers touch).
-- * Plain SQL for PostgreSQL 15 and later.
--
-- Scopes: "space" rows belong to Acme Agency (space_id set); "personal" rows belong to Alice or Erin alone.
--   leads 1..240 space, 241..275 Alice's, 276..300 Erin's; companies 1..15 space, 16..18 Alice's, 19..20 Erin's.
-- Hand-written id groups (00000000-0000-4000-<group>-<number>):
--   a000 users, b000 spaces, b001 space_members, b100 lead_forms, b101 lead_form_fields, b200 lead_workflows,
--   b201 lead_workflow_triggers, b202 lead_workflow_actions, b300 lead_campaigns, b400 lead_scoring_rules,
--   b500 customers, b600 lead_integrations, b700 lead_custom_fields,
--   b900 lead_sources (number = scope * 10 + position; scope 1 space, 2 Alice, 3 Erin).
-- Pipeline stages are the default stages the database creates with every user and space, whose ids are
--   md5('leadgen-default-stage:<space or user id>:<name>')::uuid (see migration 20261125160000).

-- ---------------------------------------------------------------------------------------------------------
-- Users (auth.users). On a real Supabase project this is Supabase Auth's table; locally the shim's copy.
-- No password is set: API tests mint their own JWTs. The token columns are '' rather than NULL because
-- Supabase Auth cannot read NULL there. No conflict target: an existing user (same id or email) is kept.
-- ---------------------------------------------------------------------------------------------------------
insert into auth.users (
  instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000'::uuid, u.id, 'authenticated', 'authenticated', u.email,
       u.app_meta, jsonb_build_object('full_name', u.full_name),
       u.created_at + interval '10 minutes', '', '', '', '', u.created_at, u.created_at
from (values
  ('00000000-0000-4000-a000-000000000001'::uuid, 'alice@example.com', 'Alice Anderson',
   '{"provider": "email", "providers": ["email"]}'::jsonb, timestamptz '2026-07-01 09:00:00+00'),
  ('00000000-0000-4000-a000-000000000002'::uuid, 'bob@example.com', 'Bob Brennan',
   '{"provider": "email", "providers": ["email"]}'::jsonb, timestamptz '2026-07-02 09:30:00+00'),
  ('00000000-0000-4000-a000-000000000003'::uuid, 'carol@example.com', 'Carol Castillo',
   '{"provider": "email", "providers": ["email"]}'::jsonb, timestamptz '2026-07-03 10:00:00+00'),
  ('00000000-0000-4000-a000-000000000004'::uuid, 'dave@example.com', 'Dave Dimitrov',
   '{"provider": "email", "providers": ["email"]}'::jsonb, timestamptz '2026-07-04 10:30:00+00'),
  ('00000000-0000-4000-a000-000000000005'::uuid, 'erin@example.com', 'Erin Eriksen',
   '{"provider": "email", "providers": ["email"]}'::jsonb, timestamptz '2026-07-05 11:00:00+00'),
  -- platform administrator: reads everything (app_metadata is server-controlled in Supabase Auth)
  ('00000000-0000-4000-a000-000000000006'::uuid, 'admin@example.com', 'Platform Admin',
   '{"provider": "email", "providers": ["email"], "leadgen_role": "admin"}'::jsonb,
   timestamptz '2026-06-15 08:00:00+00')
) as u (id, email, full_name, app_meta, created_at)
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- The space "Acme Agency". Its AFTER INSERT trigger makes the creator (Alice) its owner; Bob, Carol and
-- Dave join as admin, member and viewer. Erin and the platform admin belong to no space.
-- ---------------------------------------------------------------------------------------------------------
insert into public.spaces (id, name, created_by, created_at, updated_at)
values ('00000000-0000-4000-b000-000000000001', 'Acme Agency', '00000000-0000-4000-a000-000000000001',
        '2026-07-10 09:00:00+00', '2026-07-10 09:00:00+00')
on conflict (id) do nothing;

insert into public.space_members (id, space_id, user_id, role, created_at, updated_at)
select m.id, '00000000-0000-4000-b000-000000000001', m.user_id, m.role, m.joined_at, m.joined_at
from (values
  ('00000000-0000-4000-b001-000000000002'::uuid, '00000000-0000-4000-a000-000000000002'::uuid, 'admin',
   timestamptz '2026-07-10 10:00:00+00'),
  ('00000000-0000-4000-b001-000000000003'::uuid, '00000000-0000-4000-a000-000000000003'::uuid, 'member',
   timestamptz '2026-07-11 10:00:00+00'),
  ('00000000-0000-4000-b001-000000000004'::uuid, '00000000-0000-4000-a000-000000000004'::uuid, 'viewer',
   timestamptz '2026-07-12 10:00:00+00')
) as m (id, user_id, role, joined_at)
on conflict (space_id, user_id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Pipeline stages: the six default stages of each scope. The database has created them already, with the users
-- and the space (every user has a personal board); this insert states the same rows (same ids, created with
-- their scope) for the boards the demo uses, and so skips them. Ids: md5('leadgen-default-stage:<scope>:<name>').
-- The one conflict target left open: a database loaded by an earlier version of this file has these boards with
-- other ids, and keeps them (a stage name is unique in its scope).
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_stages (id, user_id, space_id, name, stage_order, color, is_default, created_at, updated_at)
select md5('leadgen-default-stage:' || coalesce(sc.space_id, sc.owner_id) || ':' || st.name)::uuid,
       sc.owner_id, sc.space_id, st.name, st.stage_order, st.color, true, sc.created_at, sc.created_at
from (values
  ('00000000-0000-4000-a000-000000000001'::uuid, '00000000-0000-4000-b000-000000000001'::uuid,
   timestamptz '2026-07-10 09:00:00+00'),
  ('00000000-0000-4000-a000-000000000001'::uuid, null::uuid, timestamptz '2026-07-01 09:00:00+00'),
  ('00000000-0000-4000-a000-000000000005'::uuid, null::uuid, timestamptz '2026-07-05 11:00:00+00')
) as sc (owner_id, space_id, created_at)
cross join (values
  (0, 'New', '#3B82F6'),
  (1, 'Contacted', '#8B5CF6'),
  (2, 'Qualified', '#F59E0B'),
  (3, 'Proposal', '#EC4899'),
  (4, 'Won', '#10B981'),
  (5, 'Lost', '#EF4444')
) as st (stage_order, name, color)
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Lead sources per scope. Position 0 is always the website (leads from it came in through a form).
-- Ids: ...-b900-0000000000<scope><position>.
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_sources (id, user_id, space_id, name, type, utm_source, utm_medium, utm_campaign,
                                 created_at, updated_at)
select format('00000000-0000-4000-b900-%s', lpad((s.scope_no * 10 + s.position)::text, 12, '0'))::uuid,
       case s.scope_no when 3 then '00000000-0000-4000-a000-000000000005'::uuid
                       else '00000000-0000-4000-a000-000000000001'::uuid end,
       case s.scope_no when 1 then '00000000-0000-4000-b000-000000000001'::uuid end,
       s.name, s.type, s.utm_source, s.utm_medium, s.utm_campaign,
       timestamptz '2026-07-12 12:00:00+00' + s.scope_no * interval '1 hour' + s.position * interval '1 minute',
       timestamptz '2026-07-12 12:00:00+00' + s.scope_no * interval '1 hour' + s.position * interval '1 minute'
from (values
  -- Acme Agency
  (1, 0, 'Website', 'website', null, null, null),
  (1, 1, 'LinkedIn', 'linkedin', 'linkedin', 'social', 'fintech-abm'),
  (1, 2, 'Google Ads', 'paid_search', 'google', 'cpc', 'brand-search'),
  (1, 3, 'Client referral', 'referral', null, null, null),
  (1, 4, 'SaaS Growth Expo 2026', 'event', 'saas-growth-expo', 'event', 'expo-2026'),
  (1, 5, 'Newsletter', 'email', 'newsletter', 'email', 'autumn-series'),
  -- Alice (personal)
  (2, 0, 'Personal website', 'website', null, null, null),
  (2, 1, 'LinkedIn', 'linkedin', 'linkedin', 'social', null),
  (2, 2, 'Word of mouth', 'referral', null, null, null),
  -- Erin (personal)
  (3, 0, 'Portfolio site', 'website', null, null, null),
  (3, 1, 'Founders meetup', 'event', 'meetup', 'event', 'founders-meetup-sep'),
  (3, 2, 'Organic search', 'organic_search', 'google', 'organic', null)
) as s (scope_no, position, name, type, utm_source, utm_medium, utm_campaign)
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Custom field definitions; leads carry matching values in leads.custom_fields (below).
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_custom_fields (id, user_id, space_id, field_name, field_label, field_type, is_required,
                                       options, created_at, updated_at)
values
  ('00000000-0000-4000-b700-000000000001', '00000000-0000-4000-a000-000000000001',
   '00000000-0000-4000-b000-000000000001', 'preferred_contact', 'Preferred contact method', 'select', false,
   '["email", "phone", "video_call"]', '2026-07-13 09:00:00+00', '2026-07-13 09:00:00+00'),
  ('00000000-0000-4000-b700-000000000002', '00000000-0000-4000-a000-000000000002',
   '00000000-0000-4000-b000-000000000001', 'contract_renewal_date', 'Current contract renews on', 'date', false,
   '[]', '2026-07-13 09:05:00+00', '2026-07-13 09:05:00+00'),
  ('00000000-0000-4000-b700-000000000003', '00000000-0000-4000-a000-000000000001', null,
   'referral_partner', 'Referred by', 'text', false, '[]', '2026-07-13 10:00:00+00', '2026-07-13 10:00:00+00'),
  ('00000000-0000-4000-b700-000000000004', '00000000-0000-4000-a000-000000000005', null,
   'newsletter_opt_in', 'Newsletter opt-in', 'boolean', false, '[]', '2026-07-13 11:00:00+00',
   '2026-07-13 11:00:00+00')
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Companies: 15 in the space, 3 of Alice's, 2 of Erin's. Ids: md5('leadgen-seed-company-<n>').
-- ---------------------------------------------------------------------------------------------------------
insert into public.companies (id, user_id, space_id, name, website, industry, company_size, company_data, is_active,
                              created_at, updated_at)
select md5('leadgen-seed-company-' || c.n)::uuid,
       case when c.n <= 15 then (array['00000000-0000-4000-a000-000000000001',
                                       '00000000-0000-4000-a000-000000000002',
                                       '00000000-0000-4000-a000-000000000003']::uuid[])[1 + c.n % 3]
            when c.n <= 18 then '00000000-0000-4000-a000-000000000001'::uuid
            else '00000000-0000-4000-a000-000000000005'::uuid end,
       case when c.n <= 15 then '00000000-0000-4000-b000-000000000001'::uuid end,
       c.name, format('https://%s.example.com', c.slug), c.industry, c.size,
       jsonb_build_object('headquarters', c.hq, 'founded', 1985 + (c.n * 7) % 38,
                          'linkedin_url', format('https://www.linkedin.com/company/%s-example', c.slug)),
       c.n <> 13,  -- one dormant account
       timestamptz '2026-07-20 09:00:00+00' + c.n * interval '26 hours',
       timestamptz '2026-07-20 09:00:00+00' + c.n * interval '26 hours'
from (values
  (1, 'Northwind Traders', 'northwind', 'Wholesale Distribution', '201-500', 'Seattle, WA'),
  (2, 'Contoso Pharmaceuticals', 'contoso', 'Pharmaceuticals', '1001-5000', 'Boston, MA'),
  (3, 'Fabrikam Manufacturing', 'fabrikam', 'Industrial Manufacturing', '501-1000', 'Detroit, MI'),
  (4, 'Tailspin Toys', 'tailspin', 'Consumer Goods', '51-200', 'Portland, OR'),
  (5, 'Adventure Works Cycles', 'adventure-works', 'Sporting Goods', '201-500', 'Denver, CO'),
  (6, 'Woodgrove Bank', 'woodgrove', 'Financial Services', '5001+', 'New York, NY'),
  (7, 'Litware Software', 'litware', 'Software', '51-200', 'Austin, TX'),
  (8, 'Proseware Analytics', 'proseware', 'Software', '11-50', 'San Francisco, CA'),
  (9, 'Fourth Coffee', 'fourth-coffee', 'Food & Beverage', '11-50', 'Chicago, IL'),
  (10, 'Alpine Ski House', 'alpine-ski-house', 'Hospitality', '51-200', 'Salt Lake City, UT'),
  (11, 'Blue Yonder Airlines', 'blue-yonder', 'Aviation', '1001-5000', 'Atlanta, GA'),
  (12, 'Humongous Insurance', 'humongous-insurance', 'Insurance', '5001+', 'Hartford, CT'),
  (13, 'Lucerne Publishing', 'lucerne-publishing', 'Media & Publishing', '11-50', 'London, UK'),
  (14, 'Trey Research', 'trey-research', 'Biotechnology', '201-500', 'San Diego, CA'),
  (15, 'Wide World Importers', 'wide-world-importers', 'Logistics', '501-1000', 'Rotterdam, NL'),
  (16, 'Coho Winery', 'coho-winery', 'Food & Beverage', '1-10', 'Napa, CA'),
  (17, 'Margie''s Travel', 'margies-travel', 'Travel', '11-50', 'Miami, FL'),
  (18, 'Graphic Design Institute', 'graphic-design-institute', 'Education', '51-200', 'Toronto, CA'),
  (19, 'Southridge Video', 'southridge-video', 'Media & Publishing', '1-10', 'Vancouver, CA'),
  (20, 'Wingtip Toys', 'wingtip-toys', 'E-commerce', '11-50', 'Dublin, IE')
) as c (n, name, slug, industry, size, hq)
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Forms: the space's published website contact form (with a hidden honeypot field) and a draft of Alice's.
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_forms (id, user_id, space_id, name, title, description, ai_personalization_enabled,
                               form_settings, is_published, published_at, created_at, updated_at)
values
  ('00000000-0000-4000-b100-000000000001', '00000000-0000-4000-a000-000000000002',
   '00000000-0000-4000-b000-000000000001', 'Website contact form', 'Talk to our growth team',
   'Tell us about your goals and we will get back to you within one business day.', true,
   '{"theme": {"primary_color": "#3B82F6", "layout": "stacked"},
     "submitLabel": "Send message",
     "successMessage": "Thanks! A member of our team will be in touch shortly.",
     "redirectUrl": "https://acme-agency.example.com/thank-you",
     "honeypotField": "website_hp"}',
   true, '2026-07-15 14:00:00+00', '2026-07-14 16:00:00+00', '2026-07-15 14:00:00+00'),
  ('00000000-0000-4000-b100-000000000002', '00000000-0000-4000-a000-000000000001', null,
   'Consulting newsletter signup', 'Get monthly growth tips', null, false,
   '{"theme": {"primary_color": "#10B981"}}', false, null, '2026-10-20 08:00:00+00', '2026-10-20 08:00:00+00')
on conflict (id) do nothing;

insert into public.lead_form_fields (id, form_id, field_name, field_type, label, placeholder, is_required,
                                     field_order, options, validation_rules, created_at, updated_at)
select f.id, f.form_id, f.field_name, f.field_type, f.label, f.placeholder, f.is_required, f.field_order,
       f.options::jsonb, f.validation_rules::jsonb,
       timestamptz '2026-07-14 16:00:00+00' + f.field_order * interval '1 minute',
       timestamptz '2026-07-14 16:00:00+00' + f.field_order * interval '1 minute'
from (values
  ('00000000-0000-4000-b101-000000000100'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'first_name', 'text',
   'First name', 'Jane', true, 0, '[]', '{"maxLength": 100}'),
  ('00000000-0000-4000-b101-000000000101'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'last_name', 'text',
   'Last name', 'Doe', false, 1, '[]', '{"maxLength": 100}'),
  ('00000000-0000-4000-b101-000000000102'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'email', 'email',
   'Work email', 'jane@company.com', true, 2, '[]', '{"maxLength": 254}'),
  ('00000000-0000-4000-b101-000000000103'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'company', 'text',
   'Company', 'Company name', false, 3, '[]', '{"maxLength": 200}'),
  ('00000000-0000-4000-b101-000000000104'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'job_title', 'text',
   'Job title', 'Head of Marketing', false, 4, '[]', '{"maxLength": 200}'),
  ('00000000-0000-4000-b101-000000000105'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'phone', 'phone',
   'Phone', '+1 555 0100', false, 5, '[]', '{"pattern": "^[+0-9 ()-]{7,20}$"}'),
  ('00000000-0000-4000-b101-000000000106'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'budget', 'number',
   'Monthly budget (USD)', '5000', false, 6, '[]', '{"min": 0, "max": 1000000}'),
  ('00000000-0000-4000-b101-000000000107'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'interest', 'select',
   'What can we help with?', null, false, 7,
   '["SEO", "Paid advertising", "Content marketing", "Social media", "Web design"]', '{}'),
  ('00000000-0000-4000-b101-000000000108'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'message', 'textarea',
   'Message', 'Tell us about your project', false, 8, '[]', '{"maxLength": 2000}'),
  -- honeypot (form_settings.honeypotField): hidden from people, filled in by bots; such a submission is dropped
  ('00000000-0000-4000-b101-000000000109'::uuid, '00000000-0000-4000-b100-000000000001'::uuid, 'website_hp', 'hidden',
   'Leave this field empty', null, false, 9, '[]', '{}'),
  -- Alice's draft signup form
  ('00000000-0000-4000-b101-000000000200'::uuid, '00000000-0000-4000-b100-000000000002'::uuid, 'email', 'email',
   'Email', 'you@company.com', true, 0, '[]', '{"maxLength": 254}'),
  ('00000000-0000-4000-b101-000000000201'::uuid, '00000000-0000-4000-b100-000000000002'::uuid, 'first_name', 'text',
   'First name', null, false, 1, '[]', '{}')
) as f (id, form_id, field_name, field_type, label, placeholder, is_required, field_order, options, validation_rules)
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Leads: 300 (1..240 in the space, 241..275 Alice's, 276..300 Erin's). Ids: md5('leadgen-seed-lead-<n>').
-- Every reference stays in the lead's scope (a trigger enforces it). Names are unique: first name n % 30,
-- last name (n / 30 + 7 * (n % 30)) % 30. Stages are weighted towards the top of the funnel; every 10th lead
-- is brand new (stage New, no activity yet); leads 7, 42 and 247 are Won and become customers below.
-- ---------------------------------------------------------------------------------------------------------
insert into public.leads (
  id, user_id, space_id, company_id, assigned_to, first_name, last_name, email, phone, job_title, stage_id,
  source_id, score, status, form_id, form_submission_data, custom_fields, budget, authority, need, timeline,
  enriched_data, created_at, updated_at
)
with scopes (scope_no, space_id, owner_id, first_lead, last_lead, first_company, company_count, source_count) as (
  values
    (1, '00000000-0000-4000-b000-000000000001'::uuid, '00000000-0000-4000-a000-000000000001'::uuid, 1, 240, 1, 15, 6),
    (2, null::uuid, '00000000-0000-4000-a000-000000000001'::uuid, 241, 275, 16, 3, 3),
    (3, null::uuid, '00000000-0000-4000-a000-000000000005'::uuid, 276, 300, 19, 2, 3)
),
base as (
  select sc.*, i,
         (array['Ava', 'Liam', 'Sofia', 'Noah', 'Mia', 'Ethan', 'Isabella', 'Lucas', 'Amara', 'Mateo', 'Chloe',
                'Arjun', 'Hannah', 'Kenji', 'Zoe', 'Omar', 'Leah', 'Diego', 'Grace', 'Tobias', 'Nina', 'Samuel',
                'Priya', 'Felix', 'Elena', 'Marcus', 'Yara', 'Jonas', 'Ingrid', 'Kwame'])[1 + i % 30] as first_name,
         (array['Chen', 'Okafor', 'Martinez', 'Schmidt', 'Nguyen', 'Johansson', 'Rossi', 'Patel', 'Kowalski',
                'Dubois', 'Tanaka', 'Silva', 'Murphy', 'Haddad', 'Fischer', 'Larsen', 'Moreau', 'Cohen', 'Singh',
                'Andersen', 'Novak', 'Costa', 'Becker', 'Yilmaz', 'Walsh', 'Ibrahim', 'Lindqvist', 'Park',
                'Fernandes', 'Mensah'])[1 + (i / 30 + 7 * (i % 30)) % 30] as last_name,
         (array['Marketing Director', 'Head of Growth', 'VP of Sales', 'Chief Marketing Officer',
                'Demand Generation Manager', 'Founder & CEO', 'Digital Marketing Manager', 'Sales Operations Lead',
                'Brand Manager', 'Chief Technology Officer', 'E-commerce Manager', 'Product Marketing Manager',
                'Head of Partnerships', 'Operations Director', 'Marketing Coordinator',
                'Business Development Manager'])[1 + (i * 5) % 16] as job_title,
         case when i in (7, 42, 247) then 4                     -- Won (converted to customers below)
              when i % 10 = 0 then 0                            -- brand new, no activity yet
              else (array[0, 0, 1, 1, 1, 2, 2, 3, 5, 5, 2, 1, 3])[1 + (i * 7) % 13]
         end as stage_order,
         -- 0..16777215 from the lead's md5: spreads the leads' ages independently of the patterns above
         ('x' || left(md5('leadgen-seed-lead-' || i), 6))::bit(24)::integer as draw
  from scopes sc
  cross join lateral generate_series(sc.first_lead, sc.last_lead) as i
),
lead_row as (
  select b.*,
         -- created 1 to 89 days before the reference instant; the brand-new ones within the last 4 days
         timestamptz '2026-11-01 12:00:00+00'
           - case when b.i % 10 = 0 then (1 + b.draw % 5760) * interval '1 minute'
                  else (1440 + b.draw % 126720) * interval '1 minute' end as created_at,
         case when b.i % 11 = 0 then null
              else md5('leadgen-seed-company-' || (b.first_company + b.i % b.company_count))::uuid end as company_id,
         b.i % b.source_count as source_position,
         case b.stage_order when 0 then 'new' when 1 then 'contacted' when 2 then 'qualified'
                            when 3 then (array['qualified', 'nurturing'])[1 + b.i % 2]
                            when 4 then 'converted'
                            else (array['lost', 'unqualified'])[1 + b.i % 2] end as status
  from base b
)
select md5('leadgen-seed-lead-' || l.i)::uuid,
       -- creator: in the space one of its writers (owner, admin, member), otherwise the personal owner
       case when l.space_id is null then l.owner_id
            else (array['00000000-0000-4000-a000-000000000001', '00000000-0000-4000-a000-000000000002',
                        '00000000-0000-4000-a000-000000000003']::uuid[])[1 + l.i % 3] end,
       l.space_id,
       l.company_id,
       -- assignee: a member of the space (some unassigned), or the personal owner
       case when l.i % 6 = 0 then null
            when l.space_id is null then l.owner_id
            else (array['00000000-0000-4000-a000-000000000001', '00000000-0000-4000-a000-000000000002',
                        '00000000-0000-4000-a000-000000000003', '00000000-0000-4000-a000-000000000003',
                        '00000000-0000-4000-a000-000000000002']::uuid[])[1 + l.i % 5] end,
       l.first_name,
       l.last_name,
       -- work address at the company's domain, else a personal address
       lower(l.first_name || '.' || l.last_name) || '@'
         || coalesce(substring(c.website from '^https?://([^/]+)'),
                     (array['example.org', 'example.net', 'mail.example.com'])[1 + l.i % 3]),
       case when l.i % 4 = 3 then null else '+1 555 01' || lpad((l.i % 100)::text, 2, '0') end,
       l.job_title,
       -- the stage of that name on the lead's board (its id: see the stages above)
       (select s.id from public.lead_stages s
         where s.name = (array['New', 'Contacted', 'Qualified', 'Proposal', 'Won', 'Lost'])[1 + l.stage_order]
           and s.space_id is not distinct from l.space_id and (l.space_id is not null or s.user_id = l.owner_id)),
       format('00000000-0000-4000-b900-%s', lpad((l.scope_no * 10 + l.source_position)::text, 12, '0'))::uuid,
       greatest(0, least(100, (array[15, 30, 55, 70, 92, 8])[1 + l.stage_order] + (l.i * 13) % 21 - 10)),
       l.status,
       -- website leads of the space came in through the published contact form
       case when l.scope_no = 1 and l.source_position = 0 then '00000000-0000-4000-b100-000000000001'::uuid end,
       case when l.scope_no = 1 and l.source_position = 0 then jsonb_strip_nulls(jsonb_build_object(
              'first_name', l.first_name,
              'last_name', l.last_name,
              'email', lower(l.first_name || '.' || l.last_name) || '@'
                         || coalesce(substring(c.website from '^https?://([^/]+)'),
                                     (array['example.org', 'example.net', 'mail.example.com'])[1 + l.i % 3]),
              'company', c.name,
              'job_title', l.job_title,
              'budget', 1000 * (1 + l.i % 12),
              'interest', (array['SEO', 'Paid advertising', 'Content marketing', 'Social media',
                                 'Web design'])[1 + l.i % 5],
              'message', 'We would like to grow qualified pipeline next quarter. Could we book a call?',
              'utm_source', 'website'
            )) end,
       -- values of the scope's custom fields (see lead_custom_fields above)
       case l.scope_no
         when 1 then jsonb_strip_nulls(jsonb_build_object(
                'preferred_contact', (array['email', 'phone', 'video_call', null])[1 + l.i % 4],
                'contract_renewal_date', case when l.i % 7 = 0
                                              then to_char(date '2027-01-01' + (l.i * 3) % 365, 'YYYY-MM-DD') end))
         when 2 then case when l.i % 2 = 0
                          then jsonb_build_object('referral_partner',
                                                  (array['Jordan Blake', 'Priya Natarajan', 'Sam Okoro'])[1 + l.i % 3])
                          else '{}'::jsonb end
         else case when l.i % 3 = 0 then '{}'::jsonb
                   else jsonb_build_object('newsletter_opt_in', l.i % 2 = 0) end
       end,
       -- BANT, known for leads past the first contact
       case when l.stage_order between 1 and 4 then 2500 * (1 + (l.i * 37) % 20) end,
       case when l.stage_order between 2 and 4
            then (array['Decision maker', 'Influencer', 'Champion', 'Budget holder'])[1 + l.i % 4] end,
       case when l.stage_order between 1 and 4
            then (array['Grow inbound pipeline', 'Lower cost per lead', 'Launch in a new market',
                        'Replace an underperforming agency', 'Improve lead-to-customer conversion'])[1 + l.i % 5] end,
       case when l.stage_order between 1 and 4
            then (array['This quarter', 'Next quarter', '6-12 months', 'Exploring'])[1 + l.i % 4] end,
       case when l.i % 4 = 0 then jsonb_build_object(
              'linkedin_url', format('https://www.linkedin.com/in/%s-%s-example', lower(l.first_name),
                                     lower(l.last_name)),
              'seniority', (array['manager', 'director', 'vp', 'c_level'])[1 + (l.i / 4) % 4],
              'enriched_by', 'demo-enrichment')
            else '{}'::jsonb end,
       l.created_at,
       l.created_at
from lead_row l
left join public.companies c on c.id = l.company_id
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Activities: 1,000 over the 270 leads whose number is not a multiple of 10 (3 or 4 each), each between
-- the lead's creation and the reference instant. Ids: md5('leadgen-seed-activity-<n>'). The statement
-- trigger on lead_activities sets leads.last_activity_at to each lead's latest activity. Activities the
-- lead itself did (opens, clicks, replies, visits) and automatic ones have no user_id.
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_activities (id, lead_id, user_id, activity_type, description, activity_data, created_at,
                                    updated_at)
with plan as (
  select n,
         -- k walks 0..269 in a scattered order (97 is prime to 270); skip every 10th lead number
         ((n - 1) * 97) % 270 + 1 + (((n - 1) * 97) % 270) / 9 as lead_no,
         (array['email_sent', 'email_sent', 'email_opened', 'call_made', 'note', 'email_sent', 'email_opened',
                'email_clicked', 'page_visit', 'call_made', 'meeting', 'email_replied', 'task', 'page_visit',
                'stage_changed', 'call_received', 'note', 'status_changed', 'score_changed',
                'assigned'])[1 + (n * 7) % 20] as activity_type,
         (array['Quick intro from Acme Agency', 'Following up on our call', 'Case study: 3x pipeline in 6 months',
                'Your proposal and next steps', 'Checking in'])[1 + n % 5] as subject,
         (array['/pricing', '/case-studies', '/services/seo', '/blog/b2b-lead-generation', '/contact'])[1 + n % 5]
           as page,
         ((n * 613) % 997 + 1) / 998.0 as fraction
  from generate_series(1, 1000) as n
),
placed as (
  select p.*, l.id as lead_id, l.assigned_to, l.user_id as lead_user_id, l.status, l.score, s.name as stage_name,
         u.raw_user_meta_data ->> 'full_name' as assignee_name,
         date_trunc('second', l.created_at + (timestamptz '2026-11-01 12:00:00+00' - l.created_at) * p.fraction)
           as created_at
  from plan p
  join public.leads l on l.id = md5('leadgen-seed-lead-' || p.lead_no)::uuid
  left join public.lead_stages s on s.id = l.stage_id
  left join auth.users u on u.id = l.assigned_to
)
select md5('leadgen-seed-activity-' || a.n)::uuid,
       a.lead_id,
       case when a.activity_type in ('email_opened', 'email_clicked', 'email_replied', 'page_visit', 'score_changed')
            then null
            else coalesce(a.assigned_to, a.lead_user_id) end,
       a.activity_type,
       case a.activity_type
         when 'email_sent' then format('Sent email "%s"', a.subject)
         when 'email_opened' then format('Opened "%s"', a.subject)
         when 'email_clicked' then format('Clicked a link in "%s"', a.subject)
         when 'email_replied' then format('Replied to "%s"', a.subject)
         when 'call_made' then (array['Left a voicemail', 'Connected, booked a discovery call', 'No answer',
                                      'Discussed pricing and timeline', 'Asked to call back next week'])[1 + a.n % 5]
         when 'call_received' then 'Inbound call with questions about pricing'
         when 'meeting' then (array['Discovery meeting', 'Product demo', 'Proposal review'])[1 + a.n % 3]
         when 'note' then (array['Interested in a Q1 start; budget approval pending.',
                                 'Prefers async updates over calls.',
                                 'Currently works with another agency, contract ends soon.',
                                 'Asked for references in their industry.'])[1 + a.n % 4]
         when 'task' then (array['Send the pricing deck', 'Prepare a custom audit', 'Schedule a follow-up call'])
                            [1 + a.n % 3]
         when 'page_visit' then format('Visited %s', a.page)
         when 'stage_changed' then format('Moved to %s', a.stage_name)
         when 'status_changed' then format('Status set to %s', a.status)
         when 'score_changed' then format('Score recalculated: %s', a.score)
         else format('Assigned to %s', coalesce(a.assignee_name, 'the team'))
       end,
       case a.activity_type
         when 'email_sent' then jsonb_build_object('subject', a.subject, 'template', 'sales-sequence-' || (1 + a.n % 3))
         when 'email_opened' then jsonb_build_object('subject', a.subject, 'client', 'web')
         when 'email_clicked' then jsonb_build_object('subject', a.subject,
                                                      'url', 'https://acme-agency.example.com' || a.page)
         when 'email_replied' then jsonb_build_object('subject', a.subject, 'sentiment', 'positive')
         when 'call_made' then jsonb_build_object('duration_seconds', 30 + (a.n * 37) % 1200, 'direction', 'outbound')
         when 'call_received' then jsonb_build_object('duration_seconds', 120 + (a.n * 11) % 900,
                                                      'direction', 'inbound')
         when 'meeting' then jsonb_build_object('duration_minutes', 30 + 15 * (a.n % 3), 'location', 'Video call')
         when 'task' then jsonb_build_object(
                            'due_date', to_char(a.created_at at time zone 'UTC' + interval '3 days', 'YYYY-MM-DD'),
                            'done', a.n % 2 = 0)
         when 'page_visit' then jsonb_build_object('url', 'https://acme-agency.example.com' || a.page,
                                                   'seconds_on_page', 15 + (a.n * 17) % 300)
         when 'stage_changed' then jsonb_build_object('to', a.stage_name)
         when 'status_changed' then jsonb_build_object('to', a.status)
         when 'score_changed' then jsonb_build_object('score', a.score)
         else '{}'::jsonb
       end,
       a.created_at,
       a.created_at
from placed a
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Customers: leads 7 and 42 (space) and 247 (Alice's) were converted. The two foreign keys point at each
-- other, so the customers are inserted with lead_id set and the leads are linked afterwards (only once:
-- the update skips leads that already point at their customer).
-- ---------------------------------------------------------------------------------------------------------
insert into public.customers (id, user_id, space_id, lead_id, company_id, name, email, phone, customer_data,
                              converted_at, created_at, updated_at)
select v.id, l.user_id, l.space_id, l.id, l.company_id, coalesce(c.name, l.first_name || ' ' || l.last_name),
       l.email, l.phone,
       jsonb_build_object('plan', v.plan, 'annual_contract_value', v.acv, 'currency', 'USD',
                          'primary_contact', l.first_name || ' ' || l.last_name),
       v.converted_at, v.converted_at, v.converted_at
from (values
  ('00000000-0000-4000-b500-000000000001'::uuid, 7, 'Growth retainer', 48000,
   timestamptz '2026-11-01 09:30:00+00'),
  ('00000000-0000-4000-b500-000000000002'::uuid, 42, 'SEO + content', 30000, timestamptz '2026-11-01 10:15:00+00'),
  ('00000000-0000-4000-b500-000000000003'::uuid, 247, 'Strategy workshop', 6000,
   timestamptz '2026-11-01 11:00:00+00')
) as v (id, lead_no, plan, acv, converted_at)
join public.leads l on l.id = md5('leadgen-seed-lead-' || v.lead_no)::uuid
left join public.companies c on c.id = l.company_id
on conflict (id) do nothing;

update public.leads l
   set converted_to_customer = true, customer_id = c.id
  from public.customers c
 where c.lead_id = l.id
   and c.id in ('00000000-0000-4000-b500-000000000001', '00000000-0000-4000-b500-000000000002',
                '00000000-0000-4000-b500-000000000003')
   and l.customer_id is null;

-- ---------------------------------------------------------------------------------------------------------
-- Campaigns: six in the space, two of Alice's, two of Erin's, in every status; dates and money are valid
-- (end_date >= start_date, budget and spent >= 0).
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_campaigns (id, user_id, space_id, name, description, campaign_type, status, start_date,
                                   end_date, budget, spent, created_at, updated_at)
select v.id, v.user_id, v.space_id, v.name, v.description, v.campaign_type, v.status, v.start_date, v.end_date,
       v.budget, v.spent, v.created_at, v.created_at
from (values
  ('00000000-0000-4000-b300-000000000001'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Q4 Webinar: Scaling B2B Pipelines',
   'Live webinar with two client case studies, promoted by email and LinkedIn.', 'webinar', 'active',
   date '2026-10-01', date '2026-12-15', 12000.00, 4380.50, timestamptz '2026-09-20 10:00:00+00'),
  ('00000000-0000-4000-b300-000000000002'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'LinkedIn ABM: Fintech decision makers',
   'Account-based sponsored content for 150 target accounts.', 'social_media', 'active',
   date '2026-08-01', date '2026-12-31', 18000.00, 9720.00, timestamptz '2026-07-25 10:00:00+00'),
  ('00000000-0000-4000-b300-000000000003'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Google Ads: brand and competitor search',
   'Paused while landing pages are redesigned.', 'advertising', 'paused',
   date '2026-08-01', date '2026-11-30', 9000.00, 6125.75, timestamptz '2026-07-28 10:00:00+00'),
  ('00000000-0000-4000-b300-000000000004'::uuid, '00000000-0000-4000-a000-000000000003'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Autumn newsletter series',
   'Four-part email series on lead generation benchmarks.', 'email', 'completed',
   date '2026-08-01', date '2026-10-31', 1500.00, 1480.00, timestamptz '2026-07-30 10:00:00+00'),
  ('00000000-0000-4000-b300-000000000005'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Client referral program',
   'A month of free services for every referred client who signs.', 'referral', 'scheduled',
   date '2026-12-01', date '2027-03-31', 5000.00, 0, timestamptz '2026-10-25 10:00:00+00'),
  ('00000000-0000-4000-b300-000000000006'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, '2027 Growth Summit',
   'Half-day event for clients and prospects. Venue not booked yet.', 'event', 'draft',
   null, null, 25000.00, 0, timestamptz '2026-10-28 10:00:00+00'),
  ('00000000-0000-4000-b300-000000000007'::uuid, '00000000-0000-4000-a000-000000000001'::uuid, null::uuid,
   'Personal network outreach', 'Reconnect with former colleagues about consulting work.', 'email', 'active',
   date '2026-08-01', null, null, 0, timestamptz '2026-07-30 18:00:00+00'),
  ('00000000-0000-4000-b300-000000000008'::uuid, '00000000-0000-4000-a000-000000000001'::uuid, null::uuid,
   'Holiday direct mail', 'Cancelled: printing costs were too high.', 'direct_mail', 'cancelled',
   date '2026-11-15', date '2026-12-20', 2000.00, 150.00, timestamptz '2026-10-01 18:00:00+00'),
  ('00000000-0000-4000-b300-000000000009'::uuid, '00000000-0000-4000-a000-000000000005'::uuid, null::uuid,
   'Founders meetup sponsorship', 'Sponsored the local founders meetup in September.', 'event', 'completed',
   date '2026-09-24', date '2026-09-24', 800.00, 800.00, timestamptz '2026-09-01 12:00:00+00'),
  ('00000000-0000-4000-b300-000000000010'::uuid, '00000000-0000-4000-a000-000000000005'::uuid, null::uuid,
   'Portfolio SEO refresh', 'Rewrite case studies for search.', 'seo', 'active',
   date '2026-08-01', date '2027-01-31', 300.00, 120.00, timestamptz '2026-07-31 12:00:00+00')
) as v (id, user_id, space_id, name, description, campaign_type, status, start_date, end_date, budget, spent,
        created_at)
on conflict (id) do nothing;

-- Campaign associations: about a third of the possible (lead, campaign) pairs of the same scope, for campaigns
-- that have run (active, paused, completed) and leads created before the campaign ended; the pair's md5
-- decides. Ids: md5('leadgen-seed-association-<lead>-<campaign>').
insert into public.lead_campaign_associations (id, lead_id, campaign_id, associated_at, created_at, updated_at)
select md5('leadgen-seed-association-' || x.i || '-' || x.campaign_id)::uuid, x.lead_id, x.campaign_id,
       x.associated_at, x.associated_at, x.associated_at
from (
  select i, l.id as lead_id, c.id as campaign_id,
         least(timestamptz '2026-11-01 12:00:00+00',
               greatest(l.created_at, c.start_date::timestamp at time zone 'UTC')
                 + get_byte(decode(md5(l.id::text || c.id::text), 'hex'), 1) * interval '20 minutes')
           as associated_at,
         get_byte(decode(md5(l.id::text || c.id::text), 'hex'), 0) as draw
  from generate_series(1, 300) as i
  join public.leads l on l.id = md5('leadgen-seed-lead-' || i)::uuid
  join public.lead_campaigns c on private.same_scope(c.user_id, c.space_id, l.user_id, l.space_id)
  where c.id between '00000000-0000-4000-b300-000000000001' and '00000000-0000-4000-b300-000000000010'
    and c.status in ('active', 'paused', 'completed')
    and (c.end_date is null or l.created_at < (c.end_date + 1)::timestamp at time zone 'UTC')
) as x
where x.draw < 85
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Scoring rules: one per kind of criterion in the space (one inactive), a few personal ones.
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_scoring_rules (id, user_id, space_id, name, description, criteria_type, criteria_field,
                                       condition, value, points, is_active, created_at, updated_at)
select v.id, v.user_id, v.space_id, v.name, v.description, v.criteria_type, v.criteria_field, v.condition, v.value,
       v.points, v.is_active,
       timestamptz '2026-07-16 09:00:00+00' + v.n * interval '5 minutes',
       timestamptz '2026-07-16 09:00:00+00' + v.n * interval '5 minutes'
from (values
  (1, '00000000-0000-4000-b400-000000000001'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Senior title', 'Directors, VPs and C-level buyers',
   'job_title', null, 'contains', 'Director', 15, true),
  (2, '00000000-0000-4000-b400-000000000002'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Executive buyer', null,
   'job_title', null, 'in', 'Founder & CEO,Chief Marketing Officer,Chief Technology Officer,VP of Sales', 25, true),
  (3, '00000000-0000-4000-b400-000000000003'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Mid-market and enterprise', null,
   'company_size', null, 'in', '201-500,501-1000,1001-5000,5001+', 15, true),
  (4, '00000000-0000-4000-b400-000000000004'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Software companies', 'Our strongest vertical',
   'industry', null, 'equals', 'Software', 10, true),
  (5, '00000000-0000-4000-b400-000000000005'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Free email address', 'Personal mailboxes convert less',
   'free_email', null, 'equals', 'true', -10, true),
  (6, '00000000-0000-4000-b400-000000000006'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Paid search click', null,
   'utm_medium', null, 'equals', 'cpc', 5, true),
  (7, '00000000-0000-4000-b400-000000000007'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Budget above 10k', null,
   'budget', null, 'greater_than', '10000', 20, true),
  (8, '00000000-0000-4000-b400-000000000008'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Replied to an email', null,
   'activity_count', 'email_replied', 'greater_than', '0', 10, true),
  (9, '00000000-0000-4000-b400-000000000009'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Submitted the contact form', null,
   'form_submitted', null, 'equals', 'true', 10, true),
  (10, '00000000-0000-4000-b400-000000000010'::uuid, '00000000-0000-4000-a000-000000000002'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Prefers phone', null,
   'custom_field', 'preferred_contact', 'equals', 'phone', 5, true),
  (11, '00000000-0000-4000-b400-000000000011'::uuid, '00000000-0000-4000-a000-000000000001'::uuid,
   '00000000-0000-4000-b000-000000000001'::uuid, 'Education domains', 'Disabled: students rarely buy',
   'email_domain', null, 'ends_with', '.edu', -20, false),
  (12, '00000000-0000-4000-b400-000000000012'::uuid, '00000000-0000-4000-a000-000000000001'::uuid, null::uuid,
   'Came through a referral', null, 'source', null, 'equals', 'Word of mouth', 20, true),
  (13, '00000000-0000-4000-b400-000000000013'::uuid, '00000000-0000-4000-a000-000000000001'::uuid, null::uuid,
   'Has a timeline', null, 'timeline', null, 'is_not_empty', null, 10, true),
  (14, '00000000-0000-4000-b400-000000000014'::uuid, '00000000-0000-4000-a000-000000000005'::uuid, null::uuid,
   'Met at the meetup', null, 'utm_source', null, 'equals', 'meetup', 15, true)
) as v (n, id, user_id, space_id, name, description, criteria_type, criteria_field, condition, value, points,
        is_active)
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Workflows: the space's active "new inbound lead" automation (form submission -> wait an hour -> assign
-- round robin -> welcome email -> notify the CRM webhook), and an inactive one of Alice's.
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_workflows (id, user_id, space_id, name, description, is_active, workflow_settings,
                                   created_at, updated_at)
values
  ('00000000-0000-4000-b200-000000000001', '00000000-0000-4000-a000-000000000002',
   '00000000-0000-4000-b000-000000000001', 'New inbound lead follow-up',
   'Assigns website leads round robin and sends a welcome email an hour after they submit the contact form.',
   true, '{"run_once_per_lead": true, "timezone": "America/New_York"}',
   '2026-07-16 11:00:00+00', '2026-07-16 11:00:00+00'),
  ('00000000-0000-4000-b200-000000000002', '00000000-0000-4000-a000-000000000001', null,
   'Stale lead reminder', 'Adds a reminder note to leads untouched for two weeks.', false, '{}',
   '2026-10-05 08:00:00+00', '2026-10-05 08:00:00+00')
on conflict (id) do nothing;

insert into public.lead_workflow_triggers (id, workflow_id, trigger_type, trigger_conditions, created_at, updated_at)
values
  ('00000000-0000-4000-b201-000000000001', '00000000-0000-4000-b200-000000000001', 'form_submit',
   '{"formId": "00000000-0000-4000-b100-000000000001"}', '2026-07-16 11:01:00+00', '2026-07-16 11:01:00+00'),
  ('00000000-0000-4000-b201-000000000002', '00000000-0000-4000-b200-000000000002', 'inactivity',
   '{"days": 14}', '2026-10-05 08:01:00+00', '2026-10-05 08:01:00+00')
on conflict (id) do nothing;

insert into public.lead_workflow_actions (id, workflow_id, action_type, action_config, action_order, delay_seconds,
                                          created_at, updated_at)
values
  ('00000000-0000-4000-b202-000000000001', '00000000-0000-4000-b200-000000000001', 'wait',
   '{}', 0, 3600, '2026-07-16 11:02:00+00', '2026-07-16 11:02:00+00'),
  ('00000000-0000-4000-b202-000000000002', '00000000-0000-4000-b200-000000000001', 'assign_lead',
   '{"strategy": "round_robin",
     "user_ids": ["00000000-0000-4000-a000-000000000001", "00000000-0000-4000-a000-000000000002",
                  "00000000-0000-4000-a000-000000000003"]}',
   1, 0, '2026-07-16 11:03:00+00', '2026-07-16 11:03:00+00'),
  ('00000000-0000-4000-b202-000000000003', '00000000-0000-4000-b200-000000000001', 'send_email',
   '{"template": "welcome",
     "to": "lead",
     "subject": "Thanks for reaching out, {{first_name}}!",
     "body": "Hi {{first_name}},\n\nThanks for contacting Acme Agency. {{assignee_name}} will call you soon."}',
   2, 0, '2026-07-16 11:04:00+00', '2026-07-16 11:04:00+00'),
  ('00000000-0000-4000-b202-000000000004', '00000000-0000-4000-b200-000000000001', 'webhook',
   '{"url": "https://hooks.example.com/acme-agency/new-lead", "method": "POST"}',
   3, 0, '2026-07-16 11:05:00+00', '2026-07-16 11:05:00+00'),
  ('00000000-0000-4000-b202-000000000005', '00000000-0000-4000-b200-000000000002', 'add_note',
   '{"note": "No activity for two weeks: time for a follow-up."}',
   0, 0, '2026-10-05 08:02:00+00', '2026-10-05 08:02:00+00')
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------------------
-- Integrations (no credentials: the server encrypts those, and demo data has none to encrypt).
-- ---------------------------------------------------------------------------------------------------------
insert into public.lead_integrations (id, user_id, space_id, integration_type, integration_name, is_active, settings,
                                      credentials, last_sync_at, sync_status, created_at, updated_at)
values
  ('00000000-0000-4000-b600-000000000001', '00000000-0000-4000-a000-000000000001',
   '00000000-0000-4000-b000-000000000001', 'crm', 'HubSpot', true,
   '{"portal": "acme-agency-demo", "sync_direction": "push", "sync_interval_minutes": 60}', null,
   '2026-11-01 11:00:00+00', 'success', '2026-07-18 09:00:00+00', '2026-07-18 09:00:00+00'),
  ('00000000-0000-4000-b600-000000000002', '00000000-0000-4000-a000-000000000001', null,
   'email_marketing', 'Mailchimp', false, '{"audience": "consulting-newsletter"}', null,
   null, 'never', '2026-10-20 08:30:00+00', '2026-10-20 08:30:00+00')
on conflict (id) do nothing;
