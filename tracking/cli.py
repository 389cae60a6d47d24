"""Tracking subcommands: the calendar, the deadline sweep, departments' duty phones.

``hotline calendar add-working-days DATE N`` checks a deadline by hand;
``hotline sweep`` runs the deadline sweep once (cron, or after an outage);
``hotline department phone CODE [PHONE]`` sets where 催办 texts go.
"""
from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from config.settings import Settings


def register(subparsers) -> None:
    calendar = subparsers.add_parser("calendar", help="the working-day calendar")
    cal_sub = calendar.add_subparsers(dest="calendar_command", required=True)
    add = cal_sub.add_parser("add-working-days", help="print the Nth working day after DATE")
    add.add_argument("date", help="YYYY-MM-DD")
    add.add_argument("n", type=int)
    add.set_defaults(run=_add_working_days)

    sweep = subparsers.add_parser("sweep", help="run the deadline sweep once: remind and escalate overdue tickets")
    sweep.add_argument("--at", help="the moment to sweep at (ISO 8601, default now); for checks, never for the future")
    sweep.set_defaults(run=_sweep)

    department = subparsers.add_parser("department", help="departments of the ledger")
    dep_sub = department.add_subparsers(dest="department_command", required=True)
    phone = dep_sub.add_parser("phone", help="set the duty phone that receives 催办 texts (omit PHONE to clear)")
    phone.add_argument("code"), phone.add_argument("phone", nargs="?")
    phone.set_defaults(run=_department_phone)


def _add_working_days(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.cli import CommandError
    from tracking.calendar import load_calendar
    from tracking.calendar_cli import add_working_days_command, coverage_warning

    calendar = load_calendar(tz=ZoneInfo(settings.timezone))
    try:
        line = add_working_days_command(args.date, args.n, calendar)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    warning = coverage_warning(args.date, args.n, calendar)
    if warning:
        print(warning, file=sys.stderr)
    print(line)
    return 0


def _sweep(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import datetime

    from hotline.cli import CommandError
    from hotline.services import build_services
    from tracking.sweep import sweep_deadlines

    services = build_services(settings, queue="rq" if settings.redis_url else "in-process")
    try:
        now = services.clock()
        if args.at:
            try:
                now = datetime.fromisoformat(args.at)
            except ValueError:
                raise CommandError(f"--at {args.at!r} is not an ISO 8601 date-time") from None
            now = now if now.tzinfo else now.replace(tzinfo=services.ledger.tz)
        result = sweep_deadlines(services.ledger, now)
    finally:
        services.close()
    print(" ".join(f"{key}={value}" for key, value in result.as_dict().items()))
    return 0


def _department_phone(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.cli import CommandError
    from hotline.db import Database
    from tracking.actions import InvalidInput
    from tracking.catalogue_sync import set_contact_phone

    db = Database(settings.database_url)
    try:
        department = set_contact_phone(db, args.code, args.phone)
    except (LookupError, InvalidInput) as exc:
        raise CommandError(getattr(exc, "message", str(exc))) from None
    finally:
        db.dispose()
    print(f"{department.code} ({department.name}): duty phone {department.contact_phone or 'cleared'}")
    return 0
