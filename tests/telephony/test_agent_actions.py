"""Agent actions through the API, sent to the fake Asterisk and recorded on the ticket:
小休 (pause/unpause), 回访 callback with Originate, and transfer to a department's expert line."""
from __future__ import annotations

from sqlalchemy import select

from telephony.models import AgentBreak, Call
from telephony.runtime import TELEPHONY
from tests.fakes.ami_recordings import call_events, read_fixture
from tests.support.factories import DepartmentFactory, TicketFactory
from tests.telephony.conftest import login_agent
from tracking import actions as act
from tracking.models import TicketEvent
from tracking.states import Role


def notes(services, ticket_id: int) -> list[TicketEvent]:
    with services.db.reading() as session:
        return list(session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.action == "add_note").order_by(TicketEvent.id)))


def replied_ticket(services, phone: str = "13800138000"):
    water = DepartmentFactory.create(services, code="water", name="市水务集团", expert_line="8001")
    agent = act.Actor(None, "测试坐席", Role.AGENT)  # no login needed: skip the password hash
    staff = act.Actor(None, "水务集团", Role.DEPARTMENT, water.id)
    ticket = TicketFactory.dispatched(services, agent, water, contact_phone=phone)
    act.accept_ticket(services.ledger, ticket.id, actor=staff, now=services.clock())
    act.start_work(services.ledger, ticket.id, actor=staff, now=services.clock())
    return act.reply_ticket(services.ledger, ticket.id, actor=staff, now=services.clock(), reply="已修复")


async def test_pause_and_unpause_reach_asterisk_and_are_kept(ami_client, ami_server, services):
    user_id, csrf = await login_agent(ami_client, services, "PJSIP/1001")
    headers = {"X-CSRF-Token": csrf}

    paused = await ami_client.post("/api/v1/telephony/pause", json={"reason": "就餐"}, headers=headers)
    state = await (await ami_client.get("/api/v1/telephony/agent")).json()
    unpaused = await ami_client.post("/api/v1/telephony/unpause", headers=headers)

    assert paused.status == 200 and (await paused.json())["paused"] is True
    assert (state["paused"], state["reason"], state["telephony"], state["control"]) == (
        True, "就餐", "connected", "asterisk")
    assert (await unpaused.json())["paused"] is False
    pause, unpause = [a for a in ami_server.actions if a["Action"] == "QueuePause"]
    assert (pause["Interface"], pause["Queue"], pause["Paused"], pause["Reason"]) == (
        "PJSIP/1001", "hotline", "true", "就餐")
    assert (unpause["Interface"], unpause["Paused"]) == ("PJSIP/1001", "false")
    with services.db.reading() as session:
        [kept] = session.scalars(select(AgentBreak)).all()
    assert (kept.user_id, kept.reason, kept.ended_at) == (user_id, "就餐", services.clock())


async def test_pauses_made_on_the_phone_are_kept_as_breaks(ami_client, ami_server, ami_recordings, services):
    user_id, _ = await login_agent(ami_client, services, "PJSIP/1001")

    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-pause.ami")))  # lunch, then back
    await ami_client.app[TELEPHONY].follower.settle()

    with services.db.reading() as session:
        [kept] = session.scalars(select(AgentBreak)).all()
    assert (kept.user_id, kept.interface, kept.reason, kept.ended_at) == (
        user_id, "PJSIP/1001", "lunch", services.clock())


async def test_a_pause_asterisk_refuses_is_not_kept(ami_client, ami_server, services):
    _, csrf = await login_agent(ami_client, services, "PJSIP/1009")
    ami_server.handlers["QueuePause"] = lambda action: [
        {"Response": "Error", "ActionID": action["ActionID"], "Message": "Interface not found"}]

    response = await ami_client.post("/api/v1/telephony/pause", json={}, headers={"X-CSRF-Token": csrf})

    assert response.status == 502 and "Interface not found" in (await response.json())["error"]
    assert (await (await ami_client.get("/api/v1/telephony/agent")).json())["paused"] is False


async def test_agent_actions_need_a_phone_a_role_and_csrf(client, services, keys):
    assert (await client.post("/api/v1/telephony/pause", headers=keys["water"])).status == 403
    no_phone = await client.post("/api/v1/telephony/pause", headers=keys["agent"])
    assert no_phone.status == 400 and "未绑定坐席分机" in (await no_phone.json())["error"]
    await login_agent(client, services, "PJSIP/1001")
    assert (await client.post("/api/v1/telephony/pause", json={})).status == 403  # no CSRF token


