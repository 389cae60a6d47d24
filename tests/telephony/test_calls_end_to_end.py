"""Recorded Asterisk calls played through the fake AMI server into a running app:
the stored call rows, the screen pop on the right agent's event stream, and the figures."""
from __future__ import annotations

from sqlalchemy import select

from telephony.models import Call
from telephony.runtime import TELEPHONY
from tests.fakes.ami_recordings import call_events, read_fixture
from tests.support.factories import TicketFactory
from tests.telephony.conftest import login_agent, open_stream
from tracking import actions as act
from tracking.states import Role


def stored(services, linkedid: str) -> Call | None:
    with services.db.reading() as session:
        return session.scalar(select(Call).where(Call.linkedid == linkedid))


async def test_answered_call_pops_on_the_answering_agents_stream(ami_client, ami_server, ami_recordings, services):
    clerk = act.Actor(None, "测试坐席", Role.AGENT)
    old = TicketFactory.registered(services, clerk, contact_phone="13800138000", title="路灯不亮")
    act.answer_directly(services.ledger, old.id, actor=clerk, now=services.clock(), answer="已告知报修电话")
    still_open = TicketFactory.registered(services, clerk, contact_phone="13800138000", title="小区停水")
    TicketFactory.registered(services, clerk, contact_phone="13900000000", title="别人的工单")
    agent_id, _ = await login_agent(ami_client, services, "PJSIP/1001")
    stream = await open_stream(ami_client)

    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-answered.ami")))
    kind, event_id, pop = await stream.next()

    assert (kind, event_id) == ("call", "1795309969.3")
    assert (pop["linkedid"], pop["caller"], pop["queue"]) == ("1795309969.3", "13800138000", "hotline")
    assert [t["number"] for t in pop["history"]] == [still_open.number, old.number]
    assert [(t["number"], t["status_label"]) for t in pop["open"]] == [(still_open.number, "已受理")]
    kind, _, ended = await stream.next()
    assert (kind, ended) == ("call_ended", {"linkedid": "1795309969.3", "outcome": "answered"})
    await ami_client.app[TELEPHONY].follower.settle()
    row = stored(services, "1795309969.3")
    assert (row.agent_user_id, row.outcome, row.caller_number, round(row.wait_seconds)) == (
        agent_id, "answered", "13800138000", 3)


async def test_no_pop_for_other_agents(ami_client, ami_server, ami_recordings, services):
    await login_agent(ami_client, services, "PJSIP/1002")
    stream = await open_stream(ami_client)

    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-answered.ami")))
    await ami_client.app[TELEPHONY].follower.settle()

    assert await stream.nothing_within(0.3)
    assert stored(services, "1795309969.3").outcome == "answered"


async def test_a_console_opened_after_the_answer_still_shows_the_call(ami_client, ami_server, ami_recordings,
                                                                      services):
    await login_agent(ami_client, services, "PJSIP/1001")
    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-answered.ami"), until="AgentConnect"))
    await ami_client.app[TELEPHONY].follower.settle()

    stream = await open_stream(ami_client)
    kind, event_id, pop = await stream.next()
    reconnected = await open_stream(ami_client, headers={"Last-Event-ID": event_id})

    assert (kind, pop["caller"]) == ("call", "13800138000")
    assert await reconnected.nothing_within(0.2)  # a browser that saw it is not shown it twice


async def test_abandoned_call_is_stored_and_listed_for_callback(ami_client, ami_server, ami_recordings, services,
                                                                 keys):
    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-abandoned.ami")))
    await ami_client.app[TELEPHONY].follower.settle()

    row = stored(services, "1795309982.6")
    assert (row.caller_number, row.outcome, row.abandoned_in_queue, row.answered_at) == (
        "13900139000", "abandoned", True, None)
    figures = await (await ami_client.get("/api/v1/telephony/figures", params={"from": "2026-11-22"},
                                          headers=keys["supervisor"])).json()
    assert (figures["totals"]["offered"], figures["totals"]["abandoned"]) == (1, 1)
    assert [m["number"] for m in figures["missed"]] == ["13900139000"]


async def test_ring_no_answer_then_second_agent(ami_client, ami_server, ami_recordings, services):
    await login_agent(ami_client, services, "PJSIP/1001")
    second_id, _ = await login_agent(ami_client, services, "PJSIP/1002")  # the session now is agent 1002's
    stream = await open_stream(ami_client)

    await ami_server.play(call_events(read_fixture(ami_recordings / "agent-ring-no-answer.ami")))
    kind, _, pop = await stream.next()
    await ami_client.app[TELEPHONY].follower.settle()

    assert (kind, pop["caller"]) == ("call", "13700137000")
    [row] = _all_calls(services)
    assert (row.agent_interface, row.agent_user_id, row.outcome) == ("PJSIP/1002", second_id, "answered")
    assert [ring["interface"] for ring in row.ring_no_answer] == ["PJSIP/1001"]


def _all_calls(services) -> list[Call]:
    with services.db.reading() as session:
        return list(session.scalars(select(Call)))
