"""Where the database is: `DATABASE_URL` when set, otherwise the embedded server in the data folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from server.embedded import EmbeddedPostgres
from server.settings import API_ROLE, WORKER_ROLE, Settings, api_dsn_from, worker_dsn_from


def redact_dsn(dsn: str) -> str:
    """The connection URL without its password (in the user part or as a `password` parameter), fit for a log."""
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        netloc = f"{credentials.split(':', 1)[0]}@{host}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k.lower() != "password"]
    text = parts.query if len(kept) == len(query) else urlencode(kept, safe="/")
    return urlunsplit((parts.scheme, netloc, parts.path, text, parts.fragment))


@dataclass(frozen=True)
class DatabaseAddress:
    """A connection URL and the setting it comes from, so that a log line can say which to fix."""

    dsn: str = field(repr=False)
    origin: str  # e.g. "DATABASE_URL", "DATABASE_URL, as leadgen_api", "LEADGEN_API_DATABASE_URL"

    def describe(self) -> str:
        return f"{redact_dsn(self.dsn)} (from {self.origin})"


@dataclass
class DatabaseTarget:
    admin_dsn: str  # migrations, seed, bench loading: the project's owner role
    api_dsn: str  # the request path: the NOINHERIT API login role
    embedded: EmbeddedPostgres | None
    worker_dsn: str = ""  # the workflow worker: its NOINHERIT login role
    admin_origin: str = "DATABASE_URL"
    api_origin: str = "LEADGEN_API_DATABASE_URL"
    worker_origin: str = "LEADGEN_WORKER_DATABASE_URL"

    @property
    def admin(self) -> DatabaseAddress:
        return DatabaseAddress(self.admin_dsn, self.admin_origin)

    @property
    def api(self) -> DatabaseAddress:
        return DatabaseAddress(self.api_dsn, self.api_origin)

    @property
    def worker(self) -> DatabaseAddress:
        return DatabaseAddress(self.worker_dsn, self.worker_origin)

    def describe(self) -> str:
        if self.embedded is not None:
            return f"embedded PostgreSQL, data in {self.embedded.pgdata}, socket in {self.embedded.socket_dir}"
        return f"the PostgreSQL server of DATABASE_URL ({redact_dsn(self.admin_dsn)})"

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def api_address(settings: Settings, base: str | None = None, base_origin: str = "DATABASE_URL") -> DatabaseAddress:
    """The request path's database: LEADGEN_API_DATABASE_URL, else `base` (DATABASE_URL) as the API role."""
    if settings.api_database_url:
        return DatabaseAddress(settings.api_database_url, "LEADGEN_API_DATABASE_URL")
    base = base or settings.database_url
    if not base:
        raise ValueError("set DATABASE_URL (or LEADGEN_API_DATABASE_URL), or start with `leadgen serve`")
    password = " and LEADGEN_API_PASSWORD" if settings.api_password else ""
    return DatabaseAddress(api_dsn_from(base, settings.api_password), f"{base_origin}{password}, as {API_ROLE}")


def worker_address(settings: Settings, base: str, base_origin: str = "DATABASE_URL") -> DatabaseAddress:
    """The worker's database: LEADGEN_WORKER_DATABASE_URL, else `base` (DATABASE_URL) as the worker's role."""
    if settings.worker_database_url:
        return DatabaseAddress(settings.worker_database_url, "LEADGEN_WORKER_DATABASE_URL")
    password = " and LEADGEN_WORKER_PASSWORD" if settings.worker_password else ""
    return DatabaseAddress(
        worker_dsn_from(base, settings.worker_password), f"{base_origin}{password}, as {WORKER_ROLE}"
    )


async def open_target(settings: Settings) -> DatabaseTarget:
    """Use DATABASE_URL if set (never starting a server, nor connecting), else start or reuse the embedded one."""
    if settings.database_url:
        api = api_address(settings)
        worker = worker_address(settings, settings.database_url)
        return DatabaseTarget(
            admin_dsn=settings.database_url,
            api_dsn=api.dsn,
            embedded=None,
            worker_dsn=worker.dsn,
            api_origin=api.origin,
            worker_origin=worker.origin,
        )
    embedded = EmbeddedPostgres(settings.data_dir)
    embedded.start()
    await embedded.ensure_database()
    origin = f"the embedded PostgreSQL in {embedded.pgdata}"
    return DatabaseTarget(
        admin_dsn=embedded.dsn(),
        api_dsn=settings.api_database_url or embedded.dsn(user=API_ROLE),
        embedded=embedded,
        worker_dsn=settings.worker_database_url or embedded.dsn(user=WORKER_ROLE),
        admin_origin=origin,
        api_origin="LEADGEN_API_DATABASE_URL" if settings.api_database_url else origin,
        worker_origin="LEADGEN_WORKER_DATABASE_URL" if settings.worker_database_url else origin,
    )
