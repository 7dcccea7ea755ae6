"""The results of a run: medians across rounds per operation and server, the ratios, as text, Markdown and JSON."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.loadgen import LoadResult


@dataclass(frozen=True)
class Sample:
    """One timed slot: one operation against one server for one round."""

    op: str
    server: str
    round: int
    result: LoadResult
    app_cpu_ms: float | None  # per request
    pg_cpu_ms: float | None  # per request


@dataclass(frozen=True)
class Row:
    """Medians across rounds of one operation on one server."""

    server: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    app_cpu_ms: float | None
    pg_cpu_ms: float | None
    statements: float | None
    requests: int  # all rounds together
    rounds: int


@dataclass(frozen=True)
class Ratios:
    ours_limit_rps: float | None
    ours_limit_p95: float | None
    ours_postgraphile_rps: float | None


@dataclass
class Soak:
    minutes: float
    samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, RSS MiB)
    requests: int = 0
    rps: float = 0.0
    failures: int = 0

    @property
    def slope_mib_per_min(self) -> float | None:
        """Least-squares slope of RSS over the samples after the first minute (warm-up excluded)."""
        points = [(t / 60, rss) for t, rss in self.samples if t >= 60] or [(t / 60, r) for t, r in self.samples]
        if len(points) < 2:
            return None
        return statistics.linear_regression([p[0] for p in points], [p[1] for p in points]).slope

    @property
    def flat(self) -> bool | None:
        """Flat: the fitted growth over the soak stays under 5% of the starting RSS (and under 20 MiB)."""
        slope = self.slope_mib_per_min
        if slope is None or not self.samples:
            return None
        growth = slope * self.minutes
        return growth < min(20.0, 0.05 * self.samples[0][1])

    def as_dict(self) -> dict[str, Any]:
        return {
            "minutes": self.minutes,
            "requests": self.requests,
            "rps": self.rps,
            "failures": self.failures,
            "rss_start_mib": self.samples[0][1] if self.samples else None,
            "rss_end_mib": self.samples[-1][1] if self.samples else None,
            "slope_mib_per_min": self.slope_mib_per_min,
            "flat": self.flat,
            "samples": self.samples,
        }


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(samples: Sequence[Sample], statements: Mapping[str, Mapping[str, float | None]]) -> dict[str, list[Row]]:
    """Operation -> one row per server (in the order servers first appear), medians across rounds."""
    out: dict[str, list[Row]] = {}
    for op in dict.fromkeys(s.op for s in samples):
        for server in dict.fromkeys(s.server for s in samples if s.op == op):
            mine = [s for s in samples if s.op == op and s.server == server]
            out.setdefault(op, []).append(
                Row(
                    server=server,
                    rps=statistics.median(s.result.rps for s in mine),
                    p50_ms=statistics.median(s.result.p50_ms for s in mine),
                    p95_ms=statistics.median(s.result.p95_ms for s in mine),
                    p99_ms=statistics.median(s.result.p99_ms for s in mine),
                    app_cpu_ms=_median(s.app_cpu_ms for s in mine),
                    pg_cpu_ms=_median(s.pg_cpu_ms for s in mine),
                    statements=statements.get(server, {}).get(op),
                    requests=sum(s.result.requests for s in mine),
                    rounds=len(mine),
                )
            )
    return out


def ratios(rows: Sequence[Row]) -> Ratios:
    by = {r.server: r for r in rows}

    def div(server: str, other: str, field: str) -> float | None:
        a, b = by.get(server), by.get(other)
        if a is None or b is None or not getattr(b, field):
            return None
        return float(getattr(a, field)) / float(getattr(b, field))

    return Ratios(
        ours_limit_rps=div("ours", "limit", "rps"),
        ours_limit_p95=div("ours", "limit", "p95_ms"),
        ours_postgraphile_rps=div("ours", "postgraphile", "rps"),
    )


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _statements(value: float | None) -> str:
    if value is None:
        return "n/a"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


HEADERS = ("server", "req/s", "p50 ms", "p95 ms", "p99 ms", "app CPU ms/req", "PG CPU ms/req", "statements/op")


def _cells(row: Row) -> list[str]:
    return [
        row.server,
        _num(row.rps),
        _num(row.p50_ms),
        _num(row.p95_ms),
        _num(row.p99_ms),
        _num(row.app_cpu_ms, 2),
        _num(row.pg_cpu_ms, 2),
        _statements(row.statements),
    ]


def _ratio_line(r: Ratios) -> str:
    return (
        f"ours/limit: {_ratio(r.ours_limit_rps)} throughput, p95 {_ratio(r.ours_limit_p95)}; "
        f"ours/PostGraphile: {_ratio(r.ours_postgraphile_rps)} throughput"
    )


def text(table: Mapping[str, Sequence[Row]]) -> str:
    lines: list[str] = []
    for op, rows in table.items():
        cells = [list(HEADERS), *(_cells(r) for r in rows)]
        widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
        lines.append(op)
        for row in cells:
            first, *rest = row
            padded = "".join(f"  {c.rjust(w)}" for c, w in zip(rest, widths[1:], strict=True))
            lines.append("  " + first.ljust(widths[0]) + padded)
        lines.append("  " + _ratio_line(ratios(rows)))
        lines.append("")
    return "\n".join(lines)


def markdown(table: Mapping[str, Sequence[Row]], machine: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
    out = [
        f"Run of {machine.get('date')}: {machine.get('cpu')}, {machine.get('cores')} cores, "
        f"{machine.get('memory_gib')} GiB; Python {machine.get('python')}, PostgreSQL {machine.get('postgres')}, "
        f"Node {machine.get('node_loadgen')} (autocannon), Node {machine.get('node_postgraphile', 'n/a')} "
        f"(PostGraphile). {settings.get('connections')} connections, {settings.get('rounds')} interleaved round(s) "
        f"of {float(settings.get('duration', 0)):g} s, {settings.get('users')} users; medians across rounds.",
        "",
        "| operation | " + " | ".join(HEADERS) + " |",
        "|---|---|" + "---:|" * (len(HEADERS) - 1),
    ]
    for op, rows in table.items():
        out.extend(f"| {op} | " + " | ".join(_cells(r)) + " |" for r in rows)
    out += ["", "| operation | ours/limit req/s | ours/limit p95 | ours/PostGraphile req/s |", "|---|---:|---:|---:|"]
    for op, rows in table.items():
        r = ratios(rows)
        out.append(
            f"| {op} | {_ratio(r.ours_limit_rps)} | {_ratio(r.ours_limit_p95)} | {_ratio(r.ours_postgraphile_rps)} |"
        )
    return "\n".join(out) + "\n"


def to_json(
    table: Mapping[str, Sequence[Row]],
    samples: Sequence[Sample],
    machine: Mapping[str, Any],
    settings: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "machine": dict(machine),
        "settings": dict(settings),
        "operations": {
            op: {"servers": [asdict(r) for r in rows], "ratios": asdict(ratios(rows))} for op, rows in table.items()
        },
        "samples": [
            {**{k: v for k, v in asdict(s).items() if k != "result"}, "result": asdict(s.result)} for s in samples
        ],
        **extra,
    }
