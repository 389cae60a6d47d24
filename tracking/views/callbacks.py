"""The callback work list (回访) for agents: replied tickets by callback deadline.

The agent calls the citizen, records whether it is solved and how satisfied
they are, and in the same step closes the ticket (办结) or re-opens it (重办)
when the citizen is unsatisfied. A ticket already re-opened once that is
still unsatisfied goes to the supervision office instead. Tickets whose
citizen answered the 短信评议 survey as unsatisfied wait on the second tab.
"""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from hotline.audit.reads import log_contact_reads
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import current_actor, requires
from tracking.actions import LedgerError
from tracking.actions.callback import CALLBACK_METHODS, REOPENS_BEFORE_SUPERVISION
from tracking.commands import run_command
from tracking.lights import light_view
from tracking.presenters import mask_phone, sees_full_phone
from tracking.states import STATUS_LABELS, Role, Satisfaction
from tracking.views.common import back_to, page_link, query_light, query_page, with_notice
from tracking.views.routes import routes
from tracking.worklists import CALLBACK_VIEWS, callback_list

CALLBACK_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
SETTLE_ACTIONS = {"finish_callback": "回访", "close": "办结", "reopen": "重办"}

routes.add_nav("回访", "/callbacks", CALLBACK_ROLES, order=25)


@routes.table.get("/callbacks")
@requires(*CALLBACK_ROLES)
async def callbacks(request: web.Request) -> web.Response:
    return await _render(request)


@routes.table.post("/callbacks/{number}")
@requires(*CALLBACK_ROLES)
async def record(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = dict(await request.post())
    number, action = request.match_info["number"], str(form.get("action", ""))
    back = back_to(form, "/callbacks")
    if action not in SETTLE_ACTIONS:
        return await _render(request, back, error="回访页面不支持该操作", status=400)
    now = services.clock()
    try:
        ticket = await run_blocking(run_command, services.ledger, number, action, actor=actor, now=now, fields=form)
    except LedgerError as exc:
        return await _render(request, back, error=f"工单{number}：{exc.message}", status=exc.http_status)
    notice = f"工单{number}：已{SETTLE_ACTIONS[action]}，现为“{STATUS_LABELS[ticket.status]}”"
    raise web.HTTPSeeOther(with_notice(back, notice))


async def _render(request: web.Request, back: str | None = None, *, error: str | None = None,
                  status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    url = URL(back) if back else request.rel_url
    query = url.query
    view = query.get("view") if query.get("view") in CALLBACK_VIEWS else "due"
    text = (query.get("q") or "").strip() or None
    worklist = await run_blocking(callback_list, services.db, now, view=view, light=query_light(query),
                                  text=text, page=query_page(query))
    await log_contact_reads(request, actor, worklist.items, "callbacks", now)
    supervises = actor.role in (Role.SUPERVISOR, Role.ADMIN)
    context = {
        "worklist": worklist, "view": view, "views": CALLBACK_VIEWS, "text": text, "now": now,
        "rows": [(t, light_view(t, now)) for t in worklist.items], "methods": CALLBACK_METHODS,
        "satisfactions": list(Satisfaction),
        "may_reopen": lambda t: supervises or t.reopen_count < REOPENS_BEFORE_SUPERVISION,
        "phone": (lambda t: t.contact_phone) if sees_full_phone(actor) else (lambda t: mask_phone(t.contact_phone)),
        "error": error, "notice": query.get("notice"), "back": str(url),
        "link": lambda **changes: page_link(url, **changes),
    }
    response = aiohttp_jinja2.render_template("tracking/callbacks.html", request, context)
    response.set_status(status)
    return response
