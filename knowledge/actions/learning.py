"""Learning from the loop: a department's good reply becomes a draft article in one step."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from knowledge.actions._core import new_version, record
from knowledge.base import KnowledgeBase
from knowledge.fields import ArticleFields
from knowledge.keywords import keywords
from knowledge.models import Article
from knowledge.permissions import LEARNERS
from knowledge.states import ArticleStatus
from tracking.actions import Actor
from tracking.actions.errors import Forbidden, NotFound, TransitionError
from tracking.models import Ticket

# Personal data a reply or a citizen's words may carry, masked before the text
# becomes a draft anyone in the knowledge team can read.
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """Mask mobile numbers and ID card numbers (keeping their first and last digits)."""
    text = ID_CARD.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text or "")
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def draft_from_ticket(kb: KnowledgeBase, ticket_id: int, *, actor: Actor, now: datetime) -> Article:
    """由答复生成知识草稿: the ticket's question and its department's reply, as a draft of that department.

    Clicking twice gives the same draft: a ticket becomes at most one article.
    The department that replied owns the draft and polishes it; then it goes
    through the usual review.

    Raises:
        Forbidden: only the knowledge team (supervisors) and admins do this.
        NotFound: no such ticket.
        TransitionError: the ticket has no department reply yet.
    """
    if actor.role not in LEARNERS:
        raise Forbidden("当前角色无权由答复生成知识草稿")
    analyzer = kb.analyzer
    with kb.db.transaction() as session:
        existing = session.scalar(select(Article).where(Article.source_ticket_id == ticket_id))
        if existing is not None:
            return existing
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("工单不存在或无权查看")
        if not ticket.reply_text or ticket.department_id is None:
            raise TransitionError(f"工单{ticket.number}还没有承办单位的答复")
        words = keywords(analyzer, f"{ticket.title}\n{ticket.content}", limit=8)
        fields = ArticleFields(
            question=scrub(ticket.title)[:300], answer=scrub(ticket.reply_text)[:20000],
            keywords=" ".join(words), service_codes=(ticket.service_code,) if ticket.service_code else (),
            source_document=f"工单{ticket.number}的答复").checked()
        article = Article(department_id=ticket.department_id, status=ArticleStatus.DRAFT, latest_version=1,
                          source_ticket_id=ticket.id, created_at=now, updated_at=now, helpful_count=0,
                          not_helpful_count=0, generation=0)
        session.add(article)
        session.flush()
        new_version(session, article, fields, actor, now, 1, f"由工单{ticket.number}的答复生成")
        record(session, article, "from_ticket", actor, now, version=1, note=ticket.number)
    return article
