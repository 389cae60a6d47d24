"""The knowledge domain's routes, API operations and navigation, filled by its page modules."""
from hotline.web.routing import Routes
from hotline.web.security import STAFF

routes = Routes()
routes.add_nav("知识库", "/knowledge", STAFF, order=30)
