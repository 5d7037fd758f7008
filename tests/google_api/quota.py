"""Google's per-minute quotas as the test server enforces them, on a clock it may share with the
worker under test (a `VirtualClock`: the worker's waits advance it, so a test waits out a quota
minute in no time)."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from tests.google_api.strict import (
    DRIVE_PER_USER,
    QUOTA_WINDOW,
    SHEETS_PER_PROJECT,
    SHEETS_PER_USER,
    ApiError,
    quota_exceeded,
)


class VirtualClock:
    """Time that passes only when someone sleeps: `now` for the server and the worker, `sleep`
    for the worker's waits (the quota's and the backoff's)."""

    def __init__(self) -> None:
        self.at = 1_000.0
        self.lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> float:
        with self.lock:
            return self.at

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.at += max(seconds, 0.0)


class Quotas:
    """Requests counted in a sliding window of QUOTA_WINDOW seconds (strict.py): Sheets' reads
    and writes each per user and per project, Drive's per user. `check` refuses a request over
    any of them with Google's answer; `others` spends some of the project's quota, as other
    programs of the same Cloud project would."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.enforced = True
        self.retry_after = False  # whether a 429 carries a Retry-After header
        self.sent: defaultdict[tuple[str, ...], deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def others(self, kind: str, project: str, requests: int) -> None:
        now = self.clock()
        with self.lock:
            self.sent["sheets", kind, "project", project].extend([now] * requests)

    def check(self, api: str, kind: str, user: str, project: str) -> None:
        """Count one request of `kind` ("read" or "write"; Drive: "query") by `user` of
        `project`, or raise the 429 (Sheets) or 403 (Drive) Google answers when over."""
        if not self.enforced:
            return
        now = self.clock()
        if api == "drive":
            limits = [(("drive", "query", "user", user), DRIVE_PER_USER, "user")]
        else:
            limits = [
                (("sheets", kind, "user", user), SHEETS_PER_USER, "user"),
                (("sheets", kind, "project", project), SHEETS_PER_PROJECT, "project"),
            ]
        with self.lock:
            for bucket, limit, per in limits:
                sent = self.sent[bucket]
                while sent and sent[0] <= now - QUOTA_WINDOW:
                    sent.popleft()
                if len(sent) >= limit:
                    raise self._refusal(api, kind, per, project, sent[0] + QUOTA_WINDOW - now)
            for bucket, _, _ in limits:
                self.sent[bucket].append(now)

    def _refusal(self, api: str, kind: str, per: str, project: str, wait: float) -> ApiError:
        if api == "drive":
            # "you'll receive a 403: User rate limit exceeded" (drive/api/guides/limits)
            error = ApiError(403, "User rate limit exceeded.", "userRateLimitExceeded")
        else:
            error = quota_exceeded(kind, per, project)
        if self.retry_after:  # "Google often returns a Retry-After header" with a rate limit
            error.retry_after = max(1.0, math.ceil(wait))  # (googleworkspace/cli issue 777)
        return error
