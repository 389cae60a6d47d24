"""Intake benchmark: tickets per second through the HTTP API and the SMS webhook, and latency.

One command (``.venv/bin/python scripts/bench_intake.py``) runs, each as its own
processes (``scripts/stack.py``):

* PostgreSQL + Redis: ``hotline serve`` ×``--web`` behind nginx running
  ``deploy/nginx.conf``, ``hotline worker`` ×``--workers`` doing the follow-up
  jobs (routing by dispatch, intake settling, acknowledgement SMS to the console
  sender);
* the embedded default: one ``hotline serve`` on SQLite, jobs in-process;

and loads each with ``wrk`` (Debian's package; installed here when missing and
root, else the script says so) from ``scripts/wrk/*.lua``: ``POST
/api/v1/tickets`` with an API key, and ``POST /hooks/twilio/sms`` with bodies
signed beforehand, one MessageSid each: new requests (``sms``), then follow-up
texts (``followup``) from the phones the run before registered, each texting
three times more about the same problem, as callers do when the water is still
off: every one is a repeat of its caller's open ticket, folded into it by the
settle jobs, and the goal is not judged on them. Each figure counts the
tickets found in the database afterwards, checks every acknowledged request is
there, and waits for the workers to finish the follow-up jobs (the sustained
rate includes them). The results, with the machine, the date and ``uptime`` load, replace the
``bench_intake`` section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench_report import machine, replace_section, uptime_load  # noqa: E402
from scripts.intake_table import GOAL_P99_MS, GOAL_RATE, table  # noqa: E402
from scripts.stack import ROOT, Stack, ensure_debian_tools  # noqa: E402

WRK_DIR = ROOT / "scripts" / "wrk"
TWILIO_TOKEN = "bench-twilio-auth-token"
# One per measured SMS run; 138: the warm-up's. The API's phones are 15x (scripts/wrk/api_tickets.lua): an SMS from
# a phone with an open ticket is a repeat of it, decided alone, and the first version of this benchmark that used
# 131 and 130 measured that instead (about 40 a second, docs/benchmarks.md).
PHONE_PREFIXES = ["139", "137", "136", "135", "134", "133", "132", "131", "130"]


def citizen_texts() -> list[str]:
    import yaml

    data = yaml.safe_load((ROOT / "hotline" / "demo" / "messages.yaml").read_text(encoding="utf-8"))
    items = data["messages"] if isinstance(data, dict) else data
    return [" ".join(str(m["content"]).split()).replace('"', "“").replace("\\", "") for m in items]


def write_inputs(tmp: Path, public_url: str, count: int, runs: int) -> tuple[Path, list[Path], Path]:
    """The API texts file, ``count`` signed SMS bodies for each measured run, and as many for the warm-up.

    SMS lines are signature TAB body, each with its own MessageSid; each run's
    phones have a prefix of their own (139..., 137..., 136...; the warm-up's
    138...), so no run repeats another's messages or writes from its phones
    (which the repeat rule would take as follow-ups, not new requests).
    """
    texts = citizen_texts()
    texts_path = tmp / "texts.txt"
    texts_path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    url = public_url + "/hooks/twilio/sms"
    return (texts_path, [write_sms(tmp / f"sms{n}.tsv", url, new_requests(texts, count, prefix))
                         for n, prefix in enumerate(PHONE_PREFIXES[:runs])],
            write_sms(tmp / "sms_warm.tsv", url, new_requests(texts, count, "138")))


def new_requests(texts: list[str], count: int, prefix: str) -> list[tuple[str, str]]:
    """``count`` (phone, text) of new requests, each from a phone of its own under ``prefix``."""
    return [(f"{prefix}{n:08d}", texts[n % len(texts)]) for n in range(count)]


def write_sms(path: Path, url: str, messages: list[tuple[str, str]]) -> Path:
    """One signed webhook body per (mainland mobile, text), each with a MessageSid of its own."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    validator, run = RequestValidator(TWILIO_TOKEN), os.urandom(4).hex()
    with path.open("w", encoding="utf-8") as out:
        for n, (phone, body) in enumerate(messages):
            form = {"MessageSid": f"SM{run}{n:024d}", "AccountSid": "AC" + "0" * 32, "From": f"+86{phone}",
                    "To": "+8612345", "Body": body, "NumMedia": "0"}
            out.write(f"{validator.compute_signature(url, form)}\t{urlencode(form)}\n")
    return path


KINDS = ["api", "sms", "followup"]
FOLLOW_UPS = ["，还是没有解决", "，请尽快处理", "，第三次反映"]


