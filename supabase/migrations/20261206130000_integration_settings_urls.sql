-- Integration URLs are http(s) URLs, for every writer. The API checks them when an integration is saved
-- (domain/integration_webhooks.integration_settings: BAD_USER_INPUT on input.settings.url); this constraint holds
-- Studio and REST writes to the same rule, so a `file://`, `gopher://` or `javascript:` URL is never stored.
-- A URL setting is `url` or any key ending in `url` (any case: `redirectUrl`, `base_url`); its value must be a
-- string of 1..2000 characters: http:// or https://, a host, no user name or password, no spaces or control
-- characters. (The host's addresses are checked when a webhook is called: private addresses are refused then.)
--
-- Existing rows that break the rule lose the bad keys, are switched off and say why in sync_error.

create function private.integration_settings_urls_valid(p_settings jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
  select coalesce(bool_and(
           jsonb_typeof(s.value) = 'string'
           and length(s.value #>> '{}') between 1 and 2000
           and (s.value #>> '{}') ~* '^[ ]*https?://[^/?#@[:space:][:cntrl:]:][^/?#@[:space:][:cntrl:]]*([/?#][^[:space:][:cntrl:]]*)?[ ]*$'),
         true)
  from jsonb_each(case when jsonb_typeof(p_settings) = 'object' then p_settings else '{}'::jsonb end) as s
  where lower(s.key) like '%url'
$$;
comment on function private.integration_settings_urls_valid(jsonb) is
  'True when every URL setting (key url or ending in url, any case) of an integration''s settings is an http(s) URL '
  'with a host, without user name, password, spaces or control characters, of at most 2000 characters.';

with refused as (
  select i.id,
         array(select s.key from jsonb_each(i.settings) as s
                where lower(s.key) like '%url' and not private.integration_settings_urls_valid(jsonb_build_object(s.key, s.value)))
           as keys
    from public.lead_integrations i
   where not private.integration_settings_urls_valid(i.settings)
)
update public.lead_integrations i
   set settings = i.settings - r.keys,
       is_active = false,
       sync_status = 'error',
       sync_error = left(format('switched off: %s was not an http(s) URL; set a valid one', array_to_string(r.keys, ', ')),
                         2000)
  from refused r
 where r.id = i.id;

alter table public.lead_integrations
  add constraint lead_integrations_settings_urls_check check (private.integration_settings_urls_valid(settings));
comment on constraint lead_integrations_settings_urls_check on public.lead_integrations is
  'Every URL setting (url, or a key ending in url) is an http(s) URL with a host: no file://, gopher://, javascript:.';
