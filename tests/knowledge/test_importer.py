"""Loading a knowledge base file: checked as a whole, imported once, re-analysed after a vocabulary change."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from knowledge.base import KnowledgeBase
from knowledge.importer import ArticleFileError, load_demo_articles, read_articles
from knowledge.models import Article, ArticleVersion
from knowledge.reindex import reindex
from knowledge.states import ArticleStatus
from tracking.catalogue_sync import sync_departments


def test_demo_base_loads_once_with_its_review_states(services, clock):
    sync_departments(services.db, services.catalogue)
    first = load_demo_articles(services.knowledge, now=clock())
    again = load_demo_articles(services.knowledge, now=clock())
    assert first.created >= 60 and first.existing == 0
    assert again.created == 0 and again.existing == first.created
    with services.db.reading() as session:
        statuses = dict(session.execute(select(Article.status, func.count(Article.id)).group_by(Article.status)).all())
        guides = session.scalar(select(func.count(ArticleVersion.id)).where(ArticleVersion.guide.is_not(None)))
    assert statuses[ArticleStatus.PENDING_REVIEW] == 2 and statuses[ArticleStatus.DRAFT] == 1
    assert guides >= 10


def test_a_bad_file_lists_every_problem(tmp_path, services):
    path = tmp_path / "articles.yaml"
    path.write_text("articles:\n"
                    "  - {key: a, department: water, question: 停水, services: [no-such]}\n"
                    "  - {key: a, department: water, question: 停水, answer: 请报修}\n"
                    "  - {key: b, department: water, question: 停水, answer: 请报修, status: live}\n"
                    "  - {key: c, department: water, question: 停水, answer: 请报修, services: [no-such]}\n",
                    encoding="utf-8")
    with pytest.raises(ArticleFileError) as error:
        read_articles(path, services.knowledge.known_services)
    problems = error.value.problems
    assert len(problems) == 4
    assert "缺少字段 answer" in problems[0] and "重复" in problems[1] and "status" in problems[2]
    assert "no-such" in problems[3]


def test_reindex_stores_terms_of_a_new_vocabulary(services, clock, tmp_path):
    sync_departments(services.db, services.catalogue)
    load_demo_articles(services.knowledge, now=clock())
    vocabulary = tmp_path / "synonyms.yaml"
    vocabulary.write_text("synonyms:\n  - [居住证, 蓝卡]\n", encoding="utf-8")
    city = KnowledgeBase(services.db, services.knowledge.tz, vocabulary)
    published = reindex(city)
    assert published >= 60 and reindex(city) == 0
    with services.db.reading() as session:
        stale = session.scalar(select(func.count(ArticleVersion.id)).where(
            ArticleVersion.index_fingerprint.is_not(None),
            ArticleVersion.index_fingerprint != city.analyzer.fingerprint))
    assert stale == 0
    assert city.search("蓝卡", now=clock()).hits
