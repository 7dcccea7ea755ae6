"""Run an operation until it ends, its deadline passes or its client disconnects, whichever comes first."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.requests import Request

from db.failures import OperationTimedOut

T = TypeVar("T")


class ClientDisconnected(Exception):
    """The client closed the connection before the answer was ready; the operation was cancelled."""


async def _disconnected(request: Request) -> None:
    """Returns when the ASGI server reports that the client went away (the body has been read already)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def run_guarded(request: Request, operation: Callable[[float], Awaitable[T]], seconds: float) -> T:
    """`operation(deadline)`, cancelled when `seconds` pass or the client disconnects.

    Cancelling the operation's task cancels its running statement (asyncpg sends Postgres a cancel request)
    and its cleanup closes the connection; the deadline also reaches Postgres as the statement timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    work = asyncio.ensure_future(operation(deadline))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait({work, gone}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        # cancelled from outside (the server's graceful-shutdown time is over): the operation is stopped and its
        # transaction rolled back before this returns, so that the caller may still answer truthfully
        work.cancel()
        gone.cancel()
        await asyncio.wait({work})
        raise
    if work in done:
        gone.cancel()
        return work.result()
    work.cancel()
    await asyncio.wait({work})  # let its cleanup close the connection before answering
    if gone in done:
        raise ClientDisconnected
    gone.cancel()
    raise OperationTimedOut(f"the operation did not finish within {seconds:g} s")
