"""The one ``Routes`` object of the intake area; each channel's handlers register on it."""
from hotline.web.routing import Routes

routes = Routes()
