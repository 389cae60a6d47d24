"""Everything the console serves; the app mounts ``routes`` (see ``hotline.web.app``)."""
from hotline.console import api, pages  # noqa: F401  (they register their handlers)
from hotline.console.routes import routes

__all__ = ["routes"]
