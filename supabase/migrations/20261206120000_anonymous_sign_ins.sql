-- Supabase anonymous sign-ins (`is_anonymous: true` in the access token) may do what `anon` may do and nothing
-- more: submit published forms and track page visits (leadgen.submit_form, leadgen.published_form,
-- leadgen.track_page_visit, which are granted to `authenticated` too). Their role is still `authenticated`, so
-- Supabase's REST API and this API would otherwise treat them as full users: create spaces, personal leads, and
-- (with Studio's help) use memberships.
--
-- Enforced in the policies, so that REST obeys too: every table of `public` gets a RESTRICTIVE policy
-- `<table>_no_anonymous_sign_ins` for all commands `to authenticated`, which every permissive policy must pass as
-- well: an anonymous sign-in reads nothing (rows are hidden), and inserts and updates fail their WITH CHECK (42501).
-- A table created later needs the same policy: `select private.refuse_anonymous_sign_ins('public.<table>');`
-- in its migration (tests/test_policy_shape.py fails for a table without it).
--
-- The security-definer membership helpers behind the policies and the leadgen.* functions also answer "nothing"
-- for an anonymous sign-in, so a function that checks rights through them (running a workflow, previewing
-- scores ...) refuses it too, even if Studio made it a member of a space.

-- True when the caller's token is an anonymous sign-in. Plain SQL without settings, so that it is inlined like
-- auth.jwt() (every name is qualified); the claim is a JSON boolean, and a string "true" counts too.
create function private.caller_is_anonymous() returns boolean
language sql stable
as $$
  select coalesce((auth.jwt() ->> 'is_anonymous') = 'true', false)
$$;
comment on function private.caller_is_anonymous() is
  'True when the caller signed in anonymously (is_anonymous in the access token).';
revoke all on function private.caller_is_anonymous() from public;
grant execute on function private.caller_is_anonymous() to authenticated;

-- Adds the restrictive policy to a table (run by migrations, as the table's owner).
create function private.refuse_anonymous_sign_ins(p_table regclass) returns void
language plpgsql
set search_path = ''
as $$
declare
  v_name text := (select c.relname from pg_catalog.pg_class c where c.oid = p_table) || '_no_anonymous_sign_ins';
  -- evaluated once per statement (an InitPlan): each row only tests its boolean
  v_rule text := 'not (select private.caller_is_anonymous())';
begin
  execute format('create policy %I on %s as restrictive for all to authenticated using (%s) with check (%s)',
                 v_name, p_table, v_rule, v_rule);
  execute format('comment on policy %I on %s is %L', v_name, p_table,
                 'Anonymous sign-ins (is_anonymous in the token) may do here what anon may: nothing.');
end
$$;
comment on function private.refuse_anonymous_sign_ins(regclass) is
  'Creates <table>_no_anonymous_sign_ins: a restrictive policy that keeps anonymous sign-ins out of the table.';
revoke all on function private.refuse_anonymous_sign_ins(regclass) from public;

do $$
declare
  v_table regclass;
begin
  for v_table in
    select c.oid::regclass from pg_catalog.pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    order by c.relname
  loop
    perform private.refuse_anonymous_sign_ins(v_table);
  end loop;
end
$$;

-- The membership helpers: an anonymous sign-in belongs to no space and owns no personal scope.
create or replace function private.readable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and not private.caller_is_anonymous()
$$;

create or replace function private.writable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin', 'member')
    and not private.caller_is_anonymous()
$$;

create or replace function private.manageable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin')
    and not private.caller_is_anonymous()
$$;

create or replace function private.owned_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and m.role = 'owner'
    and not private.caller_is_anonymous()
$$;

create or replace function private.can_write_scope(p_user uuid, p_space uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select case
    when private.caller_is_anonymous() then false
    when p_space is null then p_user is not null and p_user = (select auth.uid())
    else exists (
      select 1 from public.space_members m
      where m.space_id = p_space and m.user_id = (select auth.uid()) and m.role in ('owner', 'admin', 'member'))
  end
$$;

create or replace function private.can_manage_scope(p_user uuid, p_space uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select case
    when private.caller_is_anonymous() then false
    when p_space is null then p_user is not null and p_user = (select auth.uid())
    else exists (
      select 1 from public.space_members m
      where m.space_id = p_space and m.user_id = (select auth.uid()) and m.role in ('owner', 'admin'))
  end
$$;

create or replace function private.teammate_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select distinct m.user_id from public.space_members m
  where m.space_id in (select own.space_id from public.space_members own where own.user_id = (select auth.uid()))
    and not private.caller_is_anonymous()
$$;
