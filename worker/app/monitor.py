"""What the worker tells the outside: a rotating log file in the workspace, and a heartbeat.

The heartbeat follows the healthchecks.io / Uptime Kuma convention: `URL/start` when a cycle
begins, `URL` when it ends well, `URL/fail` when it does not; a monitor that hears nothing at
the expected time raises the alarm, so a worker that died in October is noticed. A ping never
fails a cycle: it has a short timeout and its own failure is only logged.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from logging.handlers import RotatingFileHandler
from pathlib import Path
from urllib.parse import urlsplit

from worker.core.settings import LOGS

LOG_FILE = Path(LOGS) / "mohinh.log"
LOG_BYTES, LOG_BACKUPS = 1_000_000, 5  # at most 6 MB of history, the newest in mohinh.log
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
PING_TIMEOUT = 10.0  # seconds; a monitor slower than this is treated as unreachable
START, SUCCESS, FAIL = "/start", "", "/fail"


def log_to_file(root: Path, log: logging.Logger) -> RotatingFileHandler:
    """Write `log` (INFO and above) to logs/mohinh.log in the workspace, rotated."""
    path = root / LOG_FILE
    path.parent.mkdir(exist_ok=True)
    handler = RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT, "%Y-%m-%d %H:%M:%S"))
    handler.setLevel(logging.INFO)
    log.addHandler(handler)
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)  # a cycle's summary is INFO: the file must get it
    return handler


def stop_logging(log: logging.Logger, handler: logging.Handler) -> None:
    log.removeHandler(handler)
    handler.close()


class Heartbeat:
    """Pings of one monitored check; does nothing without a URL."""

    def __init__(self, url: str, log: logging.Logger, timeout: float = PING_TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.log = log
        self.timeout = timeout

    def start(self) -> None:
        self._ping(START)

    def finish(self, ok: bool, summary: str = "") -> None:
        """Success or failure; the summary goes with it (healthchecks.io shows it)."""
        self._ping(SUCCESS if ok else FAIL, summary)

    def _ping(self, suffix: str, body: str = "") -> None:
        if not self.url:
            return
        request = urllib.request.Request(
            self.url + suffix, data=body.encode("utf-8")[:10_000], method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # the host only: the rest of a ping URL is its check's secret
            where = urlsplit(self.url).netloc
            self.log.warning("không báo được cho máy theo dõi %s (%s): %s", where, suffix, exc)
