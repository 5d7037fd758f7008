"""The service account: its key file read, its credentials, and the HTTP clients that speak for
it, each on a session the wiring gives (google-auth's in production, routed to a test server in
the tests) and kept under one shared quota."""

from __future__ import annotations

import json
from collections.abc import Callable

import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from gspread import Client
from gspread.http_client import HTTPClient

from worker.adapters.google.client import Quota, QuotaClient
from worker.adapters.google.errors import Translate
from worker.adapters.google.retries import Pace, Retries
from worker.core import explain
from worker.core.errors import ConfigError
from worker.core.settings import GoogleSettings

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"

# A session for the account's credentials: its requests signed with the account's token
SessionFactory = Callable[[service_account.Credentials], requests.Session]


def authorized_session(credentials: service_account.Credentials) -> requests.Session:
    """Production's session: google-auth's, which fetches and refreshes the token itself."""
    return AuthorizedSession(credentials)


class Account:
    """The service account of [google] key_file and its clients.

    `http` reads and `writes` writes: sync writes one unit while it reads the next in another
    thread, and a requests.Session is not made to be shared across threads."""

    def __init__(
        self, settings: GoogleSettings, sessions: SessionFactory, pace: Pace | None = None
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.retries = Retries(settings, pace or Pace())
        # drive.file reaches only the files this worker creates: here the consolidated
        # spreadsheets; provisioning asks for it on its own client (`creating`), when it runs.
        extra = [DRIVE_FILE] if settings.reports_folder else []
        self.credentials, token_uri = _credentials(settings, [*SCOPES, *extra])
        self.email: str = self.credentials.service_account_email
        self.fail = Translate(settings, self.email, token_uri)
        # Sheets' reads and writes in their own buckets, Drive apart: whichever client asks
        self.quota = Quota.per_minute(
            settings.reads_per_minute, settings.writes_per_minute, pace=self.retries.pace
        )
        self.client = self._client(self.credentials)  # gspread's, for whoever wants its API
        self.http = self.client.http_client
        self.writes = self._client(self.credentials).http_client

    def creating(self) -> HTTPClient:
        """A client that may also create Drive files (drive.file), for provisioning only."""
        return self._client(self.credentials.with_scopes([*SCOPES, DRIVE_FILE])).http_client

    def _client(self, credentials: service_account.Credentials) -> Client:
        return Client(
            credentials,
            session=self.sessions(credentials),
            http_client=QuotaClient.configured(self.retries, self.quota),
        )


def _credentials(
    settings: GoogleSettings, scopes: list[str]
) -> tuple[service_account.Credentials, str]:
    """The key file's credentials for `scopes`, and its token endpoint; ConfigError when the
    file cannot be read or is not a service account's key."""
    try:
        info = json.loads(settings.key_file.read_text("utf-8"))
        credentials = service_account.Credentials.from_service_account_info(info, scopes=scopes)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"Không đọc được khóa tài khoản dịch vụ [google] key_file = "
            f"'{settings.key_file}': "
            + (
                explain.os_error(exc)
                if isinstance(exc, OSError)
                else "tệp không phải khóa JSON hợp lệ"
            )
        ) from None
    return credentials, str(info["token_uri"])
