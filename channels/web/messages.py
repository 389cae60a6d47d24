"""网上留言: the public form where a citizen leaves a message and gets a ticket number.

The form carries a one-time submission id, used as the ticket's external id,
so a double click or a resent form gives the same ticket, not two. The
number is shown on a page after a redirect (and kept in the session), so
reloading it submits nothing again.
"""
from __future__ import annotations

import re
import secrets

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from channels.forms import read_form
from channels.intake import IntakeFile, IntakeRecord, receive
from channels.routing import routes
from channels.storage import check_photo
from channels.web.ratelimit import client_address
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from tracking.actions import LedgerError
from tracking.states import Channel

MAX_TITLE, MAX_CONTENT, MAX_ADDRESS, MAX_NAME = 100, 5000, 200, 40
PREFILL_LIMIT = 2000  # a prefilled text comes from a link (the self-service search); keep it sane
SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")
ACK_SESSION_KEY = "web_message_ack"


@routes.table.get("/messages/new")
async def message_form(request: web.Request) -> web.Response:
    """The empty form, or prefilled from ``?title=&content=`` (the self-service search links here)."""
    values = {"title": request.query.get("title", "")[:MAX_TITLE],
              "content": request.query.get("content", "")[:PREFILL_LIMIT]}
    return _render_form(request, values, {})


@routes.table.post("/messages")
async def submit_message(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    now = services.clock()
    client = client_address(request, services.settings.trusted_proxies)
    form = await read_form(request)
    values = {name: form.data.get(name, "") if isinstance(form.data.get(name, ""), str) else ""
              for name in ("name", "phone", "title", "content", "address", "submission")}
    if not services.rate_limiter.allow("web-message", client, now):
        return _render_form(request, values, {"form": "提交过于频繁，请一分钟后再试"}, status=429)
    name = form.text("name", "姓名", max_length=MAX_NAME, required=True)
    phone = form.phone("phone", "联系电话", required=True)
    title = form.text("title", "标题", max_length=MAX_TITLE, required=True)
    content = form.text("content", "留言内容", max_length=MAX_CONTENT, required=True)
    address = form.text("address", "事发地址", max_length=MAX_ADDRESS)
    photo = form.file("photo")
    files = ()
    if photo is not None:
        content_type = form.check("photo", check_photo, photo[1], photo[0])
        if content_type:
            files = (IntakeFile(filename=photo[0] or "照片", content_type=content_type, data=photo[1]),)
    if form.errors:
        return _render_form(request, values, form.errors, status=400)
    submission = values["submission"] if SUBMISSION_ID.match(values["submission"]) else secrets.token_hex(16)
    record = IntakeRecord(
        channel=Channel.WEB, content=content, title=title, contact_name=name, contact_phone=phone,
        address=address, received_at=now, external_id=f"web-{submission}", attachments=files,
        payload={"name": name, "phone": phone, "title": title, "content": content, "address": address,
                 "photo": photo[0] if photo else None, "client": client,
                 "user_agent": request.headers.get("User-Agent", "")[:300]})
    try:
        result = await run_blocking(receive, services, record, now=now)
    except LedgerError as exc:
        return _render_form(request, values, {"form": exc.message}, status=exc.http_status)
    session = await get_session(request)
    session[ACK_SESSION_KEY] = {"number": result.ticket.number,
                                "repeat_of": result.repeat_of.number if result.repeat_of else None}
    raise web.HTTPSeeOther("/messages/thanks")


@routes.table.get("/messages/thanks")
async def message_thanks(request: web.Request) -> web.Response:
    session = await get_session(request)
    ack = session.get(ACK_SESSION_KEY)
    if not ack:
        raise web.HTTPSeeOther("/messages/new")
    return aiohttp_jinja2.render_template("channels/message_thanks.html", request, ack)


def _render_form(request: web.Request, values: dict, errors: dict, status: int = 200) -> web.Response:
    values = {**values, "submission": values.get("submission") or secrets.token_hex(16)}
    response = aiohttp_jinja2.render_template("channels/message_form.html", request,
                                              {"values": values, "errors": errors})
    response.set_status(status)
    return response
