"""Two app instances sharing Redis: the pop reaches the agent whichever process follows the call,
and exactly once when both follow it."""
from __future__ import annotations

import dataclasses

import pytest

from hotline.services import build_services
from hotline.web.app import create_app
from telephony.redis_hub import RedisHub
from telephony.runtime import TELEPHONY
from tests.fakes.ami_recordings import call_events, read_fixture
from tests.telephony.conftest import ami_settings, login_agent, open_stream


@pytest.fixture
async def two_apps(aiohttp_client, settings, clock, redis_url, ami_server):
    """Build two apps on one database and one Redis; ``follows`` says which follow Asterisk."""
    built = []

    async def make(follows: tuple[bool, bool]):
        clients = []
        for following in follows:
            own = dataclasses.replace(settings, redis_url=redis_url)
            if following:
                own = ami_settings(own, ami_server)
            services = build_services(own, clock=clock, queue="in-process")
            built.append(services)
            app = create_app(own, services, start_background=False)
            web_client = await aiohttp_client(app)
            telephony = app[TELEPHONY]
            assert isinstance(telephony.hub, RedisHub)
            await telephony.hub.wait_subscribed()
            if following:
                await telephony.listener.wait_connected(3.0)
            clients.append(web_client)
        return clients

    yield make
    for services in built:
        services.close()


async def test_the_pop_crosses_to_the_process_holding_the_agents_stream(two_apps, ami_server, ami_recordings):
    follower, console = await two_apps((True, False))
    agent_services = follower.app[TELEPHONY].follower.services
    await login_agent(console, agent_services, "PJSIP/1001")
    stream = await open_stream(console)

    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-answered.ami")))
    kind, _, pop = await stream.next()

    assert (kind, pop["linkedid"], pop["caller"]) == ("call", "1795309969.3", "13800138000")
    assert console.app[TELEPHONY].listener is None  # this process never saw the call itself


async def test_two_processes_following_the_same_call_pop_it_once(two_apps, ami_server, ami_recordings):
    first, second = await two_apps((True, True))
    services = first.app[TELEPHONY].follower.services
    await login_agent(second, services, "PJSIP/1001")
    stream = await open_stream(second)

    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-answered.ami")))
    kinds = [(await stream.next(10.0))[0], (await stream.next(10.0))[0]]
    for web_client in (first, second):
        await web_client.app[TELEPHONY].follower.settle()

    # one pop and one end; across processes a call this short (5 s replayed in milliseconds) may
    # have its end published before the other process's pop, which screenpop.js shows as ended
    assert sorted(kinds) == ["call", "call_ended"]
    assert await stream.nothing_within(0.3)
    assert ami_server.connections == 2
