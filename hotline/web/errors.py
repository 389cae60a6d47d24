"""Turning the ledger's errors into HTTP answers: JSON for machines, a page for people."""
from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import exc as sa_exc

from channels.open311.format import Open311Error, error_response
from hotline.grouping import Overloaded
from hotline.web.requests import json_error
from tracking.actions import LedgerError

log = logging.getLogger(__name__)
MAX_BODY = 10 * 1024 * 1024  # aiohttp's client_max_size; larger bodies get a 413
RETRY_AFTER_SECONDS = 5  # a database restart or failover usually takes a few seconds
BUSY_RETRY_AFTER_SECONDS = 2  # a surge's backlog: about what one process's full waiting list takes to write


def wants_json(request: web.Request) -> bool:
    return request.path.startswith(("/api/", "/open311/", "/hooks/")) or \
        "application/json" in request.headers.get("Accept", "")


@web.middleware
async def error_middleware(request: web.Request, handler):
    """Answer every error with a clear message in Chinese, never a bare 500 page."""
    try:
        return await handler(request)
    except LedgerError as exc:
        return _render(request, exc.http_status, exc.message)
    except Overloaded:
        # A surge beyond what this process writes: refused before anything was kept, so a retry is safe.
        return _unavailable(request, BUSY_RETRY_AFTER_SECONDS, "热线受理繁忙，本次提交未被受理，"
                            f"请{BUSY_RETRY_AFTER_SECONDS}秒后重试")
    except web.HTTPRequestEntityTooLarge:
        return _render(request, 413, "提交的内容过大（上限10MB）")
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        return _render(request, exc.status, exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as exc:
        # The database is restarting, failing over or out of connections: nothing was
        # acknowledged, so the client may send the same request again (with its external id, a
        # registration that did commit is answered with the same ticket).
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        return _unavailable(request)
    except sa_exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            log.exception("unhandled database error on %s %s", request.method, request.path)
            return _render(request, 500, "服务器内部错误，已记录，请稍后重试")
        log.warning("database connection lost on %s %s: %s", request.method, request.path, exc)
        return _unavailable(request)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(request, 500, "服务器内部错误，已记录，请稍后重试")


def _unavailable(request: web.Request, seconds: int = RETRY_AFTER_SECONDS, message: str = "") -> web.Response:
    """503 with Retry-After; a plain page, since the page template itself reads the database."""
    message = message or f"数据库暂时不可用，请求未能完成，请{seconds}秒后重试"
    headers = {"Retry-After": str(seconds)}
    if wants_json(request):
        response = json_error(503, message, retryable=True)
        response.headers.update(headers)
        return response
    return web.Response(status=503, headers=headers, content_type="text/html", text=(
        f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>暂时不可用</title>'
        f'<p>{message}</p></html>'))


def _render(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith("/open311/"):  # GeoReport clients read the spec's own error list
        return error_response(Open311Error(status, message), "xml" if request.path.endswith(".xml") else "json")
    if wants_json(request):
        return json_error(status, message)
    response = aiohttp_jinja2.render_template("error.html", request, {"status": status, "message": message})
    response.set_status(status)
    return response
