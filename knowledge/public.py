"""Citizen self-service (智能咨询): search the published answers before leaving a message.

Only articles that are published and valid today are ever shown here. A
citizen who is still stuck goes on to the message form with what they typed
already filled in; "this answered my question" is counted once per person,
article and day.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from channels.web.ratelimit import client_address
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES, SETTINGS
from knowledge import actions as act
from knowledge.queries import popular_articles, public_article
from knowledge.routes import routes
from knowledge.states import GUIDE_FIELDS
from tracking.actions.errors import NotFound

RESULTS = 10
MESSAGE_FORM = "/messages/new"
TITLE_CHARS = 30
MAX_QUERY = 500


@routes.table.get("/help")
@aiohttp_jinja2.template("knowledge/help.html")
async def help_search(request: web.Request) -> dict:
    services = request.app[SERVICES]
    query = request.query.get("q", "").strip()[:MAX_QUERY]
    now = services.clock()
    if not query:
        today = now.astimezone(services.knowledge.tz).date()
        return {"query": "", "result": None, "popular": await run_blocking(popular_articles, services.db, today),
                "message_url": MESSAGE_FORM}
    result = await run_blocking(services.knowledge.search, query, now=now, limit=RESULTS)
    return {"query": query, "result": result, "popular": [], "message_url": message_url(query)}


@routes.table.get("/help/articles/{article_id:\\d+}")
@aiohttp_jinja2.template("knowledge/help_article.html")
async def help_article(request: web.Request) -> dict:
    services = request.app[SERVICES]
    today = services.clock().astimezone(services.knowledge.tz).date()
    shown = await run_blocking(public_article, services.db, int(request.match_info["article_id"]), today)
    query = request.query.get("q", "").strip()[:MAX_QUERY]
    return {"shown": shown, "query": query, "guide_fields": GUIDE_FIELDS, "thanks": request.query.get("thanks"),
            "service_names": services.knowledge.known_services}


@routes.table.get("/help/articles/{article_id:\\d+}/guide")
@aiohttp_jinja2.template("knowledge/guide_print.html")
async def help_guide(request: web.Request) -> dict:
    services = request.app[SERVICES]
    today = services.clock().astimezone(services.knowledge.tz).date()
    shown = await run_blocking(public_article, services.db, int(request.match_info["article_id"]), today)
    if not shown.version.guide:
        raise NotFound("该条目没有办事指南")
    return {"shown": shown, "guide_fields": GUIDE_FIELDS, "printed_on": today}


@routes.table.post("/help/articles/{article_id:\\d+}/feedback")
async def help_feedback(request: web.Request) -> web.Response:
    """"解决了我的问题" counts and thanks; "仍需帮助" counts and opens the message form, prefilled."""
    services = request.app[SERVICES]
    settings = request.app[SETTINGS]
    form = await request.post()
    article_id = int(request.match_info["article_id"])
    helpful = form.get("helpful") == "1"
    query = str(form.get("q", "")).strip()[:MAX_QUERY]
    client = client_hash(client_address(request, settings.trusted_proxies), settings.secret_key)
    now = services.clock()
    await run_blocking(act.record_feedback, services.knowledge, article_id, helpful=helpful,
                       client_hash=client, now=now, per_minute=settings.rate_limit_per_minute)
    if helpful:
        back = {"thanks": "1", **({"q": query} if query else {})}
        raise web.HTTPSeeOther(f"/help/articles/{article_id}?{urlencode(back)}")
    today = now.astimezone(services.knowledge.tz).date()
    shown = await run_blocking(public_article, services.db, article_id, today)
    raise web.HTTPSeeOther(message_url(query or shown.version.question, shown.version.question))


def message_url(text: str, title: str | None = None) -> str:
    """The intake message form with the citizen's words already in it (no retyping)."""
    title = (title or text).strip().replace("\n", " ")[:TITLE_CHARS]
    return f"{MESSAGE_FORM}?{urlencode({'title': title, 'content': text.strip()})}"


def client_hash(address: str, secret: str) -> str:
    """A keyed hash of the client's address: counts one person once without storing the address."""
    return hmac.new(secret.encode(), f"help-feedback:{address}".encode(), hashlib.sha256).hexdigest()
