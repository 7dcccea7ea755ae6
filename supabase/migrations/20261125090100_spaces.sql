-- Spaces (client workspaces), their members, and the security-definer helpers every policy uses.

create table public.spaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.spaces is 'Client workspaces. Rows with a space_id are shared with the space''s members.';
comment on column public.spaces.id is 'Primary key.';
comment on column public.spaces.name is 'Display name of the workspace.';
comment on column public.spaces.created_by is 'User who created the space; becomes its first owner. Null once that user is deleted.';
comment on column public.spaces.created_at is 'When the row was created.';
comment on column public.spaces.updated_at is 'When the row was last changed (kept by a trigger).';
create index spaces_created_by_idx on public.spaces (created_by);

create table public.space_members (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint space_members_space_user_key unique (space_id, user_id)
);
comment on table public.space_members is
  'Who belongs to a space and with which role: viewer reads; member also writes leads, companies, activities and '
  'campaign associations; admin and owner also manage configuration and delete.';
comment on column public.space_members.id is 'Primary key.';
comment on column public.space_members.space_id is 'The space.';
comment on column public.space_members.user_id is 'The member (auth.users.id).';
comment on column public.space_members.role is 'owner | admin | member | viewer.';
comment on column public.space_members.created_at is 'When the member joined.';
comment on column public.space_members.updated_at is 'When the row was last changed (kept by a trigger).';
-- Policies look members up by user first: the unique key leads with space_id, so index user_id too.
create index space_members_user_id_idx on public.space_members (user_id, space_id, role);

create trigger spaces_set_updated_at before update on public.spaces
  for each row execute function private.set_updated_at();
create trigger space_members_set_updated_at before update on public.space_members
  for each row execute function private.set_updated_at();

-- Membership helpers. SECURITY DEFINER so that they read space_members without its own policies (which
-- use them: no recursion), `search_path = ''` with every name qualified. Used in policies as
-- `space_id = any (array(select private.readable_space_ids()))`, evaluated once per statement.
create function private.readable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m where m.user_id = (select auth.uid())
$$;

create function private.writable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin', 'member')
$$;

create function private.manageable_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin')
$$;

create function private.owned_space_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.space_id from public.space_members m
  where m.user_id = (select auth.uid()) and m.role = 'owner'
$$;

-- Platform administrators: app_metadata is server-controlled in Supabase Auth, so users cannot grant
-- this to themselves. Read access only; expressed in the select policies.
create function private.is_platform_admin() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'leadgen_role') = 'admin', false)
$$;

