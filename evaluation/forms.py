"""Form posts of the evaluation pages: asking for, deciding and revoking exclusions (核减)."""
from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from evaluation import exclusions as act
from evaluation import views
from evaluation.routing import OFFICE, VIEWERS, routes
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import form_or_json
from hotline.web.security import current_actor, requires
from tracking.actions import InvalidInput, LedgerError


@routes.table.post("/evaluation/exclusions")
@requires(*VIEWERS)
async def request_exclusion(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await form_or_json(request)
    now = services.clock()
    return await _then_back(request, form, run_blocking(
        act.request_exclusion, services.db, views.default_rules(), number=str(form.get("number", "")),
        kind=str(form.get("kind", "")), reason=str(form.get("reason", "")),
        department_code=str(form.get("department", "")) or None, actor=actor, now=now))


@routes.table.post("/evaluation/exclusions/{id}/decide")
@requires(*OFFICE)
async def decide_exclusion(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await form_or_json(request)
    now = services.clock()
    decision = str(form.get("decision", ""))
    if decision not in {"approve", "reject"}:
        raise InvalidInput("请选择核准或不予核准")
    return await _then_back(request, form, run_blocking(
        act.decide_exclusion, services.db, _id(request), approve=decision == "approve",
        note=str(form.get("note", "")), actor=actor, now=now))


@routes.table.post("/evaluation/exclusions/{id}/revoke")
@requires(*OFFICE)
async def revoke_exclusion(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await form_or_json(request)
    now = services.clock()
    return await _then_back(request, form, run_blocking(
        act.revoke_exclusion, services.db, _id(request), reason=str(form.get("reason", "")), actor=actor, now=now))


async def _then_back(request: web.Request, form: dict, action) -> web.Response:
    """Run the action, then go back to the page the form was on, with the error if it was refused."""
    back = _safe_next(str(form.get("next", "")))
    try:
        await action
    except LedgerError as exc:
        if exc.http_status in (403, 404):
            raise
        separator = "&" if "?" in back else "?"
        raise web.HTTPSeeOther(f"{back}{separator}error={quote(exc.message)}") from None
    raise web.HTTPSeeOther(back)


def _safe_next(value: str) -> str:
    """Only our own evaluation pages, so a crafted form cannot redirect elsewhere."""
    return value if value.startswith("/evaluation") and "//" not in value and "\\" not in value else "/evaluation"


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise InvalidInput("核减记录编号无效") from None
