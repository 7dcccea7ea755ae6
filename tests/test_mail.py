"""Email plumbing without a database: addresses a workflow may send to, one-line headers, stable Message-IDs, the
outbox's atomic files, and SMTP settings from LEADGEN_SMTP_URL or its parts."""

from __future__ import annotations

import email
import email.policy
import stat
from pathlib import Path

import pytest

from domain.mail import OutboxBackend, SmtpBackend, build_message, header_text, message_id_for, plain_address
from domain.workflows.settings import SmtpSettings
from server.settings import Settings


@pytest.mark.parametrize("address", ["ada@example.org", "a.b+tag@mail.example.co.uk", "x_y-z@a-b.example"])
def test_plain_addresses(address: str) -> None:
    assert plain_address(f" {address} ") == address


@pytest.mark.parametrize(
    "address", ["a,b@example.com", "Ada <ada@example.org>", "a@b", "a@@b.com", "a..b@example.com", "", None, 5]
)
def test_anything_else_is_not_an_address(address: object) -> None:
    assert plain_address(address) is None


def test_headers_stay_on_one_line_and_message_ids_are_stable() -> None:
    assert header_text("Hi\r\nBcc: victim@example.com\tnow") == "Hi Bcc: victim@example.com now"
    first = message_id_for("wf.123e4567.0", "Leadgen <robot@leadgen.example>")
    assert first == message_id_for("wf.123e4567.0", "robot@leadgen.example") == "<wf.123e4567.0@leadgen.example>"
    assert message_id_for("x y/z", "no address") == "<x.y.z@localhost>"


def test_every_line_separator_and_control_character_leaves_headers() -> None:
    breaking = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and len(f"a{chr(c)}b".splitlines()) > 1]
    controls = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
    for char in {*breaking, *controls, "\u2028", "\u2029"}:
        subject = f"Ada{char}Bcc: victim@example.com"
        assert header_text(subject) == "Ada Bcc: victim@example.com", repr(char)
        message = build_message(
            sender="r@leadgen.example", to="a@example.org", subject=subject, body="", message_id="<m@x>"
        )
        assert len(message.as_bytes().split(b"\r\nBcc")) == 1, repr(char)  # builds, and no second header line


async def test_the_outbox_writes_one_file_per_message_atomically(tmp_path: Path) -> None:
    outbox = OutboxBackend(tmp_path / "outbox")
    message = build_message(
        sender="robot@leadgen.example", to="ada@example.org", subject="Hi\nthere", body="Hello", message_id="<m.1@x>"
    )
    await outbox.send(message)
    await outbox.send(message)  # the same message again (a retried step) replaces its file
    [path] = list((tmp_path / "outbox").iterdir())
    assert path.name == "m.1_x.eml" and stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Hi there" and parsed["Message-ID"] == "<m.1@x>"


def test_smtp_settings_from_a_url_or_its_parts() -> None:
    env = {
        "LEADGEN_SMTP_HOST": "mail.example",
        "LEADGEN_SMTP_PORT": "2525",
        "LEADGEN_SMTP_USER": "me@x.example",
        "LEADGEN_SMTP_PASSWORD": "p@ss:word/1",
    }
    url = Settings.from_env(env).smtp_url
    assert url is not None and "p@ss" not in repr(Settings.from_env(env))
    smtp = SmtpSettings.from_url(url)
    assert (smtp.host, smtp.port, smtp.security, smtp.username, smtp.password) == (
        "mail.example",
        2525,
        "starttls",
        "me@x.example",
        "p@ss:word/1",
    )
    local = SmtpSettings.from_url(
        str(Settings.from_env({"LEADGEN_SMTP_HOST": "h", "LEADGEN_SMTP_SECURITY": "none"}).smtp_url)
    )
    assert (local.security, local.port, local.username) == ("none", 25, None)
    assert Settings.from_env({"LEADGEN_SMTP_URL": "smtps://h", "LEADGEN_SMTP_HOST": "ignored"}).smtp_url == "smtps://h"
    assert Settings.from_env({}).smtp_url is None
    with pytest.raises(ValueError, match="LEADGEN_SMTP_SECURITY"):
        Settings.from_env({"LEADGEN_SMTP_HOST": "h", "LEADGEN_SMTP_SECURITY": "ssl3"})
    assert "secret" not in repr(SmtpBackend("h", 25, password="secret"))
