"""``hotline telephony``: follow Asterisk without a web server, or check the AMI account once.

``hotline serve`` already follows Asterisk when ``HOTLINE_AMI_HOST`` is set;
this command is for running the listener as its own process (then Redis
carries its screen pops to the web processes) and for checking a new PBX
connection: ``hotline telephony --check`` logs in, lists the calls and queue
members Asterisk reports, and exits.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from config.settings import Settings

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 10.0


def register(subparsers) -> None:
    parser = subparsers.add_parser("telephony", help="follow Asterisk (AMI): store calls, send screen pops")
    parser.add_argument("--check", action="store_true",
                        help="log in once, print the calls in progress and the queue members, and exit")
    parser.set_defaults(run=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.cli import CommandError
    from hotline.services import build_services

    if not settings.ami_host:
        raise CommandError("HOTLINE_AMI_HOST is not set: there is no Asterisk to follow")
    if not args.check and not settings.redis_url:
        log.warning("HOTLINE_REDIS_URL is not set: screen pops from this process reach no web process")
    services = build_services(settings)
    try:
        return asyncio.run(_check(services, settings) if args.check else _follow(services, settings))
    finally:
        services.close()


async def _follow(services, settings: Settings) -> int:
    from telephony.runtime import run_listener

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("following Asterisk at %s:%s (Ctrl-C to stop)", settings.ami_host, settings.ami_port)
    await run_listener(services, settings, stop)
    return 0


async def _check(services, settings: Settings) -> int:
    from hotline.cli import CommandError
    from telephony.ami_client import AmiListener
    from telephony.ami_protocol import events_named
    from telephony.runtime import dialplan_from
    from telephony.tracker import CallTracker

    tracker = CallTracker(now=services.clock)  # a check stores nothing
    listener = AmiListener(settings.ami_host, settings.ami_port, settings.ami_username, settings.ami_secret,
                           tracker, dialplan=dialplan_from(settings), backoff_max=2.0)
    await listener.start()
    try:
        await listener.wait_connected(CHECK_TIMEOUT)
    except TimeoutError:
        await listener.stop()
        raise CommandError(f"no AMI login at {settings.ami_host}:{settings.ami_port} within {CHECK_TIMEOUT:.0f}s "
                           "(host, port, user, secret, permit= in manager.conf?)") from None
    try:
        channels = events_named(await listener.send_action({"Action": "CoreShowChannels"}), "CoreShowChannel")
        queues = await listener.send_action({"Action": "QueueStatus"})
    finally:
        await listener.stop()
    print(f"AMI {settings.ami_host}:{settings.ami_port}: logged in as {settings.ami_username}")
    print(f"calls in progress: {len(tracker.open_calls)} ({len(channels)} channels)")
    for member in events_named(queues, "QueueMember"):
        state = "paused" if member.get("Paused") == "1" else "available"
        print(f"queue {member.get('Queue')}: {member.get('StateInterface') or member.get('Location')} "
              f"({member.get('Name')}) {state}")
    return 0
