"""Training routing models from a city's data and keeping the record of how each was made.

Every model saved here carries, in its manifest's ``metrics``, the figures it
scored on its held-out rows (``held_out``) and what it learnt from
(``training``: the sources and row counts), so ``hotline model retrain`` can
rebuild the same data, add the corrections people made since, and compare
old and new models on the same rows.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from config.catalogue import Catalogue
from dispatch import corpus
from dispatch.corpus import Example
from dispatch.router import HOTLINE_ITSELF
from dispatch.store import ModelInfo, ModelStore
from dispatch.training import evaluate, train

DEFAULT_SOURCES = ("samples", "catalogue", "board")


@dataclass(frozen=True)
class DataPlan:
    """Where a model's labelled rows come from, as kept in its manifest (JSON-able)."""

    sources: tuple[str, ...] = DEFAULT_SOURCES   # of DEFAULT_SOURCES
    csv_files: tuple[str, ...] = ()              # a city's own labelled CSV files

    def as_json(self) -> dict[str, Any]:
        return {"sources": list(self.sources), "csv_files": list(self.csv_files)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "DataPlan":
        data = data or {}
        return cls(tuple(data.get("sources", DEFAULT_SOURCES)), tuple(data.get("csv_files", ())))


@dataclass(frozen=True)
class Places:
    """Where the default data lives on this deployment."""

    samples: Path        # hotline/demo/messages.yaml
    board: Path          # settings.citizen_messages_dir (may be absent)


@dataclass
class TrainedModel:
    info: ModelInfo
    held_out: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)


def examples_for(plan: DataPlan, catalogue: Catalogue, places: Places) -> list[Example]:
    """The labelled rows a plan names (files that are absent here contribute nothing)."""
    examples: list[Example] = []
    if "samples" in plan.sources:
        examples += corpus.sample_examples(places.samples, catalogue, exclude=[HOTLINE_ITSELF])
    if "catalogue" in plan.sources:
        examples += corpus.catalogue_examples(catalogue, exclude=[HOTLINE_ITSELF])
    if "board" in plan.sources:
        examples += corpus.board_examples(places.board, catalogue)
    for path in plan.csv_files:  # held out by their split column, or else by hash, as when first trained
        examples += corpus.csv_examples(Path(path), catalogue, hash_split=True)
    return examples


def user_words(catalogue: Catalogue) -> list[str]:
    """Names jieba should keep whole: places, departments and the catalogue's own keywords."""
    words = {d.name for d in catalogue.departments}
    for district in catalogue.districts:
        words |= {district.name, *district.places, *(a for a in district.aliases if not a[-1].isdigit())}
    for service in catalogue.services:
        words |= set(service.keywords)
    return sorted(word for word in words if len(word) >= 2)


def train_examples(store: ModelStore, catalogue: Catalogue, examples: Sequence[Example], *, name: str,
                   now: datetime, plan: DataPlan, replace: bool = False) -> TrainedModel:
    """Train on the examples not held out, measure on those held out, and save as ``name``.

    Raises:
        ValueError: fewer than two labels to learn, or no rows.
        ModelStoreError: the name is taken (and not ``replace``) or invalid.
    """
    training, held_out = corpus.split(examples)
    if not training:
        raise ValueError("没有可训练的数据")
    classifier = train([e.text for e in training], [e.label for e in training], trained_at=now,
                       user_words=user_words(catalogue))
    figures = evaluate(classifier, [e.text for e in held_out], [e.label for e in held_out]) if held_out else {}
    counts = dict(Counter(e.source for e in training))
    info = store.save(classifier, name, replace=replace, metrics={
        "held_out": figures, "training": {**plan.as_json(), "rows": len(training), "held_out_rows": len(held_out),
                                          "by_source": counts}})
    return TrainedModel(info, figures, counts)


def plan_of(info: ModelInfo) -> DataPlan:
    """The data plan a saved model was trained with (the default plan for models made elsewhere)."""
    return DataPlan.from_json((info.metrics or {}).get("training"))


class ByDepartment:
    """A classifier seen through the catalogue: its labels become departments, confidences added up.

    Lets a model trained on categories or services be measured against
    department labels (and the default, department-level model against the
    shared messages' categories), which is what matters for routing.
    """

    def __init__(self, classifier, catalogue: Catalogue):
        self.classifier = classifier
        self.catalogue = catalogue

    def predict_many(self, texts: Sequence[str]) -> list:
        from dispatch.classifier import Prediction

        results = []
        for prediction in self.classifier.predict_many(texts):
            totals: dict[str, float] = {}
            for label, confidence in prediction.alternatives:
                department = department_of(self.catalogue, label)
                totals[department] = totals.get(department, 0.0) + confidence
            ranked = tuple(sorted(totals.items(), key=lambda item: -item[1]))
            results.append(Prediction(ranked[0][0], ranked[0][1], ranked, prediction.top_terms))
        return results


def department_of(catalogue: Catalogue, label: str) -> str:
    """The department a label routes to (the label itself when the catalogue does not know it)."""
    try:
        return catalogue.label_target(label).department
    except KeyError:
        return label
