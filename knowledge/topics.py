"""The month's top unanswered questions: what callers keep asking that agents could not answer.

Tickets that were not answered directly (直接办结) went to a department,
were merged as repeats, or are still open; when many of them are about the
same thing, an article could let agents answer the next caller on the spot.
Each ticket is described by its most telling words (TF-IDF over jieba words,
synonyms folded); tickets are grouped under the pair of words most of them
share, and each group is shown with examples and the closest existing article.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from knowledge.base import KnowledgeBase, SearchHit
from knowledge.keywords import keywords
from tracking.models import Ticket
from tracking.states import STATUS_LABELS, Status

MAX_TICKETS = 3000     # the month's most recent tickets are enough to see its topics, and quick to read
WORDS_PER_TICKET = 4
TEXT_CHARS = 200       # title and the start of the content say what a ticket is about
EXAMPLES = 5


@dataclass(frozen=True)
class TopicTicket:
    number: str
    title: str
    status_label: str
    department: str | None
    has_reply: bool


@dataclass(frozen=True)
class Topic:
    words: tuple[str, ...]
    count: int
    examples: list[TopicTicket]
    departments: list[tuple[str, int]]
    closest_article: SearchHit | None


@dataclass(frozen=True)
class TopicReport:
    start: datetime
    end: datetime
    total: int               # tickets registered in the period
    answered_directly: int
    examined: int            # not answered directly, read for topics (at most MAX_TICKETS)
    topics: list[Topic]


def unanswered_topics(kb: KnowledgeBase, start: datetime, end: datetime, *, now: datetime,
                      limit: int = 20) -> TopicReport:
    """Topics among tickets registered in [start, end) that were not answered directly, biggest first."""
    with kb.db.reading() as session:
        in_period = (Ticket.registered_at >= start, Ticket.registered_at < end)
        by_status = dict(session.execute(select(Ticket.status, func.count(Ticket.id))
                                         .where(*in_period).group_by(Ticket.status)).all())
        tickets = list(session.scalars(
            select(Ticket).where(*in_period, Ticket.status != Status.ANSWERED_DIRECTLY)
            .options(joinedload(Ticket.department)).order_by(Ticket.registered_at.desc()).limit(MAX_TICKETS)))
    analyzer = kb.analyzer
    words_of = {t.id: keywords(analyzer, f"{t.title}\n{t.content[:TEXT_CHARS]}", WORDS_PER_TICKET) for t in tickets}
    groups = _group(tickets, words_of)
    topics = []
    for key, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]:
        if len(members) < 2:
            break
        departments = Counter(t.department.name for t in members if t.department is not None)
        closest = kb.search(" ".join(key) + " " + members[0].title, now=now, limit=1).hits
        topics.append(Topic(key, len(members), [_example(t) for t in members[:EXAMPLES]],
                            departments.most_common(3), closest[0] if closest else None))
    answered = by_status.get(Status.ANSWERED_DIRECTLY.value, 0)
    return TopicReport(start, end, sum(by_status.values()), answered, len(tickets), topics)


def _group(tickets: list[Ticket], words_of: dict[int, list[str]]) -> dict[tuple[str, ...], list[Ticket]]:
    """Put each ticket under its most shared word pair, or its most shared word when no pair repeats.

    Ties go to the pair of the ticket's most telling words (its words come ranked).
    """
    pairs = Counter(tuple(sorted(pair)) for t in tickets for pair in combinations(words_of[t.id], 2))
    singles = Counter(word for t in tickets for word in words_of[t.id])
    groups: dict[tuple[str, ...], list[Ticket]] = {}
    for ticket in tickets:
        ranked = words_of[ticket.id]
        if not ranked:
            continue
        candidates = [(pairs[tuple(sorted((a, b)))], -(i + j), tuple(sorted((a, b))))
                      for (i, a), (j, b) in combinations(enumerate(ranked), 2)]
        best = max(candidates, default=None)
        if best is not None and best[0] >= 2:
            key: tuple[str, ...] = best[2]
        else:
            key = (max(ranked, key=lambda w: (singles[w], -ranked.index(w))),)
        groups.setdefault(key, []).append(ticket)
    return groups


def _example(ticket: Ticket) -> TopicTicket:
    return TopicTicket(ticket.number, ticket.title, STATUS_LABELS[Status(ticket.status)],
                       ticket.department.name if ticket.department else None, bool(ticket.reply_text))
