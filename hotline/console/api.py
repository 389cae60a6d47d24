"""JSON for the console's script: the caller's history and the work queue."""
from __future__ import annotations

from aiohttp import web

from hotline.console import queries
from hotline.console.routes import CONSOLE_ROLES, routes
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_ok
from hotline.web.security import current_actor, requires

HISTORY = {
    "summary": "来电人的历史工单（按电话号码）", "operationId": "callerHistory", "tags": ["console"],
    "parameters": [{"name": "phone", "in": "query", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "最近的工单，未办结的可并单", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "string"},
            "status_label": {"type": "string"}, "open": {"type": "boolean"},
            "registered_at": {"type": "string", "format": "date-time"},
            "department": {"type": ["string", "null"]}}}}}}}}},
                  "401": {"description": "需要登录"}, "403": {"description": "无权访问"}},
}
QUEUE = {
    "summary": "待人工处理的工单（已受理、未派单：短信、网站、来信、分派待定）", "operationId": "consoleQueue",
    "tags": ["console"],
    "responses": {"200": {"description": "最紧急、最早的在前", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"total": {"type": "integer"}, "items": {"type": "array", "items": {
            "type": "object"}}}}}}}, "401": {"description": "需要登录"}, "403": {"description": "无权访问"}},
}


@routes.api("GET", "/api/v1/console/history", HISTORY)
@requires(*CONSOLE_ROLES)
async def history(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    items = await run_blocking(queries.caller_history, services.db, actor, request.query.get("phone", ""))
    return json_ok({"items": items})


@routes.api("GET", "/api/v1/console/queue", QUEUE)
@requires(*CONSOLE_ROLES)
async def queue(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    items, total = await run_blocking(queries.work_queue, services.db)
    return json_ok({"total": total, "items": [
        {"number": i.number, "title": i.title, "channel": i.channel_label, "priority": i.priority,
         "priority_label": i.priority_label, "registered_at": i.registered_at.isoformat(), "phone": i.phone}
        for i in items]})
