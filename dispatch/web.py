"""Dispatch's web routes, complete: importing the handler modules registers them on ``routes``."""
from dispatch import api, pages  # noqa: F401  registers their handlers
from dispatch.routes import routes

__all__ = ["routes"]
