"""Loading a knowledge base from a YAML file: the demo's, or a city's own.

The file format is described at the top of ``knowledge/data/articles.yaml``.
Every article carries a stable ``key``; importing again skips the keys already
in the database, so ``hotline demo`` can load the demo base on every start.
Imported articles are published directly (the file is the city's vetted
content, loaded by an operator) unless the file marks them as drafts or as
pending review.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from knowledge import sync
from knowledge.actions._core import new_version, record
from knowledge.base import KnowledgeBase
from knowledge.fields import ArticleFields
from knowledge.models import Article
from knowledge.search.documents import encode_terms, version_terms
from knowledge.states import ArticleStatus, VersionStatus
from tracking.accounts import Department
from tracking.actions import Actor
from tracking.actions.errors import InvalidInput

DEMO_ARTICLES = Path(__file__).resolve().parent / "data" / "articles.yaml"
IMPORTER = Actor.system("知识库导入")
STATUSES = {"published": ArticleStatus.PUBLISHED, "pending_review": ArticleStatus.PENDING_REVIEW,
            "draft": ArticleStatus.DRAFT}


class ArticleFileError(ValueError):
    """The file has problems; ``problems`` lists each with the article it concerns."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportedArticle:
    key: str
    department: str
    status: ArticleStatus
    fields: ArticleFields


@dataclass(frozen=True)
class ImportResult:
    created: int
    existing: int


def read_articles(path: Path | str, known_services: Iterable[str] = ()) -> list[ImportedArticle]:
    """Parse and check every article of a file.

    Raises:
        ArticleFileError: listing every problem (missing fields, unknown service
            codes, duplicate keys, bad dates), not just the first.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:  # a bad date is a ValueError
        raise ArticleFileError([f"{path}: {exc}"]) from None
    known = set(known_services)
    articles, problems, seen = [], [], set()
    for index, item in enumerate(data.get("articles") or []):
        label = f"articles[{index}] ({item.get('key', '?') if isinstance(item, dict) else '?'})"
        try:
            articles.append(_article(item, known, seen))
        except KeyError as exc:
            problems.append(f"{label}: 缺少字段 {exc.args[0]}")
        except (InvalidInput, TypeError, ValueError) as exc:
            problems.append(f"{label}: {getattr(exc, 'message', None) or exc}")
    if problems:
        raise ArticleFileError(problems)
    return articles


def import_articles(kb: KnowledgeBase, articles: list[ImportedArticle], *, now: dt.datetime,
                    actor: Actor = IMPORTER) -> ImportResult:
    """Write the articles whose keys are new, in one transaction.

    Raises:
        InvalidInput: an article names a department that is not in the database.
    """
    analyzer = kb.analyzer
    created = existing = 0
    with kb.db.transaction() as session:
        keys = set(session.scalars(select(Article.key).where(Article.key.is_not(None))))
        departments = {d.code: d.id for d in session.scalars(select(Department))}
        generation = None
        for item in articles:
            if item.key in keys:
                existing += 1
                continue
            if item.department not in departments:
                raise InvalidInput(f"{item.key}: 承办单位 {item.department} 不存在，请先运行 hotline catalogue load")
            generation = generation or sync.advance(session)
            _write(session, analyzer, item, departments[item.department], actor, now, generation)
            keys.add(item.key)
            created += 1
    return ImportResult(created, existing)


def _write(session, analyzer, item: ImportedArticle, department_id: int, actor: Actor,
           now: dt.datetime, generation: int) -> None:
    article = Article(key=item.key, department_id=department_id, status=item.status, latest_version=1,
                      created_at=now, updated_at=now, helpful_count=0, not_helpful_count=0,
                      generation=generation)
    session.add(article)
    session.flush()
    version = new_version(session, article, item.fields, actor, now, 1, "导入")
    record(session, article, "import", actor, now, version=1)
    if item.status is ArticleStatus.PENDING_REVIEW:
        version.status, version.submitted_at = VersionStatus.PENDING_REVIEW, now
    elif item.status is ArticleStatus.PUBLISHED:
        version.status = VersionStatus.PUBLISHED
        version.reviewed_by_name, version.reviewed_at = actor.name, now
        version.index_terms = encode_terms(version_terms(analyzer, version))
        version.index_fingerprint = analyzer.fingerprint
        article.published_version, article.published_at = 1, now


def _article(item: dict, known: set[str], seen: set[str]) -> ImportedArticle:
    key = str(item["key"]).strip()
    if not key or key in seen:
        raise ValueError(f"key 为空或重复：{key!r}")
    seen.add(key)
    status = STATUSES.get(str(item.get("status") or "published"))
    if status is None:
        raise ValueError(f"status 须为 {', '.join(STATUSES)}")
    fields = ArticleFields(
        question=str(item["question"]), answer=str(item["answer"]), keywords=str(item.get("keywords") or ""),
        service_codes=tuple(item.get("services") or ()), valid_from=_date(item.get("valid_from")),
        valid_until=_date(item.get("valid_until")), source_document=str(item.get("source") or ""),
        guide=item.get("guide")).checked(known)
    return ImportedArticle(key, str(item["department"]), status, fields)


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_demo_articles(kb: KnowledgeBase, *, now: dt.datetime) -> ImportResult:
    """The demo knowledge base (``knowledge/data/articles.yaml``), for ``hotline demo``; safe to repeat."""
    return import_articles(kb, read_articles(DEMO_ARTICLES, kb.known_services), now=now)
