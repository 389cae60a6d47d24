"""The bodies of ``hotline model`` and ``hotline dispatch`` subcommands (see ``dispatch.cli``).

Each prints what a person needs to decide the next step and returns the exit
status; a bad file or name ends in one clear line, without a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from config.catalogue import load_catalogue
from config.settings import Settings
from hotline.clock import system_clock


@contextmanager
def _clear_errors():
    """Turn the data and store errors users can fix into one line (``hotline.cli.CommandError``)."""
    from dispatch.corpus import CorpusError
    from dispatch.retraining import RetrainError
    from dispatch.rules import RulesError
    from dispatch.store import ModelStoreError
    from dispatch.training import LabelledCsvError
    from hotline.cli import CommandError

    try:
        yield
    except (CorpusError, LabelledCsvError, ModelStoreError, RetrainError, RulesError, OSError) as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:  # e.g. a file with a single label
        raise CommandError(f"无法训练：{exc}") from None


def _store(settings: Settings):
    from dispatch.store import ModelStore

    return ModelStore(settings.model_store_dir)


def _places(settings: Settings):
    from dispatch.learning import Places
    from hotline.demo.messages import SAMPLES

    return Places(samples=SAMPLES, board=Path(settings.citizen_messages_dir))


def _stamp(settings: Settings, now: datetime) -> str:
    return now.astimezone(ZoneInfo(settings.timezone)).strftime("%Y%m%d-%H%M%S")


def _print_trained(trained, seconds: float) -> None:
    counts = "，".join(f"{source} {n}" for source, n in sorted(trained.counts.items()))
    print(f"model {trained.info.name} (version {trained.info.version}) trained on {trained.info.training_rows} rows "
          f"({counts}) in {seconds:.1f} s; {len(trained.info.labels)} labels")
    if trained.held_out:
        h = trained.held_out
        print(f"held-out rows: n={h['n']} accuracy={h['accuracy']:.4f} macro_f1={h['macro_f1']:.4f} "
              f"top3_recall={h['top3_recall']:.4f}")


def train(settings: Settings, args: argparse.Namespace) -> int:
    from dispatch import corpus
    from dispatch.learning import DataPlan, train_examples

    catalogue, store = load_catalogue(), _store(settings)
    with _clear_errors():
        examples = corpus.csv_examples(args.data, catalogue, hash_split=True)
        started = time.perf_counter()
        trained = train_examples(store, catalogue, examples, name=args.out, now=system_clock(), replace=args.replace,
                                 plan=DataPlan(sources=(), csv_files=(str(args.data.resolve()),)))
        _print_trained(trained, time.perf_counter() - started)
        if args.promote:
            store.promote(args.out)
            print(f"model {args.out} is now in use")
    return 0


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from dispatch import corpus
    from dispatch.learning import ByDepartment, department_of
    from dispatch.training import evaluate as measure

    catalogue, store = load_catalogue(), _store(settings)
    with _clear_errors():
        name = args.model or (store.current().name if store.current() else None)
        if name is None:
            raise corpus.CorpusError("尚无在用模型，请用 --model 指定")
        classifier = store.load(name)
        examples = corpus.csv_examples(args.data, catalogue)
        rows = [e for e in examples if e.held_out] or examples
        by = args.by
        if by == "auto":
            by = "label" if {e.label for e in rows} <= set(classifier.labels) else "department"
        if by == "department":
            figures = measure(ByDepartment(classifier, catalogue), [e.text for e in rows],
                              [department_of(catalogue, e.label) for e in rows])
        else:
            figures = measure(classifier, [e.text for e in rows], [e.label for e in rows])
    figures = {"model": name, "version": classifier.version, "compared_by": by, **figures}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    print(f"model {name} (version {classifier.version}) on {figures['n']} rows of {args.data}, by {by}:")
    print(f"  accuracy {figures['accuracy']:.4f}  macro_f1 {figures['macro_f1']:.4f}  "
          f"top3_recall {figures['top3_recall']:.4f}")
    print(f"  {'label':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for label, row in figures["per_label"].items():
        print(f"  {label:<24}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}{row['support']:>9}")
    return 0


def default(settings: Settings, args: argparse.Namespace) -> int:
    from dispatch.learning import DataPlan, examples_for, train_examples

    catalogue, store, now = load_catalogue(), _store(settings), system_clock()
    plan = DataPlan()
    with _clear_errors():
        current = store.current() if args.if_missing else None
        if current is not None:
            print(f"model {current.name} is in use; nothing to do")
            return 0
        examples = examples_for(plan, catalogue, _places(settings))
        started = time.perf_counter()
        trained = train_examples(store, catalogue, examples, name=args.name or f"default-{_stamp(settings, now)}",
                                 now=now, plan=plan)
        store.promote(trained.info.name)
    if not trained.counts.get("board"):
        print(f"note: no shared citizen messages at {settings.citizen_messages_dir}; trained on the project's own "
              "samples and the catalogue only", file=sys.stderr)
    _print_trained(trained, time.perf_counter() - started)
    print(f"model {trained.info.name} is now in use")
    return 0


def retrain(settings: Settings, args: argparse.Namespace) -> int:
    from dispatch.retraining import retrain as run_retrain
    from hotline.db import Database

    catalogue, store, now = load_catalogue(), _store(settings), system_clock()
    since = _date(args.since, settings)
    db = Database(settings.database_url)
    try:
        with _clear_errors():
            result = run_retrain(store, catalogue, db, _places(settings), now=now, since=since,
                                 name=args.name or f"retrain-{_stamp(settings, now)}")
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(f"corrections used: {result.corrections}")
        for which, info, figures in (("old", result.old, result.old_figures), ("new", result.new, result.new_figures)):
            print(f"  {which} {info.name:<28} n={figures['n']} accuracy={figures['accuracy']:.4f} "
                  f"macro_f1={figures['macro_f1']:.4f} top3_recall={figures['top3_recall']:.4f}")
        print(result.reason)
    return 0


def list_models(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    with _clear_errors():
        current = store.current()
        models = store.list()
    if not models:
        print(f"no models in {store.directory}; run: hotline model default")
    for info in models:
        held = (info.metrics or {}).get("held_out") or {}
        figures = f"macro_f1={held['macro_f1']:.4f} n={held['n']}" if held else "no held-out figures"
        mark = "*" if current and current.name == info.name else " "
        print(f"{mark} {info.name:<30} version {info.version}  trained {info.trained_at or '?'}  "
              f"{info.training_rows} rows  {len(info.labels)} labels  {figures}")
    return 0


def promote(settings: Settings, args: argparse.Namespace) -> int:
    with _clear_errors():
        info = _store(settings).promote(args.name)
    print(f"model {info.name} (version {info.version}) is now in use")
    return 0


def _date(value: str | None, settings: Settings) -> datetime | None:
    from hotline.cli import CommandError

    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since 须为日期，如 2026-11-01（得到 {value!r}）") from None
    return day if day.tzinfo else day.replace(tzinfo=ZoneInfo(settings.timezone))

