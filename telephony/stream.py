"""``GET /console/events``: the agent console's server-sent-event stream (screen pop).

One stream per open console page; events reach it through the hub of this
process, fed by Redis from whichever process followed the call. A comment line
every :data:`HEARTBEAT` seconds keeps proxies from closing an idle stream and
tells us when the browser has gone.
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from hotline.web.security import current_actor, requires
from telephony.routes import routes
from telephony.runtime import TELEPHONY
from tracking.states import Role

HEARTBEAT = 15.0
RECONNECT_MS = 3000  # what the browser waits before reconnecting a dropped stream


@routes.table.get("/console/events")
@requires(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
async def console_events(request: web.Request) -> web.StreamResponse:
    actor = await current_actor(request)
    hub = request.app[TELEPHONY].hub
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no"})  # nginx: pass events through at once
    await response.prepare(request)
    try:
        await response.write(f"retry: {RECONNECT_MS}\n: connected\n\n".encode())
        async with hub.subscribe(actor.user_id, request.headers.get("Last-Event-ID")) as events:
            while True:
                try:
                    event = await asyncio.wait_for(events.get(), HEARTBEAT)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if event is None:  # shutting down
                    break
                await response.write(event.encode())
    except ConnectionResetError:
        pass  # the page was closed
    return response
