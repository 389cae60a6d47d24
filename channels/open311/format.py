"""Open311 GeoReport v2 documents: services and requests as the spec names their fields, in JSON or XML.

Field names and shapes follow http://wiki.open311.org/GeoReport_v2: every
response is a list (``[{...}]``), errors are ``[{code, description}]`` with the
HTTP status equal to the code, and XML wraps the same fields in
``<services><service>``, ``<service_requests><request>`` and ``<errors><error>``.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from aiohttp import web

from config.catalogue import Catalogue, Service
from tracking.models import Ticket
from tracking.states import FINAL_STATUSES, STATUS_LABELS, Status

XML_WRAPPERS = {"services": "service", "service_requests": "request", "errors": "error",
                "service_definition": "attribute"}


class Open311Error(Exception):
    """An error answered in the spec's format: ``[{"code": status, "description": ...}]``."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def service_json(service: Service) -> dict[str, Any]:
    return {"service_code": service.code, "service_name": service.name, "description": service.description,
            "metadata": False, "type": "realtime", "keywords": ",".join(service.keywords), "group": service.group}


def request_json(ticket: Ticket, catalogue: Catalogue, *, merged_into: str | None = None,
                 media_url: str | None = None) -> dict[str, Any]:
    """One ticket as a GeoReport service request; no contact details, ever."""
    status = Status(ticket.status)
    closed = status in FINAL_STATUSES
    if status is Status.MERGED:
        notes = f"与工单{merged_into}为同一诉求，已合并办理" if merged_into else "已合并办理"
    elif closed and ticket.reply_text:
        notes = ticket.reply_text
    else:
        notes = STATUS_LABELS[status]
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": _service_name(catalogue, ticket.service_code),
        "service_code": ticket.service_code,
        "description": ticket.content,
        "agency_responsible": ticket.department.name if ticket.department_id and ticket.department else None,
        "service_notice": None,
        "requested_datetime": _w3c(ticket.registered_at),
        "updated_datetime": _w3c(ticket.updated_at),
        "expected_datetime": _w3c(ticket.reply_due_at),
        "address": ticket.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": ticket.lat,
        "long": ticket.lon,
        "media_url": media_url,
    }


def respond(data: Any, fmt: str, root: str, status: int = 200) -> web.Response:
    """Answer ``data`` (a list, or a dict for a service definition) as JSON or XML."""
    if fmt == "xml":
        return web.Response(body=to_xml(root, data), status=status, content_type="text/xml", charset="utf-8")
    return web.Response(text=json.dumps(data, ensure_ascii=False), status=status,
                        content_type="application/json", charset="utf-8")


def error_response(error: Open311Error, fmt: str) -> web.Response:
    return respond([{"code": error.status, "description": error.description}], fmt, "errors", error.status)


def to_xml(root: str, data: Any) -> bytes:
    element = ElementTree.Element(root)
    if isinstance(data, dict):  # a service definition: fields, then attributes
        for key, value in data.items():
            if key != "attributes":
                _add(element, key, value)
        attributes = ElementTree.SubElement(element, "attributes")
        for attribute in data.get("attributes", []):
            _fill(ElementTree.SubElement(attributes, "attribute"), attribute)
    else:
        for item in data:
            _fill(ElementTree.SubElement(element, XML_WRAPPERS[root]), item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(element, encoding="utf-8",
                                                                          xml_declaration=False)


def _fill(parent: ElementTree.Element, item: dict) -> None:
    for key, value in item.items():
        _add(parent, key, value)


def _add(parent: ElementTree.Element, key: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, key)
    if value is None:
        return
    child.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def _service_name(catalogue: Catalogue, code: str | None) -> str | None:
    if not code:
        return None
    try:
        return catalogue.service(code).name
    except KeyError:
        return None


def _w3c(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
