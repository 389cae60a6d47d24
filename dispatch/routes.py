"""The one ``Routes`` object of dispatch; the API and page modules add their handlers to it.

``hotline.web.app.domain_routes`` imports :mod:`dispatch.web`, which imports
both, so every handler is registered before the app mounts ``routes``.
"""
from hotline.web.routing import Routes
from tracking.states import Role

TRIAGE_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)

routes = Routes()
routes.add_nav("分派审核", "/dispatch/triage", TRIAGE_ROLES, order=12)
routes.add_nav("协办工单", "/dispatch/assisting", [Role.DEPARTMENT], order=11)
