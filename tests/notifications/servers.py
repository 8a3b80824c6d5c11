"""Local stand-ins for the providers, spoken to over real sockets by the real adapters.

``SmtpServer`` is a small SMTP server (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT) that
keeps what it is sent and can refuse a recipient. ``FakeNotify`` speaks GOV.UK Notify's API
as the official client uses it: POST /v2/notifications/email and /sms, GET /v2/notifications
?reference=..., with the client's JWT checked against the API key's secret and service id.
"""
from __future__ import annotations

import base64
import json
import socketserver
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

# --- SMTP ------------------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        server: SmtpServer = self.server.owner
        server.connections += 1
        self.reply("220 localhost test SMTP")
        sender, recipients, authenticated = None, [], not server.username
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            argument = line[len(verb):].strip()
            if verb in ("EHLO", "HELO"):
                if verb == "EHLO":
                    self.reply("250-localhost")
                    self.reply("250-AUTH PLAIN")
                    self.reply("250 8BITMIME")
                else:
                    self.reply("250 localhost")
            elif verb == "AUTH":
                mechanism, _, initial = argument.partition(" ")
                parts = base64.b64decode(initial).split(b"\0") if mechanism.upper() == "PLAIN" and initial else []
                if len(parts) == 3 and parts[1].decode() == server.username and parts[2].decode() == server.password:
                    authenticated = True
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if not authenticated:
                    self.reply("530 5.7.0 Authentication required")
                    continue
                sender = argument.partition(":")[2].strip().strip("<>")
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipient = argument.partition(":")[2].strip().strip("<>")
                code = server.refuse.get(recipient)
                if code:
                    self.reply(f"{code} Recipient refused")
                else:
                    recipients.append(recipient)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data_line = self.rfile.readline()
                    if data_line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data_line[1:] if data_line.startswith(b"..") else data_line)
                server.received.append(Received(sender or "", list(recipients), b"".join(lines)))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class SmtpServer:
    username: str = ""
    password: str = ""
    refuse: dict[str, int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    connections: int = 0

    def __enter__(self) -> SmtpServer:
        self._server = _ThreadingServer(("127.0.0.1", 0), _SmtpHandler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- GOV.UK Notify ---------------------------------------------------------------------------

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"


def _error(status: int, kind: str, message: str) -> tuple[int, dict]:
    return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}


class _NotifyHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> tuple[int, dict] | None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(token, key=SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims["iss"] != SERVICE_ID:
            return _error(403, "AuthError", "Invalid token: service not found")
        return None

    def do_GET(self):
        fake: FakeNotify = self.server.owner
        refused = self._authorised()
        if refused:
            return self._send(*refused)
        parts = urlsplit(self.path)
        if parts.path != "/v2/notifications":
            return self._send(*_error(404, "NotFound", "Not found"))
        fake.lookups += 1
        reference = parse_qs(parts.query).get("reference", [None])[0]
        found = [n for n in reversed(fake.notifications) if reference is None or n["reference"] == reference]
        return self._send(200, {"notifications": found, "links": {"current": f"{fake.url}/v2/notifications"}})

    def do_POST(self):
        fake: FakeNotify = self.server.owner
        refused = self._authorised()
        if refused:
            return self._send(*refused)
        kind = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}.get(self.path)
        if kind is None:
            return self._send(*_error(404, "NotFound", "Not found"))
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        fake.posts += 1
        if fake.fail_next:
            return self._send(*_error(fake.fail_next.pop(0), "Exception", "Internal server error"))
        address_field = "email_address" if kind == "email" else "phone_number"
        address = body.get(address_field, "")
        template = fake.templates.get(body.get("template_id"))
        if template is None or template["type"] != kind:
            return self._send(*_error(400, "BadRequestError", "Template not found"))
        if kind == "sms" and not address.replace(" ", "").startswith(("07", "+447")):
            return self._send(*_error(400, "ValidationError", "phone_number Not a UK mobile number"))
        if kind == "email" and "@" not in address:
            return self._send(*_error(400, "ValidationError", "email_address Not a valid email address"))
        personalisation = body.get("personalisation") or {}
        missing = sorted(set(template["placeholders"]) - set(personalisation))
        if missing:
            return self._send(*_error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"))
        notification = {
            "id": str(uuid.uuid4()),
            "reference": body.get("reference"),
            "type": kind,
            address_field: address,
            "template": {"id": body["template_id"], "version": 1},
            "personalisation": personalisation,
            "status": "created",
        }
        fake.notifications.append(notification)
        return self._send(
            201,
            {
                "id": notification["id"],
                "reference": notification["reference"],
                "content": {"body": "(rendered by Notify)"},
                "uri": f"{fake.url}/v2/notifications/{notification['id']}",
                "template": {"id": body["template_id"], "version": 1, "uri": f"{fake.url}/v2/template/{body['template_id']}"},
            },
        )


@dataclass
class FakeNotify:
    templates: dict[str, dict] = field(default_factory=dict)
    notifications: list[dict] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    posts: int = 0
    lookups: int = 0

    def __enter__(self) -> FakeNotify:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _NotifyHandler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
