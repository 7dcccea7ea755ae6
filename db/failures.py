"""Which database failures mean "the database is unreachable" or "out of time", rather than a bug or bad input."""

from __future__ import annotations

import asyncio

import asyncpg


class PoolExhausted(TimeoutError):
    """No pooled connection became free within the acquisition timeout."""


class OperationTimedOut(TimeoutError):
    """The operation ran past its deadline and was stopped."""


# 08: connection exceptions; 57P01-57P03: admin/crash shutdown, cannot connect now; 53300: too many
# connections (the server refuses new sessions); 57P05: idle session timeout.
_UNAVAILABLE_STATES = ("57P01", "57P02", "57P03", "57P05", "53300")


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or went away: retrying later may work, and nothing is the client's fault."""
    if isinstance(exc, PoolExhausted):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        return state.startswith("08") or state in _UNAVAILABLE_STATES
    if isinstance(exc, asyncpg.InternalClientError):
        # "cannot switch to state 15; another operation (2) is in progress": the server ended the session (a restart
        # sends idle connections a FATAL error) and the connection's protocol is stuck: it is broken, not a bug of ours
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        # "connection is closed", "cannot perform operation: another operation is in progress" after a reset
        return isinstance(exc, asyncpg.ConnectionDoesNotExistError) or "closed" in str(exc) or "reset" in str(exc)
    return isinstance(exc, ConnectionError | OSError) and not isinstance(exc, TimeoutError)


def outage_reason(exc: BaseException) -> str:
    """An outage in words for the log: asyncpg's protocol-state messages read like a bug of ours, and are not."""
    if isinstance(exc, asyncpg.InternalClientError):
        return "the database ended the connection (it is restarting or shutting down)"
    return str(exc) or type(exc).__name__


def is_timeout(exc: BaseException) -> bool:
    """A statement or the whole operation ran out of time (57014 is also a cancelled statement)."""
    if isinstance(exc, OperationTimedOut):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return exc.sqlstate in ("57014", "55P03")  # query_canceled (statement_timeout), lock_not_available
    return isinstance(exc, asyncio.TimeoutError) and not isinstance(exc, PoolExhausted)
