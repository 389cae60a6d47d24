"""The article life cycle: versions, review before publishing, who may edit what, withdrawal."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from knowledge import actions as kact
from knowledge.models import ArticleEvent, ArticleVersion
from knowledge.states import ArticleStatus, VersionStatus
from tests.knowledge.conftest import fields
from tracking.actions import Forbidden, InvalidInput, NotFound, TransitionError


def _found(kb, query, now):
    return [hit.article.id for hit in kb.search(query, now=now, limit=5).hits]


def test_draft_is_not_public_until_reviewed_and_published(services, kb, people, articles, clock):
    article = articles.draft(services, people["water"])
    assert _found(kb, "家里没水了", clock()) == []
    assert kb.live(article.id, now=clock()) is None

    kact.submit_for_review(kb, article.id, actor=people["water"], now=clock())
    assert _found(kb, "家里没水了", clock()) == []  # pending review is not public either

    kact.publish_article(kb, article.id, actor=people["supervisor"], now=clock(), version=1)
    assert _found(kb, "家里没水了", clock()) == [article.id]
    with services.db.reading() as session:
        actions = list(session.scalars(select(ArticleEvent.action).where(ArticleEvent.article_id == article.id)
                                       .order_by(ArticleEvent.id)))
    assert actions == ["create", "submit", "publish"]


def test_every_edit_is_a_new_version_and_the_live_one_stays_until_review(services, kb, people, articles, clock):
    article = articles.published(services, people["water"], people["supervisor"])
    kact.edit_article(kb, article.id, fields(answer="停水请拨打供水热线报修，并说明小区和楼栋。"),
                      actor=people["water"], now=clock(), based_on=1, change_note="补充报修方式")
    kact.edit_article(kb, article.id, fields(answer="停水请拨打12345报修，并说明小区、楼栋和开始时间。"),
                      actor=people["water"], now=clock(), based_on=2)
    with services.db.reading() as session:
        versions = {v.number: v for v in session.scalars(select(ArticleVersion).where(
            ArticleVersion.article_id == article.id))}
    assert [versions[n].status for n in (1, 2, 3)] == [
        VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED, VersionStatus.DRAFT]
    assert kb.live(article.id, now=clock()).answer.startswith("请先确认邻居家")  # still version 1

    kact.submit_for_review(kb, article.id, actor=people["water"], now=clock(), version=3)
    kact.publish_article(kb, article.id, actor=people["supervisor"], now=clock(), version=3)
    live = kb.live(article.id, now=clock())
    assert live.version == 3 and "12345" in live.answer


def test_a_department_cannot_edit_another_departments_article(services, kb, people, articles, clock):
    article = articles.published(services, people["water"], people["supervisor"])
    with pytest.raises(Forbidden, match="本单位"):
        kact.edit_article(kb, article.id, fields(answer="由公安局改写"), actor=people["police"], now=clock())
    with pytest.raises(Forbidden):
        kact.withdraw_article(kb, article.id, actor=people["police"], now=clock(), reason="不是我们的")
    with pytest.raises(Forbidden):  # agents read, they do not write
        kact.edit_article(kb, article.id, fields(), actor=people["agent"], now=clock())
    with pytest.raises(Forbidden):  # nor does a department write in another's name
        kact.create_article(kb, fields(), actor=people["police"], now=clock(), department_id=article.department_id)
    kact.edit_article(kb, article.id, fields(answer="本单位修改"), actor=people["water"], now=clock())
    kact.edit_article(kb, article.id, fields(answer="管理员修改"), actor=people["admin"], now=clock())


def test_other_departments_drafts_are_invisible(services, kb, people, articles, clock):
    draft = articles.draft(services, people["water"])
    with pytest.raises(NotFound):
        kact.submit_for_review(kb, draft.id, actor=people["police"], now=clock())
    with pytest.raises(NotFound):
        kact.submit_for_review(kb, draft.id, actor=people["agent"], now=clock())


def test_review_rules(services, kb, people, articles, clock):
    article = articles.draft(services, people["water"])
    with pytest.raises(TransitionError):  # only a pending version is reviewed
        kact.publish_article(kb, article.id, actor=people["supervisor"], now=clock(), version=1)
    kact.submit_for_review(kb, article.id, actor=people["water"], now=clock())
    with pytest.raises(Forbidden):  # departments do not publish
        kact.publish_article(kb, article.id, actor=people["water"], now=clock(), version=1)
    with pytest.raises(InvalidInput):  # sending back needs a reason
        kact.return_for_changes(kb, article.id, actor=people["supervisor"], now=clock(), version=1, note=" ")
    kact.return_for_changes(kb, article.id, actor=people["supervisor"], now=clock(), version=1,
                            note="请写明报修电话")
    assert kact.find_by_key(kb, "none") is None
    kact.edit_article(kb, article.id, fields(answer="报修请拨打12345。"), actor=people["water"], now=clock())
    kact.submit_for_review(kb, article.id, actor=people["water"], now=clock(), version=2)
    with pytest.raises(TransitionError, match="更新的版本"):  # the reviewer read version 1, not 2
        kact.publish_article(kb, article.id, actor=people["supervisor"], now=clock(), version=1)

    own = articles.draft(services, people["admin"], department_id=article.department_id)
    kact.submit_for_review(kb, own.id, actor=people["admin"], now=clock())
    with pytest.raises(Forbidden, match="自己编写"):
        kact.publish_article(kb, own.id, actor=people["admin"], now=clock(), version=1)
    kact.publish_article(kb, own.id, actor=people["supervisor"], now=clock(), version=1)


def test_stale_edit_is_refused(services, kb, people, articles, clock):
    article = articles.draft(services, people["water"])
    kact.edit_article(kb, article.id, fields(answer="第二版"), actor=people["admin"], now=clock(), based_on=1)
    with pytest.raises(TransitionError):
        kact.edit_article(kb, article.id, fields(answer="基于第一版的修改"), actor=people["water"], now=clock(),
                          based_on=1)


def test_withdrawn_article_leaves_search_at_once(services, kb, people, articles, clock):
    article = articles.published(services, people["water"], people["supervisor"])
    assert _found(kb, "没水", clock()) == [article.id]
    withdrawn = kact.withdraw_article(kb, article.id, actor=people["water"], now=clock(), reason="政策调整")
    assert withdrawn.status == ArticleStatus.WITHDRAWN and withdrawn.published_version is None
    assert _found(kb, "没水", clock()) == []
    with pytest.raises(TransitionError):
        kact.withdraw_article(kb, article.id, actor=people["admin"], now=clock(), reason="再次下线")


def test_fields_are_checked(services, kb, people, clock):
    with pytest.raises(InvalidInput, match="问题"):
        kact.create_article(kb, fields(question=" "), actor=people["water"], now=clock())
    with pytest.raises(InvalidInput, match="服务目录"):
        kact.create_article(kb, fields(service_codes=("no-such-service",)), actor=people["water"], now=clock())
    from datetime import date
    with pytest.raises(InvalidInput, match="截止日期"):
        kact.create_article(kb, fields(valid_from=date(2026, 5, 1), valid_until=date(2026, 4, 1)),
                            actor=people["water"], now=clock())
    with pytest.raises(InvalidInput, match="所属单位"):
        kact.create_article(kb, fields(), actor=people["admin"], now=clock())
    article = kact.create_article(kb, fields(guide={"what": "报修", "materials": "身份证\n\n- 户号\n"}),
                                  actor=people["water"], now=clock())
    with services.db.reading() as session:
        version = session.scalar(select(ArticleVersion).where(ArticleVersion.article_id == article.id))
    assert version.guide == {"what": "报修", "materials": ["身份证", "户号"]}
