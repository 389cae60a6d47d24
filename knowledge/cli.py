"""``hotline knowledge``: check and import a knowledge base file, re-store index terms after a vocabulary change."""
from __future__ import annotations

import argparse

from config.settings import Settings


def register(subparsers) -> None:
    knowledge = subparsers.add_parser("knowledge", help="the knowledge base (知识库)")
    sub = knowledge.add_subparsers(dest="knowledge_command", required=True)
    check = sub.add_parser("check", help="validate a YAML file of articles without writing anything")
    check.add_argument("file")
    check.set_defaults(run=_check)
    load = sub.add_parser("import", help="import a YAML file of articles (keys already present are skipped)")
    load.add_argument("file")
    load.set_defaults(run=_import)
    reindex = sub.add_parser("reindex", help="re-analyse published articles after editing the synonyms file")
    reindex.set_defaults(run=_reindex)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from config.catalogue import load_catalogue
    from knowledge.importer import ArticleFileError, read_articles

    try:
        articles = read_articles(args.file, {s.code for s in load_catalogue().services})
    except ArticleFileError as exc:
        for problem in exc.problems:
            print(problem)
        return 1
    print(f"{args.file}: {len(articles)} articles, {sum(1 for a in articles if a.fields.guide)} with a service guide")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.cli import CommandError
    from hotline.services import build_services
    from knowledge.importer import ArticleFileError, import_articles, read_articles
    from tracking.actions import LedgerError

    services = build_services(settings, queue="in-process")
    try:
        articles = read_articles(args.file, services.knowledge.known_services)
        result = import_articles(services.knowledge, articles, now=services.clock())
    except ArticleFileError as exc:
        raise CommandError("\n".join(exc.problems)) from None
    except LedgerError as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()
    print(f"knowledge base: {result.created} articles imported, {result.existing} already there")
    return 0


def _reindex(settings: Settings, args: argparse.Namespace) -> int:
    from hotline.services import build_services
    from knowledge.reindex import reindex

    services = build_services(settings, queue="in-process")
    try:
        count = reindex(services.knowledge)
    finally:
        services.close()
    print(f"knowledge base: {count} published versions re-analysed")
    return 0
