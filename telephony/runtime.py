"""The telephony parts that live as long as a process: hub, AMI listener, call control.

``hotline serve`` builds them in the app's lifecycle (:func:`setup_app`), and
``hotline telephony`` runs the same listener on its own (:func:`run_listener`).
Without ``HOTLINE_AMI_HOST`` there is no listener and call control is the
console implementation, which records requests and dials nothing.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiohttp import web

from config.settings import Settings
from hotline.web.keys import SERVICES, SETTINGS
from telephony.ami_client import AmiListener
from telephony.control import CallbackDialplan, CallControl, ConsoleCallControl
from telephony.follower import CallFollower
from telephony.hub import LocalHub

log = logging.getLogger(__name__)

RECONNECT_INITIAL = 1.0
"""Seconds before the first reconnect to Asterisk; doubled after each failure, up to a minute."""


@dataclass
class Telephony:
    """What handlers reach through ``request.app[TELEPHONY]``; filled when the app starts."""

    hub: LocalHub = field(default_factory=LocalHub)
    control: CallControl = field(default_factory=ConsoleCallControl)
    listener: AmiListener | None = None
    follower: CallFollower | None = None

    @property
    def status(self) -> str:
        """``console`` without a PBX, else the AMI link's status (connected, connecting...)."""
        return self.listener.status if self.listener is not None else "console"


TELEPHONY = web.AppKey("telephony", Telephony)


def dialplan_from(settings: Settings) -> CallbackDialplan:
    return CallbackDialplan(channel_template=settings.ami_callback_channel, context=settings.ami_callback_context,
                            exten=settings.ami_callback_exten, caller_id=settings.ami_callback_caller_id)


def build_hub(settings: Settings) -> LocalHub:
    """Through Redis when it is configured (several processes), else in this process only."""
    if settings.redis_url:
        from telephony.redis_hub import RedisHub
        return RedisHub(settings.redis_url)
    return LocalHub()


def build_listener(settings: Settings, follower: CallFollower, **options) -> AmiListener:
    return AmiListener(settings.ami_host, settings.ami_port, settings.ami_username, settings.ami_secret,
                       follower, on_status=follower.on_status, dialplan=dialplan_from(settings),
                       now=follower.services.clock, backoff_initial=RECONNECT_INITIAL, **options)


def setup_app(app: web.Application) -> None:
    """Install telephony into an app being built (called by ``create_app``)."""
    app[TELEPHONY] = Telephony()
    app.cleanup_ctx.append(_lifecycle)
    app.on_shutdown.append(_end_streams)


async def _lifecycle(app: web.Application):
    settings, services, telephony = app[SETTINGS], app[SERVICES], app[TELEPHONY]
    telephony.hub = build_hub(settings)
    await telephony.hub.start()
    telephony.control = ConsoleCallControl(dialplan_from(settings))
    if settings.ami_host:
        telephony.follower = CallFollower(services, telephony.hub)
        await telephony.follower.start()
        telephony.listener = build_listener(settings, telephony.follower)
        telephony.control = telephony.listener
        await telephony.listener.start()
        log.info("telephony: following Asterisk at %s:%s", settings.ami_host, settings.ami_port)
    yield
    if telephony.listener is not None:
        await telephony.listener.stop()
    if telephony.follower is not None:
        await telephony.follower.stop()
    await telephony.hub.stop()


async def _end_streams(app: web.Application) -> None:
    app[TELEPHONY].hub.close_streams()  # open event streams would hold up a graceful shutdown


async def run_listener(services, settings: Settings, stop: asyncio.Event) -> None:
    """Follow Asterisk until ``stop`` is set (``hotline telephony``)."""
    hub = build_hub(settings)
    await hub.start()
    follower = CallFollower(services, hub)
    await follower.start()
    listener = build_listener(settings, follower)
    await listener.start()
    try:
        await stop.wait()
    finally:
        await listener.stop()
        await follower.stop()
        await hub.stop()
