"""Benchmark the deadline sweep over a million open tickets, on PostgreSQL and on SQLite.

The database is filled by bulk insert (COPY on PostgreSQL, executemany on
SQLite), not through the actions, with open tickets whose step deadlines are
spread as in a busy city: sign-ins due within a day or so, replies within ten
days, callbacks within four, some of each already overdue. The ledger is in
the state a sweep every minute leaves it in: every threshold passed before the
previous minute has been reminded of. Then the real ``sweep_deadlines`` runs:

* ``minute``: the sweeps of five consecutive minutes (the normal load);
* ``idle``: the same minute swept again (nothing to do: the cost of the probe);
* ``hour``: an hour without a sweep caught up at once (after an outage).

Usage::

    .venv/bin/python scripts/bench_tracking.py \\
        --postgresql postgresql://postgres@127.0.0.1:5432/postgres --sqlite /tmp/bench.sqlite3 --write-docs
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import column, create_engine, table, text  # noqa: E402

from hotline.db import AwareDateTime, Database  # noqa: E402
from scripts.bench_report import replace_section  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from tracking.calendar import load_calendar  # noqa: E402
from tracking.deadlines import load_time_limits, yellow_from  # noqa: E402
from tracking.ledger import Ledger  # noqa: E402
from tracking.schedule import RED_AFTER  # noqa: E402
from tracking.sweep import sweep_deadlines  # noqa: E402
from tracking.worklists import department_queue, supervision_list  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday morning
MINUTES = 5
DEPARTMENTS = 80
COLUMNS = ("number", "channel", "contact_name", "contact_phone", "title", "content", "address", "priority",
           "status", "department_id", "registered_at", "updated_at", "dispatched_at", "sign_in_due_at",
           "accepted_at", "reply_due_at", "replied_at", "callback_due_at", "return_count", "reopen_count",
           "extension_count", "step", "step_due_at", "step_yellow_at", "alerted_light", "next_alert_at")
H, D = timedelta(hours=1), timedelta(days=1)


def ticket_rows(count: int, last_sweep: datetime, rng: random.Random):
    """Open tickets as rows of ``COLUMNS``, alerted as a sweep at ``last_sweep`` left them."""
    def within(low: timedelta, high: timedelta) -> timedelta:
        return timedelta(seconds=rng.uniform(low.total_seconds(), high.total_seconds()))

    for i in range(count):
        kind = rng.random()
        priority = "emergency" if rng.random() < 0.02 else "urgent" if rng.random() < 0.08 else "normal"
        sign_in_due = reply_due = callback_due = accepted = replied = None
        if kind < 0.15:                                   # waiting to be signed in
            status, step = "dispatched", "sign_in"
            due = last_sweep + within(-D, D)
            started = due - within(H, 26 * H)
            sign_in_due, reply_due = due, started + within(5 * D, 8 * D)
        elif kind < 0.70:                                 # being handled
            status, step = ("accepted" if kind < 0.42 else "in_progress"), "reply"
            due = last_sweep + within(-2 * D, 8 * D)
            started = due - within(5 * D, 21 * D)
            sign_in_due, reply_due, accepted = started + 2 * H, due, started + H
        else:                                             # answered, waiting for the callback
            status, step = "replied", "callback"
            due = last_sweep + within(-D, 3 * D)
            started = replied = due - within(2 * D, 4 * D)
            sign_in_due, reply_due, accepted, callback_due = replied - 4 * D, replied, replied - 5 * D, due
        yellow = yellow_from(due, started)
        if last_sweep > due:
            alerted, next_alert = "red", None
        elif last_sweep >= yellow:
            alerted, next_alert = "yellow", due + RED_AFTER
        else:
            alerted, next_alert = None, yellow
        dispatched = started if step != "callback" else replied - 6 * D
        yield (f"{20250101 + i // 500_000}-{i % 500_000:06d}", "phone", "市民", f"139{i:08d}"[:11],
               "测试工单", "基准测试生成的工单内容", "某区某路", priority, status, 1 + i % DEPARTMENTS,
               dispatched - H, last_sweep, dispatched, sign_in_due, accepted, reply_due, replied, callback_due,
               0, 0, 0, step, due, yellow, alerted, next_alert)


def prepare(url: str, last_sweep: datetime) -> None:
    """Migrate, and add departments (seven in ten with a duty phone, texted within the last half hour)."""
    upgrade(url, "heads")
    engine = create_engine(url)
    departments = table("departments", column("id"), column("code"), column("name"), column("kind"),
                        column("tier"), column("active"), column("contact_phone"),
                        column("reminder_texted_at", AwareDateTime()))
    with engine.begin() as conn:
        conn.execute(departments.insert(), [
            {"id": n, "code": f"bench{n}", "name": f"基准单位{n}", "kind": "city", "tier": "medium", "active": True,
             "contact_phone": f"1380000{n:04d}" if n % 10 < 7 else None,
             "reminder_texted_at": last_sweep - timedelta(minutes=n % 30)} for n in range(1, DEPARTMENTS + 1)])
    engine.dispose()


def timed_query(fn, *args, repeat: int = 5, **kwargs) -> float:
    """The median time of a read, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fill_postgres(url: str, rows) -> None:
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        with conn.cursor().copy(f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE tickets")  # as autovacuum would have left a table of that age


def fill_sqlite(url: str, rows) -> None:
    def stored(value):  # as SQLAlchemy stores AwareDateTime on SQLite: naive UTC text
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value
    conn = sqlite3.connect(url.split("///", 1)[1])
    with conn:
        conn.executemany(f"INSERT INTO tickets ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                         (tuple(stored(v) for v in row) for row in rows))
    conn.execute("ANALYZE")
    conn.close()


def explain(db: Database, now: datetime) -> list[str]:
    """The plan of the sweep's query: it must read the partial index, not scan the table."""
    query = ("SELECT id FROM tickets WHERE next_alert_at <= :now ORDER BY next_alert_at, id LIMIT 500")
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            rows = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + query + " FOR UPDATE SKIP LOCKED"),
                                {"now": now}).scalars()
            plan = [line for line in rows]
        else:
            stored = now.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
            plan = [row[-1] for row in conn.execute(text("EXPLAIN QUERY PLAN " + query), {"now": stored})]
        conn.rollback()
    return plan


