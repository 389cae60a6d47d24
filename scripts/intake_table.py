"""The intake benchmark's table: each figure the median of its repeated runs, every run shown beside it.

On this machine the same code, minutes apart, has measured a quarter more or
less (docs/benchmarks.md): a single run per figure said as much about the
moment as about the code. ``scripts/bench_intake.py`` therefore measures each
figure several times, the runs of all figures interleaved so a slow spell
falls on several figures rather than on all runs of one, and this module
writes the median of each column with every run's rate and p99 beside it. The
goal is met by a figure whose median rate and median p99 both meet it.
"""
from __future__ import annotations

from statistics import median

GOAL_RATE, GOAL_P99_MS = 1000, 100


def figures(rows: list[dict]) -> list[dict]:
    """One figure per backend, path and client count, from its runs (in the order first measured)."""
    runs: dict[tuple, list[dict]] = {}
    for row in rows:
        runs.setdefault((row["backend"], row["kind"], row["connections"]), []).append(row)
    result = []
    for group in runs.values():
        first = group[0]
        result.append({
            "backend": first["backend"], "kind": first["kind"], "web": first["web"], "workers": first["workers"],
            "connections": first["connections"], "runs": group,
            **{key: median(r[key] for r in group) for key in ("per_second", "p50_ms", "p95_ms", "p99_ms",
                                                                "sustained_per_second")},
            **{key: sum(r[key] for r in group) for key in ("acknowledged", "stored", "routed", "merged")},
            "all_stored": all(r["stored"] >= r["acknowledged"] for r in group),  # per run: sums could hide a loss
            "drain_s": max(r["drain_s"] for r in group), "jobs_left": group[-1]["jobs_left"],
            "load_before": first["load_before"], "load_after": group[-1]["load_after"],
        })
    return result


PATHS = {"api": "API `POST /api/v1/tickets`", "sms": "SMS webhook (signed)",
         "followup": "SMS follow-ups (each a repeat of its caller's open ticket)"}


def met(figure: dict) -> bool:
    """The goal is new tickets': follow-up texts, repeats folded into open tickets, are shown beside it."""
    return figure["backend"] == "postgresql" and figure["kind"] != "followup" and \
        figure["per_second"] >= GOAL_RATE and figure["p99_ms"] < GOAL_P99_MS


def table(rows: list[dict]) -> list[str]:
    """The table's lines and the goal's verdict."""
    lines = [
        "| Backend | Path | Web / workers | Clients | Acknowledged/s | p50 ms | p95 ms | p99 ms | "
        "Each run: /s @ p99 ms | Stored ≥ acknowledged (all runs, each checked) | Routed by dispatch (follow-ups: "
        "folded into the earlier ticket) | "
        "Jobs drained after | Sustained tickets/s (incl. jobs) | Load before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    all_figures = figures(rows)
    for f in all_figures:
        path = PATHS[f["kind"]]
        routed = f"{f['merged']} folded in" if f["kind"] == "followup" else f"{f['routed']}"
        each = "; ".join(f"{r['per_second']:.0f} @ {r['p99_ms']:.0f}" for r in f["runs"])
        lines.append(
            f"| {f['backend']} | {path} | {f['web']} / {f['workers'] or 'in-process'} | {f['connections']} | "
            f"{f['per_second']:.1f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['p99_ms']:.1f} | {each} | "
            f"{f['stored']} ≥ {f['acknowledged']}{' ✓' if f['all_stored'] else ' ✗'} | "
            f"{routed} | {f['drain_s']} s{' (' + str(f['jobs_left']) + ' left)' if f['jobs_left'] else ''} | "
            f"{f['sustained_per_second']:.1f} | {f['load_before']} → {f['load_after']} |")
    named = [f"{f['kind']} at {f['connections']} clients" for f in all_figures if met(f)]
    lines += ["", f"Goal met on PostgreSQL (median of the runs): {'yes' if named else 'no'} "
              f"({', '.join(named) or 'none of the paths'})."]
    return lines