-- Per-row checks for writes (WITH CHECK clauses and child rows), where a row-dependent answer is needed.
create function private.can_write_scope(p_user uuid, p_space uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select case
    when p_space is null then p_user is not null and p_user = (select auth.uid())
    else exists (
      select 1 from public.space_members m
      where m.space_id = p_space and m.user_id = (select auth.uid()) and m.role in ('owner', 'admin', 'member'))
  end
$$;

create function private.can_manage_scope(p_user uuid, p_space uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select case
    when p_space is null then p_user is not null and p_user = (select auth.uid())
    else exists (
      select 1 from public.space_members m
      where m.space_id = p_space and m.user_id = (select auth.uid()) and m.role in ('owner', 'admin'))
  end
$$;

-- True when p_member may hold things in the scope (the owner of a personal scope, or any member of the
-- space): used for assignees.
create function private.is_in_scope(p_member uuid, p_user uuid, p_space uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select case
    when p_space is null then p_member = p_user
    else exists (select 1 from public.space_members m where m.space_id = p_space and m.user_id = p_member)
  end
$$;

-- True while a space has no member at all: only between the INSERT of a space and its AFTER INSERT trigger.
create function private.space_has_no_members(p_space uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select not exists (select 1 from public.space_members m where m.space_id = p_space)
$$;

comment on function private.readable_space_ids() is 'Spaces the caller belongs to (any role).';
comment on function private.writable_space_ids() is 'Spaces where the caller is owner, admin or member.';
comment on function private.manageable_space_ids() is 'Spaces where the caller is owner or admin.';
comment on function private.owned_space_ids() is 'Spaces the caller owns.';
comment on function private.is_platform_admin() is 'True for JWTs with app_metadata.leadgen_role = admin.';
comment on function private.can_write_scope(uuid, uuid) is 'Caller may write data rows of this scope.';
comment on function private.can_manage_scope(uuid, uuid) is 'Caller may manage configuration and delete in this scope.';
comment on function private.is_in_scope(uuid, uuid, uuid) is 'The user belongs to the scope (owner or space member).';
comment on function private.space_has_no_members(uuid) is 'The space has no member yet (it is being created).';

revoke all on function private.readable_space_ids() from public;
revoke all on function private.writable_space_ids() from public;
revoke all on function private.manageable_space_ids() from public;
revoke all on function private.owned_space_ids() from public;
revoke all on function private.can_write_scope(uuid, uuid) from public;
revoke all on function private.can_manage_scope(uuid, uuid) from public;
revoke all on function private.is_in_scope(uuid, uuid, uuid) from public;
revoke all on function private.space_has_no_members(uuid) from public;
grant execute on function private.readable_space_ids() to authenticated;
grant execute on function private.writable_space_ids() to authenticated;
grant execute on function private.manageable_space_ids() to authenticated;
grant execute on function private.owned_space_ids() to authenticated;
grant execute on function private.can_write_scope(uuid, uuid) to authenticated;
grant execute on function private.can_manage_scope(uuid, uuid) to authenticated;
grant execute on function private.is_in_scope(uuid, uuid, uuid) to authenticated;
grant execute on function private.space_has_no_members(uuid) to authenticated;

-- The creator of a space becomes its owner.
create function private.add_space_creator_as_owner() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into public.space_members (space_id, user_id, role)
    values (new.id, new.created_by, 'owner')
    on conflict (space_id, user_id) do nothing;
  end if;
  return null;
end
$$;
create trigger spaces_add_creator_as_owner after insert on public.spaces
  for each row execute function private.add_space_creator_as_owner();

-- A space always keeps an owner: the last one can neither leave nor be demoted (deleting the space, or the
-- user, removes the membership as it should).
create function private.keep_last_owner() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if old.role = 'owner'
     and (tg_op = 'DELETE' or new.role <> 'owner' or new.space_id <> old.space_id)
     and exists (select 1 from public.spaces s where s.id = old.space_id)
     and exists (select 1 from auth.users u where u.id = old.user_id)
     and not exists (
       select 1 from public.space_members m
       where m.space_id = old.space_id and m.role = 'owner' and m.id <> old.id)
  then
    raise exception 'a space must keep at least one owner'
      using errcode = '23514', constraint = 'space_members_last_owner';
  end if;
  return coalesce(new, old);
end
$$;
create trigger space_members_keep_last_owner before update or delete on public.space_members
  for each row execute function private.keep_last_owner();

alter table public.spaces enable row level security;
alter table public.space_members enable row level security;

revoke all on table public.spaces, public.space_members from anon, authenticated;
grant select, insert, delete on table public.spaces to authenticated;
grant update (name) on table public.spaces to authenticated;
grant select, insert, delete on table public.space_members to authenticated;
grant update (role) on table public.space_members to authenticated;
grant all on table public.spaces, public.space_members to service_role;

create policy spaces_select on public.spaces for select to authenticated using (
  id = any (array(select private.readable_space_ids()))
  -- the creator sees the row it just inserted (RETURNING runs before the owner membership exists), and only
  -- then: a creator who left or was removed is a non-member like any other
  or (created_by = (select auth.uid()) and private.space_has_no_members(id))
  or (select private.is_platform_admin())
);
create policy spaces_insert on public.spaces for insert to authenticated
  with check (created_by = (select auth.uid()));
create policy spaces_update on public.spaces for update to authenticated
  using (id = any (array(select private.manageable_space_ids())))
  with check (id = any (array(select private.manageable_space_ids())));
create policy spaces_delete on public.spaces for delete to authenticated
  using (id = any (array(select private.owned_space_ids())));

create policy space_members_select on public.space_members for select to authenticated using (
  space_id = any (array(select private.readable_space_ids()))
  or (select private.is_platform_admin())
);
-- Owners manage every membership; admins manage members and viewers only (no self-promotion to owner).
create policy space_members_insert on public.space_members for insert to authenticated with check (
  space_id = any (array(select private.owned_space_ids()))
  or (space_id = any (array(select private.manageable_space_ids())) and role in ('member', 'viewer'))
);
create policy space_members_update on public.space_members for update to authenticated
  using (
    space_id = any (array(select private.owned_space_ids()))
    or (space_id = any (array(select private.manageable_space_ids())) and role in ('member', 'viewer')))
  with check (
    space_id = any (array(select private.owned_space_ids()))
    or (space_id = any (array(select private.manageable_space_ids())) and role in ('member', 'viewer')));
-- ... and anyone may leave a space.
create policy space_members_delete on public.space_members for delete to authenticated using (
  space_id = any (array(select private.owned_space_ids()))
  or (space_id = any (array(select private.manageable_space_ids())) and role in ('member', 'viewer'))
  or user_id = (select auth.uid())
);
