"""The department portal (承办单位工作台): the department's queue with lights, and its actions.

Staff see what they owe, most urgent first and then by the deadline of the
current step, and do every department action from the list: 签收 (one ticket
or several), 办理中, 退单 with a reason, 申请延期, 答复. Supervisors open any
department's portal to see it as the department does.
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
from tracking.actions.handling import MAX_EXTENSION_WORKING_DAYS
from tracking.commands import run_command
from tracking.lights import light_view
from tracking.presenters import mask_phone, sees_full_phone
from tracking.queries import departments
from tracking.states import Role
from tracking.views.common import back_to, page_link, query_light, query_page, with_notice
from tracking.views.routes import routes
from tracking.worklists import DEPARTMENT_VIEWS, department_queue, queue_department

PORTAL_ROLES = (Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
DEPARTMENT_ACTIONS = {"accept": "签收", "start_work": "开始办理", "return": "退单",
                      "request_extension": "申请延期", "reply": "答复", "add_note": "备注"}
MAX_BATCH = 200  # tickets signed in by one 批量签收
VIEW_LABELS = {"todo": "全部待办", "sign_in": "待签收", "working": "办理中", "replied": "已答复待回访"}
assert set(VIEW_LABELS) == set(DEPARTMENT_VIEWS)

routes.add_nav("承办工作台", "/department", [Role.DEPARTMENT], order=10)


@routes.table.get("/department")
@requires(*PORTAL_ROLES)
async def portal(request: web.Request) -> web.Response:
    return await _render(request)


@routes.table.post("/department/tickets/{number}/act")
@requires(*PORTAL_ROLES)
async def act(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = dict(await request.post())
    number, action = request.match_info["number"], str(form.get("action", ""))
    back = back_to(form, "/department")
    if action not in DEPARTMENT_ACTIONS:
        return await _render(request, back, error="承办单位工作台不支持该操作", status=400)
    now = services.clock()
    try:
        await run_blocking(run_command, services.ledger, number, action, actor=actor, now=now, fields=form)
    except LedgerError as exc:
        return await _render(request, back, error=f"工单{number}：{exc.message}", status=exc.http_status)
    raise web.HTTPSeeOther(with_notice(back, f"工单{number}已{DEPARTMENT_ACTIONS[action]}"))


@routes.table.post("/department/accept")
@requires(*PORTAL_ROLES)
async def accept_selected(request: web.Request) -> web.Response:
    """批量签收: sign in every ticket ticked in the list (each in its own transaction)."""
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    numbers = [str(n) for n in form.getall("number", [])][:MAX_BATCH]
    back = back_to(form, "/department")
    if not numbers:
        return await _render(request, back, error="请先勾选要签收的工单", status=400)
    now = services.clock()
    failures = await run_blocking(_accept_all, services.ledger, numbers, actor, now)
    if failures:
        return await _render(request, back, status=409, notice=f"已签收{len(numbers) - len(failures)}件",
                             error="；".join(failures))
    raise web.HTTPSeeOther(with_notice(back, f"已签收{len(numbers)}件工单"))


def _accept_all(ledger, numbers, actor, now) -> list[str]:
    failures = []
    for number in numbers:
        try:
            run_command(ledger, number, "accept", actor=actor, now=now, fields={})
        except LedgerError as exc:
            failures.append(f"{number}：{exc.message}")
    return failures


async def _render(request: web.Request, back: str | None = None, *, error: str | None = None,
                  status: int = 200, notice: str | None = None) -> web.Response:
    """The portal for the GET's filters, or (after a refused post) for those of the page posted from."""
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    url = URL(back) if back else request.rel_url
    query = url.query
    department = await run_blocking(queue_department, services.db, actor, query.get("department"))
    view = query.get("view") if query.get("view") in VIEW_LABELS else "todo"
    light, text = query_light(query), (query.get("q") or "").strip() or None
    worklist = await run_blocking(department_queue, services.db, department.id, now, view=view, light=light,
                                  text=text, page=query_page(query))
    await log_contact_reads(request, actor, worklist.items, "department_queue", now)
    context = {
        "department": department, "worklist": worklist, "now": now, "view": view, "light": light, "text": text,
        "rows": [(t, light_view(t, now)) for t in worklist.items], "views": VIEW_LABELS,
        "error": error, "notice": notice or query.get("notice"), "max_extension": MAX_EXTENSION_WORKING_DAYS,
        "phone": (lambda t: t.contact_phone) if sees_full_phone(actor) else (lambda t: mask_phone(t.contact_phone)),
        "link": lambda **changes: page_link(url, **changes), "back": str(url),
        "departments": await run_blocking(departments, services.db) if actor.role is not Role.DEPARTMENT else [],
    }
    response = aiohttp_jinja2.render_template("tracking/department.html", request, context)
    response.set_status(status)
    return response
