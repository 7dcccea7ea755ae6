"""`leadgen worker`: runs workflows in the background (domain/workflows/engine.py does the work).

Run as many as you like, on one machine or many: they share the work through the database (FOR UPDATE SKIP LOCKED
and leases). Each logs in as leadgen_worker (refusing to start as a superuser, a BYPASSRLS role or a role that
inherits privileges), LISTENs on `leadgen_workflows` to wake up when events or steps are written, and polls every
`--poll-interval` seconds as a fallback (sooner when a delayed step falls due). Every few minutes it writes the
inactivity events that are due. It also sends the invitation emails queued by inviteToSpace
(domain/invitation_emails.py). `--once` works until nothing is due and exits (cron, tests). SIGINT/SIGTERM let
the steps under way finish, then stop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from db.pool import create_worker_pool
from db.workflows import CHANNEL
from domain.invitation_emails import ROUND_LIMIT as INVITATION_ROUND
from domain.invitation_emails import InvitationEmails, InvitationEmailSettings
from domain.webhooks import WebhookPolicy
from domain.workflows.actions.registry import ActionRegistry, default_registry
from domain.workflows.clock import Clock, SystemClock
from domain.workflows.engine import RunSummary, WorkflowEngine
from domain.workflows.settings import ActionSettings, EmailSettings, EngineConfig, SmtpSettings
from domain.workflows.steps import Runtime
from server.credential_keys import load_keyring
from server.database_target import DatabaseAddress, open_target
from server.db_wait import wait_for_database
from server.server_secret import load_server_secret
from server.settings import Settings

log = logging.getLogger("leadgen.worker")
T = TypeVar("T")


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 4
    poll_interval: float = 5.0  # seconds between polls when nothing wakes the worker
    inactivity_interval: float = 300.0  # seconds between inactivity scans
    purge_interval: float = 3600.0  # seconds between purges of settled queue rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, help="steps run at once (default 4)")
    parser.add_argument("--poll-interval", type=float, default=5.0, help="seconds between polls (default 5)")
    parser.add_argument(
        "--inactivity-interval", type=float, default=300.0, help="seconds between inactivity scans (default 300)"
    )
    parser.add_argument("--once", action="store_true", help="work until nothing is due, then exit")


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def action_settings(settings: Settings) -> ActionSettings:
    """Email delivery (SMTP, else an outbox folder in development), webhook policy and credentials keyring."""
    outbox = settings.email_outbox
    if outbox is None and not settings.production:
        outbox = settings.data_dir / "outbox"
    smtp = SmtpSettings.from_url(settings.smtp_url) if settings.smtp_url else None
    return ActionSettings(
        email=EmailSettings(sender=settings.email_from, smtp=smtp, outbox_dir=outbox),
        webhooks=WebhookPolicy(timeout=settings.webhook_timeout, allow_private=settings.webhook_allow_private),
        keyring=load_keyring(settings),
    )


def invitation_settings(settings: Settings) -> InvitationEmailSettings:
    """The secret invitation links derive from, and the link itself (LEADGEN_INVITATION_URL)."""
    return InvitationEmailSettings(secret=load_server_secret(settings), link=settings.invitation_url)


class Worker:
    """One worker process's loop over an engine (and the invitation emails, when given); `listen_dsn` (the same
    role's DSN) carries LISTEN."""

    def __init__(
        self,
        engine: WorkflowEngine,
        listen_dsn: str,
        options: WorkerOptions | None = None,
        invitations: InvitationEmails | None = None,
    ) -> None:
        self.engine = engine
        self.listen_dsn = listen_dsn
        self.options = options or WorkerOptions()
        self.invitations = invitations
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None

    async def run_once(self) -> RunSummary:
        """Seal step secrets stored in clear, scan for inactivity, then work until nothing is due."""
        await self.engine.seal_step_secrets()
        await self.engine.scan_inactivity()
        summary = await self.engine.run_due(self.options.concurrency)
        if self.invitations is not None:
            while await self.invitations.run_due():
                pass
        return summary

    async def run(self, stop: asyncio.Event) -> None:
        next_scan = next_purge = time.monotonic()
        try:
            while not stop.is_set():
                await self._listen()
                self._wake.clear()
                now = time.monotonic()
                if now >= next_scan:  # (at start too: step secrets written in clear are sealed then)
                    sealed = await self._safely(self.engine.seal_step_secrets(), "sealing step secrets")
                    if sealed:
                        log.info("sealed the secrets of %s workflow steps", sealed)
                    await self._safely(self.engine.scan_inactivity(), "inactivity scan")
                    next_scan = now + self.options.inactivity_interval
                if now >= next_purge:
                    await self._safely(self.engine.purge(), "purge")
                    if self.invitations is not None:
                        before = self.engine.runtime.clock.now() - dt.timedelta(
                            seconds=self.engine.runtime.config.retention_seconds
                        )
                        await self._safely(self.invitations.purge(before), "purge of invitation emails")
                    next_purge = now + self.options.purge_interval
                summary = await self._safely(self.engine.run_due(self.options.concurrency, stop), "run")
                if summary is not None and (summary.events or summary.jobs):
                    log.info("%s", summary)
                if self.invitations is not None:
                    sent = await self._safely(self.invitations.run_due(), "invitation emails")
                    if sent is not None and sent >= INVITATION_ROUND:  # more may be due: go round again at once
                        self._wake.set()
                await self._sleep(stop, await self._timeout())
        finally:
            await self._unlisten()

    async def _safely(self, work: Awaitable[T], what: str) -> T | None:
        """A long-running worker outlives a lost connection or a bug in one round: it logs and tries again."""
        try:
            return await work
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("%s failed (will try again): %s", what, exc)
        except Exception:
            log.exception("%s failed unexpectedly (will try again)", what)
        return None

    async def _timeout(self) -> float:
        timeout = self.options.poll_interval
        try:
            due = await self.engine.next_due()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return timeout
        if due is not None:
            timeout = min(timeout, max(0.0, (due - self.engine.runtime.clock.now()).total_seconds()))
        return timeout

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()

    async def _listen(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            self._listener = await asyncpg.connect(
                self.listen_dsn, server_settings={"application_name": "leadgen-worker"}
            )
            await self._listener.add_listener(CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot LISTEN (polling only for now): %s", exc)
            self._listener = None

    async def _unlisten(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None


async def open_worker(
    dsn: str,
    settings: ActionSettings,
    *,
    options: WorkerOptions | None = None,
    clock: Clock | None = None,
    config: EngineConfig | None = None,
    registry: ActionRegistry | None = None,
    worker_id: str | None = None,
    invitations: InvitationEmailSettings | None = None,
) -> tuple[Worker, asyncpg.Pool]:
    """A worker on its own pool (close the pool when done). Refuses an unsafe login role. With `invitations` it
    sends invitation emails too."""
    opts = options or WorkerOptions()
    pool = await create_worker_pool(dsn, min_size=1, max_size=opts.concurrency + 2)
    runtime = Runtime(
        pool=pool,
        worker_id=worker_id or new_worker_id(),
        clock=clock or SystemClock(),
        config=config or EngineConfig(),
        settings=settings,
        registry=registry or default_registry(),
    )
    mailer = InvitationEmails(runtime, invitations) if invitations is not None else None
    return Worker(WorkflowEngine(runtime), dsn, opts, mailer), pool


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`leadgen worker`: the CLI entry."""
    options = WorkerOptions(
        concurrency=max(1, args.concurrency),
        poll_interval=max(0.05, args.poll_interval),
        inactivity_interval=max(1.0, args.inactivity_interval),
    )
    return asyncio.run(_main(settings, options, once=args.once))


async def _main(settings: Settings, options: WorkerOptions, *, once: bool) -> int:
    target = None
    if settings.worker_database_url is not None:
        address = DatabaseAddress(settings.worker_database_url, "LEADGEN_WORKER_DATABASE_URL")
    else:
        target = await open_target(settings)
        address = target.worker
    try:
        actions, invitations = action_settings(settings), invitation_settings(settings)
        # started together with its database, the worker waits for it (LEADGEN_DB_STARTUP_TIMEOUT)
        worker, pool = await wait_for_database(
            lambda: open_worker(address.dsn, actions, options=options, invitations=invitations),
            address,
            settings.db_startup_timeout,
        )
        try:
            log.info("worker %s started (concurrency %s)", worker.engine.runtime.worker_id, options.concurrency)
            if once:
                summary = await worker.run_once()
                print(f"worker: {summary}", file=sys.stderr)
                return 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await worker.run(stop)
            return 0
        finally:
            await pool.close()
    finally:
        if target is not None:
            target.close()
