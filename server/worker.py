"""`leadgen worker`: runs workflows in the background (domain/workflows/engine.py does the work).

Run as many as you like, on one machine or many: they share the work through the database (FOR UPDATE SKIP LOCKED
and leases). Each logs in as leadgen_worker (refusing to start as a superuser, a BYPASSRLS role or a role that
inherits privileges), LISTENs on `leadgen_workflows` to wake up when events or steps are written, and polls every
`--poll-interval` seconds as a fallback (sooner when a delayed step falls due or a lease runs out). Up to
`--concurrency` pieces of work run at once (domain/workflows/dispatcher.py): a slot that frees up is filled at
once. Each claim is leased for `--lease-seconds` (LEADGEN_WORKER_LEASE_SECONDS, default 30) and renewed every third
of that while it runs, so a worker that dies leaves its work to the others within one lease. Every few minutes it
writes the inactivity events that are due. It also sends the invitation emails queued by inviteToSpace
(domain/invitation_emails.py). `--once` works until nothing is due and exits (cron, tests). SIGINT/SIGTERM let the
work under way finish (its leases renewed), then stop.
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
from domain.invitation_emails import ClaimedEmail, InvitationEmails, InvitationEmailSettings
from domain.webhooks import WebhookPolicy
from domain.workflows.actions.registry import ActionRegistry, default_registry
from domain.workflows.clock import Clock, SystemClock
from domain.workflows.dispatcher import Dispatcher, RunSummary, Source
from domain.workflows.engine import WorkflowEngine
from domain.workflows.settings import ActionSettings, EmailSettings, EngineConfig, SmtpSettings
from domain.workflows.steps import Runtime
from server.credential_keys import load_keyring
from server.database_target import DatabaseAddress, open_target
from server.db_wait import wait_for_database
from server.server_secret import load_server_secret
from server.settings import Settings

log = logging.getLogger("leadgen.worker")
T = TypeVar("T")
MIN_LEASE, MAX_LEASE = 1.0, 3600.0  # seconds; see server/settings.py (LEADGEN_WORKER_LEASE_SECONDS)


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
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=None,
        help="lease of each claim, renewed while it runs; a dead worker's work is taken over after it"
        " (default LEADGEN_WORKER_LEASE_SECONDS, else 30)",
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

    def dispatcher(self) -> Dispatcher:
        """The engine's kinds of work and the invitation emails, `concurrency` at a time."""
        sources = self.engine.sources()
        if self.invitations is not None:
            mailer = self.invitations

            async def send(email: ClaimedEmail) -> RunSummary:
                await mailer.run(email)
                return RunSummary(emails=1)

            sources.append(Source("invitation email", mailer.claim, send))
        return Dispatcher(sources, self.options.concurrency, log)

    async def run_once(self) -> RunSummary:
        """Seal step secrets stored in clear, scan for inactivity, then work until nothing is due."""
        await self.engine.seal_step_secrets()
        await self.engine.scan_inactivity()
        return await self.dispatcher().drain()

    async def run(self, stop: asyncio.Event) -> None:
        dispatcher = self.dispatcher()
        next_scan = next_purge = time.monotonic()
        stopping = asyncio.ensure_future(stop.wait())
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
                await self._safely(dispatcher.fill(), "claiming work")
                # a free slot is filled as soon as a piece finishes, work is announced, or something falls due
                wake = asyncio.ensure_future(self._wake.wait())
                try:
                    await dispatcher.wait(wake, stopping, timeout=await self._timeout())
                finally:
                    wake.cancel()
                self._report(dispatcher.collect())
            self._report(await dispatcher.finish())
        except asyncio.CancelledError:
            await dispatcher.cancel()
            raise
        finally:
            stopping.cancel()
            await self._unlisten()

    def _report(self, summary: RunSummary) -> None:
        if summary.happened():
            log.info("%s", summary)

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
    # per piece of work in flight: its step's transaction, and now and then a heartbeat or an effect's record
    pool = await create_worker_pool(dsn, min_size=1, max_size=2 * opts.concurrency + 2)
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
    lease = settings.worker_lease_seconds if args.lease_seconds is None else args.lease_seconds
    if not MIN_LEASE <= lease <= MAX_LEASE:
        print(f"leadgen worker: --lease-seconds must be {MIN_LEASE:g} to {MAX_LEASE:g}", file=sys.stderr)
        return 2
    config = EngineConfig(lease_seconds=lease)
    return asyncio.run(_main(settings, options, config, once=args.once))


async def _main(settings: Settings, options: WorkerOptions, config: EngineConfig, *, once: bool) -> int:
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
            lambda: open_worker(address.dsn, actions, options=options, config=config, invitations=invitations),
            address,
            settings.db_startup_timeout,
        )
        try:
            log.info(
                "worker %s started (concurrency %s, lease %g s)",
                worker.engine.runtime.worker_id,
                options.concurrency,
                config.lease_seconds,
            )
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
