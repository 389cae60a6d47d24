"""The app factory: ``create_app(settings)`` builds the whole hotline, as tests do too."""
from __future__ import annotations

import functools
import gc
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_sessions

from config.settings import Settings
from hotline.grouping import Grouped
from hotline.services import Services, build_services
from hotline.web import shell
from hotline.web.blocking import run_blocking
from hotline.web.errors import MAX_BODY, error_middleware
from hotline.web.keys import INTAKE, NAV, PUBLIC_URL, SERVICES, SETTINGS, SMS_INTAKE
from hotline.web.openapi import OPENAPI_PATHS, OPENAPI_SCHEMAS
from hotline.web.requests import storable_input_middleware
from hotline.web.routing import Routes
from hotline.web.security import csrf_middleware, session_storage
from hotline.web.templating import install_filters, template_context
from tracking import api as ticket_api, pages as ticket_pages
from tracking.group_commit import GroupCommit

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).resolve().parent


def domain_routes() -> list[Routes]:
    """Every domain's routes; a new domain adds its ``Routes`` here."""
    from tracking.views import routes as tracking_routes
    from telephony.routes import routes as telephony_routes
    from channels.routes import routes as intake_routes
    from dispatch.web import routes as dispatch_routes
    from evaluation.web import routes as evaluation_routes

    from hotline.console.web import routes as console_routes
    from knowledge.web import routes as knowledge_routes
    from hotline.audit.web import routes as audit_routes

    return [shell.routes, ticket_api.routes, ticket_pages.routes, tracking_routes, intake_routes, telephony_routes, knowledge_routes, console_routes,
            evaluation_routes, audit_routes, dispatch_routes]


def create_app(settings: Settings, services: Services | None = None, *,
               start_background: bool = True) -> web.Application:
    """Build the hotline web app.

    Args:
        services: already-built services (tests pass their own); built from
            ``settings`` and closed with the app otherwise.
        start_background: start the in-process job thread and the scheduler.
    """
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[PUBLIC_URL] = settings.public_url
    setup_sessions(app, session_storage(settings))
    app.middlewares.extend([error_middleware, storable_input_middleware, csrf_middleware])
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(_template_dirs()), autoescape=True,
        context_processors=[aiohttp_jinja2.request_processor, template_context])
    install_filters(env, ZoneInfo(settings.timezone))
    app[OPENAPI_PATHS], app[OPENAPI_SCHEMAS] = {}, {}
    nav = []
    for routes in domain_routes():
        app.router.add_routes(routes.table)
        app[OPENAPI_PATHS].update(routes.openapi)
        nav.extend(routes.nav)
    app[NAV] = sorted(nav, key=lambda item: item.order)
    app.router.add_static("/static", WEB_DIR / "static", name="static")
    app.cleanup_ctx.append(_lifecycle(settings, services, start_background))
    for routes in domain_routes():
        for setup in routes.setups:
            setup(app)
    return app


def _template_dirs() -> list[str]:
    root = WEB_DIR.parent.parent
    dirs = [WEB_DIR / "templates"]
    dirs += sorted(p for p in root.glob("*/templates") if p.is_dir() and p.parent.name != "hotline")
    dirs += sorted(p for p in WEB_DIR.parent.glob("*/templates") if p.is_dir() and p.parent != WEB_DIR)
    return [str(d) for d in dirs]


def _lifecycle(settings: Settings, given: Services | None, start_background: bool):
    async def lifecycle(app: web.Application):
        from channels.sms.grouped import handle_inbound_many
        from hotline.scheduler import Scheduler
        services = given or build_services(settings)
        app[SERVICES] = services
        # The API's groups are routed as they are written (dispatch.intake_routing), not by a worker later.
        router = services.intake_routing  # None (some tests): the routing jobs route the API's tickets
        waiting = settings.intake_max_waiting
        app[INTAKE] = GroupCommit(services.ledger, routing=router, max_waiting=waiting)
        app[SMS_INTAKE] = Grouped(functools.partial(handle_inbound_many, services), max_waiting=waiting)
        scheduler = Scheduler(services.db, services.queue, services.clock)
        if start_background:
            # Load the routing model before the first request, not while the first group waits for it.
            if router is not None:
                await run_blocking(router.warm)
            # What start-up built (the catalogue, the model, the routes) lives as long as the process:
            # moved out of the collector's sight, so collections under load scan only the requests' objects
            # (shorter pauses, which is what a p99 latency sees).
            gc.freeze()
            services.queue.start()
            scheduler.start()
        yield
        if start_background:
            scheduler.stop()
        if given is None:
            services.close()
    return lifecycle
