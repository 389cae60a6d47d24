"""The text classifier that proposes which department should handle a ticket.

A message is normalised (:mod:`dispatch.text`), turned into two bags of
TF-IDF features, characters and character pairs (robust to typos and to
words jieba does not know) and every jieba dictionary word it contains, and
scored by a linear support vector machine, one score per label.

Raw SVM scores are not probabilities, but agents are shown a confidence and
the triage rules compare it with a threshold, so the scores are turned into
probabilities by temperature scaling (Guo et al., "On Calibration of Modern
Neural Networks", 2017): one number fitted on out-of-fold scores of the
training set. It never changes which label ranks first. Because the model is
linear, the terms that weighed most for the chosen label in one text are its
features' TF-IDF values times that label's coefficients (``top_terms``).

The features, the regularisation and the class weights were chosen by
repeated 5-fold cross-validation inside the training split of the citizen
messages data; docs/benchmarks.md has the figures and what did not help.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import add
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from dispatch.text import Segmenter, normalise

#: SVM regularisation (C): 0.5 scored best in cross-validation (0.25 to 2
#: were within 0.005 macro-F1 of it).
DEFAULT_REGULARISATION = 0.5
#: A term must occur in this many training messages to become a feature.
MIN_DOCUMENT_FREQUENCY = 2
#: How many labels a prediction offers the agent, the chosen one included.
ALTERNATIVES_SHOWN = 3
#: How many of the text's terms are shown as the reason for the label.
TOP_TERMS_SHOWN = 5
#: Texts scored at once by predict_many, bounding its memory on big inputs.
PREDICTION_CHUNK = 512
#: Multiplier of the polynomial hash of text fragments (the 64-bit FNV prime).
HASH_MULTIPLIER = np.uint64(0x100000001B3)
#: Folds of the cross-validation whose out-of-fold scores fit the temperature.
CALIBRATION_FOLDS = 5
#: Bumped whenever the feature extraction changes, so versions differ.
FEATURE_SCHEME = "nfkc-char12+jieba-dictionary-words/tfidf-sublinear/v1"


class NotTrainedError(RuntimeError):
    """Raised when a classifier is asked to predict before it was fitted."""


@dataclass(frozen=True)
class Prediction:
    """The classifier's proposal for one ticket.

    Attributes:
        label: The proposed category (一级分类), which names a department.
        confidence: Calibrated probability in [0, 1] that ``label`` is right.
        alternatives: The best labels with their confidences, best first,
            ``label`` included, so the agent can pick the runner-up.
        top_terms: Words of the text that weighed most for ``label``.
    """

    label: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    top_terms: tuple[str, ...]


class TermFeatures:
    """TF-IDF over characters, character pairs and jieba dictionary words.

    The two blocks, characters and pairs (robust to typos and unknown words)
    and dictionary words, are weighted as scikit-learn's TfidfVectorizer in a
    FeatureUnion would weight them (sublinear term frequency, smooth idf,
    each block scaled to unit length), but many times faster.

    Segmenting and counting text in Python costs about a millisecond per
    message; instead, once the vocabulary is learnt, a whole batch of texts
    becomes one array of code points, and fragments of each length are
    hashed and looked up in sorted tables with numpy, growing by a character
    only where the fragment begins a longer term. Only vocabulary words can
    become features, so finding them this way gives exactly the features
    walking jieba's whole dictionary would. Two fragments of equal length
    share a 64-bit hash with odds of about 1 in 10^9 per batch; ``fit``
    checks that the vocabulary itself has no such clash.

    Args:
        segmenter: Finds dictionary words while the vocabulary is learnt.
        min_document_frequency: Terms in fewer training texts are dropped.
    """

    def __init__(self, segmenter: Segmenter,
                 min_document_frequency: int = MIN_DOCUMENT_FREQUENCY) -> None:
        self.segmenter = segmenter
        self.min_document_frequency = min_document_frequency
        self.terms: list[str] = []  # the term behind each feature
        self.character_features = 0  # features [0, this) are characters and pairs
        self._tables: list[_FragmentTable] = []  # by fragment length, from 1
        self._character_slots = np.zeros(1, dtype=np.int32)  # code point -> slot in _tables[0]
        self._idf = np.zeros(0, dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> "TermFeatures":
        """Learn the vocabulary and idf weights from normalised ``texts``."""
        character_counts: Counter[str] = Counter()
        word_counts: Counter[str] = Counter()
        for text in texts:
            character_counts.update({*text, *map(add, text, text[1:])})
            word_counts.update(set(self.segmenter.dictionary_words(text)))
        characters, words = (
            sorted(term for term, count in counts.items() if count >= self.min_document_frequency)
            for counts in (character_counts, word_counts)
        )
        if not characters:
            raise ValueError("the training texts are empty once normalised")
        self.terms = characters + words
        self.character_features = len(characters)
        self._tables = _FragmentTable.build(characters, words)
        self._character_slots = _dense_slots(self._tables[0].hashes)
        counts = np.array([character_counts[term] for term in characters]
                          + [word_counts[term] for term in words], dtype=np.float64)
        self._idf = (np.log((1 + len(texts)) / (1 + counts)) + 1).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return one row of TF-IDF features per normalised text."""
        entries = self.entries(texts)
        return sparse.csr_matrix((entries.values, entries.columns, entries.row_starts),
                                 shape=(len(texts), len(self.terms)))

    def entries(self, texts: Sequence[str]) -> "FeatureEntries":
        """The non-zero TF-IDF values of normalised ``texts``, by row then feature."""
        rows, columns = self._occurrences(texts)
        width = len(self.terms)
        # Counting (row, feature) pairs by sorting their combined key gives
        # the rows in order and each row's features sorted: a canonical CSR.
        keys, counts = np.unique(rows * width + columns, return_counts=True)
        rows = keys // width
        columns = (keys - rows * width).astype(np.int32)
        row_starts = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=row_starts[1:])
        weights = (np.log(counts) + 1) * self._idf[columns]
        # Scale each block of each row to unit length.
        block = rows * 2 + (columns >= self.character_features)
        norms = np.sqrt(np.bincount(block, weights=weights * weights, minlength=2 * len(texts)))
        values = (weights / norms[block]).astype(np.float32)
        return FeatureEntries(rows, columns, values, row_starts)

    def _occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(text number, feature) for every occurrence of every feature."""
        joined = "\x00".join(texts) + "\x00"  # normalise() removed any NUL
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        text_of = np.cumsum(codes == 0)
        starts = np.arange(len(codes))
        hashes = codes  # hash of the fragment of `length` from each start
        rows, columns = [], []
        for length, table in enumerate(self._tables, start=1):
            if length > 1:
                ends = starts + (length - 1)
                inside = codes[ends] != 0
                starts, hashes = starts[inside], hashes[inside] * HASH_MULTIPLIER + codes[ends[inside]]
                slot = np.minimum(np.searchsorted(table.hashes, hashes), len(table.hashes) - 1)
            else:  # a character's hash is its code point: index a dense table
                slot = self._character_slots[np.minimum(codes, len(self._character_slots) - 1)]
            known = table.hashes[slot] == hashes
            starts, hashes, slot = starts[known], hashes[known], slot[known]
            for features in (table.character_feature[slot], table.word_feature[slot]):
                present = features >= 0
                rows.append(text_of[starts[present]])
                columns.append(features[present])
            grows = table.grows[slot]
            starts, hashes = starts[grows], hashes[grows]
            if not len(starts):
                break
        return np.concatenate(rows).astype(np.int64), np.concatenate(columns).astype(np.int64)


class FeatureEntries(NamedTuple):
    """A batch's TF-IDF matrix as compressed sparse rows, plus each entry's row."""

    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    row_starts: np.ndarray


@dataclass
class _FragmentTable:
    """The vocabulary's fragments of one length, sorted by hash.

    For each: its character feature and word feature (-1 for none) and
    whether it begins a longer term, so that matches should grow.
    """

    hashes: np.ndarray
    character_feature: np.ndarray
    word_feature: np.ndarray
    grows: np.ndarray

    @classmethod
    def build(cls, characters: list[str], words: list[str]) -> list["_FragmentTable"]:
        """Tables for lengths 1 to the longest term's, from the features' terms."""
        entries: dict[str, list] = {}  # fragment -> [character, word, grows]
        for offset, terms, kind in ((0, characters, 0), (len(characters), words, 1)):
            for index, term in enumerate(terms, start=offset):
                entries.setdefault(term, [-1, -1, False])[kind] = index
                for end in range(1, len(term)):
                    entries.setdefault(term[:end], [-1, -1, False])[2] = True
        longest = max(map(len, entries), default=0)
        tables = []
        for length in range(1, longest + 1):
            fragments = [fragment for fragment in entries if len(fragment) == length]
            hashes = np.array([_fragment_hash(fragment) for fragment in fragments], dtype=np.uint64)
            if len(np.unique(hashes)) != len(hashes):
                raise RuntimeError(f"two vocabulary terms of length {length} share a hash")
            order = np.argsort(hashes)
            values = [entries[fragments[position]] for position in order]
            tables.append(cls(
                hashes=hashes[order],
                character_feature=np.array([value[0] for value in values], dtype=np.int32),
                word_feature=np.array([value[1] for value in values], dtype=np.int32),
                grows=np.array([value[2] for value in values], dtype=bool),
            ))
        return tables


def _dense_slots(code_points: np.ndarray) -> np.ndarray:
    """Map each code point up to the largest in ``code_points`` to its slot there.

    Code points not in the table map to slot 0; the caller compares hashes,
    so they never match by mistake (the last entry stands for anything beyond).
    """
    slots = np.zeros(int(code_points.max(initial=0)) + 2, dtype=np.int32)
    slots[code_points.astype(np.int64)] = np.arange(len(code_points), dtype=np.int32)
    return slots


def _fragment_hash(fragment: str) -> int:
    """The hash that TermFeatures computes with numpy for ``fragment``."""
    value = 0
    for character in fragment:
        value = (value * int(HASH_MULTIPLIER) + ord(character)) & 0xFFFF_FFFF_FFFF_FFFF
    return value


class TextClassifier:
    """Proposes a label for a message; fit once, then predict many times.

    Args:
        user_words: Place and department names jieba should keep whole.
        regularisation: The SVM's C; larger fits the training data closer.
    """

    def __init__(self, *, user_words: Iterable[str] = (),
                 regularisation: float = DEFAULT_REGULARISATION) -> None:
        self.segmenter = Segmenter(user_words)
        self.regularisation = regularisation
        self.version: str | None = None
        self.trained_at: datetime | None = None
        self.training_rows = 0
        self.labels: tuple[str, ...] = ()
        self._features: TermFeatures | None = None
        self._coefficients: np.ndarray | None = None  # labels x features
        self._intercepts: np.ndarray | None = None
        self._temperature = 1.0

    def __repr__(self) -> str:
        return (f"TextClassifier(version={self.version!r}, labels={len(self.labels)}, "
                f"training_rows={self.training_rows})")

    def fit(self, texts: Sequence[str], labels: Sequence[str], *,
            trained_at: datetime | None = None) -> "TextClassifier":
        """Learn from labelled messages, replacing anything learnt before.

        Args:
            texts: The messages.
            labels: The category of each message, in the same order.
            trained_at: When the caller trained it; kept as metadata only.

        Returns:
            This classifier, fitted, with ``version`` set to a hash of the
            training data and settings (same data, same version).

        Raises:
            ValueError: On mismatched lengths, no data or fewer than 2 labels.
        """
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise ValueError("training needs messages of at least two labels")
        normalised = [normalise(text) for text in texts]
        features = TermFeatures(self.segmenter).fit(normalised)
        matrix = features.transform(normalised)
        targets = np.asarray(labels)
        model = self._new_model().fit(matrix, targets)
        self._features = features
        self._coefficients, self._intercepts = _per_label(model.coef_, model.intercept_)
        self._temperature = self._fit_temperature(matrix, targets)
        self.labels = tuple(str(label) for label in model.classes_)
        self.trained_at = trained_at
        self.training_rows = len(texts)
        self.version = self._content_hash(texts, labels)
        return self

    def predict(self, text: str) -> Prediction:
        """Propose a label for one message.

        Args:
            text: The message as the citizen or agent wrote it.

        Returns:
            The proposal with its confidence, alternatives and top terms.

        Raises:
            NotTrainedError: If the classifier was never fitted.
        """
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        """Propose a label for each message; much faster per message in bulk.

        Args:
            texts: The messages.

        Returns:
            One :class:`Prediction` per message, in the same order.

        Raises:
            NotTrainedError: If the classifier was never fitted.
        """
        if self._features is None:
            raise NotTrainedError("fit the classifier (or load a trained one) first")
        predictions: list[Prediction] = []
        for start in range(0, len(texts), PREDICTION_CHUNK):
            predictions += self._predict_chunk(texts[start:start + PREDICTION_CHUNK])
        return predictions

    def _predict_chunk(self, texts: Sequence[str]) -> list[Prediction]:
        entries = self._features.entries([normalise(text) for text in texts])
        matrix = sparse.csr_matrix((entries.values, entries.columns, entries.row_starts),
                                   shape=(len(texts), len(self._features.terms)))
        scores = matrix @ self._coefficients.T
        scaled = (scores + self._intercepts) * self._temperature
        probabilities = np.exp(scaled - scaled.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        ranked = np.argsort(-probabilities, axis=1)[:, :ALTERNATIVES_SHOWN]
        chosen = ranked[:, 0]
        # What each feature of each text added to its chosen label's score.
        evidence = self._coefficients[chosen[entries.rows], entries.columns] * entries.values
        terms = self._top_terms(entries, evidence)
        labels = self.labels
        return [
            Prediction(
                label=labels[row[0]],
                confidence=float(probabilities[index, row[0]]),
                alternatives=tuple((labels[column], float(probabilities[index, column]))
                                   for column in row),
                top_terms=terms[index],
            )
            for index, row in enumerate(ranked)
        ]

    def _top_terms(self, entries: FeatureEntries, evidence: np.ndarray) -> list[tuple[str, ...]]:
        """Per text, the terms that added most to the chosen label's score.

        A term inside a better-ranked one (天然 in 天然气, 物 in 物业) is
        skipped, and one that contains better-ranked ones replaces them: the
        agent reads each piece of evidence once, in its longest form.
        """
        names = self._features.terms
        result = []
        for start, end in zip(entries.row_starts[:-1], entries.row_starts[1:]):
            row_evidence = evidence[start:end]
            picked: list[str] = []
            for position in np.argsort(-row_evidence)[: TOP_TERMS_SHOWN * 4]:
                if row_evidence[position] <= 0 or len(picked) == TOP_TERMS_SHOWN:
                    break
                term = names[entries.columns[start + position]]
                if any(term in better for better in picked):
                    continue
                inside = [index for index, better in enumerate(picked) if better in term]
                if inside:
                    picked[inside[0]] = term
                    picked = [better for better in picked if better == term or better not in term]
                else:
                    picked.append(term)
            result.append(tuple(picked))
        return result

    def _fit_temperature(self, matrix, targets: np.ndarray) -> float:
        """Fit the temperature that best turns out-of-fold scores into probabilities.

        Scores of the final model on its own training messages are
        overconfident, so the temperature is fitted on scores that models
        trained without each message gave it, minimising the log loss.
        """
        labels, counts = np.unique(targets, return_counts=True)
        folds = min(CALIBRATION_FOLDS, int(counts.min()))
        if folds < 2:
            return 1.0
        splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
        decisions = cross_val_predict(self._new_model(), matrix, targets, cv=splitter,
                                      method="decision_function")
        if decisions.ndim == 1:
            decisions = np.column_stack([-decisions, decisions])
        truth = np.searchsorted(labels, targets)

        def log_loss(log_temperature: float) -> float:
            scaled = log_softmax(decisions * np.exp(log_temperature), axis=1)
            return -float(scaled[np.arange(len(truth)), truth].mean())

        return float(np.exp(minimize_scalar(log_loss, bounds=(-3, 4), method="bounded").x))

    def _new_model(self) -> LinearSVC:
        return LinearSVC(C=self.regularisation, class_weight="balanced")

    def _content_hash(self, texts: Sequence[str], labels: Sequence[str]) -> str:
        """A version that names the training data and settings, not the time."""
        digest = hashlib.sha256(json.dumps({
            "features": FEATURE_SCHEME,
            "regularisation": self.regularisation,
            "user_words": self.segmenter.user_words,
        }, ensure_ascii=False, sort_keys=True).encode())
        for text, label in zip(texts, labels):
            digest.update(f"{label}\x1f{text}\x1e".encode())
        return digest.hexdigest()[:16]


def _per_label(coefficients: np.ndarray, intercepts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give every label its own row of coefficients, as float32 for speed.

    With two labels scikit-learn keeps one row, whose positive side is the
    second label; the first label's row is its negation.
    """
    if coefficients.shape[0] == 1:
        coefficients = np.vstack([-coefficients, coefficients])
        intercepts = np.concatenate([-intercepts, intercepts])
    return coefficients.astype(np.float32), intercepts.astype(np.float32)
