"""JSON API of the agent's telephone: break, callbacks, transfer, linking a call to a ticket."""
from __future__ import annotations

from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_body, json_ok
from hotline.web.security import current_actor, requires
from telephony import openapi_specs as spec
from telephony.agent_calls import call_back_missed, call_back_ticket, transfer_call
from telephony.breaks import agent_state, pause_agent, unpause_agent
from telephony.linking import link_call_to_ticket
from telephony.routes import routes
from telephony.runtime import TELEPHONY
from tracking.actions import InvalidInput
from tracking.queries import ticket_by_number
from tracking.states import Role

CALLERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@routes.api("GET", "/api/v1/telephony/agent", spec.AGENT)
@requires(*CALLERS)
async def read_agent(request: web.Request) -> web.Response:
    services, telephony = request.app[SERVICES], request.app[TELEPHONY]
    actor = await current_actor(request)
    state = await run_blocking(agent_state, services.db, actor)
    return json_ok({**state.to_json(), "telephony": telephony.status, "control": telephony.control.kind})


@routes.api("POST", "/api/v1/telephony/pause", spec.PAUSE)
@requires(*CALLERS)
async def pause(request: web.Request) -> web.Response:
    services, telephony = request.app[SERVICES], request.app[TELEPHONY]
    actor = await current_actor(request)
    body = await json_body(request)
    now = services.clock()
    state = await pause_agent(services, telephony.control, actor=actor, now=now, reason=_text(body, "reason"))
    return json_ok(state.to_json())


@routes.api("POST", "/api/v1/telephony/unpause", spec.UNPAUSE)
@requires(*CALLERS)
async def unpause(request: web.Request) -> web.Response:
    services, telephony = request.app[SERVICES], request.app[TELEPHONY]
    actor = await current_actor(request)
    now = services.clock()
    state = await unpause_agent(services, telephony.control, actor=actor, now=now)
    return json_ok(state.to_json())


@routes.api("POST", "/api/v1/telephony/tickets/{number}/callback", spec.CALLBACK)
@requires(*CALLERS)
async def call_back(request: web.Request) -> web.Response:
    services, telephony = request.app[SERVICES], request.app[TELEPHONY]
    actor = await current_actor(request)
    now = services.clock()
    result = await call_back_ticket(services, telephony.control, request.match_info["number"], actor=actor, now=now)
    return json_ok(result, status=202)


@routes.api("POST", "/api/v1/telephony/tickets/{number}/transfer", spec.TRANSFER)
@requires(*CALLERS)
async def transfer(request: web.Request) -> web.Response:
    services, telephony = request.app[SERVICES], request.app[TELEPHONY]
    actor = await current_actor(request)
    body = await json_body(request)
    now = services.clock()
    result = await transfer_call(services, telephony.control, request.match_info["number"],
                                 department_code=_text(body, "department"), mode=_text(body, "mode") or "blind",
                                 linkedid=_text(body, "call") or None, actor=actor, now=now)
    return json_ok(result, status=202)


@routes.api("POST", "/api/v1/telephony/missed/callback", spec.MISSED_CALLBACK)
@requires(*CALLERS)
async def missed_call_back(request: web.Request) -> web.Response:
    services, telephony = request.app[SERVICES], request.app[TELEPHONY]
    actor = await current_actor(request)
    body = await json_body(request)
    now = services.clock()
    result = await call_back_missed(services, telephony.control, _text(body, "number"), actor=actor, now=now)
    return json_ok(result, status=202)


@routes.api("POST", "/api/v1/telephony/calls/{linkedid}/link", spec.LINK)
@requires(*CALLERS)
async def link_call(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    body = await json_body(request)
    now = services.clock()
    ticket = await run_blocking(ticket_by_number, services.db, _text(body, "ticket"), actor)
    call = await run_blocking(link_call_to_ticket, services.db, request.match_info["linkedid"], ticket.id,
                              actor=actor, now=now)
    # a call keeps the first ticket written during it; "linked" says whether that is this one
    return json_ok({"linkedid": call.linkedid, "ticket": ticket.number, "linked": call.ticket_id == ticket.id})


def _text(body: dict, name: str) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"字段 {name} 须为字符串")
    return value.strip()