def write_followups(stack: Stack, prefix: str, path: Path) -> Path:
    """Signed follow-up texts from every phone of ``prefix`` with a ticket: all phones' first follow-up,
    then their second and third, so that no group holds one phone twice (which it would leave to the
    one-message path) and the file outlasts the run (a line sent twice is a re-delivery, not a ticket)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        phones = conn.execute(text("SELECT contact_phone FROM tickets WHERE contact_phone LIKE :prefix "
                                   "ORDER BY id"), {"prefix": prefix + "%"}).scalars().all()
    engine.dispose()
    texts = citizen_texts()
    return write_sms(path, f"http://127.0.0.1:{stack.port}/hooks/twilio/sms",
                     [(phone, texts[int(phone[len(prefix):]) % len(texts)] + more)
                      for more in FOLLOW_UPS for phone in phones])


def wrk(stack: Stack, script: str, path: str, *, connections: int, duration: int, threads: int,
        env: dict[str, str]) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
               "-s", str(WRK_DIR / script), f"http://127.0.0.1:{stack.port}{path}"]
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "HOTLINE_BENCH_LUA": str(WRK_DIR), "HOTLINE_BENCH_THREADS": str(threads),
                               **env})
    line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[6:])
    if result["bad"]:  # what the answers were (scripts/wrk/report.lua writes each thread's first three)
        print(f"{result['bad']} answers other than the expected status:", *sorted(set(
            l for l in done.stderr.splitlines() if l.startswith("unexpected status"))), sep="\n  ", flush=True)
    return result


def ledger_counts(database_url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = dict(conn.execute(text(
            "SELECT 'tickets', count(*) FROM tickets UNION ALL "
            "SELECT 'dispatched', count(*) FROM tickets WHERE department_id IS NOT NULL UNION ALL "
            "SELECT 'merged', count(*) FROM tickets WHERE merged_into_id IS NOT NULL UNION ALL "
            "SELECT 'jobs_open', count(*) FROM jobs WHERE status IN ('pending', 'running') UNION ALL "
            "SELECT 'jobs_failed', count(*) FROM jobs WHERE status = 'failed' UNION ALL "
            "SELECT 'jobs_done', count(*) FROM jobs WHERE status = 'done'")).all())
    engine.dispose()
    return counts


def drain(database_url: str, limit: float) -> float:
    """Seconds until no job is pending or running (or ``limit``)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if ledger_counts(database_url)["jobs_open"] == 0:
            break
        time.sleep(0.5)
    return time.monotonic() - start


def measure(stack: Stack, kind: str, args, inputs: tuple[Path, list[Path], Path], key: str, connections: int,
            run: int) -> dict:
    before = ledger_counts(stack.database_url)
    load_before = uptime_load()
    if kind == "api":
        result = wrk(stack, "api_tickets.lua", "/api/v1/tickets", connections=connections,
                     duration=args.duration, threads=args.threads,
                     env={"HOTLINE_BENCH_KEY": key, "HOTLINE_BENCH_TEXTS": str(inputs[0])})
    else:
        sms = inputs[1][run] if kind == "sms" else \
            write_followups(stack, PHONE_PREFIXES[run], stack.tmp / f"followup{run}.tsv")
        result = wrk(stack, "sms_webhook.lua", "/hooks/twilio/sms", connections=connections,
                     duration=args.duration, threads=args.threads, env={"HOTLINE_BENCH_SMS": str(sms)})
    drained = drain(stack.database_url, args.drain_limit)
    after = ledger_counts(stack.database_url)
    seconds = result["duration_us"] / 1e6
    stored = after["tickets"] - before["tickets"]
    return {
        "kind": kind, "backend": stack.backend, "web": stack.web, "workers": stack.workers if stack.redis_url else 0,
        "connections": connections, "seconds": round(seconds, 1), "acknowledged": result["ok"],
        "refused": result["bad"], "socket_errors": result["socket_errors"], "stored": stored,
        "per_second": round(result["ok"] / seconds, 1), "p50_ms": result["p50_us"] / 1000,
        "p95_ms": result["p95_us"] / 1000, "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000,
        "routed": after["dispatched"] - before["dispatched"], "merged": after["merged"] - before["merged"],
        "jobs_left": after["jobs_open"],
        "jobs_failed": after["jobs_failed"] - before["jobs_failed"], "drain_s": round(drained, 1),
        "sustained_per_second": round(stored / (seconds + drained), 1),
        "load_before": load_before, "load_after": uptime_load(),
    }


def warm_up(stack: Stack, args, inputs: tuple[Path, list[Path], Path], key: str) -> None:
    """Load each measured path for ``--warmup`` seconds (not counted), then ANALYZE, as a running city's database is.

    A database created for the benchmark has empty tables and no planner
    statistics; as they fill, PostgreSQL keeps the plans it chose for empty
    tables until autovacuum's ANALYZE, which runs at most once a minute, catches
    up. A city's database has months of tickets and SMS and current statistics;
    measuring from an empty one measured those stale plans. Warming up with the
    API alone left the statistics saying the intake log held no SMS, and each
    SMS group's MessageSid lookup then read every SMS kept (docs/benchmarks.md).
    """
    from sqlalchemy import create_engine, text

    connections = max(args.connections)
    wrk(stack, "api_tickets.lua", "/api/v1/tickets", connections=connections, duration=args.warmup,
        threads=args.threads, env={"HOTLINE_BENCH_KEY": key, "HOTLINE_BENCH_TEXTS": str(inputs[0])})
    if "sms" in args.kinds:
        wrk(stack, "sms_webhook.lua", "/hooks/twilio/sms", connections=connections, duration=args.warmup,
            threads=args.threads, env={"HOTLINE_BENCH_SMS": str(inputs[2])})
    drain(stack.database_url, args.drain_limit)
    url = stack.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    print(f"[{stack.backend}] warmed up: {ledger_counts(stack.database_url)['tickets']} tickets, analysed", flush=True)


