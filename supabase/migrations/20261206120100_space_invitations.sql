-- Invitations: membership of a space needs the invitee's consent.
--
-- Until now an owner or admin inserted anyone's membership (GraphQL addSpaceMember, or Supabase's REST API), with
-- any role and without asking, and learnt whether a user id existed from the error. Now:
-- * API roles cannot insert into space_members at all (no grant, no policy). Memberships are made only inside the
--   database: the creator of a space becomes its owner (trigger spaces_add_creator_as_owner), and an invitee
--   becomes a member by accepting (leadgen.accept_invitation). Owners and admins still change roles and remove
--   members (the update and delete policies are unchanged); Studio (postgres) may still insert.
-- * public.space_invitations holds invitations by email address. An owner invites with any role, an admin
--   members and viewers (as they managed memberships before). Inviting never looks at auth.users: the answer is
--   the same whether or not the address has an account. Nothing about the invitee is shown before acceptance.
-- * Only the space's owners and admins, and the invitee (the `email` claim of the verified access token,
--   case-insensitive) see an invitation; API roles only read it (all writes go through the functions below) and
--   never its token_hash.
-- * The email is queued in the inviting transaction (private.invitation_emails, like the integration push) and
--   sent by `leadgen worker`, which derives the link's token from LEADGEN_SECRET_KEY and the invitation id and
--   stores only its SHA-256 here (domain/invitation_emails.py). Accepting by token or by id (from the invitee's
--   list) both need the invitee's email address in the token.
-- * An invitation expires 7 days after it is made and can be revoked; an expired, revoked, declined or accepted
--   invitation cannot be accepted, nor one whose inviter may no longer grant its role.

-- ---------------------------------------------------------------------------------------------------------
-- Memberships: no direct inserts by API roles
-- ---------------------------------------------------------------------------------------------------------

drop policy space_members_insert on public.space_members;
revoke insert on table public.space_members from authenticated;

-- ---------------------------------------------------------------------------------------------------------
-- Invitations
-- ---------------------------------------------------------------------------------------------------------

