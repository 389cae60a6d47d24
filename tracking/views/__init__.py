"""Tracking's work pages and their JSON: the department portal, supervision, callbacks, notifications.

Importing the package registers every handler on :data:`routes`, which the app
mounts (``hotline.web.app.domain_routes``).
"""
from tracking.views import api, callbacks, department, notifications, supervision  # noqa: F401
from tracking.views.routes import routes

__all__ = ["routes"]
