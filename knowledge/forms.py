"""Reading the article editor's form into ``ArticleFields`` (and back, to refill it)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from knowledge.fields import ArticleFields
from knowledge.models import ArticleVersion
from knowledge.states import GUIDE_FIELDS
from tracking.actions.errors import InvalidInput


def fields_from_form(form) -> ArticleFields:
    """The fields an editor submitted (a multidict: ``services`` may repeat).

    Raises:
        InvalidInput: a date is not YYYY-MM-DD.
    """
    services: list[str] = []
    for value in form.getall("services", []):
        services += [code for code in re.split(r"[\s,，、]+", str(value)) if code]
    guide = {name: str(form.get(f"guide_{name}", "")) for name, _label in GUIDE_FIELDS}
    return ArticleFields(
        question=str(form.get("question", "")), answer=str(form.get("answer", "")),
        keywords=str(form.get("keywords", "")), service_codes=tuple(services),
        valid_from=_date(form.get("valid_from"), "生效日期"), valid_until=_date(form.get("valid_until"), "截止日期"),
        source_document=str(form.get("source_document", "")), guide=guide)


def form_values(version: ArticleVersion | ArticleFields | None, form: Mapping[str, Any] | None = None) -> dict:
    """Values to fill the editor with: the submitted form after an error, else the version."""
    if form is not None:
        values = {key: str(form.get(key, "")) for key in
                  ("question", "answer", "keywords", "valid_from", "valid_until", "source_document",
                   "change_note", "department")}
        values["services"] = [c for v in form.getall("services", []) for c in re.split(r"[\s,，、]+", str(v)) if c]
        values["guide"] = {name: str(form.get(f"guide_{name}", "")) for name, _label in GUIDE_FIELDS}
        return values
    if version is None:
        return {"services": [], "guide": {}}
    guide = dict(version.guide or {})
    if isinstance(guide.get("materials"), list):
        guide["materials"] = "\n".join(guide["materials"])
    return {"question": version.question, "answer": version.answer, "keywords": version.keywords,
            "valid_from": version.valid_from.isoformat() if version.valid_from else "",
            "valid_until": version.valid_until.isoformat() if version.valid_until else "",
            "source_document": version.source_document, "services": list(version.service_codes or ()),
            "guide": guide, "change_note": ""}


def _date(value, what: str) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what}须为日期（年-月-日）") from None
