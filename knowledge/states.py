"""Where an article stands in its review, and the fields of a service guide (办事指南).

An article is never edited in place: every save writes a new version. A
version is written as a draft, submitted for review, and published by a
reviewer; the version it replaces stays in the history. While a new version
waits for review the public keeps seeing the one published before it.
"""
from __future__ import annotations

from enum import StrEnum


class ArticleStatus(StrEnum):
    """The state of an article's latest version (what its editors work on)."""

    DRAFT = "draft"                    # 草稿
    PENDING_REVIEW = "pending_review"  # 待审核
    PUBLISHED = "published"            # 已发布: the latest version is the live one
    WITHDRAWN = "withdrawn"            # 已下线: taken off the public site and the console


ARTICLE_STATUS_LABELS = {
    ArticleStatus.DRAFT: "草稿", ArticleStatus.PENDING_REVIEW: "待审核",
    ArticleStatus.PUBLISHED: "已发布", ArticleStatus.WITHDRAWN: "已下线",
}


class VersionStatus(StrEnum):
    DRAFT = "draft"                    # 草稿 (also a version the reviewer sent back)
    PENDING_REVIEW = "pending_review"  # 待审核
    PUBLISHED = "published"            # 现行版本: the one citizens and agents see
    SUPERSEDED = "superseded"          # 历史版本: replaced by a later version
    WITHDRAWN = "withdrawn"            # 已下线: was live until the article was withdrawn


VERSION_STATUS_LABELS = {
    VersionStatus.DRAFT: "草稿", VersionStatus.PENDING_REVIEW: "待审核",
    VersionStatus.PUBLISHED: "现行版本", VersionStatus.SUPERSEDED: "历史版本",
    VersionStatus.WITHDRAWN: "已下线",
}

# The structured guide of an administrative service, in the order a citizen reads
# it (the usual layout of a 办事指南 on a government service portal). Materials is
# a list, one item a line; the rest are free text.
GUIDE_FIELDS: tuple[tuple[str, str], ...] = (
    ("what", "事项说明"),
    ("conditions", "办理条件"),
    ("materials", "申请材料"),
    ("where", "办理地点"),
    ("when", "办理时间"),
    ("online", "网上办理"),
    ("fees", "收费标准"),
    ("time_limit", "办理时限"),
    ("legal_basis", "设定依据"),
    ("contact", "咨询电话"),
)
GUIDE_LABELS = dict(GUIDE_FIELDS)
