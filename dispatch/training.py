"""Reading labelled messages, training the classifier and measuring it.

The citizen messages data (see its README) is not ours to redistribute, so
nothing here knows where it lives: callers pass paths, normally under
``settings.citizen_messages_dir``.
"""

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from dispatch.classifier import TextClassifier

#: Columns a labelled CSV file must have (others, like ``split``, are ignored).
REQUIRED_COLUMNS = ("label", "text")
#: How many of the classifier's best labels count as a hit for top-3 recall.
TOP_K = 3


class LabelledCsvError(ValueError):
    """Raised for a labelled CSV file that cannot be used, naming the line."""


class LabelledTexts(NamedTuple):
    """Messages and their labels, in the same order."""

    texts: list[str]
    labels: list[str]


def read_labelled_csv(path: Path) -> LabelledTexts:
    """Read a UTF-8 CSV file with columns ``label`` and ``text``.

    Args:
        path: The file, e.g. the data's ``messages.csv``.

    Returns:
        The texts and labels, in file order.

    Raises:
        LabelledCsvError: If a column is missing or a row has an empty label
            or text; the message gives the file and line number.
    """
    labels, texts = _read_rows(Path(path))
    return LabelledTexts(texts, labels)


def split_messages(path: Path) -> dict[str, LabelledTexts]:
    """Read ``messages.csv`` and group its rows by their ``split`` column.

    Args:
        path: The labelled CSV file, which must also have a ``split`` column.

    Returns:
        ``{"train": LabelledTexts, "test": LabelledTexts}`` (and any other
        split named in the file).

    Raises:
        LabelledCsvError: As :func:`read_labelled_csv`, or if ``split`` is
            missing or empty.
    """
    labels, texts, splits = _read_rows(Path(path), extra=("split",))
    grouped: dict[str, LabelledTexts] = {}
    for text, label, split in zip(texts, labels, splits):
        group = grouped.setdefault(split, LabelledTexts([], []))
        group.texts.append(text)
        group.labels.append(label)
    return grouped


def read_unlabelled_csv(path: Path) -> list[str]:
    """Read the ``text`` column of a CSV file such as ``unlabelled.csv``.

    Raises:
        LabelledCsvError: If there is no ``text`` column.
    """
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        if "text" not in (reader.fieldnames or []):
            raise LabelledCsvError(f"{path}: line 1: no 'text' column")
        return [row["text"].strip() for row in reader if (row["text"] or "").strip()]


def train(texts: Sequence[str], labels: Sequence[str], *,
          trained_at: datetime | None, user_words: Sequence[str] = ()) -> TextClassifier:
    """Train a classifier with the settings chosen by cross-validation.

    Args:
        texts: The messages.
        labels: Their categories.
        trained_at: The caller's clock reading, kept as metadata.
        user_words: Place and department names jieba should keep whole.

    Returns:
        The fitted classifier.

    Raises:
        ValueError: On mismatched lengths or fewer than two labels.
    """
    return TextClassifier(user_words=user_words).fit(texts, labels, trained_at=trained_at)


def evaluate(classifier: TextClassifier, texts: Sequence[str], labels: Sequence[str]) -> dict:
    """Measure ``classifier`` on labelled messages it did not learn from.

    Args:
        classifier: A fitted classifier.
        texts: The held-out messages.
        labels: Their true categories.

    Returns:
        A JSON-able dict: ``n``, ``accuracy``, ``macro_f1``, ``top3_recall``
        (true label among the three proposed), ``mean_confidence``,
        ``expected_calibration_error`` (10 bins) and ``per_label``:
        ``{label: {precision, recall, f1, support}}``.

    Raises:
        ValueError: If ``texts`` and ``labels`` differ in length or are empty.
    """
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"need as many labels as texts, and some: {len(texts)}, {len(labels)}")
    predictions = classifier.predict_many(texts)
    predicted = [prediction.label for prediction in predictions]
    names = sorted(set(labels) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=names, zero_division=0)
    in_top = [truth in [label for label, _ in prediction.alternatives[:TOP_K]]
              for truth, prediction in zip(labels, predictions)]
    confidence = np.array([prediction.confidence for prediction in predictions])
    correct = np.array(predicted) == np.array(labels)
    return {
        "n": len(texts),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(float(np.mean(f1[support > 0])), 4),
        "top3_recall": round(float(np.mean(in_top)), 4),
        "mean_confidence": round(float(confidence.mean()), 4),
        "expected_calibration_error": round(_calibration_error(confidence, correct), 4),
        "per_label": {
            name: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                   "f1": round(float(f), 4), "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support)
        },
    }


def _calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over equal-width bins, weighted by size."""
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for bin_number in range(bins):
        members = which == bin_number
        if members.any():
            gap += members.mean() * abs(confidence[members].mean() - correct[members].mean())
    return float(gap)


def _read_rows(path: Path, extra: tuple[str, ...] = ()) -> tuple[list[str], ...]:
    """Read and check every row: one list per column, label, text, then ``extra``."""
    columns = REQUIRED_COLUMNS + extra
    result: tuple[list[str], ...] = tuple([] for _ in columns)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise LabelledCsvError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
        line = reader.line_num
        for row in reader:
            first_line, line = line + 1, reader.line_num  # a quoted text may span lines
            values = [(row.get(column) or "").strip() for column in columns]
            empty = [column for column, value in zip(columns, values) if not value]
            if empty:
                raise LabelledCsvError(f"{path}: line {first_line}: empty {', '.join(empty)}")
            for values_of_column, value in zip(result, values):
                values_of_column.append(value)
    if not result[0]:
        raise LabelledCsvError(f"{path}: no rows")
    return result
