"""JSON for machines: a department's queue with lights, the supervision lists, notifications.

A department's own system (with a department API key) polls its queue here and
acts on tickets through ``POST /api/v1/tickets/{number}/actions/{action}``.
"""
from __future__ import annotations

from aiohttp import web

from hotline.audit.reads import log_contact_reads
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_ok, query_int
from hotline.web.security import STAFF, current_actor, requires
from tracking.notifications import inbox, unread_count
from tracking.presenters import ticket_json
from tracking.views import openapi_specs as spec
from tracking.views.common import query_light, query_page
from tracking.views.department import PORTAL_ROLES, VIEW_LABELS
from tracking.views.routes import routes
from tracking.views.supervision import SUPERVISION_ROLES
from tracking.worklists import SUPERVISION_VIEWS, department_queue, queue_department, supervision_list


@routes.api("GET", "/api/v1/department/queue", spec.QUEUE)
@requires(*PORTAL_ROLES)
async def queue(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    department = await run_blocking(queue_department, services.db, actor, request.query.get("department"))
    view = request.query.get("view") if request.query.get("view") in VIEW_LABELS else "todo"
    worklist = await run_blocking(department_queue, services.db, department.id, now, view=view,
                                  light=query_light(request.query), text=request.query.get("q") or None,
                                  page=query_page(request.query))
    await log_contact_reads(request, actor, worklist.items, "department_queue", now)
    return json_ok({"department": {"code": department.code, "name": department.name}, "view": view,
                    "items": [ticket_json(t, actor, now=now) for t in worklist.items], "counts": worklist.counts,
                    "total": worklist.total, "page": worklist.page, "pages": worklist.pages})


@routes.api("GET", "/api/v1/supervision/{view}", spec.SUPERVISION)
@requires(*SUPERVISION_ROLES)
async def supervision(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    view = request.match_info["view"]
    if view not in SUPERVISION_VIEWS:
        raise web.HTTPNotFound(text='{"error": "未知的督办列表"}', content_type="application/json")
    now = services.clock()
    worklist = await run_blocking(supervision_list, services.db, now, view=view, page=query_page(request.query))
    await log_contact_reads(request, actor, worklist.items, "supervision", now)
    return json_ok({"view": view, "items": [ticket_json(t, actor, now=now) for t in worklist.items],
                    "counts": worklist.counts, "total": worklist.total, "page": worklist.page,
                    "pages": worklist.pages})


@routes.api("GET", "/api/v1/notifications", spec.NOTIFICATIONS)
@requires(*STAFF)
async def notifications(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    box = await run_blocking(inbox, services.db, actor, before_id=query_int(request, "before", 0) or None)
    unread = await run_blocking(unread_count, services.db, actor)
    return json_ok({"unread": unread, "items": [
        {"id": n.id, "kind": n.kind, "text": n.text, "created_at": n.created_at.isoformat(),
         "ticket": n.ticket.number if n.ticket else None, "new": n.id > box.seen_id} for n in box.items]})

