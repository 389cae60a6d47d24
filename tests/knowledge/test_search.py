"""Chinese search over the demo knowledge base: callers' own words find the right article."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from knowledge import actions as kact
from knowledge.base import KnowledgeBase
from knowledge.importer import DEMO_ARTICLES, import_articles, read_articles
from knowledge.models import Article
from knowledge.queries import public_article
from tests.knowledge.conftest import fields
from tracking.actions import NotFound
from tracking.catalogue_sync import sync_departments

# Callers' questions, worded unlike the articles (colloquial, synonyms, no shared phrasing),
# and the article each must find first.
PARAPHRASES = {
    "我是外地来打工的，想办个暂住证，要带啥": "residence-permit-apply",
    "家里水龙头突然一滴水都没有了": "water-sudden-outage",
    "厨房里有一股煤气味道": "gas-leak-emergency",
    "干了三个月活老板一分钱工资都不给": "wage-arrears",
    "我妈要去北京住院，医保那边要先弄什么手续": "medical-cross-province",
    "宝宝上个月出生了，怎么报户口": "newborn-household-registration",
    "租的房子能不能用住房公积金付房租": "housing-fund-rent",
    "驾照下个月到期了怎么换": "driving-licence-renew",
    "想开个小卖部，执照怎么办": "sole-proprietor-registration",
    "网上买的衣服不合适能退吗": "online-return-7-days",
    "孩子今年九月上一年级，要准备哪些材料": "primary-school-enrolment",
    "外地户口的小孩能在这边读小学吗": "migrant-children-enrolment",
    "房子漏水了能不能动用维修基金": "maintenance-fund",
    "电梯卡住了人被关在里面": "elevator-trapped",
    "被公司裁员了能领失业补助吗": "unemployment-benefit",
    "领证结婚还要户口本吗": "marriage-registration",
    "暖气片不热屋里才十几度": "heating-not-warm",
    "个税退税怎么弄": "individual-income-tax-annual",
    "小区停水了什么时候能恢复供水": "water-outage-notice",
    "身份证过期了外地户口能在这换吗": "id-card-renew",
    "我想查一下我的社保交了几年": "social-insurance-query",
    "下班路上被车撞了算不算工伤": "work-injury-recognition",
    "办护照要多少钱多久能拿": "passport-apply",
    "家里困难想吃低保": "minimum-living-allowance",
    "健身房跑路了会员卡的钱怎么要回来": "prepaid-card-refund",
    "在饭馆吃饭吃出了虫子": "food-safety-report",
    "新房拿到钥匙了怎么办不动产证": "property-certificate-new-home",
    "邻居吵架闹矛盾谁来调解": "people-mediation",
    "请律师的钱出不起": "legal-aid",
    "出租车司机故意绕远路": "taxi-complaint",
    "我什么时候可以退休": "retirement-age",
    "今年几号开始来暖气": "heating-season-2026",
}


@pytest.fixture
def demo_base(services, clock) -> dict[str, int]:
    """The demo knowledge base, imported as ``hotline demo`` does; key -> article id."""
    sync_departments(services.db, services.catalogue)
    import_articles(services.knowledge, read_articles(DEMO_ARTICLES, services.knowledge.known_services),
                    now=clock())
    with services.db.reading() as session:
        return {a.key: a.id for a in session.scalars(select(Article))}


def test_paraphrased_questions_find_the_expected_article(services, demo_base, clock):
    by_id = {v: k for k, v in demo_base.items()}
    missed = {}
    for question, key in PARAPHRASES.items():
        hits = services.knowledge.search(question, now=clock(), limit=3).hits
        found = [by_id[h.article.id] for h in hits]
        if found[:1] != [key]:
            missed[question] = found
    assert missed == {}


def test_expired_and_not_yet_valid_articles_are_not_shown(services, demo_base, clock):
    expired = demo_base["heating-season-2025"]  # valid until 2026-03-15; the clock is 2026-11-23
    current = demo_base["heating-season-2026"]
    found = [h.article.id for h in services.knowledge.search("2025年供暖季什么时候开始供暖", now=clock(), limit=10).hits]
    assert current in found and expired not in found
    assert services.knowledge.live(expired, now=clock()) is None
    with pytest.raises(NotFound):
        public_article(services.db, expired, clock().date())
    clock.set(datetime(2026, 2, 1, 2, 0, tzinfo=timezone.utc))  # back in last winter: the old notice applies
    found = [h.article.id for h in services.knowledge.search("什么时候开始供暖", now=clock(), limit=10).hits]
    assert expired in found and current not in found


def test_drafts_and_pending_versions_from_the_demo_are_not_public(services, demo_base, clock):
    for key, question in [("shared-bike-parking", "共享单车乱停乱放"), ("elderly-bus-card", "老年人坐公交免费吗 老年卡")]:
        found = [h.article.id for h in services.knowledge.search(question, now=clock(), limit=10).hits]
        assert demo_base[key] not in found
        with pytest.raises(NotFound):
            public_article(services.db, demo_base[key], clock().date())


def test_synonyms_come_from_a_configurable_file(services, demo_base, clock, tmp_path):
    vocabulary = tmp_path / "synonyms.yaml"
    vocabulary.write_text("synonyms:\n  - [居住证, 蓝卡]\nstop_words: [怎么, 办]\n", encoding="utf-8")
    permits = {demo_base[k] for k in ("residence-permit-apply", "residence-permit-renew", "residence-permit-lost")}
    assert not permits & {h.article.id for h in services.knowledge.search("蓝卡", now=clock()).hits}
    city = KnowledgeBase(services.db, services.knowledge.tz, vocabulary)
    assert permits <= {h.article.id for h in city.search("蓝卡", now=clock()).hits}
    assert [h.article.id for h in city.search("蓝卡丢了", now=clock()).hits][:1] == [demo_base["residence-permit-lost"]]


def test_every_process_sees_a_publish_at_once(services, depts, people, clock):
    other_process = KnowledgeBase(services.db, services.knowledge.tz)
    assert other_process.search("燃气表冻住", now=clock()).hits == []
    article = kact.create_article(services.knowledge, fields(question="燃气表冻住了怎么办？", answer="请用温水解冻。"),
                                  actor=people["water"], now=clock())
    kact.submit_for_review(services.knowledge, article.id, actor=people["water"], now=clock())
    kact.publish_article(services.knowledge, article.id, actor=people["supervisor"], now=clock(), version=1)
    assert [h.article.id for h in other_process.search("燃气表冻住", now=clock()).hits] == [article.id]
    kact.withdraw_article(services.knowledge, article.id, actor=people["supervisor"], now=clock(), reason="过时")
    assert other_process.search("燃气表冻住", now=clock()).hits == []


def test_results_carry_a_marked_snippet(services, demo_base, clock):
    hit = services.knowledge.search("暂住证", now=clock(), limit=1).hits[0]
    marked = [text for text, is_match in hit.snippet if is_match]
    assert "居住证" in marked  # the caller's word 暂住证 is found as the article's 居住证
    assert services.knowledge.search("", now=clock()).hits == []
    assert services.knowledge.search("的了吗？！", now=clock()).hits == []  # stop words only
