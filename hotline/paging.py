"""Paging shared by every list: how many pages a count fills."""
from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """Pages needed for ``total`` rows, ``per_page`` a page; at least one (an empty list is one page)."""
    return max(1, -(-total // per_page))
