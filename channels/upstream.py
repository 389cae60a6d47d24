"""上级派单: orders pushed down by the provincial or national 12345 platform.

``POST /api/v1/upstream/orders`` (API key) registers an order once per
(source, order id): the platform may push again after a timeout and gets the
same ticket back with 200. The order's own deadline is kept on the ticket
(``upstream_due_at``); tracking makes it the reply deadline at dispatch when
it is earlier than ours. Orders are never folded into a local ticket
automatically: the platform tracks each of its orders and must get each answer.
``GET /api/v1/upstream/orders/{order_id}`` lets the platform read the progress.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channels.intake import IntakeRecord, receive
from channels.routing import routes
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import iso_moment, json_body, json_ok
from hotline.web.security import current_actor, requires
from tracking.actions import InvalidInput, NotFound
from tracking.models import Ticket
from tracking.states import STATUS_LABELS, Channel, Priority, Role

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
ORDER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
SOURCE = re.compile(r"^[\w.-]{1,30}$")
DEFAULT_SOURCE = "upstream"
ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
ORDER_SCHEMA = {"type": "object", "required": ["order_id", "content", "due_at"], "properties": {
    "order_id": {"type": "string", "pattern": ORDER_ID.pattern, "description": "上级平台的工单号"},
    "source": {"type": "string", "description": "上级平台标识，如 province，默认 upstream"},
    "due_at": {"type": "string", "format": "date-time", "description": "上级要求的办结时限"},
    "content": {"type": "string", "maxLength": 20000}, "title": {"type": "string", "maxLength": 200},
    "contact_name": {"type": "string", "maxLength": 80}, "contact_phone": {"type": "string", "maxLength": 32},
    "address": {"type": "string", "maxLength": 300}, "service_code": {"type": "string"},
    "priority": {"type": "string", "enum": ["normal", "urgent", "emergency"]}}}
RESULT = {"content": {"application/json": {"schema": {"type": "object", "properties": {
    "number": {"type": "string"}, "order_id": {"type": "string"}, "source": {"type": "string"},
    "status": {"type": "string"}, "status_label": {"type": "string"},
    "upstream_due_at": {"type": "string", "format": "date-time"}, "reply_due_at": {"type": ["string", "null"]},
    "department": {"type": ["object", "null"]}, "reply": {"type": ["string", "null"]}}}}}}
CREATE_SPEC = {
    "summary": "上级派单：接收省/国家平台转办的工单", "operationId": "receiveUpstreamOrder", "tags": ["upstream"],
    "requestBody": {"required": True, "content": {"application/json": {"schema": ORDER_SCHEMA}}},
    "responses": {"201": {"description": "已登记", **RESULT}, "200": {"description": "同一工单号已接收过", **RESULT},
                  "400": {"description": "输入有误", **ERROR}, "401": {"description": "需要API密钥"},
                  "403": {"description": "无权登记"}}}
READ_SPEC = {
    "summary": "上级派单：查询办理进度", "operationId": "readUpstreamOrder", "tags": ["upstream"],
    "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}},
                   {"name": "source", "in": "query", "required": False, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "办理进度", **RESULT}, "404": {"description": "未找到", **ERROR}}}


@routes.api("POST", "/api/v1/upstream/orders", CREATE_SPEC)
@requires(*ROLES)
async def receive_order(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    body = await json_body(request)
    now = services.clock()
    record = order_record(body, now, services.ledger.tz, services.catalogue)
    result = await run_blocking(receive, services, record, now=now, actor=actor)
    ticket = await run_blocking(_order, services.db, record.external_id)
    return json_ok(order_json(ticket), status=201 if result.created else 200)


@routes.api("GET", "/api/v1/upstream/orders/{order_id}", READ_SPEC)
@requires(*ROLES)
async def read_order(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    source = request.query.get("source") or DEFAULT_SOURCE
    ticket = await run_blocking(_order, services.db, f"{source}:{request.match_info['order_id']}")
    if ticket is None:
        raise NotFound("未找到该上级工单")
    return json_ok(order_json(ticket))


def order_record(body: dict[str, Any], now: datetime, tz, catalogue) -> IntakeRecord:
    """Check an order's fields and turn it into an intake record.

    Raises:
        InvalidInput: a required field is missing, malformed or of the wrong type.
    """
    def text(name: str, limit: int) -> str:
        value = body.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInput(f"字段 {name} 须为字符串")
        if len(value) > limit:
            raise InvalidInput(f"字段 {name} 不能超过{limit}字")
        return value.strip()

    order_id, source = text("order_id", 80), text("source", 30) or DEFAULT_SOURCE
    if not ORDER_ID.match(order_id):
        raise InvalidInput("order_id 必填，只能包含字母、数字和 _ . : -")
    if not SOURCE.match(source):
        raise InvalidInput("source 只能包含字母、数字、下划线、点和连字符")
    due_at = _due_at(text("due_at", 40), now, tz)
    try:
        priority = Priority(body.get("priority") or Priority.NORMAL)
    except ValueError:
        raise InvalidInput("priority 须为 normal、urgent 或 emergency") from None
    service_code = text("service_code", 60) or None
    if service_code:
        try:
            catalogue.service(service_code)
        except KeyError:
            raise InvalidInput(f"service_code {service_code} 不存在") from None
    return IntakeRecord(
        channel=Channel.UPSTREAM, external_id=f"{source}:{order_id}", content=text("content", 20000),
        title=text("title", 200), contact_name=text("contact_name", 80),
        contact_phone=text("contact_phone", 32) or None, address=text("address", 300), received_at=now,
        upstream_due_at=due_at, priority=priority, service_code=service_code, payload=dict(body),
        detect_repeats=False)


def order_json(ticket: Ticket) -> dict[str, Any]:
    source, _, order_id = (ticket.external_id or "").partition(":")
    return {
        "number": ticket.number, "order_id": order_id, "source": source, "status": str(ticket.status),
        "status_label": STATUS_LABELS[ticket.status],
        "upstream_due_at": _iso(ticket.upstream_due_at), "reply_due_at": _iso(ticket.reply_due_at),
        "department": ({"code": ticket.department.code, "name": ticket.department.name}
                       if ticket.department_id and ticket.department else None),
        "reply": ticket.reply_text, "replied_at": _iso(ticket.replied_at), "closed_at": _iso(ticket.closed_at),
    }


def _order(db, external_id: str) -> Ticket | None:
    with db.reading() as session:
        return session.scalar(select(Ticket).where(Ticket.channel == Channel.UPSTREAM,
                                                   Ticket.external_id == external_id)
                              .options(selectinload(Ticket.department)))


def _due_at(raw: str, now: datetime, tz) -> datetime:
    if not raw:
        raise InvalidInput("due_at（上级办结时限）必填")
    try:
        due = iso_moment(raw, tz)
    except ValueError:
        raise InvalidInput("due_at 须为ISO 8601日期时间，如 2026-11-30T18:00:00+08:00") from None
    if due <= now:
        raise InvalidInput("due_at 早于当前时间，请核对上级办结时限")
    return due


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
