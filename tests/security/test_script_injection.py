"""Script injection: text a citizen wrote is shown as text on every page staff and citizens open.

The tickets of the ``world`` fixture carry ``<script>`` and attribute-breaking
payloads in their title, content, address, name, reasons and reply; every
HTML page of the router is opened by each kind of staff and must show them
escaped.
"""
from __future__ import annotations

import pytest

from tests.security.conftest import World, assert_escaped
from tests.security.routes import fill, routes_of
from tests.support.web import login
from tracking.states import Role

SKIP = ("/api/", "/open311/", "/attachments", "/evaluation/report", "/healthz", "/openapi")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.DEPARTMENT])
async def test_every_page_escapes_citizen_text(client, world: World, services, departments, role):
    await login(client, services, role, department=departments["water"] if role is Role.DEPARTMENT else None)
    shown = 0
    for ticket in (world.registered, world.water, world.replied):
        values = {"number": ticket.number, "code": "water", "format": "html", "view": "red"}
        for path, _handler in routes_of(client.app, "GET"):
            if path.startswith(SKIP) or ("{" not in path and ticket is not world.registered):
                continue
            response = await client.get(fill(path, values))
            assert response.status < 500, path
            html = await response.text()
            assert_escaped(html, f"{role} {path}")
            shown += "xss" in html
    assert shown >= 3  # the payloads were on the pages, escaped


async def test_queries_echoed_back_are_escaped(client, world: World, services):
    await login(client, services, Role.ADMIN)
    payload = '"><script>alert(1)</script>'
    for path in ("/tickets", "/department", "/callbacks", "/knowledge", "/help", "/audit/access-log",
                 "/evaluation/tickets", "/intake/sms"):
        for name in ("q", "text", "number", "user", "phone", "department", "period"):
            response = await client.get(path, params={name: payload})
            assert "<script>alert(1)" not in await response.text(), (path, name)


async def test_public_lookup_shows_the_reply_escaped(client, world: World):
    page = await client.get("/lookup")
    token = _csrf(await page.text())
    response = await client.post("/lookup", data={"number": world.replied.number, "phone_tail": "0004",
                                                  "_csrf": token})
    html = await response.text()
    assert response.status == 200 and "已处理" in html
    assert_escaped(html, "/lookup")


def _csrf(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]
