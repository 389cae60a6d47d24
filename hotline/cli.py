"""``hotline``: the command line of the deployment (serve, migrate, demo, keys, worker...).

Each domain adds its own subcommands through ``register(subparsers)``; this
module only reads settings once and hands them on.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from config.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    from channels import cli as intake_cli
    from config import cli as catalogue_cli
    from dispatch import cli as dispatch_cli
    from evaluation import cli as evaluation_cli
    from hotline import commands as core_commands
    from knowledge import cli as knowledge_cli
    from telephony import cli as telephony_cli
    from tracking import cli as tracking_cli

    parser = argparse.ArgumentParser(prog="hotline", description="12345 政务服务便民热线")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in (core_commands, catalogue_cli, tracking_cli, intake_cli, evaluation_cli, telephony_cli, knowledge_cli,
                   dispatch_cli):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.run(settings, args) or 0
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


class CommandError(Exception):
    """A command's failure that is reported as one clear line, without a traceback."""


if __name__ == "__main__":
    sys.exit(main())
