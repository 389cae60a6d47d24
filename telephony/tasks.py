"""Telephony's background task: close calls nobody closed (a process died mid-call, a lost callback).

Importing this module registers the task and its period; ``hotline.services``
imports it in every process, so the web process, ``hotline worker`` and the
tests know it.
"""
from __future__ import annotations

from datetime import timedelta

from hotline.jobs import JobContext, task
from hotline.scheduler import every
from telephony.store import close_stale_calls

CLOSE_STALE_TASK = "telephony.close_stale_calls"
CLOSE_STALE_EVERY = timedelta(minutes=10)


@task(CLOSE_STALE_TASK)
def close_stale(ctx: JobContext) -> None:
    """Close calls without news for longer than a call may last (``telephony.calls.MAX_CALL_AGE``)."""
    close_stale_calls(ctx.services.db, ctx.now)


every(CLOSE_STALE_EVERY, CLOSE_STALE_TASK)
