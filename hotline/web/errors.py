"""Turning the ledger's errors into HTTP answers: JSON for machines, a page for people."""
from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web

from hotline.web.requests import json_error
from tracking.actions import LedgerError

log = logging.getLogger(__name__)
MAX_BODY = 10 * 1024 * 1024  # aiohttp's client_max_size; larger bodies get a 413


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
    except web.HTTPRequestEntityTooLarge:
        return _render(request, 413, "提交的内容过大（上限10MB）")
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        return _render(request, exc.status, exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(request, 500, "服务器内部错误，已记录，请稍后重试")


def _render(request: web.Request, status: int, message: str) -> web.Response:
    if wants_json(request):
        return json_error(status, message)
    response = aiohttp_jinja2.render_template("error.html", request, {"status": status, "message": message})
    response.set_status(status)
    return response
