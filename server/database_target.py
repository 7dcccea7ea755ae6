"""Where the database is: `DATABASE_URL` when set, otherwise the embedded server in the data folder."""

from __future__ import annotations

from dataclasses import dataclass

from server.embedded import EmbeddedPostgres
from server.settings import Settings, api_dsn_from, worker_dsn_from


@dataclass
class DatabaseTarget:
    admin_dsn: str  # migrations, seed, bench loading: the project's owner role
    api_dsn: str  # the request path: the NOINHERIT API login role
    embedded: EmbeddedPostgres | None
    worker_dsn: str = ""  # the workflow worker: its NOINHERIT login role

    def describe(self) -> str:
        if self.embedded is not None:
            return f"embedded PostgreSQL, data in {self.embedded.pgdata}, socket in {self.embedded.socket_dir}"
        return "the PostgreSQL server of DATABASE_URL"

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


async def open_target(settings: Settings) -> DatabaseTarget:
    """Use DATABASE_URL if set (never starting a server), else start or reuse the embedded one."""
    if settings.database_url:
        api = settings.api_database_url or api_dsn_from(settings.database_url, settings.api_password)
        worker = settings.worker_database_url or worker_dsn_from(settings.database_url, settings.worker_password)
        return DatabaseTarget(admin_dsn=settings.database_url, api_dsn=api, embedded=None, worker_dsn=worker)
    embedded = EmbeddedPostgres(settings.data_dir)
    embedded.start()
    await embedded.ensure_database()
    api = settings.api_database_url or embedded.dsn(user="leadgen_api")
    worker = settings.worker_database_url or embedded.dsn(user="leadgen_worker")
    return DatabaseTarget(admin_dsn=embedded.dsn(), api_dsn=api, embedded=embedded, worker_dsn=worker)
