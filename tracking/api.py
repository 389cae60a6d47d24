"""JSON API for tickets under /api/v1: create, read by number, list, act."""
from __future__ import annotations

from aiohttp import web

from hotline.audit.reads import log_contact_reads
from hotline.web.blocking import run_blocking
from hotline.web.keys import INTAKE, SERVICES
from hotline.web.requests import json_body, json_ok, query_datetime, query_int
from hotline.web.routing import Routes
from hotline.web.security import STAFF, current_actor, requires
from tracking import openapi_specs as spec
from tracking.actions import InvalidInput, NewTicket
from tracking.commands import run_command
from tracking.presenters import ticket_json
from tracking.queries import TicketFilter, list_tickets, ticket_by_number
from tracking.states import Channel, Priority, Role

routes = Routes()
ROUTE_TASK = "dispatch.route_ticket"  # dispatch's job (by name: tracking does not import dispatch)


@routes.api("POST", "/api/v1/tickets", spec.CREATE)
@requires(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
async def create_ticket(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    body = await json_body(request)
    new = new_ticket_from(body)
    now = services.clock()
    # A machine's request (channel api) is routed like any channel's; a person keying in a call or a
    # letter through the API (phone, letter) dispatches it themselves.
    follow_ups = [(ROUTE_TASK, {})] if new.channel == Channel.API else []
    registration = await request.app[INTAKE].register(new, actor=actor, now=now, follow_ups=follow_ups)
    ticket = registration.ticket  # a new ticket is answered as written (no second read in the hot path)
    if not registration.created:
        ticket = await run_blocking(ticket_by_number, services.db, ticket.number, actor)
    return json_ok(ticket_json(ticket, actor), status=201 if registration.created else 200)


@routes.api("GET", "/api/v1/tickets", spec.LIST)
@requires(*STAFF)
async def list_ticket_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    tz = services.ledger.tz
    flt = TicketFilter(
        status=request.query.get("status") or None, channel=request.query.get("channel") or None,
        priority=request.query.get("priority") or None, phone=request.query.get("phone") or None,
        text=request.query.get("q") or None,
        department_id=query_int(request, "department_id", 0) or None,
        registered_from=query_datetime(request, "from", tz), registered_to=query_datetime(request, "to", tz),
        page=query_int(request, "page", 1), per_page=query_int(request, "per_page", 50))
    page = await run_blocking(list_tickets, services.db, actor, flt)
    now = services.clock()
    await log_contact_reads(request, actor, page.items, "ticket_list_api", now)
    return json_ok({"items": [ticket_json(t, actor, now=now) for t in page.items], "total": page.total,
                    "total_exact": page.total_exact, "page": page.page, "per_page": page.per_page, "pages": page.pages})


@routes.api("GET", "/api/v1/tickets/{number}", spec.READ)
@requires(*STAFF)
async def read_ticket(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    now = services.clock()
    await log_contact_reads(request, actor, [ticket], "ticket_api", now)
    return json_ok(ticket_json(ticket, actor, events=True, now=now))


@routes.api("POST", "/api/v1/tickets/{number}/actions/{action}", spec.ACT)
@requires(*STAFF)
async def act_on_ticket(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    body = await json_body(request)
    number = request.match_info["number"]
    now = services.clock()
    await run_blocking(run_command, services.ledger, number, request.match_info["action"],
                       actor=actor, now=now, fields=body)
    ticket = await run_blocking(ticket_by_number, services.db, number, actor)
    await log_contact_reads(request, actor, [ticket], "ticket_api", now)
    return json_ok(ticket_json(ticket, actor, events=True))


def new_ticket_from(body: dict) -> NewTicket:
    """Build the registration request from an API body, refusing wrong types clearly."""
    def text(name: str, limit: int) -> str:
        value = body.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInput(f"字段 {name} 须为字符串")
        if len(value) > limit:
            raise InvalidInput(f"字段 {name} 不能超过{limit}字")
        return value
    try:
        priority = Priority(body.get("priority") or Priority.NORMAL)
    except ValueError:
        raise InvalidInput("priority 须为 normal、urgent 或 emergency") from None
    channel = body.get("channel") or Channel.API
    if not isinstance(channel, str) or channel not in {Channel.API, Channel.PHONE, Channel.LETTER}:
        raise InvalidInput("channel 须为 api、phone 或 letter")
    return NewTicket(
        channel=Channel(channel), content=text("content", 20000), title=text("title", 200),
        contact_name=text("contact_name", 80), contact_phone=text("contact_phone", 32) or None,
        address=text("address", 300), external_id=text("external_id", 120) or None,
        priority=priority, service_code=text("service_code", 60) or None)
