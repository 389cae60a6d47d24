"""The labelled examples a routing model learns from, and the rows it is judged on.

A model is only as good as the examples behind it, and two models can only be
compared on rows neither learnt from. So every example carries where it came
from and whether it belongs to the fixed evaluation split (``held_out``), and
the split never depends on the order rows were read in or on which model is
trained: the shared citizen messages keep the split their publisher fixed
(``split`` column), and every other row is held out when a hash of its text
says so (one in ``HELD_OUT_ONE_IN``). A text therefore lands on the same side
in every run, on every machine.

Labels of the default model are department codes: that is the decision a
dispatcher makes, and what corrections from the ledger say. Other labels a
city's CSV may use (first-level categories, service codes) are mapped to
departments by ``config/data/label_map.yaml`` through the catalogue.
"""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from config.catalogue import Catalogue

HELD_OUT_ONE_IN = 5  # every fifth text (by hash) is kept for evaluation: an 80/20 split
BOARD_MESSAGES = "messages.csv"  # labelled file of the shared citizen messages folder
BOARD_UNLABELLED = "unlabelled.csv"


class CorpusError(ValueError):
    """A data file cannot be used: missing columns, unknown labels. The message says which line."""


@dataclass(frozen=True)
class Example:
    """One labelled text.

    Attributes:
        label: what the model should answer (a department code in the default model).
        source: where it came from: ``samples``, ``catalogue``, ``board``, ``csv``, ``corrections``.
        held_out: part of the evaluation split, never trained on when models are compared.
    """

    text: str
    label: str
    source: str
    held_out: bool = False


def held_out_by_hash(text: str) -> bool:
    """Whether a text without a published split belongs to the evaluation rows (stable across runs)."""
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % HELD_OUT_ONE_IN == 0


def sample_examples(path: Path, catalogue: Catalogue, exclude: Iterable[str] = ()) -> list[Example]:
    """The project's own sample messages (``hotline/demo/messages.yaml``), labelled by their service's department.

    A sample of a 属地 service is labelled with the service's lead department:
    the district comes from where it happened, not from the words.

    Args:
        exclude: department codes that take no tickets by topic (the hotline itself).
    """
    if not path.is_file():
        return []
    items = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("messages") or []
    examples = []
    for item in items:
        text = f"{item.get('title', '')}{item.get('content', '')}".strip()
        department = catalogue.service(item["service"]).department
        if text and department not in exclude:
            examples.append(Example(text, department, "samples", held_out_by_hash(text)))
    return examples


def catalogue_examples(catalogue: Catalogue, exclude: Iterable[str] = ()) -> list[Example]:
    """What the catalogue says each service is about, as short texts labelled with its department.

    One text per service (its name, description, keywords and the former
    hotlines that fed it) and one per keyword, because agents often type only
    a few words ("燃气泄漏", "小区停水") before looking at the proposal. They
    are definitions, never held out.

    Args:
        exclude: department codes that take no tickets by topic (the hotline itself).
    """
    excluded = set(exclude)
    feeders: dict[str, list[str]] = {}
    for hotline in catalogue.hotlines:
        for code in hotline.services:
            feeders.setdefault(code, []).append(f"{hotline.name}{hotline.handled}{'，'.join(hotline.keywords)}")
    examples = []
    for service in catalogue.services:
        if service.department in excluded:
            continue
        summary = f"{service.name}。{service.description}{'，'.join(service.keywords)}。{'。'.join(feeders.get(service.code, []))}"
        examples.append(Example(summary, service.department, "catalogue"))
        examples.extend(Example(f"{keyword} {service.name}", service.department, "catalogue")
                        for keyword in service.keywords)
    return examples


def board_examples(folder: Path, catalogue: Catalogue) -> list[Example]:
    """The shared citizen messages (read in place, never copied), labelled with departments by label_map.yaml."""
    path = folder / BOARD_MESSAGES
    if not path.is_file():
        return []
    return [Example(text, catalogue.label_target(label).department, "board", split == "test")
            for text, label, split in _labelled_rows(path, catalogue)]


def board_unlabelled(folder: Path) -> list[str]:
    """The shared folder's unlabelled messages: in-domain text for the vocabulary, when present."""
    path = folder / BOARD_UNLABELLED
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["text"].strip() for row in csv.DictReader(handle) if (row.get("text") or "").strip()]


def csv_examples(path: Path, catalogue: Catalogue, *, hash_split: bool = False) -> list[Example]:
    """A city's own labelled history: a CSV with columns ``label,text`` (and optionally ``split``).

    Labels are kept as written (a department code, a service code or a
    category of label_map.yaml). A ``split`` of ``test`` puts a row in the
    evaluation rows; without the column, no row is held out, unless
    ``hash_split`` asks the text's hash to decide (as training does, so that
    retraining later compares old and new models on rows neither learnt from).

    Raises:
        CorpusError: the file lacks a column, or a label resolves to no department.
    """
    return [Example(text, label, "csv", split == "test" if split is not None
                    else hash_split and held_out_by_hash(text))
            for text, label, split in _labelled_rows(path, catalogue)]


def _labelled_rows(path: Path, catalogue: Catalogue) -> list[tuple[str, str, str | None]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CorpusError(f"{path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        if not {"label", "text"} <= columns:
            raise CorpusError(f"{path}: 需要列 label,text（现有列：{','.join(sorted(columns)) or '无'}）")
        rows, unknown = [], {}
        for line, row in enumerate(reader, start=2):
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
            if not text or not label:
                continue
            try:
                catalogue.label_target(label)
            except KeyError:
                unknown.setdefault(label, line)
                continue
            rows.append((text, label, (row.get("split") or "").strip() if "split" in columns else None))
    if unknown:
        listed = "，".join(f"{label}（第{line}行）" for label, line in list(unknown.items())[:10])
        raise CorpusError(f"{path}: 标签不是部门编码、服务编码，也不在 label_map.yaml 中：{listed}")
    return rows


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """(rows to train on, held-out rows to evaluate on)."""
    training, held_out = [], []
    for example in examples:
        (held_out if example.held_out else training).append(example)
    return training, held_out
