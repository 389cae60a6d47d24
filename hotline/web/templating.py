"""What every page template can use: the actor, the navigation for their role, CSRF."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from hotline.web.keys import NAV, SETTINGS
from hotline.web.security import csrf_token, current_actor
from tracking.states import (CHANNEL_LABELS, PRIORITY_LABELS, ROLE_LABELS, SATISFACTION_LABELS,
                             STATUS_LABELS)
from tracking.views.notifications import notification_badge


# Paths answered to machines (JSON, TwiML, XML): aiohttp_jinja2 runs context processors on every
# request, and the page context costs a session decrypt and two database reads (actor, unread count).
MACHINE_PATHS = ("/api/", "/hooks/", "/healthz", "/openapi.json")


async def template_context(request: web.Request) -> dict:
    """The page context; nothing for machine paths, which render no page."""
    if request.path.startswith(MACHINE_PATHS):
        return {}
    actor = await current_actor(request)
    nav = [item for item in request.app[NAV] if actor is not None and actor.role in item.roles]
    return {
        "actor": actor, "nav": nav, "csrf_token": await csrf_token(request),
        "city_name": request.app[SETTINGS].city_name, "current_path": request.path,
        "STATUS_LABELS": STATUS_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
        "PRIORITY_LABELS": PRIORITY_LABELS, "ROLE_LABELS": ROLE_LABELS,
        "SATISFACTION_LABELS": SATISFACTION_LABELS,
        "unread_notifications": await notification_badge(request, actor),
        "page_url": lambda number: str(request.rel_url.update_query(page=number)),
    }


def install_filters(env, tz: ZoneInfo) -> None:
    """Jinja filters: ``local`` shows an aware time in the city's zone."""
    def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(tz).strftime(fmt) if moment else "—"
    env.filters["local"] = local
