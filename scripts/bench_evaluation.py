"""Benchmark: the monthly department scorecard over ten million tickets on PostgreSQL.

    .venv/bin/python scripts/bench_evaluation.py [--url postgresql://postgres@127.0.0.1:5432/hotline_bench_evaluation]
                                                 [--tickets 10000000] [--rebuild] [--write-docs]

Builds (once; ``--rebuild`` to start again) a ledger of ``--tickets`` tickets
registered evenly over the 24 months before 2026-11-01, each with the whole
event history the real actions would have written (register, dispatch or
answer directly, returns and reassignments, sign-in, work, extensions, reply,
callback, re-opening, close), generated inside PostgreSQL with generate_series
rather than through the actions. Then it times the real code path the pages
and ``hotline report`` use: ``evaluation.scorecard.compute_scorecard`` for
2026-10 as of 2026-11-05, cold (first run) and warm (median of the next runs),
plus the month-on-month pair the ranking page needs and the hotline figures.

With ``--write-docs`` the figures replace this benchmark's own section of
docs/benchmarks.md (between its markers), leaving other sections as they are.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from config.catalogue import load_catalogue  # noqa: E402
from hotline.demo.messages import project_samples  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = datetime(2024, 11, 1, tzinfo=TZ)
END = datetime(2026, 11, 1, tzinfo=TZ)
AS_OF = datetime(2026, 11, 5, 9, 0, tzinfo=TZ)  # the report is drawn up five days after the month
PERIOD = "2026-10"
MARKERS = ("<!-- bench_evaluation:start -->", "<!-- bench_evaluation:end -->")
BUILT_TABLES = ("tickets", "ticket_events")

# One row per ticket, with the random draws its whole life is decided by.
TICKETS_SQL = """
WITH draws AS (
  SELECT i, :t0 + (i - 1) * :step * interval '1 second' AS reg,
         random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7,
         random() r8
  FROM generate_series(CAST(1 AS bigint), :n) AS i
), lives AS (
  SELECT d.*, s.title, s.content, s.address, s.district, s.service_code, s.department_id,
         s.priority, s.answerable,
         CASE WHEN (s.answerable AND d.r1 < 0.75) OR d.r1 < 0.08 THEN 'direct'
              WHEN d.r2 < 0.02 THEN 'merged'
              WHEN d.r3 < 0.07 THEN 'returned'
              WHEN d.r3 > 0.96 THEN 'reopened' ELSE 'plain' END AS path
  FROM draws d JOIN bench_samples s ON s.idx = d.i % :samples
), timed AS (
  SELECT l.*,
         CASE l.path WHEN 'returned' THEN l.reg + interval '3 hours'
                     WHEN 'reopened' THEN l.reg + interval '8 days'
                     ELSE l.reg + interval '20 minutes' END AS disp
  FROM lives l
), steps AS (
  SELECT t.*, t.disp + interval '2 hours' AS sign_due,
         t.disp + CASE WHEN t.r4 < 0.12 THEN interval '3 hours' + t.r5 * interval '8 hours'
                       ELSE interval '5 minutes' + t.r5 * interval '100 minutes' END AS acc,
         t.disp + interval '7 days' + CASE WHEN t.r5 < 0.10 THEN interval '7 days' ELSE interval '0' END
           AS reply_due
  FROM timed t
), replies AS (
  SELECT s.*,
         CASE WHEN s.r6 < 0.15 THEN s.reply_due + s.r7 * interval '3 days'
              ELSE s.acc + (s.reply_due - s.acc) * (0.05 + 0.85 * s.r7) END AS rep
  FROM steps s
)
INSERT INTO tickets (id, number, channel, contact_name, contact_phone, title, content, address, district,
                     service_code, priority, status, department_id, merged_into_id, registered_at, updated_at,
                     dispatched_at, sign_in_due_at, accepted_at, reply_due_at, replied_at, callback_due_at,
                     called_back_at, closed_at, return_count, reopen_count, extension_count, reply_text,
                     satisfaction, resolved)
