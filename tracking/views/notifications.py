"""In-app notifications (站内消息): the list, newest first; opening it marks them seen."""
from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import query_int
from hotline.web.security import STAFF, current_actor, requires
from tracking.notifications import inbox, mark_seen, unread_count
from tracking.views.routes import routes

log = logging.getLogger(__name__)

routes.add_nav("消息", "/notifications", STAFF, order=90)


@routes.table.get("/notifications")
@requires(*STAFF)
@aiohttp_jinja2.template("tracking/notifications.html")
async def notification_list(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    before = query_int(request, "before", 0) or None
    box = await run_blocking(inbox, services.db, actor, before_id=before)
    if box.items and box.items[0].id > box.seen_id:
        await run_blocking(mark_seen, services.db, actor, box.items[0].id, now=services.clock())
    return {"inbox": box, "before": before, "unread_notifications": 0}


async def notification_badge(request: web.Request, actor) -> int:
    """The number on the 消息 link: notifications the actor has not seen yet.

    Every staff page shows it, the error page included, so a failure to count
    (the database restarting) shows no badge rather than breaking the page.
    """
    if actor is None or SERVICES not in request.app:
        return 0
    try:
        return await run_blocking(unread_count, request.app[SERVICES].db, actor)
    except Exception:
        log.warning("could not count unread notifications", exc_info=True)
        return 0
