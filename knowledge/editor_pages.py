"""The article editor: writing a new article, or a new version of one (every save is a version)."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import current_actor, requires
from knowledge import actions as act
from knowledge.forms import fields_from_form, form_values
from knowledge.permissions import may_edit
from knowledge.queries import article_detail
from knowledge.routes import routes
from knowledge.states import GUIDE_FIELDS
from tracking.accounts import Department
from tracking.actions.errors import Forbidden, InvalidInput, LedgerError
from tracking.queries import departments
from tracking.states import Role

EDITOR_ROLES = (Role.ADMIN, Role.DEPARTMENT)


@routes.table.get("/knowledge/new")
@requires(*EDITOR_ROLES)
async def new_article(request: web.Request) -> web.Response:
    return await _render(request, values=form_values(None), article=None)


@routes.table.post("/knowledge/new")
@requires(*EDITOR_ROLES)
async def create_article(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    now = services.clock()
    try:
        fields = fields_from_form(form)
        department_id = await run_blocking(_department_id, services.db, form.get("department"))
        article = await run_blocking(act.create_article, services.knowledge, fields, actor=actor, now=now,
                                     department_id=department_id, change_note=str(form.get("change_note", "")))
    except LedgerError as exc:
        if exc.http_status not in (400, 409):
            raise
        return await _render(request, values=form_values(None, form), article=None, error=exc.message,
                             status=exc.http_status)
    raise web.HTTPSeeOther(f"/knowledge/{article.id}")


@routes.table.get("/knowledge/{article_id:\\d+}/edit")
@requires(*EDITOR_ROLES)
async def edit_article_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    detail = await run_blocking(article_detail, services.db, int(request.match_info["article_id"]),
                                actor, services.clock())
    if not may_edit(actor, detail.article.department_id):
        raise Forbidden("只能编辑本单位的知识条目")
    values = form_values(detail.latest)
    values["department"] = detail.article.department.code
    return await _render(request, values=values, article=detail)


@routes.table.post("/knowledge/{article_id:\\d+}/edit")
@requires(*EDITOR_ROLES)
async def save_article(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    article_id = int(request.match_info["article_id"])
    now = services.clock()
    try:
        fields = fields_from_form(form)
        department_id = await run_blocking(_department_id, services.db, form.get("department")) \
            if actor.role is Role.ADMIN else None
        await run_blocking(act.edit_article, services.knowledge, article_id, fields, actor=actor, now=now,
                           based_on=_int(form.get("based_on")), change_note=str(form.get("change_note", "")),
                           department_id=department_id)
    except LedgerError as exc:
        if exc.http_status == 404:
            raise
        detail = await run_blocking(article_detail, services.db, article_id, actor, now)
        return await _render(request, values=form_values(None, form), article=detail, error=exc.message,
                             status=exc.http_status, based_on=_int(form.get("based_on")))
    raise web.HTTPSeeOther(f"/knowledge/{article_id}")


async def _render(request: web.Request, *, values: dict, article, error: str | None = None,
                  status: int = 200, based_on: int | None = None) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    catalogue = services.catalogue
    groups = [(group, [s for s in catalogue.services if s.group == group]) for group in catalogue.groups]
    response = aiohttp_jinja2.render_template("knowledge/edit.html", request, {
        "values": values, "detail": article, "error": error, "guide_fields": GUIDE_FIELDS,
        "service_groups": groups, "departments": await run_blocking(departments, services.db),
        "choose_department": actor.role is Role.ADMIN,
        "based_on": based_on if based_on is not None else (article.latest.number if article else None)})
    response.set_status(status)
    return response


def _department_id(db, code) -> int | None:
    code = str(code or "").strip()
    if not code:
        return None
    with db.reading() as session:
        department_id = session.scalar(select(Department.id).where(Department.code == code))
    if department_id is None:
        raise InvalidInput(f"承办单位 {code} 不存在")
    return department_id


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
