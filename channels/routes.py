"""Every intake handler, gathered on one ``Routes`` object for ``hotline.web.app.domain_routes``."""
from channels import upstream  # noqa: F401  /api/v1/upstream/orders
from channels.open311 import api as open311_api  # noqa: F401  /open311/v2/...
from channels.routing import routes
from channels.sms import webhook  # noqa: F401  /hooks/twilio/sms
from channels.web import lookup, messages  # noqa: F401  /messages, /lookup

__all__ = ["routes"]
