"""SQL of lead scoring: breakdowns and previews, computed by the database's scoring functions under RLS.

The score itself is kept by triggers (migration 20261125140000_lead_scoring); these statements only read. The
breakdown and the preview call the same matching function the triggers use, so they cannot disagree with a
stored score.
"""

from __future__ import annotations

# The active rules each lead matches, with the whole rule row (for ScoringRule) and its points: one statement for
# any number of leads ($1 uuid[]). Leads and rules the caller cannot see are left out by RLS.
SCORE_BREAKDOWN = """
select b.lead_id as _lead_id, b.points as _points, r.*
  from leadgen.score_breakdown($1::uuid[]) b
  join public.lead_scoring_rules r on r.id = b.rule_id
 order by b.lead_id, b.points desc, r.name, r.id
"""

# The score distribution of the caller's visible leads of a scope ($2 space; null: their personal leads) now and
# under the proposed rules ($1, a JSON array of {criteria_type, criteria_field, condition, value, points,
# is_active}). Reads only.
PREVIEW_SCORING = """
select p.lead_count, p.current_average, p.proposed_average, p.current_buckets, p.proposed_buckets, p.changed
  from leadgen.preview_scoring($1::jsonb, $2::uuid) p
"""
