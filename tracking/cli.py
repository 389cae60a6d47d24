"""Tracking subcommands: ``hotline calendar add-working-days DATE N``."""
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
