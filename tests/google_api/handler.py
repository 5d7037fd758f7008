"""The test server's HTTP side: each request counted, traced, checked against the API
descriptions, admitted (quota, faults, size) and routed to the method that answers it."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.google_api import discovery, drive, sheets
from tests.google_api.model import apply_fields, parse_fields
from tests.google_api.strict import MAX_PAYLOAD, ApiError, server_error

if TYPE_CHECKING:
    from tests.google_api.server import FakeGoogle


@dataclass
class Served:
    """One request as the server saw it: when it came and went (time.monotonic), the client's
    connection (host, port), and the spreadsheet or Drive file it was about."""

    method: str
    connection: tuple[str, int]
    key: str
    arrived: float
    size: int = 0  # the request body's bytes
    answered: float = 0.0


class Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGoogle  # what its requests are answered from

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up waiting
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """One connection's requests, answered for the FakeGoogle its server serves."""

    # Connections kept open, as Google's are: a client's requests on one connection come one
    # after the other, which is what the bench's quota replay reads from `trace`.
    protocol_version = "HTTP/1.1"
    served: Served | None = None  # the request being answered
    server: Server

    @property
    def fake(self) -> FakeGoogle:
        return self.server.fake

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, verb: str) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path == "/token":
            return self._token(raw)
        if url.path.endswith("/allowedLocations"):  # google-auth's regional boundary lookup
            self.fake.auth_calls["allowedLocations"] += 1
            return self._send(200, {"locations": [], "encodedLocations": "0x0"})
        # A media upload goes to its own path (the method's `mediaUpload` in the discovery
        # document): metadata and content in one multipart/related body.
        upload = url.path.startswith("/upload/")
        method = (discovery.find_upload if upload else discovery.find)(verb, url.path)
        if method is None:
            self.fake.violations.append(f"{verb} {url.path}: no such method in the API")
            return self._send(404, {"error": {"code": 404, "message": "Not found"}})
        body = self._checked(method, query, raw, upload)
        if body is _REFUSED:
            return None
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.fake.tokens:
            unauthenticated = ApiError(401, "Invalid Credentials", name="UNAUTHENTICATED")
            return self._send(401, unauthenticated.body())
        try:
            self._admit(method, url.path, self.fake.accounts.get(token, ""))
            answer = self._route(method, url.path, query, body, self.fake.accounts.get(token, ""))
        except ApiError as exc:
            return self._send(exc.status, exc.body(), exc.retry_after)
        if self.fake.late[method.name]:
            outcome = self.fake.late[method.name].pop(0)
            if isinstance(outcome, float):
                time.sleep(outcome)  # applied; the client has given up by now
            else:
                return self._send(outcome, self.fake.fault(method.name, outcome).body())
        if method.response:
            self.fake.violations += discovery.check_body(method.api, method.response, answer)
        mask = query.get("fields", [""])[0]
        self._send(200, apply_fields(answer, parse_fields(mask)) if mask else answer)

    def _checked(
        self, method: discovery.Method, query: dict[str, list[str]], raw: bytes, upload: bool
    ) -> Any:
        """The request counted, traced and checked against the API description; its body."""
        self.fake.calls[method.name] += 1
        self.fake.log.append((method.name, len(raw)))
        self.served = Served(
            method.name, self.client_address, _about(self.path), time.monotonic(), len(raw)
        )
        self.fake.trace.append(self.served)
        self.fake.violations += discovery.check_query(method, query)
        self.fake.media = None
        if upload:
            try:
                body, self.fake.media = drive.multipart(self.headers.get("Content-Type", ""), raw)
            except ValueError as exc:
                self.fake.violations.append(f"{method.name}: {exc}")
                self._send(400, ApiError(400, str(exc)).body())
                return _REFUSED
            media_type = self.fake.media[0] if self.fake.media else ""
            size = len(self.fake.media[1]) if self.fake.media else 0
            self.fake.violations += discovery.check_upload(method, query, media_type, size)
        else:
            body = json.loads(raw) if raw else None
        if method.request and body is not None:
            self.fake.violations += discovery.check_body(method.api, method.request, body)
        return body

    def _admit(self, method: discovery.Method, path: str, account: str) -> None:
        """What Google checks before doing anything: the quota, the faults set by a test,
        the size of the request; raises the answer when refused."""
        kind = "query" if method.api == "drive.v3" else "write"
        if method.api == "sheets.v4" and method.http == "GET":
            kind = "read"
        api = "drive" if method.api == "drive.v3" else "sheets"
        self.fake.quotas.check(api, kind, account, self.fake.project(account))
        if self.fake.delays[method.name]:
            time.sleep(self.fake.delays[method.name].pop(0))
        broken = next((s for k, s in self.fake.broken.items() if k in path), None)
        if broken:
            raise ApiError(broken, "fault") if broken < 500 else server_error(broken, False)
        if self.fake.faults[method.name]:
            status = self.fake.faults[method.name].pop(0)
            if status is not None:
                raise self.fake.fault(method.name, status)
        if int(self.headers.get("Content-Length") or 0) > MAX_PAYLOAD:
            raise ApiError(413, "Request payload size exceeds the limit")

    def _route(
        self, method: discovery.Method, path: str, query: Any, body: Any, account: str
    ) -> Any:
        with self.fake.lock:
            self.fake.caller = account
            answer = ROUTES[method.name](self.fake, path, query, body)
            self.fake.run_after(method.name, _about(path))
        return answer

    def _token(self, raw: bytes) -> None:
        form = parse_qs(raw.decode())
        self.fake.auth_calls["token"] += 1
        assertion = form.get("assertion", [""])[0]
        if (
            form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
            or assertion.count(".") != 2
        ):
            return self._send(400, {"error": "invalid_grant"})
        claims = json.loads(base64.urlsafe_b64decode(assertion.split(".")[1] + "=="))
        # google-auth signs for Google's own token audience, whatever the token_uri
        if not claims.get("scope") or claims.get("aud") != "https://oauth2.googleapis.com/token":
            return self._send(400, {"error": "invalid_scope"})
        if claims.get("iss") in self.fake.revoked:
            # a key deleted in the Cloud console, or a disabled account: Google's answer as
            # recorded in googleapis/google-cloud-python issue 10004
            refused = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            return self._send(400, refused)
        self.fake.scopes = claims["scope"].split()
        token = f"tok-{len(self.fake.tokens) + 1}"
        self.fake.tokens.add(token)
        self.fake.accounts[token] = claims.get("iss", "")
        self._send(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

    def _send(self, status: int, payload: Any, retry_after: float | None = None) -> None:
        if self.served is not None:
            self.served.answered = time.monotonic()
            self.served = None
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", str(int(retry_after)))
        self.end_headers()
        self.wfile.write(data)


_REFUSED = object()  # a request answered while being checked


def _about(path: str) -> str:
    """The spreadsheet or file a request is about ("" for a listing)."""
    path = urlsplit(path).path
    if path.startswith("/v4/spreadsheets/"):
        return sheets.key_of(path)
    return drive.file_key(path)


ROUTES: dict[str, Callable[[FakeGoogle, str, Any, Any], Any]] = {
    "spreadsheets.values.update": sheets.values_update,
    "spreadsheets.values.get": sheets.values_get,
    "spreadsheets.get": sheets.get_spreadsheet,
    "spreadsheets.values.batchGet": sheets.batch_get,
    "spreadsheets.batchUpdate": sheets.batch_update,
    "files.create": drive.create_file,
    "files.update": drive.update_file,
    "files.get": drive.get_file,
    "files.list": drive.list_files,
    "revisions.list": drive.list_revisions,
    "permissions.create": drive.create_permission,
    "permissions.list": drive.list_permissions,
}
