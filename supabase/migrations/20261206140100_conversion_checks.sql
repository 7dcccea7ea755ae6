-- Conversion to a customer holds in the database, whoever writes the lead (convertLead, Studio, REST).
--
-- 1. A converted lead (converted_to_customer) has its customer (customer_id); status `converted` belongs to a
--    converted lead. Both were the API's doing only (convertLead sets all three at once); Studio could set the
--    flag without a customer or the status without the flag. A constraint trigger refuses a write that brings a
--    lead into either state. It judges what a write changes: a lead already in such a state (rows from before
--    this migration) blocks no other edit, and a customer being deleted may leave its lead converted without a
--    customer (customers.lead_id's ON DELETE SET NULL: the conversion happened; convertLead makes a new one).
--    A new lead is judged at COMMIT (a script may insert a converted lead before its customer and link them
--    afterwards, as seed.sql does); a change at the end of its statement (DEFERRABLE: a script may run
--    `set constraints leads_conversion_check deferred` to be judged at COMMIT instead).
-- 2. The `converted` activity is recorded by a trigger when a lead is linked to its customer, as stage changes
--    are (20261125200100): API roles may no longer write system activity types themselves
--    (20261206140300_activity_rules.sql), and Studio conversions are logged too.

create function private.conversion_problem(p_converted boolean, p_customer uuid, p_status text) returns text
language sql immutable
set search_path = ''
as $$
  select case
    when p_converted and p_customer is null then
      'a converted lead needs its customer (customer_id): convert it with convertLead, or set customer_id too'
    when p_status = 'converted' and not p_converted then
      'status converted is for a lead converted to a customer (converted_to_customer): convert it with convertLead'
  end
$$;
comment on function private.conversion_problem(boolean, uuid, text) is
  'What is wrong with a lead''s conversion columns, or null: converted without a customer, or status converted '
  'without being converted.';
revoke all on function private.conversion_problem(boolean, uuid, text) from public;

-- SECURITY DEFINER: whether the old customer still exists must not depend on what the writer may see.
create function private.check_conversion() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  cur record;
  problem text;
begin
  -- the row as it is now (the check may run at COMMIT, after later writes)
  select l.converted_to_customer, l.customer_id, l.status into cur from public.leads l where l.id = new.id;
  if not found then
    return null;
  end if;
  problem := private.conversion_problem(cur.converted_to_customer, cur.customer_id, cur.status);
  if problem is null then
    return null;
  end if;
  if tg_op = 'UPDATE' then
    -- the lead was in that state before this write: not this write's doing
    if private.conversion_problem(old.converted_to_customer, old.customer_id, old.status) = problem then
      return null;
    end if;
    -- its customer was deleted (ON DELETE SET NULL): the lead stays converted
    if cur.converted_to_customer and cur.customer_id is null and old.converted_to_customer
       and old.customer_id is not null
       and not exists (select 1 from public.customers c where c.id = old.customer_id) then
      return null;
    end if;
  end if;
  raise exception 'lead %: %', new.id, problem
    using errcode = '23514', constraint = 'leads_conversion_check', table = 'leads', schema = 'public',
          detail = jsonb_build_array(jsonb_build_object(
            'field', case when problem like 'status%' then 'status' else 'convertedToCustomer' end,
            'message', problem))::text;
end
$$;
comment on function private.check_conversion() is
  'AFTER INSERT/UPDATE constraint trigger on leads: refuses a write that leaves a lead converted without a customer, '
  'or with status converted without being converted (states from before the write, and a deleted customer, pass).';
revoke all on function private.check_conversion() from public;

create constraint trigger leads_conversion_check_insert after insert on public.leads
  deferrable initially deferred
  for each row when (new.converted_to_customer or new.status = 'converted')
  execute function private.check_conversion();
create constraint trigger leads_conversion_check after update of converted_to_customer, customer_id, status
  on public.leads
  deferrable initially immediate
  for each row when ((new.converted_to_customer or new.status = 'converted')
                     and (old.converted_to_customer, old.customer_id, old.status)
                         is distinct from (new.converted_to_customer, new.customer_id, new.status))
  execute function private.check_conversion();
comment on trigger leads_conversion_check_insert on public.leads is
  'A new lead is converted only with its customer, and has status converted only when converted.';
comment on trigger leads_conversion_check on public.leads is
  'A lead becomes converted only with its customer, and gets status converted only when converted.';

-- The converted activity, by the database: when a lead is linked to a customer as converted.
create function private.log_conversion() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  v_customer record;
begin
  select c.id, c.name, c.converted_at into v_customer from public.customers c where c.id = new.customer_id;
  -- one per lead and customer, at the customer's converted_at: a second link to the same customer logs nothing,
  -- and loading the same data twice (seed.sql) gives the same rows
  insert into public.lead_activities (id, lead_id, user_id, activity_type, description, activity_data, created_at)
  values (md5('leadgen-conversion:' || new.id::text || ':' || new.customer_id::text)::uuid, new.id, auth.uid(),
          'converted', format('Converted to customer %s', v_customer.name),
          jsonb_build_object('customer', jsonb_build_object('id', v_customer.id, 'name', v_customer.name)),
          coalesce(v_customer.converted_at, now()))
  on conflict (id) do nothing;
  return null;
end
$$;
comment on function private.log_conversion() is
  'AFTER UPDATE on leads: records a converted activity (activity_data {customer: {id, name}}, at the customer''s '
  'converted_at) when a lead becomes converted, or converted to another customer; once per lead and customer.';
revoke all on function private.log_conversion() from public;

create trigger leads_log_conversion after update of converted_to_customer, customer_id on public.leads
  for each row when (new.converted_to_customer and new.customer_id is not null
                     and (not old.converted_to_customer or old.customer_id is distinct from new.customer_id))
  execute function private.log_conversion();
comment on trigger leads_log_conversion on public.leads is
  'Logs a converted activity whenever a lead is linked to its customer as converted, whoever does it.';
