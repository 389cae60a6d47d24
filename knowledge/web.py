"""Everything the knowledge domain serves; the app mounts ``routes`` (see ``hotline.web.app``)."""
from __future__ import annotations

import logging
import threading

from aiohttp import web

from hotline.web.keys import SERVICES
from knowledge import api, editor_pages, learning_pages, pages, public  # noqa: F401  (they register their handlers)
from knowledge.routes import routes

log = logging.getLogger(__name__)


def _warm_index(app: web.Application) -> None:
    """Build the search index in the background when the app starts, so the first agent does not wait.

    Loading jieba's dictionary and the published articles takes a second or
    two; searches before it is done simply wait for it.
    """
    async def start(app: web.Application) -> None:
        knowledge = app[SERVICES].knowledge

        def build() -> None:
            try:
                knowledge.sync()
            except Exception as exc:  # the first search will try again and report properly
                log.warning("knowledge index not built at start-up: %s", exc)
        threading.Thread(target=build, name="knowledge-index", daemon=True).start()
    app.on_startup.append(start)


routes.setups.append(_warm_index)
