"""A hook for the kill test only: stop the process at the Nth step boundary.

`MOHINH_HALT_AT=N`, read here alone and set only by `tests/test_kill.py`, makes the command
print each step boundary it passes to stderr ("bước 3: replaced units/u1.xlsx") and, at the Nth,
stop itself with SIGSTOP, every thread where it stands; the test then kills it with SIGKILL, as
a power cut or the OOM killer would. `MOHINH_HALT_AT=0` only prints the steps (the test counts
them so). Without the variable nothing is installed: a step costs one disabled DEBUG call.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

from worker.core.steps import LOGGER

VARIABLE = "MOHINH_HALT_AT"


class _Halt(logging.Handler):
    def __init__(self, at: int) -> None:
        super().__init__(logging.DEBUG)
        self.at = at
        self.passed = 0

    def emit(self, record: logging.LogRecord) -> None:  # under the handler's lock
        self.passed += 1
        sys.stderr.write(f"bước {self.passed}: {record.getMessage()}\n")
        sys.stderr.flush()
        if self.passed == self.at:
            os.kill(os.getpid(), signal.SIGSTOP)


def install_from_environment() -> None:
    at = os.environ.get(VARIABLE)
    if at is None:
        return
    log = logging.getLogger(LOGGER)
    log.setLevel(logging.DEBUG)
    log.propagate = False  # the steps stay out of logs/mohinh.log
    log.addHandler(_Halt(int(at)))
