"""``hotline model retrain``: learn from corrections, and promote only a model that is not worse.

The new model learns from the data the current one was trained on (its
manifest says which) plus the corrections found in the ledger. Both models
are then measured on the same held-out rows: the held-out part of that data
and of the corrections, rows neither model learnt from. The new model
becomes current only when its macro-F1 and its accuracy are both at least
the old model's; otherwise it is kept in the store, unpromoted, for a person
to inspect.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.catalogue import Catalogue
from dispatch.corpus import Example, held_out_by_hash, split
from dispatch.corrections import Correction, find_corrections
from dispatch.learning import Places, examples_for, plan_of, train_examples
from dispatch.services_guess import ServiceMatcher
from dispatch.store import ModelInfo, ModelStore
from dispatch.training import evaluate
from hotline.db import Database

COMPARED = ("macro_f1", "accuracy")  # the new model must match or beat the old one on each


class RetrainError(RuntimeError):
    """Retraining cannot start (no current model, its data is gone); the message says why."""


@dataclass(frozen=True)
class RetrainResult:
    old: ModelInfo
    new: ModelInfo
    old_figures: dict[str, Any]
    new_figures: dict[str, Any]
    corrections: int
    promoted: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        brief = lambda f: {k: f.get(k) for k in ("n", "accuracy", "macro_f1", "top3_recall")}  # noqa: E731
        return {"old": {"name": self.old.name, "version": self.old.version, **brief(self.old_figures)},
                "new": {"name": self.new.name, "version": self.new.version, **brief(self.new_figures)},
                "corrections": self.corrections, "promoted": self.promoted, "reason": self.reason}


def retrain(store: ModelStore, catalogue: Catalogue, db: Database, places: Places, *, now: datetime,
            name: str, since: datetime | None = None) -> RetrainResult:
    """Train ``name`` on the current model's data plus corrections; promote it when not worse.

    Raises:
        RetrainError: no current model, or no held-out rows to compare on.
        CorpusError: a CSV file the current model was trained on cannot be read.
    """
    current = store.current()
    if current is None:
        raise RetrainError("尚无在用模型：请先运行 hotline model default 或 hotline model promote")
    plan = plan_of(current)
    corrections = find_corrections(db, catalogue, since=since)
    examples = examples_for(plan, catalogue, places) + correction_examples(corrections, current.labels, catalogue)
    held_out = split(examples)[1]
    if not held_out:
        raise RetrainError("没有留出的评估数据，无法比较新旧模型")
    trained = train_examples(store, catalogue, examples, name=name, now=now, plan=plan)
    texts, labels = [e.text for e in held_out], [e.label for e in held_out]
    old_figures = evaluate(store.load(current.name), texts, labels)
    new_figures = trained.held_out
    worse = [k for k in COMPARED if new_figures[k] < old_figures[k]]
    if worse:
        reason = ("新模型" + "、".join(f"{k} {new_figures[k]:.4f} < {old_figures[k]:.4f}" for k in worse)
                  + f"，未启用；已保存为 {name}，审阅后可用 hotline model promote {name} 启用")
        return RetrainResult(current, trained.info, old_figures, new_figures, len(corrections), False, reason)
    store.promote(name)
    reason = "新模型不差于旧模型（" + "，".join(f"{k} {old_figures[k]:.4f} → {new_figures[k]:.4f}" for k in COMPARED) + "），已启用"
    return RetrainResult(current, trained.info, old_figures, new_figures, len(corrections), True, reason)


def correction_examples(corrections: list[Correction], model_labels: tuple[str, ...],
                        catalogue: Catalogue) -> list[Example]:
    """Corrections as training rows, labelled in the model's own label space.

    A model trained on department codes gets the department; one trained on
    categories or services gets its label that maps to that department (the
    one whose catalogue words the text names most, among several), or the
    department code as a new label when none does.
    """
    matcher = ServiceMatcher(catalogue)
    by_department: dict[str, list[str]] = {}
    for label in model_labels:
        try:
            by_department.setdefault(catalogue.label_target(label).department, []).append(label)
        except KeyError:
            continue
    examples = []
    for correction in corrections:
        labels = by_department.get(correction.corrected, [])
        label = correction.corrected if correction.corrected in labels or not labels else labels[0]
        if len(labels) > 1 and correction.corrected not in labels:
            named = {g.service.code for g in matcher.guesses(correction.text, correction.corrected)}
            label = next((candidate for candidate in labels if candidate in named), labels[0])
        examples.append(Example(correction.text, label, "corrections", held_out_by_hash(correction.text)))
    return examples
