"""Repeat requests (重复诉求): is this message about a problem we already have an open ticket for?

A citizen who writes again about the same problem, or a neighbour who reports
the same burst pipe, must not send a second ticket to the department: the new
ticket is folded into the earlier one (并单) and the department answers once.

The rule, for open tickets registered in the last ``REPEAT_WINDOW``:

* **Same phone**: a repeat when the texts share enough wording
  (``SAME_CALLER_SIMILARITY``), when both name the same place, or when the
  caller has exactly one open ticket and the message reads as a chase-up
  ("还没修好", "再次反映", "催一下"). A caller with one open ticket about noise who
  now reports a pothole on another street gets a second ticket.
* **Another phone** (or none): a repeat only when the texts are very similar
  (``OTHER_CALLER_SIMILARITY``) *and* name the same place.

Similarity is the cosine of character-bigram counts, which works for Chinese
without word segmentation and ignores punctuation and spacing.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hotline.text import nfkc
from tracking.models import Ticket
from tracking.states import OPEN_STATUSES

REPEAT_WINDOW = timedelta(days=60)  # older open tickets are left to a person to spot
SAME_CALLER_SIMILARITY = 0.3
OTHER_CALLER_SIMILARITY = 0.6
MIN_PLACE_LENGTH = 4  # "3栋" alone names no place; "幸福小区3栋" does
MAX_CANDIDATES = 200
FOLLOW_UP_WORDS = ("还没", "还是没", "仍未", "仍然", "至今", "催", "再次", "又一次", "上次", "之前反映",
                   "已经反映", "反映过", "没人管", "没有处理", "没处理", "没有解决", "没解决", "没修")
OPEN_STATUS_VALUES = sorted(status.value for status in OPEN_STATUSES)  # sorted: one statement text
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class RepeatMatch:
    ticket: Ticket
    reason: str       # shown on the ticket: why the system thinks it is the same request
    similarity: float


def find_repeat(session: Session, *, phone: str | None, content: str, address: str,
                district: str | None, now: datetime) -> RepeatMatch | None:
    """The earlier open ticket this message repeats, if any (see the module's rule)."""
    place = normalise(address)
    conditions = []
    if phone:
        conditions.append(Ticket.contact_phone == phone)
    if len(place) >= MIN_PLACE_LENGTH:
        conditions.append(Ticket.address == address.strip())
        if district:
            conditions.append(Ticket.district == district)
    if not conditions:
        return None
    candidates = list(session.scalars(
        select(Ticket).where(*still_open(now - REPEAT_WINDOW), or_(*conditions))
        .order_by(Ticket.registered_at.desc()).limit(MAX_CANDIDATES)))
    return best_repeat(candidates, phone=phone, content=content, place=place)


def callers_open_tickets(session: Session, phones: Collection[str], now: datetime) -> dict[str, list[Ticket]]:
    """For several callers at once (an SMS group), the open tickets ``find_repeat`` weighs for each phone.

    A message with no usable place (an SMS) is compared with its caller's open tickets only, so
    ``best_repeat(found.get(phone, []), ...)`` answers as ``find_repeat`` would, with one query for all.
    """
    if not phones:
        return {}
    newest = select(Ticket.id, func.row_number().over(partition_by=Ticket.contact_phone,
                                                      order_by=Ticket.registered_at.desc()).label("rank")) \
        .where(*still_open(now - REPEAT_WINDOW), Ticket.contact_phone.in_(list(phones))).subquery()
    found: dict[str, list[Ticket]] = {}
    for ticket in session.scalars(select(Ticket).join(newest, newest.c.id == Ticket.id)
                                  .where(newest.c.rank <= MAX_CANDIDATES).order_by(Ticket.registered_at.desc())):
        found.setdefault(ticket.contact_phone, []).append(ticket)
    return found


def still_open(since) -> tuple:
    """The conditions on a ticket a new message may repeat: open, not merged, registered since ``since``.

    ``since`` is a time or a bound parameter; the conditions name the table's columns so that a
    statement built once (``channels.sms.grouped``) runs without the ORM.
    """
    tickets = Ticket.__table__.c
    return (tickets.status.in_(OPEN_STATUS_VALUES), tickets.merged_into_id.is_(None), tickets.registered_at >= since)


def best_repeat(candidates: list[Ticket], *, phone: str | None, content: str, place: str) -> RepeatMatch | None:
    """The candidate this message repeats (the module's rule), newest candidates first; ``place`` normalised."""
    same_caller = [t for t in candidates if phone and t.contact_phone == phone]
    chase_up = len(same_caller) == 1 and any(word in content for word in FOLLOW_UP_WORDS)
    best: RepeatMatch | None = None
    for ticket in candidates:
        score = similarity(content, f"{ticket.title} {ticket.content}")
        same_place = len(place) >= MIN_PLACE_LENGTH and same_location(place, normalise(ticket.address))
        if ticket in same_caller:
            if score >= SAME_CALLER_SIMILARITY:
                reason = "同一来电号码，诉求内容相近"
            elif same_place:
                reason = "同一来电号码，同一地点"
            elif chase_up:
                reason = "同一来电号码，催办此前诉求"
            else:
                continue
        elif score >= OTHER_CALLER_SIMILARITY and same_place:
            reason = "同一地点，诉求内容高度相似"
        else:
            continue
        if best is None or score > best.similarity or (
                score == best.similarity and ticket.registered_at < best.ticket.registered_at):
            best = RepeatMatch(ticket, reason, round(score, 3))
    return best


def similarity(a: str, b: str) -> float:
    """Cosine similarity of the two texts' character bigrams, from 0 (nothing shared) to 1."""
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    dot = sum(count * right[gram] for gram, count in left.items() if gram in right)
    norm = math.sqrt(sum(c * c for c in left.values())) * math.sqrt(sum(c * c for c in right.values()))
    return dot / norm


def normalise(text: str | None) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation: "Ａ市 幸福小区３栋" → "a市幸福小区3栋"."""
    return _NOT_WORD.sub("", nfkc(text or "")).lower()


def same_location(a: str, b: str) -> bool:
    """Two normalised addresses name the same place when one contains the other ("A3区幸福小区" ⊂ "A市A3区幸福小区")."""
    if len(a) < MIN_PLACE_LENGTH or len(b) < MIN_PLACE_LENGTH:
        return False
    return a in b or b in a


def _bigrams(text: str) -> Counter[str]:
    clean = normalise(text)
    return Counter(clean[i:i + 2] for i in range(len(clean) - 1))
