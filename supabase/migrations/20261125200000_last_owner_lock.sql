-- Two owners demoting (or removing) each other at the same time each saw the other still an owner, so both
-- changes passed the last-owner check and the space was left without one. The check now first locks the
-- space's row, so changes to one space's owners take turns and the second one sees the first.
-- FOR NO KEY UPDATE does not block the key-share locks that foreign key checks take on spaces.
create or replace function private.keep_last_owner() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if old.role = 'owner' and (tg_op = 'DELETE' or new.role <> 'owner' or new.space_id <> old.space_id) then
    perform 1 from public.spaces s where s.id = old.space_id for no key update;
    if found
       and exists (select 1 from auth.users u where u.id = old.user_id)
       and not exists (
         select 1 from public.space_members m
         where m.space_id = old.space_id and m.role = 'owner' and m.id <> old.id)
    then
      raise exception 'a space must keep at least one owner'
        using errcode = '23514', constraint = 'space_members_last_owner';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
comment on function private.keep_last_owner() is
  'Refuses to remove or demote the last owner of a space; serialised per space by a lock on its row.';
