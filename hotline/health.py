"""What /healthz reports: can the ledger and the queue be reached right now."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text


def health_report(services) -> dict[str, Any]:
    database: dict[str, Any] = {"dialect": services.db.dialect}
    try:
        with services.db.reading() as session:
            session.execute(text("SELECT 1"))
        database["ok"] = True
    except Exception as exc:
        database.update(ok=False, error=str(exc).splitlines()[0])
    queue = services.queue.health()
    redis: dict[str, Any] = {"configured": services.redis is not None}
    if services.redis is not None:
        redis["ok"] = bool(queue.get("ok"))
    # Redis being down degrades background work (it waits in the outbox) but does not
    # stop intake, so only the database decides whether the hotline is up.
    return {"status": "ok" if database["ok"] else "error", "database": database, "redis": redis, "queue": queue}
