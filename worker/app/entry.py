"""The `mohinh` command's entry point, and `python -m worker`'s.

SIGTERM and Ctrl-C are caught from the first instruction, before the command line, the jobs and
their libraries are imported and before the workspace is opened: a daemon stopped while it
starts (a service manager's stop, a shutdown) finishes what it is on and exits 0, rather than
dying by the signal. What is caught sets the stop event the daemon's run options carry. Every
other command gets the signals' usual effect back as soon as it is known (`release`): a signal
caught meanwhile is raised again, as if it had come then.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class EarlyStop:
    """The stop asked for before the daemon could hear it (signal handlers are process-wide)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.caught: list[int] = []
        self.catching = False

    def _caught(self, signum: int, frame: FrameType | None) -> None:
        self.caught.append(signum)
        self.event.set()

    def catch(self) -> None:
        for signum in SIGNALS:
            signal.signal(signum, self._caught)
        self.catching = True

    def release(self) -> None:
        """The usual effects back: SIGTERM ends the process, Ctrl-C raises KeyboardInterrupt."""
        if not self.catching:
            return
        self.catching = False
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in self.caught[:1]:
            signal.raise_signal(signum)


EARLY = EarlyStop()


def main() -> None:
    EARLY.catch()
    from worker.app.cli import main as command
    from worker.run.workspace import RunOptions

    command(prog_name="mohinh", obj=RunOptions(stop=EARLY.event))
