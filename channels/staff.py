"""Staff views of intake: a ticket's contacts and files, the files themselves, and the SMS log."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select

from channels.contacts import contacts_of, files_of, stored_file
from channels.routing import routes
from channels.sms_log import sms_log
from channels.storage import resolve_stored
from hotline.audit.reads import log_ticket_reads
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_ok, query_int
from hotline.web.security import STAFF, current_actor, requires
from tracking.actions import NotFound
from tracking.models import Ticket
from tracking.states import Role

SMS_LOG_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
CONTACTS_SPEC = {
    "summary": "工单的全部来电来信（含并入的重复诉求）及附件", "operationId": "ticketContacts", "tags": ["tickets"],
    "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "来电来信与附件", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"contacts": {"type": "array", "items": {"type": "object"}},
                                         "files": {"type": "array", "items": {"type": "object"}}}}}}},
        "404": {"description": "工单不存在或无权查看"}}}

routes.add_nav("短信记录", "/intake/sms", SMS_LOG_ROLES, order=80)


@routes.api("GET", "/api/v1/intake/tickets/{number}/contacts", CONTACTS_SPEC)
@requires(*STAFF)
async def ticket_contacts(request: web.Request) -> web.Response:
    contacts, files = await _contacts_and_files(request, "contacts_api")
    return json_ok({
        "contacts": [{"at": c.at.isoformat(), "kind": c.kind, "number": c.number, "channel": c.channel_label,
                      "name": c.name, "phone": c.phone, "text": c.text, "status": c.status_label} for c in contacts],
        "files": [{"id": f.id, "ticket": f.ticket_number, "filename": f.filename, "content_type": f.content_type,
                   "size": f.size, "url": f.url or f"/attachments/{f.id}"} for f in files]})


@routes.table.get("/intake/tickets/{number}")
@requires(*STAFF)
async def ticket_contacts_page(request: web.Request) -> web.Response:
    contacts, files = await _contacts_and_files(request, "contacts")
    return aiohttp_jinja2.render_template("channels/contacts.html", request, {
        "number": request.match_info["number"], "contacts": contacts, "files": files})


@routes.table.get("/attachments/{id:\\d+}")
@requires(*STAFF)
async def attachment(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    found = await run_blocking(stored_file, services.db, int(request.match_info["id"]), actor)
    path = resolve_stored(services.settings.upload_dir, found.stored_path)
    if not path.is_file():
        raise NotFound("附件文件已丢失，请联系管理员")
    # The type is the one we read from the file's bytes, never the uploader's claim; nosniff keeps it so.
    return web.FileResponse(path, headers={
        "Content-Type": found.content_type, "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline", "Content-Security-Policy": "default-src 'none'; sandbox"})


@routes.table.get("/intake/sms")
@requires(*SMS_LOG_ROLES)
async def sms_log_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    page = await run_blocking(sms_log, services.db, page=query_int(request, "page", 1),
                              phone=request.query.get("phone", "").strip() or None)
    return aiohttp_jinja2.render_template("channels/sms_log.html", request, {
        "log": page, "phone": request.query.get("phone", ""), "provider": services.sms.name})


async def _contacts_and_files(request: web.Request, what: str):
    services = request.app[SERVICES]
    actor = await current_actor(request)
    ticket_id = await run_blocking(_ticket_id, services.db, request.match_info["number"])
    contacts = await run_blocking(contacts_of, services.db, ticket_id, actor)
    files = await run_blocking(files_of, services.db, ticket_id, actor)
    if any(c.phone for c in contacts):  # every read of full contact details by staff is logged
        await log_ticket_reads(request, actor, [ticket_id], what, services.clock())
    return contacts, files


def _ticket_id(db, number: str) -> int:
    with db.reading() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == number))
    if ticket_id is None:
        raise NotFound("工单不存在或无权查看")
    return ticket_id