def run_backend(backend: str, args) -> list[dict]:
    settings = {"HOTLINE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "HOTLINE_RATE_LIMIT_PER_MINUTE": "1000000"}
    web = args.web if backend == "postgresql" else 1
    with Stack(backend=backend, web=web, workers=args.workers, nginx=backend == "postgresql",
               settings=settings, model=True) as stack:
        print(f"[{backend}] stack up: {web} web, {args.workers if stack.redis_url else 0} workers, "
              f"port {stack.port}", flush=True)
        key = stack.api_key()
        inputs = write_inputs(stack.tmp, f"http://127.0.0.1:{stack.port}",
                              max(20000, int(args.duration * 3000)), len(args.connections) * args.repeat)
        if args.warmup:
            warm_up(stack, args, inputs, key)
        rows = []
        # The repeats interleaved: a slow spell of the machine falls on several figures, not on one (intake_table).
        runs = [connections for _ in range(args.repeat) for connections in args.connections]
        for run, connections in enumerate(runs):
            for kind in args.kinds:
                row = measure(stack, kind, args, inputs, key, connections, run)
                print(json.dumps(row, ensure_ascii=False), flush=True)
                if row["stored"] < row["acknowledged"]:
                    raise SystemExit(f"{kind}: {row['acknowledged']} acknowledged but {row['stored']} stored")
                rows.append(row)
        return rows


def render(rows: list[dict], args) -> str:
    now = datetime.now(timezone.utc).astimezone()
    lines = [
        f"Run {now:%Y-%m-%d %H:%M %Z} on {machine()}, commit {commit()}; `.venv/bin/python scripts/bench_intake.py"
        f"{' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else ''}`. Load generator: wrk ({args.threads} threads, "
        f"{', '.join(map(str, args.connections))} connections, {args.repeat} runs of {args.duration} s per figure, "
        "the runs of all figures interleaved), a separate process on the same machine. "
        + (f"Each backend first took {args.warmup} s of load on each path (other MessageSids and phones), not "
           "counted, and ANALYZE (planner statistics of filled tables, as in a running city). " if args.warmup
           else "Measured from empty tables. ") +
        f"Goal: {GOAL_RATE} tickets/s with p99 < {GOAL_P99_MS} ms on PostgreSQL, for new requests (the follow-up "
        "texts of a run come from the phones its SMS registered, three each, and are repeats). Stored counts the "
        "tickets in the "
        "database afterwards: requests still in flight when wrk stopped are stored but not counted as "
        "acknowledged, so the two differ by at most the number of connections in each run.",
        "",
        *table(rows),
    ]
    lines[-1] += (" Load is `uptime`'s one-minute average, the benchmark's own processes included (web, "
                  "PostgreSQL, nginx, wrk), so it passes 2 under load; other work on the machine shows as a high "
                  "load before the backend's first figure.")
    return "\n".join(lines)


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the table shows their median "
                        "and each run (scripts/intake_table.py)")
    parser.add_argument("--connections", type=int, nargs="+", default=[32, 48, 64],
                        help="concurrent clients, one figure each: how latency and throughput trade as load "
                             "rises. Each web process's group is what its clients sent during the previous "
                             "write, so more clients make larger groups, less CPU per ticket and a longer wait "
                             "(docs/benchmarks.md)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--web", type=int, default=2, help="hotline serve processes behind nginx (PostgreSQL)")
    parser.add_argument("--workers", type=int, default=2, help="rq workers (PostgreSQL); a worker waits on the "
                        "database most of the time, so two keep up better than one even on two cores")
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--kinds", nargs="+", default=["api", "sms", "followup"], choices=KINDS,
                        help="what each run loads, in this order: the API, new requests by SMS, follow-up texts "
                             "from the phones of that run's SMS (after sms)")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of API load before measuring, then "
                        "ANALYZE, so the planner knows the tables' sizes (0: measure from empty tables)")
    parser.add_argument("--drain-limit", type=float, default=300, help="seconds to wait for the jobs")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch docs/benchmarks.md")
    args = parser.parse_args()
    kinds = args.kinds
    if "followup" in kinds and ("sms" not in kinds or kinds.index("sms") > kinds.index("followup")):
        parser.error("followup texts come from the phones of the same run's sms: list sms before followup")
    if len(args.connections) * args.repeat > len(PHONE_PREFIXES):
        parser.error(f"at most {len(PHONE_PREFIXES)} runs (client counts × repeats): each run's phones have a "
                     "prefix of their own")
    ensure_debian_tools("wrk", "nginx")
    rows = [row for backend in args.backends for row in run_backend(backend, args)]
    section = render(rows, args)
    print(section)
    if not args.no_write:
        replace_section("bench_intake", "Intake: tickets per second and latency", section)


if __name__ == "__main__":
    main()
