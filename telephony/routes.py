"""The telephony domain's web routes, API specs, navigation and app setup, in one ``Routes``.

Handlers live in :mod:`telephony.stream` (screen pop), :mod:`telephony.api`
(agent actions), :mod:`telephony.pages` (figures) and
:mod:`telephony.twilio_hooks` (Twilio Voice); each registers itself on
``routes`` when imported, which the bottom of this module does.
"""
from hotline.web.routing import Routes
from telephony.runtime import setup_app
from tracking.states import Role

routes = Routes()
routes.setups.append(setup_app)
routes.add_nav("话务统计", "/telephony/figures", (Role.SUPERVISOR, Role.ADMIN), order=60)
routes.add_nav("漏话回拨", "/telephony/missed", (Role.AGENT,), order=61)

from telephony import api, pages, stream, twilio_hooks  # noqa: E402,F401  (registers the handlers)