SELECT r.i,
       to_char(r.reg AT TIME ZONE :tz, 'YYYYMMDD') || '-' || lpad((r.i % 1000000)::text, 6, '0'),
       (ARRAY['phone','phone','phone','phone','phone','phone','web','web','sms','letter','open311',
              'upstream'])[1 + (r.i * 7) % 12],
       '市民', '139' || lpad(((r.i * 7919) % 40000000)::text, 8, '0'),
       r.title, r.content, r.address, r.district, r.service_code, r.priority,
       CASE WHEN r.path = 'direct' THEN 'answered_directly' WHEN r.path = 'merged' THEN 'merged'
            WHEN r.disp > :now THEN 'registered'
            WHEN r.acc > :now THEN 'dispatched'
            WHEN r.rep > :now THEN 'accepted'
            WHEN r.rep + interval '1 day' > :now THEN 'replied'
            WHEN r.rep + interval '1 day 30 minutes' > :now THEN 'called_back' ELSE 'closed' END,
       CASE WHEN r.path = 'direct' OR r.disp > :now THEN NULL ELSE r.department_id END,
       CASE WHEN r.path = 'merged' THEN greatest(r.i - 1, 1) END,
       r.reg, r.reg,
       CASE WHEN r.path IN ('direct', 'merged') OR r.disp > :now THEN NULL ELSE r.disp END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.disp > :now THEN NULL ELSE r.sign_due END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.acc > :now THEN NULL ELSE r.acc END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.disp > :now THEN NULL ELSE r.reply_due END,
       CASE WHEN r.path = 'direct' THEN r.reg + interval '6 minutes'
            WHEN r.path = 'merged' OR r.rep > :now THEN NULL ELSE r.rep END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.rep > :now THEN NULL ELSE r.rep + interval '3 days' END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.rep + interval '1 day' > :now THEN NULL
            ELSE r.rep + interval '1 day' END,
       CASE WHEN r.path = 'direct' THEN r.reg + interval '6 minutes'
            WHEN r.path = 'merged' OR r.rep + interval '1 day 30 minutes' > :now THEN NULL
            ELSE r.rep + interval '1 day 30 minutes' END,
       CASE WHEN r.path = 'returned' THEN 1 ELSE 0 END,
       CASE WHEN r.path = 'reopened' THEN 1 ELSE 0 END,
       CASE WHEN r.r5 < 0.10 AND r.path NOT IN ('direct', 'merged') THEN 1 ELSE 0 END,
       CASE WHEN r.path = 'direct' OR r.rep <= :now THEN '已核实处理，感谢您的反映。' END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.rep + interval '1 day' > :now THEN NULL
            WHEN r.path = 'reopened' THEN 'basically_satisfied'
            WHEN r.r8 < 0.66 THEN 'satisfied' WHEN r.r8 < 0.86 THEN 'basically_satisfied'
            ELSE 'unsatisfied' END,
       CASE WHEN r.path IN ('direct', 'merged') OR r.rep + interval '1 day' > :now THEN NULL
            WHEN r.path = 'reopened' THEN true ELSE r.r8 < 0.86 OR r.r2 < 0.2 END
FROM replies r
"""

# Every event the actions would have written, derived from the ticket's own columns.
EVENTS_SQL = """
INSERT INTO ticket_events (ticket_id, action, from_status, to_status, actor_name, actor_role, department_id,
                           at, note, data)
