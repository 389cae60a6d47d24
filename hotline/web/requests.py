"""Reading request bodies and query strings with clear errors instead of 500s."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import orjson
from aiohttp import web

from tracking.actions import InvalidInput
from tracking.actions._core import storable


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object.

    Raises:
        InvalidInput: not JSON, not UTF-8, or not an object.
    """
    raw = await request.read()
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except UnicodeDecodeError:
        raise InvalidInput("请求内容须为UTF-8编码") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"JSON格式错误：第{exc.lineno}行第{exc.colno}列") from None
    if not isinstance(data, dict):
        raise InvalidInput("请求内容须为JSON对象")
    _check_strings(data)
    return data


def _check_strings(value: Any) -> None:
    """Refuse a NUL or half a UTF-16 pair (JSON's \\u0000, \\ud800) anywhere: no column can store them."""
    if isinstance(value, str):
        storable(value, "请求内容")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@web.middleware
async def storable_input_middleware(request: web.Request, handler):
    """Refuse a NUL or half a UTF-16 pair in the query, the path or a form, before any handler runs.

    ``%00`` decodes to a NUL that PostgreSQL cannot store or even compare with: a
    filter or form field carrying one would fail deep in a handler (a 500). Checked
    once here for every page, form and webhook; JSON bodies are checked by ``json_body``.
    """
    for value in (*request.query.values(), *request.match_info.values()):
        storable(value, "请求参数")
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
        try:
            form = await request.post()  # aiohttp keeps it: the handler reads the same object
        except UnicodeDecodeError:
            raise InvalidInput("表单内容须为UTF-8编码") from None
        except ValueError:  # multipart without a boundary, or a malformed part
            raise InvalidInput("表单格式错误（multipart/form-data 须带 boundary）") from None
        for name, value in form.items():
            storable(name, "表单字段")
            storable(value if isinstance(value, str) else value.filename or "", "表单内容")
    return await handler(request)


async def form_or_json(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await json_body(request)
    return dict((await request.post()).items())  # already read and checked by storable_input_middleware


def query_int(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 须为整数") from None
    if not -2**31 <= value < 2**31:  # our id columns are INTEGER: PostgreSQL refuses to compare beyond them
        raise InvalidInput(f"参数 {name} 超出范围")
    return value


def query_datetime(request: web.Request, name: str, tz) -> datetime | None:
    """An ISO date or datetime from the query; dates without a zone are local to the city."""
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        return iso_moment(raw.replace("Z", "+00:00").replace(" ", "+") if "T" in raw else raw, tz)
    except ValueError:
        raise InvalidInput(f"参数 {name} 须为ISO 8601日期时间") from None


def iso_moment(raw: str, tz) -> datetime:
    """An ISO 8601 date or datetime; without a zone, local to ``tz``.

    Raises:
        ValueError: not ISO 8601, or an offset no place on Earth has (beyond ±14:00):
            Python reads up to ±23:59, PostgreSQL refuses past ±15:59 (a 500 otherwise).
    """
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    if abs(value.utcoffset()) > timedelta(hours=14):
        raise ValueError(f"UTC offset out of range: {raw}")
    return value


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    return json_ok({"error": message, **extra}, status=status)


def json_ok(data: Any, status: int = 200) -> web.Response:
    """``data`` as UTF-8 JSON (orjson: at intake's peak, json's encoder was a tenth of a web process's CPU)."""
    return web.Response(body=orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), status=status,
                        content_type="application/json", charset="utf-8")
