"""What `mohinh kiem-tra` finds: one item of the checklist each, passed or failed with its fix,
and the class of a failure (the exit status it stands for). Pure: the checking is done by the
app and the adapters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from worker.core.errors import Problem, Status

PASS, FAIL = "✓", "✗"


@dataclass(frozen=True)
class Check:
    """One line of the checklist: `what` was checked (and what was found); for a failure, the
    `fix` and its class (`status`)."""

    what: str
    fix: str = ""
    status: Status = Status.OK

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    def line(self) -> str:
        if self.ok:
            return f"{PASS} {self.what}"
        return f"{FAIL} {self.what}" + (f" — {self.fix}" if self.fix else "")


def passed(what: str) -> Check:
    return Check(what)


def failed(what: str, fix: str, status: Status) -> Check:
    return Check(what, fix, status)


def from_problem(what: str, problem: Problem) -> Check:
    """A failure told by a problem the worker raises: its text (which names the fix) and its
    class."""
    return Check(f"{what}: {problem}", "", problem.status)


def exit_status(checks: Iterable[Check]) -> Status:
    """The command's exit status: the gravest class among the failures (the environment's,
    then the configuration's, then a unit's), 0 when every item passed."""
    return max((c.status for c in checks), default=Status.OK)
