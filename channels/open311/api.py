"""Open311 GeoReport v2 endpoints under /open311/v2/ (JSON and XML).

``POST requests`` needs an ``api_key`` (one of ours, from ``hotline apikey
create``) and registers through the one intake path; reading requests needs a
key too, since tickets are not public here, and returns no contact details.
A client may send its own ``token`` (an extension): posting the same token
again returns the same request instead of a second one.
"""
from __future__ import annotations

import functools
import re
from datetime import datetime

from aiohttp import web

from channels.intake import IntakeFile, IntakeRecord, receive, ticket_number_for
from channels.open311 import specs
from channels.open311.format import Open311Error, error_response, request_json, respond, service_json
from channels.open311.queries import find_requests
from channels.routing import routes
from hotline.auth import actor_for_api_key
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import iso_moment
from hotline.web.security import api_key_of
from tracking.actions import Actor
from tracking.states import Channel, Priority

BASE = "/open311/v2"
TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
MEDIA_URL = re.compile(r"^https?://\S{1,990}$")


def open311(handler):
    """Answer every failure in the spec's error format, in the format the path asked for."""
    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.Response:
        fmt = "xml" if request.path.endswith(".xml") else "json"
        try:
            return await handler(request, fmt)
        except Open311Error as exc:
            return error_response(exc, fmt)
    return wrapped


def both_formats(method: str, path: str, spec: dict):
    """Register ``path.json`` and ``path.xml`` with one handler and one documented operation each."""
    def register(handler):
        wrapped = open311(handler)
        routes.api(method, f"{BASE}/{path}.json", spec)(wrapped)
        routes.api(method, f"{BASE}/{path}.xml", specs.as_xml(spec))(wrapped)
        return wrapped
    return register


@both_formats("GET", "services", specs.SERVICES)
async def list_services(request: web.Request, fmt: str) -> web.Response:
    catalogue = request.app[SERVICES].catalogue
    return respond([service_json(s) for s in catalogue.services], fmt, "services")


@both_formats("GET", "services/{service_code}", specs.SERVICE)
async def service_definition(request: web.Request, fmt: str) -> web.Response:
    code = request.match_info["service_code"]
    _service(request, code)
    return respond({"service_code": code, "attributes": []}, fmt, "service_definition")


@both_formats("POST", "requests", specs.CREATE)
async def create_request(request: web.Request, fmt: str) -> web.Response:
    services = request.app[SERVICES]
    try:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    except (UnicodeDecodeError, ValueError):
        raise Open311Error(400, "请求内容须为UTF-8编码的表单（application/x-www-form-urlencoded）") from None
    actor = await _actor(request, form.get("api_key"))
    if any("\ufffd" in value for value in form.values()):
        raise Open311Error(400, "请求内容含有无法识别的字符，须为UTF-8编码")
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code（服务类别）")
    service = _service(request, code)
    lat, lon = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    address = form.get("address_string", "").strip() or form.get("address_id", "").strip()
    if (lat is None) != (lon is None) or (lat is None and not address):
        raise Open311Error(400, "须提供位置：lat 和 long，或 address_string，或 address_id")
    description = form.get("description", "").strip()
    if not description:
        raise Open311Error(400, "缺少 description（诉求内容）")
    token = form.get("token", "").strip()
    if token and not TOKEN.match(token):
        raise Open311Error(400, "token 只能包含字母、数字和 . _ : -，且不超过64个字符")
    media = form.get("media_url", "").strip()
    if media and not MEDIA_URL.match(media):
        raise Open311Error(400, "media_url 须为 http(s) 地址")
    now = services.clock()
    record = IntakeRecord(
        channel=Channel.OPEN311, content=description, received_at=now, service_code=service.code,
        external_id=f"{actor.user_id}:{token}" if token else None, address=address[:300],
        contact_name=(form.get("last_name", "").strip() + form.get("first_name", "").strip())[:80],
        contact_phone=form.get("phone", "").strip() or None, lat=lat, lon=lon,
        priority=Priority(service.urgency), acknowledge_by_sms=True,
        attachments=(IntakeFile("media_url", "", url=media),) if media else (),
        payload={k: v for k, v in form.items() if k != "api_key"})
    result = await run_blocking(receive, services, record, now=now, actor=actor)
    notice = f"已受理，工单编号{result.ticket.number}"
    if result.repeat_of is not None:
        notice += f"；与正在办理的工单{result.repeat_of.number}为同一诉求，将合并办理"
    body = [{"service_request_id": result.ticket.number, "token": token or None, "service_notice": notice,
             "account_id": form.get("account_id") or None}]
    return respond(body, fmt, "service_requests", status=201 if result.created else 200)


