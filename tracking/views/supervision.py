"""The supervision office's pages (督办): decisions waiting for it and tickets it watches.

Lists: extension requests to grant or refuse, red tickets, escalated tickets,
tickets returned twice (the office chooses the department), and tickets still
unsatisfied after a re-open (the office re-opens again or closes). Every
decision is one action run from the list.
"""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import current_actor, requires
from tracking.actions import LedgerError
from tracking.calendar import TimeAmount, TimeUnit
from tracking.commands import run_command
from tracking.lights import light_view
from tracking.queries import departments
from tracking.states import Role
from tracking.views.common import back_to, page_link, query_page, with_notice
from tracking.views.routes import routes
from tracking.worklists import SUPERVISION_VIEWS, supervision_list

SUPERVISION_ROLES = (Role.SUPERVISOR, Role.ADMIN)
SUPERVISION_ACTIONS = {"grant_extension": "同意延期", "refuse_extension": "不同意延期", "reassign": "改派",
                       "escalate": "督办", "remind": "催办", "reopen": "重办", "close": "办结"}

routes.add_nav("督办", "/supervision", SUPERVISION_ROLES, order=15)


@routes.table.get("/supervision")
@requires(*SUPERVISION_ROLES)
async def supervision(request: web.Request) -> web.Response:
    return await _render(request)


@routes.table.post("/supervision/tickets/{number}/act")
@requires(*SUPERVISION_ROLES)
async def decide(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = dict(await request.post())
    number, action = request.match_info["number"], str(form.get("action", ""))
    back = back_to(form, "/supervision")
    if action not in SUPERVISION_ACTIONS:
        return await _render(request, back, error="督办页面不支持该操作", status=400)
    now = services.clock()
    try:
        await run_blocking(run_command, services.ledger, number, action, actor=actor, now=now, fields=form)
    except LedgerError as exc:
        return await _render(request, back, error=f"工单{number}：{exc.message}", status=exc.http_status)
    raise web.HTTPSeeOther(with_notice(back, f"工单{number}：已{SUPERVISION_ACTIONS[action]}"))


async def _render(request: web.Request, back: str | None = None, *, error: str | None = None,
                  status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    now = services.clock()
    url = URL(back) if back else request.rel_url
    query = url.query
    view = query.get("view") if query.get("view") in SUPERVISION_VIEWS else "extensions"
    all_departments = await run_blocking(departments, services.db)
    department_id = next((d.id for d in all_departments if d.code == query.get("department")), None)
    text = (query.get("q") or "").strip() or None
    worklist = await run_blocking(supervision_list, services.db, now, view=view, department_id=department_id,
                                  text=text, page=query_page(query))
    ledger = services.ledger
    context = {
        "worklist": worklist, "view": view, "views": SUPERVISION_VIEWS, "now": now, "text": text,
        "rows": [(t, light_view(t, now)) for t in worklist.items], "departments": all_departments,
        "department_code": query.get("department") if department_id else None,
        "extended_due": lambda t: ledger.due(t.reply_due_at, _days(t)) if t.reply_due_at else None,
        "error": error, "notice": query.get("notice"), "back": str(url),
        "link": lambda **changes: page_link(url, **changes),
    }
    response = aiohttp_jinja2.render_template("tracking/supervision.html", request, context)
    response.set_status(status)
    return response


def _days(ticket) -> TimeAmount:
    return TimeAmount(ticket.extension_requested_days or 0, TimeUnit.WORKING_DAYS)
