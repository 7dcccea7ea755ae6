-- Foundation: extensions, the non-exposed `private` schema and the trigger functions every table uses.

create schema if not exists extensions;
create extension if not exists pg_trgm with schema extensions;

-- `private` holds security-definer helpers and internals. Supabase's Data API exposes only the schemas
-- listed in config.toml ([api] schemas), so nothing here is callable over REST.
create schema if not exists private;
revoke all on schema private from public;
comment on schema private is 'Leadgen internals (RLS helpers, triggers); never exposed through the Data API.';

create or replace function private.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.set_updated_at() is 'BEFORE UPDATE trigger: keeps updated_at current on every table.';

-- The shape of a scope: a row belongs to a space (space_id) or, without one, to its user_id alone.
-- True when two rows live in the same scope.
create or replace function private.same_scope(a_user uuid, a_space uuid, b_user uuid, b_space uuid) returns boolean
language sql immutable
set search_path = ''
as $$
  select case
    when a_space is null then b_space is null and a_user = b_user
    else a_space = b_space
  end
$$;
comment on function private.same_scope(uuid, uuid, uuid, uuid) is
  'True when two rows share a scope: the same space, or both personal with the same owner.';
