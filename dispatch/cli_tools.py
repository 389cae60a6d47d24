"""The bodies of ``hotline dispatch rules|corrections|propose``: looking at routing without the web pages."""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from config.catalogue import load_catalogue
from config.settings import Settings


def rules(settings: Settings, args: argparse.Namespace) -> int:
    """Check the rules file against the catalogue and list its rules in the order they are tried."""
    from dispatch.rules import RulesError, load_rules

    path = args.path or (Path(settings.dispatch_rules_file) if settings.dispatch_rules_file else None)
    try:
        book = load_rules(load_catalogue(), path)
    except RulesError as exc:
        print(f"dispatch rules have {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            print(f"  - {problem}")
        return 1
    print(f"dispatch rules OK: {len(book.rules)} rule(s), tried in this order:")
    for number, rule in enumerate(book.rules, start=1):
        when = "、".join([*rule.keywords, *(f"服务 {code}" for code in rule.services)])
        extra = "".join([f"，服务 {rule.service}" if rule.service else "",
                         f"，紧急程度 {rule.priority}" if rule.priority else ""])
        print(f"  {number}. {rule.name}: → {rule.department}{extra}; 当文本含 {when}")
    return 0


def corrections(settings: Settings, args: argparse.Namespace) -> int:
    """List (or write as a ``label,text`` CSV) the corrections retraining would learn from."""
    from dispatch.cli_commands import _date
    from dispatch.corrections import find_corrections
    from hotline.db import Database

    db = Database(settings.database_url)
    try:
        found = find_corrections(db, load_catalogue(), since=_date(args.since, settings))
    finally:
        db.dispose()
    if args.out:
        with args.out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["label", "text"])
            writer.writerows([c.corrected, c.text] for c in found)
        print(f"{len(found)} correction(s) written to {args.out}")
        return 0
    how = {"changed": "人工改选", "reassigned": "退单改派"}
    for c in found:
        print(f"{c.number}  {c.proposed or '（无建议）'} → {c.corrected}  {how[c.how]}  {c.text.splitlines()[0][:30]}")
    print(f"{len(found)} correction(s)")
    return 0


def propose(settings: Settings, args: argparse.Namespace) -> int:
    """Print the proposal for a text, as the web console would get it."""
    from types import SimpleNamespace

    from dispatch.service import propose as make_proposal

    services = SimpleNamespace(settings=settings, catalogue=load_catalogue(), dispatch=None)
    print(json.dumps(make_proposal(services, args.text, args.address).as_json(), ensure_ascii=False, indent=2))
    return 0
