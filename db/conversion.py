"""SQL of converting a lead into a customer ($1 is always the lead's id).

customers.lead_id is unique: a lead becomes at most one customer, however many conversions race.
"""

from __future__ import annotations

from db.catalog import table
from db.sql_builder import columns_sql

_CUSTOMER = columns_sql(table("customers"), "c")

# The lead as the caller sees it (no row: not visible), and the customer it became if any (c.* null if none).
LEAD_AND_CUSTOMER = f"""
select l.customer_id as _lead_customer_id, l.converted_to_customer as _lead_converted, {_CUSTOMER}
from public.leads l left join public.customers c on c.lead_id = l.id
where l.id = $1::uuid
"""

# A customer made from the lead and its company, in the lead's scope, owned by the caller; no row when the lead
# has a customer already (ON CONFLICT on customers.lead_id: a concurrent conversion waits for the first one, then
# skips). Name: the lead's names, else its email, else its company's name.
CREATE_CUSTOMER = f"""
insert into public.customers as c (user_id, space_id, lead_id, company_id, name, email, phone, customer_data)
select (select auth.uid()), l.space_id, l.id, l.company_id,
       left(coalesce(nullif(btrim(concat_ws(' ', btrim(l.first_name), btrim(l.last_name))), ''), l.email,
                     co.name, 'Lead ' || left(l.id::text, 8)), 300),
       l.email, l.phone,
       jsonb_strip_nulls(jsonb_build_object('job_title', l.job_title, 'score_at_conversion', l.score))
from public.leads l left join public.companies co on co.id = l.company_id
where l.id = $1::uuid
on conflict (lead_id) do nothing
returning {_CUSTOMER}
"""

# The customer of the lead (after a conflicting conversion committed).
CUSTOMER_OF_LEAD = f"select {_CUSTOMER} from public.customers c where c.lead_id = $1::uuid"

# Mark the lead converted to customer $2, unless it is so already; the database logs the `converted` activity
# (trigger leads_log_conversion: API roles may not write system activity types). `linked` is 0 when the lead
# already pointed at the customer (`already`) or when RLS refused the update. `current` locks the lead first (only
# when RLS lets the caller update it) and reads it as it is once no other transaction holds it: a concurrent
# conversion that linked it meanwhile makes this one `already`, not a refusal judged from an older snapshot.
LINK_LEAD = """
with current as (
  select l.id, l.customer_id, l.converted_to_customer from public.leads l where l.id = $1::uuid for no key update
),
linked as (
  update public.leads l set converted_to_customer = true, customer_id = $2::uuid, status = 'converted'
  from current c
  where l.id = c.id and (c.customer_id is distinct from $2::uuid or not c.converted_to_customer)
  returning l.id
)
select (select count(*) from linked) as linked,
       coalesce((select c.customer_id = $2::uuid and c.converted_to_customer from current c),
                exists (select 1 from public.leads l
                        where l.id = $1::uuid and l.customer_id = $2::uuid and l.converted_to_customer)) as already
"""
