"""The one ``Routes`` object of tracking's work pages; each page module adds its handlers to it."""
from hotline.web.routing import Routes

routes = Routes()
