"""Dispatch's pages: the triage queue (分派审核), a ticket's routing and 协办, a department's assisted tickets.

The triage queue lists tickets routing would not send on by itself (low
confidence, no model, a department not in service) and returned tickets
waiting to be reassigned; each shows the proposal, the top three
departments, the words behind it and the model version, and is sent on in
one click to the proposal or to any other department.
"""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from dispatch.assists import add_assisting_department, end_assistance, submit_assist_opinion
from dispatch.queries import (active_departments, assisted_tickets, assists_of, department_by_code, proposals_of,
                              queue_counts, returned_queue, triage_queue)
from dispatch.router import HOTLINE_ITSELF
from dispatch.routes import TRIAGE_ROLES, routes
from dispatch.triage import Decision, proposal_for_returned, send_on
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import STAFF, current_actor, requires
from tracking.actions import InvalidInput, LedgerError, NotFound
from tracking.queries import ticket_by_number
from tracking.states import Role
from tracking.views.common import back_to, page_link, query_page, with_notice

VIEWS = {"triage": "待人工分派", "returned": "退单待改派"}


@routes.table.get("/dispatch/triage")
@requires(*TRIAGE_ROLES)
async def triage(request: web.Request) -> web.Response:
    return await _render_triage(request)


@routes.table.post("/dispatch/triage/{number}")
@requires(*TRIAGE_ROLES)
async def send(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = dict(await request.post())
    number, back = request.match_info["number"], back_to(form, "/dispatch/triage")
    decision = Decision(department_code=str(form.get("department") or ""),
                        service_code=str(form.get("service_code") or "") or None,
                        note=str(form.get("note") or ""), assist_code=str(form.get("assist") or "") or None)
    now = services.clock()
    try:
        ticket = await run_blocking(send_on, services, number, decision, actor=actor, now=now)
    except LedgerError as exc:
        return await _render_triage(request, back, error=f"工单{number}：{exc.message}", status=exc.http_status)
    raise web.HTTPSeeOther(with_notice(back, f"工单{number}已派至{ticket.department.name}"))


async def _render_triage(request: web.Request, back: str | None = None, *, error: str | None = None,
                         status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    url = URL(back) if back else request.rel_url
    view = url.query.get("view") if url.query.get("view") in VIEWS else "triage"
    page = query_page(url.query)
    if view == "triage":
        listing = await run_blocking(triage_queue, services.db, page=page)
        fresh = {}
    else:
        listing = await run_blocking(returned_queue, services.db, page=page)
        fresh = {item.ticket.id: await run_blocking(proposal_for_returned, services, item.ticket, item.returned_by)
                 for item in listing.items}
    departments = [d for d in await run_blocking(active_departments, services.db) if d.code != HOTLINE_ITSELF]
    catalogue = services.catalogue
    response = aiohttp_jinja2.render_template("dispatch/triage.html", request, {
        "view": view, "views": VIEWS, "listing": listing, "counts": await run_blocking(queue_counts, services.db),
        "fresh": fresh, "departments": departments, "names": {d.code: d.name for d in departments},
        "services": catalogue.services, "service_names": {s.code: s.name for s in catalogue.services},
        "threshold": services.settings.dispatch_min_confidence, "error": error,
        "notice": url.query.get("notice"), "back": str(url), "link": lambda **changes: page_link(url, **changes)})
    response.set_status(status)
    return response


@routes.table.get("/dispatch/tickets/{number}")
@requires(*STAFF)
async def ticket_routing(request: web.Request) -> web.Response:
    return await _render_ticket(request)


@routes.table.post("/dispatch/tickets/{number}/assists")
@requires(Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DEPARTMENT)
async def add_assist(request: web.Request) -> web.Response:
    return await _act(request, "add")


@routes.table.post("/dispatch/tickets/{number}/assists/{code}/end")
@requires(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
async def end_assist(request: web.Request) -> web.Response:
    return await _act(request, "end")


@routes.table.post("/dispatch/tickets/{number}/opinion")
@requires(Role.DEPARTMENT)
async def opinion(request: web.Request) -> web.Response:
    return await _act(request, "opinion")


async def _act(request: web.Request, what: str) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = dict(await request.post())
    number = request.match_info["number"]
    ticket = await run_blocking(ticket_by_number, services.db, number, actor)
    now = services.clock()
    try:
        if what == "opinion":
            await run_blocking(submit_assist_opinion, services.ledger, ticket.id, actor=actor, now=now,
                               opinion=str(form.get("opinion") or ""))
            notice = "协办意见已提交主办单位"
        else:
            code = str(form.get("department") or "") if what == "add" else request.match_info["code"]
            department = await run_blocking(department_by_code, services.db, code)
            if department is None:
                raise InvalidInput("请选择协办单位")
            if what == "add":
                await run_blocking(add_assisting_department, services.ledger, ticket.id, department.id, actor=actor,
                                   now=now, note=str(form.get("note") or ""))
                notice = f"已增加协办单位：{department.name}"
            else:
                await run_blocking(end_assistance, services.ledger, ticket.id, department.id, actor=actor, now=now,
                                   note=str(form.get("note") or ""))
                notice = f"已撤销协办单位：{department.name}"
    except LedgerError as exc:
        if isinstance(exc, NotFound) and what != "end":
            raise
        return await _render_ticket(request, error=exc.message, status=exc.http_status)
    raise web.HTTPSeeOther(with_notice(f"/dispatch/tickets/{number}", notice))


async def _render_ticket(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    assists = await run_blocking(assists_of, services.db, ticket.id)
    mine = next((v for v in assists if v.assist.removed_at is None and actor.role is Role.DEPARTMENT
                 and v.department.id == actor.department_id), None)
    leads = actor.role is Role.DEPARTMENT and ticket.department_id == actor.department_id
    departments = [d for d in await run_blocking(active_departments, services.db) if d.code != HOTLINE_ITSELF]
    response = aiohttp_jinja2.render_template("dispatch/ticket.html", request, {
        "ticket": ticket, "assists": assists, "mine": mine, "error": error, "notice": request.query.get("notice"),
        "proposals": await run_blocking(proposals_of, services.db, ticket.id) if actor.role is not Role.DEPARTMENT
        or leads else [],
        "may_add": ticket.is_open and ticket.department_id is not None and (actor.role in TRIAGE_ROLES or leads),
        "may_end": actor.role in TRIAGE_ROLES, "departments": departments,
        "service_names": {s.code: s.name for s in services.catalogue.services},
        "names": {d.code: d.name for d in departments}})
    response.set_status(status)
    return response


@routes.table.get("/dispatch/assisting")
@requires(Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
async def assisting(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    department = None
    if actor.role is Role.DEPARTMENT:
        department_id = actor.department_id
    else:  # the supervision office looks at one department's list as the department sees it
        department = await run_blocking(department_by_code, services.db, request.query.get("department") or "")
        department_id = department.id if department else None
    open_only = request.query.get("all") != "1"
    items, total = await run_blocking(assisted_tickets, services.db, department_id, page=query_page(request.query),
                                      open_only=open_only) if department_id else ([], 0)
    return aiohttp_jinja2.render_template("dispatch/assisting.html", request, {
        "items": items, "total": total, "open_only": open_only, "department": department,
        "departments": await run_blocking(active_departments, services.db) if actor.role is not Role.DEPARTMENT
        else []})
