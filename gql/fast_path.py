"""The compiled read path: a validated query becomes one cached SQL statement returning the response JSON."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from db.compiler import CompiledQuery, TooWide, compile_plan
from db.sql_builder import InvalidCursor
from gql.bounded_cache import BoundedCache, text_key
from gql.documents import PreparedDocument
from gql.planner import ReadPlanner, Unsupported
from gql.schema import LeadgenSchema
from resolvers.context import Limits

log = logging.getLogger("leadgen.compiled")


@dataclass(frozen=True)
class NotCompiled:
    """Remembered for a (document, operation, variables): the general path answers it."""

    reason: str


class CompiledReads:
    """Decides, per (document, operation, variables), whether one SQL statement can answer it, and how.

    Plans are cached by a hash of the three (never by the client's text itself) within a byte budget, and a
    plan whose bound values are large is not cached at all: unique large variables cannot grow memory."""

    def __init__(
        self,
        schema: LeadgenSchema,
        limits: Limits,
        *,
        max_entries: int = 2048,
        max_bytes: int = 32 * 1024 * 1024,
        max_item_bytes: int = 256 * 1024,
    ) -> None:
        self._documents = schema.documents
        self._planner = ReadPlanner(schema, limits)
        self._compiled: BoundedCache[CompiledQuery | NotCompiled] = BoundedCache(max_entries, max_bytes, max_item_bytes)
        # how often reads took the compiled path, or why not ("unsupported: <field>", "cannot compile: ...")
        self.outcomes: Counter[str] = Counter()
        self._lock = threading.Lock()

    @property
    def cache(self) -> BoundedCache[CompiledQuery | NotCompiled]:
        return self._compiled

    def compile_text(self, query: str, operation_name: str | None, variables: dict[str, Any]) -> CompiledQuery | None:
        """`compile` for a document given as text (tools and tests; the endpoint has it prepared already)."""
        return self.compile(self._documents.prepare(query), operation_name, variables)

    def compile(
        self, prepared: PreparedDocument, operation_name: str | None, variables: dict[str, Any]
    ) -> CompiledQuery | None:
        if not prepared.valid or prepared.document is None:
            return None  # the general path reports the errors
        try:
            variables_text = json.dumps(variables, sort_keys=True, separators=(",", ":"), default=str)
        except (TypeError, ValueError):
            return None
        key = text_key(prepared.key, operation_name, variables_text)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(prepared, operation_name, variables)
            self._compiled.put(key, compiled, _size(compiled, variables_text))
        reason = "compiled" if isinstance(compiled, CompiledQuery) else compiled.reason
        with self._lock:
            self.outcomes[reason] += 1
        return compiled if isinstance(compiled, CompiledQuery) else None

    def _compile(
        self, prepared: PreparedDocument, operation_name: str | None, variables: dict[str, Any]
    ) -> CompiledQuery | NotCompiled:
        assert prepared.document is not None
        try:
            return compile_plan(self._planner.plan(prepared.document, operation_name, variables))
        except Unsupported as exc:
            return NotCompiled(f"unsupported: {exc}")
        except (TooWide, InvalidCursor, ValueError) as exc:
            # the general path answers (a forged cursor is reported there, with its path)
            return NotCompiled(f"cannot compile: {type(exc).__name__}")
        except Exception as exc:
            # a bug of the compiled path must not cost the client its answer: the general path answers
            log.warning(
                "the compiled path failed on query %s; the general path answers it", prepared.key[:12], exc_info=True
            )
            return NotCompiled(f"error: {type(exc).__name__}")


def _size(compiled: CompiledQuery | NotCompiled, variables_text: str) -> int:
    """What an entry keeps alive: the SQL text and the bound values (about as large as the variables)."""
    if isinstance(compiled, NotCompiled):
        return 200
    return sys.getsizeof(compiled.sql) + 2 * len(variables_text) + 200
