"""Building the deployment's long-lived parts from settings, once per process.

The web app, the rq worker, the CLI and the tests all call
:func:`build_services`, so they share one wiring: which database, which queue,
which calendar and catalogue.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import hotline.tasks  # noqa: F401  registers every domain's background tasks in this process
from channels.sms.senders import SmsSender, build_sms_sender
from channels.web.ratelimit import RateLimiter
from config.catalogue import Catalogue, load_catalogue
from config.settings import Settings
from hotline.clock import system_clock
from hotline.db import Database
from hotline.queues import InProcessQueue, JobQueue, RqQueue
from knowledge.base import KnowledgeBase
from telephony.reports import call_figure_lines
from tracking.calendar import load_calendar
from tracking.deadlines import load_time_limits
from tracking.ledger import Ledger


@dataclass
class Services:
    settings: Settings
    db: Database
    ledger: Ledger
    catalogue: Catalogue
    queue: JobQueue
    redis: object | None
    clock: Callable[[], datetime]
    sms: SmsSender | None = None  # outbound SMS (Twilio or console); only the sms.send task uses it
    rate_limiter: RateLimiter | None = None  # public forms and lookups, per client address
    knowledge: KnowledgeBase | None = None  # the knowledge base and its in-memory search index
    # Call figures shown beside the hotline figures in evaluation pages and reports: a callable
    # (start, end) -> lines or None, see evaluation.hotline.CallFiguresSource; telephony fills it.
    call_figures: Callable[[datetime, datetime], Any] | None = None
    dispatch: Any = None  # dispatch.router.Router: the routing model in use, rules, districts
    # dispatch.intake_routing.IntakeRouter: intake routes new tickets as it writes them with it
    intake_routing: Any = None

    def close(self) -> None:
        self.queue.stop()
        self.db.dispose()
        if self.redis is not None:
            self.redis.close()


def build_services(settings: Settings, *, clock: Callable[[], datetime] = system_clock,
                   queue: str | None = None) -> Services:
    """Wire the database, rules and queue described by ``settings``.

    Args:
        queue: ``"rq"`` or ``"in-process"``; by default rq when a Redis URL is set.
    """
    from tracking.tasks import schedule_tracking_tasks  # the sweep's period is a setting

    schedule_tracking_tasks(settings)
    db = Database(settings.database_url)
    catalogue = load_catalogue()
    tz = ZoneInfo(settings.timezone)
    ledger = Ledger(db=db, tz=tz, calendar=load_calendar(tz=tz), limits=load_time_limits(),
                    service_groups={s.code: s.group for s in catalogue.services})
    redis = None
    if settings.redis_url:
        from redis import Redis
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    services = Services(settings=settings, db=db, ledger=ledger, catalogue=catalogue,
                        queue=None, redis=redis, clock=clock,  # type: ignore[arg-type]
                        sms=build_sms_sender(settings),
                        rate_limiter=RateLimiter(settings.rate_limit_per_minute, redis),
                        knowledge=KnowledgeBase(db, tz, settings.knowledge_synonyms_file,
                                                {s.code: s.name for s in catalogue.services}))
    use_rq = (queue or ("rq" if redis is not None else "in-process")) == "rq"
    from dispatch.intake_routing import IntakeRouter
    from dispatch.router import Router  # checks the city's dispatch rules at start-up
    services.dispatch = Router.from_settings(settings, catalogue)
    services.intake_routing = IntakeRouter(services)
    services.queue = RqQueue(redis) if use_rq else InProcessQueue(services, clock)
    services.call_figures = functools.partial(call_figure_lines, db)
    db.job_submitter = services.queue.submit
    db.job_batch_submitter = services.queue.submit_many
    return services
