"""Core subcommands: serve, worker, db, apikey, user."""
from __future__ import annotations

import argparse

from config.settings import Settings


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="serve the hotline web app")
    serve.add_argument("--host"), serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)

    worker = subparsers.add_parser("worker", help="run an rq worker for background jobs")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.set_defaults(run=_worker)

    db = subparsers.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate to the latest (or given) revision")
    up.add_argument("revision", nargs="?", default="heads")
    up.set_defaults(run=lambda s, a: _migrate(s, "upgrade", a.revision))
    down = db_sub.add_parser("downgrade", help="migrate down to a revision (e.g. -1, base)")
    down.add_argument("revision")
    down.set_defaults(run=lambda s, a: _migrate(s, "downgrade", a.revision))

    demo = subparsers.add_parser("demo", help="load the catalogue, demo accounts and months of demo tickets")
    demo.set_defaults(run=_demo)

    apikey = subparsers.add_parser("apikey", help="API keys for machines")
    key_sub = apikey.add_subparsers(dest="apikey_command", required=True)
    create = key_sub.add_parser("create", help="create a key; it is printed once, alone on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--role", default="agent", choices=["agent", "department", "supervisor", "admin"])
    create.add_argument("--department", help="department code, for a department's key")
    create.set_defaults(run=_apikey_create)

    user = subparsers.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("create", help="create a staff account")
    add.add_argument("--username", required=True), add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["agent", "department", "supervisor", "admin"])
    add.add_argument("--department"), add.add_argument("--password", required=True)
    add.add_argument("--agent-interface", help="the agent's phone for screen pop, e.g. PJSIP/1001")
    add.set_defaults(run=_user_create)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from hotline.web.app import create_app

    app = create_app(settings)
    # A connection surge (nginx opening upstream connections for a thousand clients at once) must not
    # overflow the listen queue: aiohttp's default of 128 drops the rest of a burst's connects, which
    # nginx retries late or counts as this process failing. 2048 is gunicorn's default.
    web.run_app(app, loop=_event_loop(), host=args.host or settings.host, port=args.port or settings.port,
                backlog=2048, print=lambda line: print(line.replace("http://", "hotline serving on http://", 1)))
    return 0


def _event_loop():
    """uvloop's event loop where it is installed (Linux and macOS), else asyncio's.

    Reading requests and writing answers is about a quarter of a web process's
    CPU at intake's peak; uvloop does that part in C (libuv), which took a
    tenth off the CPU per ticket here (docs/benchmarks.md).
    """
    import asyncio

    try:
        import uvloop
    except ImportError:  # Windows: uvloop is not built there
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from rq import SimpleWorker

    from hotline.queues import RQ_QUEUE_NAME, WORKER_SERVICES
    from hotline.scheduler import Scheduler
    from hotline.services import build_services

    from hotline.cli import CommandError
    if not settings.redis_url:
        raise CommandError("HOTLINE_REDIS_URL is not set: without Redis, jobs run inside `hotline serve`")
    services = build_services(settings, queue="rq")
    WORKER_SERVICES.update(services=services, clock=services.clock)
    scheduler = Scheduler(services.db, services.queue, services.clock)
    scheduler.start()
    try:
        # Jobs run in this process, not in a work horse forked per job: a fork would inherit the
        # database pool's open connections (shared with the scheduler thread) and would load the
        # routing model and jieba's dictionary again for every job. A job that kills the process
        # is taken back by the relay after its lease.
        SimpleWorker([RQ_QUEUE_NAME], connection=services.redis).work(burst=args.burst)
    finally:
        scheduler.stop()
        services.close()
    return 0


def _migrate(settings: Settings, direction: str, revision: str) -> int:
    from hotline import migrate

    getattr(migrate, direction)(settings.database_url, revision)
    print(f"database {direction}d to {revision}")
    return 0


def _apikey_create(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.auth import create_api_key
    from hotline.clock import system_clock
    from hotline.db import Database

    db = Database(settings.database_url)
    key = create_api_key(db, name=args.name, role=args.role, department_code=args.department, now=system_clock())
    print(f"API key '{args.name}' created (role {args.role}); it is shown only once:")
    print(key)
    return 0


def _user_create(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.auth import create_user
    from hotline.clock import system_clock
    from hotline.db import Database

    db = Database(settings.database_url)
    create_user(db, username=args.username, display_name=args.name, role=args.role, now=system_clock(),
                password=args.password, department_code=args.department, agent_interface=args.agent_interface)
    print(f"user {args.username} created")
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.demo.accounts import describe_accounts
    from hotline.demo.load import load_demo
    from hotline.services import build_services

    services = build_services(settings, queue="in-process")
    try:
        result = load_demo(services, until=services.clock())
    finally:
        services.close()
    print(f"demo data: {result.created} tickets created, {result.existing} already there")
    print(describe_accounts())
    return 0
