"""Intake subcommands: ``hotline letters import CSV --scans DIR``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.settings import Settings


def register(subparsers) -> None:
    letters = subparsers.add_parser("letters", help="letters (来信)")
    letters_sub = letters.add_subparsers(dest="letters_command", required=True)
    imp = letters_sub.add_parser("import", help="import a CSV of letters and a folder of their scans")
    imp.add_argument("csv", type=Path, help="the letters CSV (UTF-8 or GBK), header row first")
    imp.add_argument("--scans", type=Path, help="folder holding the scans named in the CSV's scan column")
    imp.set_defaults(run=_import)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from channels.letters.batch import import_letters
    from hotline.cli import CommandError
    from hotline.services import build_services

    if not args.csv.is_file():
        raise CommandError(f"{args.csv}: no such file")
    if args.scans is not None and not args.scans.is_dir():
        raise CommandError(f"{args.scans}: not a folder")
    services = build_services(settings, queue="in-process")
    try:
        report = import_letters(services, args.csv.read_bytes(), folder_loader(args.scans), now=services.clock())
        services.queue.drain()  # acknowledgements and routing, when no worker runs
    finally:
        services.close()
    if report.error:
        raise CommandError(report.error)
    for row in report.rows:
        if row.error:
            print(f"line {row.line}: {row.error}", file=sys.stderr)
        else:
            print(f"line {row.line}: {row.number}{'' if row.created else ' (already registered)'}")
    print(f"{report.imported} imported, {report.existing} already registered, {len(report.failed)} failed")
    return 1 if report.failed else 0


def folder_loader(folder: Path | None):
    """File name -> bytes from one folder; names that leave it (``../x``) or are missing give None."""
    root = folder.resolve() if folder else None

    def load(name: str) -> bytes | None:
        if root is None:
            return None
        path = (root / name).resolve()
        if path.parent != root or not path.is_file():
            return None
        return path.read_bytes()
    return load
