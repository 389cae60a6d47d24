"""Fixtures of the telephony tests: the fake AMI server, apps following it, agents' event streams."""
from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from hotline.web.app import create_app
from telephony.runtime import TELEPHONY
from tests.fakes.ami_server import ami_recordings, ami_server  # noqa: F401
from tests.support.factories import UserFactory
from tests.support.web import _csrf_of
from tests.web.conftest import client, departments, keys  # noqa: F401
from tracking.accounts import User
from tracking.states import Role

PASSWORD = "correct-horse-1"


async def eventually(predicate, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def ami_settings(settings, ami_server, **changes):
    """Settings pointing the app at the fake AMI server."""
    return dataclasses.replace(settings, ami_host="127.0.0.1", ami_port=ami_server.port, ami_username="hotline",
                               ami_secret="secret", **changes)


@pytest.fixture
async def ami_client(aiohttp_client, settings, services, ami_server):
    """A web app following the fake Asterisk (logged in and resynchronised)."""
    app = create_app(ami_settings(settings, ami_server), services, start_background=False)
    web_client = await aiohttp_client(app)
    await app[TELEPHONY].listener.wait_connected(3.0)
    # The first connection's resync closes the stored calls Asterisk no longer lists; let it finish,
    # or a test's recorded call (its times are in the past) can be stored before it runs and be closed.
    await app[TELEPHONY].follower.settle()
    return web_client


async def login_agent(client, services, interface: str | None = "PJSIP/1001", *, role: Role = Role.AGENT,
                      **fields) -> tuple[int, str]:
    """Create a staff user on ``interface`` and log them in on ``client``; returns (user id, CSRF token)."""
    actor = UserFactory.create(services, role, password=PASSWORD, agent_interface=interface, **fields)
    with services.db.reading() as session:
        username = session.get(User, actor.user_id).username
    token = _csrf_of(await (await client.get("/login")).text())
    response = await client.post("/login", data={"username": username, "password": PASSWORD, "_csrf": token},
                                 allow_redirects=False)
    assert response.status == 302
    return actor.user_id, _csrf_of(await (await client.get("/")).text())


class EventStream:
    """An open ``/console/events`` stream read as a browser's EventSource would."""

    def __init__(self, response):
        self.response = response

    async def next(self, timeout: float = 10.0) -> tuple[str, str, dict]:
        """The next event: (type, id, data); comments and the retry line are skipped."""
        fields: dict[str, str] = {}
        async with asyncio.timeout(timeout):
            while True:
                line = (await self.response.content.readline()).decode().rstrip("\n")
                if not line:
                    if "event" in fields:
                        return fields["event"], fields.get("id", ""), json.loads(fields["data"])
                    fields = {}
                    continue
                if line.startswith(":"):
                    continue
                key, _, value = line.partition(": ")
                fields[key] = value

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await self.next(seconds)
        except TimeoutError:
            return True
        return False


async def open_stream(client, headers: dict | None = None) -> EventStream:
    response = await client.get("/console/events", headers=headers or {})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    assert (await response.content.readline()).startswith(b"retry:")
    return EventStream(response)
