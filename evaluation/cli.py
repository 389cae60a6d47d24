"""``hotline report``: the monthly (or any period's) report as an Excel, PDF or HTML file."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.settings import Settings


def register(subparsers) -> None:
    report = subparsers.add_parser(
        "report", help="write the evaluation report of a period (xlsx, pdf or html)",
        description="Write the departments' scorecards, ranking, hotline figures and exclusions of a period.")
    report.add_argument("--period", help="2026-10, 2026-Q4, 2026 or 2026-10-01..2026-10-15 "
                                         "(default: the last complete month)")
    report.add_argument("--format", choices=["xlsx", "pdf", "html"],
                        help="file format (default: from the --out suffix)")
    report.add_argument("--out", required=True, help="the file to write")
    report.set_defaults(run=_report)


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from evaluation.periods import PeriodError, last_complete_month, parse_period
    from evaluation.report import build_report
    from evaluation.rules import RulesError, load_rules
    from evaluation.writers import FORMATS, write_report
    from hotline.cli import CommandError
    from hotline.services import build_services

    out = Path(args.out)
    kind = args.format or out.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise CommandError(f"say --format xlsx, pdf or html (cannot tell from {out.name!r})")
    try:
        rules = load_rules()
    except RulesError as exc:
        raise CommandError(str(exc)) from None
    services = build_services(settings, queue="in-process")
    try:
        now = services.clock()
        try:
            period = parse_period(args.period) if args.period else last_complete_month(now, services.ledger.tz)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        report = build_report(services, rules, period, now=now)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_report(report, services, kind, out)
    finally:
        services.close()
    lines = report.ranking.lines()
    print(f"{report.title}: {len(lines)} departments, {report.hotline.registered} tickets registered, "
          f"{len(report.exclusions)} exclusions -> {out}", file=sys.stdout)
    return 0
