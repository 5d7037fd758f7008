"""Local delivery: one .eml file per message in the workspace's outbox/ folder."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from worker.notifications.compose import safe_name
from worker.state import Email


def eml_name(email: Email) -> str:
    return f"{safe_name(email.unit)}-{hashlib.sha256(email.key.encode()).hexdigest()[:12]}.eml"


def deliver(outbox: Path, email: Email) -> Path:
    """Write the message as `outbox/<unit>-<hash>.eml`, atomically; returns the file."""
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / eml_name(email)
    fd, tmp = tempfile.mkstemp(dir=outbox, prefix=".", suffix=".eml")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(email.message)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
