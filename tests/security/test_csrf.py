"""Cross-site request forgery: every POST route refuses a logged-in browser post without the token.

The routes come from the router itself, so a form added tomorrow is checked
too; only the webhook and Open311 prefixes, authenticated by signatures and
keys rather than cookies, are exempt (and they ignore cookies altogether).
"""
from __future__ import annotations

import re

from tests.security.conftest import World
from tests.security.routes import CSRF_EXEMPT, fill, routes_of
from tests.support.web import login
from tracking.states import Role

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


async def test_every_post_route_refuses_a_session_post_without_the_token(client, world: World, services):
    token = await login(client, services, Role.ADMIN)
    values = {"number": world.water.number, "id": "1", "article_id": "1", "linkedid": "1700000000.1"}
    checked = []
    for path, _handler in routes_of(client.app, "POST"):
        if path.startswith(CSRF_EXEMPT):
            continue
        url = fill(path, values)
        for headers, data in [({}, {"action": "add_note", "note": "forged"}),
                              ({"X-CSRF-Token": "forged-token"}, {"action": "add_note"}),
                              ({}, {"action": "add_note", "_csrf": token + "x"})]:
            response = await client.post(url, data=data, headers=headers, allow_redirects=False)
            assert response.status == 403, (url, headers, response.status)
            assert "CSRF" in await response.text(), url
        checked.append(path)
    assert len(checked) >= 25 and "/tickets/{number}/act" in checked and "/login" in checked
    # The same request with the token is let through to the handler (so the 403 was the token's doing).
    response = await client.post(f"/tickets/{world.water.number}/act", allow_redirects=False,
                                 data={"action": "add_note", "note": "有效请求", "_csrf": token})
    assert response.status == 303


async def test_json_api_posts_from_a_session_need_the_header(client, world: World, services):
    token = await login(client, services, Role.ADMIN)
    url = f"/api/v1/tickets/{world.water.number}/actions/add_note"
    assert (await client.post(url, json={"note": "forged"})).status == 403
    assert (await client.post(url, json={"note": "ok"}, headers={"X-CSRF-Token": token})).status == 200


async def test_every_form_on_every_page_carries_the_token(client, world: World, services):
    """The other half: the pages staff use post the token, so the check above never bites real users."""
    token = await login(client, services, Role.ADMIN)
    values = {"number": world.water.number, "code": "water", "format": "html", "view": "red"}
    forms = 0
    for path, _handler in routes_of(client.app, "GET"):
        if path.startswith(("/api/", "/open311/", "/attachments", "/evaluation/report", "/healthz", "/openapi")):
            continue
        response = await client.get(fill(path, values))
        if response.status != 200 or "html" not in response.content_type:
            continue
        for form in FORM.findall(await response.text()):
            if re.search(r'method="?post', form, re.I):
                forms += 1
                assert f'name="_csrf" value="{token}"' in form, (path, form[:200])
    assert forms >= 10
