"""Staff pages for letters: key one in with its scan, or import a batch (CSV plus scans or a ZIP of scans)."""
from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

import aiohttp_jinja2
from aiohttp import web

from channels.forms import read_form
from channels.intake import receive
from channels.letters.batch import BatchReport, import_letters
from channels.letters.records import Letter, Scan, letter_record
from channels.routing import routes
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.security import current_actor, requires
from tracking.actions import InvalidInput, LedgerError
from tracking.states import Role

LETTER_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
MAX_ZIP_MEMBERS = 5000
MAX_UNZIPPED = 200 * 1024 * 1024  # a ZIP bomb stops here

routes.add_nav("来信登记", "/letters/new", LETTER_ROLES, order=35)


@routes.table.get("/letters/new")
@requires(*LETTER_ROLES)
async def letter_form(request: web.Request) -> web.Response:
    return _render(request, "channels/letter_form.html", {"values": {}, "error": None, "result": None})


@routes.table.post("/letters")
@requires(*LETTER_ROLES)
async def key_in_letter(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await read_form(request)
    values = {k: v for k, v in form.data.items() if isinstance(v, str) and k != "_csrf"}
    upload = form.file("scan")
    now = services.clock()
    letter = Letter(**{name: values.get(name, "") for name in
                       ("sender", "received_on", "content", "phone", "address", "title", "reference")})
    try:
        record = letter_record(letter, Scan(*upload) if upload else None, now=now, tz=services.ledger.tz)
        result = await run_blocking(receive, services, record, now=now, actor=actor)
    except LedgerError as exc:
        return _render(request, "channels/letter_form.html", {"values": values, "error": exc.message,
                                                               "result": None}, status=exc.http_status)
    return _render(request, "channels/letter_form.html", {"values": {}, "error": None, "result": result})


@routes.table.get("/letters/import")
@requires(*LETTER_ROLES)
async def import_form(request: web.Request) -> web.Response:
    return _render(request, "channels/letter_import.html", {"report": None})


@routes.table.post("/letters/import")
@requires(*LETTER_ROLES)
async def import_batch(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    form = await read_form(request)
    csv_file = form.file("csv")
    if csv_file is None or not csv_file[1]:
        report = BatchReport(error="请选择来信清单CSV文件")
    else:
        try:
            scans = _scans(form.data.getall("scans", []))
        except InvalidInput as exc:
            scans, report = {}, BatchReport(error=exc.message)
        else:
            now = services.clock()
            report = await run_blocking(import_letters, services, csv_file[1], scans.get, now=now, actor=actor)
    status = 400 if report.error else 200
    return _render(request, "channels/letter_import.html", {"report": report}, status=status)


def _scans(fields) -> dict[str, bytes]:
    """Uploaded scans by file name; a ZIP's members count as if uploaded one by one.

    Raises:
        InvalidInput: a broken ZIP, or one too large once unpacked.
    """
    scans: dict[str, bytes] = {}
    for field in fields:
        if not isinstance(field, web.FileField) or not field.filename:
            continue
        data = field.file.read()
        if field.filename.lower().endswith(".zip"):
            scans.update(_unzip(data, field.filename))
        else:
            scans[PurePosixPath(field.filename.replace("\\", "/")).name] = data
    return scans


def _unzip(data: bytes, name: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
            raise InvalidInput(f"压缩包“{name}”解压后过大")
        return {PurePosixPath(m.filename).name: archive.read(m) for m in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput(f"压缩包“{name}”已损坏，无法读取") from None


def _render(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template(template, request, context)
    response.set_status(status)
    return response
