"""Typed keys under which the app keeps its long-lived parts (aiohttp ``AppKey``)."""
from aiohttp import web

from config.settings import Settings
from hotline.services import Services

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
PUBLIC_URL = web.AppKey("public_url", str)
NAV = web.AppKey("nav", list)