SELECT t.id, e.action, e.from_status, e.to_status, e.actor, e.role, e.department_id, e.at, '', e.data
FROM tickets t
CROSS JOIN LATERAL (VALUES
  ('register', NULL, 'registered', '坐席', 'agent', NULL::int, t.registered_at,
   json_build_object('channel', t.channel)),
  ('answer_directly', 'registered', 'answered_directly', '坐席', 'agent', NULL::int,
   CASE WHEN t.status = 'answered_directly' THEN t.closed_at END, '{}'::json),
  ('merge', 'registered', 'merged', '坐席', 'agent', t.department_id,
   CASE WHEN t.status = 'merged' THEN t.registered_at + interval '5 minutes' END, '{}'::json),
  -- a first dispatch to the wrong department, which returns it
  ('dispatch', 'registered', 'dispatched', '坐席', 'agent', 1 + (t.department_id + 6) % :departments,
   CASE WHEN t.return_count > 0 AND t.dispatched_at IS NOT NULL THEN t.registered_at + interval '20 minutes' END,
   '{}'::json),
  ('return', 'dispatched', 'returned', '承办人', 'department', 1 + (t.department_id + 6) % :departments,
   CASE WHEN t.return_count > 0 AND t.dispatched_at IS NOT NULL THEN t.dispatched_at - interval '1 hour' END,
   json_build_object('return_count', 1)),
  -- the first round of a re-opened ticket
  ('dispatch', 'registered', 'dispatched', '坐席', 'agent', t.department_id,
   CASE WHEN t.reopen_count > 0 AND t.dispatched_at IS NOT NULL THEN t.registered_at + interval '20 minutes' END,
   '{}'::json),
  ('accept', 'dispatched', 'accepted', '承办人', 'department', t.department_id,
   CASE WHEN t.reopen_count > 0 AND t.dispatched_at IS NOT NULL THEN t.registered_at + interval '1 hour' END,
   json_build_object('on_time', true)),
  ('reply', 'accepted', 'replied', '承办人', 'department', t.department_id,
   CASE WHEN t.reopen_count > 0 AND t.dispatched_at IS NOT NULL THEN t.dispatched_at - interval '2 days' END,
   json_build_object('on_time', true)),
  ('record_callback', 'replied', 'called_back', '坐席', 'agent', t.department_id,
   CASE WHEN t.reopen_count > 0 AND t.dispatched_at IS NOT NULL THEN t.dispatched_at - interval '1 hour' END,
   json_build_object('satisfaction', 'unsatisfied', 'resolved', false, 'on_time', true)),
  ('reopen', 'called_back', 'dispatched', '坐席', 'agent', t.department_id,
   CASE WHEN t.reopen_count > 0 AND t.dispatched_at IS NOT NULL THEN t.dispatched_at END,
   json_build_object('reopen_count', 1)),
  -- the (last) round
  (CASE WHEN t.return_count > 0 THEN 'reassign' ELSE 'dispatch' END,
   CASE WHEN t.return_count > 0 THEN 'returned' ELSE 'registered' END, 'dispatched', '坐席', 'agent',
   t.department_id,
   CASE WHEN t.reopen_count = 0 AND t.status <> 'merged' THEN t.dispatched_at END, '{}'::json),
  ('accept', 'dispatched', 'accepted', '承办人', 'department', t.department_id, t.accepted_at,
   json_build_object('on_time', t.accepted_at <= t.sign_in_due_at)),
  ('start_work', 'accepted', 'in_progress', '承办人', 'department', t.department_id,
   CASE WHEN t.id % 2 = 0 AND (t.replied_at IS NULL OR t.replied_at > t.accepted_at + interval '30 minutes')
        THEN t.accepted_at + interval '30 minutes' END, '{}'::json),
  ('grant_extension', 'in_progress', 'in_progress', '督办', 'supervisor', t.department_id,
   CASE WHEN t.extension_count > 0 THEN t.accepted_at + interval '1 hour' END,
   json_build_object('working_days', 5)),
  ('reply', 'in_progress', 'replied', '承办人', 'department', t.department_id,
   CASE WHEN t.status <> 'answered_directly' THEN t.replied_at END,
   json_build_object('on_time', t.replied_at <= t.reply_due_at)),
  ('record_callback', 'replied', 'called_back', '坐席', 'agent', t.department_id, t.called_back_at,
   json_build_object('satisfaction', t.satisfaction, 'resolved', t.resolved, 'on_time', true)),
  ('close', 'called_back', 'closed', '坐席', 'agent', t.department_id,
   CASE WHEN t.status = 'closed' THEN t.closed_at END, '{}'::json)
) AS e(action, from_status, to_status, actor, role, department_id, at, data)
WHERE e.at IS NOT NULL AND t.id BETWEEN :lo AND :hi
"""


def build(url: str, tickets: int) -> None:
    """Create the ledger schema and fill it; indexes and foreign keys are rebuilt once at the end."""
    upgrade(url, "evaluation@head")  # the ledger and evaluation: all the benchmark needs
    catalogue = load_catalogue()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(BUILT_TABLES)}, departments RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO departments (code, name, kind, tier, district, expert_line, active) "
                          "VALUES (:code, :name, :kind, :tier, :district, :expert_line, true)"),
                     [{"code": d.code, "name": d.name, "kind": d.kind, "tier": d.tier, "district": d.district,
                       "expert_line": d.expert_line} for d in catalogue.departments])
        departments = {code: id_ for id_, code in conn.execute(text("SELECT id, code FROM departments"))}
        _load_samples(conn, catalogue, departments)
        _drop_indexes_and_keys(conn)
    step = (END - FIRST_DAY).total_seconds() / tickets
    with engine.begin() as conn:
        conn.execute(text("SET synchronous_commit = off"))
        conn.execute(text("SELECT setseed(0.12345)"))
        started = time.perf_counter()
        conn.execute(text(TICKETS_SQL), {"t0": FIRST_DAY, "step": step, "n": tickets, "samples": _samples,
                                         "tz": str(TZ), "now": AS_OF})
        print(f"tickets: {tickets:,} in {time.perf_counter() - started:.0f} s", flush=True)
    chunk = 1_000_000
    for lo in range(1, tickets + 1, chunk):
        with engine.begin() as conn:
            conn.execute(text("SET synchronous_commit = off"))
            started = time.perf_counter()
            conn.execute(text(EVENTS_SQL), {"lo": lo, "hi": lo + chunk - 1, "departments": len(departments)})
            print(f"events of tickets {lo:,}..{lo + chunk - 1:,} in {time.perf_counter() - started:.0f} s",
                  flush=True)
    started = time.perf_counter()
    rebuild_indexes(url)
    print(f"indexes and keys rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # The ledger appends events as they happen, so on disk they lie in time order; the
        # generator wrote them ticket by ticket, so put them in the order a real ledger has.
        started = time.perf_counter()
        conn.execute(text("SET maintenance_work_mem = '2GB'"))
        conn.execute(text("CLUSTER ticket_events USING ix_ticket_events_at"))
        print(f"events laid out in time order in {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute(text("VACUUM ANALYZE tickets"))
        conn.execute(text("VACUUM ANALYZE ticket_events"))
    engine.dispose()


_samples = 0


def _load_samples(conn, catalogue, departments: dict[str, int]) -> None:
    """The project's own demo messages, as the texts and departments the tickets cycle through."""
    global _samples
    samples = project_samples(catalogue)
    conn.execute(text("DROP TABLE IF EXISTS bench_samples"))
    conn.execute(text("""CREATE TABLE bench_samples (idx int PRIMARY KEY, title text, content text, address text,
                         district text, service_code text, department_id int, priority text, answerable bool)"""))
    districts = [d.name for d in catalogue.districts]
    rows = []
    for index, sample in enumerate(samples):
        district = next((name for name in districts if name in sample.address), None)
        rows.append({"idx": index, "title": sample.title, "content": sample.content, "address": sample.address,
                     "district": district, "service_code": sample.service,
                     "department_id": departments[sample.department], "priority": sample.urgency,
                     "answerable": sample.answerable})
    conn.execute(text("INSERT INTO bench_samples VALUES (:idx, :title, :content, :address, :district, "
                      ":service_code, :department_id, :priority, :answerable)"), rows)
    _samples = len(rows)


