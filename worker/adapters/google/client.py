"""gspread's HTTP client kept under the Sheets API quota, with timeouts and bounded retries
(`retries`: when a request goes again, and when it is given up)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from worker.adapters.google.retries import Pace, Retries, refused, transient


class Limiter:
    """At most `per_minute` requests in any 60 seconds (a sliding window), across threads."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self.sent: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            while len(self.sent) >= self.per_minute:
                pause = 60 - (self.clock() - self.sent[0])
                if pause <= 0:
                    self.sent.popleft()
                else:
                    self.sleep(pause)
            self.sent.append(self.clock())


DRIVE_PER_MINUTE = 12_000  # Drive's queries per minute per user (drive/api/guides/limits)


@dataclass(frozen=True)
class Quota:
    """Sheets counts reads and writes per minute per user in separate buckets (60 each,
    developers.google.com/sheets/api/limits); Drive has its own, far larger, quota."""

    reads: Limiter
    writes: Limiter
    drive: Limiter

    @classmethod
    def per_minute(
        cls, reads: int, writes: int, drive: int = DRIVE_PER_MINUTE, pace: Pace | None = None
    ) -> Quota:
        pace = pace or Pace()
        return cls(*(Limiter(n, pace.clock, pace.sleep) for n in (reads, writes, drive)))

    def bucket(self, method: str, url: str) -> Limiter:
        if "sheets.googleapis.com" not in url:
            return self.drive
        return self.reads if method.upper() == "GET" else self.writes


class QuotaClient(HTTPClient):
    """gspread's HTTP client, kept under the quota, with timeouts and bounded retries.

    gspread's own BackOffHTTPClient retries 429 for ever and has no timeout; this one gives up
    (`retries.Policy`) and raises, so that one unit's trouble never stalls the others.
    Reads (GET) are retried on any transient failure; a write only when it was refused unapplied
    (`refused`): the caller settles an ambiguous one (`retries.settle`).
    """

    rules: Retries
    quota: Quota

    @classmethod
    def configured(cls, rules: Retries, quota: Quota) -> type[QuotaClient]:
        """A client class with the account's retry rules and quota, for gspread to build."""
        return type("ConfiguredQuotaClient", (cls,), {"rules": rules, "quota": quota})

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.set_timeout(self.rules.settings.timeout)

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        retry = transient if method.upper() == "GET" else refused
        try:
            for attempt in self.rules.policy(retry).retrying():
                with attempt:
                    self.quota.bucket(method, endpoint).wait()
                    response = super().request(method, endpoint, *args, **kwargs)
        except (APIError, requests.RequestException) as exc:
            self.rules.outcome(exc, retry)
            raise
        self.rules.outcome(None, retry)
        return response
