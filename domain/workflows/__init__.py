"""The workflow engine: events from the database start workflows whose actions run in the background as the
workflow's owner.

* supabase/migrations/20261125180000_workflow_engine.sql: event triggers (same transaction as the change), the
  queue tables (private.workflow_events, private.workflow_jobs), the worker's bookkeeping functions, and what API
  callers may call (leadgen.run_workflow, cancel/retry_workflow_execution, track_page_visit).
* conditions.py: trigger types, their conditions (validation) and which events they match.
* engine.py: WorkflowEngine - claims events and fans them out into executions, claims due steps, scans for
  inactivity; steps.py runs one step as the owner and records its outcome; model.py, settings.py, clock.py;
  runtime.py: what the kinds of work share, and the lease of a claim renewed while it runs (heartbeat);
  dispatcher.py: up to `concurrency` pieces of work in flight; effects.py: outside effects (emails, webhooks) under
  idempotency keys, recorded before and after, so a retry re-sends with the same key or not at all.
* actions/: the Action interface, the registry and the actions (see actions/__init__.py to write one);
  lead_data.py: the lead as actions see it (JSON documents and its company).
* integration_push.py: new leads pushed to the active webhook integrations of their scope, a built-in kind of
  job that the engine runs next to workflow steps.
* server/worker.py: `leadgen worker`, the process around an engine (LISTEN/NOTIFY, polling, signals).
"""
