"""Correctness before timing: every server answers every sampled request with the same normalised data.

A `Responder` answers one prepared request (operation + draw) the way one server does; `http_responder` posts
to a running server, in its dialect (ours and the limit take our body, PostGraphile its own). `check_equal`
asks every responder for every sampled draw and compares the normalised answers (bench.opkit) with the first
responder's; reads must be equal, writes must succeed everywhere. A difference raises `Mismatch` with a diff.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.operations import OPERATIONS, ResponseError
from bench.opkit import Operation
from bench.workload import Dialect, Draw

STATEMENTS_HEADER = "x-leadgen-sql-statements"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    statements: int | None = None  # our x-leadgen-sql-statements header, when present


Responder = Callable[[Operation, Draw], Awaitable[Answer]]


@dataclass(frozen=True)
class Target:
    name: str
    dialect: Dialect
    respond: Responder


class Mismatch(AssertionError):
    """Servers disagree (or one failed): the message says where, with a diff of the normalised data."""


@dataclass
class CheckReport:
    compared: dict[str, int] = field(default_factory=dict)  # operation -> requests compared per server
    statements: dict[str, dict[str, int]] = field(default_factory=dict)  # server -> operation -> header value

    def summary(self) -> str:
        return ", ".join(f"{op} x{n}" for op, n in self.compared.items())


def http_responder(client: httpx.AsyncClient, url: str, dialect: Dialect) -> Responder:
    async def respond(op: Operation, draw: Draw) -> Answer:
        headers = {"authorization": draw.user.authorization, "content-type": "application/json"}
        response = await client.post(url, content=draw.body(op, dialect).encode(), headers=headers)
        header = response.headers.get(STATEMENTS_HEADER)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Answer(response.status_code, body, int(header) if header else None)

    return respond


def normalised(op: Operation, dialect: Dialect, answer: Answer) -> Any:
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise ResponseError(f"HTTP {answer.status}: {str(answer.body)[:2000]}")
    return op.normalise_postgraphile(answer.body) if dialect == "postgraphile" else op.normalise(answer.body)


def applicable(targets: Sequence[Target], op: Operation) -> list[Target]:
    """The targets that can answer `op` (PostGraphile only where an equivalent query exists)."""
    return [t for t in targets if t.dialect != "postgraphile" or op.comparable_with_postgraphile]


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=1, sort_keys=True, default=str).splitlines()


def diff(expected: Any, actual: Any, names: tuple[str, str], limit: int = 80) -> str:
    lines = list(difflib.unified_diff(_pretty(expected), _pretty(actual), *names, lineterm="", n=2))
    more = f"\n... {len(lines) - limit} more diff lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


async def check_equal(
    targets: Sequence[Target], samples: Mapping[str, Sequence[Draw]], *, say: Callable[[str], None] = print
) -> CheckReport:
    """Compare every target's answers for every sampled draw of every operation (keys of `samples`)."""
    if not targets:
        raise ValueError("no server to check")
    report = CheckReport(statements={t.name: {} for t in targets})
    for op_name, draws in samples.items():
        op = OPERATIONS[op_name]
        for draw in draws:
            reference: Any = None
            for index, target in enumerate(applicable(targets, op)):
                answer = await target.respond(op, draw)
                try:
                    value = normalised(op, target.dialect, answer)
                except ResponseError as exc:
                    raise Mismatch(
                        f"{op_name} as user {draw.user.user_id} failed on {target.name} with variables "
                        f"{json.dumps(draw.variables)}: {exc}"
                    ) from exc
                if answer.statements is not None:
                    report.statements[target.name].setdefault(op_name, answer.statements)
                if index == 0:
                    reference = value
                elif value != reference:
                    first = targets[0].name
                    raise Mismatch(
                        f"{op_name} as user {draw.user.user_id} with variables {json.dumps(draw.variables)}: "
                        f"{target.name} differs from {first}:\n{diff(reference, value, (first, target.name))}"
                    )
        report.compared[op_name] = len(draws)
        names = ", ".join(t.name for t in applicable(targets, op))
        say(f"  {op_name:15} identical on {names} ({len(draws)} requests each)")
    return report
