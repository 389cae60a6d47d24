"""Twilio's request signature (``X-Twilio-Signature``), checked with one HMAC for a genuine request.

Twilio signs the URL it was given plus the POSTed fields with the account's
auth token. Our webhooks check it against ``HOTLINE_PUBLIC_URL`` + path and
query, that same URL, so one ``compute_signature`` decides a genuine request.
The library's ``RequestValidator.validate`` parses the URL and always computes
two (the URL with and without its port): 95 µs a request here against 27 µs,
about a twentieth of an SMS's cost in a web process at intake's peak
(docs/benchmarks.md). A signature that does not match goes on to ``validate``,
so one Twilio made over the URL with (or without) its port still passes.
"""
from __future__ import annotations

import functools
import hmac

from aiohttp import web
from twilio.request_validator import RequestValidator


@functools.lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def twilio_signed(token: str, url: str, params: dict[str, str], signature: str) -> bool:
    """Whether ``signature`` is Twilio's over ``url`` and ``params`` with ``token``; False without either."""
    if not token or not signature:
        return False
    validator = _validator(token)
    expected = validator.compute_signature(url, params).encode()
    if hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape")):  # a header may be any text
        return True
    return validator.validate(url, params, signature)


async def signed_fields(request: web.Request, public_url: str, token: str) -> dict[str, str] | None:
    """The POSTed fields as text if Twilio signed them, else None.

    The URL checked is ``public_url`` (``HOTLINE_PUBLIC_URL``) + path and query: behind a proxy the
    request's own scheme and host are the proxy's, not the URL Twilio was given. The form was read
    (and refused if not UTF-8) by ``hotline.web.requests.storable_input_middleware``.
    """
    fields = {key: str(value) for key, value in (await request.post()).items()}
    url = public_url.rstrip("/") + request.path_qs
    return fields if twilio_signed(token, url, fields, request.headers.get("X-Twilio-Signature", "")) else None
