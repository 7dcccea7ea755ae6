"""Workflow actions: one class per `lead_workflow_actions.action_type`, registered in `registry.py`.

The actions: wait, add_note, send_email, assign_lead, change_stage, update_field, add_to_campaign,
remove_from_campaign and webhook, one module each (campaign_membership.py is what the two campaign actions share;
domain/workflows/lead_data.py gives them the lead as a JSON document; domain/workflows/templates.py is the one
template language of every action). Each module's docstring spells out its config and output.

Writing an action:

    class ChangeStageAction:                       # satisfies base.Action (a Protocol: no base class needed)
        type = "change_stage"

        def validate(self, config: Mapping[str, Any]) -> list[Problem]:
            # every problem as (field inside the config, message); [] when valid. The API turns them into
            # BAD_USER_INPUT on `input.actionConfig.<field>` (extensions.fields lists all); activation re-checks the
            # stored config; the engine refuses to run a config that does not validate (a permanent failure).
            # Pure: no I/O here. Use base.unknown_keys() for keys you do not know, templates.template_problems()
            # for template texts, conditions.as_uuid(value, "LeadStage") for IDs (Relay global IDs or bare UUIDs).
            ...

        async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
            await ctx.session.execute("update public.leads set stage_id = $2 where id = $1", ctx.lead["id"], stage)
            return StepOutcome(output={"stageId": str(stage)})

    registry: add ChangeStageAction() to default_registry() in registry.py.

What `run` gets (base.ActionContext):
* `ctx.session`: a RequestSession (db/session.py) holding ONE open transaction as the workflow's OWNER: role
  `authenticated` with the owner's JWT claims (sub, email, app_metadata, ... from auth.users). Every statement runs
  under Row Level Security exactly as the owner's own API requests do, so a workflow can only touch what its owner
  may (an RLS refusal, SQLSTATE 42501, fails the step permanently). Parameters: `$n`, never string-built SQL; put
  the statements in db/workflows.py. JSON columns arrive as Python values and jsonb parameters take dicts/lists.
  The engine records the step's outcome in the same transaction and then commits: your writes and the step's
  "completed" commit together, so database effects happen exactly once even when a worker dies. Never call
  `session.finish()`. `db.integrations.read_envelope(ctx.session, integration_id)` works here too (the worker's
  login role may execute leadgen.integration_credentials, which answers only for integrations the owner manages);
  decrypt it with `ctx.settings.keyring` (None: no LEADGEN_SECRET_KEY) as resolvers/integrations.send_webhook does,
  and deliver with domain.webhooks.deliver(..., timeout=ctx.settings.webhooks.timeout,
  allow_private=ctx.settings.webhooks.allow_private). (send_webhook itself lives in resolvers/, above domain/: call
  its pieces, or move it down into domain/.)
* `ctx.lead` / `ctx.workflow`: their rows as the owner sees them (columns of public.leads / lead_workflows);
  `ctx.company`: the lead's company as the owner sees it (None: none or hidden); `ctx.owner_id`;
  `ctx.variables(extra)`: template variables of the lead, its company and the workflow (templates.py), e.g.
  `render(config["subject"], ctx.variables({"assignee_name": name}))` (allow such extras in validate with
  `template_problems(text, extra=["assignee_name"])`).
* `ctx.execution_id`, `ctx.step` (index, count, order, attempt (1-based), action_id, delay_seconds), `ctx.event`
  (the starting event: type and payload), `ctx.clock` / `ctx.now()` (the engine's clock: use it, not
  datetime.now(), so tests can move time), `ctx.settings` (settings.ActionSettings: `email` with `sender`, `smtp`
  (settings.SmtpSettings or None) and `outbox_dir` (development: <data dir>/outbox; None: nowhere), `webhooks`
  (timeout, allow_private), `keyring`), `ctx.log`.

Outcomes: return `StepOutcome(output={...})` (a small JSON object recorded in the step; no secrets) or
`StepOutcome(skipped=True, output={"reason": ...})` when there is nothing to do (the workflow goes on). Fail with
`RetryableActionError(message, retry_after=None)` (timeouts, 5xx, refused connections: retried with exponential
back-off up to EngineConfig.max_attempts, then failed) or `PermanentActionError(message)` (bad config, 4xx, not
allowed: the step and its execution fail now; retryExecution re-runs it with the then current config). Any other
exception counts as retryable, a database refusal (SQLSTATE classes 22, 23, 42, P0) as permanent. Messages are
stored in execution_data and shown in the API: never put secrets in them. Do slow outside calls (SMTP, HTTP)
before your writes. A step is stopped (a retryable timeout, its transaction rolled back) after
EngineConfig.step_timeout_seconds (90 s), or as soon as its lease is lost (the worker renews it every third of
EngineConfig.lease_seconds while the step runs), so no second worker overlaps it. An outside effect of an attempt
that died can still happen again on the next attempt: go through `ctx.effects` (domain/workflows/effects.py) with
a stable idempotency key made from `ctx.execution_id` + `ctx.step.index`:

    effect = await ctx.effects.begin("webhook", key)   # "sending", committed; LG409 if the lease is lost
    if not effect.already_sent:                        # sent before a crash: do not send it again
        result = await deliver(..., delivery_id=key)   # the same key on every try, for the receiver to drop
        await ctx.effects.settle(effect, sent=result.ok, detail={"statusCode": result.status_code})
    return StepOutcome(output={..., "idempotency": effect.report()})

Writes made by a step carry the transaction-local `leadgen.workflow_context` (the engine sets it), so the events
they cause never restart the same workflow and chains of workflows stop after EngineConfig.max_chain_depth.
"""
