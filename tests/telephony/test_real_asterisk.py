"""Opt-in: the listener against a real Asterisk (skipped unless ``HOTLINE_TEST_AMI_HOST`` is set).

Point it at a PBX configured as in ``docs/telephony.md`` (manager.conf user,
queue ``hotline``): it logs in, resynchronises, answers the watchdog's Ping
and lists channels and queue members, without placing any call.
"""
from __future__ import annotations

import os

import pytest

from telephony.ami_client import AmiListener
from telephony.ami_protocol import events_named
from telephony.tracker import CallTracker

HOST = os.environ.get("HOTLINE_TEST_AMI_HOST", "")

pytestmark = pytest.mark.skipif(not HOST, reason="HOTLINE_TEST_AMI_HOST not set: no real Asterisk to test against")


async def test_login_resync_ping_and_lists_on_a_real_asterisk():
    listener = AmiListener(HOST, int(os.environ.get("HOTLINE_TEST_AMI_PORT", "5038")),
                           os.environ.get("HOTLINE_TEST_AMI_USERNAME", "hotline"),
                           os.environ.get("HOTLINE_TEST_AMI_SECRET", ""), CallTracker(),
                           ping_interval=0.5, ping_timeout=2.0)
    await listener.start()
    try:
        await listener.wait_connected(10.0)
        pong = await listener.send_action({"Action": "Ping"})
        channels = await listener.send_action({"Action": "CoreShowChannels"})
        queues = await listener.send_action({"Action": "QueueStatus"})
        assert pong[0].get("Response") == "Success"
        assert events_named(channels, "CoreShowChannelsComplete")
        assert events_named(queues, "QueueStatusComplete")
        assert listener.status == "connected"
    finally:
        await listener.stop()