def timed(ledger: Ledger, now: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    result = sweep_deadlines(ledger, now)
    return time.perf_counter() - started, result.yellow + result.red


def run(name: str, url: str, fill, tickets: int, seed: int) -> dict:
    print(f"[{name}] migrating and filling {tickets:,} open tickets...", flush=True)
    prepare(url, NOW - timedelta(minutes=1))
    started = time.perf_counter()
    fill(url, ticket_rows(tickets, NOW - timedelta(minutes=1), random.Random(seed)))
    figures = {"backend": name, "tickets": tickets, "load_s": time.perf_counter() - started, "minutes": []}
    print(f"[{name}] filled in {figures['load_s']:.0f} s", flush=True)
    ledger = Ledger(db=Database(url), tz=SHANGHAI, calendar=load_calendar(tz=SHANGHAI), limits=load_time_limits())
    for minute in range(MINUTES):
        figures["minutes"].append(timed(ledger, NOW + timedelta(minutes=minute)))
        print(f"[{name}] minute {minute + 1}: {figures['minutes'][-1][1]} reminders in "
              f"{figures['minutes'][-1][0] * 1000:.0f} ms", flush=True)
    idle = [timed(ledger, NOW + timedelta(minutes=MINUTES - 1)) for _ in range(5)]
    figures["idle"] = (statistics.median(s for s, _ in idle), sum(n for _, n in idle))
    later = NOW + timedelta(minutes=MINUTES)
    figures["queue"] = timed_query(department_queue, ledger.db, 1, later)
    figures["red"] = timed_query(supervision_list, ledger.db, later, view="red")
    figures["hour"] = timed(ledger, NOW + timedelta(minutes=MINUTES - 1, hours=1))
    print(f"[{name}] idle {figures['idle'][0] * 1000:.1f} ms; an hour caught up: {figures['hour'][1]} reminders "
          f"in {figures['hour'][0]:.2f} s; a department's queue {figures['queue'] * 1000:.0f} ms, "
          f"the red list {figures['red'] * 1000:.0f} ms", flush=True)
    figures["plan"] = explain(ledger.db, NOW + timedelta(hours=2))
    with ledger.db.engine.connect() as conn:
        figures["version"] = conn.execute(text("SELECT version()")).scalar() if ledger.db.dialect == "postgresql" \
            else f"SQLite {sqlite3.sqlite_version}"
    ledger.db.dispose()
    return figures


def markdown(results: list[dict], when: datetime) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    lines = [
             f"`scripts/bench_tracking.py`, run {when:%Y-%m-%d} on {cpu} ({os.cpu_count()} CPUs, shared with "
             "other work), Python " + platform.python_version() + ". Open tickets bulk-inserted with deadlines spread "
             "over the next days (15% waiting for sign-in, 55% being handled, 30% waiting for the callback, some of "
             "each overdue), in the state the previous minute's sweep left them; then the real `sweep_deadlines` "
             "(reminders, escalation of red tickets, notifications, SMS jobs, events, all written).", "",
             "| Backend | Open tickets | Sweep of one minute (median / max of 5) | Reminders per minute "
             "| Idle sweep | One hour caught up | A department's queue (first page and counts) | Supervision page (red list and its five counts) |",
             "|---|---|---|---|---|---|---|---|"]
    for f in results:
        per_minute = [s for s, _ in f["minutes"]]
        reminders = statistics.mean(n for _, n in f["minutes"])
        lines.append(f"| {f['version'].split(' on ')[0]} | {f['tickets']:,} | {statistics.median(per_minute) * 1000:.0f}"
                     f" ms / {max(per_minute) * 1000:.0f} ms | {reminders:.0f} | {f['idle'][0] * 1000:.1f} ms | "
                     f"{f['hour'][1]:,} reminders in {f['hour'][0]:.1f} s | {f['queue'] * 1000:.0f} ms | "
                     f"{f['red'] * 1000:.0f} ms |")
    for f in results:
        lines += ["", f"Plan of the sweep's query on {f['backend']} (it reads the partial index "
                  "`ix_tickets_next_alert_at`, never the open tickets at large):", "", "```"]
        lines += [line for line in f["plan"]] + ["```"]
    lines += ["", "Goal: under one second for a sweep over a million open tickets on PostgreSQL. The cost follows "
              "the number of lights that changed since the last run (about 285 a minute here, each written as an "
              "event, a notification and, for red ones, an escalation), not the number of open tickets: the sweep "
              "with nothing to do reads a few index pages. Times were taken while other work may share the CPUs."]
    return "\n".join(lines)


def write_docs(path: Path, results: list[dict], when: datetime) -> None:
    """Replace our marked section of docs/benchmarks.md (or add it), keeping the others."""
    replace_section("bench_tracking", "Deadline sweep (tracking)", markdown(results, when), path=path,
                    heading="## Deadline sweep (tracking)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", help="admin URL of a PostgreSQL server (a database is created and dropped)")
    parser.add_argument("--sqlite", help="path of a SQLite file to create (overwritten)")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--write-docs", action="store_true", help="update our section of docs/benchmarks.md")
    parser.add_argument("--docs", default=str(ROOT / "docs" / "benchmarks.md"), help="the benchmarks file to update")
    args = parser.parse_args()
    if not (args.postgresql or args.sqlite):
        parser.error("give --postgresql and/or --sqlite")
    results = []
    if args.postgresql:
        admin = create_engine(args.postgresql.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        name = f"bench_tracking_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = args.postgresql.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name
            results.append(run("PostgreSQL", url, fill_postgres, args.tickets, args.seed))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if args.sqlite:
        path = Path(args.sqlite)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        results.append(run("SQLite", f"sqlite:///{path}", fill_sqlite, args.tickets, args.seed))
    for f in results:
        per_minute = [s for s, _ in f["minutes"]]
        print(f"{f['backend']}: one minute's sweep median {statistics.median(per_minute) * 1000:.0f} ms, "
              f"max {max(per_minute) * 1000:.0f} ms")
    if args.write_docs:
        write_docs(Path(args.docs), results, datetime.now(timezone.utc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
