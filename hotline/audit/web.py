"""The access log page (查阅记录) for administrators and the supervision office."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from hotline.audit.reads import PAGE_SIZE, recent_reads
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import query_int
from hotline.web.routing import Routes
from hotline.web.security import requires
from tracking.states import Role

AUDIT_ROLES = (Role.ADMIN, Role.SUPERVISOR)
WHAT_LABELS = {"ticket_page": "工单详情页", "ticket_api": "工单接口", "ticket_list": "工单列表",
               "ticket_list_api": "工单列表接口", "callbacks": "回访列表", "department_queue": "承办工作台",
               "contacts": "联系人页", "contacts_api": "联系人接口", "console": "接线台"}

routes = Routes()
routes.add_nav("查阅记录", "/audit/access-log", AUDIT_ROLES, order=95)


@routes.table.get("/audit/access-log")
@requires(*AUDIT_ROLES)
@aiohttp_jinja2.template("audit/access_log.html")
async def access_log(request: web.Request) -> dict:
    services = request.app[SERVICES]
    number = (request.query.get("number") or "").strip()[:20] or None
    user = (request.query.get("user") or "").strip()[:80] or None
    page = max(query_int(request, "page", 1), 1)
    lines, total = await run_blocking(recent_reads, services.db, number=number, user=user, page=page)
    return {"lines": lines, "total": total, "number": number or "", "user": user or "", "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)), "what_labels": WHAT_LABELS}
