"""Each role can do its own work only: an agent cannot do what the supervision office does."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.security.conftest import World
from tests.support.web import login
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

SUPERVISOR_ACTIONS = [("grant_extension", {"note": "同意"}), ("refuse_extension", {"reason": "不同意"}),
                      ("escalate", {"note": "督办"}), ("remind", {"note": "催办"})]


def _events(services, ticket_id) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket_id))


@pytest.mark.parametrize(("action", "body"), SUPERVISOR_ACTIONS)
async def test_agent_key_cannot_run_supervisor_actions(client, keys, world: World, services, action, body):
    before = _events(services, world.water.id)
    response = await client.post(f"/api/v1/tickets/{world.water.number}/actions/{action}", json=body,
                                 headers=keys["agent"])
    assert response.status == 403
    assert "无权" in (await response.json())["error"]
    assert _events(services, world.water.id) == before
    with services.db.reading() as session:
        assert session.get(Ticket, world.water.id).extension_requested_days == 3  # still pending


async def test_department_cannot_grant_its_own_extension(client, keys, world: World):
    response = await client.post(f"/api/v1/tickets/{world.water.number}/actions/grant_extension", json={},
                                 headers=keys["water"])
    assert response.status == 403


async def test_agent_session_cannot_open_or_post_supervision(client, world: World, services):
    token = await login(client, services, Role.AGENT)
    assert (await client.get("/supervision")).status == 403
    response = await client.post(f"/supervision/tickets/{world.water.number}/act",
                                 data={"action": "grant_extension", "_csrf": token})
    assert response.status == 403
    assert (await client.get("/audit/access-log")).status == 403
    assert (await client.post("/evaluation/exclusions/1/decide", data={"_csrf": token})).status == 403
    with services.db.reading() as session:
        assert session.get(Ticket, world.water.id).extension_requested_days == 3


async def test_ticket_page_offers_an_agent_no_supervisor_action(client, world: World, services):
    await login(client, services, Role.AGENT)
    html = await (await client.get(f"/tickets/{world.water.number}")).text()
    assert 'value="grant_extension"' not in html and 'value="escalate"' not in html


async def test_supervisor_may_grant(client, keys, world: World):
    response = await client.post(f"/api/v1/tickets/{world.water.number}/actions/grant_extension",
                                 json={"note": "同意"}, headers=keys["supervisor"])
    assert response.status == 200, await response.text()
    assert (await response.json())["extension_count"] == 1


async def test_revoked_key_and_unknown_key_are_refused(client, services, world: World, monkeypatch):
    from datetime import timedelta

    from hotline import auth
    from hotline.auth import KEY_CACHE_SECONDS, create_api_key
    from tracking.accounts import ApiKey

    key = create_api_key(services.db, name="leaked", now=services.clock())
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/api/v1/tickets", headers=headers)).status == 200
    with services.db.transaction() as session:
        session.query(ApiKey).filter_by(name="leaked").update({"revoked_at": services.clock() - timedelta(1)})
    started = auth._monotonic()  # each process remembers a known key for KEY_CACHE_SECONDS at most
    monkeypatch.setattr(auth, "_monotonic", lambda: started + KEY_CACHE_SECONDS + 0.1)
    assert (await client.get("/api/v1/tickets", headers=headers)).status == 401
    for bogus in ("hk_" + "A" * 43, "not-a-key", key[:-1] + ("x" if key[-1] != "x" else "y")):
        assert (await client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {bogus}"})).status == 401
