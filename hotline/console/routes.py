"""The console's routes and navigation entry (mounted by ``hotline.web.app``)."""
from hotline.web.routing import Routes
from tracking.states import Role

CONSOLE_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)

routes = Routes()
routes.add_nav("接线台", "/console", CONSOLE_ROLES, order=10)
