"""``/console``: the agent's workspace (接线台). One form per call, finished in one of three ways.

Works as plain HTML forms: "查找" re-renders the page with knowledge
suggestions, the caller's history and the routing proposal computed on the
server. ``/static/knowledge.js`` does the same as the agent types.
"""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from hotline.audit.reads import log_contact_reads
from hotline.console import queries
from hotline.console.forms import LOOKUP, finish_from, new_ticket_from
from hotline.console.routes import CONSOLE_ROLES, routes
from hotline.console.workflow import finish_ticket, take_call
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import current_actor, requires
from tracking.actions import LedgerError
from tracking.queries import departments, ticket_by_number
from tracking.states import PRIORITY_LABELS, Priority, Status

FINISHED = {"answer": "已直接办结", "dispatch": "已派单", "merge": "已并单", "save": "已登记，留在待处理队列"}
SUGGESTIONS = 5
HOTLINE_CENTRE = "hotline_center"  # the hotline itself (config/data/departments.yaml): answers, is not dispatched to


@routes.table.get("/console")
@requires(*CONSOLE_ROLES)
async def console(request: web.Request) -> web.Response:
    query = request.query
    values = {"contact_phone": query.get("phone", "")[:32], "call": query.get("call", "")[:64]}
    done = None
    if query.get("done") and query.get("how") in FINISHED:
        done = {"number": query["done"], "label": FINISHED[query["how"]]}
    return await _render(request, values=values, ticket_number=query.get("ticket") or None, done=done)


@routes.table.post("/console")
@requires(*CONSOLE_ROLES)
async def register_call(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    values = {key: str(value) for key, value in form.items() if key != "_csrf"}
    if form.get("finish") == LOOKUP:
        return await _render(request, values=values, lookup=True)
    now = services.clock()
    try:
        new, finish = new_ticket_from(form), finish_from(form)
        outcome = await run_blocking(take_call, services, new, finish, actor=actor, now=now,
                                     call_id=str(form.get("call", "")).strip() or None)
    except LedgerError as exc:
        return await _render(request, values=values, error=exc.message, status=exc.http_status)
    if outcome.warning:
        return await _render(request, values={}, warning=outcome.warning)
    raise web.HTTPSeeOther(f"/console?done={outcome.ticket.number}&how={finish.how}")


@routes.table.post("/console/tickets/{number}/finish")
@requires(*CONSOLE_ROLES)
async def finish_waiting(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    number = request.match_info["number"]
    values = {key: str(value) for key, value in form.items() if key != "_csrf"}
    ticket = await run_blocking(ticket_by_number, services.db, number, actor)
    now = services.clock()
    try:
        finish = finish_from(form)
        await run_blocking(finish_ticket, services, ticket.id, finish, actor=actor, now=now)
    except LedgerError as exc:
        return await _render(request, values=values, ticket_number=number, error=exc.message,
                             status=exc.http_status)
    raise web.HTTPSeeOther(f"/console?done={number}&how={finish.how}")


async def _render(request: web.Request, *, values: dict, ticket_number: str | None = None, done=None,
                  error: str | None = None, warning: str | None = None, lookup: bool = False,
                  status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = None
    if ticket_number:
        ticket = await run_blocking(ticket_by_number, services.db, ticket_number, actor)
        if ticket.status != Status.REGISTERED:
            done, ticket = {"number": ticket.number, "label": "已由他人处理"}, None
        else:  # the page shows the citizen's full number: that read goes in the access log
            await log_contact_reads(request, actor, [ticket], "console", services.clock())
    text = f"{ticket.title}\n{ticket.content}" if ticket else f"{values.get('title', '')}\n{values.get('content', '')}"
    address = ticket.address if ticket else values.get("address", "")
    phone = ticket.contact_phone if ticket else values.get("contact_phone")
    searching = bool(text.strip()) and (lookup or ticket is not None or error is not None)
    now = services.clock()
    suggestions = (await run_blocking(services.knowledge.search, text, now=now, limit=SUGGESTIONS)).hits \
        if searching else []
    items, waiting = await run_blocking(queries.work_queue, services.db)
    proposed = await run_blocking(queries.proposal, services, text, address) if searching else None
    response = aiohttp_jinja2.render_template("console/console.html", request, {
        "values": values, "ticket": ticket, "done": done, "error": error, "warning": warning,
        "suggestions": suggestions, "history": await run_blocking(queries.caller_history, services.db, actor, phone),
        "proposal": proposed, "priority": _more_urgent(values.get("priority"), (proposed or {}).get("priority")),
        "departments": [d for d in await run_blocking(departments, services.db)
                        if d.active and d.code != HOTLINE_CENTRE],
        "catalogue": services.catalogue, "priorities": list(Priority), "priority_labels": PRIORITY_LABELS,
        "queue": items, "waiting": waiting})
    response.set_status(status)
    return response


def _more_urgent(chosen: str | None, proposed: str | None) -> str:
    """The agent's urgency, raised to the one a dispatch rule proposes (a gas leak is 特急) but never lowered."""
    order = [Priority.NORMAL, Priority.URGENT, Priority.EMERGENCY]
    ranks = [order.index(Priority(p)) for p in (chosen, proposed) if p in {q.value for q in order}]
    return order[max(ranks, default=0)].value
