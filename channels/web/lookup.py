"""进度查询: a citizen looks up a ticket by its number and the last four digits of their phone.

Posted, not in the query string, so the digits stay out of logs and browser
history; limited per client address and per ticket number, so the four digits
cannot be guessed by trying all ten thousand.
"""
from __future__ import annotations

import re

import aiohttp_jinja2
from aiohttp import web

from channels.forms import read_form
from channels.public import public_progress
from channels.routing import routes
from channels.web.ratelimit import client_address
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES

NUMBER = re.compile(r"^\d{8}-\d{6}$")
TAIL = re.compile(r"^\d{4}$")
NOT_FOUND = "未找到该工单，或手机号后四位不符。请核对后重试。"


@routes.table.get("/lookup")
async def lookup_form(request: web.Request) -> web.Response:
    number = request.query.get("number", "")
    return _render(request, {"number": number if NUMBER.match(number) else ""}, None, None)


@routes.table.post("/lookup")
async def lookup(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    now = services.clock()
    form = await read_form(request)
    number = form.text("number", "工单编号", max_length=20, required=True)
    tail = form.text("phone_tail", "手机号后四位", max_length=8, required=True)
    values = {"number": number}
    limiter, client = services.rate_limiter, client_address(request, services.settings.trusted_proxies)
    if not limiter.allow("lookup", client, now) or (number and not limiter.allow("lookup-number", number, now)):
        return _render(request, values, "查询过于频繁，请一分钟后再试", None, status=429)
    if form.errors:
        return _render(request, values, "；".join(form.errors.values()), None, status=400)
    if not NUMBER.match(number):
        return _render(request, values, "工单编号格式应为“20260101-000123”（8位日期-6位序号）", None, status=400)
    if not TAIL.match(tail):
        return _render(request, values, "请填写登记时所留电话号码的后四位数字", None, status=400)
    progress = await run_blocking(public_progress, services.db, number, tail)
    if progress is None:
        return _render(request, values, NOT_FOUND, None, status=404)
    return _render(request, values, None, progress)


def _render(request: web.Request, values: dict, error: str | None, progress, status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template("channels/lookup.html", request,
                                              {"values": values, "error": error, "progress": progress})
    response.set_status(status)
    return response
