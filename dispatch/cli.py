"""``hotline model ...`` (train, evaluate, default, retrain, list, promote) and ``hotline dispatch ...``.

Models are written to and read from the model store only
(``HOTLINE_MODEL_DIR``, default ``var/models``); ``--out`` and ``--model``
take names in that store, never paths.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from config.settings import Settings


def register(subparsers) -> None:
    model = subparsers.add_parser("model", help="the dispatch classifier: train, evaluate, retrain, promote")
    sub = model.add_subparsers(dest="model_command", required=True)

    train = sub.add_parser("train", help="train a model on a labelled CSV (columns label,text[,split])")
    train.add_argument("--data", type=Path, required=True,
                       help="CSV file; rows with split=test are held out and measured (without that column, one in five by hash)")
    train.add_argument("--out", required=True, help="name of the new model in the model store")
    train.add_argument("--promote", action="store_true", help="make it the model in use")
    train.add_argument("--replace", action="store_true", help="overwrite a model of the same name")
    train.set_defaults(run=_run("train"))

    evaluate = sub.add_parser("evaluate", help="measure a model on a labelled CSV (its split=test rows if it has "
                                               "a split column, else every row)")
    evaluate.add_argument("--model", help="model name in the store (default: the model in use)")
    evaluate.add_argument("--data", type=Path, required=True)
    evaluate.add_argument("--by", choices=("auto", "label", "department"), default="auto",
                          help="compare labels as written, or the departments they route to (auto: as needed)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.set_defaults(run=_run("evaluate"))

    default = sub.add_parser("default", help="train the default model (samples, catalogue, shared messages) "
                                             "and put it in use")
    default.add_argument("--name", help="model name (default: default-<time>)")
    default.add_argument("--if-missing", action="store_true",
                         help="do nothing when a model is already in use (for set-up scripts run at every start)")
    default.set_defaults(run=_run("default"))

    retrain = sub.add_parser("retrain", help="retrain the model in use with the corrections made since; "
                                             "put the new one in use only if it is not worse")
    retrain.add_argument("--since", help="only corrections of tickets dispatched since this date (YYYY-MM-DD)")
    retrain.add_argument("--name", help="model name (default: retrain-<time>)")
    retrain.add_argument("--json", action="store_true")
    retrain.set_defaults(run=_run("retrain"))

    sub.add_parser("list", help="the models in the store").set_defaults(run=_run("list_models"))
    promote = sub.add_parser("promote", help="put a stored model in use (roll back by promoting the previous one)")
    promote.add_argument("name")
    promote.set_defaults(run=_run("promote"))

    dispatch = subparsers.add_parser("dispatch", help="routing: rules, corrections, a proposal for a text")
    dsub = dispatch.add_subparsers(dest="dispatch_command", required=True)
    rules = dsub.add_parser("rules", help="check the dispatch rules file and list its rules")
    rules.add_argument("--path", type=Path, help="rules file (default: the configured one)")
    rules.set_defaults(run=_run("rules", "cli_tools"))
    corrections = dsub.add_parser("corrections", help="tickets people sent elsewhere than proposed (training pairs)")
    corrections.add_argument("--since", help="YYYY-MM-DD")
    corrections.add_argument("--out", type=Path, help="write them as a label,text CSV")
    corrections.set_defaults(run=_run("corrections", "cli_tools"))
    propose = dsub.add_parser("propose", help="print the proposal for a text as JSON")
    propose.add_argument("text")
    propose.add_argument("--address", default="")
    propose.set_defaults(run=_run("propose", "cli_tools"))


def _run(name: str, module: str = "cli_commands"):
    """The command ``name`` of ``dispatch.<module>``, imported only when run (it loads scikit-learn)."""
    def run(settings: Settings, args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(f"dispatch.{module}"), name)(settings, args)
    return run
