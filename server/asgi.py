"""The ASGI entry point for uvicorn (and any ASGI server): configured from the environment."""

from __future__ import annotations

from server.app import create_app
from server.services import open_services
from server.settings import Settings

_settings = Settings.from_env()
app = create_app(
    startup=open_services(_settings), cors_origins=_settings.cors_origins, trusted_proxies=_settings.trusted_proxies
)
