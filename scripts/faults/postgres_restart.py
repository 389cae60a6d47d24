"""PostgreSQL restarted under load: clients get 503 with Retry-After (never 500), and every ticket
the hotline acknowledged is in the database afterwards.

Run as root on a machine whose PostgreSQL may be restarted (never in CI: it restarts the
machine's cluster, which other work may be using):

    .venv/bin/python scripts/faults/postgres_restart.py [--seconds 20] [--clients 16]

It starts the PostgreSQL deployment of scripts/stack.py (nginx, two web processes, a
worker), posts tickets through the API from ``--clients`` concurrent clients, each with
its own external id so that a retry cannot make a second ticket, restarts the cluster with
``pg_ctlcluster --skip-systemctl-redirect <version> main restart`` a few seconds in, and
reports sent / acknowledged / stored. A client that gets 503 waits ``Retry-After`` and sends
the same request again, as a well-behaved client does.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.stack import Stack  # noqa: E402


def restart_postgres() -> float:
    version = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True).stdout.split()[0]
    started = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)
    return time.monotonic() - started


async def client(session, base: str, key: str, number: int, stop: float, log: dict) -> None:
    import aiohttp

    sequence = 0
    while time.monotonic() < stop:
        sequence += 1
        body = {"content": f"停电了，小区整栋楼没电（压测{number}-{sequence}）", "external_id": f"pg-{number}-{sequence}",
                "contact_phone": f"1370000{number:04d}"}
        log["sent"].add(body["external_id"])
        while True:
            try:
                async with session.post(f"{base}/api/v1/tickets", json=body,
                                        headers={"Authorization": f"Bearer {key}"}) as response:
                    log["statuses"][response.status] += 1
                    if response.status in (200, 201):
                        log["acknowledged"][body["external_id"]] = (await response.json())["number"]
                        break
                    if response.status == 503:
                        log["retry_after"].add(response.headers.get("Retry-After"))
                        await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 2))
                        continue
                    log["other"].append((response.status, (await response.text())[:200]))
                    break
            except aiohttp.ClientError as exc:
                log["statuses"][type(exc).__name__] += 1
                await asyncio.sleep(0.5)
            if time.monotonic() > stop + 30:
                break


async def load(base: str, key: str, clients: int, seconds: float, log: dict) -> None:
    import aiohttp

    stop = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(client(session, base, key, n, stop, log) for n in range(clients)))


def stored_numbers(database_url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT external_id, number FROM tickets WHERE external_id LIKE 'pg-%'")).all()
    engine.dispose()
    return dict(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--restart-after", type=float, default=5)
    args = parser.parse_args()
    log = {"sent": set(), "acknowledged": {}, "statuses": Counter(), "retry_after": set(), "other": []}
    with Stack(backend="postgresql", web=2, workers=1) as stack:
        key = stack.api_key("pg-restart")
        base = f"http://127.0.0.1:{stack.port}"

        async def run() -> float:
            task = asyncio.create_task(load(base, key, args.clients, args.seconds, log))
            await asyncio.sleep(args.restart_after)
            took = await asyncio.to_thread(restart_postgres)
            await task
            return took

        restart_seconds = asyncio.run(run())
        time.sleep(1)
        stored = stored_numbers(stack.database_url)
    acknowledged = log["acknowledged"]
    lost = {eid for eid in acknowledged if stored.get(eid) != acknowledged[eid]}
    report = {"fault": "PostgreSQL restarted under load", "sent": len(log["sent"]), "acknowledged": len(acknowledged),
              "stored": len(set(acknowledged) & set(stored)), "stored_unacknowledged": len(set(stored) - set(acknowledged)),
              "restart_seconds": round(restart_seconds, 1), "statuses": dict(log["statuses"]),
              "retry_after": sorted(r for r in log["retry_after"] if r), "acknowledged_but_missing": len(lost),
              "unexpected_answers": log["other"][:5]}
    print("FAULT REPORT " + json.dumps(report, ensure_ascii=False, default=str))
    ok = not lost and not log["other"] and 500 not in log["statuses"] and \
        report["acknowledged"] == report["stored"] and (503 not in log["statuses"] or report["retry_after"] == ["5"])
    print("OK: every acknowledged ticket is stored; clients saw 503 + Retry-After, never 500" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
