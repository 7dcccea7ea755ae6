"""GraphQL enums. Each member's value is the text stored in Postgres; its name is that text upper-cased."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A member's role in a space.")
class SpaceRole(Enum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


@strawberry.enum(description="Where a lead stands.")
class LeadStatus(Enum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    NURTURING = "nurturing"
    CONVERTED = "converted"
    LOST = "lost"


@strawberry.enum(description="The kind of a lead source.")
class SourceType(Enum):
    WEBSITE = "website"
    LINKEDIN = "linkedin"
    EMAIL = "email"
    SOCIAL_MEDIA = "social_media"
    REFERRAL = "referral"
    ADVERTISING = "advertising"
    PAID_SEARCH = "paid_search"
    ORGANIC_SEARCH = "organic_search"
    EVENT = "event"
    PARTNER = "partner"
    DIRECT = "direct"
    OTHER = "other"


@strawberry.enum(description="The input type of a form field.")
class FormFieldType(Enum):
    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    NUMBER = "number"
    URL = "url"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"
    CHECKBOX = "checkbox"
    HIDDEN = "hidden"


@strawberry.enum(description="What happened to a lead.")
class ActivityType(Enum):
    EMAIL_SENT = "email_sent"
    EMAIL_OPENED = "email_opened"
    EMAIL_CLICKED = "email_clicked"
    EMAIL_REPLIED = "email_replied"
    CALL_MADE = "call_made"
    CALL_RECEIVED = "call_received"
    MEETING = "meeting"
    NOTE = "note"
    TASK = "task"
    FORM_SUBMITTED = "form_submitted"
    PAGE_VISIT = "page_visit"
    STAGE_CHANGED = "stage_changed"
    STATUS_CHANGED = "status_changed"
    SCORE_CHANGED = "score_changed"
    ASSIGNED = "assigned"
    CONVERTED = "converted"
    CAMPAIGN_JOINED = "campaign_joined"
    CAMPAIGN_LEFT = "campaign_left"
    WORKFLOW = "workflow"
    OTHER = "other"


@strawberry.enum(description="What a scoring rule looks at.")
class CriteriaType(Enum):
    EMAIL_DOMAIN = "email_domain"
    FREE_EMAIL = "free_email"
    JOB_TITLE = "job_title"
    COMPANY_SIZE = "company_size"
    INDUSTRY = "industry"
    SOURCE = "source"
    UTM_SOURCE = "utm_source"
    UTM_MEDIUM = "utm_medium"
    UTM_CAMPAIGN = "utm_campaign"
    BUDGET = "budget"
    AUTHORITY = "authority"
    NEED = "need"
    TIMELINE = "timeline"
    CUSTOM_FIELD = "custom_field"
    ACTIVITY_COUNT = "activity_count"
    FORM_SUBMITTED = "form_submitted"


@strawberry.enum(description="How a scoring rule compares.")
class RuleCondition(Enum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    IN = "in"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


@strawberry.enum(description="What starts a workflow.")
class TriggerType(Enum):
    LEAD_CREATED = "lead_created"
    LEAD_UPDATED = "lead_updated"
    STAGE_CHANGED = "stage_changed"
    SCORE_THRESHOLD = "score_threshold"
    FORM_SUBMIT = "form_submit"
    CAMPAIGN_JOINED = "campaign_joined"
    ACTIVITY_LOGGED = "activity_logged"
    PAGE_VISIT = "page_visit"
    INACTIVITY = "inactivity"
    MANUAL = "manual"


@strawberry.enum(description="What a workflow step does.")
class ActionType(Enum):
    SEND_EMAIL = "send_email"
    ASSIGN_LEAD = "assign_lead"
    CHANGE_STAGE = "change_stage"
    UPDATE_FIELD = "update_field"
    ADD_TO_CAMPAIGN = "add_to_campaign"
    REMOVE_FROM_CAMPAIGN = "remove_from_campaign"
    ADD_NOTE = "add_note"
    WEBHOOK = "webhook"
    WAIT = "wait"


@strawberry.enum(description="Where a workflow execution stands.")
class ExecutionStatus(Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.enum(description="Where a step of a workflow execution stands.")
class StepStatus(Enum):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    RETRYING = "retrying"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.enum(description="The kind of a campaign.")
class CampaignType(Enum):
    EMAIL = "email"
    SOCIAL_MEDIA = "social_media"
    ADVERTISING = "advertising"
    CONTENT = "content"
    EVENT = "event"
    WEBINAR = "webinar"
    SEO = "seo"
    REFERRAL = "referral"
    DIRECT_MAIL = "direct_mail"
    OTHER = "other"


@strawberry.enum(description="Where a campaign stands.")
class CampaignStatus(Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@strawberry.enum(description="The kind of an integration.")
class IntegrationType(Enum):
    CRM = "crm"
    EMAIL_MARKETING = "email_marketing"
    ANALYTICS = "analytics"
    WEBHOOK = "webhook"
    ADVERTISING = "advertising"
    ENRICHMENT = "enrichment"
    COMMUNICATION = "communication"
    OTHER = "other"


@strawberry.enum(description="The state of an integration's last synchronisation.")
class SyncStatus(Enum):
    NEVER = "never"
    PENDING = "pending"
    SYNCING = "syncing"
    SUCCESS = "success"
    ERROR = "error"


@strawberry.enum(description="The value type of a custom field.")
class CustomFieldType(Enum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    SELECT = "select"
    MULTISELECT = "multiselect"
    EMAIL = "email"
    URL = "url"
    PHONE = "phone"


@strawberry.enum(description="Where an invitation stands.")
class InvitationStatus(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


# The enum of each enum column (or computed value) of the catalog, by (table, column).
COLUMN_ENUMS: dict[tuple[str, str], type[Enum]] = {
    ("space_members", "role"): SpaceRole,
    ("space_invitations", "role"): SpaceRole,
    ("space_invitations", "status"): InvitationStatus,
    ("leads", "status"): LeadStatus,
    ("lead_sources", "type"): SourceType,
    ("lead_form_fields", "field_type"): FormFieldType,
    ("lead_activities", "activity_type"): ActivityType,
    ("lead_scoring_rules", "criteria_type"): CriteriaType,
    ("lead_scoring_rules", "condition"): RuleCondition,
    ("lead_workflow_triggers", "trigger_type"): TriggerType,
    ("lead_workflow_actions", "action_type"): ActionType,
    ("lead_workflow_executions", "status"): ExecutionStatus,
    ("lead_campaigns", "campaign_type"): CampaignType,
    ("lead_campaigns", "status"): CampaignStatus,
    ("lead_integrations", "integration_type"): IntegrationType,
    ("lead_integrations", "sync_status"): SyncStatus,
    ("lead_custom_fields", "field_type"): CustomFieldType,
}
