-- Campaigns: status transitions enforced for every writer. Integrations: credentials stay readable only by
-- the server, and only for integrations the caller manages; a moved integration forgets its credentials.
--
-- Campaign status transitions (anything else is refused with SQLSTATE 23514, for the API, REST and Studio):
--
--   from        | to
--   ------------+----------------------------------
--   draft       | scheduled, active, cancelled
--   scheduled   | active, draft, cancelled
--   active      | paused, completed, cancelled
--   paused      | active, completed, cancelled
--   completed   | (final)
--   cancelled   | (final)
--
-- A new campaign may start in any status (historical campaigns are imported as they are); an update that
-- leaves the status as it is always passes.
--
-- Integration credentials are an AES-GCM envelope made by the server ({v, kid, nonce, ciphertext}), bound to
-- the row's id and scope (its space, or its owner for a personal row). API roles may write the column but
-- never read it; the server reads it through leadgen.integration_credentials, which only the API login role
-- may execute, and which answers only for an integration the caller (the request's JWT claims) manages.

-- ---------------------------------------------------------------------------------------------------------
-- Campaign status transitions
-- ---------------------------------------------------------------------------------------------------------

create function private.campaign_next_statuses(p_status text) returns text[]
language sql immutable
set search_path = ''
as $$
  select case p_status
    when 'draft' then array['scheduled', 'active', 'cancelled']
    when 'scheduled' then array['active', 'draft', 'cancelled']
    when 'active' then array['paused', 'completed', 'cancelled']
    when 'paused' then array['active', 'completed', 'cancelled']
    else array[]::text[]
  end
$$;
comment on function private.campaign_next_statuses(text) is
  'The statuses a campaign may move to from p_status (completed and cancelled are final: none).';
revoke all on function private.campaign_next_statuses(text) from public;

create function private.check_campaign_status_transition() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  allowed text[] := private.campaign_next_statuses(old.status);
begin
  -- a value that is no status at all is left to lead_campaigns_status_check, which names it as such
  if new.status is distinct from old.status and not (new.status = any (allowed))
     and new.status in ('draft', 'scheduled', 'active', 'paused', 'completed', 'cancelled') then
    raise exception using
      errcode = 'check_violation',
      message = format('a campaign''s status cannot change from %s to %s', old.status, new.status),
      detail = format('allowed from %s: %s', old.status,
                      coalesce(nullif(array_to_string(allowed, ', '), ''), 'nothing, it is final')),
      schema = 'public',
      table = 'lead_campaigns',
      column = 'status',
      constraint = 'lead_campaigns_status_transition_check';
  end if;
  return new;
end
$$;
comment on function private.check_campaign_status_transition() is
  'BEFORE UPDATE OF status on lead_campaigns: refuses a transition private.campaign_next_statuses does not allow.';
revoke all on function private.check_campaign_status_transition() from public;

create trigger lead_campaigns_check_status_transition before update of status on public.lead_campaigns
  for each row when (old.status is distinct from new.status)
  execute function private.check_campaign_status_transition();
comment on trigger lead_campaigns_check_status_transition on public.lead_campaigns is
  'Status transitions: draft -> scheduled|active|cancelled; scheduled -> active|draft|cancelled; '
  'active -> paused|completed|cancelled; paused -> active|completed|cancelled; completed and cancelled are final.';

-- ---------------------------------------------------------------------------------------------------------
-- Integration credentials
-- ---------------------------------------------------------------------------------------------------------

-- The envelope is bound to the row's scope: moved to another scope without new credentials (a Studio edit;
-- the API re-encrypts when it moves one), it could never be decrypted again, so it is dropped.
create function private.forget_moved_credentials() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if not private.same_scope(old.user_id, old.space_id, new.user_id, new.space_id)
     and new.credentials is not distinct from old.credentials then
    new.credentials := null;
    new.credentials_hint := null;
  end if;
  return new;
end
$$;
comment on function private.forget_moved_credentials() is
  'BEFORE UPDATE OF user_id, space_id on lead_integrations: an integration that changes scope without new '
  'credentials drops the old ones (they are encrypted for the old scope).';
revoke all on function private.forget_moved_credentials() from public;

create trigger lead_integrations_forget_moved_credentials before update of user_id, space_id
  on public.lead_integrations
  for each row execute function private.forget_moved_credentials();
comment on trigger lead_integrations_forget_moved_credentials on public.lead_integrations is
  'Credentials are encrypted for the row''s scope: a row moved to another scope without new ones loses them.';

create function leadgen.integration_credentials(p_integration uuid) returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_row record;
begin
  select i.user_id, i.space_id, i.credentials into v_row
    from public.lead_integrations i where i.id = p_integration;
  if not found or not (
       (v_row.space_id is null and v_row.user_id = (select auth.uid()))
       or v_row.space_id = any (array(select private.manageable_space_ids()))) then
    raise exception using
      errcode = 'insufficient_privilege',
      message = 'not allowed to use the credentials of this integration';
  end if;
  return v_row.credentials;
end
$$;
comment on function leadgen.integration_credentials(uuid) is
  'The encrypted credentials envelope of an integration the caller (request.jwt.claims) manages, or null. '
  'Executable by the API login role only: API roles can never read credentials.';
revoke all on function leadgen.integration_credentials(uuid) from public;
grant usage on schema leadgen to leadgen_api;
grant execute on function leadgen.integration_credentials(uuid) to leadgen_api;
