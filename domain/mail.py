"""Sending email: an RFC 5322 message (email.message.EmailMessage) through SMTP, or into a local outbox folder.

* `SmtpBackend`: STARTTLS (port 587), TLS from the start (465) or, for local catchers only, no encryption; login
  when a user name is configured. smtplib runs in a thread, bounded by `timeout`. Failures are `EmailError`s that
  say whether another try may succeed: connection problems, timeouts and 4xx answers are retryable; 5xx answers
  (a refused sender or recipient, a failed login) are not.
* `OutboxBackend`: one `.eml` file per message in a folder (development, tests): written to a temporary file,
  flushed and renamed into place, so a reader never sees half a message. The file is named after the Message-ID,
  so sending the same message again replaces its file instead of adding one.

Messages carry text only (`text/plain; charset=utf-8`); header values are one line: every control character and
line or paragraph separator (CR, LF, NEL U+0085, U+2028, U+001C ...) becomes a space (`header_text`).
"""

from __future__ import annotations

import asyncio
import email.policy
import email.utils
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol

SMTP_TIMEOUT = 20.0  # seconds for the whole conversation with the server (well inside a workflow step's lease)
SmtpSecurity = Literal["starttls", "tls", "none"]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# every control character (C0, DEL, C1: \x1c-\x1e and NEL \x85 end lines for str.splitlines, which the email
# package applies to header values) and the Unicode line and paragraph separators U+2028, U+2029
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# one plain address (no display name, no list, no quoting): what a workflow may send to
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class EmailError(Exception):
    """A message could not be sent; `retryable` says whether another try later may succeed."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class EmailBackend(Protocol):
    @property
    def name(self) -> str:
        """What the backend is: "smtp" | "outbox"."""
        ...

    async def send(self, message: EmailMessage) -> None:
        """Deliver the message or raise EmailError."""
        ...


def plain_address(value: object) -> str | None:
    """The address itself when `value` is one plain email address (`name@example.com`), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _ADDRESS.match(value) and ".." not in value else None


def header_text(value: str, max_length: int = 998) -> str:
    """A header value on one line, at most `max_length`: every run of control characters, line and paragraph
    separators (anything str.splitlines would break at, tabs included) becomes one space."""
    return _LINE_BREAKS.sub(" ", value).strip()[:max_length]


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text message; `message_id` is the full `<...@...>` form."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = header_text(sender)
    message["To"] = header_text(to)
    message["Subject"] = header_text(subject)
    message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = header_text(message_id)
    if reply_to:
        message["Reply-To"] = header_text(reply_to)
    for name, value in (headers or {}).items():
        message[name] = header_text(value)
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


def message_id_for(key: str, sender: str) -> str:
    """A Message-ID made from `key` (stable: the same key gives the same id) and the sender's domain."""
    _, address = email.utils.parseaddr(sender)
    domain = address.rpartition("@")[2] if "@" in address else "localhost"
    return f"<{_SAFE_NAME.sub('.', key).strip('.')}@{_SAFE_NAME.sub('', domain) or 'localhost'}>"


@dataclass(frozen=True)
class OutboxBackend:
    """Messages as `.eml` files in `folder` (created with mode 0700 when missing)."""

    folder: Path
    name: str = "outbox"

    async def send(self, message: EmailMessage) -> None:
        try:
            await asyncio.to_thread(self.write, message)
        except OSError as exc:
            raise EmailError(f"could not write to the outbox: {type(exc).__name__}", retryable=True) from exc

    def path_for(self, message: EmailMessage) -> Path:
        key = _SAFE_NAME.sub("_", str(message.get("Message-ID", "")).strip("<> ")) or "message"
        return self.folder / f"{key}.eml"

    def write(self, message: EmailMessage) -> Path:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self.path_for(message)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(message.as_bytes(policy=email.policy.SMTP))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


@dataclass(frozen=True)
class SmtpBackend:
    """An SMTP server; the password never appears in a message or a repr."""

    host: str
    port: int
    security: SmtpSecurity = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = SMTP_TIMEOUT
    name: str = "smtp"

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _send(self, message: EmailMessage) -> None:
        recipients = [a for _, a in email.utils.getaddresses([str(v) for v in message.get_all("To", [])]) if a]
        try:
            with self._connect() as smtp:
                smtp.ehlo()
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise EmailError(
                f"the SMTP server refused the recipient ({', '.join(map(str, codes))})",
                retryable=all(code < 500 for code in codes),
            ) from None
        except smtplib.SMTPResponseException as exc:  # refused sender, failed login, failed data, ...
            raise EmailError(_answer(exc), retryable=exc.smtp_code < 500) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise EmailError(f"the SMTP server does not support what is configured: {exc}", retryable=False) from None
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused connection, timeout, TLS
            raise EmailError(f"could not reach the SMTP server: {type(exc).__name__}", retryable=True) from None
        if refused:
            codes = [code for code, _ in refused.values()]
            raise EmailError(f"the SMTP server refused a recipient ({codes})", retryable=all(c < 500 for c in codes))


def _answer(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"the SMTP server answered {exc.smtp_code}: {header_text(text, 300)}"
