"""Split a SQL script into statements, respecting quotes, dollar quotes and comments."""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def split_statements(script: str) -> list[str]:
    """Return the script's statements, without their trailing semicolons or surrounding blank space.

    Used to record what a migration ran, as the Supabase CLI does in
    `supabase_migrations.schema_migrations.statements`; execution itself sends the whole file.
    """
    statements: list[str] = []
    start = 0
    i = 0
    n = len(script)
    while i < n:
        ch = script[i]
        if ch == "-" and script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch == "/" and script.startswith("/*", i):
            i = _skip_block_comment(script, i)
        elif ch == "'" or ch == '"':
            i = _skip_quoted(script, i, ch)
        elif ch == "$":
            match = _DOLLAR_TAG.match(script, i)
            if match and not (i > 0 and (script[i - 1].isalnum() or script[i - 1] == "_")):
                tag = match.group(0)
                end = script.find(tag, match.end())
                i = n if end < 0 else end + len(tag)
            else:
                i += 1
        elif ch == ";":
            _append(statements, script[start:i])
            i += 1
            start = i
        else:
            i += 1
    _append(statements, script[start:])
    return statements


def _append(statements: list[str], text: str) -> None:
    stripped = text.strip()
    if stripped and not _only_comments(stripped):
        statements.append(stripped)


def _only_comments(text: str) -> bool:
    without = re.sub(r"--[^\n]*", "", text)
    without = re.sub(r"/\*.*?\*/", "", without, flags=re.S)
    return not without.strip()


def _skip_block_comment(script: str, i: int) -> int:
    # Postgres block comments nest.
    depth = 0
    n = len(script)
    while i < n:
        if script.startswith("/*", i):
            depth += 1
            i += 2
        elif script.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _skip_quoted(script: str, i: int, quote: str) -> int:
    n = len(script)
    i += 1
    while i < n:
        if script[i] == quote:
            if i + 1 < n and script[i + 1] == quote:  # doubled quote inside the literal
                i += 2
                continue
            return i + 1
        i += 1
    return n
