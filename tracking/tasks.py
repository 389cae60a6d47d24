"""Tracking's background tasks: the deadline sweep, run periodically.

``schedule_tracking_tasks`` is called once per process by
``hotline.services.build_services``: importing this module registers the task,
and the call declares its period from the settings, so the web process (with
the in-process queue), ``hotline worker`` and the tests all run the same sweep.
"""
from __future__ import annotations

from datetime import timedelta

from config.settings import Settings
from hotline.jobs import JobContext, task
from hotline.scheduler import every
from tracking.sweep import sweep_deadlines

SWEEP_TASK = "tracking.sweep_deadlines"


@task(SWEEP_TASK)
def run_sweep(ctx: JobContext) -> None:
    """One run of the deadline sweep at the time the job was started."""
    settings = ctx.services.settings
    sweep_deadlines(ctx.services.ledger, ctx.now,
                    text_interval=timedelta(minutes=max(0, settings.reminder_text_interval_minutes)))


def schedule_tracking_tasks(settings: Settings) -> None:
    """Declare the sweep's period (``HOTLINE_SWEEP_INTERVAL_SECONDS``)."""
    every(timedelta(seconds=max(1, settings.sweep_interval_seconds)), SWEEP_TASK)
