"""SQL of the form builder and of public submissions ($n parameters; run as the caller).

The builder's statements run under the caller's RLS like every write. A submission calls the two functions
anon may call (supabase/migrations/20261125150000_form_submissions.sql, 20261206110000_submission_safety.sql),
and asks Postgres to match the fields' patterns, which needs no privilege at all. A form's editors read its
submissions through leadgen.form_submissions, which decides who may.
"""

from __future__ import annotations

from db.catalog import table
from db.sql_builder import columns_sql

_FORM = columns_sql(table("lead_forms"), "t")
_FIELD = columns_sql(table("lead_form_fields"), "t")

# $1 the form
PUBLISH_FORM = (
    "update public.lead_forms as t set is_published = true, published_at = now()"
    f" where t.id = $1::uuid returning {_FORM}"
)
# published_at stays: it says when the form was last published
UNPUBLISH_FORM = f"update public.lead_forms as t set is_published = false where t.id = $1::uuid returning {_FORM}"
FORM_FIELDS = (
    f"select {_FIELD} from public.lead_form_fields t where t.form_id = $1::uuid order by t.field_order, t.field_name"
)

# $1 the form, $2 its field ids in the new order: positions 0..n-1, in one statement, and only when the list
# holds as many ids as the form has fields (the caller checked that they are the form's own)
REORDER_FIELDS = f"""
update public.lead_form_fields as t set field_order = w.position - 1
from unnest($2::uuid[]) with ordinality as w (id, position)
where t.form_id = $1::uuid and t.id = w.id
  and cardinality($2::uuid[]) = (select count(*) from public.lead_form_fields f where f.form_id = $1::uuid)
returning {_FIELD}
"""

# $1 patterns: why Postgres cannot use each one (null when it can), as the database's own checks say it
REGEX_PROBLEMS = "select p as pattern, leadgen.regex_problem(p) as problem from unnest($1::text[]) as p"

# $1 values, $2 patterns (parallel arrays): the 1-based positions of the values their pattern does not match
FAILED_PATTERNS = """
select coalesce(array_agg(t.i order by t.i), '{}'::bigint[])
from unnest($1::text[], $2::text[]) with ordinality as t (v, p, i)
where not (t.v ~ t.p)
"""

PUBLISHED_FORM = "select leadgen.published_form($1::uuid)"
PUBLISHED_FORM_BY_SLUG = "select leadgen.published_form_by_slug($1::text)"
# $1 form, $2 values, $3 context, $4 idempotency key, $5 client hash, $6 network hash
SUBMIT_FORM = "select leadgen.submit_form($1::uuid, $2::jsonb, $3::jsonb, $4::text, $5::text, $6::text)"

# The submissions of forms the caller manages (leadgen.form_submissions decides which; others give no rows).
# $1 form ids, $2 rows per form, $3/$4 the keyset (created_at, id) to continue after, or nulls
FORM_SUBMISSIONS = (
    "select form_id, id, lead_id, submitted_values, context, lead_created, proposed_changes, created_at"
    " from leadgen.form_submissions($1::uuid[], $2::integer, $3::timestamptz, $4::uuid)"
)
# $1 form ids
FORM_SUBMISSION_COUNTS = "select form_id, total from leadgen.form_submission_counts($1::uuid[])"
