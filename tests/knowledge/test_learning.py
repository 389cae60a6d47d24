"""Learning from the loop: replies become drafts in one step; the month's unanswered topics."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from knowledge import actions as kact
from knowledge.models import Article, ArticleVersion
from knowledge.states import ArticleStatus
from knowledge.topics import unanswered_topics
from tests.support.factories import TicketFactory
from tracking import actions as act
from tracking.actions import Forbidden, TransitionError


def _replied(services, agent, department, staff, reply, **fields):
    ticket = TicketFactory.dispatched(services, agent, department, **fields)
    act.accept_ticket(services.ledger, ticket.id, actor=staff, now=services.clock())
    return act.reply_ticket(services.ledger, ticket.id, actor=staff, now=services.clock(), reply=reply)


def test_a_reply_becomes_a_draft_of_the_replying_department(services, kb, depts, people, clock):
    ticket = _replied(services, people["agent"], depts["water"], people["water"],
                      "经查，停水系管网抢修所致，已于当晚恢复。如再停水请拨打13912345678或12345。",
                      title="幸福小区停水", content="幸福小区3栋停水一天了，我的电话13800138000")
    with pytest.raises(Forbidden):
        kact.draft_from_ticket(kb, ticket.id, actor=people["agent"], now=clock())
    article = kact.draft_from_ticket(kb, ticket.id, actor=people["supervisor"], now=clock())
    again = kact.draft_from_ticket(kb, ticket.id, actor=people["supervisor"], now=clock())
    assert again.id == article.id  # one click or two: one draft
    with services.db.reading() as session:
        stored = session.get(Article, article.id)
        version = session.scalar(select(ArticleVersion).where(ArticleVersion.article_id == article.id))
    assert stored.status == ArticleStatus.DRAFT and stored.department_id == depts["water"].id
    assert stored.source_ticket_id == ticket.id and stored.published_version is None
    assert version.question == "幸福小区停水"
    assert "139****5678" in version.answer and "13912345678" not in version.answer
    assert ticket.number in version.source_document and "停水" in version.keywords
    # the replying department polishes it and sends it to review; it is not public before that
    kact.edit_article(kb, article.id, kact_fields(), actor=people["water"], now=clock(), based_on=1)
    kact.submit_for_review(kb, article.id, actor=people["water"], now=clock())
    assert kb.search("停水", now=clock()).hits == []


def kact_fields():
    from tests.knowledge.conftest import fields
    return fields(question="小区突然停水怎么办？", answer="管网抢修停水一般当天恢复，可拨打12345报修。")


def test_no_draft_without_a_reply(services, kb, depts, people, clock):
    ticket = TicketFactory.dispatched(services, people["agent"], depts["water"])
    with pytest.raises(TransitionError, match="答复"):
        kact.draft_from_ticket(kb, ticket.id, actor=people["supervisor"], now=clock())


def test_top_unanswered_topics_of_the_month(services, kb, depts, people, clock):
    start = clock() - timedelta(days=5)
    for n in range(4):
        TicketFactory.dispatched(services, people["agent"], depts["water"], title=f"小区停水第{n}天",
                                 content="我们小区停水了，一直没有来水，水务公司也没有通知。")
    for n in range(3):
        TicketFactory.dispatched(services, people["agent"], depts["police"], title="居住证办理进度",
                                 content=f"居住证申请提交{n + 10}天了还没有拿到，派出所说要等。")
    answered = TicketFactory.registered(services, people["agent"], title="护照怎么办", content="护照怎么办理")
    act.answer_directly(services.ledger, answered.id, actor=people["agent"], now=clock(), answer="带身份证到出入境大厅")
    TicketFactory.registered(services, people["agent"], title="路灯不亮", content="门口路灯坏了")

    report = unanswered_topics(kb, start, clock() + timedelta(days=1), now=clock())
    assert report.total == 9 and report.answered_directly == 1 and report.examined == 8
    sizes = {topic.words: topic.count for topic in report.topics}
    water = next(t for t in report.topics if "停水" in t.words)
    permit = next(t for t in report.topics if "居住证" in t.words)
    assert (water.count, permit.count) == (4, 3), sizes
    assert report.topics[0] is water and water.departments == [("市水务集团", 4)]
    assert all(topic.count >= 2 for topic in report.topics)  # the lone street-light call is no topic
