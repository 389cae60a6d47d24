"""JSON API of dispatch under /api/v1/dispatch: the proposal for a text, a ticket's routing, 协办."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from dispatch import openapi_specs as spec
from dispatch.assists import add_assisting_department, end_assistance, submit_assist_opinion
from dispatch.queries import assists_of, department_by_code, proposals_of
from dispatch.routes import routes
from dispatch.service import propose
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_body, json_ok
from hotline.web.security import STAFF, current_actor, requires
from tracking.actions import InvalidInput, NotFound
from tracking.queries import ticket_by_number
from tracking.states import Role

PROPOSE_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
MAX_TEXT = 20000


@routes.api("POST", "/api/v1/dispatch/propose", spec.PROPOSE)
@requires(*PROPOSE_ROLES)
async def propose_department(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    body = await json_body(request)
    text, address = _text(body, "text", MAX_TEXT), _text(body, "address", 300)
    if not text.strip():
        raise InvalidInput("请填写诉求内容")
    service_code = _text(body, "service_code", 60) or None
    proposal = await run_blocking(propose, services, text, address, service_code=service_code)
    return json_ok(proposal.as_json())


@routes.api("GET", "/api/v1/dispatch/tickets/{number}", spec.TICKET_ROUTING)
@requires(*STAFF)
async def ticket_routing(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    proposals = await run_blocking(proposals_of, services.db, ticket.id)
    assists = await run_blocking(assists_of, services.db, ticket.id)
    return json_ok({"number": ticket.number, "proposals": [_proposal_json(p) for p in proposals],
                    "assists": [_assist_json(view) for view in assists]})


@routes.api("POST", "/api/v1/dispatch/tickets/{number}/assists", spec.ADD_ASSIST)
@requires(*STAFF)
async def add_assist(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    body = await json_body(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    department = await _department(services, _text(body, "department", 40))
    now = services.clock()
    await run_blocking(add_assisting_department, services.ledger, ticket.id, department.id, actor=actor, now=now,
                       note=_text(body, "note", 1000))
    return json_ok({"assists": [_assist_json(v) for v in await run_blocking(assists_of, services.db, ticket.id)]},
                   status=201)


@routes.api("DELETE", "/api/v1/dispatch/tickets/{number}/assists/{code}", spec.END_ASSIST)
@requires(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
async def end_assist(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    department = await _department(services, request.match_info["code"])
    now = services.clock()
    await run_blocking(end_assistance, services.ledger, ticket.id, department.id, actor=actor, now=now)
    return json_ok({"assists": [_assist_json(v) for v in await run_blocking(assists_of, services.db, ticket.id)]})


@routes.api("POST", "/api/v1/dispatch/tickets/{number}/assist-opinion", spec.OPINION)
@requires(Role.DEPARTMENT)
async def assist_opinion(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    body = await json_body(request)
    ticket = await run_blocking(ticket_by_number, services.db, request.match_info["number"], actor)
    now = services.clock()
    await run_blocking(submit_assist_opinion, services.ledger, ticket.id, actor=actor, now=now,
                       opinion=_text(body, "opinion", 5000))
    return json_ok({"assists": [_assist_json(v) for v in await run_blocking(assists_of, services.db, ticket.id)]})


async def _department(services, code: str):
    department = await run_blocking(department_by_code, services.db, code.strip())
    if department is None or not department.active:
        raise NotFound(f"承办单位 {code} 不存在或已停用")
    return department


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name) or ""
    if not isinstance(value, str):
        raise InvalidInput(f"字段 {name} 须为字符串")
    if len(value) > limit:
        raise InvalidInput(f"字段 {name} 不能超过{limit}字")
    return value


def _proposal_json(p) -> dict[str, Any]:
    return {"made_at": p.made_at.isoformat(), "model": p.model_name, "model_version": p.model_version,
            "label": p.label, "confidence": p.confidence, "department": p.department_code, "service": p.service_code,
            "district": p.district, "rule": p.rule, "priority": p.priority, "alternatives": p.alternatives,
            "top_terms": p.top_terms, "needs_triage": p.needs_triage, "outcome": str(p.outcome), "reason": p.reason}


def _assist_json(view) -> dict[str, Any]:
    a = view.assist
    return {"department": {"code": view.department.code, "name": view.department.name},
            "added_at": a.added_at.isoformat(), "added_by": a.added_by, "note": a.note, "opinion": a.opinion,
            "opinion_at": a.opinion_at.isoformat() if a.opinion_at else None, "opinion_by": a.opinion_by,
            "ended_at": a.removed_at.isoformat() if a.removed_at else None}
