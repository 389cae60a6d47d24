"""``hotline catalogue check|load``: validate the city's catalogue files and load departments."""
from __future__ import annotations

import argparse
from pathlib import Path

from config.settings import Settings


def register(subparsers) -> None:
    catalogue = subparsers.add_parser("catalogue", help="the catalogue of departments, hotlines and services")
    sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    check = sub.add_parser("check", help="validate the catalogue files and list every problem")
    check.add_argument("--path", type=Path, help="folder of the YAML files (default: config/data)")
    check.set_defaults(run=_check)
    load = sub.add_parser("load", help="create or update the departments in the database")
    load.set_defaults(run=_load)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from config.catalogue import CatalogueError, load_catalogue

    try:
        catalogue = load_catalogue(args.path)
    except CatalogueError as exc:
        print(f"catalogue has {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            print(f"  - {problem}")
        return 1
    print(f"catalogue OK: {len(catalogue.departments)} departments, {len(catalogue.hotlines)} former hotlines, "
          f"{len(catalogue.services)} services, {len(catalogue.districts)} districts")
    return 0


def _load(settings: Settings, args: argparse.Namespace) -> int:
    from config.catalogue import load_catalogue
    from hotline.db import Database
    from tracking.catalogue_sync import sync_departments

    result = sync_departments(Database(settings.database_url), load_catalogue())
    print(f"departments: {result.added} added, {result.updated} updated, {result.deactivated} deactivated")
    return 0