create table public.space_invitations (
  id uuid primary key default gen_random_uuid(),
  space_id uuid not null references public.spaces (id) on delete cascade,
  email text not null,
  role text not null default 'member',
  status text not null default 'pending',
  token_hash bytea,
  space_name text not null default '',
  invited_by uuid default auth.uid() references auth.users (id) on delete set null,
  inviter_name text,
  expires_at timestamptz not null default now() + interval '7 days',
  responded_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  email_sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint space_invitations_email_check
    check (email = lower(btrim(email)) and length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  constraint space_invitations_role_check check (role in ('owner', 'admin', 'member', 'viewer')),
  constraint space_invitations_status_check
    check (status in ('pending', 'accepted', 'declined', 'revoked', 'expired')),
  constraint space_invitations_token_hash_check check (token_hash is null or octet_length(token_hash) = 32)
);
comment on table public.space_invitations is
  'Invitations to join a space by email address; the membership exists only once the invitee accepts.';
comment on column public.space_invitations.id is 'Primary key.';
comment on column public.space_invitations.space_id is 'The space the invitee is asked to join.';
comment on column public.space_invitations.email is 'The invitee''s email address (lower case); they accept while signed in with it.';
comment on column public.space_invitations.role is 'The role the invitee gets: owner | admin | member | viewer.';
comment on column public.space_invitations.status is
  'pending | accepted | declined | revoked | expired (a pending one past expires_at is expired too).';
comment on column public.space_invitations.token_hash is
  'SHA-256 of the token in the emailed link (set when the email is sent); never readable by API roles.';
comment on column public.space_invitations.space_name is 'The space''s name when invited (the invitee cannot read the space).';
comment on column public.space_invitations.invited_by is 'Who invited; their right to grant the role is checked again on acceptance.';
comment on column public.space_invitations.inviter_name is 'The inviter''s name (or email) when invited, shown to the invitee.';
comment on column public.space_invitations.expires_at is 'After this the invitation cannot be accepted.';
comment on column public.space_invitations.responded_at is 'When it was accepted, declined or revoked.';
comment on column public.space_invitations.accepted_by is 'The user who accepted.';
comment on column public.space_invitations.email_sent_at is 'When the invitation email was sent (the worker''s clock).';
comment on column public.space_invitations.created_at is 'When the row was created.';
comment on column public.space_invitations.updated_at is 'When the row was last changed (kept by a trigger).';

create unique index space_invitations_token_hash_key on public.space_invitations (token_hash)
  where token_hash is not null;
comment on index public.space_invitations_token_hash_key is 'Accepting by token.';
create unique index space_invitations_one_pending_key on public.space_invitations (space_id, email)
  where status = 'pending';
comment on index public.space_invitations_one_pending_key is 'One pending invitation per space and address.';
create index space_invitations_space_idx on public.space_invitations (space_id, created_at);
comment on index public.space_invitations_space_idx is 'A space''s invitations, newest first.';
create index space_invitations_email_idx on public.space_invitations (email);
comment on index public.space_invitations_email_idx is 'The invitee''s invitations (select policy).';
create index space_invitations_invited_by_idx on public.space_invitations (invited_by, created_at);
comment on index public.space_invitations_invited_by_idx is 'The per-inviter limit; the cascade from auth.users.';
create index space_invitations_accepted_by_idx on public.space_invitations (accepted_by);
comment on index public.space_invitations_accepted_by_idx is 'The cascade from auth.users.';

create trigger space_invitations_set_updated_at before update on public.space_invitations
  for each row execute function private.set_updated_at();

-- Whoever inserts (the functions below, or Studio): the address in lower case, and the names the invitee sees.
create function private.prepare_space_invitation() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  new.email := lower(btrim(new.email));
  new.space_name := coalesce((select s.name from public.spaces s where s.id = new.space_id), '');
  if new.inviter_name is null and new.invited_by is not null then
    new.inviter_name := (select coalesce(nullif(p.full_name, ''), p.email) from public.profiles p
                         where p.id = new.invited_by);
  end if;
  return new;
end
$$;
comment on function private.prepare_space_invitation() is
  'BEFORE INSERT on space_invitations: lower-cases the address, records the space''s and the inviter''s names.';
revoke all on function private.prepare_space_invitation() from public;
create trigger space_invitations_prepare before insert on public.space_invitations
  for each row execute function private.prepare_space_invitation();

alter table public.space_invitations enable row level security;
revoke all on table public.space_invitations from anon, authenticated;
grant select (id, space_id, email, role, status, space_name, invited_by, inviter_name, expires_at, responded_at,
              accepted_by, email_sent_at, created_at, updated_at)
  on table public.space_invitations to authenticated;
grant all on table public.space_invitations to service_role;

create policy space_invitations_select on public.space_invitations for select to authenticated using (
  space_id = any (array(select private.manageable_space_ids()))
  or email = lower((select auth.jwt()) ->> 'email')
);
comment on policy space_invitations_select on public.space_invitations is
  'The space''s owners and admins, and the invitee (the email claim of the access token), see an invitation.';
select private.refuse_anonymous_sign_ins('public.space_invitations');

-- ---------------------------------------------------------------------------------------------------------
-- The email queue (sent by `leadgen worker`: domain/invitation_emails.py)
-- ---------------------------------------------------------------------------------------------------------

create table private.invitation_emails (
  id bigint generated always as identity primary key,
  invitation_id uuid not null references public.space_invitations (id) on delete cascade,
  state text not null default 'pending' check (state in ('pending', 'done', 'failed', 'cancelled')),
  run_at timestamptz not null default '-infinity',
  attempts integer not null default 0 check (attempts >= 0),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table private.invitation_emails is
  'Invitation emails to send: queued in the inviting transaction, claimed by workers with FOR UPDATE SKIP LOCKED '
  'under a lease, retried with back-off.';
comment on column private.invitation_emails.id is 'Primary key.';
comment on column private.invitation_emails.invitation_id is 'The invitation to send.';
comment on column private.invitation_emails.state is 'pending | done | failed | cancelled (no longer pending).';
comment on column private.invitation_emails.run_at is 'Due from (the worker''s clock; -infinity: now), later a retry''s back-off.';
comment on column private.invitation_emails.attempts is 'How many times a worker claimed it.';
comment on column private.invitation_emails.locked_by is 'The worker holding the lease.';
comment on column private.invitation_emails.locked_until is 'When the lease runs out (the worker''s clock).';
comment on column private.invitation_emails.last_error is 'The last attempt''s error.';
comment on column private.invitation_emails.created_at is 'When it was queued (database time).';
comment on column private.invitation_emails.finished_at is 'When it settled (the worker''s clock).';
create index invitation_emails_due_idx on private.invitation_emails (run_at, id) where state = 'pending';
comment on index private.invitation_emails_due_idx is 'The claim: pending emails, earliest first.';
create index invitation_emails_invitation_idx on private.invitation_emails (invitation_id);
comment on index private.invitation_emails_invitation_idx is 'The cascade from invitations; cancelling on revoke.';
create index invitation_emails_finished_idx on private.invitation_emails (finished_at) where state <> 'pending';
comment on index private.invitation_emails_finished_idx is 'Purging settled emails.';

alter table private.invitation_emails enable row level security;
revoke all on table private.invitation_emails from public, anon, authenticated, service_role;
grant select, update (state, run_at, attempts, locked_by, locked_until, last_error, finished_at)
  on table private.invitation_emails to leadgen_worker;
create policy invitation_emails_worker_select on private.invitation_emails for select to leadgen_worker
  using (true);
create policy invitation_emails_worker_update on private.invitation_emails for update to leadgen_worker
  using (true) with check (true);
comment on policy invitation_emails_worker_select on private.invitation_emails is 'The worker sees the queue.';
comment on policy invitation_emails_worker_update on private.invitation_emails is 'The worker claims and settles emails.';

create function private.queue_invitation_email() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.status = 'pending' then
    insert into private.invitation_emails (invitation_id) values (new.id);
    perform pg_notify('leadgen_workflows', 'job');
  end if;
  return null;
end
$$;
comment on function private.queue_invitation_email() is
  'AFTER INSERT on space_invitations: queues the invitation email in the same transaction and wakes the worker.';
revoke all on function private.queue_invitation_email() from public;
create trigger space_invitations_queue_email after insert on public.space_invitations
  for each row execute function private.queue_invitation_email();

-- Marks a claimed email as being sent, records the hash of the token its link carries, and returns what the
-- message needs; {"state": "lost"} when the lease is no longer the caller's, {"state": "stopped"} when the
-- invitation is no longer pending (the email is cancelled).
create function private.begin_invitation_email(p_email bigint, p_worker text, p_attempt integer,
                                               p_now timestamptz, p_token_hash bytea) returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  v_queued private.invitation_emails;
  v_invitation public.space_invitations;
begin
  select * into v_queued from private.invitation_emails q where q.id = p_email for update;
  if v_queued.id is null or v_queued.state <> 'pending' or v_queued.locked_by is distinct from p_worker
     or v_queued.attempts <> p_attempt then
    return jsonb_build_object('state', 'lost');
  end if;
  select * into v_invitation from public.space_invitations i where i.id = v_queued.invitation_id for update;
  if v_invitation.status <> 'pending' or v_invitation.expires_at <= now() then
    update private.invitation_emails
       set state = 'cancelled', finished_at = p_now, locked_by = null, locked_until = null,
           last_error = 'the invitation is no longer pending'
     where id = p_email;
    return jsonb_build_object('state', 'stopped');
  end if;
  if v_invitation.token_hash is distinct from p_token_hash then
    update public.space_invitations set token_hash = p_token_hash where id = v_invitation.id;
  end if;
  return jsonb_build_object(
    'state', 'run',
    'email', v_invitation.email,
    'role', v_invitation.role,
    'spaceName', v_invitation.space_name,
    'inviterName', v_invitation.inviter_name,
    'expiresAt', v_invitation.expires_at);
end
$$;
comment on function private.begin_invitation_email(bigint, text, integer, timestamptz, bytea) is
  'The worker starts sending a claimed invitation email: checks the lease, stores the token''s hash, returns the '
  'message''s facts (or cancels the email of an invitation no longer pending).';

-- Settles a claimed email: done (the invitation records when), retry (at p_retry_at) or failed. LG409 when
-- the lease is no longer the caller's.
create function private.end_invitation_email(p_email bigint, p_worker text, p_attempt integer, p_now timestamptz,
                                             p_outcome text, p_error text, p_retry_at timestamptz) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  v_invitation uuid;
begin
  if p_outcome not in ('done', 'retry', 'failed') then
    raise exception 'unknown outcome %', p_outcome using errcode = '22023';
  end if;
  update private.invitation_emails q
     set state = case p_outcome when 'done' then 'done' when 'failed' then 'failed' else 'pending' end,
         finished_at = case when p_outcome = 'retry' then null else p_now end,
         run_at = case when p_outcome = 'retry' then coalesce(p_retry_at, p_now) else q.run_at end,
         last_error = left(p_error, 2000), locked_by = null, locked_until = null
   where q.id = p_email and q.state = 'pending' and q.locked_by = p_worker and q.attempts = p_attempt
  returning q.invitation_id into v_invitation;
  if v_invitation is null then
    raise exception 'the lease on invitation email % is no longer held by %', p_email, p_worker
      using errcode = 'LG409';
  end if;
  if p_outcome = 'done' then
    update public.space_invitations set email_sent_at = p_now where id = v_invitation;
  end if;
end
$$;
comment on function private.end_invitation_email(bigint, text, integer, timestamptz, text, text, timestamptz) is
  'The worker settles a claimed invitation email (done | retry | failed), if it still holds the lease.';

create function private.purge_invitation_emails(p_before timestamptz) returns integer
language sql security definer
set search_path = ''
as $$
  with gone as (
    delete from private.invitation_emails q where q.state <> 'pending' and q.finished_at < p_before returning 1
  )
  select count(*)::integer from gone
$$;
comment on function private.purge_invitation_emails(timestamptz) is 'Deletes settled invitation emails finished before p_before.';

revoke all on function private.begin_invitation_email(bigint, text, integer, timestamptz, bytea) from public;
revoke all on function private.end_invitation_email(bigint, text, integer, timestamptz, text, text, timestamptz)
  from public;
revoke all on function private.purge_invitation_emails(timestamptz) from public;
grant execute on function private.begin_invitation_email(bigint, text, integer, timestamptz, bytea) to leadgen_worker;
grant execute on function private.end_invitation_email(bigint, text, integer, timestamptz, text, text, timestamptz)
  to leadgen_worker;
grant execute on function private.purge_invitation_emails(timestamptz) to leadgen_worker;

-- ---------------------------------------------------------------------------------------------------------
-- What callers do: invite, accept, decline, revoke (security definer; errors: 42501 not allowed, P0002 not
-- found, LG409 not possible in the invitation's state, LG422 bad input with a JSON DETAIL of [{field, message}],
-- LG429 too many, with a JSON DETAIL {retry_after, limit})
-- ---------------------------------------------------------------------------------------------------------

-- How many invitations one user may make in an hour (a brake on using invitations to send mail).
create function private.invitations_per_hour() returns integer
language sql immutable
set search_path = ''
as $$ select 50 $$;
comment on function private.invitations_per_hour() is 'How many invitations one user may make in a rolling hour.';
revoke all on function private.invitations_per_hour() from public;

-- May the caller grant this role in this space? Owners any role, admins members and viewers.
create function private.may_invite(p_user uuid, p_space uuid, p_role text) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.space_members m
    where m.space_id = p_space and m.user_id = p_user
      and (m.role = 'owner' or (m.role = 'admin' and p_role in ('member', 'viewer'))))
$$;
comment on function private.may_invite(uuid, uuid, text) is
  'Whether the user may give this role in the space: owners any, admins member and viewer.';
revoke all on function private.may_invite(uuid, uuid, text) from public;

-- The signed-in, non-anonymous caller's email address (lower case), or 42501.
create function private.invitee_email() returns text
language plpgsql stable
set search_path = ''
as $$
declare
  v_email text := lower(nullif(btrim((select auth.jwt()) ->> 'email'), ''));
begin
  if (select auth.uid()) is null or private.caller_is_anonymous() or v_email is null then
    raise exception 'sign in with the email address the invitation was sent to' using errcode = '42501';
  end if;
  return v_email;
end
$$;
comment on function private.invitee_email() is 'The caller''s email claim in lower case; 42501 for anonymous callers.';
revoke all on function private.invitee_email() from public;

-- The caller's invitation by id or by token (both, when both are given), locked; P0002 when there is none for
-- the caller's address: someone else's invitation or token is as unknown as a made-up one.
create function private.invitation_of_caller(p_invitation uuid, p_token text) returns public.space_invitations
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_email text := private.invitee_email();
  v_invitation public.space_invitations;
begin
  if p_invitation is null and nullif(p_token, '') is null then
    raise exception 'give the invitation''s id or its token' using errcode = 'LG422',
      detail = '[{"field": "id", "message": "give the invitation''s id or the token of its link"}]';
  end if;
  select * into v_invitation from public.space_invitations i
   where (p_invitation is null or i.id = p_invitation)
     and (nullif(p_token, '') is null or i.token_hash = sha256(convert_to(p_token, 'UTF8')))
     and i.email = v_email
   for update;
  if v_invitation.id is null then
    raise exception 'invitation not found' using errcode = 'P0002';
  end if;
  return v_invitation;
end
$$;
comment on function private.invitation_of_caller(uuid, text) is
  'The caller''s invitation by id and/or token, locked; P0002 unless it is addressed to the caller''s email.';
revoke all on function private.invitation_of_caller(uuid, text) from public;

-- LG409 unless the invitation can still be answered.
create function private.check_invitation_open(p_invitation public.space_invitations) returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if p_invitation.status = 'pending' and p_invitation.expires_at <= now() then
    raise exception 'the invitation has expired; ask for a new one' using errcode = 'LG409';
  elsif p_invitation.status <> 'pending' then
    raise exception 'the invitation is % already', p_invitation.status using errcode = 'LG409';
  end if;
end
$$;
comment on function private.check_invitation_open(public.space_invitations) is
  'Raises LG409 for an invitation that is expired, accepted, declined or revoked.';
revoke all on function private.check_invitation_open(public.space_invitations) from public;

create function leadgen.invite_to_space(p_space uuid, p_email text, p_role text default 'member') returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_caller uuid := (select auth.uid());
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_role text := coalesce(p_role, 'member');
  v_problems jsonb := '[]';
  v_recent integer;
  v_oldest timestamptz;
  v_limit integer := private.invitations_per_hour();
  v_id uuid;
begin
  if v_caller is null or private.caller_is_anonymous() then
    raise exception 'sign in to invite people' using errcode = '42501';
  end if;
  if not exists (select 1 from public.space_members m where m.space_id = p_space and m.user_id = v_caller) then
    raise exception 'space not found' using errcode = 'P0002';
  end if;
  if length(v_email) > 320 or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    v_problems := v_problems || jsonb_build_object('field', 'email', 'message', 'must be one email address');
  end if;
  if v_role not in ('owner', 'admin', 'member', 'viewer') then
    v_problems := v_problems || jsonb_build_object('field', 'role', 'message', 'owner, admin, member or viewer');
  end if;
  if jsonb_array_length(v_problems) > 0 then
    raise exception 'invalid invitation' using errcode = 'LG422', detail = v_problems::text;
  end if;
  if not private.may_invite(v_caller, p_space, v_role) then
    raise exception 'only owners invite owners and admins; admins invite members and viewers; others invite nobody'
      using errcode = '42501';
  end if;
  -- what the space's managers already see in its member list: no news about anyone else
  if exists (select 1 from public.space_members m join public.profiles p on p.id = m.user_id
             where m.space_id = p_space and lower(p.email) = v_email) then
    raise exception 'already a member of this space' using errcode = 'LG409';
  end if;
  -- one user's invitations take turns, so that concurrent ones count each other
  perform pg_advisory_xact_lock(hashtextextended('leadgen.invite_to_space:' || v_caller::text, 0));
  select count(*), min(i.created_at) into v_recent, v_oldest from public.space_invitations i
   where i.invited_by = v_caller and i.created_at > now() - interval '1 hour';
  if v_recent >= v_limit then
    raise exception 'too many invitations in the last hour' using errcode = 'LG429',
      detail = jsonb_build_object(
        'retry_after', greatest(1, ceil(extract(epoch from v_oldest + interval '1 hour' - now())))::integer,
        'limit', v_limit)::text;
  end if;
  update public.space_invitations i set status = 'expired'
   where i.space_id = p_space and i.email = v_email and i.status = 'pending' and i.expires_at <= now();
  if exists (select 1 from public.space_invitations i
             where i.space_id = p_space and i.email = v_email and i.status = 'pending') then
    raise exception 'this address has a pending invitation to the space already' using errcode = 'LG409';
  end if;
  insert into public.space_invitations (space_id, email, role, invited_by)
  values (p_space, v_email, v_role, v_caller)
  returning id into v_id;
  return v_id;
end
$$;
comment on function leadgen.invite_to_space(uuid, text, text) is
  'Invites an email address to a space with a role (owners: any; admins: member, viewer) and queues the email. '
  'Never looks at auth.users: the answer is the same whether or not the address has an account.';

create function leadgen.accept_invitation(p_invitation uuid, p_token text default null) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_invitation public.space_invitations := private.invitation_of_caller(p_invitation, p_token);
  v_caller uuid := (select auth.uid());
  v_member uuid;
begin
  perform private.check_invitation_open(v_invitation);
  if v_invitation.invited_by is null
     or not private.may_invite(v_invitation.invited_by, v_invitation.space_id, v_invitation.role) then
    raise exception 'the invitation is no longer valid: whoever sent it may no longer give this role'
      using errcode = 'LG409';
  end if;
  select m.id into v_member from public.space_members m
   where m.space_id = v_invitation.space_id and m.user_id = v_caller;
  if v_member is null then  -- a member already keeps their role
    insert into public.space_members (space_id, user_id, role)
    values (v_invitation.space_id, v_caller, v_invitation.role)
    returning id into v_member;
  end if;
  update public.space_invitations
     set status = 'accepted', responded_at = now(), accepted_by = v_caller
   where id = v_invitation.id;
  return v_member;
end
$$;
comment on function leadgen.accept_invitation(uuid, text) is
  'The invitee (signed in with the invited address) accepts by id or by the token of the emailed link, and '
  'becomes a member with the invitation''s role; returns the membership''s id.';

create function leadgen.decline_invitation(p_invitation uuid, p_token text default null) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_invitation public.space_invitations := private.invitation_of_caller(p_invitation, p_token);
begin
  perform private.check_invitation_open(v_invitation);
  update public.space_invitations set status = 'declined', responded_at = now() where id = v_invitation.id;
  return v_invitation.id;
end
$$;
comment on function leadgen.decline_invitation(uuid, text) is 'The invitee declines by id or by token.';

create function leadgen.revoke_invitation(p_invitation uuid) returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  v_caller uuid := (select auth.uid());
  v_invitation public.space_invitations;
begin
  if v_caller is null or private.caller_is_anonymous() then
    raise exception 'sign in to revoke invitations' using errcode = '42501';
  end if;
  select * into v_invitation from public.space_invitations i where i.id = p_invitation for update;
  if v_invitation.id is null or not exists (
       select 1 from public.space_members m
       where m.space_id = v_invitation.space_id and m.user_id = v_caller and m.role in ('owner', 'admin')) then
    raise exception 'invitation not found' using errcode = 'P0002';
  end if;
  if not private.may_invite(v_caller, v_invitation.space_id, v_invitation.role) then
    raise exception 'admins revoke invitations of members and viewers only' using errcode = '42501';
  end if;
  if v_invitation.status <> 'pending' then
    raise exception 'the invitation is % already', v_invitation.status using errcode = 'LG409';
  end if;
  update public.space_invitations set status = 'revoked', responded_at = now() where id = v_invitation.id;
  update private.invitation_emails q
     set state = 'cancelled', finished_at = now(), last_error = 'the invitation was revoked'
   where q.invitation_id = v_invitation.id and q.state = 'pending' and q.locked_by is null;
  return v_invitation.id;
end
$$;
comment on function leadgen.revoke_invitation(uuid) is
  'An owner (any invitation) or admin (of members and viewers) of the space revokes a pending invitation.';

revoke all on function leadgen.invite_to_space(uuid, text, text) from public;
revoke all on function leadgen.accept_invitation(uuid, text) from public;
revoke all on function leadgen.decline_invitation(uuid, text) from public;
revoke all on function leadgen.revoke_invitation(uuid) from public;
grant execute on function leadgen.invite_to_space(uuid, text, text) to authenticated;
grant execute on function leadgen.accept_invitation(uuid, text) to authenticated;
grant execute on function leadgen.decline_invitation(uuid, text) to authenticated;
grant execute on function leadgen.revoke_invitation(uuid) to authenticated;
