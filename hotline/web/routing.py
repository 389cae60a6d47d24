"""Route and navigation registries that each domain fills with its own handlers.

The app factory asks every domain for its routes; the OpenAPI document is built
from the specs given here, so a route and its documentation are written once,
side by side.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tracking.states import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    roles: frozenset[Role]
    order: int = 50


@dataclass
class Routes:
    """The routes, API specs and navigation entries of one domain."""

    table: web.RouteTableDef = field(default_factory=web.RouteTableDef)
    openapi: dict[str, dict[str, Any]] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    # Functions called with the app once its services lifecycle is installed, for a
    # domain's own long-lived parts (``app.cleanup_ctx``, ``app.on_shutdown``).
    setups: list[Callable[[web.Application], None]] = field(default_factory=list)

    def api(self, method: str, path: str, spec: dict[str, Any]):
        """Register an API handler and its OpenAPI operation in one decorator."""
        def register(handler):
            self.table.route(method, path)(handler)
            # OpenAPI names a parameter without aiohttp's pattern: {id:\d+} is {id}.
            self.openapi.setdefault(re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path), {})[method.lower()] = spec
            return handler
        return register

    def add_nav(self, label: str, path: str, roles: Iterable[Role], order: int = 50) -> None:
        self.nav.append(NavItem(label, path, frozenset(roles), order))
