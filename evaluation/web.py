"""The evaluation area's routes for the app factory (pages, forms, downloads, API)."""
from evaluation import downloads, forms, pages  # noqa: F401  (each registers its handlers)
from evaluation.routing import routes

__all__ = ["routes"]
