"""模拟短信: lets staff send a text into the SMS channel when no SMS gateway is configured.

With the console sender (the embedded default) no real SMS ever arrives, yet
agents need to train on, and a demo needs to show, SMS intake and 短信评议
replies. This page feeds a typed message into the same path as Twilio's
webhook, under a generated message id; it is refused once Twilio is configured.
"""
from __future__ import annotations

import secrets

import aiohttp_jinja2
from aiohttp import web

from channels.forms import read_form
from channels.routing import routes
from channels.sms.replies import InboundSms, handle_inbound
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import requires
from tracking.actions import Forbidden, LedgerError
from tracking.states import Role

SIMULATOR_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


@routes.table.get("/intake/sms/simulate")
@requires(*SIMULATOR_ROLES)
async def simulator(request: web.Request) -> web.Response:
    _refuse_with_gateway(request)
    return aiohttp_jinja2.render_template("channels/sms_simulator.html", request,
                                          {"values": {}, "answer": None, "error": None})


@routes.table.post("/intake/sms/simulate")
@requires(*SIMULATOR_ROLES)
async def simulate(request: web.Request) -> web.Response:
    _refuse_with_gateway(request)
    services = request.app[SERVICES]
    form = await read_form(request)
    phone = form.text("phone", "手机号", max_length=32, required=True)
    body = form.text("body", "短信内容", max_length=1000)
    values = {"phone": phone, "body": body}
    if form.errors:
        return _render(request, values, None, "；".join(form.errors.values()), 400)
    sms = InboundSms(message_sid="SIM" + secrets.token_hex(16), phone=phone, body=body, to="12345",
                     payload={"From": phone, "Body": body, "simulated": "1"})
    try:
        answer = await run_blocking(handle_inbound, services, sms, now=services.clock())
    except LedgerError as exc:
        return _render(request, values, None, exc.message, exc.http_status)
    return _render(request, {"phone": phone}, answer, None, 200)


def _refuse_with_gateway(request: web.Request) -> None:
    if request.app[SERVICES].sms.name != "console":
        raise Forbidden("已接入短信平台，不能模拟短信")


def _render(request, values, answer, error, status) -> web.Response:
    response = aiohttp_jinja2.render_template("channels/sms_simulator.html", request,
                                              {"values": values, "answer": answer, "error": error})
    response.set_status(status)
    return response
