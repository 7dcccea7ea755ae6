"""`send_email`: a plain-text email to the lead (or to a fixed address), recorded as an `email_sent` activity.

Config:
    {"to": "lead",                                  # default: the lead's own address; or one email address
     "subject": "Thanks, {{lead.firstName}}",       # required template (at most 1,000 characters)
     "body": "We will call {{lead.company.name}}.",  # required template (at most 20,000 characters)
     "replyTo": "sales@example.com"}                # optional: one email address

Templates: domain/workflows/templates.py, the language of every action (`{{lead.firstName}}`, `{{firstName}}`,
`{{lead.company.name}}`, `{{customFields.x}}` ...); missing values render empty; the text is sent as it is (plain
text; the subject on one line, see domain/mail.header_text).

Delivery (domain/mail.py): SMTP when configured (LEADGEN_SMTP_URL or LEADGEN_SMTP_HOST ...), else the outbox folder
(development: <data dir>/outbox). Connection problems, timeouts and 4xx answers are retried; 5xx answers fail the
step. A lead without an email address (or with one that is not a single plain address) is skipped, not failed.
The Message-ID is made from the execution and step: it is the email's idempotency key (domain/workflows/effects.py).
"Sending" is recorded under it before the message goes out and "sent" right after, apart from the step's
transaction; a retry after a crash (or a lost database) sends nothing when the message was sent, and otherwise
sends it again with the same Message-ID (an outbox file is replaced, not added). After sending, an `email_sent`
activity (as the workflow's owner) records the message id, subject, recipient and the workflow; the owner's right
to write the lead is checked before sending.

Output: {"messageId", "to", "subject", "backend": "smtp" | "outbox", "activityId", "idempotency": {"key",
"attempt", "alreadyAttempted", "previousOutcome", "resent", "duplicateAvoided", "sentAt"}}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db import workflow_actions as sql
from domain.mail import (
    EmailBackend,
    EmailError,
    OutboxBackend,
    SmtpBackend,
    build_message,
    header_text,
    message_id_for,
    plain_address,
)
from domain.workflows.actions.base import (
    ActionContext,
    PermanentActionError,
    RetryableActionError,
    StepOutcome,
    unknown_keys,
)
from domain.workflows.conditions import Problem
from domain.workflows.settings import EmailSettings
from domain.workflows.templates import render, template_problems

KEYS = ("to", "subject", "body", "replyTo")
MAX_SUBJECT_TEMPLATE = 1_000
MAX_SUBJECT = 300  # characters of the rendered subject
MAX_BODY = 20_000
NOT_AN_ADDRESS = "must be one email address (name@example.com)"


def email_backend(settings: EmailSettings) -> EmailBackend | None:
    """SMTP when configured, else the outbox folder; None when neither is."""
    if settings.smtp is not None:
        smtp = settings.smtp
        return SmtpBackend(smtp.host, smtp.port, smtp.security, smtp.username, smtp.password)
    if settings.outbox_dir is not None:
        return OutboxBackend(settings.outbox_dir)
    return None


class SendEmailAction:
    type = "send_email"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        problems = unknown_keys(config, KEYS, self.type)
        to = config.get("to", "lead")
        if to != "lead" and plain_address(to) is None:
            problems.append(("to", f'"lead" (the lead\'s own address) or {NOT_AN_ADDRESS}'))
        for key, limit, example in (
            ("subject", MAX_SUBJECT_TEMPLATE, "Thanks, {{lead.firstName}}"),
            ("body", MAX_BODY, "Hello {{lead.firstName}}, ..."),
        ):
            if key not in config:
                problems.append((key, f"required: a template, e.g. {example!r}"))
                continue
            text = config[key]
            if isinstance(text, str) and not text.strip():
                problems.append((key, "must not be blank"))
            problems.extend((key, message) for message in template_problems(text, max_length=limit))
        reply_to = config.get("replyTo")
        if reply_to is not None and plain_address(reply_to) is None:
            problems.append(("replyTo", NOT_AN_ADDRESS))
        return problems

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        backend = email_backend(ctx.settings.email)
        if backend is None:
            raise PermanentActionError(
                "no email delivery is configured: set LEADGEN_SMTP_URL (or LEADGEN_SMTP_HOST), or an outbox folder"
            )
        to = config.get("to", "lead")
        if to == "lead":
            if not ctx.lead.get("email"):
                return StepOutcome(skipped=True, output={"reason": "the lead has no email address"})
            recipient = plain_address(ctx.lead["email"])
            if recipient is None:
                return StepOutcome(skipped=True, output={"reason": "the lead's email address is not a plain address"})
        else:
            recipient = str(plain_address(to))
        if not await ctx.session.fetchval(sql.CAN_WRITE_LEAD, ctx.lead["id"]):
            raise PermanentActionError("the workflow's owner may not write this lead (row level security)")
        variables = ctx.variables()
        subject = header_text(render(str(config["subject"]), variables), MAX_SUBJECT)
        body = render(str(config["body"]), variables)
        sender = ctx.settings.email.sender
        message_id = message_id_for(f"wf.{ctx.execution_id}.{ctx.step.index}", sender)
        try:
            message = build_message(
                sender=sender,
                to=recipient,
                subject=subject,
                body=body,
                message_id=message_id,
                reply_to=plain_address(config.get("replyTo")),
                headers={"X-Leadgen-Workflow": str(ctx.workflow["id"]), "X-Leadgen-Execution": str(ctx.execution_id)},
            )
        except ValueError as exc:  # the email package refuses the message: the same on every try
            raise PermanentActionError(f"the message cannot be built: {exc}") from None
        effect = await ctx.effects.begin("email", message_id)
        if not effect.already_sent:
            try:
                await backend.send(message)
            except EmailError as exc:
                await ctx.effects.settle(effect, sent=False, detail={"backend": backend.name})
                if exc.retryable:
                    raise RetryableActionError(exc.message) from None
                raise PermanentActionError(exc.message) from None
            await ctx.effects.settle(effect, sent=True, detail={"backend": backend.name})
        data = {
            "message_id": message_id,
            "subject": subject,
            "to": recipient,
            "backend": backend.name,
            "workflow_id": str(ctx.workflow["id"]),
            "execution_id": str(ctx.execution_id),
            "step_index": ctx.step.index,
        }
        description = f"Email sent: {subject}" if subject else "Email sent"
        activity_id = await ctx.session.fetchval(sql.INSERT_ACTIVITY, ctx.lead["id"], "email_sent", description, data)
        return StepOutcome(
            output={
                "messageId": message_id,
                "to": recipient,
                "subject": subject,
                "backend": backend.name,
                "activityId": str(activity_id),
                "idempotency": effect.report(),
            }
        )
