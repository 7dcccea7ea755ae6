"""Every scoring criterion and condition, as a table: a rule, a lead (with its company, source and activities)
and whether the rule matches the lead.

Semantics under test (see migration 20261125140000_lead_scoring): text comparisons ignore case; a missing value
counts as the empty string (so negative conditions match it); greater_than/less_than compare numbers only;
company sizes compare by the lower bound of their bucket; `source` looks at the source's name and type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Facts:
    """A lead to score: its own columns, its company's, its source's, and the types of its activities."""

    lead: Mapping[str, object] = field(default_factory=dict)
    company: Mapping[str, object] | None = None
    source: Mapping[str, object] | None = None
    activities: tuple[str, ...] = ()
    with_form: bool = False  # the lead was captured by a form (form_id set)

    def describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self.lead.items()]
        parts += [f"company.{k}={v!r}" for k, v in (self.company or {}).items()]
        parts += [f"source.{k}={v!r}" for k, v in (self.source or {}).items()]
        if self.activities:
            parts.append("activities=" + "+".join(self.activities))
        if self.with_form:
            parts.append("form")
        return ",".join(parts) or "bare"


@dataclass(frozen=True)
class MatchCase:
    criteria_type: str
    condition: str
    value: str | None
    facts: Facts
    matches: bool
    criteria_field: str | None = None

    @property
    def id(self) -> str:
        target = f"{self.criteria_type}[{self.criteria_field}]" if self.criteria_field else self.criteria_type
        verdict = "matches" if self.matches else "no-match"
        return f"{target}-{self.condition}-{self.value!r}-on-{self.facts.describe()}-{verdict}"


def lead(**values: object) -> Facts:
    return Facts(lead=values)


def company(**values: object) -> Facts:
    return Facts(company=values)


def source(**values: object) -> Facts:
    return Facts(source=values)


def activities(*types: str) -> Facts:
    return Facts(activities=types)


BARE = Facts()
YES, NO = True, False

CASES: list[MatchCase] = [
    # email_domain: the part after '@', lower-cased
    MatchCase("email_domain", "equals", "acme.io", lead(email="Ann@ACME.io"), YES),
    MatchCase("email_domain", "equals", "acme.io", lead(email="ann@eu.acme.io"), NO),
    MatchCase("email_domain", "not_equals", "acme.io", lead(email="ann@other.org"), YES),
    MatchCase("email_domain", "not_equals", "acme.io", lead(email="ann@acme.io"), NO),
    MatchCase("email_domain", "not_equals", "acme.io", BARE, YES),
    MatchCase("email_domain", "contains", "ACME", lead(email="ann@eu.acme.io"), YES),
    MatchCase("email_domain", "not_contains", "acme", lead(email="ann@eu.acme.io"), NO),
    MatchCase("email_domain", "not_contains", "acme", lead(email="ann@initech.com"), YES),
    MatchCase("email_domain", "starts_with", "eu.", lead(email="ann@eu.acme.io"), YES),
    MatchCase("email_domain", "starts_with", "acme", lead(email="ann@eu.acme.io"), NO),
    MatchCase("email_domain", "ends_with", ".EDU", lead(email="kim@mit.edu"), YES),
    MatchCase("email_domain", "ends_with", ".edu", lead(email="kim@edu.org"), NO),
    MatchCase("email_domain", "in", "gmail.com, Acme.io ,x.org", lead(email="ann@acme.io"), YES),
    MatchCase("email_domain", "in", "gmail.com,x.org", lead(email="ann@acme.io"), NO),
    MatchCase("email_domain", "is_empty", None, BARE, YES),
    MatchCase("email_domain", "is_empty", None, lead(email="ann@acme.io"), NO),
    MatchCase("email_domain", "is_not_empty", None, lead(email="ann@acme.io"), YES),
    MatchCase("email_domain", "is_not_empty", None, BARE, NO),
    # free_email: 'true' / 'false'; nothing without an email
    MatchCase("free_email", "equals", "true", lead(email="ann@gmail.com"), YES),
    MatchCase("free_email", "equals", "TRUE", lead(email="ann@Outlook.com"), YES),
    MatchCase("free_email", "equals", "true", lead(email="ann@acme.io"), NO),
    MatchCase("free_email", "equals", "false", lead(email="ann@acme.io"), YES),
    MatchCase("free_email", "equals", "false", lead(email="ann@yahoo.com"), NO),
    MatchCase("free_email", "equals", "true", BARE, NO),
    MatchCase("free_email", "equals", "false", BARE, NO),
    MatchCase("free_email", "not_equals", "true", lead(email="ann@acme.io"), YES),
    MatchCase("free_email", "is_empty", None, BARE, YES),
    # job_title
    MatchCase("job_title", "contains", "director", lead(job_title="Director of IT"), YES),
    MatchCase("job_title", "contains", "director", lead(job_title="Engineer"), NO),
    MatchCase("job_title", "starts_with", "vp", lead(job_title="VP Sales"), YES),
    MatchCase("job_title", "ends_with", "officer", lead(job_title="Chief Marketing Officer"), YES),
    MatchCase("job_title", "in", "CEO,CTO", lead(job_title="cto"), YES),
    MatchCase("job_title", "in", "CEO,CTO", lead(job_title="Chief Technology Officer"), NO),
    MatchCase("job_title", "equals", "", BARE, YES),
    MatchCase("job_title", "not_equals", "CEO", BARE, YES),
    MatchCase("job_title", "is_empty", None, lead(job_title="   "), YES),
    # company_size: numbers by the lower bound of the bucket, text otherwise
    MatchCase("company_size", "greater_than", "200", company(company_size="201-500"), YES),
    MatchCase("company_size", "greater_than", "200", company(company_size="51-200"), NO),
    MatchCase("company_size", "greater_than", "1000", company(company_size="5001+"), YES),
    MatchCase("company_size", "less_than", "51", company(company_size="11-50"), YES),
    MatchCase("company_size", "less_than", "51", company(company_size="51-200"), NO),
    MatchCase("company_size", "greater_than", "51-200", company(company_size="201-500"), YES),
    MatchCase("company_size", "greater_than", "51-200", company(company_size="51-200"), NO),
    MatchCase("company_size", "greater_than", "big", company(company_size="5001+"), NO),
    MatchCase("company_size", "equals", "51-200", company(company_size="51-200"), YES),
    MatchCase("company_size", "equals", "51", company(company_size="51-200"), NO),
    MatchCase("company_size", "in", "1-10, 11-50", company(company_size="11-50"), YES),
    MatchCase("company_size", "starts_with", "1", company(company_size="1001-5000"), YES),
    MatchCase("company_size", "greater_than", "0", BARE, NO),
    MatchCase("company_size", "is_empty", None, BARE, YES),
    MatchCase("company_size", "is_empty", None, company(industry="Retail"), YES),
    # industry
    MatchCase("industry", "equals", "software", company(industry="Software"), YES),
    MatchCase("industry", "not_equals", "Software", company(industry="Retail"), YES),
    MatchCase("industry", "not_equals", "Software", BARE, YES),
    MatchCase("industry", "contains", "tech", company(industry="Fintech"), YES),
    MatchCase("industry", "is_not_empty", None, company(industry="Retail"), YES),
    # source: its name or its type
    MatchCase("source", "equals", "word of mouth", source(name="Word of mouth", type="referral"), YES),
    MatchCase("source", "equals", "referral", source(name="Word of mouth", type="referral"), YES),
    MatchCase("source", "equals", "linkedin", source(name="Word of mouth", type="referral"), NO),
    MatchCase("source", "not_equals", "linkedin", source(name="LinkedIn ads", type="linkedin"), NO),
    MatchCase("source", "not_equals", "linkedin", source(name="Newsletter", type="email"), YES),
    MatchCase("source", "contains", "mouth", source(name="Word of mouth", type="referral"), YES),
    MatchCase("source", "not_contains", "link", source(name="Ads", type="linkedin"), NO),
    MatchCase("source", "in", "event,partner", source(name="Expo", type="event"), YES),
    MatchCase("source", "is_empty", None, BARE, YES),
    MatchCase("source", "is_empty", None, source(name="Expo", type="event"), NO),
    # UTM parameters of the source
    MatchCase("utm_source", "equals", "google", source(name="Ads", utm_source="Google"), YES),
    MatchCase("utm_source", "equals", "google", source(name="Ads", utm_source="bing"), NO),
    MatchCase("utm_medium", "in", "cpc,ppc", source(name="Ads", utm_medium="cpc"), YES),
    MatchCase("utm_medium", "is_empty", None, source(name="Ads"), YES),
    MatchCase("utm_campaign", "starts_with", "spring", source(name="Ads", utm_campaign="spring_2026"), YES),
    MatchCase("utm_campaign", "not_contains", "spring", source(name="Ads", utm_campaign="fall_2026"), YES),
    # budget: numbers
    MatchCase("budget", "greater_than", "10000", lead(budget=15000), YES),
    MatchCase("budget", "greater_than", "10000", lead(budget=10000), NO),
    MatchCase("budget", "greater_than", "9999.5", lead(budget=9999.99), YES),
    MatchCase("budget", "less_than", "10000", lead(budget=9999.99), YES),
    MatchCase("budget", "less_than", "10000", BARE, NO),
    MatchCase("budget", "greater_than", "-1", BARE, NO),
    MatchCase("budget", "greater_than", "a lot", lead(budget=15000), NO),
    MatchCase("budget", "equals", "15000", lead(budget=15000), YES),
    MatchCase("budget", "equals", "15000.0", lead(budget=15000), YES),
    MatchCase("budget", "in", "5000, 15000", lead(budget=15000), YES),
    MatchCase("budget", "is_empty", None, BARE, YES),
    MatchCase("budget", "is_not_empty", None, lead(budget=0), YES),
    # BANT text
    MatchCase("authority", "equals", "decision maker", lead(authority="Decision Maker"), YES),
    MatchCase("authority", "not_equals", "decision maker", lead(authority="Influencer"), YES),
    MatchCase("need", "contains", "crm", lead(need="Replace our CRM this year"), YES),
    MatchCase("need", "is_not_empty", None, BARE, NO),
    MatchCase("timeline", "is_not_empty", None, lead(timeline="Q1"), YES),
    MatchCase("timeline", "in", "q1,q2", lead(timeline="Q2"), YES),
    # custom fields: custom_fields ->> criteria_field
    MatchCase("custom_field", "equals", "gold", lead(custom_fields='{"tier": "Gold"}'), YES, "tier"),
    MatchCase("custom_field", "equals", "gold", lead(custom_fields='{"level": "gold"}'), NO, "tier"),
    MatchCase("custom_field", "is_empty", None, lead(custom_fields='{"level": "gold"}'), YES, "tier"),
    MatchCase("custom_field", "is_empty", None, lead(custom_fields='{"tier": null}'), YES, "tier"),
    MatchCase("custom_field", "greater_than", "10", lead(custom_fields='{"seats": 25}'), YES, "seats"),
    MatchCase("custom_field", "greater_than", "10", lead(custom_fields='{"seats": "25"}'), YES, "seats"),
    MatchCase("custom_field", "greater_than", "10", lead(custom_fields='{"seats": "many"}'), NO, "seats"),
    MatchCase("custom_field", "less_than", "10", lead(custom_fields='{"seats": 2.5}'), YES, "seats"),
    MatchCase("custom_field", "equals", "25", lead(custom_fields='{"seats": 25.0}'), YES, "seats"),
    MatchCase("custom_field", "contains", "seo", lead(custom_fields='{"tags": ["SEO", "Ads"]}'), YES, "tags"),
    MatchCase("custom_field", "equals", "seo, ads", lead(custom_fields='{"tags": ["SEO", "Ads"]}'), YES, "tags"),
    MatchCase("custom_field", "equals", "true", lead(custom_fields='{"vip": true}'), YES, "vip"),
    MatchCase("custom_field", "equals", "phone", lead(custom_fields='{"Tier": "phone"}'), NO, "tier"),
    # activity_count: the lead's activities of a type ('*': any)
    MatchCase(
        "activity_count", "greater_than", "1", activities("email_replied", "email_replied"), YES, "email_replied"
    ),
    MatchCase("activity_count", "greater_than", "1", activities("email_replied", "note"), NO, "email_replied"),
    MatchCase("activity_count", "greater_than", "2", activities("email_replied", "note", "call_made"), YES, "*"),
    MatchCase("activity_count", "equals", "0", BARE, YES, "meeting"),
    MatchCase("activity_count", "equals", "0", activities("meeting"), NO, "meeting"),
    MatchCase("activity_count", "less_than", "1", activities("note"), YES, "meeting"),
    MatchCase("activity_count", "in", "2,3", activities("meeting", "meeting"), YES, "meeting"),
    MatchCase("activity_count", "greater_than", "0", BARE, NO, "*"),
    # form_submitted: a form captured the lead, or it has a form_submitted activity
    MatchCase("form_submitted", "equals", "true", Facts(with_form=True), YES),
    MatchCase("form_submitted", "equals", "true", activities("form_submitted"), YES),
    MatchCase("form_submitted", "equals", "true", activities("page_visit"), NO),
    MatchCase("form_submitted", "equals", "false", BARE, YES),
    MatchCase("form_submitted", "not_equals", "true", BARE, YES),
]
