"""SQL injection: every query parameter every GET handler reads, and every path parameter, gets SQL.

Parameter names are read from each handler's module (``query.get("q")``,
``query_int(request, "page")``...), so a filter added later is covered. The
answer may be an error for a malformed value, but never a server error, never
a leak (password hashes, database error text), and the tables stay as they were.
"""
from __future__ import annotations

from sqlalchemy import func, select

from tests.security.conftest import World
from tests.security.routes import fill, query_names, routes_of
from tests.support.web import login
from tracking.accounts import User
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

PAYLOADS = ["' OR '1'='1", "1) UNION SELECT password_hash FROM users--", "%'; DROP TABLE tickets; --"]
LEAKS = ("$argon2", "syntax error", "sqlite3.", "psycopg", "Traceback", "OperationalError")
SKIP = ("/evaluation/report", "/healthz")


def _counts(services):
    with services.db.reading() as session:
        return [session.scalar(select(func.count()).select_from(m)) for m in (Ticket, TicketEvent, User)]


async def test_every_filter_and_path_parameter_survives_sql(client, world: World, services):
    await login(client, services, Role.ADMIN)
    before = _counts(services)
    values = {"number": world.water.number, "code": "water", "format": "html", "view": "red", "order_id": "x"}
    tried = 0
    for path, handler in routes_of(client.app, "GET"):
        if path.startswith(SKIP):
            continue
        for payload in PAYLOADS:
            urls = [(fill(path, values), {name: payload}) for name in sorted(query_names(handler))]
            if "{" in path:
                urls.append((fill(path, {k: payload for k in ("number", "code", "view", "order_id", "token",
                                                               "service_code", "service_request_id")}), {}))
            for url, params in urls:
                response = await client.get(url, params=params)
                body = await response.text()
                assert response.status < 500, (url, params, body[:300])
                assert not any(leak in body for leak in LEAKS), (url, params)
                tried += 1
    assert tried > 150
    assert _counts(services) == before


async def test_text_filters_match_literally(client, keys, world: World):
    for payload in PAYLOADS:
        response = await client.get("/api/v1/tickets", params={"q": payload}, headers=keys["agent"])
        assert response.status == 200 and (await response.json())["total"] == 0
        response = await client.get("/api/v1/tickets", params={"phone": payload}, headers=keys["agent"])
        assert response.status in (200, 400)
        if response.status == 200:
            assert (await response.json())["total"] == 0
    everything = await client.get("/api/v1/tickets", headers=keys["agent"])
    assert (await everything.json())["total"] == 4