async def test_without_asterisk_a_pause_is_recorded_but_nothing_is_dialled(client, services):
    _, csrf = await login_agent(client, services, "PJSIP/1001")
    ticket = replied_ticket(services)

    await client.post("/api/v1/telephony/pause", headers={"X-CSRF-Token": csrf})
    placed = await client.post(f"/api/v1/telephony/tickets/{ticket.number}/callback", headers={"X-CSRF-Token": csrf})

    assert (await (await client.get("/api/v1/telephony/agent")).json())["control"] == "console"
    assert placed.status == 202 and (await placed.json())["dialled"] is False
    [note] = notes(services, ticket.id)
    assert "未实际拨号" in note.note


async def test_satisfaction_callback_is_placed_and_its_result_noted(ami_client, ami_server, ami_recordings,
                                                                    services):
    _, csrf = await login_agent(ami_client, services, "PJSIP/1001")
    ticket = replied_ticket(services)

    placed = await ami_client.post(f"/api/v1/telephony/tickets/{ticket.number}/callback",
                                   headers={"X-CSRF-Token": csrf})
    recording = [(kind, data.replace(b"20261122-000001", ticket.number.encode()) if kind == "recv" else data)
                 for kind, data in read_fixture(ami_recordings / "callback-originate.ami")]
    await ami_server.play(call_events(recording))
    await ami_client.app[TELEPHONY].follower.settle()

    assert placed.status == 202 and (await placed.json())["action_id"] == f"callback-{ticket.number}"
    originate = next(a for a in ami_server.actions if a["Action"] == "Originate")
    assert (originate["Channel"], originate["Exten"]) == ("PJSIP/13800138000@carrier", "satisfaction")
    assert originate["Variable"] == [f"TICKET_NUMBER={ticket.number}", "AGENT_INTERFACE=PJSIP/1001"]
    placed_note, result_note = notes(services, ticket.id)
    assert placed_note.note == "回访外呼：138****8000（坐席PJSIP/1001）"
    assert placed_note.data["action_id"] == f"callback-{ticket.number}"
    assert result_note.note.startswith("回访外呼已接通，通话") and result_note.actor_name == "电话系统"
    with services.db.reading() as session:
        call = session.scalar(select(Call).where(Call.direction == "outbound"))
    assert (call.ticket_id, call.caller_number, call.outcome) == (ticket.id, "13800138000", "answered")


async def test_transfer_to_the_expert_line_redirects_the_citizen(ami_client, ami_server, ami_recordings, services):
    _, csrf = await login_agent(ami_client, services, "PJSIP/1001")
    ticket = replied_ticket(services, phone="13600136000")
    recording = read_fixture(ami_recordings / "transfer-redirect.ami")
    await ami_server.play(call_events(recording, until="AgentConnect"))
    await ami_client.app[TELEPHONY].follower.settle()

    moved = await ami_client.post(f"/api/v1/telephony/tickets/{ticket.number}/transfer",
                                  json={"department": "water"}, headers={"X-CSRF-Token": csrf})
    await ami_server.play(call_events(recording, after="AgentConnect"))
    await ami_client.app[TELEPHONY].follower.settle()

    assert moved.status == 202, await moved.text()
    redirect = next(a for a in ami_server.actions if a["Action"] == "Redirect")
    assert (redirect["Channel"], redirect["Context"], redirect["Exten"]) == (
        "PJSIP/carrier-00000009", "departments", "8001")
    [note] = notes(services, ticket.id)
    assert note.note == "来电转接至市水务集团专家热线（8001，盲转）" and note.data["mode"] == "blind"
    with services.db.reading() as session:
        call = session.scalar(select(Call))
    assert (call.ticket_id, call.outcome, call.transfer_target) == (ticket.id, "transferred", "8001@departments")


async def test_transfer_without_a_call_in_progress_is_409(ami_client, services):
    _, csrf = await login_agent(ami_client, services, "PJSIP/1001")
    ticket = replied_ticket(services)

    response = await ami_client.post(f"/api/v1/telephony/tickets/{ticket.number}/transfer",
                                     json={"department": "water", "mode": "attended"}, headers={"X-CSRF-Token": csrf})

    assert response.status == 409 and "没有进行中的通话" in (await response.json())["error"]
