-- Public profiles of users: what teammates may know of each other (auth.users is never granted to API
-- roles). Kept in step with auth.users by triggers, the pattern of Supabase's "Managing user data" guide.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text,
  full_name text check (full_name is null or length(full_name) <= 200),
  avatar_url text check (avatar_url is null or avatar_url ~* '^https?://'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'Public profile of each user (auth.users), visible to the user, their teammates and platform admins.';
comment on column public.profiles.id is 'The user (auth.users.id).';
comment on column public.profiles.email is 'Email address, copied from auth.users.';
comment on column public.profiles.full_name is 'Display name (user_metadata.full_name at sign-up, editable by the user).';
comment on column public.profiles.avatar_url is 'Avatar image URL.';
comment on column public.profiles.created_at is 'When the row was created.';
comment on column public.profiles.updated_at is 'When the row was last changed (kept by a trigger).';

create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function private.set_updated_at();

create function private.sync_profile() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, email, full_name, avatar_url)
  values (new.id, new.email, nullif(left(new.raw_user_meta_data ->> 'full_name', 200), ''),
          case when new.raw_user_meta_data ->> 'avatar_url' ~* '^https?://' then new.raw_user_meta_data ->> 'avatar_url' end)
  on conflict (id) do update set email = excluded.email;
  return null;
end
$$;
comment on function private.sync_profile() is 'AFTER INSERT/UPDATE OF email on auth.users: creates or updates the profile.';
revoke all on function private.sync_profile() from public;
create trigger leadgen_sync_profile after insert or update of email on auth.users
  for each row execute function private.sync_profile();

insert into public.profiles (id, email, full_name)
select u.id, u.email, nullif(left(u.raw_user_meta_data ->> 'full_name', 200), '') from auth.users u
on conflict (id) do nothing;

-- Users who share a space with the caller.
create function private.teammate_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select distinct m.user_id from public.space_members m
  where m.space_id in (select own.space_id from public.space_members own where own.user_id = (select auth.uid()))
$$;
comment on function private.teammate_ids() is 'Users who share at least one space with the caller.';
revoke all on function private.teammate_ids() from public;
grant execute on function private.teammate_ids() to authenticated;

alter table public.profiles enable row level security;
revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to authenticated;
grant update (full_name, avatar_url) on table public.profiles to authenticated;
grant all on table public.profiles to service_role;

create policy profiles_select on public.profiles for select to authenticated using (
    id = (select auth.uid())
    or id = any (array(select private.teammate_ids()))
    or (select private.is_platform_admin())
);
-- Profiles are created by the trigger only; a user edits their own.
create policy profiles_update on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));
