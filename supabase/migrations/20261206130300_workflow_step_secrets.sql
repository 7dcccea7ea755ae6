-- Secrets of workflow steps are write-only, like integration credentials. A WEBHOOK step's signing `secret` and
-- its `headers` (`Authorization: Bearer <partner token>`) used to sit in action_config, which every reader of the
-- workflow (viewers, members, platform admins) could select. They now live in lead_workflow_actions.secrets, a
-- column API roles can neither select, insert nor update, one entry per key:
--   * an AES-256-GCM envelope {v, kid, nonce, ciphertext} made by the server with the credentials key, bound to
--     the action, its workflow and the key (the API writes it through leadgen.set_workflow_action_secrets);
--   * or {"plain": value}: a secret written into action_config past the API (Studio, REST, and every row from
--     before this migration), moved here by a trigger in the same statement, so action_config never holds one.
--     A migration cannot encrypt (the key is the server's): the worker seals plain entries when it starts and at
--     each periodic scan (private.unsealed_workflow_action_secrets, private.seal_workflow_action_secrets).
-- Readers see secrets_hint instead: {"secret": "••••abcd", "headers": {"Authorization": "••••wxyz"}} (the last 4
-- characters of values of 12 or more). The worker reads the entries as the workflow's owner through
-- private.workflow_action_secrets (its login role only) to sign and send.
--
-- What a write keeps (the API's domain/workflows/step_secrets.kept_after applies the same rules): a key given in
-- action_config replaces the stored one (null, or "headers": {}, removes it); a config naming an `integration`
-- drops a stored `secret`; changing where a step posts (its url, or without one its integration, whose URL it then
-- uses) drops the stored headers, so a token never follows a URL someone else chose; a step that is not a webhook
-- keeps none.

alter table public.lead_workflow_actions
  add column secrets jsonb check (secrets is null or jsonb_typeof(secrets) = 'object'),
  add column secrets_hint jsonb check (secrets_hint is null or jsonb_typeof(secrets_hint) = 'object');
comment on column public.lead_workflow_actions.secrets is
  'The step''s secrets by key (secret, headers): AES-GCM envelopes made by the server, or {"plain": value} until the '
  'worker seals it. Not selectable, insertable or updatable by API roles.';
comment on column public.lead_workflow_actions.secrets_hint is
  'Masked hints of the stored secrets: {"secret": "••••abcd", "headers": {"Name": "••••wxyz"}}.';

-- Column privileges: every column but `secrets` is readable; the secrets and their hints are not writable.
revoke select, insert on table public.lead_workflow_actions from authenticated, service_role;
grant select (id, workflow_id, action_type, action_config, action_order, delay_seconds, created_at, updated_at,
  secrets_hint) on table public.lead_workflow_actions to authenticated, service_role;
grant insert (id, workflow_id, action_type, action_config, action_order, delay_seconds, created_at, updated_at)
  on table public.lead_workflow_actions to authenticated, service_role;

create function private.masked_secret(p_value text) returns text
language sql immutable
set search_path = ''
as $$
  select '••••' || case when length(p_value) >= 12 then right(p_value, 4) else '' end
$$;
comment on function private.masked_secret(text) is
  'A secret''s hint: "••••" and its last 4 characters (nothing of a value shorter than 12).';
revoke all on function private.masked_secret(text) from public;

create function private.workflow_secret_hint(p_key text, p_value jsonb) returns jsonb
language sql immutable
set search_path = ''
as $$
  select case when p_key = 'headers' and jsonb_typeof(p_value) = 'object'
              then coalesce((select jsonb_object_agg(h.key, private.masked_secret(h.value #>> '{}'))
                               from jsonb_each(p_value) as h), '{}'::jsonb)
              else to_jsonb(private.masked_secret(p_value #>> '{}')) end
$$;
comment on function private.workflow_secret_hint(text, jsonb) is
  'The hint of a step''s secret: masked, or for headers a masked value by header name.';
revoke all on function private.workflow_secret_hint(text, jsonb) from public;

-- (security definer: it calls the helpers above, in a schema API roles cannot use)
create function private.keep_workflow_action_secrets_apart() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_secrets jsonb := coalesce(new.secrets, '{}'::jsonb);
  v_hints jsonb := coalesce(new.secrets_hint, '{}'::jsonb);
  v_key text;
  v_value jsonb;
begin
  if jsonb_typeof(v_secrets) <> 'object' or jsonb_typeof(v_hints) <> 'object' then
    return new;  -- not objects: the columns' check constraints refuse the row
  end if;
  if new.action_type <> 'webhook' then
    v_secrets := '{}'::jsonb;
  else
    if new.action_config ? 'integration' then
      v_secrets := v_secrets - 'secret';
    end if;
    -- where the step posts: its url, else its integration's (domain/workflows/step_secrets.target)
    if tg_op = 'UPDATE'
       and (case when old.action_config ? 'url' then old.action_config -> 'url'
                 else jsonb_build_object('integration', old.action_config -> 'integration') end)
           is distinct from
           (case when new.action_config ? 'url' then new.action_config -> 'url'
                 else jsonb_build_object('integration', new.action_config -> 'integration') end)
    then
      v_secrets := v_secrets - 'headers';
    end if;
  end if;
  foreach v_key in array array['secret', 'headers'] loop
    continue when not new.action_config ? v_key;
    v_value := new.action_config -> v_key;
    new.action_config := new.action_config - v_key;
    continue when new.action_type <> 'webhook';
    if jsonb_typeof(v_value) = 'null' or (v_key = 'headers' and v_value = '{}'::jsonb) then
      v_secrets := v_secrets - v_key;
    else
      v_secrets := v_secrets || jsonb_build_object(v_key, jsonb_build_object('plain', v_value));
      v_hints := v_hints || jsonb_build_object(v_key, private.workflow_secret_hint(v_key, v_value));
    end if;
  end loop;
  select coalesce(jsonb_object_agg(h.key, h.value), '{}'::jsonb) into v_hints
    from jsonb_each(v_hints) as h where v_secrets ? h.key;
  new.secrets := nullif(v_secrets, '{}'::jsonb);
  new.secrets_hint := nullif(v_hints, '{}'::jsonb);
  return new;
end
$$;
comment on function private.keep_workflow_action_secrets_apart() is
  'BEFORE INSERT/UPDATE on lead_workflow_actions: moves secret and headers out of action_config into secrets (as '
  'plain entries, hinted), and drops stored secrets a write makes stale (see the migration''s header).';
revoke all on function private.keep_workflow_action_secrets_apart() from public;

create trigger lead_workflow_actions_keep_secrets_apart before insert or update on public.lead_workflow_actions
  for each row execute function private.keep_workflow_action_secrets_apart();
comment on trigger lead_workflow_actions_keep_secrets_apart on public.lead_workflow_actions is
  'Secrets never stay in action_config: they move into the write-only secrets column.';

-- Every existing secret moves out of action_config now (the trigger does it); the worker seals them.
update public.lead_workflow_actions set action_config = action_config
 where action_config ?| array['secret', 'headers'];

create function leadgen.set_workflow_action_secrets(p_action uuid, p_secrets jsonb, p_hints jsonb) returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_action public.lead_workflow_actions;
  v_secrets jsonb;
  v_hints jsonb;
  v_key text;
  v_entry jsonb;
begin
  select * into v_action from public.lead_workflow_actions a where a.id = p_action for update;
  if not found or not private.can_manage_workflow(v_action.workflow_id) then
    raise exception 'not allowed to set the secrets of this workflow step' using errcode = '42501';
  end if;
  if jsonb_typeof(p_secrets) is distinct from 'object' then
    raise exception 'secrets must be a JSON object' using errcode = '22023';
  end if;
  v_secrets := coalesce(v_action.secrets, '{}'::jsonb);
  v_hints := coalesce(v_action.secrets_hint, '{}'::jsonb);
  for v_key, v_entry in select s.key, s.value from jsonb_each(p_secrets) as s loop
    if v_key not in ('secret', 'headers') then
      raise exception '% is not a secret of a workflow step', v_key using errcode = '22023';
    end if;
    if jsonb_typeof(v_entry) = 'null' then
      v_secrets := v_secrets - v_key;
    elsif jsonb_typeof(v_entry) = 'object' and jsonb_typeof(v_entry -> 'v') = 'number'
          and jsonb_typeof(v_entry -> 'kid') = 'string' and jsonb_typeof(v_entry -> 'nonce') = 'string'
          and jsonb_typeof(v_entry -> 'ciphertext') = 'string' and not v_entry ? 'plain' then
      v_secrets := v_secrets || jsonb_build_object(v_key, v_entry);
      v_hints := v_hints || jsonb_build_object(v_key, coalesce(p_hints -> v_key, to_jsonb('••••'::text)));
    else
      raise exception 'the % of a workflow step must be an envelope made by the server', v_key using errcode = '22023';
    end if;
  end loop;
  update public.lead_workflow_actions
     set secrets = nullif(v_secrets, '{}'::jsonb), secrets_hint = nullif(v_hints, '{}'::jsonb)
   where id = p_action;
end
$$;
comment on function leadgen.set_workflow_action_secrets(uuid, jsonb, jsonb) is
  'Sets (envelopes made by the server) or removes (null) secrets of a workflow step the caller manages, with their '
  'hints. Errors: 42501 not a manager, 22023 not a secret key or not an envelope.';
revoke all on function leadgen.set_workflow_action_secrets(uuid, jsonb, jsonb) from public;
grant execute on function leadgen.set_workflow_action_secrets(uuid, jsonb, jsonb) to authenticated;

create function private.workflow_action_secrets(p_action uuid) returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_secrets jsonb;
  v_owner uuid;
begin
  select a.secrets, w.user_id into v_secrets, v_owner
    from public.lead_workflow_actions a join public.lead_workflows w on w.id = a.workflow_id
   where a.id = p_action;
  if not found or v_owner is distinct from (select auth.uid()) then
    raise exception 'only the workflow''s owner may use the secrets of its steps' using errcode = '42501';
  end if;
  return v_secrets;
end
$$;
comment on function private.workflow_action_secrets(uuid) is
  'The stored secrets of a workflow step (envelopes or plain entries), for the worker acting as the workflow''s '
  'owner (request.jwt.claims); 42501 for anyone else. Executable by the worker''s login role only.';
revoke all on function private.workflow_action_secrets(uuid) from public;
grant execute on function private.workflow_action_secrets(uuid) to leadgen_worker;

create function private.unsealed_workflow_action_secrets(p_limit integer)
returns table (action_id uuid, workflow_id uuid, secrets jsonb)
language sql stable security definer
set search_path = ''
as $$
  select a.id, a.workflow_id, a.secrets
    from public.lead_workflow_actions a
   where a.secrets is not null
     and exists (select 1 from jsonb_each(a.secrets) as s where jsonb_typeof(s.value) = 'object' and s.value ? 'plain')
   order by a.id
   limit greatest(p_limit, 0)
$$;
comment on function private.unsealed_workflow_action_secrets(integer) is
  'Workflow steps with secrets still stored in clear (written past the API), for the worker to seal.';
revoke all on function private.unsealed_workflow_action_secrets(integer) from public;
grant execute on function private.unsealed_workflow_action_secrets(integer) to leadgen_worker;

create function private.seal_workflow_action_secrets(p_action uuid, p_plain jsonb, p_sealed jsonb) returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_secrets jsonb;
  v_key text;
  v_envelope jsonb;
begin
  select a.secrets into v_secrets from public.lead_workflow_actions a where a.id = p_action for update;
  if not found or v_secrets is null then
    return false;
  end if;
  for v_key, v_envelope in select s.key, s.value from jsonb_each(p_sealed) as s loop
    -- only an entry still holding the value that was sealed (a write meanwhile wins)
    if v_secrets -> v_key = jsonb_build_object('plain', p_plain -> v_key)
       and jsonb_typeof(v_envelope -> 'ciphertext') = 'string' and not v_envelope ? 'plain' then
      v_secrets := v_secrets || jsonb_build_object(v_key, v_envelope);
    end if;
  end loop;
  update public.lead_workflow_actions set secrets = v_secrets where id = p_action and secrets is distinct from v_secrets;
  return found;
end
$$;
comment on function private.seal_workflow_action_secrets(uuid, jsonb, jsonb) is
  'Replaces plain entries of a step''s secrets by the worker''s envelopes of the same values (p_plain: the values '
  'sealed, p_sealed: their envelopes by key), unless they changed meanwhile; true when something was sealed.';
revoke all on function private.seal_workflow_action_secrets(uuid, jsonb, jsonb) from public;
grant execute on function private.seal_workflow_action_secrets(uuid, jsonb, jsonb) to leadgen_worker;