def _drop_indexes_and_keys(conn) -> None:
    """Drop the secondary indexes and foreign keys of the tables about to be filled."""
    for table in BUILT_TABLES:
        for (name,) in conn.execute(text(
                "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype IN ('f', 'u')"),
                {"t": table}).all():
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for (name,) in conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = :t AND indexname NOT LIKE 'pk_%'"),
                {"t": table}).all():
            conn.execute(text(f'DROP INDEX "{name}"'))


def _schema_ddl(url: str) -> list[tuple[str, str]]:
    """How the migrations define the filled tables' indexes and keys, read from a scratch database.

    Taken from a freshly migrated schema rather than remembered from the drop,
    so a build interrupted half-way still ends with every index.
    """
    admin = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    scratch = "hotline_bench_evaluation_schema"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    scratch_url = url.rsplit("/", 1)[0] + "/" + scratch
    try:
        upgrade(scratch_url, "evaluation@head")
        engine = create_engine(scratch_url.replace("postgresql://", "postgresql+psycopg://", 1))
        ddl = []
        with engine.connect() as conn:
            for table in BUILT_TABLES:
                ddl += [(name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                        for name, definition in conn.execute(text(
                            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('f', 'u') ORDER BY contype DESC"),
                            {"t": table})]
                ddl += [(name, definition) for name, definition in conn.execute(text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t AND indexname NOT LIKE 'pk_%' "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint)"), {"t": table})]
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()
    return sorted(ddl, key=lambda item: "FOREIGN KEY" in item[1])  # unique keys before the references


def rebuild_indexes(url: str) -> None:
    """Create every index and key of the filled tables that the migrations define and the database lacks."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        present = {name for (name,) in conn.execute(text(
            "SELECT indexname FROM pg_indexes UNION SELECT conname FROM pg_constraint"))}
        conn.execute(text("SET maintenance_work_mem = '1GB'"))
        for name, statement in _schema_ddl(url):
            if name not in present:
                started = time.perf_counter()
                conn.execute(text(statement))
                print(f"  {name}: {time.perf_counter() - started:.0f} s", flush=True)
    engine.dispose()


def _admin_url(url: str) -> str:
    return (url.rsplit("/", 1)[0] + "/postgres").replace("postgresql://", "postgresql+psycopg://", 1)


def measure(url: str, runs: int) -> dict:
    """Time the real code paths over the built ledger; return the figures for the report."""
    from evaluation.hotline import hotline_figures
    from evaluation.periods import parse_period
    from evaluation.queries import records
    from evaluation.ranking import rank
    from evaluation.rules import load_rules
    from evaluation.scorecard import compute_scorecard
    from hotline.db import Database

    upgrade(url, "evaluation@head")  # its own tables, when the ledger was built before they existed
    # One connection, so the database backend doing the work is one process whose CPU time we can read:
    # on a shared machine the wall time includes waiting for a core, the CPU time does not.
    db, rules, period = Database(url, pool_size=1, max_overflow=0), load_rules(), parse_period(PERIOD)
    with db.engine.connect() as conn:
        backend = conn.scalar(text("SELECT pg_backend_pid()"))
    catalogue = load_catalogue()
    start, end = period.bounds(TZ)
    timings: dict[str, list[float]] = {}

    def timed(name, fn):
        began, began_cpu = time.perf_counter(), _cpu_seconds(backend) + time.process_time()
        result = fn()
        timings.setdefault(name, []).append(time.perf_counter() - began)
        timings.setdefault(name + "_cpu", []).append(_cpu_seconds(backend) + time.process_time() - began_cpu)
        return result

    for _ in range(runs):
        card = timed("scorecard", lambda: compute_scorecard(db, rules, period, now=AS_OF, tz=TZ))
        timed("ranking", lambda: rank(compute_scorecard(db, rules, period, now=AS_OF, tz=TZ), rules,
                                      compute_scorecard(db, rules, period.previous(), now=AS_OF, tz=TZ)))
        biggest = max(card.rows, key=lambda row: row.received).unit
        timed("drilldown", lambda: records(db, rules, start, end, AS_OF, flag="overdue", department_id=biggest.id))
        timed("hotline", lambda: hotline_figures(db, catalogue, rules, start, end))
    with db.engine.connect() as conn:
        counts = {"tickets": conn.scalar(text("SELECT count(*) FROM tickets")),
                  "events": conn.scalar(text("SELECT count(*) FROM ticket_events")),
                  "registered": conn.scalar(text("SELECT count(*) FROM tickets WHERE registered_at >= :s "
                                                 "AND registered_at < :e"), {"s": start, "e": end})}
        version = conn.scalar(text("SHOW server_version"))
    db.dispose()
    return {"timings": timings, "counts": counts, "records": card.total.received, "server": version}


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a local process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(result: dict) -> str:
    t, c = result["timings"], result["counts"]

    def cell(name):
        wall, cpu = t[name], t[name + "_cpu"]
        return (f"{wall[0]:.2f} s | {statistics.median(wall[1:] or wall):.2f} s | "
                f"{statistics.median(cpu[1:] or cpu):.2f} s")
    load = os.getloadavg()[0]
    return "\n".join([
        MARKERS[0],
        "## Evaluation: the monthly scorecard over ten million tickets",
        "",
        f"`scripts/bench_evaluation.py` on PostgreSQL {result['server']}, {os.cpu_count()} cores "
        f"(load average {load:.1f} when measured, the machine shared with other work), "
        f"Python {platform.python_version()}. Ledger: {c['tickets']:,} tickets registered evenly over the "
        f"24 months before November 2026 with {c['events']:,} events, generated in the database "
        f"(generate_series) with the histories the actions write, events in the order they are appended. "
        f"Scored: {PERIOD} as of 2026-11-05 09:00, {c['registered']:,} tickets registered in the month, "
        f"{result['records']:,} handling records (tickets received by departments).",
        "",
        "| What | First run | Median of the next runs | CPU time (database and Python), median |",
        "|---|---|---|---|",
        f"| monthly scorecard, every department (`compute_scorecard`) — goal < 5 s | {cell('scorecard')} |",
        f"| ranking page: this month and the previous, ranked | {cell('ranking')} |",
        f"| drill-down: one department's overdue tickets, first page | {cell('drilldown')} |",
        f"| hotline figures with the month's repeats and top issues (jieba over 3,000 texts) | {cell('hotline')} |",
        "",
        "Wall times depend on how busy the two shared cores are; the CPU time is the work itself "
        "(the database backend's user and system time plus this process's), which a quiet machine "
        "would take about as wall time. The scorecard is one statement: an index range scan of the "
        "events from the period's start, hash-grouped per ticket and department, joined to the "
        "tickets by their id stretch (see docs/evaluation.md).",
        "",
        "Run it with `.venv/bin/python scripts/bench_evaluation.py --write-docs` (builds the ledger once, "
        "about half an hour on two cores; `--rebuild` to start again).",
        MARKERS[1],
    ])


def write_docs(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text_ = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if MARKERS[0] in text_ and MARKERS[1] in text_:
        before, rest = text_.split(MARKERS[0], 1)
        after = rest.split(MARKERS[1], 1)[1]
        text_ = before + section + after
    else:
        text_ = text_.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text_, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/hotline_bench_evaluation")
    parser.add_argument("--tickets", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="build the ledger again even if it is there")
    parser.add_argument("--write-docs", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    _ensure_database(args.url)
    if args.rebuild or _ticket_count(args.url) != args.tickets:
        build(args.url, args.tickets)
    result = measure(args.url, args.runs)
    section = report(result)
    print(section)
    if args.write_docs:
        write_docs(section)
    return 0


def _ensure_database(url: str) -> None:
    admin = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _ticket_count(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM tickets")) or 0
    except Exception:  # no schema yet
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
