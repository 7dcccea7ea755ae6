-- Deleting a user (auth.users) must not delete what a team shares: rows the user created in a space are
-- handed over to another member of that space (an owner first, then an admin, then a member) before the
-- ON DELETE CASCADE of user_id removes the user's personal rows. That includes spaces the user has left:
-- leaving a space does not take one's rows along. Triggers on auth.users are allowed on hosted Supabase;
-- the function lives in `private`.

create function private.hand_over_space_rows() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  tables constant text[] := array['companies', 'customers', 'lead_stages', 'lead_sources', 'lead_forms', 'leads',
                                  'lead_scoring_rules', 'lead_workflows', 'lead_campaigns', 'lead_integrations',
                                  'lead_custom_fields'];
  spaces uuid[];
  owned uuid[];
  sid uuid;
  heir uuid;
  t text;
begin
  -- the spaces the user belongs to, and those where they still own rows
  spaces := array(select sm.space_id from public.space_members sm where sm.user_id = old.id);
  foreach t in array tables loop
    execute format('select array(select distinct r.space_id from public.%I r '
                   'where r.user_id = $1 and r.space_id is not null)', t)
      into owned using old.id;
    spaces := spaces || owned;
  end loop;
  for sid in select distinct s from unnest(spaces) as s loop
    select h.user_id into heir
      from public.space_members h
     where h.space_id = sid and h.user_id <> old.id and h.role <> 'viewer'
     order by case h.role when 'owner' then 0 when 'admin' then 1 else 2 end, h.created_at, h.user_id
     limit 1;
    if heir is null then
      continue;
    end if;
    foreach t in array tables loop
      execute format('update public.%I set user_id = $1 where user_id = $2 and space_id = $3', t)
        using heir, old.id, sid;
    end loop;
    -- the heir becomes an owner if the space is about to lose its last one
    if not exists (select 1 from public.space_members o
                   where o.space_id = sid and o.role = 'owner' and o.user_id <> old.id) then
      update public.space_members set role = 'owner' where space_id = sid and user_id = heir;
    end if;
  end loop;
  return old;
end
$$;
comment on function private.hand_over_space_rows() is
  'BEFORE DELETE on auth.users: hands the user''s rows in each space to another member of that space.';
revoke all on function private.hand_over_space_rows() from public;

create trigger leadgen_hand_over_space_rows before delete on auth.users
  for each row execute function private.hand_over_space_rows();
