"""Staff pages for tickets: the list with filters, and one ticket with its timeline, lights and actions."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from hotline.audit.reads import log_contact_reads
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import query_int
from hotline.web.routing import Routes
from hotline.web.security import STAFF, current_actor, requires
from tracking.actions import LedgerError
from tracking.actions._core import can_act
from tracking.commands import run_command
from tracking.lights import light_view
from tracking.presenters import mask_phone, sees_full_phone
from tracking.queries import TicketFilter, departments, list_tickets, ticket_by_number
from tracking.states import TRANSITIONS, Status
from tracking.timeline import ACTION_LABELS, entries, steps

routes = Routes()
routes.add_nav("工单查询", "/tickets", STAFF, order=20)


@routes.table.get("/tickets")
@requires(*STAFF)
@aiohttp_jinja2.template("tracking/list.html")
async def ticket_list(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    flt = TicketFilter(status=request.query.get("status") or None, text=request.query.get("q") or None,
                       channel=request.query.get("channel") or None,
                       department_id=query_int(request, "department_id", 0) or None,
                       page=query_int(request, "page", 1), per_page=30)
    page = await run_blocking(list_tickets, services.db, actor, flt)
    now = services.clock()
    await log_contact_reads(request, actor, page.items, "ticket_list", now)
    return {"page": page, "filter": flt, "statuses": list(Status), "lights": {t.id: light_view(t, now) for t in page.items},
            "departments": await run_blocking(departments, services.db),
            "show_phone": sees_full_phone(actor), "mask_phone": mask_phone}


@routes.table.get("/tickets/{number}")
@requires(*STAFF)
async def ticket_detail(request: web.Request) -> web.Response:
    return await _render_detail(request, error=None)


@routes.table.post("/tickets/{number}/act")
@requires(*STAFF)
async def ticket_act(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = dict(await request.post())
    number = request.match_info["number"]
    now = services.clock()
    try:
        await run_blocking(run_command, services.ledger, number, str(form.get("action", "")),
                           actor=actor, now=now, fields=form)
    except LedgerError as exc:
        if exc.http_status == 404:
            raise
        return await _render_detail(request, error=exc.message, status=exc.http_status)
    raise web.HTTPSeeOther(f"/tickets/{number}")


async def _render_detail(request: web.Request, error: str | None, status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    now = services.clock()
    await log_contact_reads(request, actor, [ticket], "ticket_page", now)
    acts = can_act(actor, ticket)  # an assisting department (协办) reads the ticket; only the lead acts on it
    available = [t for t in TRANSITIONS.values() if acts and actor.role in t.roles and ticket.status in t.sources]
    if not ticket.extension_requested_days:
        available = [t for t in available if t.action not in {"grant_extension", "refuse_extension"}]
    else:
        available = [t for t in available if t.action != "request_extension"]
    response = aiohttp_jinja2.render_template("tracking/detail.html", request, {
        "ticket": ticket, "available": available, "error": error, "action_labels": ACTION_LABELS,
        "light": light_view(ticket, now), "steps": steps(ticket, now), "entries": entries(ticket, services.ledger.tz),
        "departments": await run_blocking(departments, services.db),
        "phone": ticket.contact_phone if sees_full_phone(actor) else mask_phone(ticket.contact_phone)})
    response.set_status(status)
    return response
