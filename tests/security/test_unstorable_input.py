"""A NUL (``%00``) or half a UTF-16 pair in a query, a path or a form is the sender's 400, on every route.

PostgreSQL can neither store nor compare a NUL: before the check in
``hotline.web.requests.storable_input_middleware`` a ``%00`` in a page's filter or
in a form field failed inside the handler (a 500). The routes come from the
router, so a page or form added later is covered.
"""
from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import func, select

from tests.security.conftest import World
from tests.security.routes import fill, query_names, routes_of
from tests.support.web import login
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

NUL = "a\x00b"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SKIP = ("/healthz",)


def _counts(services):
    with services.db.reading() as session:
        return [session.scalar(select(func.count()).select_from(m)) for m in (Ticket, TicketEvent)]


async def test_every_query_and_path_parameter_refuses_a_nul(client, world: World, services):
    await login(client, services, Role.ADMIN)
    values = {"number": world.water.number, "code": "water", "format": "html", "view": "red", "order_id": "x"}
    tried = 0
    for path, handler in routes_of(client.app, "GET"):
        if path.startswith(SKIP):
            continue
        urls = [(fill(path, values), {name: NUL}) for name in sorted(query_names(handler))]
        if "{" in path:
            urls.append((fill(path, {}).replace("/1", "/%00", 1), {}))
        for url, params in urls:
            response = await client.get(url, params=params)
            if response.status == 404 and not params:
                continue  # a path pattern (digits only) the NUL does not match: the router's 404
            assert response.status == 400, (url, params, response.status, (await response.text())[:300])
            assert "无法保存的字符" in await response.text()
            tried += 1
    assert tried > 50


async def test_every_form_refuses_a_nul_and_writes_nothing(client, world: World, services):
    token = await login(client, services, Role.ADMIN)
    before = _counts(services)
    values = {"number": world.water.number, "id": "1", "article_id": "1", "linkedid": "1700000000.1"}
    posted = []
    for path, _handler in routes_of(client.app, "POST"):
        for data in (urlencode({"action": "add_note", "note": NUL, "content": NUL, "_csrf": token}),
                     urlencode({"action": "add_note", "note\x00": "备注", "_csrf": token})):
            response = await client.post(fill(path, values), data=data, headers=FORM, allow_redirects=False)
            assert response.status == 400, (path, data, response.status, (await response.text())[:300])
        posted.append(path)
    assert len(posted) >= 25 and "/messages" in posted and "/hooks/twilio/sms" in posted
    assert _counts(services) == before


async def test_the_same_form_without_the_nul_is_let_through(client, world: World, services):
    """The other half: the check refuses the character, not the form."""
    token = await login(client, services, Role.ADMIN)
    url = f"/tickets/{world.water.number}/act"
    response = await client.post(url, data={"action": "add_note", "note": "ab", "_csrf": token},
                                 allow_redirects=False)
    assert response.status == 303
    response = await client.get("/tickets", params={"q": "ab"})
    assert response.status == 200


async def test_machine_doors_answer_in_their_own_error_format(client, keys):
    body = urlencode({"service_code": "water", "description": NUL, "address_string": "幸福路1号"})
    for suffix in ("json", "xml"):
        response = await client.post(f"/open311/v2/requests.{suffix}", data=body, headers={**FORM, **keys["agent"]})
        assert response.status == 400
        text = await response.text()
        assert ('"code": 400' in text) if suffix == "json" else ("<code>400</code>" in text), text
    response = await client.get("/api/v1/tickets", params={"q": NUL}, headers=keys["agent"])
    assert response.status == 400 and "无法保存的字符" in (await response.json())["error"]
