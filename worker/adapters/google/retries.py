"""When a request to Google is tried again, and when it is given up.

Google's guidance for its per-minute quotas: "Sheets API has per-minute quotas, and they're
refilled every minute ... If this happens, you should use an exponential backoff algorithm. After
1 minute, you can execute requests again", the backoff being truncated: wait
min(2^n + random_number_milliseconds, maximum_backoff), "maximum_backoff is typically 32 or 64
seconds", after which "the client can continue retrying" (developers.google.com/sheets/api/
limits, "Exponential backoff"). So:

- a quota refusal (429, or Drive's 403 rate limits) is waited out until a try has been made a
  full quota minute after the first refusal: only a quota spent by others of the Cloud project
  outlasts that, and the request is then given up, said as such;
- a `Retry-After` the answer carries is honoured (never waited less);
- a service that does not answer (5xx, timeouts, lost connections) is tried `attempts` times;
  once a request has spent them all, the service is taken for down: later requests of the run
  are tried once each, until one is answered — a dead Google costs minutes, not hours.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import requests
from gspread.exceptions import APIError
from tenacity import RetryCallState, Retrying, retry_if_exception

from worker.core.settings import GoogleSettings

T = TypeVar("T")

MAX_BACKOFF = 32.0  # seconds: Google's maximum_backoff, "typically 32 or 64 seconds"
QUOTA_MINUTE = 60.0  # Sheets' quotas are per minute, "refilled every minute"
LONGEST_RETRY_AFTER = 300.0  # seconds: a Retry-After longer than this gives the request up
QUOTA_TRIES = 30  # a bound on a quota's tries, whatever the clock says

# Drive answers its rate limits as 403 with these reasons (developers.google.com/drive/api/
# guides/limits and handle-errors): to be waited out like a 429, unlike a refused permission.
RATE_LIMITS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})


@dataclass(frozen=True)
class Pace:
    """How the Google clients keep time: the clock their quota and backoff read, and how they
    wait. Real time in production; a test shares a virtual clock with its test server."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Health:
    """Whether the service is taken for down in this run (shared by every client)."""

    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, down: bool) -> None:
        with self.lock:
            self.down = down


def reason(exc: APIError) -> str:
    """Google's `errors[0].reason` (Drive fills it; Sheets mostly does not)."""
    errors = exc.error.get("errors") or [{}]
    return str(errors[0].get("reason", ""))


def over_quota(exc: BaseException) -> bool:
    """A refusal for a spent quota: Sheets' 429, Drive's 429 or 403 rate limits."""
    if not isinstance(exc, APIError):
        return False
    return exc.code == 429 or (exc.code == 403 and reason(exc) in RATE_LIMITS)


def transient(exc: BaseException) -> bool:
    """A failure that may pass: a spent quota, a 5xx, a timeout, a lost connection."""
    if isinstance(exc, APIError):
        return over_quota(exc) or exc.code >= 500
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def refused(exc: BaseException) -> bool:
    """A failure that proves the request was not applied: a spent quota (Google checks the
    quota before doing anything), or a connection that never opened: such a write may go again
    as is."""
    return over_quota(exc) or isinstance(exc, requests.ConnectTimeout)


def ambiguous(exc: BaseException) -> bool:
    """A write's failure that leaves unknown whether Google applied it: a 5xx, a read timeout or
    a connection lost once the request was sent. "Google applied it" is the case to plan for:
    a timed-out batchUpdate adding a tab, sent again, fails with "already exists"."""
    return transient(exc) and not refused(exc)


def retry_after(exc: BaseException, now: datetime | None = None) -> float | None:
    """The seconds an answer's Retry-After header asks for (a number or an HTTP date), if any."""
    response = getattr(exc, "response", None)
    told = response.headers.get("Retry-After") if response is not None else None
    if not told:
        return None
    try:
        return max(0.0, float(told))
    except ValueError:
        pass  # not seconds: RFC 9110 also allows an HTTP date, read below
    try:
        when = parsedate_to_datetime(told)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(when.tzinfo))).total_seconds())


@dataclass(frozen=True)
class Retries:
    """The account's retry rules: its settings (`attempts`, `backoff`), clock and the service's
    health, shared by every client and every write that settles."""

    settings: GoogleSettings
    pace: Pace = field(default_factory=Pace)
    health: Health = field(default_factory=Health)

    def policy(self, retry: Callable[[BaseException], bool]) -> Policy:
        return Policy(self, retry)

    def outcome(self, exc: BaseException | None, retry: Callable[[BaseException], bool]) -> None:
        """Note how a request ended: answered (None, or a refusal: Google is there), or given
        up after every try it may have: a service that would not answer is then taken for down."""
        if exc is None or (isinstance(exc, APIError) and not transient(exc)):
            self.health.set(False)
        elif retry(exc) and not over_quota(exc):
            self.health.set(True)

    def settle(self, send: Callable[[], T], reread: Callable[[], object]) -> T:
        """`send` a write that is not idempotent; after an ambiguous failure, `reread` what
        Google now holds (so that `send` rebuilds the write from it) before sending again.
        Bounded as any request (`Policy`); raises the last failure."""
        policy = self.policy(ambiguous)
        try:
            for attempt in policy.retrying():
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        reread()
                    return send()
        except (APIError, requests.RequestException) as exc:
            self.outcome(exc, ambiguous)
            raise
        raise AssertionError("unreachable: tenacity re-raises the last error")


class Policy:
    """The retries of one request (`retrying()`, for tenacity)."""

    def __init__(self, rules: Retries, retry: Callable[[BaseException], bool]) -> None:
        self.settings, self.pace, self.health = rules.settings, rules.pace, rules.health
        self.retry = retry
        self.first_refusal: float | None = None

    def retrying(self) -> Retrying:
        return Retrying(
            stop=self.stop,
            wait=self.wait,
            retry=retry_if_exception(self.retry),
            sleep=self.pace.sleep,
            reraise=True,
        )

    def wait(self, state: RetryCallState) -> float:
        """Truncated exponential with up to one `backoff` of jitter; Retry-After when longer."""
        unit = self.settings.backoff
        exponential = min(unit * 2 ** (state.attempt_number - 1), MAX_BACKOFF)
        exponential += random.uniform(0, unit) if exponential < MAX_BACKOFF else 0.0
        told = retry_after(_failure(state))
        return max(exponential, told or 0.0)

    def stop(self, state: RetryCallState) -> bool:
        failure = _failure(state)
        told = retry_after(failure)
        if told is not None and told > LONGEST_RETRY_AFTER:
            return True
        if over_quota(failure):
            now = self.pace.clock()
            if self.first_refusal is None:
                self.first_refusal = now
            return now - self.first_refusal >= QUOTA_MINUTE or state.attempt_number >= QUOTA_TRIES
        return state.attempt_number >= (1 if self.health.down else self.settings.attempts)


def _failure(state: RetryCallState) -> BaseException:
    assert state.outcome is not None and state.outcome.failed  # tenacity asks after a failure
    failure = state.outcome.exception()
    assert failure is not None
    return failure
