"""`webhook`: POST the lead and the event as JSON to a URL, signed like every Leadgen webhook (domain/webhooks.py:
`X-Leadgen-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, plus X-Leadgen-Event, X-Leadgen-Delivery and
Idempotency-Key).

Config:
    {"url": "https://hooks.example.com/leads",   # http(s); required unless the integration has settings.url
     "method": "POST",                           # optional; POST is the only method
     "headers": {"Authorization": "Bearer ..."}, # optional extra headers (not Host, Content-Type, X-Leadgen-*, ...)
     "secret": "<16+ characters>"}               # the signing secret, or instead:
    {"integration": "<integration id>"}          # a webhook integration of the lead's scope whose encrypted
                                                 # credentials hold the signingSecret (the workflow's owner must
                                                 # manage it); its settings.url is the default URL

Deliveries go only to public addresses (private, loopback, link-local ... are refused: a permanent failure) unless
LEADGEN_WEBHOOK_ALLOW_PRIVATE is set; redirects are not followed; each try is bounded by LEADGEN_WEBHOOK_TIMEOUT.
Timeouts, network errors, 5xx, 408 and 429 are retried with the engine's back-off; other answers fail the step.
The delivery id (X-Leadgen-Delivery and Idempotency-Key; made from the execution and step) is the same for every
try of a step, so a receiver can drop a repeated delivery. It is the delivery's idempotency key
(domain/workflows/effects.py): "sending" is recorded under it before the POST and "sent" after a 2xx, apart from
the step's transaction, so a retry after a crash does not POST again what was delivered, and otherwise POSTs again
with the same id. The secret and the headers are stored encrypted apart from the config and never returned
(domain/workflows/step_secrets.py; the engine adds them back to the config it runs), nor recorded (execution_data
keeps the status code, delivery id, duration and the idempotency report).

Body: {"event": "workflow.webhook", "deliveryId", "sentAt", "workflow": {id, name}, "execution": {id, step},
"trigger": {type, payload}, "lead": {... the lead in the API's names, with its company}}.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from db import workflow_actions as sql
from domain.integration_webhooks import integration_secret, integration_url, signing_secret_of
from domain.webhooks import RESERVED_HEADERS, deliver, url_problem
from domain.workflows.actions.base import (
    ActionContext,
    PermanentActionError,
    RetryableActionError,
    StepOutcome,
    unknown_keys,
)
from domain.workflows.conditions import Problem, as_uuid
from domain.workflows.lead_data import json_value, lead_document

EVENT = "workflow.webhook"
KEYS = ("url", "method", "headers", "secret", "integration")
MIN_SECRET, MAX_SECRET = 16, 500
MAX_HEADERS, MAX_HEADER_VALUE = 20, 2000
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
DELIVERY_NAMESPACE = uuid.UUID("6f1d1c52-3a53-4a37-9a5e-6c1f4f0e8b21")


def header_problems(headers: Any) -> list[str]:
    if not isinstance(headers, Mapping):
        return ["must be an object of header names and text values"]
    if len(headers) > MAX_HEADERS:
        return [f"at most {MAX_HEADERS} headers"]
    problems = []
    for name, value in headers.items():
        if not HEADER_NAME.match(str(name)):
            problems.append(f"{name!r} is not a header name")
        elif str(name).lower() in RESERVED_HEADERS:
            problems.append(f"{name} is set by the delivery itself")
        elif not isinstance(value, str) or len(value) > MAX_HEADER_VALUE or any(c in value for c in "\r\n\x00"):
            problems.append(f"{name}: a value must be one line of text, at most {MAX_HEADER_VALUE} characters")
    return problems


class WebhookAction:
    type = "webhook"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        problems = unknown_keys(config, KEYS, self.type)
        if ("secret" in config) == ("integration" in config):
            problems.append(("secret", 'give either "secret" (the signing secret) or "integration", not both'))
        url_needed = "url" in config or "integration" not in config  # an integration may bring its own
        if url_needed and (problem := url_problem(config.get("url"))) is not None:
            problems.append(("url", problem))
        if config.get("method", "POST") != "POST":
            problems.append(("method", "only POST is supported"))
        if "headers" in config:
            problems.extend(("headers", message) for message in header_problems(config["headers"]))
        secret = config.get("secret")
        if "secret" in config and (not isinstance(secret, str) or not MIN_SECRET <= len(secret) <= MAX_SECRET):
            problems.append(("secret", f"must be text of {MIN_SECRET} to {MAX_SECRET} characters"))
        if "integration" in config and as_uuid(config["integration"], "Integration") is None:
            problems.append(("integration", "must be an integration id (a UUID or an Integration global ID)"))
        return problems

    async def _signing(self, ctx: ActionContext, config: Mapping[str, Any]) -> tuple[str, str]:
        """(the URL, the signing secret)."""
        url = config.get("url")
        if "integration" not in config:
            return str(url).strip(), str(config["secret"])
        integration = as_uuid(config["integration"], "Integration")
        row = await ctx.session.fetchrow(sql.INTEGRATION_OF_LEAD_SCOPE, ctx.lead["id"], integration)
        if row is None:
            raise PermanentActionError(f"integration {integration} is not visible or not of the lead's scope")
        if row["integration_type"] != "webhook":
            raise PermanentActionError(f"integration {integration} is not a webhook integration")
        credentials, problem = await integration_secret(ctx.session, ctx.settings.keyring, row)  # 42501 if not ours
        if problem is not None:
            raise PermanentActionError(problem)
        signing = signing_secret_of(credentials)
        if signing is None:
            raise PermanentActionError("the integration has no signingSecret in its credentials")
        target = url.strip() if isinstance(url, str) else integration_url(row)
        if target is None:
            raise PermanentActionError("no url: give one, or set the integration's settings.url")
        return target, signing

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        url, secret = await self._signing(ctx, config)
        delivery_id = str(uuid.uuid5(DELIVERY_NAMESPACE, f"{ctx.execution_id}:{ctx.step.index}"))
        payload = {
            "event": EVENT,
            "deliveryId": delivery_id,
            "sentAt": ctx.now().isoformat(),
            "workflow": {"id": str(ctx.workflow["id"]), "name": ctx.workflow.get("name")},
            "execution": {"id": str(ctx.execution_id), "step": ctx.step.index},
            "trigger": {"type": ctx.event.type, "payload": json_value(ctx.event.payload)},
            "lead": lead_document(ctx.lead, ctx.company),
        }
        effect = await ctx.effects.begin("webhook", delivery_id)
        if effect.already_sent:  # delivered before the last attempt could record it: not again
            status = effect.detail.get("statusCode")
            output = {"statusCode": status, "deliveryId": delivery_id, "idempotency": effect.report()}
            return StepOutcome(output=output)
        policy = ctx.settings.webhooks
        result = await deliver(
            url,
            payload,
            secret,
            timeout=policy.timeout,
            allow_private=policy.allow_private,
            event=EVENT,
            delivery_id=delivery_id,
            headers=config.get("headers"),
        )
        await ctx.effects.settle(effect, sent=result.ok, detail={"statusCode": result.status_code})
        if result.ok:
            output = {
                "statusCode": result.status_code,
                "deliveryId": delivery_id,
                "durationMs": result.duration_ms,
                "idempotency": effect.report(),
            }
            return StepOutcome(output=output)
        message = result.error or "the delivery failed"
        if result.retryable:
            raise RetryableActionError(message)
        raise PermanentActionError(message)
