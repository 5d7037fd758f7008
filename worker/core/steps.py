"""The boundaries between a run's steps, logged, so that a test can kill a run at each one.

A step boundary is a DEBUG record of the `mohinh.step` logger, named by what was just done
("replaced reports/tong-hop-2026.xlsx", "settled TINH|tong-hop-2026|gui"): whatever a run
killed there left, the next run must finish with every output present once. Production logs
(INFO) never show them; `worker.app.halt` makes the kill test stop the process at one.
"""

from __future__ import annotations

import logging

LOGGER = "mohinh.step"
_LOG = logging.getLogger(LOGGER)


def step(done: str) -> None:
    """Mark a step boundary: `done` is what was just done."""
    _LOG.debug("%s", done)
