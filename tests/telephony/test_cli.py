"""``hotline telephony``: the one-off AMI check against the fake Asterisk, and a clear refusal without one."""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from hotline.cli import main
from telephony.models import Call
from telephony.runtime import run_listener
from tests.fakes.ami_recordings import call_events, read_fixture
from tests.telephony.conftest import ami_settings, eventually


async def test_check_logs_in_and_lists_queue_members(ami_server, monkeypatch, settings, capsys):
    ami_server.queue_status = [
        {"Event": "QueueMember", "Queue": "hotline", "Name": "Agent 1001", "StateInterface": "PJSIP/1001",
         "Paused": "1"},
        {"Event": "QueueMember", "Queue": "hotline", "Name": "Agent 1002", "StateInterface": "PJSIP/1002",
         "Paused": "0"}]
    for name, value in {"AMI_HOST": "127.0.0.1", "AMI_PORT": str(ami_server.port), "AMI_USERNAME": "hotline",
                        "AMI_SECRET": "secret", "DATABASE_URL": settings.database_url}.items():
        monkeypatch.setenv(f"HOTLINE_{name}", value)

    code = await asyncio.to_thread(main, ["telephony", "--check"])

    out = capsys.readouterr().out
    assert code == 0
    assert "logged in as hotline" in out and "calls in progress: 0" in out
    assert "queue hotline: PJSIP/1001 (Agent 1001) paused" in out
    assert "queue hotline: PJSIP/1002 (Agent 1002) available" in out
    assert [a["Action"] for a in ami_server.actions][-1] == "Logoff"


def test_without_an_asterisk_host_it_refuses(monkeypatch, capsys):
    monkeypatch.delenv("HOTLINE_AMI_HOST", raising=False)

    assert main(["telephony"]) == 2
    assert "HOTLINE_AMI_HOST is not set" in capsys.readouterr().err


async def test_the_listener_process_stores_calls_until_stopped(ami_server, ami_recordings, settings, services):
    stop = asyncio.Event()
    following = asyncio.create_task(run_listener(services, ami_settings(settings, ami_server), stop))
    await eventually(lambda: ami_server.connections == 1 and len(ami_server.actions) >= 3)

    await ami_server.play(call_events(read_fixture(ami_recordings / "queue-abandoned.ami")))

    def stored() -> Call | None:
        with services.db.reading() as session:
            return session.scalar(select(Call).where(Call.ended_at.is_not(None)))
    await eventually(lambda: stored() is not None)
    stop.set()
    await asyncio.wait_for(following, 5)
    assert stored().outcome == "abandoned"
    assert [a["Action"] for a in ami_server.actions][-1] == "Logoff"
