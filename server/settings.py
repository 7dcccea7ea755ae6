"""Settings read from the environment (all optional for a local run)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from server.client_address import parse_trusted_proxies

API_ROLE = "leadgen_api"
WORKER_ROLE = "leadgen_worker"


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    api_database_url: str | None = None
    api_password: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(".leadgen"))
    env: str = "development"
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_000_000
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_page_size: int = 100
    max_cost: int = 50_000  # LEADGEN_MAX_COST: objects one response may hold (gql/cost.py)
    max_response_bytes: int = 10_000_000  # LEADGEN_MAX_RESPONSE_BYTES
    operation_timeout: float = 8.0  # LEADGEN_OPERATION_TIMEOUT, seconds per GraphQL operation
    pool_timeout: float = 3.0  # LEADGEN_POOL_TIMEOUT, seconds to wait for a database connection
    # LEADGEN_DB_STARTUP_TIMEOUT: seconds to keep trying to reach the database at start-up (server and worker)
    db_startup_timeout: float = 60.0
    shutdown_timeout: float = 10.0  # LEADGEN_SHUTDOWN_TIMEOUT: seconds in-flight requests get after SIGTERM
    pool_min_size: int = 2
    pool_max_size: int = 10
    compiled_reads: bool = True
    operations: str = "any"  # LEADGEN_OPERATIONS: any | trusted (only registered documents run)
    max_batch: int = 10  # LEADGEN_MAX_BATCH: operations in one batched POST (0: no batches)
    # LEADGEN_TRUSTED_PROXIES: proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For names the
    # client; none by default: the socket's peer is the client (see server/client_address.py)
    trusted_proxies: tuple[str, ...] = ()
    secret_key: str | None = field(default=None, repr=False)  # LEADGEN_SECRET_KEY (see server/server_secret.py)
    # LEADGEN_SECRET_KEY_PREVIOUS: earlier secrets (comma-separated) that still decrypt stored credentials
    previous_secret_keys: tuple[str, ...] = field(default=(), repr=False)
    webhook_allow_private: bool = False  # LEADGEN_WEBHOOK_ALLOW_PRIVATE=1: webhooks may call private addresses
    webhook_timeout: float = 10.0  # LEADGEN_WEBHOOK_TIMEOUT, seconds (at most 30)
    # LEADGEN_WORKER_LEASE_SECONDS: the worker's lease on each claim, renewed while it runs; a dead worker's work is
    # taken over this long after its last renewal (`leadgen worker --lease-seconds` overrides it)
    worker_lease_seconds: float = 30.0
    # the workflow worker: its login role's connection (LEADGEN_WORKER_DATABASE_URL, or LEADGEN_WORKER_PASSWORD to
    # derive it from DATABASE_URL), and where emails go (SMTP, else an outbox folder; see domain/workflows/settings.py)
    worker_database_url: str | None = None
    worker_password: str | None = field(default=None, repr=False)
    # LEADGEN_SMTP_URL: smtp[s]://user:password@host:port, or its parts: LEADGEN_SMTP_HOST, LEADGEN_SMTP_PORT,
    # LEADGEN_SMTP_USER, LEADGEN_SMTP_PASSWORD, LEADGEN_SMTP_SECURITY (starttls | tls | none; default starttls)
    smtp_url: str | None = field(default=None, repr=False)
    email_from: str = "Leadgen <no-reply@localhost>"  # LEADGEN_EMAIL_FROM
    email_outbox: Path | None = None  # LEADGEN_EMAIL_OUTBOX (development default: <data dir>/outbox)
    # LEADGEN_INVITATION_URL: the link of invitation emails, where the app accepts them; {token} is replaced
    invitation_url: str = "http://localhost:3000/invitations/accept?token={token}"
    # LEADGEN_PUBLIC_URL: where visitors reach this server (hosted form pages, embed snippets); unset: the origin
    # each request came to, which is right in development but not behind a proxy that changes the scheme or host
    public_url: str | None = None

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = env.get("LEADGEN_ENV", "development").strip().lower() or "development"
        if mode not in ("development", "production"):
            raise ValueError(f"LEADGEN_ENV must be development or production, not {mode!r}")
        default_cors = "" if mode == "production" else "*"
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            api_database_url=env.get("LEADGEN_API_DATABASE_URL") or None,
            api_password=env.get("LEADGEN_API_PASSWORD") or None,
            data_dir=Path(env.get("LEADGEN_DATA_DIR") or ".leadgen"),
            env=mode,
            cors_origins=tuple(
                o.strip() for o in env.get("LEADGEN_CORS_ORIGINS", default_cors).split(",") if o.strip()
            ),
            max_body_bytes=_int(env, "LEADGEN_MAX_BODY_BYTES", 1_000_000),
            max_depth=_int(env, "LEADGEN_MAX_DEPTH", 10),
            max_aliases=_int(env, "LEADGEN_MAX_ALIASES", 30),
            max_tokens=_int(env, "LEADGEN_MAX_TOKENS", 2000),
            max_page_size=_int(env, "LEADGEN_MAX_PAGE_SIZE", 100),
            max_cost=_int(env, "LEADGEN_MAX_COST", 50_000),
            max_response_bytes=_int(env, "LEADGEN_MAX_RESPONSE_BYTES", 10_000_000),
            operation_timeout=_seconds(env, "LEADGEN_OPERATION_TIMEOUT", 8.0, at_most=600.0),
            pool_timeout=_seconds(env, "LEADGEN_POOL_TIMEOUT", 3.0, at_most=60.0),
            db_startup_timeout=_seconds(env, "LEADGEN_DB_STARTUP_TIMEOUT", 60.0, at_most=3600.0),
            shutdown_timeout=_seconds(env, "LEADGEN_SHUTDOWN_TIMEOUT", 10.0, at_most=600.0),
            pool_min_size=_int(env, "LEADGEN_POOL_MIN", 2),
            pool_max_size=_int(env, "LEADGEN_POOL_MAX", 10),
            compiled_reads=_flag(env, "LEADGEN_COMPILED_READS", default=True),
            operations=_choice(env, "LEADGEN_OPERATIONS", ("any", "trusted"), "any"),
            max_batch=_int(env, "LEADGEN_MAX_BATCH", 10, minimum=0),
            trusted_proxies=parse_trusted_proxies(env.get("LEADGEN_TRUSTED_PROXIES", "")),
            secret_key=env.get("LEADGEN_SECRET_KEY") or None,
            previous_secret_keys=tuple(
                k.strip() for k in env.get("LEADGEN_SECRET_KEY_PREVIOUS", "").split(",") if k.strip()
            ),
            webhook_allow_private=_flag(env, "LEADGEN_WEBHOOK_ALLOW_PRIVATE"),
            webhook_timeout=_seconds(env, "LEADGEN_WEBHOOK_TIMEOUT", 10.0, at_most=30.0),
            worker_lease_seconds=_seconds(env, "LEADGEN_WORKER_LEASE_SECONDS", 30.0, at_most=3600.0, at_least=1.0),
            worker_database_url=env.get("LEADGEN_WORKER_DATABASE_URL") or None,
            worker_password=env.get("LEADGEN_WORKER_PASSWORD") or None,
            smtp_url=env.get("LEADGEN_SMTP_URL") or _smtp_url_from_parts(env),
            email_from=env.get("LEADGEN_EMAIL_FROM") or "Leadgen <no-reply@localhost>",
            email_outbox=Path(env["LEADGEN_EMAIL_OUTBOX"]) if env.get("LEADGEN_EMAIL_OUTBOX") else None,
            invitation_url=_invitation_url(env),
            public_url=_public_url(env),
        )


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


SMTP_SECURITY_SCHEMES = {"starttls": "smtp", "tls": "smtps", "none": "smtp+insecure"}


def _smtp_url_from_parts(env: Mapping[str, str]) -> str | None:
    """LEADGEN_SMTP_HOST and friends as one LEADGEN_SMTP_URL (None without a host)."""
    host = env.get("LEADGEN_SMTP_HOST", "").strip()
    if not host:
        return None
    security = env.get("LEADGEN_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
    if security not in SMTP_SECURITY_SCHEMES:
        raise ValueError(f"LEADGEN_SMTP_SECURITY must be starttls, tls or none, not {security!r}")
    port = env.get("LEADGEN_SMTP_PORT", "").strip()
    if port and not port.isdigit():
        raise ValueError(f"LEADGEN_SMTP_PORT must be a port number, not {port!r}")
    user, password = env.get("LEADGEN_SMTP_USER", ""), env.get("LEADGEN_SMTP_PASSWORD", "")
    credentials = f"{quote(user, safe='')}{':' + quote(password, safe='') if password else ''}@" if user else ""
    return f"{SMTP_SECURITY_SCHEMES[security]}://{credentials}{host}{':' + port if port else ''}"


def _invitation_url(env: Mapping[str, str]) -> str:
    url = env.get("LEADGEN_INVITATION_URL", "").strip() or Settings.invitation_url
    if "{token}" not in url or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("LEADGEN_INVITATION_URL must be an http(s) URL with {token} where the token goes")
    return url


def _public_url(env: Mapping[str, str]) -> str | None:
    url = env.get("LEADGEN_PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("LEADGEN_PUBLIC_URL must be an http(s) URL without query, e.g. https://forms.example.com")
    return url


TRUE_WORDS = ("1", "true", "on", "yes")
FALSE_WORDS = ("0", "false", "off", "no")


def _flag(env: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    """A yes/no setting: 1/true/on/yes or 0/false/off/no (any case); unset or empty is the default; anything else
    is refused (a typo never turns a setting on or off silently)."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}, not {env.get(name)!r}")


def _seconds(
    env: Mapping[str, str], name: str, default: float, *, at_most: float, at_least: float | None = None
) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= at_most:
        raise ValueError(f"{name} must be more than 0 and at most {at_most:g} seconds")
    if at_least is not None and value < at_least:
        raise ValueError(f"{name} must be at least {at_least:g} and at most {at_most:g} seconds")
    return value


def api_dsn_from(admin_dsn: str, password: str | None = None, role: str = API_ROLE) -> str:
    """The same server and database as `admin_dsn`, logged in as the API role (or `role`) instead."""
    parts = urlsplit(admin_dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    credentials = quote(role) + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit((parts.scheme, f"{credentials}@{host}", parts.path, parts.query, parts.fragment))


def worker_dsn_from(admin_dsn: str, password: str | None = None) -> str:
    """The same server and database as `admin_dsn`, logged in as the worker's role."""
    return api_dsn_from(admin_dsn, password, WORKER_ROLE)


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value
