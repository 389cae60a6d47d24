"""Top issues of a period (热点问题): the words most tickets share, each with examples.

Each ticket's title and the start of its text are cut into words with jieba;
the keywords of one ticket are its few most telling words (TF-IDF against
jieba's built-in corpus statistics), and a topic's weight is the number of
tickets that have it among their keywords, so one long complaint cannot
outweigh a hundred short ones. On very large months only the newest
``topic_sample`` tickets are read (cutting words is the slow part: about a
thousand texts a second), and counts are scaled to the whole period.
"""
from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

import jieba
import jieba.analyse
from sqlalchemy import func, select

from evaluation.rules import Rules
from hotline.db import Database
from tracking.models import Ticket

jieba.setLogLevel(logging.WARNING)

KEYWORDS_PER_TICKET = 4
TEXT_CHARS = 80  # the start of the content, after the title: where citizens and agents state the issue
PLACE_LIKE = re.compile(r"^[A-Za-z]?\d+[区县市号栋楼室期]?$|^[A-Za-z]\d")  # "A3区", "12栋": places, not issues


@dataclass(frozen=True)
class Example:
    number: str
    title: str


@dataclass(frozen=True)
class Topic:
    word: str
    tickets: int          # tickets of the period estimated to share the word
    share: float          # of the period's tickets
    examples: tuple[Example, ...]


def top_issues(db: Database, rules: Rules, start: datetime, end: datetime) -> list[Topic]:
    """The period's most frequent topics among registered tickets (merged repeats left out)."""
    in_period = (Ticket.registered_at >= start, Ticket.registered_at < end, Ticket.status != "merged")
    with db.reading() as session:
        total = session.scalar(select(func.count(Ticket.id)).where(*in_period)) or 0
        rows = session.execute(
            select(Ticket.number, Ticket.title, func.substr(Ticket.content, 1, TEXT_CHARS))
            .where(*in_period).order_by(Ticket.registered_at.desc()).limit(rules.topic_sample)).all()
    if not rows:
        return []
    counts: Counter[str] = Counter()
    examples: dict[str, list[Example]] = defaultdict(list)
    for number, title, content in rows:
        for word in ticket_keywords(f"{title}。{content or ''}", rules.topic_stopwords):
            counts[word] += 1
            if len(examples[word]) < rules.examples_per_issue:
                examples[word].append(Example(number, title))
    scale = total / len(rows)
    return [Topic(word, round(n * scale), n / len(rows), tuple(examples[word]))
            for word, n in counts.most_common(rules.top_issues)]


def ticket_keywords(text: str, stopwords: frozenset[str]) -> list[str]:
    """The few words that say what one ticket is about (no stopwords, no bare places or numbers)."""
    words = jieba.analyse.extract_tags(text, topK=KEYWORDS_PER_TICKET + 4)
    chosen = [w for w in words if len(w) >= 2 and w not in stopwords and not PLACE_LIKE.search(w)]
    return chosen[:KEYWORDS_PER_TICKET]
