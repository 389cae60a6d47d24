"""The evaluation area's one ``Routes`` object, filled by its page, form, download and API modules."""
from hotline.web.routing import Routes
from tracking.states import Role

OFFICE = (Role.SUPERVISOR, Role.ADMIN)  # the supervision office (督办考核) and admins: every department
VIEWERS = (*OFFICE, Role.DEPARTMENT)    # department staff: their own scorecard only

routes = Routes()
routes.add_nav("考核评价", "/evaluation", VIEWERS, order=60)
