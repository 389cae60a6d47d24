"""The web shell: login, logout, the home page, health and the OpenAPI document."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from hotline.auth import authenticate
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.openapi import openapi_document
from hotline.web.requests import json_ok
from hotline.web.routing import Routes
from hotline.web.security import STAFF, current_actor, login_session, requires
from hotline.health import health_report

routes = Routes()


@routes.table.get("/")
async def home(request: web.Request) -> web.Response:
    actor = await current_actor(request)
    if actor is None:
        return aiohttp_jinja2.render_template("public_home.html", request, {})
    return aiohttp_jinja2.render_template("home.html", request, {})


@routes.table.get("/login")
@aiohttp_jinja2.template("login.html")
async def login_page(request: web.Request) -> dict:
    return {"next": _safe_next(request.query.get("next")), "error": None}


@routes.table.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    services = request.app[SERVICES]
    user = await run_blocking(authenticate, services.db, str(form.get("username", "")), str(form.get("password", "")))
    if user is None:
        response = aiohttp_jinja2.render_template(
            "login.html", request, {"next": _safe_next(form.get("next")), "error": "用户名或密码错误"})
        response.set_status(401)
        return response
    await login_session(request, user)
    raise web.HTTPFound(_safe_next(form.get("next")))


@routes.table.post("/logout")
async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPFound("/login")


@routes.table.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    report = await run_blocking(health_report, request.app[SERVICES])
    return json_ok(report, status=200 if report["status"] == "ok" else 503)


@routes.table.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_ok(openapi_document(request.app))


@routes.table.get("/me")
@requires(*STAFF)
async def me(request: web.Request) -> web.Response:
    actor = await current_actor(request)
    return json_ok({"name": actor.name, "role": actor.role.value, "department_id": actor.department_id})


def _safe_next(value) -> str:
    """Only local paths, so the login page cannot be used to send people elsewhere."""
    value = str(value or "/")
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"
