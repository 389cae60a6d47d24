"""Twilio Voice webhooks under ``/hooks/twilio/voice``, each checked against Twilio's signature.

Twilio signs the exact URL it requested with the account's auth token
(``X-Twilio-Signature``). Behind a proxy the request's own scheme and host are
the proxy's, so the URL checked is ``HOTLINE_PUBLIC_URL`` + path and query,
the URL Twilio was given. These paths are exempt from the CSRF check: the
signature is their authentication.
"""
from __future__ import annotations

import functools
import logging

from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES, SETTINGS
from hotline.web.twilio_signature import signed_fields
from telephony import twilio_calls as calls
from telephony import twilio_voice as twiml
from telephony.hub import PushEvent
from telephony.pops import deliver_pop, pop_payload
from telephony.routes import routes
from telephony.runtime import TELEPHONY

log = logging.getLogger(__name__)


async def signed_form(request: web.Request) -> dict[str, str]:
    """The POSTed parameters, once the signature is checked.

    Raises:
        HTTPServiceUnavailable: no auth token configured (nothing can be checked).
        HTTPForbidden: missing or wrong signature.
    """
    settings = request.app[SETTINGS]
    if not settings.twilio_auth_token:
        raise web.HTTPServiceUnavailable(text="Twilio语音未配置（HOTLINE_TWILIO_AUTH_TOKEN为空）")
    params = await signed_fields(request, settings.public_url, settings.twilio_auth_token)
    if params is None:
        log.warning("Twilio webhook %s refused: bad signature", request.path)
        raise web.HTTPForbidden(text="Twilio签名校验失败")
    return params


def _sid(params: dict[str, str]) -> str:
    sid = params.get("CallSid", "")
    if not sid:
        raise web.HTTPBadRequest(text="缺少 CallSid")
    return sid


def _twiml(xml: str) -> web.Response:
    return web.Response(text=xml, content_type="text/xml", charset="utf-8")


def _number(value: str | None) -> float:
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0


def _public(request: web.Request) -> str:
    return request.app[SETTINGS].public_url.rstrip("/")


@routes.table.post("/hooks/twilio/voice")
async def incoming_call(request: web.Request) -> web.Response:
    params = await signed_form(request)
    services, settings = request.app[SERVICES], request.app[SETTINGS]
    now = services.clock()
    working = services.ledger.calendar.is_working_moment(now)
    await run_blocking(calls.call_arrived, services.db, _sid(params), params.get("From"), now,
                       queued=working)
    if working:
        return _twiml(twiml.welcome_to_queue(_public(request), settings.city_name))
    return _twiml(twiml.voicemail(_public(request), settings.city_name, after_hours=True))


@routes.table.post("/hooks/twilio/voice/wait")
async def waiting(request: web.Request) -> web.Response:
    params = await signed_form(request)
    position = int(_number(params.get("QueuePosition")) or 1)
    return _twiml(twiml.while_waiting(position, int(_number(params.get("QueueTime")))))


@routes.table.post("/hooks/twilio/voice/queue-result")
async def queue_result(request: web.Request) -> web.Response:
    params = await signed_form(request)
    services, settings = request.app[SERVICES], request.app[SETTINGS]
    now = services.clock()
    result = params.get("QueueResult", "")
    await run_blocking(calls.call_left_queue, services.db, _sid(params), result,
                       _number(params.get("QueueTime")), now)
    if result in calls.LEFT_UNANSWERED:
        return _twiml(twiml.voicemail(_public(request), settings.city_name, after_hours=False))
    return _twiml(twiml.empty())


@routes.table.post("/hooks/twilio/voice/agent")
async def agent_dials_in(request: web.Request) -> web.Response:
    params = await signed_form(request)
    services = request.app[SERVICES]
    agent_user_id = await run_blocking(calls.agent_by_phone, services.db, params.get("From"))
    if agent_user_id is None:
        return _twiml(twiml.refuse("该号码未登记为坐席电话，再见。"))
    return _twiml(twiml.agent_takes_next(_public(request), agent_user_id))


@routes.table.post("/hooks/twilio/voice/connected")
async def connected(request: web.Request) -> web.Response:
    params = await signed_form(request)  # the agent id in the query is covered by the signature
    services = request.app[SERVICES]
    now = services.clock()
    try:
        agent_user_id = int(request.query.get("agent", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="缺少坐席编号") from None
    sid = _sid(params)
    record = await run_blocking(calls.call_connected, services.db, sid, agent_user_id,
                                _number(params.get("QueueTime")), now)
    payload = await run_blocking(functools.partial(pop_payload, services.db, linkedid=sid,
                                                   caller=record.caller_number, queue=record.queue, answered_at=now))
    await deliver_pop(request.app[TELEPHONY].hub, [agent_user_id], payload)
    return _twiml(twiml.empty())


@routes.table.post("/hooks/twilio/voice/status")
async def call_status(request: web.Request) -> web.Response:
    params = await signed_form(request)
    services = request.app[SERVICES]
    sid = _sid(params)
    saved = await run_blocking(calls.call_status, services.db, sid, params.get("CallStatus", ""), services.clock())
    if saved is None:
        log.info("Twilio status for unknown call %s ignored", sid)
    elif saved.just_ended and saved.agent_user_id is not None:
        await request.app[TELEPHONY].hub.publish(saved.agent_user_id, PushEvent("call_ended", sid, {
            "linkedid": sid, "outcome": saved.outcome}))
    return web.Response(status=204)


@routes.table.post("/hooks/twilio/voice/recorded")
async def recorded(request: web.Request) -> web.Response:
    params = await signed_form(request)
    return _twiml(twiml.goodbye(int(_number(params.get("RecordingDuration")))))


@routes.table.post("/hooks/twilio/voice/recording")
async def recording_ready(request: web.Request) -> web.Response:
    params = await signed_form(request)
    services = request.app[SERVICES]
    if params.get("RecordingStatus", "completed") != "completed":
        log.warning("voicemail recording %s: %s", params.get("RecordingSid"), params.get("RecordingStatus"))
        return web.Response(status=204)
    number = await run_blocking(functools.partial(
        calls.voicemail_ticket, services, call_sid=_sid(params),
        recording_sid=params.get("RecordingSid", ""), recording_url=params.get("RecordingUrl", ""),
        duration=int(_number(params.get("RecordingDuration"))), now=services.clock()))
    if number:
        log.info("voicemail %s registered as ticket %s", params.get("RecordingSid"), number)
    return web.Response(status=204)
