"""A tiny fake of Twilio's Messages API, checking each request the way Twilio does.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic auth
(account SID and auth token), form-encoded ``To``, ``From`` and ``Body``; it
answers 201 with a message resource, or Twilio's error JSON
(``{code, message, more_info, status}``) with the status Twilio would use.
It runs in a thread on 127.0.0.1 (the sender under test is synchronous), records
every accepted message, and can be told to fail the next requests with 503.
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    messages: list[dict] = field(default_factory=list)
    requests: int = 0
    fail_next: int = 0  # answer this many coming requests with 503, as during an outage
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                fake.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                status, body = fake.handle(self.path, self.headers, self.rfile.read(length))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, path: str, headers, raw: bytes) -> tuple[int, dict]:
        match = PATH.match(path)
        if match is None:
            return _error(404, 20404, f"The requested resource {path} was not found")
        if not self._authorised(headers.get("Authorization", ""), match["sid"]):
            return _error(401, 20003, "Authentication Error - invalid username")
        if match["sid"] != self.account_sid:
            return _error(404, 20404, f"The requested resource {path} was not found")
        if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return _error(400, 20001, "Content-Type must be application/x-www-form-urlencoded")
        if self.fail_next > 0:
            self.fail_next -= 1
            return _error(503, 20500, "Service Unavailable")
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
        if not form.get("To"):
            return _error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(form["To"]):
            return _error(400, 21211, f"The 'To' number {form['To']} is not a valid phone number.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return _error(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body") and not form.get("MediaUrl"):
            return _error(400, 21602, "Message body is required.")
        sid = "SM" + secrets.token_hex(16)
        self.messages.append({"sid": sid, **form})
        return 201, {"sid": sid, "account_sid": self.account_sid, "to": form["To"], "from": form.get("From"),
                     "body": form.get("Body"), "status": "queued", "direction": "outbound-api",
                     "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"}

    def _authorised(self, header: str, sid: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid and password == self.auth_token


def _error(status: int, code: int, message: str) -> tuple[int, dict]:
    return status, {"code": code, "message": message, "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}
