"""gspread's HTTP client kept under the Sheets API quota, with timeouts and bounded retries."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from worker.core.settings import GoogleSettings


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

# Drive answers its rate limits as 403 with these reasons (developers.google.com/drive/api/
# guides/limits and handle-errors): to be waited out like a 429, unlike a refused permission.
RATE_LIMITS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})


T = TypeVar("T")


def transient(exc: BaseException) -> bool:
    """A failure that may pass: a rate limit, a 5xx, a timeout, a lost connection."""
    if isinstance(exc, APIError):
        if exc.code == 403:
            errors = exc.error.get("errors") or [{}]
            return errors[0].get("reason") in RATE_LIMITS
        return exc.code == 429 or exc.code >= 500
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def refused(exc: BaseException) -> bool:
    """A failure that proves the request was not applied: a rate limit (Google checks the quota
    before doing anything), or a connection that never opened: such a write may go again as is."""
    if isinstance(exc, APIError):
        return exc.code == 429 or (exc.code == 403 and transient(exc))
    return isinstance(exc, requests.ConnectTimeout)


def ambiguous(exc: BaseException) -> bool:
    """A write's failure that leaves unknown whether Google applied it: a 5xx, a read timeout or
    a connection lost once the request was sent. "Google applied it" is the case to plan for:
    a timed-out batchUpdate adding a tab, sent again, fails with "already exists"."""
    return transient(exc) and not refused(exc)


def settle(settings: GoogleSettings, send: Callable[[], T], reread: Callable[[], object]) -> T:
    """`send` a write that is not idempotent; after an ambiguous failure, `reread` what Google
    now holds (so that `send` rebuilds the write from it) before sending again. Bounded by
    `attempts`; raises the last failure."""
    retrying = Retrying(
        stop=stop_after_attempt(settings.attempts),
        wait=wait_random_exponential(multiplier=settings.backoff, max=64),
        retry=retry_if_exception(ambiguous),
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            if attempt.retry_state.attempt_number > 1:
                reread()
            return send()
    raise AssertionError("unreachable: tenacity re-raises the last error")


@dataclass(frozen=True)
class Quota:
    """Sheets counts reads and writes per minute per user in separate buckets (60 each,
    developers.google.com/sheets/api/limits); Drive has its own, far larger, quota."""

    reads: Limiter
    writes: Limiter
    drive: Limiter

    @classmethod
    def per_minute(cls, reads: int, writes: int, drive: int = DRIVE_PER_MINUTE) -> Quota:
        return cls(Limiter(reads), Limiter(writes), Limiter(drive))

    def bucket(self, method: str, url: str) -> Limiter:
        if "sheets.googleapis.com" not in url:
            return self.drive
        return self.reads if method.upper() == "GET" else self.writes


class QuotaClient(HTTPClient):
    """gspread's HTTP client, kept under the quota, with timeouts and bounded retries.

    gspread's own BackOffHTTPClient retries 429 for ever and has no timeout; this one gives up
    after `attempts` tries and raises, so that one unit's trouble never stalls the others.
    Reads (GET) are retried on any transient failure; a write only when it was refused unapplied
    (`refused`): the caller settles an ambiguous one (`settle`).
    """

    settings: GoogleSettings
    quota: Quota

    @classmethod
    def configured(cls, settings: GoogleSettings, quota: Quota) -> type[QuotaClient]:
        """A client class with its settings and quota, for gspread to build."""
        return type("ConfiguredQuotaClient", (cls,), {"settings": settings, "quota": quota})

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.set_timeout(self.settings.timeout)

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.attempts),
            wait=wait_random_exponential(multiplier=self.settings.backoff, max=64),
            retry=retry_if_exception(transient if method.upper() == "GET" else refused),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self.quota.bucket(method, endpoint).wait()
                return super().request(method, endpoint, *args, **kwargs)
        raise AssertionError("unreachable: tenacity re-raises the last error")
