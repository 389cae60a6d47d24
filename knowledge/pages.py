"""Staff pages of the knowledge base: the list, one article with its history, and its review actions."""
from __future__ import annotations

from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import query_int
from hotline.web.security import STAFF, current_actor, requires
from knowledge import actions as act
from knowledge.diff import changed, text_diff
from knowledge.permissions import REVIEWERS, SUBMITTERS, WITHDRAWERS, may_edit, owns
from knowledge.queries import ArticleFilter, article_detail, list_articles, version_detail
from knowledge.routes import routes
from knowledge.states import ARTICLE_STATUS_LABELS, GUIDE_FIELDS, VERSION_STATUS_LABELS, ArticleStatus, VersionStatus
from tracking.actions.errors import LedgerError, NotFound
from tracking.queries import departments
from tracking.states import Role

EXPIRING_DAYS = 30


@routes.table.get("/knowledge")
@requires(*STAFF)
@aiohttp_jinja2.template("knowledge/list.html")
async def article_list(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    today = services.clock().astimezone(services.knowledge.tz).date()
    expiring = request.query.get("expiring") == "1"
    flt = ArticleFilter(status=request.query.get("status") or None, text=request.query.get("q") or None,
                        department_id=query_int(request, "department_id", 0) or None,
                        expiring_before=today + timedelta(days=EXPIRING_DAYS) if expiring else None,
                        page=query_int(request, "page", 1))
    page = await run_blocking(list_articles, services.db, actor, flt)
    return {"page": page, "filter": flt, "expiring": expiring, "today": today,
            "departments": await run_blocking(departments, services.db),
            "statuses": list(ArticleStatus), "labels": ARTICLE_STATUS_LABELS,
            "can_create": actor.role in (Role.ADMIN, Role.DEPARTMENT),
            "is_team": actor.role in (Role.SUPERVISOR, Role.ADMIN)}


@routes.table.get("/knowledge/{article_id:\\d+}")
@requires(*STAFF)
async def article_page(request: web.Request) -> web.Response:
    return await _render_detail(request, error=None)


@routes.table.get("/knowledge/{article_id:\\d+}/versions/{number:\\d+}")
@requires(*STAFF)
@aiohttp_jinja2.template("knowledge/version.html")
async def version_page(request: web.Request) -> dict:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    version = await run_blocking(version_detail, services.db, int(request.match_info["article_id"]),
                                 int(request.match_info["number"]), actor)
    return {"version": version, "version_labels": VERSION_STATUS_LABELS, "guide_fields": GUIDE_FIELDS,
            "service_names": services.knowledge.known_services}


@routes.table.post("/knowledge/{article_id:\\d+}/act")
@requires(*STAFF)
async def article_act(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await request.post()
    article_id = int(request.match_info["article_id"])
    action, version = str(form.get("action", "")), _int(form.get("version"))
    note = str(form.get("note", ""))
    kb, now = services.knowledge, services.clock()
    runs = {
        "submit": lambda: act.submit_for_review(kb, article_id, actor=actor, now=now, version=version),
        "publish": lambda: act.publish_article(kb, article_id, actor=actor, now=now, version=version, note=note),
        "return": lambda: act.return_for_changes(kb, article_id, actor=actor, now=now, version=version, note=note),
        "withdraw": lambda: act.withdraw_article(kb, article_id, actor=actor, now=now, reason=note),
    }
    if action not in runs:
        raise NotFound(f"未知操作：{action}")
    try:
        await run_blocking(runs[action])
    except LedgerError as exc:
        if exc.http_status == 404:
            raise
        return await _render_detail(request, error=exc.message, status=exc.http_status)
    raise web.HTTPSeeOther(f"/knowledge/{article_id}")


async def _render_detail(request: web.Request, error: str | None, status: int = 200) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    detail = await run_blocking(article_detail, services.db, int(request.match_info["article_id"]),
                                actor, services.clock())
    article, latest, live = detail.article, detail.latest, detail.published
    department_ok = actor.role is not Role.DEPARTMENT or owns(actor, article.department_id)
    pending = latest.status == VersionStatus.PENDING_REVIEW
    context = {
        "detail": detail, "article": article, "latest": latest, "live": live, "error": error,
        "labels": ARTICLE_STATUS_LABELS, "version_labels": VERSION_STATUS_LABELS, "guide_fields": GUIDE_FIELDS,
        "service_names": services.knowledge.known_services,
        "can_edit": may_edit(actor, article.department_id),
        "can_submit": actor.role in SUBMITTERS and department_ok and latest.status == VersionStatus.DRAFT,
        "can_review": actor.role in REVIEWERS and pending and latest.created_by_id != actor.user_id,
        "own_pending": actor.role in REVIEWERS and pending and latest.created_by_id == actor.user_id,
        "can_withdraw": actor.role in WITHDRAWERS and department_ok and live is not None,
        "answer_diff": text_diff(live.answer, latest.answer) if live and latest.number != live.number else None,
        "question_changed": bool(live) and changed(live.question, latest.question),
    }
    response = aiohttp_jinja2.render_template("knowledge/detail.html", request, context)
    response.set_status(status)
    return response


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
