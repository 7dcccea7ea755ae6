"""Settings read from the environment (all optional for a local run)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

API_ROLE = "leadgen_api"


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    api_database_url: str | None = None
    api_password: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(".leadgen"))
    env: str = "development"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = env.get("LEADGEN_ENV", "development").strip().lower() or "development"
        if mode not in ("development", "production"):
            raise ValueError(f"LEADGEN_ENV must be development or production, not {mode!r}")
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            api_database_url=env.get("LEADGEN_API_DATABASE_URL") or None,
            api_password=env.get("LEADGEN_API_PASSWORD") or None,
            data_dir=Path(env.get("LEADGEN_DATA_DIR") or ".leadgen"),
            env=mode,
        )


def api_dsn_from(admin_dsn: str, password: str | None = None) -> str:
    """The same server and database as `admin_dsn`, logged in as the API role instead."""
    parts = urlsplit(admin_dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    credentials = quote(API_ROLE) + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit((parts.scheme, f"{credentials}@{host}", parts.path, parts.query, parts.fragment))
