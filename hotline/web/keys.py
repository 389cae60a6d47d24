"""Typed keys under which the app keeps its long-lived parts (aiohttp ``AppKey``)."""
from aiohttp import web

from config.settings import Settings
from hotline.grouping import Grouped
from hotline.services import Services
from tracking.group_commit import GroupCommit

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", Services)
PUBLIC_URL = web.AppKey("public_url", str)
NAV = web.AppKey("nav", list)
INTAKE = web.AppKey("intake", GroupCommit)  # the process's group commit of registrations
SMS_INTAKE = web.AppKey("sms_intake", Grouped)  # the process's SMS webhook groups (channels.sms.grouped)
