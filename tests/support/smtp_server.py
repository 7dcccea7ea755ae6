"""A tiny SMTP server for tests (asyncio, 127.0.0.1, no TLS, no auth): it keeps every message it accepts, and can
refuse recipients with a chosen reply (e.g. 550 permanently, 451 for now), or stall: keep the next `stall` messages
without ever answering their DATA (as a server would whose reply a killed client never read)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass
class SmtpServer:
    port: int = 0
    refuse_recipients: str | None = None  # e.g. "550 5.1.1 no such user": RCPT TO gets this answer
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (MAIL FROM, RCPT TOs)
    stall: int = 0  # the next `stall` messages are kept but never answered (until close_stalled or the client leaves)
    stalled: asyncio.Event = field(default_factory=asyncio.Event)  # set when a message is kept unanswered
    _stalled_writers: list[asyncio.StreamWriter] = field(default_factory=list)

    def close_stalled(self) -> None:
        """Hang up on the clients waiting for an answer to their DATA."""
        for writer in self._stalled_writers:
            writer.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        sender, recipients = "", list[str]()
        await reply("220 test ESMTP")
        try:
            while line := (await reader.readline()).decode("utf-8", "replace").strip():
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    await reply("250-test\r\n250 8BITMIME")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].strip(), []
                    await reply("250 OK")
                elif verb == "RCPT":
                    if self.refuse_recipients:
                        await reply(self.refuse_recipients)
                    else:
                        recipients.append(line.split(":", 1)[1].strip())
                        await reply("250 OK")
                elif verb == "DATA":
                    await reply("354 go ahead")
                    data = await reader.readuntil(b"\r\n.\r\n")
                    body = data[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
                    message = email.message_from_bytes(body, policy=email.policy.default)
                    assert isinstance(message, EmailMessage)
                    self.messages.append(message)
                    self.envelopes.append((sender, recipients))
                    if self.stall > 0:
                        self.stall -= 1
                        self._stalled_writers.append(writer)
                        self.stalled.set()
                        await reader.read()  # no answer: until the client goes away or we hang up
                        break
                    await reply("250 queued")
                elif verb == "QUIT":
                    await reply("221 bye")
                    break
                else:  # RSET, NOOP, ...
                    await reply("250 OK")
        finally:
            writer.close()


@asynccontextmanager
async def smtp_server(refuse_recipients: str | None = None, stall: int = 0) -> AsyncIterator[SmtpServer]:
    server = SmtpServer(refuse_recipients=refuse_recipients, stall=stall)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        server.close_stalled()
        listener.close()
        await listener.wait_closed()
