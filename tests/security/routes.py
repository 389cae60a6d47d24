"""The app's routes as the router knows them, with their path parameters filled in.

Security tests walk these lists instead of naming pages one by one, so a page
or form added later is checked without anyone remembering to add it here.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from aiohttp import web

PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
# Streams that never end (server push) cannot be fetched whole.
NEVER_ENDING = {"/console/events"}
# Paths authenticated by their own signature or key (hotline.web.security.CSRF_EXEMPT_PREFIXES).
CSRF_EXEMPT = ("/hooks/", "/open311/")


def routes_of(app: web.Application, method: str) -> list[tuple[str, object]]:
    """(path template, handler) of every route answering ``method``, static files left out."""
    found = {}
    for route in app.router.routes():
        if route.method != method or route.resource is None:
            continue
        path = route.resource.canonical
        if path.startswith("/static") or path in NEVER_ENDING:
            continue
        found[path] = route.handler
    return sorted(found.items())


def fill(path: str, values: dict[str, str]) -> str:
    """The path with each ``{name}`` replaced by ``values[name]`` (``1`` when not given)."""
    return PARAM.sub(lambda m: values.get(m.group(1), "1"), path)


def query_names(handler) -> set[str]:
    """Every query parameter the handler's module reads (``query.get("x")``, ``query_int(request, "x")``...)."""
    while hasattr(handler, "__wrapped__"):
        handler = handler.__wrapped__
    source = Path(inspect.getsourcefile(handler)).read_text(encoding="utf-8")
    names = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args = [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if name == "get" and isinstance(func, ast.Attribute) and _is_query(func.value) and args:
            names.add(args[0].value)
        elif name in {"query_int", "query_datetime", "getall", "getone"} and args:
            names.add(args[0].value)
        elif name == "query_light":
            names.add("light")
        elif name == "query_page":
            names.add("page")
    return names


def _is_query(node) -> bool:
    text = ast.unparse(node)
    return text.endswith("query") or text in {"request.rel_url.query", "url.query"}
