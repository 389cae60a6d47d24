"""Turning Chinese text into search terms: jieba words, synonyms folded together, stop words out.

Callers rarely use the words of the official answer: they say 暂住证 for 居住证,
没水了 for 停水, 社保 for 社会保险. The vocabulary file
(``knowledge/data/synonyms.yaml``, setting ``HOTLINE_KNOWLEDGE_SYNONYMS_FILE``)
lists such groups; every word of a group is indexed and searched as the
group's first word, so a question in the caller's words finds the article
written in the office's words.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jieba
import jieba.posseg
import yaml

jieba.setLogLevel(logging.WARNING)  # jieba announces every dictionary load on INFO

DEFAULT_VOCABULARY = Path(__file__).resolve().parent.parent / "data" / "synonyms.yaml"
# jieba part-of-speech tags (ICTCLAS set) of words that never name a topic: place
# and person names, numerals and quantities, Latin strings, and function words
# (pronouns, prepositions, conjunctions, particles, adverbs, locatives).
SKIPPED_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "eng", "m", "mq", "q", "t", "tg", "s", "f"})
SKIPPED_TAG_CLASSES = frozenset({"r", "p", "c", "u", "d", "e", "y", "o", "w"})


class VocabularyError(ValueError):
    """The synonyms file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class Vocabulary:
    """The configurable words of the search: synonyms, whole words and stop words."""

    synonyms: Mapping[str, str]   # any word of a group -> the group's first word
    words: frozenset[str]         # words jieba must keep whole (every synonym among them)
    stop_words: frozenset[str]
    fingerprint: str              # changes whenever the analysis of some text could change
    topic_stop_words: frozenset[str] = frozenset()  # too general to name a topic (办理, 投诉, 公司)


def load_vocabulary(path: Path | str | None = None) -> Vocabulary:
    """Read a vocabulary file (default ``knowledge/data/synonyms.yaml``).

    Raises:
        VocabularyError: the file is missing, not YAML, or a group is not a list of words.
    """
    path = Path(path) if path else DEFAULT_VOCABULARY
    try:
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from None
    synonyms: dict[str, str] = {}
    for index, group in enumerate(data.get("synonyms") or []):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip() for w in group):
            raise VocabularyError(f"{path}: synonyms[{index}] must be a list of two or more words")
        canonical = normalise(group[0])
        for word in group:
            synonyms.setdefault(normalise(word), canonical)
    words = {normalise(w) for w in data.get("words") or [] if isinstance(w, str) and w.strip()}
    words |= set(synonyms)
    stop_words = frozenset(normalise(w) for w in data.get("stop_words") or [] if isinstance(w, str))
    topic_stop_words = frozenset(normalise(w) for w in data.get("topic_stop_words") or [] if isinstance(w, str))
    fingerprint = hashlib.sha256(raw + jieba.__version__.encode()).hexdigest()[:16]
    return Vocabulary(synonyms, frozenset(words), stop_words, fingerprint, topic_stop_words)


def normalise(text: str) -> str:
    """Full-width to half-width, upper to lower case: ＡＢＣ１２ and abc12 are one word."""
    return unicodedata.normalize("NFKC", text).lower().strip()


class Analyzer:
    """Segments text into index terms; the same analysis for articles and for queries."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self._tokenizer = _tokenizer(vocabulary.words)
        self._pos = None

    @property
    def fingerprint(self) -> str:
        return self.vocabulary.fingerprint

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` in order, repeated as often as they occur.

        jieba's search mode gives both a long word and the words inside it
        (居住证 and 居住), so a question matches an answer that uses either.
        """
        synonyms, stop_words = self.vocabulary.synonyms, self.vocabulary.stop_words
        found = []
        for token in self._tokenizer.cut_for_search(normalise(text)):
            token = token.strip()
            if not token or not any(ch.isalnum() for ch in token):
                continue
            token = synonyms.get(token, token)
            if token in stop_words or (len(token) == 1 and token.isascii()):
                continue
            found.append(token)
        return found

    def words(self, text: str) -> list[str]:
        """Content words of two characters or more, for keyword extraction (not for search).

        Uses jieba's part-of-speech tags to leave out what says where or who
        rather than what about: place and person names, numbers, Latin codes
        and function words.
        """
        synonyms = self.vocabulary.synonyms
        stop_words = self.vocabulary.stop_words | self.vocabulary.topic_stop_words
        found = []
        for pair in self._tagger().cut(normalise(text)):
            word, flag = pair.word.strip(), pair.flag
            if flag in SKIPPED_TAGS or flag[:1] in SKIPPED_TAG_CLASSES or len(word) < 2:
                continue
            if not any("\u4e00" <= ch <= "\u9fff" for ch in word):
                continue
            word = synonyms.get(word, word)
            if word not in stop_words:
                found.append(word)
        return found

    def _tagger(self):
        if self._pos is None:
            self._pos = jieba.posseg.POSTokenizer(self._tokenizer)
        return self._pos

    def weighted_terms(self, fields: Iterable[tuple[str, float]]) -> dict[str, float]:
        """Term frequencies over several fields, each occurrence counted with its field's weight."""
        counts: dict[str, float] = {}
        for text, weight in fields:
            for term in self.terms(text or ""):
                counts[term] = counts.get(term, 0.0) + weight
        return counts


@functools.lru_cache(maxsize=4)
def _tokenizer(words: frozenset[str]) -> jieba.Tokenizer:
    # A private tokenizer, so our words never change how other modules (dispatch)
    # segment text; loading jieba's dictionary takes a second, so it is shared
    # by every analyser with the same words in this process.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in sorted(words):
        tokenizer.add_word(word, freq=max(tokenizer.suggest_freq(word), 2000))
    return tokenizer
