"""The knowledge base (知识库): articles, their versions, citizens' feedback, the index clock."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import AwareDateTime, Base
from knowledge.states import ArticleStatus, VersionStatus
from tracking.accounts import Department


class Article(Base):
    """One question the hotline can answer, owned by the department responsible for the answer.

    The text lives in :class:`ArticleVersion` rows; the article says which
    version is live (``published_version``) and which is the latest one
    (``latest_version``). ``generation`` is the value of the knowledge clock
    (:class:`KnowledgeSync`) at the article's last change, so every process
    can bring its search index up to date by reading only what changed.
    """

    __tablename__ = "knowledge_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)  # stable id of imported articles
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[ArticleStatus] = mapped_column(String(20), default=ArticleStatus.DRAFT, index=True)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int | None] = mapped_column(Integer)
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    generation: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    department: Mapped[Department] = relationship()
    versions: Mapped[list["ArticleVersion"]] = relationship(
        back_populates="article", order_by="ArticleVersion.number")


class ArticleVersion(Base):
    """A full copy of an article as one person saved it, with its review.

    ``index_terms`` caches the analysed words of a published version (with
    the analyser's ``index_fingerprint``), so a process starting up builds
    its index without segmenting every text again.
    """

    __tablename__ = "knowledge_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_knowledge_article_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(String(20), default=VersionStatus.DRAFT)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(String(500), default="")
    service_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    source_document: Mapped[str] = mapped_column(String(300), default="")
    guide: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))  # SQL NULL when there is none
    change_note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_name: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
    index_terms: Mapped[str | None] = mapped_column(Text)
    index_fingerprint: Mapped[str | None] = mapped_column(String(16))

    article: Mapped[Article] = relationship(back_populates="versions")


class ArticleFeedback(Base):
    """A citizen's "this answered my question" (or "I still need help") on the public page.

    ``client_hash`` is a keyed hash of the client's address, never the address
    itself: enough to count one vote per person and day, nothing to identify them.
    """

    __tablename__ = "knowledge_feedback"
    __table_args__ = (Index("ix_knowledge_feedback_client_at", "client_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    client_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(AwareDateTime())


class KnowledgeSync(Base):
    """The knowledge clock: one counter, raised in every transaction that changes what is searchable.

    Raising it takes the row's lock until commit, so values are handed out in
    commit order and a process that has read value N has seen every change up to N.
    """

    __tablename__ = "knowledge_sync"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class ArticleEvent(Base):
    """One step in an article's life (written, submitted, published, sent back, withdrawn).

    The audit trail of the knowledge base, like ``ticket_events`` for tickets:
    who did what to which version, when, and why.
    """

    __tablename__ = "knowledge_article_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    version: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(AwareDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
