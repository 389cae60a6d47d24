"""What an editor writes into an article version, checked before anything is saved."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from knowledge.states import GUIDE_FIELDS, GUIDE_LABELS
from tracking.actions.errors import InvalidInput

MAX_QUESTION = 300
MAX_ANSWER = 20000
MAX_KEYWORDS = 500
MAX_SOURCE = 300
MAX_GUIDE_FIELD = 5000
MAX_MATERIALS = 60


@dataclass(frozen=True)
class ArticleFields:
    """The content of one version of an article.

    ``keywords`` are other ways callers ask the same question (常见问法), written
    for search; ``guide`` is the optional structured 办事指南 (see
    ``knowledge.states.GUIDE_FIELDS``), with ``materials`` as a list.
    """

    question: str
    answer: str
    keywords: str = ""
    service_codes: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None
    source_document: str = ""
    guide: Mapping[str, Any] | None = None

    def checked(self, known_services: Collection[str] = ()) -> "ArticleFields":
        """These fields trimmed and validated.

        Args:
            known_services: catalogue service codes; when given, unknown codes are refused.

        Raises:
            InvalidInput: a required field is empty, a field is too long, a
                service code is unknown, or the period ends before it starts.
        """
        question = _text(self.question, "问题", MAX_QUESTION, required=True)
        answer = _text(self.answer, "答复内容", MAX_ANSWER, required=True)
        codes = tuple(dict.fromkeys(c.strip() for c in self.service_codes if c and c.strip()))
        unknown = [c for c in codes if known_services and c not in known_services]
        if unknown:
            raise InvalidInput(f"服务目录中没有：{'、'.join(unknown)}")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise InvalidInput("有效期截止日期不能早于生效日期")
        return replace(self, question=question, answer=answer, service_codes=codes,
                       keywords=_text(self.keywords, "常见问法", MAX_KEYWORDS),
                       source_document=_text(self.source_document, "依据文件", MAX_SOURCE),
                       guide=checked_guide(self.guide))


def checked_guide(guide: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The guide with known fields only, materials as a list of lines; None when empty.

    Raises:
        InvalidInput: a field is too long or there are too many materials.
    """
    if not guide:
        return None
    result: dict[str, Any] = {}
    for name, label in GUIDE_FIELDS:
        value = guide.get(name)
        if name == "materials":
            lines = value.splitlines() if isinstance(value, str) else list(value or [])
            items = [str(item).strip().lstrip("-•·").strip() for item in lines]
            items = [item for item in items if item]
            if len(items) > MAX_MATERIALS:
                raise InvalidInput(f"申请材料最多{MAX_MATERIALS}项")
            for item in items:
                _text(item, GUIDE_LABELS[name], MAX_GUIDE_FIELD)
            if items:
                result[name] = items
        else:
            text = _text("" if value is None else str(value), label, MAX_GUIDE_FIELD)
            if text:
                result[name] = text
    return result or None


def _text(value: str | None, what: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"请填写{what}")
    if len(text) > limit:
        raise InvalidInput(f"{what}不能超过{limit}字")
    return text