@both_formats("GET", "requests", specs.LIST)
async def list_requests(request: web.Request, fmt: str) -> web.Response:
    services = request.app[SERVICES]
    actor = await _actor(request, request.query.get("api_key"))
    statuses = _list(request.query.get("status"))
    if any(s not in {"open", "closed"} for s in statuses):
        raise Open311Error(400, "status 只能为 open 或 closed")
    tz = services.ledger.tz
    found = await run_blocking(
        find_requests, services.db, actor, numbers=_list(request.query.get("service_request_id")),
        service_codes=_list(request.query.get("service_code")), statuses=statuses,
        start=_date(request, "start_date", tz), end=_date(request, "end_date", tz), now=services.clock())
    catalogue = services.catalogue
    return respond([request_json(f.ticket, catalogue, merged_into=f.merged_into, media_url=f.media_url)
                    for f in found], fmt, "service_requests")


@both_formats("GET", "requests/{service_request_id}", specs.READ)
async def read_request(request: web.Request, fmt: str) -> web.Response:
    services = request.app[SERVICES]
    actor = await _actor(request, request.query.get("api_key"))
    number = request.match_info["service_request_id"]
    found = await run_blocking(find_requests, services.db, actor, numbers=[number], now=services.clock())
    if not found:
        raise Open311Error(404, f"service_request_id {number} 不存在")
    f = found[0]
    return respond([request_json(f.ticket, services.catalogue, merged_into=f.merged_into, media_url=f.media_url)],
                   fmt, "service_requests")


@both_formats("GET", "tokens/{token}", specs.TOKEN)
async def read_token(request: web.Request, fmt: str) -> web.Response:
    """The request a client token became (GeoReport's token endpoint)."""
    services = request.app[SERVICES]
    actor = await _actor(request, request.query.get("api_key"))
    token = request.match_info["token"]
    number = await run_blocking(ticket_number_for, services.db, Channel.OPEN311, f"{actor.user_id}:{token}")
    if number is None:
        raise Open311Error(404, f"token {token} 不存在")
    return respond([{"service_request_id": number, "token": token}], fmt, "service_requests")


async def _actor(request: web.Request, key: str | None) -> Actor:
    key = (key or "").strip() or api_key_of(request)
    if not key:
        raise Open311Error(403, "缺少 api_key")
    actor = await run_blocking(actor_for_api_key, request.app[SERVICES].db, key)
    if actor is None:
        raise Open311Error(403, "api_key 无效或已停用")
    return actor


def _service(request: web.Request, code: str):
    try:
        return request.app[SERVICES].catalogue.service(code)
    except KeyError:
        raise Open311Error(404, f"service_code {code} 不存在") from None


def _coordinate(form: dict, name: str, bound: float) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} 须为数字") from None
    if not -bound <= value <= bound:
        raise Open311Error(400, f"{name} 超出范围（±{bound:g}）")
    return value


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _date(request: web.Request, name: str, tz) -> datetime | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    try:
        return iso_moment(raw.replace(" ", "+"), tz)
    except ValueError:
        raise Open311Error(400, f"{name} 须为W3C日期时间，如 2026-11-01T00:00:00+08:00") from None
