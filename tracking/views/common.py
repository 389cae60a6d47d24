"""Small helpers the work pages share: reading filters, the way back, running a posted action."""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from yarl import URL

from tracking.actions import InvalidInput
from tracking.deadlines import Light


def query_light(query: Mapping[str, str]) -> Light | None:
    raw = query.get("light") or ""
    try:
        return Light(raw) if raw else None
    except ValueError:
        raise InvalidInput("light 须为 red、yellow 或 green") from None


def query_page(query: Mapping[str, str]) -> int:
    try:
        return max(1, int(query.get("page") or 1))
    except ValueError:
        raise InvalidInput("参数 page 须为整数") from None


def back_to(form, prefix: str) -> str:
    """Where to go after a posted action: the page (with its filters) the form came from."""
    back = str(form.get("back") or prefix)
    return back if back.startswith(prefix) and not back.startswith("//") and "\\" not in back else prefix


def with_notice(path: str, notice: str) -> str:
    """``path`` with a one-line notice for the next page (shown once, escaped)."""
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}{urlencode({'notice': notice[:200]})}"


def page_link(url: URL, **changes) -> str:
    """``url`` with some query parameters changed (None removes one); the page resets to 1."""
    query = {k: v for k, v in url.query.items() if k not in ("notice", "page")}
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    return url.path + ("?" + urlencode(query) if query else "")
