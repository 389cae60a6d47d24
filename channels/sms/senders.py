"""Sending SMS: one small interface, a Twilio implementation and a console one.

``build_sms_sender(settings)`` picks Twilio when an account SID is configured
and the console sender otherwise (the embedded default: it logs the message,
and the ``sms.send`` task records it in ``sms_messages`` like any other, so the
demo shows what would have been sent). Other areas never call a sender: they
enqueue the ``sms.send`` task (see ``channels.sms.tasks``).
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

import requests

from config.settings import Settings

log = logging.getLogger(__name__)
MAINLAND = "+86"
TWILIO_TIMEOUT = (5, 15)  # seconds to connect, to read: a slow Twilio is retried, not waited on


@dataclass(frozen=True)
class SmsReceipt:
    provider: str
    provider_id: str  # Twilio's message SID, or a console id


class SmsError(Exception):
    """A send failed. ``permanent`` failures (a number Twilio refuses) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    name: str

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SmsReceipt:
        """Hand one SMS to the provider.

        Raises:
            SmsError: the provider refused it or could not be reached.
        """


class ConsoleSmsSender:
    """Prints what would be sent; for the embedded default and demos without an SMS account."""

    name = "console"

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SmsReceipt:
        log.info("SMS (console) to %s: %s", to, body)
        return SmsReceipt(self.name, "console-" + uuid.uuid4().hex[:16])


class TwilioSmsSender:
    """Twilio's Messages API: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with basic auth.

    Plain HTTP rather than the twilio client, so the base URL (``HOTLINE_TWILIO_API_BASE``)
    can point at a regional edge or at the fake Twilio server of the tests.
    """

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base: str,
                 session: requests.Session | None = None):
        self.account_sid, self.auth_token, self.from_number = account_sid, auth_token, from_number
        self.url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.session = session or requests.Session()

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> SmsReceipt:
        form = {"To": e164(to), "From": self.from_number, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        try:
            response = self.session.post(self.url, data=form, auth=(self.account_sid, self.auth_token),
                                         timeout=TWILIO_TIMEOUT)
        except requests.RequestException as exc:
            raise SmsError(f"无法连接短信平台：{exc.__class__.__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code in (200, 201) and data.get("sid"):
            return SmsReceipt(self.name, str(data["sid"]))
        detail = f"Twilio HTTP {response.status_code}"
        if data.get("code") or data.get("message"):
            detail += f" {data.get('code', '')}: {data.get('message', '')}".rstrip()
        # 400 means Twilio read the request and refuses it (e.g. 21211, an invalid 'To'):
        # sending it again gives the same answer. 401, 429 and 5xx may pass later.
        raise SmsError(detail, permanent=response.status_code == 400)


def e164(phone: str) -> str:
    """Twilio wants E.164: the ledger's 11-digit mainland mobiles get +86, landlines lose their 0."""
    if phone.startswith("+"):
        return phone
    if phone.startswith("0"):
        return MAINLAND + phone[1:]
    return MAINLAND + phone


def build_sms_sender(settings: Settings) -> SmsSender:
    """Twilio when ``HOTLINE_TWILIO_ACCOUNT_SID`` is set, the console sender otherwise."""
    if settings.twilio_account_sid:
        return TwilioSmsSender(settings.twilio_account_sid, settings.twilio_auth_token,
                               settings.twilio_from_number, settings.twilio_api_base)
    return ConsoleSmsSender()
