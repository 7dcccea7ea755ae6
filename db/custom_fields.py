"""SQL that checks leads.custom_fields against the custom field definitions of the lead's scope.

Every statement returns (field_name, problem) rows from leadgen.custom_field_problems, strictly (unknown keys and
required fields without a value included), under the caller's RLS.
"""

from __future__ import annotations

from typing import Any

from db.catalog import table
from db.filter_sql import FilterNode, filter_sql
from db.sql import Sql, value

# A new lead's values ($1) in the scope it is created in: the space $2, or the caller's personal scope.
# A new lead given no custom values: only required fields can fail. The same answer as PROBLEMS_OF_NEW_LEAD with
# an empty object, by a plain query Postgres plans once (the function is planned on every call: ~0.35 ms).
REQUIRED_OF_NEW_LEAD = """
select d.field_name, 'required' as problem from public.lead_custom_fields d
where d.is_required
  and (($1::uuid is null and d.space_id is null and d.user_id = (select auth.uid())) or d.space_id = $1::uuid)
order by d.field_name
"""

PROBLEMS_OF_NEW_LEAD = (
    "select p.field_name, p.problem"
    " from leadgen.custom_field_problems($1::jsonb, (select auth.uid()), $2::uuid, true) p"
)

# New values ($2) of lead $1, in its scope after the update: the space $4 when $3 (the update moves the lead),
# else the lead's own. Only the values the update changes are judged (all of them when the lead changes scope),
# so that extra keys a lead carries already (the unmapped answers of a form) do not block rewriting the object;
# required fields are judged on the whole object. No row when the lead is not visible (the update reports it).
PROBLEMS_OF_LEAD = """
with lead as (
  select l.user_id, case when $3::boolean then $4::uuid else l.space_id end as space_id,
         case when $3::boolean and $4::uuid is distinct from l.space_id then null else l.custom_fields end as old_values
  from public.leads l where l.id = $1::uuid
)
select p.field_name, p.problem
from lead l
cross join lateral leadgen.custom_field_problems(
  leadgen.changed_custom_values($2::jsonb, l.old_values), l.user_id, l.space_id, true) p
where p.problem <> 'required'
union all
select p.field_name, p.problem
from lead l cross join lateral leadgen.custom_field_problems($2::jsonb, l.user_id, l.space_id, true) p
where p.problem = 'required'
order by 1, 2
"""


def problems_of_matching_sql(node: FilterNode | None, values: Any, moves: bool, space_id: Any, at_most: int) -> Sql:
    """New custom field `values` of the leads a filter matches, checked once per scope they will be in (`space_id`
    when the update `moves` them), looking at no more than `at_most` leads."""
    space = value(space_id, "uuid")
    return Sql(
        "select distinct p.field_name, p.problem from ("
        "select distinct case when x.space_id is null then x.user_id end as user_id, x.space_id from ("
        "select t.user_id, case when ",
        value(moves, "boolean"),
        " then ",
        space,
        " else t.space_id end as space_id from public.leads t where ",
        filter_sql(table("leads"), node, "t"),
        " limit ",
        value(at_most, "integer"),
        ") x) s cross join lateral leadgen.custom_field_problems(",
        value(values, "jsonb"),
        ", s.user_id, s.space_id, true) p order by 1, 2",
    )
